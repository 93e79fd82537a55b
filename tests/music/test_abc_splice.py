"""The splice (issue 12): a change of the score reaches the user's ABC text as the
smallest change, bar by bar, in the tune's own style; every other character stays."""

from __future__ import annotations

import dataclasses
import re

from composer.cli.continue_ import bar_range_ticks
from composer.generation.plan import apply_take, make_seed
from composer.generation.request import ContinueRequest, Sampling, Selection
from composer.music.abc import parse_abc, read_abc, score_to_abc
from composer.music.abc.headers import with_number, with_title
from composer.music.abc.splice import splice_abc
from composer.music.abc.tunes import split_tunes
from composer.music.score import Note
from tests.conftest import FIXTURES

Q = 480
EDIT = FIXTURES / "edit"


def tune_text(name: str, x: int) -> str:
    return str(next(t for t in split_tunes((EDIT / name).read_text()) if t.x == x))


def decorated() -> tuple[str, str]:
    """(file header, tune text) of the decorated reel."""
    text = (EDIT / "decorated.abc").read_text()
    tune = split_tunes(text)[0]
    return text[: tune.offset], str(tune)


def lines_changed(before: str, after: str) -> list[str]:
    """Lines of ``before`` that are not in ``after`` verbatim."""
    kept = set(after.split("\n"))
    return [line for line in before.split("\n") if line not in kept]


def with_pitch(score, index, pitch):
    track = score.tracks[0]
    notes = list(track.notes)
    notes[index] = dataclasses.replace(notes[index], pitch=pitch)
    return dataclasses.replace(score, tracks=(track.with_notes(notes),))


def take(score, first, last, bars, mode, pitch=67):
    """The score with a fake take (a note per beat) applied by the bar rule, and its
    ``edited`` ticks."""
    start, end = bar_range_ticks(score, first, last)
    req = ContinueRequest(score, Selection(start, end), bars, "any", Sampling(seed=1),
                          mode=mode)
    seed = make_seed(req)
    notes = []
    for k, bar in enumerate(seed.plan.layout):
        t = bar.start
        while t < bar.end:
            d = min(bar.meter.beat_ticks, bar.end - t)
            notes.append(Note(seed.offset + t, seed.offset + t + d, pitch + k % 3))
            t += d
    new = apply_take(score, seed, {score.tracks[0].name: tuple(notes)}, ())
    old_end = seed.new_start if mode == "insert" else seed.new_end
    return new, (seed.new_start, old_end, seed.new_end)


def test_a_changed_note_rewrites_its_bar_and_nothing_else():
    header, text = decorated()
    score = parse_abc(header + text).score
    third = score.bars()[2]
    index = next(i for i, n in enumerate(score.tracks[0].notes) if n.start == third[0])
    result = splice_abc(text, with_pitch(score, index, 76), header=header)
    assert result.spliced and result.bars == 1
    changed = lines_changed(text, result.text)
    assert len(changed) == 1 and changed[0].startswith('|:"G"!trill!G2 BG dG~BG|')
    line = next(x for x in result.text.split("\n") if x.startswith('|:"G"!trill!'))
    # the other bars of that line stay as written: trill, roll, slur, grace, "C""Am"
    assert line.startswith('|:"G"!trill!G2 BG dG~BG|"D"(A2 FA) dAFA|')
    assert line.endswith('|"C""Am"cAFA "G"G4:|')
    assert "{a}" not in line  # the grace note belonged to the rewritten notes
    assert read_abc(header + result.text).tracks[0].notes[index].pitch == 76
    for kept in ("%abc-2.1", "%%pagewidth", "% part A", "%%vskip 10", "Q:1/4=110",
                 ".B.G.B.d|\\", "!fine!", "[1", "[2"):
        assert kept in result.text or kept in header


