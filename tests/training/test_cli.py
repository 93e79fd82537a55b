import json

import pytest

from composer.cli.main import main

SMALL = ["--set", "hidden=16", "--set", "layers=1", "--set", "embed=8", "--set", "batch=4",
         "--set", "bptt=32", "--set", "eval_every=10", "--set", "threads=1"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from composer.cli.main import main as run

    folk = tmp_path_factory.mktemp("data")
    out = folk / "model"
    fixtures = __import__("tests.conftest", fromlist=["FIXTURES"]).FIXTURES / "folk"
    assert run(["train", "--data", str(fixtures / "mini.abc"), "--splits",
                str(fixtures / "splits.json"), "--out", str(out), "--steps", "20",
                "--quiet", *SMALL]) == 0
    return out


def test_train_writes_a_model_and_resumes_when_run_again(model_dir, fixtures, capsys):
    assert (model_dir / "card.json").is_file() and (model_dir / "model.safetensors").is_file()
    card = json.loads((model_dir / "card.json").read_text())
    assert card["training"]["preset"] == "folk" and card["training"]["config"]["hidden"] == 16
    assert main(["train", "--data", str(fixtures / "folk" / "mini.abc"), "--splits",
                 str(fixtures / "folk" / "splits.json"), "--out", str(model_dir), "--steps",
                 "20", "--quiet", *SMALL]) == 0
    assert "done: 20 steps" in capsys.readouterr().out


def test_eval_prints_the_json_of_issue_3(model_dir, fixtures, capsys):
    code = main(["eval", str(model_dir), "--abc", str(fixtures / "folk"), "--splits",
                 str(fixtures / "folk" / "splits.json"), "--split", "test", "--samples", "2",
                 "--seed", "4", "--max-chars", "300", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"bits_per_char", "tunes", "chars", "samples"}
    assert set(result["samples"]) == {"n", "parsed", "bars", "bars_correct_length", "key_kept"}
    assert result["tunes"] == 1
    body = (fixtures / "folk" / "mini.abc").read_text().split("K:F\n")[1].rstrip("\n") + "\n"
    assert result["chars"] == len(body) + 1
    assert 0 < result["bits_per_char"] < 8
    samples = result["samples"]
    assert samples["n"] == 2 and samples["parsed"] == 2
    assert samples["bars_correct_length"] == samples["bars"]


@pytest.mark.parametrize("args, message", [
    (["eval", "nowhere", "--abc", "x.abc"], "not found"),
    (["train", "--preset", "huge", "--data", "x", "--out", "o"], "unknown preset"),
    (["train", "--data", "missing-folder", "--out", "o"], "no such file"),
    (["train", "--data", "x", "--out", "o", "--set", "wings=2"], "--set"),
])
def test_bad_arguments_give_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_eval_needs_splits_for_a_split(model_dir, fixtures, capsys):
    assert main(["eval", str(model_dir), "--abc", str(fixtures / "folk"), "--split",
                 "test"]) == 2
    assert "--split needs --splits" in capsys.readouterr().err


def test_eval_can_record_its_result_in_the_card(model_dir, fixtures, capsys):
    assert main(["eval", str(model_dir), "--abc", str(fixtures / "folk"), "--splits",
                 str(fixtures / "folk" / "splits.json"), "--split", "test", "--json",
                 "--write-card"]) == 0
    printed = json.loads(capsys.readouterr().out)
    card = json.loads((model_dir / "card.json").read_text())
    recorded = card["metrics"]["test"]
    assert recorded["bits_per_char"] == printed["bits_per_char"]
    assert recorded["evaluated_with"]["temperature"] == 1.0
    assert "valid_bits_per_char" in card["metrics"]  # what training wrote stays


def test_the_card_names_extra_collections_without_this_machines_paths():
    from pathlib import Path

    import music21

    from composer.training.folk import _collections

    corpus = Path(music21.__file__).parent / "corpus"
    sources = [str(corpus / "oneills1850" / "0001-0050.abc"),
               str(corpus / "oneills1850" / "0051-0100.abc"),
               str(corpus / "ryansMammoth" / "BanjoReel.abc"), "mine/tunes.abc"]
    assert _collections(sources) == {"mine": 1, "music21 corpus/oneills1850": 2,
                                     "music21 corpus/ryansMammoth": 1}
