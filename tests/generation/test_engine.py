"""The continuation engine with a tiny random-weight folk model (fixed seed): both
modes, streaming order, cancellation by closing the stream, a selection at the very
end of the tune, context, and the plain reasons of bad requests (issue 4)."""

import pytest
import torch

from composer.generation.engine import continue_passage
from composer.generation.errors import BadRequestError
from composer.generation.registry import ModelRegistry
from composer.generation.request import ContinueRequest, Sampling, Selection, Take, TakeProgress
from composer.music.abc import read_abc, score_to_abc
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from tests.generation.folk.test_codec import CHARS, TUNE


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    folder = tmp_path_factory.mktemp("models")
    checkpoint.save(folder / "folk-abc", model, model.config, vocab, {"kind": "folk-abc"})
    return ModelRegistry([(folder, "shipped")])


class CountingRegistry:
    """The registry's model with every step counted."""

    def __init__(self, registry):
        self.loaded = registry.load("folk-abc")
        self.steps = 0
        inner, outer = self.loaded.step_model, self

        class Counting:
            vocab_size = inner.vocab_size

            def init_state(self, batch):
                return inner.init_state(batch)

            def step(self, tokens, state):
                outer.steps += 1
                return inner.step(tokens, state)

        self.step_model = Counting()

    def load(self, name):
        return type("Loaded", (), {"step_model": self.step_model, "codec": self.loaded.codec,
                                   "info": self.loaded.info})()


def ask(score, first_bar, last_bar, bars=4, **kw):
    spans = score.bars()
    return ContinueRequest(score, Selection(spans[first_bar][0], spans[last_bar][1]), bars,
                           "folk-abc", Sampling(seed=kw.pop("seed", 5)), **kw)


def takes_of(request, registry):
    return [i for i in continue_passage(request, registry) if isinstance(i, Take)]


def melody(score):
    return score.tracks[0].notes


def test_insert_moves_later_music_right_and_replace_overwrites(registry):
    score = read_abc(TUNE)
    bar = score.meters[0].bar_ticks
    spans = score.bars()
    sel_end = spans[3][1]
    after = [n for n in melody(score) if n.start >= sel_end]
    (ins,) = takes_of(ask(score, 0, 3, bars=2, mode="insert"), registry)
    assert ins.score.length == score.length + 2 * bar
    moved = [n for n in melody(ins.score) if n.start >= sel_end + 2 * bar]
    assert [(n.start - 2 * bar, n.pitch) for n in moved] == [(n.start, n.pitch) for n in after]
    (rep,) = takes_of(ask(score, 0, 3, bars=2, mode="replace"), registry)
    assert rep.score.length == score.length
    # Replace rewrites the next two written bars: part A's short closing bar and part
    # B's pickup (the bar rule); the music after them stays.
    assert (rep.start, rep.end) == (sel_end, spans[5][1])
    kept = [n for n in melody(rep.score) if n.start >= rep.end]
    assert [(n.start, n.pitch) for n in kept] == [
        (n.start, n.pitch) for n in after if n.start >= rep.end]
    assert rep.score.barlines == score.barlines
    # Insert adds two full bars of the meter after the selection.
    starts = ins.score.bar_starts(ins.end + 1)
    assert [t for t in starts if sel_end <= t <= ins.end] == [
        sel_end, sel_end + bar, sel_end + 2 * bar]
    for take in (ins, rep):
        assert [b for b in take.score.bars() if b[1] <= sel_end] == [
            b for b in score.bars() if b[1] <= sel_end]
    # Before the selection's end nothing changed in either mode.
    for take in (ins, rep):
        assert [n for n in melody(take.score) if n.end <= sel_end] == [
            n for n in melody(score) if n.end <= sel_end]


