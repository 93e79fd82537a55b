"""Repeats written out in playback order, and the playback <-> written tick map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.music.repeats import expand_repeats, unroll
from composer.music.score import (
    BARLINE_KINDS,
    Barline,
    ChordSymbol,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
    Track,
    Volta,
)

BAR = 1920  # one 4/4 bar in ticks


def tune(marks: dict[int, str], voltas=(), bars: int = 4, **kw) -> Score:
    """One whole note per bar; bar i has pitch 60 + i. ``marks`` maps a bar-line
    index (the line after bar i - 1) to its kind; other lines are plain."""
    notes = tuple(Note(i * BAR, (i + 1) * BAR, 60 + i) for i in range(bars))
    lines = tuple(Barline(i * BAR, marks.get(i, "|")) for i in range(1, bars + 1))
    if 0 in marks:
        lines = (Barline(0, marks[0]), *lines)
    vs = tuple(Volta(a * BAR, b * BAR, nums) for a, b, nums in voltas)
    return Score(tracks=(Track("m", notes),), barlines=lines, voltas=vs, **kw)


def order(score: Score, style: str = "abc") -> list[int]:
    return [n.pitch - 60 for n in expand_repeats(score, style=style).tracks[0].notes]


@pytest.mark.parametrize(
    "marks, voltas, bars, expected",
    [
        ({}, (), 3, [0, 1, 2]),
        ({2: ":|"}, (), 4, [0, 1, 0, 1, 2, 3]),  # no |: -> from the start
        ({1: "|:", 3: ":|"}, (), 4, [0, 1, 2, 1, 2, 3]),
        ({2: ":|", 4: ":|"}, (), 4, [0, 1, 0, 1, 2, 3, 2, 3]),  # back to the last :|
        ({2: "||", 4: ":|"}, (), 4, [0, 1, 2, 3, 2, 3]),  # back to the last ||
        ({1: "|:", 2: "||", 4: ":|"}, (), 4, [0, 1, 2, 3, 1, 2, 3]),  # |: wins over ||
        ({2: ":|:", 4: ":|"}, (), 4, [0, 1, 0, 1, 2, 3, 2, 3]),
        ({1: "|:", 3: ":|", 5: "|]"}, [(2, 3, (1,)), (3, 5, (2,))], 5, [0, 1, 2, 1, 3, 4]),
        # second ending closed by :| too (common in folk ABC)
        ({0: "|:", 2: ":|", 3: ":|"}, [(1, 2, (1,)), (2, 3, (2,))], 4, [0, 1, 0, 2, 3]),
        # three passes: [1,3] [2] and a last ending [4]
        ({0: "|:", 2: ":|", 3: ":|"}, [(1, 2, (1, 3)), (2, 3, (2,)), (3, 4, (4,))], 4,
         [0, 1, 0, 2, 0, 1, 0, 3]),
        # a section with endings, then one without |: that goes back to the endings' end
        ({0: "|:", 2: ":|", 3: "||", 5: ":|"}, [(1, 2, (1,)), (2, 3, (2,))], 5,
         [0, 1, 0, 2, 3, 4, 3, 4]),
    ],
)
def test_playback_order(marks, voltas, bars, expected):
    assert order(tune(marks, voltas, bars)) == expected


def test_nottingham_style_reproduces_the_corpus_midi_files():
    # music21 (which made the corpus MIDI) reads a second :| as "everything again".
    assert order(tune({2: ":|", 4: ":|"}), "nottingham") == [0, 1, 0, 1, 2, 3] * 2
    assert order(tune({1: "|:", 3: ":|", 5: "|]"}, [(2, 3, (1,)), (3, 5, (2,))], 5),
                 "nottingham") == [0, 1, 2, 1, 3, 4]
    # after a pickup, the corpus goes back to the |: rather than to the pickup
    notes = (Note(0, 480, 59), Note(480, 480 + BAR, 60), Note(480 + BAR, 480 + 2 * BAR, 61))
    pickup = Score(tracks=(Track("m", notes),), barlines=(
        Barline(480, "|:"), Barline(480 + BAR, ":|"), Barline(480 + 2 * BAR, ":|")))
    heard = [n.pitch - 60 for n in expand_repeats(pickup, style="nottingham").tracks[0].notes]
    assert heard == [-1, 0, 0, 1, 0, 0, 1]
    # parts: played in a Y: order; with a P: order or none, only the first is kept
    parts = (PartMark(0, "A"), PartMark(BAR, "B"))
    assert order(tune({}, bars=2, parts=parts, metadata=(("Y", "ABA"),)), "nottingham") == \
        [0, 1, 0]
    assert order(tune({}, bars=2, parts=parts, metadata=(("P", "ABA"),)), "nottingham") == [0]
    assert order(tune({}, bars=2, parts=parts), "nottingham") == [0]
    assert order(tune({}, bars=2, parts=parts)) == [0, 1]
    late = (PartMark(BAR, "A"), PartMark(2 * BAR, "B"))  # music before the first label
    assert order(tune({}, bars=3, parts=late), "nottingham") == [0]
    with pytest.raises(ValueError):
        expand_repeats(tune({}), style="abc2midi")


def test_result_has_no_repeat_signs_and_keeps_bar_structure():
    score = tune({1: "|:", 3: ":|", 5: "|]"}, [(2, 3, (1,)), (3, 5, (2,))], 5)
    out = expand_repeats(score)
    assert not out.has_repeats and out.voltas == ()
    assert all(not (b.starts_repeat or b.ends_repeat) for b in out.barlines)
    assert out.length == 6 * BAR
    assert [a for a, _ in out.bars()] == [i * BAR for i in range(6)]


def test_pickup_is_replayed_when_going_back_to_the_start():
    pickup = 480
    notes = (Note(0, pickup, 67), Note(pickup, pickup + BAR - pickup, 72),
             Note(BAR, BAR + 960, 74))
    lines = (Barline(pickup), Barline(BAR, ":|"), Barline(BAR + 960, "|]"))
    out = expand_repeats(Score(tracks=(Track("m", notes),), barlines=lines))
    assert [n.pitch for n in out.tracks[0].notes] == [67, 72, 67, 72, 74]
    assert out.pickup_ticks == pickup


def test_maps_and_chords_follow_each_pass():
    score = tune(
        {1: "|:", 3: ":|"},
        bars=4,
        chords=(ChordSymbol(0, "C"), ChordSymbol(BAR + 960, "G")),
        meters=(MeterChange(0, 4, 4),),
        tempos=(TempoChange(0, 100.0), TempoChange(2 * BAR, 140.0)),
    )
    out = expand_repeats(score)
    # the chord sounding where the repeat starts is restated on the second pass
    assert [(c.start, c.text) for c in out.chords] == [
        (0, "C"), (BAR + 960, "G"), (3 * BAR, "C"), (3 * BAR + 960, "G")]
    assert [(t.tick, t.qpm) for t in out.tempos] == [
        (0, 100.0), (2 * BAR, 140.0), (3 * BAR, 100.0), (4 * BAR, 140.0)]


def test_note_tied_over_the_repeat_sign_is_cut_there():
    notes = (Note(0, BAR, 60), Note(BAR, 2 * BAR + 480, 62), Note(2 * BAR + 480, 3 * BAR, 64))
    score = Score(tracks=(Track("m", notes),),
                  barlines=(Barline(BAR, "|:"), Barline(2 * BAR, ":|"), Barline(3 * BAR)))
    out = expand_repeats(score).tracks[0].notes
    # cut at the :| on the pass that goes back; held over it on the last pass
    assert [(n.start, n.end, n.pitch) for n in out] == [
        (0, BAR, 60), (BAR, 2 * BAR, 62), (2 * BAR, 3 * BAR + 480, 62),
        (3 * BAR + 480, 4 * BAR, 64)]


def test_repeat_map():
    u = unroll(tune({1: "|:", 3: ":|"}, bars=4))
    m = u.map
    assert m.length == 6 * BAR
    assert m.to_written(0) == 0
    assert m.to_written(3 * BAR + 10) == BAR + 10  # second pass of bar 1
    assert m.to_written(5 * BAR) == 3 * BAR
    assert m.occurrences(BAR + 10) == [BAR + 10, 3 * BAR + 10]
    assert m.to_playback(BAR) == BAR
    assert m.to_playback(BAR, not_before=2 * BAR) == 3 * BAR
    assert m.to_playback(0, not_before=1) is None
    assert m.to_playback_end(3 * BAR, 3 * BAR) == 5 * BAR
    assert m.to_playback_end(2 * BAR, 0) == 2 * BAR


def test_score_without_repeats_is_unchanged_apart_from_normalizing():
    score = tune({}, bars=3)
    u = unroll(score)
    assert u.score.tracks == score.tracks
    assert u.map.to_written(1234) == 1234


@settings(max_examples=300, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(BARLINE_KINDS), min_size=1, max_size=10),
    volta_specs=st.lists(
        st.tuples(st.integers(0, 9), st.integers(1, 3),
                  st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True)),
        max_size=4),
)
def test_any_structure_terminates_and_maps_back(kinds, volta_specs):
    bars = len(kinds)
    marks = dict(enumerate(kinds, start=1))
    voltas = [(a, min(a + n, bars), tuple(sorted(ns))) for a, n, ns in volta_specs if a < bars]
    voltas = [v for v in voltas if v[1] > v[0]]
    score = tune(marks, voltas, bars)
    u = unroll(score)
    written = {(n.start, n.pitch) for n in score.tracks[0].notes}
    played = u.score.tracks[0].notes
    assert len(played) <= bars * 8
    for n in played:  # every played note is a written one, found through the map
        assert (u.map.to_written(n.start), n.pitch) in written
    assert u.score.length == u.map.length
    assert unroll(score, style="nottingham").score.length > 0


@pytest.mark.parametrize(
    "order, expected",
    [
        ("AABA", [0, 0, 0, 0, 1, 1, 2, 3, 0, 0]),
        ("A2B", [0, 0, 0, 0, 1, 1, 2, 3]),
        ("(AB)2", [0, 0, 1, 1, 2, 3] * 2),
        ("A.B", [0, 0, 1, 1, 2, 3]),
        ("AXB", [0, 0, 1, 1, 2, 3]),  # X is no part here: the order is ignored
        ("A(B", [0, 0, 1, 1, 2, 3]),  # malformed: ignored
    ],
)
def test_part_order_from_the_header(order, expected):
    """Part A is bar 0 repeated, part B bars 1-3 with bar 1 repeated."""
    score = tune({1: ":|", 2: ":|"}, bars=4, parts=(PartMark(0, "A"), PartMark(BAR, "B")),
                 metadata=(("Y", order),))
    assert order_of(score) == expected


def order_of(score):
    return [n.pitch - 60 for n in expand_repeats(score).tracks[0].notes]


def test_part_order_of_a_tune_without_labels_repeats_the_whole_tune():
    assert order_of(tune({1: ":|"}, bars=2, metadata=(("Y", "AA"),))) == [0, 0, 1] * 2
    assert order_of(tune({}, bars=2, metadata=(("P", "B"), ("Y", "BB")))) == [0, 1] * 2
    assert order_of(tune({}, bars=2, metadata=(("Y", "AB"),))) == [0, 1]  # no B: ignored


def test_part_order_keeps_music_before_the_first_part_and_the_p_field():
    score = tune({}, bars=3, parts=(PartMark(BAR, "A"), PartMark(2 * BAR, "B")),
                 metadata=(("P", "BAB"),))
    assert order_of(score) == [0, 2, 1, 2]
    assert [(p.tick, p.label) for p in expand_repeats(score).parts] == [
        (BAR, "B"), (2 * BAR, "A"), (3 * BAR, "B")]


def test_played_out_score_has_no_play_order():
    """The order is applied once: the result keeps its other metadata and its labels
    (plain labels, at each pass) but no header P: or Y:, so expanding it again, or
    writing it to MIDI and reading that back, changes nothing."""
    parts = (PartMark(0, "A"), PartMark(BAR, "B"))
    for key in ("P", "Y"):
        score = tune({1: ":|", 2: ":|"}, bars=4, parts=parts,
                     metadata=(("S", "a source"), (key, "AAB"), ("R", "reel")))
        out = expand_repeats(score)
        assert out.metadata == (("S", "a source"), ("R", "reel"))
        assert [p.label for p in out.parts] == ["A"] * 4 + ["B"] * 2
        assert order_of(score) == [0, 0, 0, 0, 1, 1, 2, 3]
        assert order_of(out) == order_of(score)
    # a tune with nothing to play out loses the order too
    plain = expand_repeats(tune({}, bars=2, parts=parts, metadata=(("P", "AB"),)))
    assert plain.metadata == () and plain.parts == parts


def test_part_labels_without_an_order_play_as_written():
    parts = (PartMark(0, "B"), PartMark(BAR, "A"), PartMark(2 * BAR, "B"))
    assert order_of(tune({}, bars=3, parts=parts)) == [0, 1, 2]
    assert order_of(tune({2: ":|"}, bars=3, parts=parts)) == [0, 1, 0, 1, 2]


def test_one_letter_p_field_becomes_a_label_of_the_played_out_tune():
    score = tune({1: ":|"}, bars=2, metadata=(("Y", "AA"), ("P", "A")))
    out = expand_repeats(score)
    assert order_of(score) == [0, 0, 1] * 2 and out.metadata == ()
    assert [(p.tick, p.label) for p in out.parts] == [
        (0, "A"), (BAR, "A"), (3 * BAR, "A"), (4 * BAR, "A")]
    assert order_of(out) == order_of(score)
    # without a P: the tune gets no label it never had
    assert expand_repeats(tune({}, bars=2, metadata=(("Y", "AA"),))).parts == ()


def test_chord_symbols_at_one_tick_keep_their_written_order_at_every_pass():
    score = tune({2: ":|"}, bars=2, chords=(ChordSymbol(0, "A7"), ChordSymbol(0, "A"),
                                            ChordSymbol(BAR, "G")))
    assert [(c.start, c.text) for c in expand_repeats(score).chords] == [
        (0, "A7"), (0, "A"), (BAR, "G"), (2 * BAR, "A7"), (2 * BAR, "A"), (3 * BAR, "G")]