def test_replace_keeps_the_form_of_cuckoos_nest():
    text = tune_text("nottingham.abc", 12)
    score = read_abc(text)
    new, edited = take(score, 1, 2, 3, "replace")
    result = splice_abc(text, new, edited=edited)
    assert result.spliced and result.bars == 3
    back = read_abc(result.text)
    assert back.bars() == score.bars()
    assert back.barlines == score.barlines and back.parts == score.parts
    changed = lines_changed(text, result.text)
    assert len(changed) == 3  # the lines holding bar 3, bar 4 and part B's pickup
    assert "P:B" in result.text.split("\n") and "P:A" in result.text.split("\n")
    assert re.search(r":\|\nP:B\n", result.text)  # part A still ends with its repeat
    assert "(3D/2F/2A/2" not in result.text  # part B's pickup was rewritten in place
    assert '|"D"dd de/2d/2|' in result.text  # and part B's first bar kept


def test_insert_at_the_end_of_part_a_moves_its_repeat():
    text = tune_text("nottingham.abc", 12)
    score = read_abc(text)
    new, edited = take(score, 1, 4, 2, "insert")
    result = splice_abc(text, new, edited=edited)
    assert result.spliced and result.bars == 2
    lines = result.text.split("\n")
    b = lines.index("P:B")
    assert lines[b - 1].endswith(":|") and lines[b - 2].endswith("|")
    assert lines[b - 2] == '"D"FD D|'  # the old closing bar: only its bar line changed
    assert lines_changed(text, result.text) == ['"D"FD D:|']
    assert read_abc(result.text).length == score.length + 8 * Q


def test_replace_across_a_meter_change_keeps_the_field_lines():
    text = tune_text("nottingham.abc", 29)
    score = read_abc(text)
    new, edited = take(score, 6, 9, 3, "replace")
    result = splice_abc(text, new, edited=edited)
    assert result.spliced
    out = result.text.split("\n")
    assert out.count("M:5/4") == 1 and out.count("M:4/4") == 2
    back = read_abc(result.text)
    assert [(m.numerator, m.denominator) for m in back.meters] == [
        (m.numerator, m.denominator) for m in score.meters]
    assert back.bars() == score.bars()
    # the new bars are written in the tune's own style: L:1/4 with /2 halves
    assert "/2" in "".join(lines_changed(result.text, text))
    assert not re.search(r"(?<![/\d])/(?![/\d])", "".join(lines_changed(result.text, text)))


def test_a_bar_across_two_lines_keeps_its_line_break():
    text = tune_text("nottingham.abc", 29)
    score = read_abc(text)
    new, edited = take(score, 10, 10, 1, "replace")  # bar 11 runs over two lines
    result = splice_abc(text, new, edited=edited)
    assert result.spliced
    assert result.text.count("\n") == text.count("\n")


def test_paired_chord_symbols_keep_their_order():
    text = tune_text("nottingham.abc", 26)
    score = read_abc(text)
    first = score.bars()[1]
    index = next(i for i, n in enumerate(score.tracks[0].notes) if n.start == first[0])
    result = splice_abc(text, with_pitch(score, index, 81))
    assert result.spliced
    assert result.text.count('"E7""G"') == text.count('"E7""G"')
    # a rewritten bar holding the pair keeps its order too
    second = score.bars()[2]
    index = next(i for i, n in enumerate(score.tracks[0].notes) if n.start == second[0])
    result = splice_abc(text, with_pitch(score, index, 81))
    assert result.spliced and result.text.count('"E7""G"') == text.count('"E7""G"')


def test_slurs_across_a_rewritten_bar_stay_balanced():
    header, text = decorated()
    score = parse_abc(header + text).score
    second = score.bars()[1]  # "D"(A2 FA) dAFA
    notes = score.tracks[0].notes
    index = next(i for i, n in enumerate(notes) if n.start == second[0])
    result = splice_abc(text, with_pitch(score, index, 74), header=header)
    assert result.spliced
    body = result.text.split("K:G", 1)[1]
    assert body.count("(") - body.count("(3") == body.count(")")


