from fractions import Fraction as F

import pytest

from composer.generation.folk.constraints import END, AbcTracker
from composer.training.corpus import read_tunes


def track(header, body, **kw):
    return AbcTracker.for_tune(header + body, **kw)


def lengths(tracker):
    return [(str(b.length), b.kind) for b in tracker.bars]


H44 = "X:1\nM:4/4\nL:1/8\nK:G\n"
H68 = "X:1\nM:6/8\nL:1/8\nK:D\n"
H34Q = "X:1\nM:3/4\nL:1/4\nK:C\n"


def test_bar_lengths_in_four_four_with_eighths():
    t = track(H44, "GABc d2e2|\"G\"g4 f2e2|c8|")
    assert lengths(t) == [("1", "full")] * 3
    assert t.pos == 0


def test_bar_lengths_in_six_eight_with_pickup_and_closing_bar():
    t = track(H68, "A|\"D\"FAA dAA|BAG FED|FAA dfe|dcB A2:|\n", free_bars=True)
    assert lengths(t) == [("1/8", "pickup"), ("3/4", "full"), ("3/4", "full"),
                          ("3/4", "full"), ("5/8", "closing")]


def test_three_four_with_quarter_unit_and_halves():
    t = track(H34Q, "E2G|A/2B/2c2|c3|]")
    assert lengths(t) == [("3/4", "full")] * 3


def test_triplets_broken_rhythm_and_chords():
    t = track(H44, "(3ABc d2 e4|B>A G2 [GB]4|A<B (3c/d/e/ f4 z|")
    assert lengths(t) == [("1", "full"), ("1", "full"), ("1", "full")]


def test_default_unit_is_a_sixteenth_below_three_four():
    t = track("X:1\nM:2/4\nK:G\n", "A4B4|")
    assert t.unit == F(1, 16)
    assert lengths(t) == [("1/2", "full")]


def test_body_meter_change_and_inline_fields():
    t = track(H44, "M:3/4\nABc def|[M:2/4]AB cd|[L:1/4]AB|\n", free_bars=True)
    assert lengths(t) == [("3/4", "full"), ("1/2", "full"), ("1/2", "full")]


def test_chord_symbols_comments_grace_notes_and_decorations_take_no_time():
    t = track(H44, '"G"G2 {a}B2 !trill!c2 "D7"d2|% comment |||\nABcd efga|')
    assert lengths(t) == [("1", "full")] * 2


def test_a_long_note_is_masked_and_the_bar_line_waits_for_a_full_bar():
    t = track(H34Q, "E2G")
    assert not t.accepts("2")  # G2 would overfill the bar
    assert t.accepts("/")  # G/ ... still fits
    assert t.accepts("|")
    assert not t.accepts("A")  # no room for another note
    t = track(H34Q, "E2")
    assert not t.accepts("|")  # too early
    assert t.accepts("G") and t.accepts("z")


def test_pickups_only_when_whole_tunes_are_written():
    assert not track(H68, "A").accepts("|")
    free = track(H68, "A", free_bars=True)
    assert free.accepts("|")
    # after a pickup of an eighth, a section may end one eighth short, on a repeat only
    t = track(H68, "A|FAA dAA|dcB A2", free_bars=True)
    assert t.accepts(":") and t.accepts("|")
    t.push("|")
    assert not t.accepts(" ")  # a plain "|" closing a short bar is not a section end
    assert t.accepts("|") and t.accepts("]")


def test_tuplets_must_fit_and_keep_one_length():
    t = track(H44, "ABcdef")
    assert t.accepts("(")
    t.push_text("(3")
    assert t.accepts("a")
    t.push("a")
    assert not t.accepts("2")  # (3a2b2c2 lasts four eighths: only two are left
    t.push_text("b")
    assert not t.accepts("|")  # the tuplet is not complete
    assert not t.accepts("/")  # the second note must match the first
    t.push("c")
    assert t.accepts("|")


