"""The piano LSTM: save -> load -> same logits; stepping (with its attention memory)
equals whole-sequence scoring, also across the chunk size; features; typed errors."""

import json

import pytest
import torch

from composer.generation.piano.events import PianoVocab
from composer.nn import checkpoint
from composer.nn import piano_lstm as pl
from composer.nn.errors import IncompatibleModelError
from composer.nn.piano_lstm import PianoLSTM
from tests.generation.piano.helpers import tiny


def random_tokens(vocab, n, seed=1):
    g = torch.Generator().manual_seed(seed)
    body = torch.randint(vocab.bar_base, len(vocab), (1, n), generator=g)
    return torch.cat([torch.tensor([[vocab.end]]), body], dim=1)


def test_save_load_same_logits(tmp_path):
    model, codec = tiny()
    x = random_tokens(codec.vocab, 50)
    before, _ = model(x, *model.features(x))
    checkpoint.save(tmp_path / "p", model, model.config, codec.vocab, {"kind": "piano-lstm"})
    loaded = checkpoint.load(tmp_path / "p", PianoLSTM, PianoVocab)
    after, _ = loaded.model(x, *loaded.model.features(x))
    assert torch.equal(before, after) and loaded.vocab.tokens == codec.vocab.tokens


def test_step_equals_forward_across_chunks(monkeypatch):
    monkeypatch.setattr(pl, "CHUNK", 16)  # several chunks, window 6 crossing them
    model, codec = tiny()
    x = random_tokens(codec.vocab, 70)
    with torch.inference_mode():
        whole, _ = model(x, *model.features(x))
        state = model.init_state(1)
        logits, state = model.step(x[:, :20], state)
        rows = [logits]
        for t in range(20, x.shape[1]):
            logits, state = model.step(x[:, t:t + 1], state)
            rows.append(logits)
    assert torch.allclose(torch.stack(rows, 1), whole[:, 19:], atol=1e-5)
    assert state[2].shape[1] == model.config.attn_window


def test_features_sum_durations_since_the_bar():
    model, codec = tiny()
    v = codec.vocab
    x = torch.tensor([[v.end, v.id("<bar:48>"), v.id("N60"), v.id("D6"), v.id("H60"),
                       v.id("D12"), v.id("<bar:36>"), v.id("D3")]])
    pos, bar = model.features(x)
    assert pos[0].tolist() == [0, 0, 0, 6, 6, 18, 0, 3]
    assert [v.bar_lengths[int(b)] if b < len(v.bar_lengths) else None
            for b in bar[0]] == [None, 48, 48, 48, 48, 48, 36, 36]


def test_config_errors(tmp_path):
    model, codec = tiny()
    folder = checkpoint.save(tmp_path / "p", model, model.config, codec.vocab,
                             {"kind": "piano-lstm"})
    card = json.loads((folder / "card.json").read_text())
    card["architecture"]["config"]["dur_base"] = 10_000
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="dur_base"):
        checkpoint.load(folder, PianoLSTM, PianoVocab)
    card["architecture"]["config"]["dur_base"] = codec.vocab.dur_base
    card["architecture"]["config"]["attn_dim"] = 12
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="shape"):
        checkpoint.load(folder, PianoLSTM, PianoVocab)
