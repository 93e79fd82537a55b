"""The ABC reader: exact ticks, pitches and structure for what folk ABC writes."""

from __future__ import annotations

import pytest

from composer.music.abc import list_tunes, parse_abc, read_abc, split_tunes
from composer.music.errors import TuneNotFoundError
from composer.music.score import Barline, ChordSymbol, KeyChange, MeterChange, PartMark, Volta
from tests.conftest import FIXTURES

Q = 480  # ticks per quarter
E = Q // 2  # an eighth


def tune(body: str, header: str = "M:4/4\nL:1/8\nK:C") -> str:
    return f"X:1\nT:t\n{header}\n{body}\n"


def notes(score):
    return [(n.start, n.end, n.pitch) for n in score.notes]


@pytest.fixture(scope="module")
def tricky():
    return (FIXTURES / "tricky.abc").read_text()


# --- pitches --------------------------------------------------------------------------
def test_octaves_and_key_signature():
    s = read_abc(tune("C, C c c' F f", "L:1/4\nK:G"))
    assert [n.pitch for n in s.notes] == [48, 60, 72, 84, 66, 78]


def test_accidentals_last_to_the_bar_line_in_their_octave():
    s = read_abc(tune("^c c C =c c | c"))
    # ^c carries to c in the bar, not to C (another octave); =c cancels; the bar line resets
    assert [n.pitch for n in sorted(s.notes, key=lambda n: n.start)] == [73, 73, 60, 72, 72, 72]


def test_tie_carries_the_accidental_over_the_bar_line():
    s = read_abc(tune("z6 ^c2-|c2 c2 z4|"))
    assert notes(s)[:2] == [(6 * E, 10 * E, 73), (10 * E, 12 * E, 72)]


def test_modes_and_explicit_key_accidentals():
    assert read_abc(tune("F", "L:1/4\nK:Ador")).keys[0] == KeyChange(0, "A", "dorian")
    assert read_abc(tune("f", "L:1/4\nK:Em")).notes[0].pitch == 78
    assert read_abc(tune("c", "L:1/4\nK:D mix")).notes[0].pitch == 72
    assert read_abc(tune("g", "L:1/4\nK:D ^g")).notes[0].pitch == 80


def test_propagation_directive():
    s = read_abc(tune("^c C|", "%%propagate-accidentals pitch\nM:4/4\nL:1/8\nK:C"))
    assert [n.pitch for n in s.notes] == [73, 61]


