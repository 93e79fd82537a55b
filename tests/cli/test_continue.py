"""``composer continue`` and ``composer models`` (issue 4) with a tiny random-weight folk
model installed in the user's model folder: ABC and MIDI outputs, bar exactness, and
one clear line for every bad argument."""

import json

import pytest
import torch

from composer import paths
from composer.cli.main import main
from composer.music.abc import read_abc
from composer.music.io import read_score
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from tests.generation.folk.test_codec import CHARS, TUNE


@pytest.fixture
def tiny(fixtures):
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    checkpoint.save(paths.user_models_dir() / "tiny-folk", model, model.config, vocab,
                    {"kind": "folk-abc", "description": "tiny test model",
                     "metrics": {"test_bits_per_char": 4.5}})
    return "tiny-folk"


@pytest.fixture
def tune(tmp_path):
    path = tmp_path / "jig.abc"
    path.write_text(TUNE)
    return path


def test_abc_output_holds_one_tune_per_variation(tiny, tune, tmp_path):
    out = tmp_path / "takes.abc"
    assert main(["continue", str(tune), "--from-bar", "1", "--to-bar", "4", "--bars", "3",
                 "--variations", "2", "--model", tiny, "--seed", "7", "-o", str(out),
                 "-q"]) == 0
    text = out.read_text()
    assert text.count("X:") == 2 and "(take 2, seed 8)" in text
    original = read_abc(TUNE)
    for x in (1, 2):
        take = read_abc(text, x=x)
        assert take.length == original.length  # replace: the bars after are overwritten
        assert take.bars()[:4] == original.bars()[:4]


def test_midi_output_one_file_per_variation_in_insert_mode(tiny, tune, tmp_path):
    plain = tmp_path / "plain.abc"  # MIDI plays repeats out: a tune without them
    plain.write_text(TUNE.replace(":|", "|"))
    out = tmp_path / "take.mid"
    assert main(["continue", str(plain), "--from-bar", "1", "--to-bar", "2", "--bars", "2",
                 "--variations", "2", "--mode", "insert", "--model", tiny, "--seed", "3",
                 "-o", str(out), "-q"]) == 0
    original = read_abc(plain.read_text())
    bar = original.meters[0].bar_ticks
    for i in (1, 2):
        take = read_score(tmp_path / f"take-{i}.mid")
        assert take.length == original.length + 2 * bar
    assert not out.exists()


def test_same_seed_same_output(tiny, tune, tmp_path):
    for name in ("a.abc", "b.abc"):
        assert main(["continue", str(tune), "--bars", "2", "--model", tiny, "--seed", "9",
                     "-o", str(tmp_path / name), "-q"]) == 0
    assert (tmp_path / "a.abc").read_text() == (tmp_path / "b.abc").read_text()


@pytest.mark.parametrize("args, message", [
    (["--bars", "0"], "--bars must be at least 1"),
    (["--bars", "2", "--from-bar", "40"], "--from-bar 40 is out of range"),
    (["--bars", "2", "--to-bar", "99"], "--to-bar 99 is out of range"),
    (["--bars", "2", "--variations", "0"], "--variations must be at least 1"),
    (["--bars", "2", "--temperature", "0"], "--temperature must be above 0"),
    (["--bars", "2", "--model", "nonesuch"], "nonesuch"),
    (["--bars", "2", "-o", "out.txt"], "OUT must end in .abc, .mid or .midi"),
])
def test_bad_arguments_give_one_line(tiny, tune, tmp_path, capsys, args, message):
    argv = ["continue", str(tune), "--model", tiny, "-o", str(tmp_path / "o.abc"), "-q"] + args
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "o.abc").exists()


def test_a_meter_the_model_cannot_write(tmp_path, capsys):
    from tests.generation.macnet import helpers as macnet_helpers

    model, codec = macnet_helpers.tiny_codec()
    checkpoint.save(paths.user_models_dir() / "tiny-macnet", model, model.config, codec.vocab,
                    {"kind": "macnet"})
    odd = tmp_path / "odd.abc"
    odd.write_text("X:1\nT:Odd\nM:5/4\nL:1/4\nK:C\nC D E F G|A B c d e|c B A G F|E D C D E|\n")
    assert main(["continue", str(odd), "--bars", "2", "--model", "tiny-macnet",
                 "-o", str(tmp_path / "o.abc"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "writes only the meters" in err and "5/4" in err


def test_models_lists_cards(tiny, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "tiny-folk" in out
    assert main(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    entry = next(m for m in (listed if isinstance(listed, list) else listed["models"])
                 if m["name"] == "tiny-folk")
    assert entry["card"]["description"] == "tiny test model"


def test_models_flags_a_broken_folder(capsys):
    broken = paths.user_models_dir() / "broken"
    broken.mkdir(parents=True)
    (broken / "card.json").write_text("{not json")
    assert main(["models"]) == 0
    assert "unreadable" in capsys.readouterr().out
