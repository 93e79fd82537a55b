import pytest
import torch

from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.errors import IncompatibleModelError, ModelFileError
from composer.nn.vocab import CharVocab


def test_stepping_one_character_at_a_time_equals_the_whole_sequence():
    torch.manual_seed(1)
    model = CharLSTM(CharLSTMConfig(vocab_size=11, embed=6, hidden=10, layers=3)).eval()
    x = torch.randint(0, 11, (2, 9))
    with torch.no_grad():
        full, _ = model(x)
        state = model.init_state(2)
        logits, state = model.step(x[:, :4], state)
        assert torch.allclose(logits, full[:, 3], atol=1e-6)
        for t in range(4, 9):
            logits, state = model.step(x[:, t:t + 1], state)
            assert torch.allclose(logits, full[:, t], atol=1e-6)


def test_weight_drop_changes_training_outputs_only():
    torch.manual_seed(2)
    model = CharLSTM(CharLSTMConfig(vocab_size=7, embed=4, hidden=8, layers=2, dropout=0.0,
                                    weight_drop=0.5))
    x = torch.randint(0, 7, (1, 12))
    model.train()
    a, _ = model(x)
    b, _ = model(x)
    assert not torch.equal(a, b)
    a.sum().backward()
    assert model.lstm.weight_hh_l0.grad is not None
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x)[0], model(x)[0])


@pytest.mark.parametrize("bad", [{"hidden": 0}, {"dropout": 1.5}, {"context": "sideways"}])
def test_bad_configs_are_typed_errors(bad):
    with pytest.raises(IncompatibleModelError):
        CharLSTMConfig(vocab_size=5, **bad)


def test_vocab_round_trip_and_unknown_characters(tmp_path):
    vocab = CharVocab.from_texts(["abc", "cab|"])
    assert vocab.chars == ("a", "b", "c", "|")
    ids = vocab.encode("ab~")
    assert ids[-1] == vocab.unk
    assert vocab.decode([vocab.bos, *vocab.encode("cab"), vocab.eos]) == "cab"
    vocab.save(tmp_path / "v.json")
    assert CharVocab.load(tmp_path / "v.json") == vocab
    (tmp_path / "v.json").write_text('{"format": "other"}')
    with pytest.raises(ModelFileError):
        CharVocab.load(tmp_path / "v.json")
