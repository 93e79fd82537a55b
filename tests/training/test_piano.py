"""The piano recipe on a few hand-built MIDI files: split by piece, cached tokens, a
short training run to a loadable model folder with the attribution, and scoring."""


import pytest

from composer.generation.piano.codec import load_model
from composer.music.midi import midi_bytes
from composer.nn.checkpoint import read_card
from composer.training.corpus import DataError
from composer.training.loop import train
from composer.training.piano import (
    load_pieces,
    make_split,
    make_task,
    piano_files,
    score_pieces,
    select,
)
from composer.training.sequences import MidiConfig, SequenceRecipe
from tests.generation.piano.helpers import piece

SETTINGS = {"embed": 8, "hidden": 16, "layers": 1, "dropout": 0.0, "attn_window": 4,
            "attn_dim": 8}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("piano")
    for composer in ("Bach", "Satie"):
        (root / composer).mkdir()
        for i in range(10):
            meter = [(4, 4), (3, 4), (6, 8)][i % 3]
            (root / composer / f"{composer.lower()}{i}.mid").write_bytes(
                midi_bytes(piece(meter, bars=3 + i % 3)))
    return root


def test_split_is_by_piece_fixed_and_complete(corpus):
    files = piano_files([corpus])
    split = make_split(files)
    assert split == make_split(list(reversed(files)))
    assert split["test"] == ["Bach/bach3", "Satie/satie3"]
    assert split["valid"] == ["Bach/bach7", "Satie/satie7"]
    assert len(split["train"]) == 16
    with pytest.raises(DataError, match="not among"):
        select(files, {"train": ["Liszt/x"]}, "train")


def test_cache_is_reused(corpus, tmp_path):
    files = piano_files([corpus])[:3]
    first, _ = load_pieces(files, tmp_path / "c.json")
    again, _ = load_pieces(files, tmp_path / "c.json")
    assert [p.tokens for p in first] == [p.tokens for p in again]
    assert first[0].stats.changed == 0


def test_train_load_score(corpus, tmp_path):
    files = piano_files([corpus])
    split = make_split(files)
    task = make_task(select(files, split, "train"), select(files, split, "valid"), None,
                     SETTINGS, {"splits": "test"})
    config = MidiConfig(model=SETTINGS, batch=4, window=48, steps=4, eval_every=2,
                             warmup=1, threads=1)
    result = train_midi_(task, config, tmp_path / "m")
    assert result.finished and result.best_valid is not None
    card = read_card(tmp_path / "m")
    assert card.kind == task.kind.name
    assert card.licence.attribution == "Bernd Krueger, piano-midi.de"
    model, codec = load_model(tmp_path / "m", card)
    scores = score_pieces(model, codec.vocab, select(files, split, "test"))
    assert scores.pieces == 2 and 0 < scores.nll_per_token < 10


def train_midi_(task, config, out, callback=None):
    return train(SequenceRecipe(task, config), out, callback)
