"""Standard MIDI files in and out of a :class:`~composer.music.score.Score`.

Reading (:func:`read_midi`, :func:`read_midi_bytes`): any type 0/1 file at any
resolution becomes a score at 480 ticks per quarter (rounded). Each (MIDI track,
channel) pair with notes becomes a :class:`Track` with its name, first program,
``is_drum`` (channel 10) and a guessed role. Tempo, time and key signatures from
every track make the score's maps. A note-on while the same pitch sounds on the
same channel ends the earlier note there (a re-strike); note-offs with no open
note are ignored; notes still open at the end of the track end there.

Writing (:func:`midi_bytes`, :func:`score_to_midi_file`, :func:`score_to_pretty_midi`):
type 1, 480 ticks per quarter, repeats written out (:func:`expand_repeats`).
Track 0 carries the title, tempo, meter and key events, part labels as markers,
and one ``composer:`` text event with what MIDI cannot say (bar lines, modes,
roles, metadata), so our own files read back with their bar structure and pickup.
The music in a MIDI file is played out, so a score read from one has no play order
(no header ``P:`` or ``Y:`` in its metadata; part labels stay as plain labels): the
ABC written from it plays as written.
Chord symbols become a track named ``"Chords"``: block chords you can hear
(:func:`~composer.music.chords.chord_pitches`) plus each symbol's text as a text
event, which :func:`read_midi` turns back into chord symbols.

Every failure is a :class:`~composer.music.errors.MidiReadError` with a
plain-words reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
from collections import defaultdict
from pathlib import Path

import mido

from composer.music.errors import MidiReadError, MusicError
from composer.music.midi_write import (  # noqa: F401 - the module's public API
    CHORD_TRACK_NAME,
    DRUM_CHANNEL,
    FORMAT_VERSION,
    TEXT_TAG,
    midi_bytes,
    score_to_midi_file,
    score_to_pretty_midi,
)
from composer.music.repeats import without_play_order
from composer.music.score import (
    BARLINE_KINDS,
    TICKS_PER_QUARTER,
    TRACK_ROLES,
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
    Track,
)

_MAX_TICKS = 24 * 3600 * 2 * TICKS_PER_QUARTER
"""Longest score we read: a day at 120 quarters per minute (damaged delta times
otherwise make "scores" of millions of empty bars)."""


# --- reading --------------------------------------------------------------------------
def read_midi(path: str | os.PathLike) -> Score:
    """Read a MIDI file (see the module docstring)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MidiReadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MidiReadError(f"{path}: is a folder, not a MIDI file") from None
    except OSError as e:
        raise MidiReadError(f"{path}: cannot read ({e.strerror or e})") from None
    return read_midi_bytes(data, source=path.name)


def read_midi_bytes(data: bytes, source: str = "") -> Score:
    """Read MIDI file contents; ``source`` names the file in error messages."""
    where = f"{source}: " if source else ""
    midi = _parse(data, where)
    try:
        return _to_score(midi, where)
    except MusicError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        raise MidiReadError(f"{where}damaged MIDI data ({e})") from None


def _parse(data: bytes, where: str) -> mido.MidiFile:
    if not data:
        raise MidiReadError(f"{where}the file is empty")
    if data[:4] == b"RIFF" and b"MThd" in data[:64]:
        data = data[data.index(b"MThd"):]  # RMID wrapper
    if data[:4] != b"MThd":
        raise MidiReadError(f"{where}not a MIDI file (it does not start with 'MThd')")
    try:
        midi = mido.MidiFile(file=io.BytesIO(data), clip=True)
    except EOFError:
        raise MidiReadError(f"{where}the MIDI file is truncated (it ends in the middle "
                            "of a track); export it again") from None
    except Exception as e:  # noqa: BLE001 - mido raises many types on damaged data
        reason = str(e).splitlines()[0][:80] if str(e) else type(e).__name__
        raise MidiReadError(f"{where}damaged MIDI data ({reason})") from None
    if midi.type not in (0, 1, 2):
        raise MidiReadError(f"{where}unknown MIDI file type {midi.type}")
    return midi


