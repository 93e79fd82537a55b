"""What the synth plays for a score: channels with General MIDI programs and the
notes in playback order (repeats written out), with the tempo map in seconds.

Programs: an explicit ``programs`` mapping (track name or role -> GM program)
wins; otherwise the track's own program, except that a melody or bass track left
at program 0 (ABC tunes carry no instrument) gets the role's default from
:data:`ROLE_PROGRAMS` (melody on flute 73, bass on acoustic bass 32).

Chord symbols become an accompaniment on their own channel: ``"pattern"`` voices
them to fit the meter (bass note on the downbeat and, in 4/4, on beat 3; the chord
on the other beats: oom-pah-pah in 3/4, oom-pah in 6/8), ``"block"`` holds each
chord for its whole span, ``None`` leaves them silent.

Times: notes are in **playback ticks** (480 per quarter, repeats written out);
:meth:`Arrangement.seconds_at` and :meth:`Arrangement.tick_at` convert with the
tempo map (seconds at tempo factor 1).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from composer.music.chords import chord_pitches, parse_chord_symbol
from composer.music.repeats import RepeatMap, unroll
from composer.music.score import TICKS_PER_QUARTER, Score

ROLE_PROGRAMS = {"melody": 73, "bass": 32, "accompaniment": 0, "piano": 0, "drums": 0,
                 "other": 0}
"""Default General MIDI program by track role (used when a melody or bass track
has program 0). Fiddle is 40, nylon guitar 24."""
CHORD_PROGRAM = 0
"""General MIDI program of the chord-symbol accompaniment (acoustic grand piano)."""
CHORDS_NAME = "Chords"
DRUM_CHANNEL = 9
BASS_VELOCITY = 72
CHORD_VELOCITY = 56
CHORD_STYLES = ("pattern", "block", None)


@dataclass(frozen=True, slots=True)
class Voice:
    """One MIDI channel of the arrangement: the track ``name`` it plays, its GM
    ``program`` (0-127) and whether it is the drum channel."""

    channel: int
    program: int
    name: str
    is_drum: bool = False


@dataclass(frozen=True, slots=True, order=True)
class PlayNote:
    """A note to sound: ``start``/``end`` in playback ticks, MIDI ``channel``,
    ``pitch`` and ``velocity`` (1-127)."""

    start: int
    end: int
    channel: int
    pitch: int
    velocity: int


@dataclass(frozen=True, slots=True)
class Arrangement:
    """Voices and notes of one score in playback order, with the map back to the
    written score (:attr:`map`) and the expanded score (:attr:`score`)."""

    voices: tuple[Voice, ...]
    notes: tuple[PlayNote, ...]
    score: Score
    map: RepeatMap
    note_starts: tuple[int, ...]
    _tempo_ticks: tuple[int, ...]
    _tempo_seconds: tuple[float, ...]
    _tempo_qpm: tuple[float, ...]

    @property
    def length(self) -> int:
        """Playback length in ticks (the end of the last bar or note)."""
        return max(self.map.length, max((n.end for n in self.notes), default=0))

    @property
    def duration(self) -> float:
        """Playback length in seconds (tempo factor 1)."""
        return self.seconds_at(self.length)

    def seconds_at(self, tick: int) -> float:
        """Seconds from the start to playback ``tick`` under the tempo map."""
        i = max(0, bisect.bisect_right(self._tempo_ticks, tick) - 1)
        return self._tempo_seconds[i] + (tick - self._tempo_ticks[i]) * 60.0 / (
            self._tempo_qpm[i] * TICKS_PER_QUARTER)

    def tick_at(self, seconds: float) -> int:
        """The playback tick sounding ``seconds`` after the start (floored)."""
        i = max(0, bisect.bisect_right(self._tempo_seconds, seconds) - 1)
        ticks = (seconds - self._tempo_seconds[i]) * self._tempo_qpm[i] * TICKS_PER_QUARTER / 60
        return self._tempo_ticks[i] + int(ticks + 1e-6)

    def notes_from(self, tick: int) -> int:
        """Index of the first note starting at or after playback ``tick``."""
        return bisect.bisect_left(self.note_starts, tick)


def arrange(score: Score, *, programs: Mapping[str, int] | None = None,
            chords: str | None = "pattern", muted: tuple[str, ...] = ()) -> Arrangement:
    """The arrangement of ``score`` (see the module docstring); tracks named in
    ``muted`` are left out."""
    if chords not in CHORD_STYLES:
        raise ValueError(f"chords must be one of {CHORD_STYLES}, not {chords!r}")
    programs = dict(programs or {})
    unrolled = unroll(score)
    s = unrolled.score
    voices: list[Voice] = []
    notes: list[PlayNote] = []
    free = [c for c in range(16) if c != DRUM_CHANNEL]
    used = 0
    for track in s.tracks:
        if track.name in muted or not track.notes:
            continue
        if track.is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = free[used % len(free)]
            used += 1
        program = programs.get(track.name, programs.get(track.role, track.program))
        if track.name not in programs and track.role not in programs and program == 0:
            program = ROLE_PROGRAMS.get(track.role, 0) if track.role in ("melody", "bass") else 0
        voices.append(Voice(channel, min(max(program, 0), 127), track.name, track.is_drum))
        notes += [PlayNote(n.start, n.end, channel, n.pitch, n.velocity) for n in track.notes]
    if chords and s.chords and CHORDS_NAME not in muted:
        channel = free[used % len(free)]
        program = programs.get(CHORDS_NAME, programs.get("chords", CHORD_PROGRAM))
        voices.append(Voice(channel, program, CHORDS_NAME))
        notes += (_pattern if chords == "pattern" else _block)(s, channel)
    tempo_ticks, tempo_seconds, tempo_qpm = _tempo_table(s)
    notes = _untangle(notes)
    return Arrangement(tuple(voices), tuple(notes), s, unrolled.map,
                       tuple(n.start for n in notes), tempo_ticks, tempo_seconds, tempo_qpm)


def _tempo_table(s: Score):
    ticks, seconds, qpm = [], [], []
    now, last_tick, last_qpm = 0.0, 0, None
    for t in s.tempos:
        if last_qpm is not None:
            now += (t.tick - last_tick) * 60.0 / (last_qpm * TICKS_PER_QUARTER)
        ticks.append(t.tick)
        seconds.append(now)
        qpm.append(max(t.qpm, 1.0))
        last_tick, last_qpm = t.tick, max(t.qpm, 1.0)
    if not ticks or ticks[0] != 0:
        ticks.insert(0, 0)
        seconds.insert(0, 0.0)
        qpm.insert(0, qpm[0] if qpm else 120.0)
    return tuple(ticks), tuple(seconds), tuple(qpm)


def _untangle(notes: list[PlayNote]) -> list[PlayNote]:
    """Sorted notes where a note ends where the same pitch starts again on its
    channel (a synth cannot hold the same key twice)."""
    by_key: dict[tuple[int, int], list[PlayNote]] = defaultdict(list)
    for n in notes:
        if n.end > n.start:
            by_key[(n.channel, n.pitch)].append(n)
    out = []
    for group in by_key.values():
        group.sort()
        for i, n in enumerate(group):
            nxt = group[i + 1].start if i + 1 < len(group) else None
            if nxt is not None and n.start < nxt < n.end:
                n = PlayNote(n.start, nxt, n.channel, n.pitch, n.velocity)
            if nxt is None or nxt > n.start:
                out.append(n)
    out.sort()
    return out


def _block(s: Score, channel: int) -> list[PlayNote]:
    return [PlayNote(a, b, channel, p, CHORD_VELOCITY)
            for a, b, text in s.chord_spans() for p in chord_pitches(text)]


def _pattern(s: Score, channel: int) -> list[PlayNote]:
    """Bass on the downbeat (and beat 3 of four), the chord in close position
    between G3 and F#4 on the other beats; a chord that changes mid-bar starts
    with its bass."""
    beats = _beats(s)
    beat_starts = [start for start, _, _ in beats]
    out = []
    for a, b, text in s.chord_spans():
        quality = parse_chord_symbol(text)
        if quality is None:
            continue
        bass = chord_pitches(text, low=40)[:1]  # E2..D#3
        upper = sorted({55 + (pc - 55) % 12 for pc in quality.pitch_classes})  # G3..F#4
        i = max(0, bisect.bisect_right(beat_starts, a) - 1)
        while i < len(beats) and beats[i][0] < b:
            start, end, is_bass = beats[i]
            start, end = max(start, a), min(end, b)
            i += 1
            if end <= start:
                continue
            length = max(1, (end - start) * 9 // 10)
            pitches = bass if is_bass or start == a else upper
            velocity = BASS_VELOCITY if pitches is bass else CHORD_VELOCITY
            out += [PlayNote(start, start + length, channel, p, velocity) for p in pitches]
    return out


def _beats(s: Score) -> list[tuple[int, int, bool]]:
    """Every beat as ``(start, end, bass)`` in playback ticks."""
    out = []
    for a, b in s.bars():
        meter = s.meter_at(a)
        step = max(1, meter.beat_ticks)
        n_beats = max(1, meter.bar_ticks // step)
        start, k = a, 0
        if b - a < meter.bar_ticks:  # a pickup: count its beats from the bar's end
            k = n_beats - -(-(b - a) // step)
        while start < b:
            out.append((start, min(start + step, b), k == 0 or (n_beats == 4 and k == 2)))
            start += step
            k += 1
    return out
