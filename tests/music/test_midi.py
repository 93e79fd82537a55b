"""MIDI in and out: round trips of hand-built scores, foreign files, bad files."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import mido
import pytest

from composer.music.abc import read_abc, split_tunes
from composer.music.errors import MidiReadError
from composer.music.io import read_score, write_score
from composer.music.midi import (
    CHORD_TRACK_NAME,
    TEXT_TAG,
    midi_bytes,
    read_midi,
    read_midi_bytes,
    score_to_midi_file,
    score_to_pretty_midi,
)
from composer.music.repeats import expand_repeats
from composer.music.score import (
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
    Track,
    Volta,
)

Q = 480
PLAY_ORDER = Path(__file__).parents[1] / "fixtures" / "play_order.abc"
"""Three tunes with a play order: ``P:AB`` with repeats and endings, Nottingham's
``Y:AAB``, and ``Y:AA`` with a one-letter ``P:A`` and no part labels."""


def two_track_tune() -> Score:
    """A pickup, triplets, a meter and a tempo change, chords, and a repeat with
    two endings."""
    t3 = Q // 3
    melody = [Note(0, Q, 67)]  # pickup
    melody += [Note(Q + i * t3, Q + (i + 1) * t3, 69 + i) for i in range(3)]  # triplet
    melody += [Note(2 * Q, 4 * Q, 72, 96), Note(4 * Q, 5 * Q, 74)]  # bar 1 ends at 5Q
    melody += [Note(5 * Q, 8 * Q, 76)]  # ending 1 (3/4 from 5Q)
    melody += [Note(8 * Q, 9 * Q + Q // 2, 77), Note(9 * Q + Q // 2, 11 * Q, 79)]  # ending 2
    bass = [Note(Q, 3 * Q, 43, 70), Note(3 * Q, 5 * Q, 50, 70), Note(5 * Q, 8 * Q, 45, 70),
            Note(8 * Q, 11 * Q, 43, 70)]
    return Score(
        title="Test Reel",
        tracks=(Track("Melody", tuple(melody), "melody", 73),
                Track("Bass", tuple(bass), "bass", 32)),
        chords=(ChordSymbol(Q, "G"), ChordSymbol(3 * Q, "D7"), ChordSymbol(5 * Q, "Em"),
                ChordSymbol(8 * Q, "D/f+")),
        meters=(MeterChange(0, 4, 4), MeterChange(5 * Q, 3, 4)),
        keys=(KeyChange(0, "G"), KeyChange(5 * Q, "A", "dorian")),
        tempos=(TempoChange(0, 112.0), TempoChange(5 * Q, 96.5)),
        barlines=(Barline(Q, "|:"), Barline(5 * Q), Barline(8 * Q, ":|"), Barline(11 * Q, "|]")),
        voltas=(Volta(5 * Q, 8 * Q, (1,)), Volta(8 * Q, 11 * Q, (2,))),
        parts=(PartMark(Q, "A"),),
        metadata=(("R", "reel"), ("S", "the tests")),
    )


def test_round_trip_keeps_everything_of_the_expanded_score():
    score = two_track_tune()
    back = read_midi_bytes(midi_bytes(score))
    want = expand_repeats(score)
    assert [t.notes for t in back.tracks] == [t.notes for t in want.tracks]
    assert [(t.name, t.role, t.program, t.is_drum) for t in back.tracks] == [
        ("Melody", "melody", 73, False), ("Bass", "bass", 32, False)]
    assert back.chords == want.chords
    assert back.meters == want.meters and back.keys == want.keys
    assert [(t.tick, t.qpm) for t in back.tempos] == [(t.tick, t.qpm) for t in want.tempos]
    assert back.barlines == want.barlines and back.pickup_ticks == Q
    assert back.title == "Test Reel" and back.metadata == score.metadata
    assert back.parts == want.parts
    assert back.length == want.length
    # the repeat with two endings was written out: 1 + 4 + 3 (first ending) + 4 + 3
    assert len(back.tracks[0].notes) == 1 + 2 * 5 + 1 + 2


def test_chord_symbols_sound_in_a_chords_track():
    midi = score_to_midi_file(two_track_tune())
    names = [next((m.name for m in t if m.type == "track_name"), "") for t in midi.tracks]
    assert names[-1] == CHORD_TRACK_NAME
    chord_track = midi.tracks[-1]
    assert [m.text for m in chord_track if m.type == "text"][:2] == ["G", "D7"]
    assert sum(1 for m in chord_track if m.type == "note_on") >= 3 * 4
    pm = score_to_pretty_midi(two_track_tune())
    assert len(pm.instruments) == 3
    assert pm.instruments[0].program == 73
    # 112 qpm: the pickup quarter lasts 60/112 s
    assert pm.instruments[0].notes[0].end == pytest.approx(60 / 112, abs=1e-3)


def test_foreign_file_at_another_resolution(tmp_path):
    """A Nottingham-like file: 1024 ticks per beat, unnamed melody and chord tracks,
    no tempo, a pickup padded to a full bar, triplets rounded."""
    mid = mido.MidiFile(type=1, ticks_per_beat=1024)
    tracks = [mido.MidiTrack(), mido.MidiTrack()]
    for t in tracks:
        t.append(mido.MetaMessage("track_name", name=""))
        t.append(mido.MetaMessage("key_signature", key="Em"))
        t.append(mido.MetaMessage("time_signature", numerator=6, denominator=8))
    events = [(2560, 71, 512), (3072, 76, 341), (3413, 78, 341), (3754, 79, 342)]
    now = 0
    for start, pitch, length in events:
        tracks[0].append(mido.Message("note_on", note=pitch, velocity=90, time=start - now))
        tracks[0].append(mido.Message("note_off", note=pitch, velocity=0, time=length))
        now = start + length
    tracks[1].append(mido.Message("note_on", note=40, velocity=90, time=3072))
    for p in (43, 47):
        tracks[1].append(mido.Message("note_on", note=p, velocity=90, time=0))
    for i, p in enumerate((40, 43, 47)):
        tracks[1].append(mido.Message("note_off", note=p, velocity=0, time=3072 if i == 0 else 0))
    mid.tracks.extend(tracks)
    path = tmp_path / "jigs10.mid"
    mid.save(path)
    score = read_score(path)
    melody, chords = score.tracks
    assert (melody.role, chords.role) == ("melody", "accompaniment")
    assert (melody.name, chords.name) == ("Melody", "Accompaniment")
    assert [(n.start, n.end, n.pitch) for n in melody.notes] == [
        (1200, 1440, 71), (1440, 1600, 76), (1600, 1760, 78), (1760, 1920, 79)]
    assert [(n.start, n.end) for n in chords.notes] == [(1440, 2880)] * 3
    assert score.keys == (KeyChange(0, "E", "minor"),)
    assert score.meters == (MeterChange(0, 6, 8),)
    assert score.tempos == (TempoChange(0, 120.0),)


def test_type0_file_is_split_by_channel_and_drums_are_found():
    mid = mido.MidiFile(type=0, ticks_per_beat=96)
    t = mido.MidiTrack()
    t.append(mido.MetaMessage("track_name", name="Band"))
    t.append(mido.MetaMessage("set_tempo", tempo=500000 * 2))  # 60 qpm
    t.append(mido.Message("program_change", channel=1, program=33))
    t.append(mido.Message("note_on", channel=0, note=72, velocity=100, time=0))
    t.append(mido.Message("note_on", channel=1, note=36, velocity=100, time=0))
    t.append(mido.Message("note_on", channel=9, note=42, velocity=100, time=0))
    t.append(mido.Message("note_off", channel=9, note=42, time=24))
    t.append(mido.Message("note_off", channel=0, note=72, time=72))
    t.append(mido.Message("note_off", channel=1, note=36, time=0))
    mid.tracks.append(t)
    buf = io.BytesIO()
    mid.save(file=buf)
    score = read_midi_bytes(buf.getvalue())
    got = {t.name: (t.role, t.program, t.is_drum, [(n.start, n.end, n.pitch) for n in t.notes])
           for t in score.tracks}
    assert got == {
        "Band ch 1": ("melody", 0, False, [(0, 480, 72)]),
        "Band ch 2": ("bass", 33, False, [(0, 480, 36)]),
        "Band ch 10": ("drums", 0, True, [(0, 120, 42)]),
    }
    assert score.tempos == (TempoChange(0, 60.0),)


def test_overlapping_same_pitch_notes():
    """A re-strike ends the sounding note; stray note-offs are ignored; a note still
    open at the end of the track ends there; zero-length notes are dropped."""
    mid = mido.MidiFile(ticks_per_beat=Q)
    t = mido.MidiTrack()
    t.append(mido.Message("note_on", note=60, velocity=80, time=0))
    t.append(mido.Message("note_on", note=60, velocity=90, time=240))  # re-strike
    t.append(mido.Message("note_off", note=60, time=240))
    t.append(mido.Message("note_off", note=60, time=0))  # stray
    t.append(mido.Message("note_on", note=62, velocity=80, time=0))
    t.append(mido.Message("note_off", note=62, time=0))  # zero length
    t.append(mido.Message("note_on", note=64, velocity=80, time=0))
    t.append(mido.MetaMessage("end_of_track", time=480))
    mid.tracks.append(t)
    buf = io.BytesIO()
    mid.save(file=buf)
    notes = read_midi_bytes(buf.getvalue()).tracks[0].notes
    assert [(n.start, n.end, n.pitch, n.velocity) for n in notes] == [
        (0, 240, 60, 80), (240, 480, 60, 90), (480, 960, 64, 80)]


def test_writer_cuts_overlapping_same_pitch_notes_so_both_survive():
    notes = (Note(0, 960, 60), Note(480, 1440, 60), Note(0, 480, 64))
    back = read_midi_bytes(midi_bytes(Score(tracks=(Track("m", notes),))))
    assert [(n.start, n.end, n.pitch) for n in back.tracks[0].notes] == [
        (0, 480, 60), (0, 480, 64), (480, 1440, 60)]


def test_non_ascii_names_and_modes_survive(tmp_path):
    score = Score(title="Ça ira 曲", tracks=(Track("Flûte 笛", (Note(0, Q, 62),), "melody", 73),),
                  keys=(KeyChange(0, "E", "mixolydian"),))
    path = tmp_path / "x.mid"
    write_score(score, path)
    back = read_midi(path)
    assert back.title == "Ça ira 曲" and back.tracks[0].name == "Flûte 笛"
    assert back.keys == (KeyChange(0, "E", "mixolydian"),)


def test_chords_only_score_reads_back():
    score = Score(chords=(ChordSymbol(0, "G"), ChordSymbol(960, "C")), end_tick=1920)
    back = read_midi_bytes(midi_bytes(score))
    assert back.chords == score.chords and back.tracks == ()


def valid_bytes() -> bytes:
    return midi_bytes(two_track_tune())


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"X:1\nT:not midi\nK:G\nGABc|\n", "not a MIDI file"),
        (b"\x00" * 100, "not a MIDI file"),
        (b"MThd", "truncated"),
        (valid_bytes()[:60], "truncated"),
        (valid_bytes()[: len(valid_bytes()) // 2], "truncated"),
        (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x00\x00MTrk\x00\x00\x00\x04\x00\xff\x2f\x00",
         "0 ticks per beat"),
        (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00",
         "no notes"),
    ],
)
def test_bad_files_give_plain_errors(data, words):
    with pytest.raises(MidiReadError) as err:
        read_midi_bytes(data, source="bad.mid")
    message = str(err.value)
    assert message.startswith("bad.mid: ") and words in message
    assert "\n" not in message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MidiReadError, match="no such file"):
        read_midi(tmp_path / "nope.mid")
    with pytest.raises(MidiReadError, match="folder"):
        read_midi(tmp_path)


def test_smpte_and_rmid_files_are_read():
    mid = mido.MidiFile(ticks_per_beat=Q)
    t = mido.MidiTrack([mido.Message("note_on", note=60, velocity=80, time=0),
                        mido.Message("note_off", note=60, time=480)])
    mid.tracks.append(t)
    buf = io.BytesIO()
    mid.save(file=buf)
    data = bytearray(buf.getvalue())
    data[12:14] = bytes([256 - 25, 40])  # 25 fps x 40 ticks = 1000 ticks/s
    notes = read_midi_bytes(bytes(data)).tracks[0].notes
    assert (notes[0].start, notes[0].end) == (0, 461)  # 0.48 s at 120 qpm
    riff = b"RIFF" + (len(buf.getvalue()) + 12).to_bytes(4, "little") + b"RMIDdata" + \
        len(buf.getvalue()).to_bytes(4, "little") + buf.getvalue()
    assert read_midi_bytes(riff).tracks[0].notes[0].end == 480


def midi_notes(data: bytes) -> list[tuple[str, int, int, int, int, int]]:
    """Every note of a MIDI file, read with mido: (track name, channel, start, end,
    pitch, velocity), chord voicings included."""
    out = []
    for track in mido.MidiFile(file=io.BytesIO(data)).tracks:
        name, now, sounding = "", 0, {}
        for msg in track:
            now += msg.time
            if msg.type == "track_name":
                name = msg.name
            elif msg.type == "note_on" and msg.velocity > 0:
                sounding[(msg.channel, msg.note)] = (now, msg.velocity)
            elif msg.type in ("note_on", "note_off") and (msg.channel, msg.note) in sounding:
                start, velocity = sounding.pop((msg.channel, msg.note))
                out.append((name, msg.channel, start, now, msg.note, velocity))
    return sorted(out)


def header_of(abc: str) -> str:
    return abc.split("\nK:", 1)[0]


@pytest.mark.parametrize("x, played", [(1, 18), (2, 66), (3, 28)])
def test_abc_midi_abc_midi_keeps_every_note_of_a_tune_with_a_play_order(tmp_path, x, played):
    """The ABC read from MIDI is played out already: it carries no play order, so
    the second MIDI file holds the same notes (start, end, pitch and velocity), not
    the order applied a second time (issue 12: 142 notes became 71)."""
    a, b, c = tmp_path / "a.mid", tmp_path / "b.abc", tmp_path / "c.mid"
    tune = read_score(PLAY_ORDER, x=x)
    write_score(tune, a)
    write_score(read_score(a), b)
    write_score(read_score(b), c)
    first = midi_notes(a.read_bytes())
    assert sum(n[0] == "Melody" for n in first) == played
    assert midi_notes(c.read_bytes()) == first
    abc = b.read_text()
    assert not re.search(r"^[PY]:", header_of(abc), re.M)  # no P: order, no Y:
    assert "\nP:A\n" in abc  # the part labels stay, as plain labels
    again = read_score(b)
    assert again.title == tune.title
    assert [m for m in again.metadata if m[0] not in ("P", "Y")] == \
        [m for m in tune.metadata if m[0] not in ("P", "Y")]


def test_nottingham_y_field_is_played_once():
    """``Y:AAB`` (Nottingham's order) is played out into the MIDI file and not kept."""
    tune = split_tunes(PLAY_ORDER.read_text())[1]
    assert "\nY:AAB\n" in str(tune)
    score = read_abc(tune)
    back = read_midi_bytes(midi_bytes(score))
    assert ("Y", "AAB") in score.metadata and not any(k in ("P", "Y") for k, _ in back.metadata)
    assert ("S", "the tests, Nottingham style") in back.metadata
    assert [p.label for p in back.parts] == ["A"] * 4 + ["B"] * 2  # A twice, B once, repeated
    assert back.tracks[0].notes == expand_repeats(back).tracks[0].notes  # nothing left to play out


def test_file_that_kept_a_play_order_reads_without_it():
    """Files written before the fix kept the header order in the ``composer:`` event;
    the music in them is played out, so it is dropped when reading."""
    score = read_score(PLAY_ORDER, x=1)
    midi = score_to_midi_file(score)
    event = next(m for m in midi.tracks[0] if m.type == "text" and m.text.startswith(TEXT_TAG))
    data = json.loads(event.text[len(TEXT_TAG):])
    data["metadata"] += [["P", "AB"], ["Y", "AB"]]
    event.text = TEXT_TAG + json.dumps(data)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    back = read_midi_bytes(buffer.getvalue())
    assert back.metadata == (("S", "the tests"), ("R", "reel"))
    assert back.title == "Order Reel"
    assert len(back.tracks[0].notes) == 18
    assert back.tracks[0].notes == expand_repeats(back).tracks[0].notes


def test_chord_symbols_at_one_tick_keep_their_order():
    """``"Gm""Bb"`` on one note: both come back, in that order (the last one sounds)."""
    melody = (Note(0, 2 * Q, 67), Note(2 * Q, 4 * Q, 70))
    score = Score(tracks=(Track("Melody", melody, "melody"),),
                  chords=(ChordSymbol(0, "G"), ChordSymbol(2 * Q, "Gm"), ChordSymbol(2 * Q, "Bb")))
    back = read_midi_bytes(midi_bytes(score))
    assert [(c.start, c.text) for c in back.chords] == [(0, "G"), (2 * Q, "Gm"), (2 * Q, "Bb")]
    assert midi_notes(midi_bytes(back)) == midi_notes(midi_bytes(score))
