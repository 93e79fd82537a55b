import json
import pickle

import pytest
import torch

from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.errors import IncompatibleModelError, ModelError, ModelFileError
from composer.nn.vocab import CharVocab

VOCAB = CharVocab(list("\n |:ABCDEFGabcdefg2/\"KLMX"))


def load(folder, kind=None):
    """A folder of the folk network, as the kinds table would load it."""
    return checkpoint.load(folder, CharLSTM, CharVocab, kind)


def tiny_model(seed=0, hidden=16):
    torch.manual_seed(seed)
    return CharLSTM(CharLSTMConfig(vocab_size=len(VOCAB), embed=8, hidden=hidden, layers=2,
                                   dropout=0.1)).eval()


@pytest.fixture
def saved(tmp_path):
    model = tiny_model()
    checkpoint.save(tmp_path / "m", model, model.config, VOCAB,
                    {"kind": "folk-abc", "metrics": {"x": 1}})
    return model, tmp_path / "m"


def test_save_load_gives_the_same_logits(saved):
    model, folder = saved
    loaded = load(folder)
    assert loaded.kind == "folk-abc"
    assert loaded.config == model.config
    assert loaded.vocab == VOCAB
    assert loaded.card.metrics == {"x": 1}
    assert loaded.card.config["hidden"] == 16 and loaded.card.architecture == "CharLSTM"
    x = torch.tensor([VOCAB.encode("X:1\nK:G\nABc|")])
    with torch.no_grad():
        a, _ = model(x)
        b, _ = loaded.model(x)
    assert torch.equal(a, b)
    assert not loaded.model.training


def test_files_are_safetensors_and_json_only(saved):
    _, folder = saved
    assert sorted(p.name for p in folder.iterdir()) == ["card.json", "model.safetensors",
                                                        "vocab.json"]
    json.loads((folder / "vocab.json").read_text())


def test_missing_folder_card_weights_vocab(saved, tmp_path):
    _, folder = saved
    with pytest.raises(ModelFileError, match="not found"):
        load(tmp_path / "nowhere")
    (folder / "vocab.json").unlink()
    with pytest.raises(ModelFileError, match="vocabulary file is missing"):
        load(folder)
    (folder / "model.safetensors").unlink()
    (folder / "card.json").unlink()
    with pytest.raises(ModelFileError, match="card is missing"):
        load(folder)


def test_missing_weights(saved):
    _, folder = saved
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelFileError, match="weights file is missing"):
        load(folder)


def test_corrupt_weights_and_card(saved):
    _, folder = saved
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt"):
        load(folder)
    (folder / "card.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="unreadable"):
        load(folder)


def test_a_pickle_is_refused_and_never_unpickled(saved, monkeypatch):
    model, folder = saved
    torch.save(model.state_dict(), folder / "model.safetensors")

    def no_unpickling(*args, **kwargs):
        raise AssertionError("something tried to unpickle")

    monkeypatch.setattr(pickle, "loads", no_unpickling)
    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(torch, "load", no_unpickling)
    with pytest.raises(ModelFileError, match="pickle"):
        load(folder)
    (folder / "model.safetensors").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ModelFileError, match="pickle"):
        load(folder)


def test_card_naming_pickled_weights_is_refused(saved):
    _, folder = saved
    card = json.loads((folder / "card.json").read_text())
    card["weights"] = "model.pt"
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="only .safetensors"):
        load(folder)


def test_weights_of_another_shape(saved, tmp_path):
    _, folder = saved
    other = tiny_model(hidden=24)
    checkpoint.save_weights(folder / "model.safetensors", other.state_dict())
    with pytest.raises(IncompatibleModelError) as info:
        load(folder)
    assert info.value.expected != info.value.found
    assert "shape" in str(info.value)


def test_weights_with_missing_tensors(saved):
    model, folder = saved
    state = {k: v for k, v in model.state_dict().items() if "head" not in k}
    checkpoint.save_weights(folder / "model.safetensors", state)
    with pytest.raises(IncompatibleModelError, match="missing head"):
        load(folder)


def test_vocabulary_of_another_size(saved):
    _, folder = saved
    CharVocab(list("abc")).save(folder / "vocab.json")
    with pytest.raises(IncompatibleModelError) as info:
        load(folder)
    assert info.value.expected == len(VOCAB)
    assert info.value.found == 6


def test_unknown_kind_and_wrong_kind(saved):
    _, folder = saved
    with pytest.raises(IncompatibleModelError, match="kind"):
        load(folder, kind="midi-event")
    card = json.loads((folder / "card.json").read_text())
    card["kind"] = "nonsense"
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="nonsense"):
        load(folder, kind="folk-abc")


def test_bad_architecture_config(saved):
    _, folder = saved
    card = json.loads((folder / "card.json").read_text())
    card["architecture"]["config"]["hidden"] = -3
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="hidden"):
        load(folder)
    card["architecture"]["config"] = {"vocab_size": 5, "wings": 2}
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(IncompatibleModelError, match="wings"):
        load(folder)


def test_save_refuses_a_card_without_a_kind(tmp_path):
    model = tiny_model()
    with pytest.raises(ModelError, match="kind"):
        checkpoint.save(tmp_path / "m", model, model.config, VOCAB, {"metrics": {}})