def test_broken_rhythm_needs_room_for_both_notes():
    t = track(H44, "ABcdef")
    t.push("g")
    assert t.accepts(">")  # g>a: 3/16 + 1/16 fill the two eighths left
    t.push_text(">a")
    assert not t.accepts("2")  # the partner has the same written length
    assert t.accepts("|")
    t = track(H44, "ABcdefga")
    assert not t.accepts(">")  # a>b would overfill the bar


def test_chord_symbols_and_field_lines_are_checked():
    t = track(H44, '"')
    assert t.accepts("D") and not t.accepts("Q") and not t.accepts('"')
    t.push_text("D/f")
    assert t.accepts("+") and t.accepts('"')
    t.push_text('+"')
    assert not t.accepts("|")  # the symbol waits for its note
    t = track(H44, "ABcd efga|\n", free_bars=True, fields="MP")
    assert t.accepts("M") and t.accepts("P") and not t.accepts("T")
    t.push_text("M:6/")
    assert t.accepts("8") and not t.accepts("\n") and not t.accepts("5")
    t.push_text("8\n")
    assert t.bar_len == F(3, 4)
    strict = track(H44, "ABcd efga|\n")
    assert not strict.accepts("M")
    assert not track(H44, "AB").accepts("\n")  # no line break inside a bar


def test_end_of_tune_only_after_a_bar_line():
    t = track(H44, "ABcd efga", free_bars=True)
    assert not t.accepts(END)
    t.push("|")
    assert t.accepts(END)
    t.push("]")
    assert t.accepts(END)
    t.push("\n")
    assert not t.accepts("\n")  # a blank line would end the tune


@pytest.mark.parametrize("free", [True, False])
def test_fixture_tunes_follow_the_constraints(fixtures, free):
    for tune in read_tunes([fixtures / "folk"]):
        t = AbcTracker.for_tune(tune.header, free_bars=free, fields="MLKP")
        rejected = []
        for i, c in enumerate(tune.body):
            if not t.accepts(c):
                rejected.append(i)
            t.push(c)
        kinds = {b.kind for b in t.bars}
        if free:
            assert not rejected, (tune.id, rejected)
            assert kinds <= {"full", "pickup", "closing"}
        elif kinds == {"full"}:
            assert not rejected, tune.id
        else:
            assert rejected, tune.id


def test_accepts_many_equals_accepts(fixtures):
    chars = list("ABCDEFGabcdefgz xX|:[]()<>-^_='/,0123456789\"\nKMPT%!{}\\") + [END]
    tune = read_tunes([fixtures / "folk"])[3]
    t = AbcTracker.for_tune(tune.header, free_bars=True, fields="MLKP")
    for c in tune.body:
        assert t.accepts_many(chars) == [t.accepts(x) for x in chars]
        t.push(c)


@pytest.mark.parametrize("header, free", [
    ("X:1\nM:3/4\nL:1/8\nK:F\n", True), ("X:1\nM:6/8\nL:1/8\nK:D\n", False),
    ("X:1\nM:4/4\nL:1/4\nK:G\n", True), ("X:1\nM:2/4\nL:1/16\nK:Am\n", False),
    ("X:1\nM:9/8\nL:1/8\nK:C\n", True),
])
def test_random_walks_never_reach_a_dead_end(header, free):
    import random
    import string

    rng = random.Random(len(header) + free)
    chars = list(string.ascii_letters + string.digits + " |:[]()<>-^_='/,\"\n#+\\") + [END]
    for _ in range(3):
        t = AbcTracker.for_tune(header, free_bars=free, fields="MLKP" if free else "")
        for _ in range(300):
            allowed = [c for c, ok in zip(chars, t.accepts_many(chars)) if ok and c != END]
            assert allowed, (t.lex, t.pos, t.state_key())
            t.push(rng.choice(allowed))
        kinds = {b.kind for b in t.bars}
        assert kinds <= ({"full", "pickup", "closing"} if free else {"full"}), kinds
