"""``composer train`` / ``composer eval --json`` for the MIDI presets, on tiny data."""

import json

import pytest

from composer.cli.main import main
from composer.music.midi import midi_bytes
from tests.generation.macnet.helpers import tune
from tests.generation.piano.helpers import piece


@pytest.fixture(scope="module")
def nottingham(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nott")
    for i, (meter, key) in enumerate([((4, 4), "G"), ((6, 8), "D"), ((4, 4), "A"),
                                      ((6, 8), "G")]):
        (folder / f"jigs{i}.mid").write_bytes(midi_bytes(tune(meter, bars=6, key=key)))
    splits = folder / "splits.json"
    splits.write_text(json.dumps({"train": ["jigs0", "jigs1"], "valid": ["jigs2"],
                                  "test": ["jigs3"]}))
    return folder, splits


@pytest.mark.slow
def test_train_and_eval_macnet(nottingham, tmp_path, capsys):
    folder, splits = nottingham
    out = tmp_path / "m"
    args = ["train", "--preset", "macnet-folk", "--data", str(folder), "--splits", str(splits),
            "--out", str(out), "--steps", "3", "--set", "hidden=16", "--set", "embed=8",
            "--set", "batch=2", "--set", "window=32", "--set", "eval_every=2"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "nats/token" in err and "tokens/s" in err
    assert main(["eval", str(out), "--midi", str(folder), "--splits", str(splits),
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["kind"] == "macnet" and result["pieces"] == 1 and result["split"] == "test"
    assert result["frame_nll"] > 0 and result["frames"] == 6 * 1440 // 240
    assert main(["eval", str(out), "--midi", str(folder), "--splits", str(splits),
                 "--json", "--write-card"]) == 0
    capsys.readouterr()
    card = json.loads((out / "card.json").read_text())
    assert card["metrics"]["test"]["frame_nll"] == result["frame_nll"]


@pytest.mark.slow
def test_train_and_eval_piano(tmp_path, capsys):
    data = tmp_path / "piano" / "Bach"
    data.mkdir(parents=True)
    for i in range(8):
        (data / f"b{i}.mid").write_bytes(midi_bytes(piece(bars=2)))
    out = tmp_path / "p"
    assert main(["train", "--preset", "piano-lstm", "--data", str(tmp_path / "piano"),
                 "--out", str(out), "--steps", "2", "--quiet", "--set", "hidden=16",
                 "--set", "attn_dim=8", "--set", "batch=2", "--set", "window=32"]) == 0
    card = json.loads((out / "card.json").read_text())
    assert card["data"]["split"]["test"] == ["Bach/b3"]
    assert main(["eval", str(out), "--midi", str(tmp_path / "piano"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["pieces"] == 8


def test_bad_arguments_are_one_line(nottingham, tmp_path, capsys):
    folder, _ = nottingham
    code = main(["train", "--preset", "macnet-folk", "--data", str(folder), "--out",
                 str(tmp_path / "x")])
    assert code == 2 and "needs --splits" in capsys.readouterr().err
    code = main(["train", "--preset", "piano-lstm", "--data", str(folder), "--out",
                 str(tmp_path / "x"), "--set", "colour=blue"])
    err = capsys.readouterr().err
    assert code == 2 and "colour" in err and len(err.strip().splitlines()) == 1
    code = main(["eval", str(tmp_path / "nothing"), "--midi", str(folder)])
    assert code == 2 and "not found" in capsys.readouterr().err
