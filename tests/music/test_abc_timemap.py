"""The map between an ABC tune's characters and its ticks."""

from __future__ import annotations

from composer.music.abc import abc_time_map, bar_spans, parse_abc, read_abc, split_tunes
from tests.conftest import FIXTURES

TRICKY = (FIXTURES / "tricky.abc").read_text()
E = 240


def test_every_written_note_knows_its_characters_and_ticks():
    tm = abc_time_map(TRICKY, x=1)
    assert tm.tune_start == TRICKY.index("X:1")
    assert TRICKY[tm.body_start:].startswith("D|")
    texts = [(TRICKY[n.char_start:n.char_end], n.start, n.end) for n in tm.notes[:6]]
    assert texts == [("D", 0, E), ("G2", E, 3 * E), ("B", 3 * E, 4 * E),
                     ("d", 4 * E, 4 * E + 160), ("e", 4 * E + 160, 4 * E + 320),
                     ("f", 4 * E + 320, 6 * E)]


def test_tied_notes_are_listed_as_written():
    tm = abc_time_map(TRICKY, x=1)
    e3 = TRICKY.index("e3- e2d")
    written = [n for n in tm.notes if e3 <= n.char_start < e3 + 7]
    assert [(TRICKY[n.char_start:n.char_end], n.end - n.start) for n in written] == [
        ("e3", 3 * E), ("e2", 2 * E), ("d", E)]
    # ... while the score holds one note for e3-e2
    assert any(n.duration == 5 * E and n.pitch == 76 for n in read_abc(TRICKY, x=1).notes)


def test_bar_spans_match_score_bars():
    parsed = parse_abc(TRICKY, x=1)
    spans = bar_spans(TRICKY, x=1)
    assert len(spans) == len(parsed.score.bars())
    assert [TRICKY[a:b] for a, b in spans[:3]] == ["D|", '"G"G2B (3def g|', '"C"e3- e2d|']
    assert TRICKY[slice(*spans[-1])] == '"G""Em"G3 G2|]'


def test_bar_spans_with_a_line_continuation_and_fields():
    parsed = parse_abc(TRICKY, x=2)
    spans = parsed.time_map.bar_spans(parsed.score)
    assert len(spans) == len(parsed.score.bars()) == 9
    assert TRICKY[slice(*spans[4])] == '"D"D2|'
    assert TRICKY[slice(*spans[5])] == '"Bb"B2 d|'


def test_selection_to_time_and_back():
    tm = abc_time_map(TRICKY, x=1)
    start = TRICKY.index("(3def")
    # the "(" belongs to no note: the selection starts at the triplet's first note
    assert tm.ticks_for_chars(start, start + 5) == (4 * E, 6 * E)
    assert tm.bars_for_chars(start, start + 1) == (E, 7 * E)
    assert tm.chars_for_ticks(4 * E, 6 * E) == (start + 2, start + 5)
    header = TRICKY.index("T:Pickup")
    assert tm.ticks_for_chars(header, header + 3) is None
    assert tm.tick_at(header) is None


def test_tick_of_every_character():
    tm = abc_time_map(TRICKY, x=1)
    ticks = tm.char_ticks()
    assert len(ticks) == tm.tune_end - tm.tune_start
    body = tm.body_start - tm.tune_start
    assert ticks[:body] == [None] * body
    line = TRICKY[tm.body_start:TRICKY.index("\n", tm.body_start)]
    got = ticks[body:body + 8]
    assert line[:8] == 'D|"G"G2B'
    assert got == [0, E, E, E, E, E, E, 3 * E]
    assert all(t is not None for t in ticks[body:])
    # ticks never go back within one voice
    assert ticks[body:] == sorted(ticks[body:])


def test_voices_have_their_own_time():
    tm = abc_time_map(TRICKY, x=5)
    assert tm.voices == ["1", "2"] and tm.main_voice == "1"
    bass = [n for n in tm.notes if n.voice == "2"]
    assert TRICKY[bass[0].char_start:bass[0].char_end] == "C,2"
    assert (bass[0].start, bass[0].end) == (0, 960)
    assert tm.ticks_for_chars(bass[1].char_start, bass[1].char_end, voice="2") == (960, 1440)


def test_offsets_count_in_the_text_given():
    tune = str(next(t for t in split_tunes(TRICKY) if t.x == 3))
    alone = abc_time_map(tune)
    in_file = abc_time_map(TRICKY, x=3)
    shift = TRICKY.index("X:3")
    assert [(n.char_start + shift, n.start) for n in alone.notes] == [
        (n.char_start, n.start) for n in in_file.notes]