def test_streaming_order_bar_by_bar_then_takes_in_order(registry):
    score = read_abc(TUNE)
    items = list(continue_passage(ask(score, 0, 3, bars=3, variations=3), registry))
    first_take = next(i for i, x in enumerate(items) if isinstance(x, Take))
    assert all(isinstance(x, TakeProgress) for x in items[:first_take])
    assert [x.variation for x in items[first_take:]] == [0, 1, 2]
    for v in range(3):
        done = [x.bars_done for x in items[:first_take] if x.variation == v]
        assert done == sorted(done) and done[-1] == 3
        assert set(range(1, 4)) <= set(done)  # at least once per bar
        last = [x for x in items[:first_take] if x.variation == v][-1]
        assert last.done
        # Streamed notes grow: each progress holds the notes of the one before.
        seen = [x.notes.get(score.tracks[0].name, ()) for x in items[:first_take]
                if x.variation == v]
        assert all(a == b[:len(a)] for a, b in zip(seen, seen[1:]))


def test_closing_the_stream_stops_the_model_within_a_step(registry):
    score = read_abc(TUNE)
    counting = CountingRegistry(registry)
    stream = continue_passage(ask(score, 0, 3, bars=6), counting)
    next(stream)
    at_close = counting.steps
    stream.close()
    assert counting.steps == at_close
    full = CountingRegistry(registry)
    list(continue_passage(ask(score, 0, 3, bars=6), full))
    assert at_close < full.steps / 4


def test_a_selection_at_the_very_end_extends_the_tune(registry):
    score = read_abc(TUNE)
    last = len(score.bars()) - 1
    bar = score.meters[0].bar_ticks
    for mode in ("insert", "replace"):
        (take,) = takes_of(ask(score, last - 3, last, bars=2, mode=mode), registry)
        assert take.start == score.length and take.end == score.length + 2 * bar
        assert take.score.length == score.length + 2 * bar
        new = [n for n in melody(take.score) if n.start >= score.length]
        assert new and max(n.end for n in new) <= take.end
        # The ABC of the result reads back with the new bars.
        back = read_abc(score_to_abc(take.score))
        assert back.length == take.score.length


def test_context_feeds_the_music_before_the_selection(registry):
    from composer.generation.engine import make_seed

    score = read_abc(TUNE)
    plain, ctx = ask(score, 4, 5, bars=2), ask(score, 4, 5, bars=2, context=True)
    a, b = make_seed(plain), make_seed(ctx)
    assert a.offset == score.bars()[4][0] and b.offset == 0
    assert (a.new_start, a.new_end) == (b.new_start, b.new_end)
    codec = registry.load("folk-abc").codec
    short, long = codec.encode(a.score, a.plan), codec.encode(b.score, b.plan)
    assert len(long) > len(short) + 30  # the pickup and three more bars of text
    take = takes_of(ctx, registry)[0]
    assert (take.start, take.end) == (a.new_start, a.new_end)


def test_same_seed_same_takes_and_variation_alone(registry):
    score = read_abc(TUNE)
    three = takes_of(ask(score, 0, 3, variations=3, seed=11), registry)
    again = takes_of(ask(score, 0, 3, variations=3, seed=11), registry)
    assert [t.score for t in three] == [t.score for t in again]
    alone = takes_of(ask(score, 0, 3, variations=1, seed=12), registry)
    assert alone[0].score == three[1].score and three[1].seed == 12


@pytest.mark.parametrize("change, message", [
    ({"bars": 0}, "at least 1"),
    ({"bars": 1000}, "at most 256"),
    ({"variations": 0}, "variations must be 1 to 16"),
    ({"selection": Selection(0, 0)}, "selection is empty"),
    ({"selection": Selection(0, 10**7)}, "ends after the tune"),
    ({"selection": Selection(0, 1440, ("Nope",))}, "no track named Nope"),
])
def test_bad_requests_say_why(registry, change, message):
    import dataclasses

    request = dataclasses.replace(ask(read_abc(TUNE), 0, 3), **change)
    with pytest.raises(BadRequestError, match=message):
        list(continue_passage(request, registry))