def test_several_voices_splice_voice_by_voice():
    text = ("X:3\nT:Two voices\nM:4/4\nL:1/4\nK:C\nV:2 name=\"Bass\"\nV:1\n"
            "% the tune\n\"C\"CDEF|\"G\"GABc:|\nV:2\n!p!C,4|G,2 G,2:|\n")
    score = read_abc(text)
    bass = score.tracks[[t.name for t in score.tracks].index("Bass")]
    moved = dataclasses.replace(bass.notes[1], pitch=bass.notes[1].pitch + 2)
    tracks = tuple(t.with_notes([moved, *t.notes[:1], *t.notes[2:]]) if t is bass else t
                   for t in score.tracks)
    result = splice_abc(text, dataclasses.replace(score, tracks=tracks))
    assert result.spliced and result.bars == 1
    assert lines_changed(text, result.text) == ["!p!C,4|G,2 G,2:|"]
    assert "!p!C,4|" in result.text and '"C"CDEF|"G"GABc:|' in result.text
    back = read_abc(result.text)
    assert [n.pitch for n in back.track("Bass").notes] == [48, 57, 55]


def test_a_change_that_cannot_be_spliced_says_why():
    text = "X:3\nT:One voice\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n"
    score = read_abc(text)
    added = dataclasses.replace(score, tracks=score.tracks + (
        dataclasses.replace(score.tracks[0], name="Chords", role="accompaniment"),))
    result = splice_abc(text, added)
    assert not result.spliced and "voice" in result.reason
    assert result.text == score_to_abc(added, x=3)


def test_an_unchanged_score_keeps_the_text():
    header, text = decorated()
    score = parse_abc(header + text).score
    result = splice_abc(text, score, header=header)
    assert result.spliced and result.text == text and result.bars == 0


def test_title_and_number_lines():
    text = tune_text("nottingham.abc", 12)
    out = with_number(with_title(text, "Cuckoo's Nest (take 1, seed 1)"), 4)
    assert lines_changed(text, out) == ["X: 12", "T:Cuckoo's Nest"]
    assert out.startswith("X:4\nT:Cuckoo's Nest (take 1, seed 1)\n")


def test_ties_at_the_edges_of_a_replaced_bar():
    """The tie from the bar before goes (only its '-' changes); the note tied on into
    the bar after keeps its part there, and that bar's text stays as written."""
    text = "X:1\nT:t\nM:4/4\nL:1/4\nK:D\n!trill!A B c d-|d e f g-|g !fermata!b c' d'|]\n"
    score = read_abc(text)
    new, edited = take(score, 1, 1, 1, "replace")  # bar 2 anew
    result = splice_abc(text, new, edited=edited)
    assert result.spliced
    body = result.text.split("K:D\n")[1]
    first, second, third = body.split("|")[:3]
    assert first == "!trill!A B c d" and third == "g !fermata!b c' d'"
    back = read_abc(result.text)
    assert [(n.start, n.end, n.pitch) for n in back.tracks[0].notes if n.start >= 3840] == [
        (3840, 4320, 79), (4320, 4800, 83), (4800, 5280, 85), (5280, 5760, 86)]


def test_a_rewritten_bar_keeps_its_annotations_and_nothing_else_quoted():
    text = 'X:1\nT:t\nM:4/4\nL:1/8\nK:D\n"G7"^A2B "D"=AFD "^Fine"E2|"D"d8|]\n'
    score = read_abc(text)
    result = splice_abc(text, with_pitch(score, 0, 71))
    assert result.spliced and result.bars == 1
    first = result.text.split("K:D\n")[1].split("|")[0]
    assert '"^Fine"' in first and '"^A2B "' not in first and first.count('"') % 2 == 0


def test_a_note_letter_before_a_repeat_colon_is_set_off():
    text = "X:1\nT:t\nM:4/4\nL:1/4\nK:D\nABcd::efga|]\n"
    score = read_abc(text)
    result = splice_abc(text, with_pitch(score, 0, 74))
    assert result.spliced and "d ::" in result.text


def test_a_note_letter_before_a_repeat_colon_on_the_next_line_is_set_off():
    from composer.music.abc.splice import _before_token

    assert _before_token('"Gm"G/2G/2 G\\\n', "::") == '"Gm"G/2G/2 G \\\n'
    assert _before_token("G2\n", ":|") == "G2\n" and _before_token("AB", "|") == "AB"
