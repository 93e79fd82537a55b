"""The model's eye (issue 8): the inspector's numbers against a direct computation of
the model, incremental reading after edits, and next-event guesses of the MIDI models."""

import math
import types

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from composer.generation.errors import GenerationError
from composer.generation.inspection import TextInspector, char_label, next_events
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from tests.generation.macnet import helpers as macnet_helpers
from tests.generation.piano import helpers as piano_helpers

CHARS = "\n !\"#%'()+,-/0123456789:<>=ABCDEFGHKLMNPSTXYZ[]^_abcdefgmnorstuz|\\"
TUNE = """X:1
T:Test Jig
M:6/8
L:1/8
K:D
A|"D"FAA dAA|"G"BAG "A"FED|"D"FAA dfe|"A"dcB "D"A2:|
f|"D"afd "G"gfe|"D"fdA "A"A2f|"G"gfe "D"fed|"A"ecA "D"d2|]
"""


@pytest.fixture(scope="module")
def model_vocab():
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    return model.eval(), vocab


def manual_hidden(model, ids):
    """Every layer's h after every token, from the LSTM equations written out."""
    x = model.embed(torch.tensor(ids))
    out = []
    for layer in range(model.config.layers):
        w_ih = getattr(model.lstm, f"weight_ih_l{layer}")
        w_hh = getattr(model.lstm, f"weight_hh_l{layer}")
        b = getattr(model.lstm, f"bias_ih_l{layer}") + getattr(model.lstm, f"bias_hh_l{layer}")
        h = torch.zeros(model.config.hidden)
        c = torch.zeros(model.config.hidden)
        hs = []
        for t in range(len(ids)):
            i, f, g, o = (w_ih @ x[t] + w_hh @ h + b).chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            hs.append(h)
        x = torch.stack(hs)
        out.append(x)
    return torch.stack(out)  # (layers, T, H)


def test_numbers_match_a_direct_forward_pass(model_vocab):
    model, vocab = model_vocab
    view = TextInspector(model, vocab, top_k=5).read(TUNE)
    ids = [vocab.bos] + vocab.encode(TUNE)
    with torch.no_grad():
        logits, _ = model(torch.tensor([ids]))
        logp = F.log_softmax(logits[0], dim=-1)
        hidden = manual_hidden(model, ids)
    n = len(TUNE)
    want_bits = -logp[torch.arange(n), torch.tensor(ids[1:])] / math.log(2)
    np.testing.assert_allclose(view.bits, want_bits.numpy(), atol=1e-4)
    for i in (0, 17, n - 1):
        probs = logp[i + 1].exp()
        best = torch.argsort(probs, descending=True)[:5]
        assert [g.token for g in view.guesses(i)] == [vocab.tokens[t] for t in best]
        np.testing.assert_allclose([g.prob for g in view.guesses(i)], probs[best].numpy(),
                                   atol=1e-5)
    for layer in (0, 1):
        np.testing.assert_allclose(view.activation(layer, 7), hidden[layer, 1:, 7].numpy(),
                                   atol=1e-4)
    assert view.bits_per_char == pytest.approx(float(want_bits.mean()), abs=1e-4)
    assert view.expected_at(5) == view.guesses(4)


@pytest.mark.parametrize("where", [0, 63, 64, 130, len(TUNE) - 1])
def test_an_edit_reads_again_only_from_the_checkpoint_before_it(model_vocab, where):
    model, vocab = model_vocab
    inspector = TextInspector(model, vocab, every=32)
    inspector.read(TUNE)
    edited = TUNE[:where] + "e" + TUNE[where + 1:]
    view = inspector.read(edited)
    fresh = TextInspector(model, vocab).read(edited)
    np.testing.assert_allclose(view.bits, fresh.bits, atol=1e-5)
    np.testing.assert_allclose(view.hidden, fresh.hidden, atol=1e-5)
    assert (view.top_ids == fresh.top_ids).all()
    assert where - 32 <= view.recomputed_from <= where
    # Reading the same text again computes nothing; typing at the end little.
    assert inspector.read(edited).recomputed_from == len(edited)
    longer = inspector.read(edited + "A")
    assert longer.recomputed_from >= len(edited) - 32 and len(longer.bits) == len(edited) + 1


def test_shorter_text_and_empty_text(model_vocab):
    model, vocab = model_vocab
    inspector = TextInspector(model, vocab, every=16)
    inspector.read(TUNE)
    short = inspector.read(TUNE[:40])
    np.testing.assert_allclose(short.bits, TextInspector(model, vocab).read(TUNE[:40]).bits,
                               atol=1e-5)
    empty = inspector.read("")
    assert len(empty.bits) == 0 and empty.most_active() == []
    assert len(inspector.end_guesses()) == 5


def test_unknown_characters_are_marked_and_typos_stand_out(model_vocab):
    model, vocab = model_vocab
    view = TextInspector(model, vocab).read("X:1\nK:G\nG\u00e9A|\n")
    assert view.unknown.tolist() == [False] * 9 + [True] + [False] * 3


