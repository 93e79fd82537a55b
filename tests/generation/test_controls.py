"""Compose with the future in view (issue 13): chords to follow, a key, ending on the
tonic, chords under a melody, and filling a gap — with the shipped folk model on an
example tune (what a musician gets) and through the bar rule's geometry."""

from __future__ import annotations

import pytest

from composer import paths
from composer.cli.continue_ import bar_range_ticks
from composer.generation.engine import continue_passage
from composer.generation.errors import BadRequestError
from composer.generation.plan import make_seed
from composer.generation.registry import ModelRegistry
from composer.generation.request import (
    ContinueRequest,
    Controls,
    Sampling,
    Selection,
    Take,
)
from composer.music.abc import read_abc
from composer.music.abc.splice import splice_abc
from composer.music.score import KeyChange

EXAMPLE = paths.resources_dir() / "examples" / "morning-on-the-hill.abc"


@pytest.fixture(scope="module")
def registry():
    return ModelRegistry([(paths.shipped_models_dir(), "shipped")])


@pytest.fixture(scope="module")
def score():
    return read_abc(EXAMPLE.read_text())


def take_of(registry, score, first, last, bars=4, seed=3, model="folk-abc", **kw):
    start, end = bar_range_ticks(score, first, last)
    req = ContinueRequest(score, Selection(start, end), bars, model, Sampling(seed=seed), **kw)
    return next(t for t in continue_passage(req, registry) if isinstance(t, Take))


@pytest.mark.parametrize("seed", [1, 2])
def test_takes_follow_the_chords_asked_for_exactly(registry, score, seed):
    chords = (("G",), ("D7",), ("G", "C"), ("D",))
    take = take_of(registry, score, 1, 4, seed=seed, controls=Controls(chords=chords))
    bar = score.meters[0].bar_ticks
    got = [(c.start - take.start, c.text) for c in take.score.chords
           if take.start <= c.start < take.end]
    assert got == [(0, "G"), (bar, "D7"), (2 * bar, "G"), (2 * bar + bar // 2, "C"),
                   (3 * bar, "D")]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_take_can_end_on_the_tonic_on_a_strong_beat(registry, score, seed):
    take = take_of(registry, score, 1, 4, seed=seed, controls=Controls(end_on_tonic=True))
    last = max((n for n in take.score.tracks[0].notes if n.start < take.end),
               key=lambda n: n.start)
    assert last.end == take.end and last.pitch % 12 in (7, 11, 2)  # G major's triad
    assert (last.start - (take.end - score.meters[0].bar_ticks)) % 960 == 0  # half bars


def test_new_bars_in_another_key_come_back_to_the_tunes(registry, score):
    take = take_of(registry, score, 1, 4, controls=Controls(key=KeyChange(0, "D")))
    keys = [(k.tick, k.tonic) for k in take.score.keys]
    assert keys == [(0, "G"), (take.start, "D"), (take.end, "G")]
    text = splice_abc(EXAMPLE.read_text(), take.score, edited=take.edited)
    assert text.spliced and "[K:D]" in text.text and "[K:G]" in text.text
    assert read_abc(text.text).keys == take.score.keys


def test_chords_under_a_melody_leave_the_melody_as_it_is(registry, score):
    take = take_of(registry, score, 1, 4, task="accompany")
    assert take.score.tracks[0].notes == score.tracks[0].notes
    new = [c for c in take.score.chords if take.start <= c.start < take.end]
    assert len(new) >= 4  # about one a bar at least, as the tunes have
    assert [c for c in take.score.chords if c.start >= take.end] == [
        c for c in score.chords if c.start >= take.end]


def test_macnet_accompanies_a_melody_without_touching_it(registry, score):
    take = take_of(registry, score, 5, 8, model="macnet-folk", task="accompany")
    start, end = bar_range_ticks(score, 5, 8)
    assert (take.start, take.end) == (start, end)
    assert take.score.tracks[0].notes == score.tracks[0].notes
    new = [c for c in take.score.chords if start <= c.start < end]
    assert len(new) >= 4 and all(c.text for c in new)
    assert [c for c in take.score.chords if not start <= c.start < end] == [
        c for c in score.chords if not start <= c.start < end]


def test_a_fill_rewrites_the_gap_and_keeps_what_follows(registry, score):
    take = take_of(registry, score, 5, 6, task="fill")
    start, end = bar_range_ticks(score, 5, 6)
    assert (take.start, take.end) == (start, end)
    assert take.score.bars() == score.bars() and take.score.barlines == score.barlines
    after = [n for n in score.tracks[0].notes if n.start >= end]
    assert [n for n in take.score.tracks[0].notes if n.start >= end] == after
    new = [n for n in take.score.tracks[0].notes if start <= n.start < end]
    assert new and all(n.end <= end for n in new)


def test_fill_and_accompany_plan_the_selected_bars(score):
    start, end = bar_range_ticks(score, 5, 6)
    seed = make_seed(ContinueRequest(score, Selection(start, end), 1, "x", task="fill"))
    assert seed.plan.task == "fill" and seed.new_start == start and seed.new_end == end
    assert seed.plan.suffix is not None and seed.plan.suffix.length > 0
    assert seed.score.length == start - seed.offset  # the music before the gap
    seed = make_seed(ContinueRequest(score, Selection(start, end), 1, "x", task="accompany"))
    assert seed.score.length == end - seed.offset  # the melody to accompany is read
    with pytest.raises(BadRequestError, match="needs music before it"):
        make_seed(ContinueRequest(score, Selection(0, start), 1, "x", task="fill"))
    with pytest.raises(BadRequestError, match="whole bars"):
        make_seed(ContinueRequest(score, Selection(start + 240, end), 1, "x", task="fill"))
