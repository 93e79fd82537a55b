"""MAC-Net: save -> load -> same logits, step-by-step equals whole-sequence scoring,
features derived from the tokens, typed errors for broken model folders."""

import json

import pytest
import torch

from composer.generation.macnet.vocab import MacnetVocab
from composer.nn import checkpoint
from composer.nn.errors import IncompatibleModelError, ModelFileError
from composer.nn.macnet import MacNet, MacNetConfig
from tests.generation.macnet.helpers import small_vocab, tiny_model


@pytest.fixture(scope="module")
def vocab():
    return small_vocab()


def tokens(vocab, n=40):
    ids = [vocab.end, vocab.id("R:2"), vocab.id("M:4/4"), vocab.bar]
    steps = list(range(vocab.step_base, len(vocab)))
    g = torch.Generator().manual_seed(1)
    body = [steps[int(i)] for i in torch.randint(len(steps), (n,), generator=g)]
    return torch.tensor([ids + body[:8] + [vocab.bar] + body[8:]])


def test_save_load_same_logits(tmp_path, vocab):
    model = tiny_model(vocab).eval()
    x = tokens(vocab)
    before, _ = model(x, *model.features(x))
    checkpoint.save(tmp_path / "m", model, model.config, vocab, {"kind": "macnet"})
    loaded = checkpoint.load(tmp_path / "m", MacNet, MacnetVocab)
    after, _ = loaded.model(x, *loaded.model.features(x))
    assert torch.equal(before, after)
    assert loaded.vocab.tokens == vocab.tokens


def test_stepping_matches_whole_sequence(vocab):
    model = tiny_model(vocab).eval()
    x = tokens(vocab)
    with torch.inference_mode():
        whole, _ = model(x, *model.features(x))
        state = model.init_state(1)
        logits, state = model.step(x[:, :5], state)
        rows = [logits]
        for t in range(5, x.shape[1]):
            logits, state = model.step(x[:, t:t + 1], state)
            rows.append(logits)
    assert torch.allclose(torch.stack(rows, 1), whole[:, 4:], atol=1e-5)


def test_features_count_twelfths_since_the_bar(vocab):
    model = tiny_model(vocab)
    step = vocab.step_base
    x = torch.tensor([[vocab.end, vocab.id("R:2"), vocab.id("M:6/8"), vocab.bar, step, step,
                       vocab.bar, step, vocab.id("R:4"), step]])
    pos, meter, res = model.features(x)
    assert pos[0].tolist() == [0, 0, 0, 0, 6, 12, 0, 6, 6, 9]
    assert meter[0, 0] == model.config.n_meters  # none yet
    assert vocab.meters[int(meter[0, -1])] == "M:6/8"
    assert [vocab.resolutions[int(r)] for r in res[0, 1:]] == [2] * 7 + [4, 4]


def test_broken_folders_raise_typed_errors(tmp_path, vocab):
    model = tiny_model(vocab)
    folder = checkpoint.save(tmp_path / "m", model, model.config, vocab, {"kind": "macnet"})
    card = json.loads((folder / "card.json").read_text())
    card["architecture"]["config"]["hidden"] = 32
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="shape"):
        checkpoint.load(folder, MacNet, MacnetVocab)
    card["architecture"]["config"]["hidden"] = 16
    card["architecture"]["config"]["resolutions"] = [5]
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="resolutions"):
        checkpoint.load(folder, MacNet, MacnetVocab)
    card["architecture"]["config"]["resolutions"] = [2, 3, 4, 6, 12]
    (folder / "card.json").write_text(json.dumps(card))
    (folder / "vocab.json").write_text("{}")
    with pytest.raises(ModelFileError, match="vocabulary"):
        checkpoint.load(folder, MacNet, MacnetVocab)


def test_config_json_round_trip(vocab):
    config = tiny_model(vocab).config
    assert MacNetConfig.from_json(json.loads(json.dumps(config.to_json()))) == config
    with pytest.raises(IncompatibleModelError, match="keys"):
        MacNetConfig.from_json(dict(config.to_json(), heads=4))
