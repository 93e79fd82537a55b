"""MusicXML import through music21: a hand-written file, a file music21 writes from our
ABC, and every kind of bad file."""

from __future__ import annotations

import pytest

from composer.music.abc import read_abc, score_to_abc
from composer.music.errors import MusicXmlError
from composer.music.io import read_score
from composer.music.m21 import parse_with_music21
from composer.music.musicxml import read_musicxml
from composer.music.score import Barline, ChordSymbol, KeyChange, MeterChange, Volta
from tests.conftest import FIXTURES

LITTLE = FIXTURES / "little.musicxml"


def test_hand_written_file():
    s = read_musicxml(LITTLE)
    assert s.title == "Little Test"
    fiddle, bass = s.tracks
    assert (fiddle.name, fiddle.role, fiddle.program) == ("Fiddle", "melody", 40)
    assert (bass.name, bass.role) == ("Bass", "bass")
    # pickup, triplet, a tie over the bar line merged, a rest, a key change (B flat)
    assert [(n.start, n.end, n.pitch) for n in fiddle.notes] == [
        (0, 480, 74), (480, 960, 67), (960, 1120, 69), (1120, 1280, 71), (1280, 1440, 72),
        (1440, 2400, 74), (2400, 2880, 78), (3360, 4800, 70)]
    assert [(n.start, n.end, n.pitch) for n in bass.notes] == [
        (480, 1920, 43), (1920, 3360, 50), (3360, 4800, 43)]
    assert s.chords == (ChordSymbol(480, "G"), ChordSymbol(1920, "D7"),
                        ChordSymbol(3360, "Gm"))
    assert s.meters == (MeterChange(0, 3, 4),)
    assert s.keys == (KeyChange(0, "G"), KeyChange(3360, "F"))
    assert s.tempos[0].qpm == 90
    assert s.barlines == (Barline(480, "|:"), Barline(1920, "|"), Barline(3360, ":|"),
                          Barline(4800, "|]"))
    assert s.voltas == (Volta(1920, 3360, (1,)), Volta(3360, 4800, (2,)))
    assert s.pickup_ticks == 480


def test_read_score_dispatches_by_extension(tmp_path):
    copy = tmp_path / "little.xml"
    copy.write_bytes(LITTLE.read_bytes())
    assert read_score(copy).notes == read_musicxml(LITTLE).notes


def test_musicxml_written_by_music21_from_our_abc(tmp_path):
    ours = read_abc((FIXTURES / "tricky.abc").read_text(), x=5)
    stream = parse_with_music21(score_to_abc(ours), "abc")
    out = tmp_path / "two-voices.musicxml"
    stream.write("musicxml", fp=str(out))
    back = read_musicxml(out)
    assert [[(n.start, n.end, n.pitch) for n in t.notes] for t in back.tracks] == [
        [(n.start, n.end, n.pitch) for n in t.notes] for t in ours.tracks]
    assert [c.text for c in back.chords] == [c.text for c in ours.chords]


def test_compressed_mxl(tmp_path):
    import zipfile

    mxl = tmp_path / "little.mxl"
    with zipfile.ZipFile(mxl, "w") as z:
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><container><rootfiles>'
                   '<rootfile full-path="little.musicxml"/></rootfiles></container>')
        z.writestr("little.musicxml", LITTLE.read_bytes())
    assert read_musicxml(mxl).notes == read_musicxml(LITTLE).notes


@pytest.mark.parametrize("name,data,words", [
    ("empty.musicxml", b"", "empty"),
    ("junk.musicxml", bytes(range(256)), "not a MusicXML file"),
    ("page.xml", b"<html><body>hello</body></html>", "no <score-partwise>"),
    ("cut.musicxml", LITTLE.read_bytes()[:1500], "not a MusicXML file music21 can read"),
    ("bad.mxl", b"PK\x03\x04 not really a zip", "not a compressed MusicXML"),
    ("rests.musicxml", LITTLE.read_bytes().replace(b"<pitch>", b"<rest/><!--").replace(
        b"</pitch>", b"-->"), "no notes"),
])
def test_bad_files(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(MusicXmlError, match=words) as info:
        read_musicxml(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(MusicXmlError, match="no such file"):
        read_musicxml(tmp_path / "nope.musicxml")
    with pytest.raises(MusicXmlError, match="is a folder"):
        read_musicxml(tmp_path)
