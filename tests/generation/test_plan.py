"""The bar rule (issue 12): which bars a continuation writes and how they join the tune,
on real Nottingham forms (tests/fixtures/edit/nottingham.abc)."""

from __future__ import annotations

import pytest

from composer.cli.continue_ import bar_range_ticks
from composer.generation.plan import (
    apply_take,
    bars_until,
    make_seed,
    plan_layout,
    take_from_progress,
)
from composer.generation.request import ContinueRequest, Sampling, Selection, TakeProgress
from composer.music.abc import read_abc
from composer.music.score import Note
from tests.conftest import FIXTURES

Q = 480
TUNES = (FIXTURES / "edit" / "nottingham.abc").read_text()
CUCKOO = read_abc(TUNES, x=12)  # P:A pickup, 4 bars (the 4th 3 beats :|), P:B pickup ...
BLACKBIRD = read_abc(TUNES, x=29)  # bar 10 in 5/4 (bar 0 is the pickup)


def request(score, first, last, bars, mode):
    start, end = bar_range_ticks(score, first, last)
    return ContinueRequest(score, Selection(start, end), bars, "any", Sampling(seed=1),
                           mode=mode)


def fill(seed, pitch=67):
    """One note per beat in every planned bar (score ticks)."""
    notes = []
    for bar in seed.plan.layout:
        t = bar.start
        while t < bar.end:
            d = min(bar.meter.beat_ticks, bar.end - t)
            notes.append(Note(seed.offset + t, seed.offset + t + d, pitch))
            t += d
    return {CUCKOO.tracks[0].name: tuple(notes)}


def test_replace_rewrites_the_written_bars_at_their_own_lengths():
    end = bar_range_ticks(CUCKOO, 1, 2)[1]
    layout = plan_layout(CUCKOO, end, 3, "replace")
    assert [b.ticks for b in layout] == [4 * Q, 3 * Q, Q]  # bar 3, short bar 4, B's pickup
    assert [b.closing for b in layout] == ["|", ":|", "|"]
    assert [b.part for b in layout] == ["", "", "B"]
    req = request(CUCKOO, 1, 2, 3, "replace")
    seed = make_seed(req)
    out = apply_take(CUCKOO, seed, fill(seed), ())
    assert out.barlines == CUCKOO.barlines and out.parts == CUCKOO.parts
    assert out.bars() == CUCKOO.bars()


def test_insert_at_a_parts_end_joins_the_part():
    req = request(CUCKOO, 1, 4, 2, "insert")  # all of part A
    seed = make_seed(req)
    assert [b.ticks for b in seed.plan.layout] == [4 * Q, 4 * Q]
    assert seed.plan.layout[-1].closing == ":|"
    out = apply_take(CUCKOO, seed, fill(seed), ())
    kinds = {b.tick: b.kind for b in out.barlines}
    start = seed.new_start
    assert kinds[start] == "|" and kinds[start + 8 * Q] == ":|"
    assert [p.tick for p in out.parts if p.label == "B"] == [start + 8 * Q]
    assert out.length == CUCKOO.length + 8 * Q


def test_replace_across_a_meter_change_plans_each_bar_in_its_meter():
    req = request(BLACKBIRD, 6, 9, 3, "replace")
    seed = make_seed(req)
    meters = [str(b.meter) for b in seed.plan.layout]
    assert meters == ["5/4", "4/4", "4/4"]
    assert seed.plan.layout[0].ticks == 5 * Q
    assert [str(m) for m in seed.plan.meters] == ["5/4", "4/4"]


def test_insert_before_a_meter_change_writes_the_meter_of_the_selection():
    req = request(BLACKBIRD, 6, 9, 2, "insert")
    seed = make_seed(req)
    assert [str(b.meter) for b in seed.plan.layout] == ["4/4", "4/4"]
    out = apply_take(BLACKBIRD, seed, fill(seed), ())
    five = [m.tick for m in out.meters if (m.numerator, m.denominator) == (5, 4)]
    assert five == [seed.new_end]  # the 5/4 bar follows the new bars


def test_past_the_end_the_final_bar_line_moves():
    bars = len(CUCKOO.bars()) - 1
    req = request(CUCKOO, bars - 1, bars, 2, "replace")
    seed = make_seed(req)
    assert seed.plan.layout[-1].closing == ":|"
    out = apply_take(CUCKOO, seed, fill(seed), ())
    kinds = {b.tick: b.kind for b in out.barlines}
    assert kinds[seed.new_end] == ":|" and kinds[seed.new_start] == "|"


@pytest.mark.parametrize("mode", ["replace", "insert"])
def test_the_handle_counts_bars_as_the_engine_writes_them(mode):
    end = bar_range_ticks(CUCKOO, 1, 2)[1]
    for bars in (1, 2, 3, 5):
        layout = plan_layout(CUCKOO, end, bars, mode)
        assert bars_until(CUCKOO, end, layout[-1].end, mode) == (bars, layout[-1].end)
        assert bars_until(CUCKOO, end, layout[-1].end - 1, mode)[0] == bars - 1
    assert bars_until(CUCKOO, end, end, mode) == (0, end)


def test_a_stopped_take_keeps_its_finished_bars():
    req = request(CUCKOO, 1, 2, 3, "replace")
    seed = make_seed(req)
    notes = fill(seed)
    progress = TakeProgress(0, notes, (), bars_done=2)
    take = take_from_progress(req, progress, 7)
    assert take is not None and not take.complete and take.bars == 2
    assert (take.start, take.end) == (seed.new_start, seed.new_start + 7 * Q)
    new = [n for n in take.score.tracks[0].notes if take.start <= n.start < take.end]
    assert new == [n for n in notes[CUCKOO.tracks[0].name] if n.start < take.end]
    assert take.score.barlines == CUCKOO.barlines
    assert take_from_progress(req, TakeProgress(0, notes, (), bars_done=0)) is None