def _tick_scale(division: int, where: str):
    """A function mapping file ticks to score ticks (rounded)."""
    division &= 0xFFFF
    if division & 0x8000:  # SMPTE: frames per second and ticks per frame
        fps = 256 - (division >> 8)
        per_second = max(1, fps * (division & 0xFF))
        division = max(1, per_second // 2)  # as if at 120 quarters per minute
    if division <= 0:
        raise MidiReadError(f"{where}the MIDI header gives 0 ticks per beat")

    def scale(t: int) -> int:
        return (2 * t * TICKS_PER_QUARTER + division) // (2 * division)

    return scale


def _to_score(midi: mido.MidiFile, where: str) -> Score:
    scale = _tick_scale(midi.ticks_per_beat, where)
    tempos, meters, keys = [], [], []
    conductor: dict = {}
    title = ""
    raw_tracks = []  # (index, name, {channel: [notes]}, {channel: program}, texts)
    for index, track in enumerate(midi.tracks):
        now = 0
        name = None
        open_notes: dict[tuple[int, int], tuple[int, int]] = {}
        notes: dict[int, list[Note]] = defaultdict(list)
        programs: dict[int, int] = {}
        texts: list[tuple[int, str]] = []

        def close(key, end, notes=notes, open_notes=open_notes):
            start, velocity = open_notes.pop(key)
            a, b = scale(start), scale(end)
            if end > start:
                notes[key[0]].append(Note(a, max(b, a + 1), key[1], velocity))

        for msg in track:
            now += msg.time
            kind = msg.type
            if kind == "note_on" and msg.velocity > 0:
                key = (msg.channel, msg.note)
                if key in open_notes:
                    close(key, now)
                open_notes[key] = (now, min(max(msg.velocity, 1), 127))
            elif kind == "note_off" or kind == "note_on":
                key = (msg.channel, msg.note)
                if key in open_notes:
                    close(key, now)
            elif kind == "program_change":
                programs.setdefault(msg.channel, msg.program)
            elif kind == "set_tempo":
                if msg.tempo > 0:
                    qpm = min(max(60_000_000 / msg.tempo, 1.0), 1000.0)
                    tempos.append(TempoChange(scale(now), round(qpm, 3)))
            elif kind == "time_signature":
                if 1 <= msg.numerator <= 64 and msg.denominator in (1, 2, 4, 8, 16, 32, 64):
                    meters.append(MeterChange(scale(now), msg.numerator, msg.denominator))
            elif kind == "key_signature":
                keys.append(_key_change(scale(now), msg.key))
            elif kind in ("track_name", "sequence_name") and name is None:
                name = msg.name.strip()
            elif kind == "text":
                if index == 0 and msg.text.startswith(TEXT_TAG) and not conductor:
                    conductor = _load_conductor(msg.text[len(TEXT_TAG):])
                else:
                    texts.append((scale(now), msg.text))
        for key in list(open_notes):
            close(key, now)
        if index == 0 and not notes and name:
            title = name
        raw_tracks.append((index, name or "", notes, programs, texts))
    return _assemble(raw_tracks, tempos, meters, [k for k in keys if k], conductor, title, where)


def _key_change(tick: int, key: str) -> KeyChange | None:
    minor = key.endswith("m")
    tonic = key[:-1] if minor else key
    try:
        return KeyChange(tick, tonic, "minor" if minor else "major")
    except ValueError:
        return None


def _load_conductor(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) and data.get("v") == FORMAT_VERSION else {}


def _assemble(raw_tracks, tempos, meters, keys, conductor, title, where) -> Score:
    tracks: list[Track] = []
    guessed: list[bool] = []
    chords: list[ChordSymbol] = []
    info = conductor.get("tracks") if isinstance(conductor.get("tracks"), dict) else {}
    for index, name, notes, programs, texts in raw_tracks:
        if name == CHORD_TRACK_NAME and any(not t.startswith(TEXT_TAG) for _, t in texts):
            chords += [ChordSymbol(t, text) for t, text in texts if text.strip()]
            continue
        channels = sorted(c for c in notes if notes[c])
        extra = info.get(str(index)) if isinstance(info.get(str(index)), dict) else {}
        for channel in channels:
            label = name if len(channels) == 1 else f"{name or 'Track'} ch {channel + 1}"
            if len(channels) == 1 and isinstance(extra.get("name"), str):
                label = extra["name"]
            role = extra.get("role") if extra.get("role") in TRACK_ROLES else None
            tracks.append(Track(label, tuple(sorted(notes[channel])), role=role or "other",
                                program=programs.get(channel, 0),
                                is_drum=channel == DRUM_CHANNEL))
            guessed.append(role is None)
    if not tracks and not chords:
        raise MidiReadError(f"{where}the MIDI file has no notes")
    last = max([n.end for t in tracks for n in t.notes] + [c.start for c in chords])
    if last > _MAX_TICKS:
        raise MidiReadError(f"{where}damaged MIDI data (notes more than a day from the start)")
    tracks = _unique_names(_guess_roles(tracks, guessed))
    score = Score(
        title=conductor.get("title") if isinstance(conductor.get("title"), str) else title,
        tracks=tuple(tracks),
        chords=tuple(sorted(chords, key=lambda c: c.start)),  # at one tick: file order
        meters=tuple(meters) or (MeterChange(0, 4, 4),),
        keys=tuple(keys) or (KeyChange(0, "C"),),
        tempos=tuple(tempos) or (TempoChange(0, 120.0),),
    )
    return _apply_conductor(score.normalized(), conductor)


_NAME_ROLES = (
    ("drums", ("drum", "percussion", "kit")),
    ("bass", ("bass",)),
    ("accompaniment", ("chord", "accomp", "comp", "harmony", "rhythm", "guitar", "backing")),
    ("melody", ("melody", "lead", "vocal", "voice", "tune", "solo", "flute", "fiddle", "violin")),
    ("piano", ("piano", "keys", "keyboard")),
)


def _guess_roles(tracks: list[Track], guess: list[bool]) -> list[Track]:
    """Give a role to each track flagged in ``guess``: drums by channel, then by
    name, by program family, then by content (polyphony and register)."""
    out = list(tracks)
    pending = []
    for i, t in enumerate(tracks):
        if not guess[i]:
            continue
        role = "drums" if t.is_drum else None
        lowered = t.name.lower()
        for candidate, words in _NAME_ROLES:
            if role is None and any(w in lowered for w in words):
                role = candidate
        if role is None and 32 <= t.program <= 39:
            role = "bass"
        if role is None and 1 <= t.program <= 7 and _polyphony(t.notes) > 0.3:
            role = "piano"
        if role is None:
            pending.append(i)
        else:
            out[i] = dataclasses.replace(t, role=role)
    has_melody = any(t.role == "melody" for t in out)
    # Monophonic high lines are melodies (the highest first), low ones bass.
    for i in sorted(pending, key=lambda i: -_mean_pitch(out[i].notes)):
        t = out[i]
        poly, mean = _polyphony(t.notes), _mean_pitch(t.notes)
        if poly <= 0.2 and mean < 50:
            role = "bass"
        elif poly <= 0.2 and not has_melody:
            role, has_melody = "melody", True
        elif len(out) == 1:
            role = "piano"
        else:
            role = "accompaniment"
        out[i] = dataclasses.replace(t, role=role)
    return out


def _polyphony(notes) -> float:
    """Fraction of notes that start while another note of the track sounds."""
    if not notes:
        return 0.0
    overlapping, latest_end = 0, -1
    for n in notes:
        if n.start < latest_end:
            overlapping += 1
        latest_end = max(latest_end, n.end)
    return overlapping / len(notes)


def _mean_pitch(notes) -> float:
    return sum(n.pitch for n in notes) / len(notes) if notes else 0.0


def _unique_names(tracks: list[Track]) -> list[Track]:
    seen: dict[str, int] = {}
    out = []
    for t in tracks:
        base = t.name or t.role.capitalize()
        name = base
        while name in seen:
            seen[base] += 1
            name = f"{base} {seen[base]}"
        seen.setdefault(name, 1)
        out.append(Track(name, t.notes, t.role, t.program, t.is_drum))
    return out


def _apply_conductor(score: Score, data: dict) -> Score:
    """Restore what our own files keep in the ``composer:`` text event."""
    if not data:
        return score
    changes: dict = {}
    bars = data.get("barlines")
    if isinstance(bars, list):
        ok = [Barline(t, k) for t, k in (b for b in bars if _pair(b))
              if isinstance(t, int) and t >= 0 and k in BARLINE_KINDS]
        changes["barlines"] = tuple(sorted({b.tick: b for b in ok}.values()))
    keys = data.get("keys")
    if isinstance(keys, list):
        restored = []
        for k in keys:
            if isinstance(k, list) and len(k) == 3 and isinstance(k[0], int) and k[0] >= 0:
                with contextlib.suppress(ValueError):
                    restored.append(KeyChange(k[0], str(k[1]), str(k[2])))
        if restored:
            changes["keys"] = tuple(restored)
    meta = data.get("metadata")
    if isinstance(meta, list):
        changes["metadata"] = tuple((k, v) for k, v in (m for m in meta if _pair(m))
                                    if isinstance(k, str) and isinstance(v, str))
    parts = data.get("parts")
    if isinstance(parts, list):
        changes["parts"] = tuple(PartMark(t, s) for t, s in (p for p in parts if _pair(p))
                                 if isinstance(t, int) and t >= 0 and isinstance(s, str))
    end = data.get("end_tick")
    if isinstance(end, int) and 0 <= end <= _MAX_TICKS:
        changes["end_tick"] = end
    # The file is played out: a play order (earlier versions of the writer kept the
    # header P:/Y: in the metadata) would play its parts out a second time.
    return without_play_order(dataclasses.replace(score, **changes).normalized())


def _pair(item) -> bool:
    return isinstance(item, list) and len(item) == 2
