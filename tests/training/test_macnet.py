"""MAC-Net's recipe on a few hand-built MIDI files: data, a short resumable training
run that writes a loadable model folder, and the test metrics."""

import math

import pytest

from composer.generation.macnet.codec import load_model
from composer.music.midi import midi_bytes
from composer.nn import checkpoint
from composer.nn.checkpoint import read_card
from composer.training.corpus import DataError
from composer.training.loop import train
from composer.training.macnet import make_task, midi_files, score_pieces, split_files
from composer.training.macnet_data import load_pieces, piece_ids
from composer.training.sequences import MidiConfig, SequenceRecipe
from tests.generation.macnet.helpers import tune

SETTINGS = {"embed": 8, "hidden": 16, "layers": 1, "dropout": 0.0}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("midi")
    variants = [((4, 4), False, "G"), ((6, 8), False, "D"), ((3, 4), True, "A"),
                ((2, 4), False, "F"), ((4, 4), True, "C"), ((6, 8), False, "G")]
    for i, (meter, tri, key) in enumerate(variants):
        (folder / f"tune{i}.mid").write_bytes(midi_bytes(tune(meter, bars=6, key=key,
                                                              triplets=tri)))
    (folder / "empty.txt").write_text("not midi")
    splits = {"train": ["tune0", "tune1", "tune2", "tune3"], "valid": ["tune4"],
              "test": ["tune5"]}
    return folder, splits


def test_pieces_have_frames_and_ticks(corpus):
    folder, _ = corpus
    pieces, skipped = load_pieces(midi_files([folder]))
    assert len(pieces) == 6 and not skipped
    p = pieces[0]
    assert len(p.ticks) == len(p.tokens) and p.stats.changed == 0
    assert p.frames == math.ceil(6 * 1920 / 240)


def test_split_files_report_missing_ids(corpus):
    folder, splits = corpus
    files = midi_files([folder])
    assert [f.stem for f in split_files(files, splits, "valid")] == ["tune4"]
    with pytest.raises(DataError, match="not among the MIDI files"):
        split_files(files, {"train": ["nope"]}, "train")
    with pytest.raises(DataError, match="no split"):
        split_files(files, splits, "dev")


def test_train_resume_load_and_score(corpus, tmp_path):
    folder, splits = corpus
    files = midi_files([folder])
    task = make_task(split_files(files, splits, "train"), split_files(files, splits, "valid"),
                     tmp_path / "cache", SETTINGS, {"files": str(folder)})
    config = MidiConfig(model=SETTINGS, batch=4, window=32, steps=6, eval_every=3,
                             warmup=2, threads=1)
    out = tmp_path / "model"
    first = train_midi_(task, config.with_overrides(), out)
    assert first.finished and first.best_valid is not None
    again = train_midi_(task, config, out)  # finished: nothing more to do
    assert again.steps == 6
    card = read_card(out)
    assert card.kind == task.kind.name and card.training.cpu_seconds >= 0
    assert card.data["train_notes_changed_by_grid"] == 0
    assert "frame_nll_method" in card.extra  # kept as written
    model, codec = load_model(out, card)
    scores = score_pieces(model, codec.vocab, split_files(files, splits, "test"))
    assert scores.pieces == 1 and scores.frames == 6 * 1440 // 240  # six bars of 6/8
    assert 0 < scores.nll_per_token < 10 and scores.frame_nll > scores.nll_per_token
    with pytest.raises(DataError, match="other settings"):
        train_midi_(task, config.with_overrides(lr=1e-4), out)


def test_resumed_run_equals_uninterrupted(corpus, tmp_path):
    folder, splits = corpus
    files = midi_files([folder])
    settings = dict(SETTINGS, dropout=0.3)  # dropout masks must continue too
    task = make_task(split_files(files, splits, "train"), split_files(files, splits, "valid"),
                     None, settings, {})
    config = MidiConfig(model=settings, batch=4, window=32, steps=4, eval_every=2,
                             warmup=1, threads=1)
    straight = train_midi_(task, config, tmp_path / "a")

    def stop_after_two(progress):
        if progress.step == 2:
            raise KeyboardInterrupt  # as Ctrl-C would

    with pytest.raises(KeyboardInterrupt):
        train_midi_(task, config, tmp_path / "b", stop_after_two)
    resumed = train_midi_(task, config, tmp_path / "b")
    a = checkpoint.load_weights(tmp_path / "a" / "train-state" / "state.safetensors")
    b = checkpoint.load_weights(tmp_path / "b" / "train-state" / "state.safetensors")
    assert resumed.best_valid == pytest.approx(straight.best_valid)
    assert all((a[k] - b[k]).abs().max() < 1e-6 for k in a if k.startswith("model."))


def test_unseen_steps_cost_their_backoff(corpus):
    from composer.training.macnet_data import build_vocab

    folder, _ = corpus
    pieces, _ = load_pieces(midi_files([folder]))
    vocab = build_vocab(pieces[:1], min_count=1)  # 4/4 in G only
    other = piece_ids(pieces[4], vocab)  # 4/4 with triplets in C
    assert other.unseen > 0 and other.unk_cost > 10 * other.unseen
    assert other.frame_prefix == len(other.ids) - 2
    with pytest.raises(KeyError):
        piece_ids(pieces[1], vocab)  # 6/8 was never seen


def train_midi_(task, config, out, callback=None):
    return train(SequenceRecipe(task, config), out, callback)
