"""Writing a :class:`~composer.music.score.Score` as a standard MIDI file (the
reading side and the format's description are in :mod:`composer.music.midi`).

Type 1, 480 ticks per quarter, repeats written out. Track 0: title, tempo, meter,
key, part markers and one ``composer:`` JSON text event (bar lines, modes, roles,
metadata). One track per score track; chord symbols in a ``"Chords"`` track of
block chords with each symbol's text as a text event.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict

import mido

from composer.music.chords import chord_pitches
from composer.music.repeats import expand_repeats
from composer.music.score import TICKS_PER_QUARTER, Note, Score

CHORD_TRACK_NAME = "Chords"
"""Name of the track that carries chord symbols (text events) and their voicing."""
CHORD_VELOCITY = 60
DRUM_CHANNEL = 9
TEXT_TAG = "composer:"
"""Prefix of the track-0 text event holding what MIDI cannot say, as JSON."""
FORMAT_VERSION = 1
_MAJOR_BY_SHARPS = {s: k for (s, minor), k in mido.midifiles.meta._key_signature_decode.items()
                    if not minor}
_MINOR_BY_SHARPS = {s: k for (s, minor), k in mido.midifiles.meta._key_signature_decode.items()
                    if minor}


def midi_bytes(score: Score) -> bytes:
    """The score as the bytes of a type 1 MIDI file (repeats written out)."""
    buffer = io.BytesIO()
    score_to_midi_file(score).save(file=buffer)
    return buffer.getvalue()


def score_to_pretty_midi(score: Score):
    """The score as a :class:`pretty_midi.PrettyMIDI` (times in seconds)."""
    import pretty_midi

    return pretty_midi.PrettyMIDI(io.BytesIO(midi_bytes(score)))


def score_to_midi_file(score: Score) -> mido.MidiFile:
    """The score as a :class:`mido.MidiFile` at 480 ticks per quarter."""
    s = expand_repeats(score)
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_QUARTER)
    midi.tracks.append(_conductor_track(s))
    channels = _assign_channels(s.tracks, extra=bool(s.chords))
    info = {}
    for i, track in enumerate(s.tracks):
        channel = channels[i]
        events = [(0, 0, mido.MetaMessage("track_name", name=_latin1(track.name)))]
        events.append((0, 1, mido.Message("program_change", channel=channel,
                                          program=min(max(track.program, 0), 127))))
        events += _note_events(track.notes, channel)
        midi.tracks.append(_to_track(events, s.length))
        info[str(len(midi.tracks) - 1)] = {"name": track.name, "role": track.role}
    if s.chords:
        midi.tracks.append(_chord_track(s, channels[-1]))
    conductor = midi.tracks[0]
    payload = _conductor_json(s, info)
    conductor.insert(1, mido.MetaMessage("text", text=TEXT_TAG + payload, time=0))
    return midi


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _assign_channels(tracks, extra: bool) -> list[int]:
    """A MIDI channel per track (drums on 10), plus one more for chords if ``extra``."""
    free = [c for c in range(16) if c != DRUM_CHANNEL]
    out, k = [], 0
    for t in tracks:
        if t.is_drum:
            out.append(DRUM_CHANNEL)
        else:
            out.append(free[k % len(free)])
            k += 1
    if extra:
        out.append(free[k % len(free)])
    return out


def _note_events(notes, channel: int, velocity: int | None = None) -> list:
    """Note on/off events (tick, order, message); a note is cut where the same
    pitch starts again, since MIDI cannot hold two at once on one channel."""
    events = []
    by_pitch: dict[int, list[Note]] = defaultdict(list)
    for n in notes:
        by_pitch[n.pitch].append(n)
    for pitch, group in by_pitch.items():
        group.sort()
        for i, n in enumerate(group):
            end = n.end
            if i + 1 < len(group) and n.start < group[i + 1].start < end:
                end = group[i + 1].start
            vel = min(max(velocity or n.velocity, 1), 127)
            events.append((n.start, 3, mido.Message("note_on", channel=channel, note=pitch,
                                                   velocity=vel)))
            events.append((end, 2, mido.Message("note_off", channel=channel, note=pitch,
                                               velocity=0)))
    return events


def _to_track(events, length: int) -> mido.MidiTrack:
    track = mido.MidiTrack()
    now = 0
    for tick, _order, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(length - now, 0)))
    return track


def _conductor_track(s: Score) -> mido.MidiTrack:
    events = [(0, 0, mido.MetaMessage("track_name", name=_latin1(s.title)))]
    for t in s.tempos:
        events.append((t.tick, 1, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(t.qpm))))
    for m in s.meters:
        events.append((m.tick, 1, mido.MetaMessage("time_signature", numerator=m.numerator,
                                                   denominator=m.denominator)))
    for k in s.keys:  # modes are written as the major key with their signature
        table = _MINOR_BY_SHARPS if k.mode in ("minor", "aeolian") else _MAJOR_BY_SHARPS
        if k.sharps in table:
            events.append((k.tick, 1, mido.MetaMessage("key_signature", key=table[k.sharps])))
    for p in s.parts:
        events.append((p.tick, 1, mido.MetaMessage("marker", text=_latin1(p.label))))
    return _to_track(events, s.length)


def _conductor_json(s: Score, info: dict) -> str:
    data = {
        "v": FORMAT_VERSION,
        "title": s.title,
        "barlines": [[b.tick, b.kind] for b in s.barlines],
        "keys": [[k.tick, k.tonic, k.mode] for k in s.keys],
        "metadata": [list(m) for m in s.metadata],
        "parts": [[p.tick, p.label] for p in s.parts],
        "end_tick": s.end_tick,
        "tracks": info,
    }
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def _chord_track(s: Score, channel: int) -> mido.MidiTrack:
    events = [(0, 0, mido.MetaMessage("track_name", name=CHORD_TRACK_NAME)),
              (0, 1, mido.Message("program_change", channel=channel, program=0))]
    for c in s.chords:
        events.append((c.start, 1, mido.MetaMessage("text", text=_latin1(c.text))))
    notes = [Note(start, end, p, CHORD_VELOCITY)
             for start, end, text in s.chord_spans() for p in chord_pitches(text)]
    events += _note_events(notes, channel)
    return _to_track(events, s.length)
