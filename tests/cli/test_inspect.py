"""``composer inspect MODEL IN`` (issue 8): the JSON numbers are the inspector's, for a
folk model on an ABC tune and a piano model on a MIDI file; bad arguments give one line."""

import json

import numpy as np
import pytest
import torch

from composer.cli.main import main
from composer.generation.inspection import TextInspector
from composer.generation.loading import load_checkpoint
from composer.music.io import write_score
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from tests.generation.piano import helpers as piano_helpers


@pytest.fixture(scope="module")
def folk_dir(tmp_path_factory):
    torch.manual_seed(1)
    text = (__import__("tests.conftest", fromlist=["FIXTURES"]).FIXTURES / "folk" /
            "mini.abc").read_text()
    vocab = CharVocab.from_texts([text])
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=12, layers=2))
    folder = tmp_path_factory.mktemp("models") / "tiny-folk"
    checkpoint.save(folder, model, model.config, vocab, {"kind": "folk-abc"})
    return folder


def test_folk_json_has_every_character(folk_dir, fixtures, capsys):
    abc = fixtures / "folk" / "mini.abc"
    assert main(["inspect", str(folk_dir), str(abc), "--tune", "2", "--layer", "1",
                 "--neuron", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    text = result["text"]
    assert text.startswith("X: 2\nT:Test Jig Two") and text.endswith(":|\n")
    assert result["chars"] == len(text) == len(result["positions"])
    assert (result["layer"], result["neuron"], result["layers"], result["neurons"]) == (1, 3, 2, 12)
    ckpt = load_checkpoint(folk_dir)
    view = TextInspector(ckpt.model, ckpt.vocab).read(text)
    got = np.array([p["bits"] for p in result["positions"]])
    np.testing.assert_allclose(got, view.bits, atol=1e-3)
    np.testing.assert_allclose([p["activation"] for p in result["positions"]],
                               view.activation(1, 3), atol=1e-4)
    p = result["positions"][10]
    assert p["char"] == text[10] and len(p["next"]) == 5
    assert [g["char"] for g in p["next"]] == [g.token for g in view.guesses(10)]
    assert result["bits_per_char"] == pytest.approx(float(view.bits.mean()), abs=1e-4)
    assert len(result["most_active"]) == 10


def test_folk_summary_points_at_a_typo(folk_dir, tmp_path, capsys):
    tune = tmp_path / "typo.abc"
    tune.write_text("X:1\nT:T\nM:4/4\nL:1/8\nK:G\nGABc d2 B\u00e9|\n")
    assert main(["inspect", str(folk_dir), str(tune)]) == 0
    out = capsys.readouterr().out
    assert "bits per character" in out and "most surprising" in out
    assert "line 6, column 10: \u00e9" in out and "never saw" in out


def test_piano_guesses_the_next_event_at_a_bar(tmp_path, capsys):
    model, codec = piano_helpers.tiny()
    folder = tmp_path / "models" / "tiny-piano"
    checkpoint.save(folder, model, model.config, codec.vocab, {"kind": "piano-lstm"})
    midi = tmp_path / "piece.mid"
    write_score(piano_helpers.piece(), midi)
    assert main(["inspect", str(folder), str(midi), "--bar", "3", "--top", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["bar"] == 3 and result["tick"] == 2 * 1920 and len(result["next"]) == 3
    assert all(e["bits"] >= 0 for e in result["events"]) and result["events"]
    assert main(["inspect", str(folder), str(midi)]) == 0
    assert "next event" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--layer", "5"], "layer 5 does not exist"),
    (["--neuron", "99"], "neuron 99 does not exist"),
    (["--top", "0"], "--top must be at least 1"),
    (["--tune", "42"], "no tune X:42"),
])
def test_bad_arguments_give_one_line(folk_dir, fixtures, capsys, extra, message):
    assert main(["inspect", str(folk_dir), str(fixtures / "folk" / "mini.abc"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_unknown_model_is_one_line(fixtures, capsys):
    assert main(["inspect", "no-such-model", str(fixtures / "folk" / "mini.abc")]) == 2
    assert "no-such-model" in capsys.readouterr().err
