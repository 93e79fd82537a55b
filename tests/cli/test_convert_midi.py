"""``composer convert`` with MIDI on either side."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.cli.main import main
from composer.music.io import read_score
from composer.music.midi import midi_bytes
from composer.music.repeats import expand_repeats
from composer.music.score import Barline, ChordSymbol, KeyChange, MeterChange, Note, Score, Track

Q = 480
try:
    from composer.music.abc import read_abc, score_to_abc  # noqa: F401

    HAS_ABC = True
except ImportError:
    HAS_ABC = False


def tune() -> Score:
    melody = tuple(Note(i * Q // 2, (i + 1) * Q // 2, 62 + (i * 5) % 12) for i in range(12))
    return Score(title="Convert Me", tracks=(Track("Melody", melody, "melody", 73),),
                 chords=(ChordSymbol(0, "D"), ChordSymbol(3 * Q, "A7")),
                 meters=(MeterChange(0, 6, 8),), keys=(KeyChange(0, "D"),),
                 barlines=(Barline(3 * Q), Barline(6 * Q, ":|")))


def test_midi_to_midi_keeps_every_note(tmp_path, capsys):
    src, out = tmp_path / "in.mid", tmp_path / "out.midi"
    src.write_bytes(midi_bytes(tune()))
    assert main(["convert", str(src), str(out)]) == 0
    assert capsys.readouterr().err == ""
    back, want = read_score(out), expand_repeats(tune())
    assert back.tracks[0].notes == want.tracks[0].notes
    assert back.chords == want.chords and back.title == "Convert Me"


@pytest.mark.skipif(not HAS_ABC, reason="the ABC reader/writer has not landed yet")
def test_midi_to_abc_and_back(tmp_path):
    src, abc, again = tmp_path / "in.mid", tmp_path / "t.abc", tmp_path / "again.mid"
    src.write_bytes(midi_bytes(tune()))
    assert main(["convert", str(src), str(abc)]) == 0
    assert main(["convert", str(abc), str(again)]) == 0
    assert [(n.start, n.end, n.pitch) for n in read_score(again).tracks[0].notes] == \
        [(n.start, n.end, n.pitch) for n in expand_repeats(tune()).tracks[0].notes]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a MIDI file"),
        (None, "truncated"),
    ],
)
def test_bad_midi_gives_one_line_and_no_output(tmp_path, capsys, data, words):
    src, out = tmp_path / "bad.mid", tmp_path / "out.mid"
    src.write_bytes(midi_bytes(tune())[:50] if data is None else data)
    assert main(["convert", str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("composer convert: bad.mid: ") and words in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_abc_midi_abc_midi_with_a_play_order(tmp_path):
    """Issue 12: a tune with P:AB, ABC -> MIDI -> ABC -> MIDI lost half its notes
    (the ABC from MIDI kept P:AB above parts already played out)."""
    src = Path(__file__).parents[1] / "fixtures" / "play_order.abc"
    a, b, c = tmp_path / "a.mid", tmp_path / "b.abc", tmp_path / "c.mid"
    assert main(["convert", str(src), str(a), "--tune", "1"]) == 0
    assert main(["convert", str(a), str(b)]) == 0
    assert main(["convert", str(b), str(c)]) == 0
    first, again = read_score(a), read_score(c)
    assert len(first.tracks[0].notes) == 18
    assert [t.notes for t in again.tracks] == [t.notes for t in first.tracks]
    assert again.chords == first.chords and again.title == "Order Reel"
    assert "P:AB" not in b.read_text()
