"""Learn from my tunes (issue 14): ``composer train --from MODEL --data FOLDER`` and
:mod:`composer.training.finetune` on tiny base models made here, and a folder of tunes
in an untidy layout with files that cannot be read."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from composer import paths
from composer.cli.main import main
from composer.generation.loading import load_checkpoint
from composer.music.midi import midi_bytes
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from composer.training import finetune
from composer.training.corpus import AbcTune, DataError
from composer.training.user_tunes import MAX_VALID, read_abc_folder, split_valid
from tests.conftest import FIXTURES

CHARS = "\n !\"#%'()+,-/0123456789:<>=ABCDEFGHKLMNPSTXYZ[]^_abcdefgmnorstuz|\\"
FAST = ["--steps", "6", "--set", "eval_every=3", "--set", "threads=1", "--quiet"]


def make_folk_base(folder, name="tiny-folk"):
    """A tiny random-weight folk model (its vocabulary lacks some letters of the
    fixture tunes: 'i', 'l', 'v', 'w' ...)."""
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=16, layers=1,
                                    dropout=0.0))
    return checkpoint.save(folder / name, model, model.config, vocab, {
        "kind": "folk-abc", "name": name, "description": "A tiny folk model for tests.",
        "licence": {"data": "nothing at all", "data_licence": "CC0",
                    "weights_licence": "GPL-3.0-or-later"}})


def make_tunes_folder(root):
    """Tunes in subfolders (one hidden, left out), a binary file, a text file without
    tunes, and a MIDI file a folk model ignores."""
    tunes = root / "my tunes"
    (tunes / "reels" / "old").mkdir(parents=True)
    (tunes / ".cache").mkdir()
    shutil.copy(FIXTURES / "folk" / "mini.abc", tunes / "reels" / "set.abc")
    shutil.copy(FIXTURES / "folk" / "mini.abc", tunes / "reels" / "old" / "SET.ABC")
    shutil.copy(FIXTURES / "folk" / "mini.abc", tunes / ".cache" / "hidden.abc")
    (tunes / "broken.abc").write_bytes(b"X:1\nK:C\n\x00\x01\x02")
    (tunes / "notes.abc").write_text("a shopping list, not a tune\n")
    (tunes / "tune.mid").write_bytes(b"MThd")
    return tunes


@pytest.fixture
def base(tmp_path):
    return make_folk_base(tmp_path / "bases")


@pytest.fixture
def tunes(tmp_path):
    return make_tunes_folder(tmp_path)


def test_any_layout_is_read_and_bad_files_are_listed(tunes):
    read, files, skipped = read_abc_folder(tunes)
    assert files == 2 and len(read) == 16  # 8 tunes in each copy; the hidden one left out
    assert {t.id.rsplit(":", 1)[0] for t in read} == {"reels/set", "reels/old/SET"}
    assert skipped == ["broken.abc: not a text file",
                       "notes.abc: no tunes (a tune starts with X: and has a K: line before "
                       "its notes)"]


def test_validation_tunes_are_one_in_ten_by_hash_at_least_one():
    tunes = [AbcTune(f"t{i}", "X:1\nK:C\n", "abc|\n") for i in range(300)]
    train, valid = split_valid(tunes, key=lambda t: t.id)
    assert 10 <= len(valid) <= 50 and len(train) + len(valid) == 300
    assert split_valid(tunes, key=lambda t: t.id) == (train, valid)  # a fixed rule
    many = [AbcTune(f"t{i}", "X:1\nK:C\n", "abc|\n") for i in range(3000)]
    assert len(split_valid(many, key=lambda t: t.id)[1]) == MAX_VALID
    train, valid = split_valid(tunes[:2], key=lambda t: t.id)
    assert len(valid) == 1 and len(train) == 1
    with pytest.raises(DataError, match="at least two"):
        split_valid(tunes[:1], key=lambda t: t.id)


def test_from_a_folder_writes_a_model_named_after_its_base(base, tunes, capsys):
    assert main(["train", "--from", str(base), "--data", str(tunes), *FAST]) == 0
    out = paths.user_models_dir() / "tiny-folk-mine"
    err = capsys.readouterr().err
    assert "skipped broken.abc: not a text file" in err
    assert "skipped notes.abc: no tunes" in err
    loaded = load_checkpoint(out)
    assert loaded.vocab == load_checkpoint(base).vocab  # the base's vocabulary
    card = json.loads((out / "card.json").read_text())
    assert card["training"]["base"] == "tiny-folk"
    assert card["training"]["preset"] == finetune.PRESET
    assert card["name"] == "tiny-folk-mine"
    data = card["data"]
    assert data["folder"] == str(tunes) and data["files_read"] == 2
    assert data["skipped_files"] == 2 and data["skipped"][0] == "broken.abc: not a text file"
    assert data["ignored_files"] == 1  # the MIDI file
    assert data["train_tunes"] + data["valid_tunes"] == 16 and data["valid_tunes"] >= 1
    assert data["unknown_chars"] > 0  # letters the tiny vocabulary lacks read as <unk>
    metrics = card["metrics"]
    assert metrics["base_valid_bits_per_char"] > 0 and metrics["valid_bits_per_char"] > 0
    licence = card["licence"]
    assert licence["data"].startswith("nothing at all; fine-tuned on the user's tunes")
    assert licence["data_licence"] == "CC0"
    assert "fine-tuned on the user's tunes" in licence["weights_licence"]
    assert not (out / "train-state").exists()  # a finished run keeps only the model


def test_from_a_registered_name_and_the_output_rules(tunes, capsys):
    make_folk_base(paths.user_models_dir(), "mine")
    assert main(["train", "--from", "mine", "--data", str(tunes), "--name", "second",
                 *FAST]) == 0
    card = json.loads((paths.user_models_dir() / "second" / "card.json").read_text())
    assert card["training"]["base"] == "mine"
    capsys.readouterr()
    # the same name again: the folder holds a model now
    assert main(["train", "--from", "mine", "--data", str(tunes), "--name", "second",
                 *FAST]) == 2
    assert "already holds a model" in capsys.readouterr().err
    # never over the base or a shipped model
    assert main(["train", "--from", "mine", "--data", str(tunes), "--out",
                 str(paths.user_models_dir() / "mine"), *FAST]) == 2
    assert "base model's own folder" in capsys.readouterr().err
    assert main(["train", "--from", "mine", "--data", str(tunes), "--name", "folk-abc"]) == 2
    assert "comes with Composer" in capsys.readouterr().err
    assert main(["train", "--from", "mine", "--data", str(tunes), "--out",
                 str(paths.shipped_models_dir() / "x")]) == 2
    assert "among the models that come with Composer" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--from", "nonesuch"], "nonesuch"),
    (["--preset", "folk"], "--preset does not go with --from"),
    (["--set", "hidden=32"], "keeps its base's architecture"),
    (["--set", "colour=blue"], "--set"),
    (["--name", "../escape"], "cannot name a model"),
])
def test_bad_arguments_give_one_line(args, message, base, tunes, capsys):
    argv = ["train", "--data", str(tunes), *args]
    if "--from" not in args:
        argv += ["--from", str(base)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_folder_without_readable_tunes_is_one_line(base, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", "--from", str(base), "--data", str(empty)]) == 2
    assert "no readable ABC tunes" in capsys.readouterr().err
    junk = tmp_path / "junk"
    (junk / "a").mkdir(parents=True)
    (junk / "a" / "x.abc").write_bytes(b"\x00\x01")
    (junk / "b.mid").write_bytes(b"MThd")
    assert main(["train", "--from", str(base), "--data", str(junk)]) == 2
    err = capsys.readouterr().err.strip()
    assert "no readable ABC tunes" in err and "1 MIDI files" in err
    assert len(err.splitlines()) == 1


def _prepared(base_folder, tunes, out, **kw):
    return finetune.prepare(finetune.find_base(base_folder), tunes, out, **kw)


def test_a_stop_keeps_the_best_model_so_far_loadable(base, tunes, tmp_path):
    out = tmp_path / "stopped"
    prepared = _prepared(base, tunes, out, changes={"eval_every": 2, "threads": 1},
                         steps=1000)

    def stop_after_a_check(progress):
        if progress.improved:
            raise finetune.Cancelled()

    outcome = finetune.run(prepared, stop_after_a_check)
    assert outcome.cancelled and outcome.kept and not outcome.finished
    assert outcome.steps == 2 and outcome.after is not None
    loaded = load_checkpoint(out)
    assert loaded.card.training.extra["stopped"] == "by the user"
    assert loaded.card.training.base == "tiny-folk"
    assert not (out / "train-state").exists()


def test_a_stop_before_the_first_check_keeps_nothing(base, tunes, tmp_path):
    out = tmp_path / "none"
    prepared = _prepared(base, tunes, out, changes={"eval_every": 50, "threads": 1},
                         steps=1000)

    def stop(_progress):
        raise finetune.Cancelled()

    outcome = finetune.run(prepared, stop)
    assert outcome.cancelled and not outcome.kept and outcome.after is None
    assert not out.exists()
    with pytest.raises(finetune.Cancelled):  # asked between the stages of preparing
        _prepared(base, tunes, tmp_path / "x", cancelled=lambda: True)


@pytest.mark.slow
def test_a_midi_model_learns_with_its_base_vocabulary(tmp_path, capsys):
    from tests.generation.macnet.helpers import small_vocab, tiny_model, tune

    vocab = small_vocab()
    model = tiny_model(vocab)
    base = checkpoint.save(tmp_path / "tiny-macnet", model, model.config, vocab,
                           {"kind": "macnet", "name": "tiny-macnet"})
    folder = tmp_path / "midi" / "sets"
    folder.mkdir(parents=True)
    for i, (meter, key) in enumerate([((4, 4), "G"), ((6, 8), "D"), ((4, 4), "A"),
                                      ((3, 4), "G"), ((5, 4), "C")]):
        (folder / f"t{i}.mid").write_bytes(midi_bytes(tune(meter, bars=4, key=key)))
    (folder / "bad.mid").write_bytes(b"not midi")
    assert main(["train", "--from", str(base), "--data", str(tmp_path / "midi"), "--steps",
                 "2", "--set", "batch=2", "--set", "window=16", "--set", "eval_every=1",
                 "--quiet"]) == 0
    out = paths.user_models_dir() / "tiny-macnet-mine"
    loaded = load_checkpoint(out)
    assert loaded.vocab.to_json() == vocab.to_json()
    data = loaded.card.data
    assert any(s.startswith("bad.mid:") for s in data["skipped"])
    assert any("M:5/4" in s for s in data["skipped"])  # a meter the base does not know
    assert loaded.card.training.base == "tiny-macnet"
    assert "base_valid_nll_per_token" in loaded.card.metrics
