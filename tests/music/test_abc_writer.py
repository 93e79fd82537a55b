"""Our ABC writer: golden files, and the rules it must follow.

Golden files live in ``tests/fixtures/golden/``; after a deliberate change of the
writer's output, regenerate them with ``UPDATE_GOLDEN=1 pytest tests/music/test_abc_writer.py``
and review the diff.
"""

from __future__ import annotations

import os

import pytest

from composer.music.abc import read_abc, score_to_abc
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
from tests.conftest import FIXTURES

Q = 480
E = Q // 2
GOLDEN = FIXTURES / "golden"


def body(text: str) -> str:
    """The lines after ``K:``."""
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("K:"))
    return "\n".join(lines[k + 1:])


def melody(*notes, **kw) -> Score:
    return Score(title="t", tracks=(Track("Melody", tuple(Note(*n) for n in notes)),), **kw)


@pytest.mark.parametrize("x", range(1, 7))
def test_golden_files(x):
    text = (FIXTURES / "tricky.abc").read_text()
    out = score_to_abc(read_abc(text, x=x), x=x)
    path = GOLDEN / f"tricky-{x}.abc"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(out)
    assert out == path.read_text()


def test_golden_two_tracks_from_code():
    s = Score(
        title="From Code",
        tracks=(
            Track("Melody", (Note(0, 320, 72), Note(320, 640, 74), Note(640, 960, 76),
                             Note(960, 1920, 79), Note(1920, 3360, 77), Note(3360, 3840, 76))),
            Track("Piano", (Note(0, 1920, 48), Note(0, 1920, 52), Note(0, 1920, 55),
                            Note(1920, 3840, 50), Note(1920, 3840, 53), Note(1920, 3840, 57)),
                  role="accompaniment", program=1),
        ),
        chords=(ChordSymbol(0, "C"), ChordSymbol(1920, "Dm")),
        tempos=(TempoChange(0, 88.0),),
        metadata=(("C", "Someone"), ("composer-note", "made in a test")),
    )
    out = score_to_abc(s, x=7)
    path = GOLDEN / "two-tracks.abc"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out)
    assert out == path.read_text()


def test_header_fields():
    out = score_to_abc(melody((0, E, 67), meters=(MeterChange(0, 6, 8),),
                              keys=(KeyChange(0, "E", "dorian"),),
                              tempos=(TempoChange(0, 132.4),),
                              metadata=(("S", "a source"), ("R", "jig"))), x=12)
    assert out.splitlines()[:8] == ["X:12", "T:t", "S:a source", "R:jig", "M:6/8", "L:1/8",
                                   "Q:1/4=132", "K:Edor"]


def test_accidentals_follow_the_bar_rule_and_read_the_same_everywhere():
    # G major: F natural then F sharp in one bar; F sharp again in the next bar
    s = melody((0, E, 77), (E, 2 * E, 78), (2 * E, 3 * E, 66), (3 * E, 4 * E, 65),
               (4 * E, 8 * E, 78), (8 * E, 16 * E, 78), keys=(KeyChange(0, "G"),))
    assert body(score_to_abc(s)) == "=f^f ^F=F ^f4|f8|]"


def test_ties_across_bar_lines_and_long_notes():
    # a note from the last beat of bar 1 through bar 2 and half of bar 3
    s = melody((0, 6 * E, 60), (6 * E, 20 * E, 62), (20 * E, 24 * E, 64))
    assert body(score_to_abc(s)) == "C3 D-|D4-|D2 E2|]"  # L:1/4


def test_five_eighths_in_six_eight_split_at_the_beat():
    s = melody((0, 5 * E, 64), (5 * E, 6 * E, 62), meters=(MeterChange(0, 6, 8),))
    assert body(score_to_abc(s)) == "E3-E2D|]"


def test_chord_symbol_inside_a_note_splits_it_with_a_tie():
    s = melody((0, 8 * E, 67), chords=(ChordSymbol(0, "G"), ChordSymbol(4 * E, "D7")))
    out = score_to_abc(s)
    assert body(out) == '"G"G4- "D7"G4|]'
    back = read_abc(out)
    assert back.notes == s.notes and back.chords == s.chords


def test_chord_symbol_on_a_rest():
    s = melody((0, 2 * E, 67), chords=(ChordSymbol(4 * E, "Am"),))
    assert body(score_to_abc(s)) == 'G z "Am"z2|]'  # L:1/4


def test_tuplets():
    s = melody((0, 160, 60), (160, 320, 62), (320, 480, 64), (480, 800, 65), (800, 960, 67),
               (960, 1920, 69))
    # "(3F2G" would take the next note into the triplet: two notes say so
    assert body(score_to_abc(s)) == "(3CDE (3:2:2F2G A4|]"