# --- time -----------------------------------------------------------------------------
def test_lengths_relative_to_unit():
    s = read_abc(tune("A A2 A/2 A/ A// A3/2 A3/", "L:1/4\nK:C"))
    assert [n.duration for n in s.notes] == [Q, 2 * Q, Q // 2, Q // 2, Q // 4, 3 * Q // 2,
                                             3 * Q // 2]


def test_default_unit_length_follows_the_meter():
    assert read_abc(tune("A", "M:2/4\nK:C")).notes[0].duration == Q // 4
    assert read_abc(tune("A", "M:6/8\nK:C")).notes[0].duration == E


def test_triplets_are_exact():
    s = read_abc(tune("(3ABc d2 (3:2:2A2B z2|"))
    assert [(n.start, n.end) for n in s.notes] == [
        (0, 160), (160, 320), (320, 480), (480, 960), (960, 1280), (1280, 1440)]


def test_quintuplet_in_compound_meter_uses_three():
    s = read_abc(tune("(5ABcde|", "M:6/8\nL:1/8\nK:C"))
    assert [n.duration for n in s.notes] == [E * 3 // 5] * 5


def test_broken_rhythm():
    s = read_abc(tune("A>B c<d A>>B|"))
    assert [n.duration for n in s.notes] == [360, 120, 120, 360, 420, 60]


def test_ties_merge_including_after_a_space_and_across_bars():
    s = read_abc(tune("A2-A2 G3 -G3|-G8|", "M:5/4\nL:1/8\nK:C"))
    # the "-" at the start of bar 2 ties to the G before the bar line
    assert notes(s) == [(0, 4 * E, 69), (4 * E, 18 * E, 67)]


def test_tie_into_another_pitch_is_no_tie():
    assert notes(read_abc(tune("B-c|"))) == [(0, E, 71), (E, 2 * E, 72)]


def test_chords_and_per_note_ties():
    s = read_abc(tune("[CEG]2 [C-E]2 [CF]2 [c3e3]-[ce]|"))
    assert sorted(notes(s)) == sorted([
        (0, 2 * E, 60), (0, 2 * E, 64), (0, 2 * E, 67),
        (2 * E, 6 * E, 60), (2 * E, 4 * E, 64), (4 * E, 6 * E, 65),
        (6 * E, 10 * E, 72), (6 * E, 10 * E, 76)])


def test_grace_notes_decorations_and_slurs_take_no_time():
    s = read_abc(tune("{g}A ~B !trill!c +fermata+d (ef) .g Ha|"))
    assert [n.start for n in s.notes] == [i * E for i in range(8)]
    assert len(s.notes) == 8


def test_multi_measure_rest():
    s = read_abc(tune("A8|Z2|A8|"))
    assert [n.start for n in s.notes] == [0, 3 * 8 * E]
    assert [b.tick for b in s.barlines] == [8 * E, 16 * E, 24 * E, 32 * E]


# --- structure ------------------------------------------------------------------------
def test_pickup_is_a_short_first_bar(tricky):
    s = read_abc(tricky, x=1)
    assert s.pickup_ticks == E
    assert s.bars()[0] == (0, E)
    assert s.barlines[0] == Barline(E, "|")


def test_chord_symbols_are_kept_exactly(tricky):
    s = read_abc(tricky, x=1)
    texts = [c.text for c in s.chords]
    for t in ("D/f+", "(E7)", "Gd", "D7"):
        assert t in texts
    # two symbols on one note both stay, at the same tick
    last = [c for c in s.chords if c.start == s.chords[-1].start]
    assert sorted(c.text for c in last) == ["Em", "G"]
    s2 = read_abc(tune('" Em"A "^annotation"B "From the top"c|'))
    assert s2.chords == (ChordSymbol(0, " Em"), ChordSymbol(2 * E, "From the top"))


def test_nottingham_second_meter_and_mid_tune_changes(tricky):
    s = read_abc(tricky, x=2)
    b = 5 * 2 * Q  # part A: five bars of 2/4
    assert s.meters == (MeterChange(0, 2, 4), MeterChange(b, 3, 4),
                        MeterChange(b + 3 * 3 * Q, 2, 4))
    assert [(k.tick, str(k)) for k in s.keys] == [(0, "D"), (b, "Bb"),
                                                 (b + 2 * 3 * Q, "Bb minor")]
    assert s.parts == (PartMark(0, "A"), PartMark(b, "B"))
    assert s.tempos[0].qpm == 100
    assert ("C", "Composer tests") in s.metadata and ("Y", "AB") in s.metadata
    assert ("O", "Nowhere") in s.metadata
    assert s.title == "Changes of Key and Meter"
    # the "\\" continuation joins lines without changing the music
    assert len(s.bars()) == 9


def test_repeats_and_endings(tricky):
    s = read_abc(tricky, x=4)
    bar = 4 * E
    kinds = {b.tick: b.kind for b in s.barlines}
    assert kinds[0] == "|:"
    assert kinds[3 * bar] == ":|" and kinds[4 * bar] == "||"
    assert kinds[6 * bar] == ":|:"
    assert s.voltas == (Volta(2 * bar, 3 * bar, (1,)), Volta(3 * bar, 4 * bar, (2,)),
                        Volta(7 * bar, 8 * bar, (1,)), Volta(8 * bar, 9 * bar, (2,)))
    assert s.has_repeats


def test_two_voices_are_two_tracks(tricky):
    s = read_abc(tricky, x=5)
    assert [(t.name, t.role) for t in s.tracks] == [("Tune", "melody"), ("Bass", "bass")]
    assert [n.pitch for n in s.tracks[1].notes] == [48, 43, 43, 48]
    assert len(s.tracks[0].notes) == 3 + 3 + 1 + 1


def test_voice_program_and_drums():
    s = read_abc(tune("%%MIDI program 73\nA8|", "M:4/4\nL:1/8\nK:C"))
    assert s.tracks[0].program == 73
    d = read_abc(tune("V:1\n%%MIDI channel 10\nC8|"))
    assert d.tracks[0].is_drum and d.tracks[0].role == "drums"


def test_trailing_rest_sets_the_end():
    s = read_abc(tune("A2 z6"))
    assert s.length == 8 * E


# --- tunes in a file ------------------------------------------------------------------
def test_split_tunes_keeps_offsets_and_lines(tricky):
    tunes = split_tunes(tricky)
    assert [t.x for t in tunes] == [1, 2, 3, 4, 5, 6]
    assert all(tricky[t.offset:].startswith(str(t)) for t in tunes)
    assert [t.line for t in tunes] == [4, 14, 33, 40, 48, 58]
    assert tunes[1].line_offset == 13 and isinstance(tunes[1], str)


def test_pick_by_x_or_index(tricky):
    assert read_abc(tricky, x=4).title == "Repeats and Endings"
    assert read_abc(tricky, index=3).title == "Repeats and Endings"
    assert read_abc(tricky).title == "Pickup, Triplets and Ties"
    with pytest.raises(TuneNotFoundError, match="X:9.*1, 2, 3, 4, 5, 6"):
        read_abc(tricky, x=9)
    with pytest.raises(TuneNotFoundError, match="no tune number 7.*6 tunes"):
        read_abc(tricky, index=6)


def test_list_tunes(tricky):
    infos = list_tunes(tricky)
    assert [i.as_dict()["bars"] for i in infos] == [9, 9, 4, 9, 3, 3]
    assert infos[3].as_dict() == {
        "index": 4, "x": 4, "title": "Repeats and Endings", "meter": "2/4",
        "key": "A minor", "bars": 9, "line": 40, "error": None}


def test_list_tunes_reports_a_broken_tune_without_failing(tricky):
    broken = tricky.replace('"Am"A2 cA|', '"Am"A2 cA#|')
    infos = list_tunes(broken)
    assert infos[3].bars is None and infos[3].error.startswith("45:12: sharps are written ^")
    assert infos[3].title == "Repeats and Endings"
    assert all(i.error is None for i in infos if i.index != 4)


def test_a_tune_without_x_is_read():
    s = read_abc("K:G\nGABc dedB|")
    assert len(s.notes) == 8


def test_file_header_fields_are_defaults():
    text = "L:1/4\n\nX:1\nT:a\nK:C\nA B|\n\nX:2\nT:b\nL:1/8\nK:C\nA B|\n"
    assert read_abc(text, x=1).notes[0].duration == Q
    assert read_abc(text, x=2).notes[0].duration == E


def test_parse_gives_score_map_and_tune(tricky):
    parsed = parse_abc(tricky, x=3)
    assert parsed.tune.x == 3 and parsed.tune.line == 33
    assert parsed.score == read_abc(tricky, x=3)
    assert parsed.time_map.tune_start == parsed.tune.offset


# --- lengths that are not whole ticks (issue 12) ------------------------------------------
def test_a_length_off_the_ticks_is_rounded_with_a_warning_at_its_place():
    text = tune("A4 a/16 b/16 c3 d4 e4|", "M:4/4\nL:1/16\nK:C")  # the body is line 6
    parsed = parse_abc(text, source="t.abc")
    # 1/256 of a whole note is 7.5 ticks: rounded (the score stays whole ticks)
    assert [(n.start, n.end) for n in parsed.score.notes][1:3] == [(480, 488), (488, 495)]
    a, b = parsed.warnings
    assert (a.line, a.column, a.length, a.source) == (6, 4, 4, "t.abc")
    assert (b.line, b.column, b.length) == (6, 9, 4)
    assert a.reason == (
        "a/16 lasts 7.5 ticks (1/256 of a whole note) at L:1/16, shorter than the shortest "
        "note Composer keeps exactly (1/128 of a whole note, 15 ticks); it is rounded to 8 "
        "ticks: write a/8 or change L:")
    assert "rounded to 7 ticks: write b/8 or change L:" in b.reason
    assert str(a) == f"t.abc:6:4: {a.reason}"
    assert read_abc(text) == parsed.score  # read_abc is unchanged


@pytest.mark.parametrize("body,header,place,words", [
    ("A2 z/16 A/16 B12|", "L:1/16\nK:C", (5, 4, 4), "z/16 lasts 7.5 ticks"),
    ("A2 [ce]/16 z/16 B12|", "L:1/16\nK:C", (5, 4, 7), "write [ce]/8 or change L:"),
    ("A a/32 z/32 B6|", "K:C", (4, 3, 4), "at the default L:1/8 (the tune has no L: line)"),
    ("A a/8>b/8 B3|", "L:1/16\nK:C", (5, 3, 3), "a/8 lasts 22.5 ticks (3/256 of a whole "
     "note) at L:1/16 after a broken rhythm, not a whole number of Composer's ticks"),
    ("AB (7cdefgab c2|", "L:1/8\nK:C", (5, 4, 2), "(7 puts 7 notes in the time of 2"),
    ("abcd\n  [L:1/256] a a B8|", "L:1/8\nK:C", (6, 13, 1), "write a2 or change L:"),
])
def test_warning_places_and_words(body, header, place, words):
    warnings = parse_abc(tune(body, header)).warnings
    assert warnings, body
    w = warnings[0]
    assert (w.line, w.column, w.length) == place
    assert words in w.reason


def test_a_tuplet_is_reported_once():
    warnings = parse_abc(tune("(7cdefgab (7cdefgab|", "L:1/8\nK:C")).warnings
    assert [(w.line, w.column) for w in warnings] == [(5, 1), (5, 11)]


def test_normal_tunes_have_no_warnings(tricky):
    for body, header in [
        ("(3ABc d2 (3:2:2A2B z2|", "M:4/4\nL:1/8\nK:C"),  # triplets: 160 ticks
        ("(5ABcde|", "M:6/8\nL:1/8\nK:C"),  # quintuplets: 144 ticks
        ("(5A/B/c/d/e/ (3A//B//c// a//// z//// a/4>b/4 A/>B/ [CE]/ A3/2|",
         "M:4/4\nL:1/8\nK:C"),  # down to 1/128 notes (15 ticks) and their tuplets
        ("(3a/16b/16c/16 d2|", "M:4/4\nL:1/16\nK:C"),  # a triplet of 1/256: 5 ticks
        ("Z2|A B c|", "M:3/64\nL:1/64\nK:C"),
    ]:
        assert parse_abc(tune(body, header)).warnings == (), body
    for i in range(len(list_tunes(tricky))):
        assert parse_abc(tricky, index=i).warnings == ()
    for path in (FIXTURES / "folk").glob("*.abc"):
        found = []
        list_tunes(path.read_text(), warnings=found)
        assert found == []


def test_many_warnings_end_with_how_many_more():
    from composer.music.abc.reader import MAX_WARNINGS

    warnings = parse_abc(tune("a" * (MAX_WARNINGS + 7) + "|", "L:1/256\nK:C")).warnings
    assert len(warnings) == MAX_WARNINGS + 1
    last = warnings[-1]
    assert (last.line, last.column) == (5, MAX_WARNINGS + 1)
    assert last.reason == "and 7 more places from here on where a length is rounded to whole ticks"


def test_list_tunes_collects_the_warnings_of_every_tune():
    text = tune("a/16 A3|", "L:1/16\nK:C") + "\n" + tune("A B|") + "\n" + tune(
        "b/16 A3|", "L:1/16\nK:C").replace("X:1", "X:3")
    found = []
    infos = list_tunes(text, warnings=found)
    assert len(infos) == 3
    assert [(w.line, w.column) for w in found] == [(5, 1), (18, 1)]  # X:1 and X:3


def test_a_chord_missing_its_bracket_before_a_bar_line_or_tuplet_is_read_and_warned():
    """Nottingham's jigs153 writes ``[e2c2(3A/2B/2c/2|``: the chord is read as closed
    before the ``(`` (the bar is then exact) and a warning says where the ] goes. With
    a space inside the brackets the intent is unclear: still an error."""
    from composer.music.abc import parse_abc
    from composer.music.errors import AbcSyntaxError

    text = "X:1\nT:t\nM:6/8\nL:1/8\nK:D\n[e3c3][e2c2(3A/2B/2c/2|d6|]\n"
    parsed = parse_abc(text)
    assert [b - a for a, b in parsed.score.bars()] == [1440, 1440]
    assert [n.pitch for n in parsed.score.tracks[0].notes][:4] == [73, 76, 73, 76]
    (w,) = parsed.warnings
    assert (w.line, w.column) == (6, 7) and "read as closed before '('" in w.reason
    with pytest.raises(AbcSyntaxError, match="chord not closed"):
        parse_abc("X:1\nT:t\nM:4/4\nL:1/8\nK:C\nAB[CEG c4|\n")