def test_most_active_neurons_vary_most(model_vocab):
    model, vocab = model_vocab
    view = TextInspector(model, vocab).read(TUNE)
    ranked = view.most_active(5)
    stds = [s for _, _, s in ranked]
    assert stds == sorted(stds, reverse=True) and len(ranked) == 5
    layer, unit, std = ranked[0]
    assert std == pytest.approx(float(view.activation(layer, unit).std()), rel=1e-5)
    assert std >= float(view.hidden.std(axis=1).max()) - 1e-6


def test_bad_units_and_window_models_are_clear_errors(model_vocab):
    model, vocab = model_vocab
    view = TextInspector(model, vocab).read(TUNE)
    with pytest.raises(GenerationError, match="layers 0 to 1"):
        view.activation(2, 0)
    with pytest.raises(GenerationError, match="neurons 0 to 23"):
        view.activation(0, 24)
    window = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=8, layers=1,
                                     context="window"))
    with pytest.raises(GenerationError, match="stateful"):
        TextInspector(window, vocab)


def test_labels():
    assert char_label("\n") == "\u23ce" and char_label(" ") == "\u2423"
    assert char_label("<eos>") == "end" and char_label("G") == "G"


def _loaded(model, codec, name):
    return types.SimpleNamespace(step_model=model, codec=codec,
                                 info=types.SimpleNamespace(name=name, kind="midi"))


def test_macnet_next_events_match_the_model_and_its_constraints():
    model, codec = macnet_helpers.tiny_codec()
    score = macnet_helpers.tune()
    bar = score.bars()[2][0]
    view = next_events(_loaded(model, codec, "macnet-folk"), score, bar, top_k=4)
    assert len(view.guesses) == 4
    probs = [g.prob for g in view.guesses]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
    # Each guess is an event the decoder allows there, named for a musician.
    assert all(g.label.startswith(("melody", "bar line", "meter")) for g in view.guesses)
    # The events read before the cursor are the prompt's, scored by the model.
    from composer.generation.engine import make_seed
    from composer.generation.request import ContinueRequest, Selection

    seed = make_seed(ContinueRequest(score, Selection(0, bar), 1, "macnet-folk", context=True))
    prompt = codec.encode(seed.score, seed.plan)
    assert len(view.events) == len(prompt) - 1
    with torch.no_grad():
        state = model.init_state(1)
        logits, state = model.step(torch.tensor([prompt[:1]]), state)
        want = -F.log_softmax(logits[0], -1)[prompt[1]].item() / math.log(2)
    assert view.events[0].bits == pytest.approx(want, abs=1e-4)
    assert math.isfinite(view.bits_per_event)


def test_piano_next_events_are_named():
    model, codec = piano_helpers.tiny()
    score = piano_helpers.piece()
    view = next_events(_loaded(model, codec, "piano-lstm"), score, score.bars()[3][0])
    assert view.guesses and all(
        g.label.startswith(("strike", "hold", "advance", "bar line", "end")) for g in view.guesses)
    with pytest.raises(GenerationError, match="not inside the tune"):
        next_events(_loaded(model, codec, "piano-lstm"), score, score.length + 4800)


def test_events_know_their_ticks_and_notes():
    model, codec = piano_helpers.tiny()
    score = piano_helpers.piece()
    tick = score.bars()[3][0]
    view = next_events(_loaded(model, codec, "piano-lstm"), score, tick)
    notes = {(n.start, n.pitch) for t in score.tracks for n in t.notes}
    struck = [e for e in view.events if e.pitches]
    assert struck and all(e.label.startswith("strike") for e in struck)
    assert all((e.tick, e.pitches[0]) in notes for e in struck)
    # Every note before the cursor is struck by one event: with no threshold, all marked.
    marked = {(n.start, n.pitch) for n, _ in view.surprising_notes(score, threshold=0)}
    assert marked == {(a, p) for a, p in notes if a < tick}
    assert view.surprising_notes(score, threshold=1e9) == []
    m_model, m_codec = macnet_helpers.tiny_codec()
    tune = macnet_helpers.tune()
    m_view = next_events(_loaded(m_model, m_codec, "macnet-folk"), tune, tune.bars()[2][0])
    melody = {(n.start, n.pitch) for n in tune.tracks[0].notes}
    hits = {(e.tick, p) for e in m_view.events for p in e.pitches}
    assert {(a, p) for a, p in melody if a < tune.bars()[2][0]} <= hits


def test_reset_reads_from_the_start(model_vocab):
    model, vocab = model_vocab
    inspector = TextInspector(model, vocab, every=16)
    first = inspector.read(TUNE)
    inspector.reset()
    again = inspector.read(TUNE)
    assert again.recomputed_from == 0
    np.testing.assert_allclose(again.bits, first.bits, atol=1e-6)