def test_unit_length_is_chosen_per_tune():
    sixteenths = melody(*[(i * 120, (i + 1) * 120, 60 + i) for i in range(16)])
    assert "L:1/16" in score_to_abc(sixteenths)
    quarters = melody(*[(i * Q, (i + 1) * Q, 60 + i) for i in range(4)])
    assert "L:1/4" in score_to_abc(quarters)
    mixed = melody((0, Q, 60), (Q, Q + E, 62), (Q + E, 2 * Q, 64))
    assert "L:1/8" in score_to_abc(mixed)


def test_four_bars_a_line_and_the_pickup_on_the_first():
    scale = [60, 62, 64, 65, 67, 69, 71, 72, 74]
    notes = [(0, E, 55)] + [(E + i * 8 * E, E + (i + 1) * 8 * E, p) for i, p in enumerate(scale)]
    s = melody(*notes, barlines=tuple(Barline(E + i * 8 * E) for i in range(10)))
    lines = body(score_to_abc(s)).splitlines()
    assert lines == ["G,|C8|D8|E8|F8|", "G8|A8|B8|c8|", "d8|"]


def test_mid_tune_changes_parts_and_endings():
    bar = 8 * E
    s = melody(*[(i * bar, (i + 1) * bar, 67) for i in range(6)],
               barlines=(Barline(0, "|:"), Barline(bar), Barline(2 * bar, ":|"),
                         Barline(3 * bar, "||"), Barline(4 * bar), Barline(5 * bar),
                         Barline(6 * bar, "|]")),
               voltas=(Volta(bar, 2 * bar, (1,)), Volta(2 * bar, 3 * bar, (2,))),
               parts=(PartMark(0, "A"), PartMark(3 * bar, "B")),
               keys=(KeyChange(0, "G"), KeyChange(3 * bar, "F")),
               meters=(MeterChange(0, 4, 4), MeterChange(5 * bar, 2, 2)))
    assert body(score_to_abc(s)) == (
        "P:A\n|:G8|[1G8:|[2G8||\nP:B\nK:F\nG8|G8|\nM:2/2\nG8|]")


def test_two_tracks_are_two_voice_blocks_with_abc_chords():
    s = Score(tracks=(Track("Tune", (Note(0, 1920, 72),)),
                      Track("Chords", (Note(0, 1920, 48), Note(0, 1920, 52), Note(0, 1920, 55)),
                            role="accompaniment", program=24)))
    lines = body(score_to_abc(s)).splitlines()
    assert lines == ['V:1 name="Tune"', "c8|]", 'V:2 name="Chords" clef=bass',
                     "%%MIDI program 24", "[C,E,G,]8|]"]


def test_overlapping_notes_in_one_track_become_tied_chords():
    s = melody((0, 4 * E, 60), (2 * E, 6 * E, 64), (6 * E, 8 * E, 67))
    out = score_to_abc(s)
    assert body(out) == "C- [CE-] E G|]"  # L:1/4
    assert read_abc(out).notes == s.notes


def test_off_grid_notes_are_rounded_to_a_64th():
    s = melody((7, 470, 60), (470, 963, 62))
    back = read_abc(score_to_abc(s))
    assert [(n.start, n.end) for n in back.notes] == [(0, 480), (480, 960)]


def test_empty_score_still_writes_a_bar():
    assert body(score_to_abc(Score())) == "z8|]"


def test_a_triplet_of_128th_notes_is_written_exactly_not_rounded():
    # What a model once wrote in L:1/16: the bar used to be rounded to 1/64 notes,
    # turning three triplets into dotted pairs and dropping notes.
    text = "X:1\nM:6/8\nL:1/16\nK:D\ne2fe(3dcB AB(3GE^D EF/4G/4f/4(3a/8g/8f/8|\n"
    s = read_abc(text)
    back = read_abc(score_to_abc(s))
    assert [(n.start, n.end, n.pitch) for n in back.tracks[0].notes] == [
        (n.start, n.end, n.pitch) for n in s.tracks[0].notes]


def test_nottingham_style_halves_and_spacing():
    s = read_abc("X:1\nM:4/4\nL:1/4\nK:G\nG/2A/2B/2c/2 d/2e/2f/2g/2|(3a/2g/2f/2 e d c|\n")
    default = score_to_abc(s, unit=480)
    assert "G/A/ B/c/ d/e/ f/g/|" in default
    styled = score_to_abc(s, unit=480, short_halves=False, spacing=lambda m: m.bar_ticks // 2)
    assert "G/2A/2B/2c/2 d/2e/2f/2g/2|(3a/2g/2f/2e dc|" in styled
    assert [(n.start, n.end) for n in read_abc(styled).tracks[0].notes] == [
        (n.start, n.end) for n in s.tracks[0].notes]
