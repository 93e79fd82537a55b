import json
import math

import pytest
import torch

from composer.generation.loading import load_checkpoint
from composer.training import folk
from composer.training.corpus import DataError, load_splits, read_tunes, select
from composer.training.evaluate import score_tunes
from composer.training.folk import FolkConfig, FolkRecipe, TrainData
from composer.training.loop import Optimisation, learning_rate
from composer.training.loop import train as loop_train

TINY = FolkConfig(embed=8, hidden=32, layers=1, dropout=0.0, batch=4, bptt=32, steps=60,
                   lr=1e-2, warmup=5, eval_every=20, seed=3, threads=1)


def train(config, data, out, callback=None, augment=None):
    return loop_train(FolkRecipe(config, data, augment), out, callback)


@pytest.fixture
def data(fixtures):
    tunes = read_tunes([fixtures / "folk"])
    splits = load_splits(fixtures / "folk" / "splits.json")
    return TrainData(select(tunes, splits, "train"), select(tunes, splits, "valid"),
                     {"files": ["mini.abc"]})


def test_loss_falls_and_the_best_checkpoint_is_kept(data, tmp_path):
    seen = []
    result = train(TINY, data, tmp_path / "m", callback=seen.append)
    assert result.finished and result.steps == 60
    history = result.history
    assert [h["step"] for h in history] == [20, 40, 60]
    assert history[-1]["valid"] < history[0]["valid"] < 6.0
    assert seen[-1].train_loss < seen[0].train_loss and seen[-1].unit == "bits/char"
    assert seen[-1].per_s > 0 and seen[-1].step == 60
    loaded = load_checkpoint(tmp_path / "m")
    card = loaded.card
    assert card.kind == FolkRecipe.kind.name
    assert card.metrics["valid_bits_per_char"] == pytest.approx(result.best_valid, abs=1e-4)
    assert card.training.machine["cores"] >= 1 and card.training.processes == 1
    assert card.training.seconds > 0 and len(card.training.history) == 3
    score = score_tunes(loaded.model, loaded.vocab, data.valid)
    assert score.bits_per_char == pytest.approx(result.best_valid, rel=1e-5)


def test_an_interrupted_run_resumes_to_the_same_weights(data, tmp_path):
    config = TINY.with_overrides(steps=30, eval_every=10, dropout=0.2, layers=2)
    whole = train(config, data, tmp_path / "whole")

    def stop_at_15(progress):
        if progress.step == 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, data, tmp_path / "parts", callback=stop_at_15)
    state = json.loads((tmp_path / "parts" / "train-state" / "state.json").read_text())
    assert state["step"] == 15 and not state["finished"]
    resumed = train(config, data, tmp_path / "parts")
    assert resumed.steps == 30 and resumed.best_valid == whole.best_valid
    a = load_checkpoint(tmp_path / "whole").model.state_dict()
    b = load_checkpoint(tmp_path / "parts").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resuming_with_other_settings_is_refused(data, tmp_path):
    train(TINY.with_overrides(steps=5, eval_every=5), data, tmp_path / "m")
    with pytest.raises(DataError, match="other settings"):
        train(TINY.with_overrides(steps=5, eval_every=5, hidden=16), data, tmp_path / "m")


def test_window_preset_trains_and_scores(data, tmp_path):
    config = TINY.with_overrides(context="window", window=12, steps=10, eval_every=10,
                                 batch=8)
    result = train(config, data, tmp_path / "w")
    assert math.isfinite(result.best_valid)
    loaded = load_checkpoint(tmp_path / "w")
    assert loaded.config.context == "window"


def test_learning_rate_warms_up_then_decays():
    settings = Optimisation(lr=1.0, warmup=10, steps=110, min_lr_ratio=0.1)
    assert learning_rate(settings, 0, 0.0) == pytest.approx(0.1)
    assert learning_rate(settings, 10, 0.0) == pytest.approx(1.0)
    assert learning_rate(settings, 60, 0.5) == pytest.approx(0.55)
    assert learning_rate(settings, 110, 1.0) == pytest.approx(0.1)


def test_extra_tunes_join_every_epoch_once(data):
    mixed = TrainData(data.train, data.valid, {}, extra=data.valid)
    assert len(mixed.epoch_tunes(2)) == 2 * len(data.train) + len(data.valid)


def test_the_tail_trains_on_the_main_tunes_alone_and_resumes(data, tmp_path, monkeypatch):
    seen = []
    streams = []  # (steps done when the stream was made, tunes in it, augmented)
    real = folk.epoch_stream

    def recording(vocab, tunes, epoch, *args, **kwargs):
        augment = kwargs.get("augment", args[4] if len(args) > 4 else None)
        streams.append((len(seen), len(tunes), augment is not None))
        return real(vocab, tunes, epoch, *args, **kwargs)

    def same(tune, rng):
        return tune

    monkeypatch.setattr(folk, "epoch_stream", recording)
    mixed = TrainData(data.train, data.valid, {}, extra=data.valid)
    config = TINY.with_overrides(steps=30, eval_every=10, main_tail=0.2, main_repeat=2)
    whole = train(config, mixed, tmp_path / "whole", callback=seen.append, augment=same)
    # Up to step 24 the epochs mix the main tunes twice with the extra ones, augmented;
    # the last 6 steps (20%) see the main tunes alone, as written, from a fresh epoch.
    mix = 2 * len(data.train) + len(data.valid)
    assert streams[0] == (0, mix, True)
    assert (24, len(data.train), False) in streams
    assert all(s == (s[0], mix, True) for s in streams if s[0] < 24)
    assert all(s == (s[0], len(data.train), False) for s in streams if s[0] >= 24)

    def stop_in_tail(progress):
        if progress.step == 27:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, mixed, tmp_path / "parts", callback=stop_in_tail, augment=same)
    resumed = train(config, mixed, tmp_path / "parts", augment=same)
    assert resumed.best_valid == whole.best_valid
    a = load_checkpoint(tmp_path / "whole").model.state_dict()
    b = load_checkpoint(tmp_path / "parts").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_moving_average_of_the_weights_is_kept_and_resumes(data, tmp_path):
    config = TINY.with_overrides(steps=30, eval_every=10, ema=0.9)
    whole = train(config, data, tmp_path / "whole")
    history = whole.history
    assert all("raw_valid" in h for h in history)
    assert any(h["raw_valid"] != h["valid"] for h in history)
    # What is kept is the average: it scores the recorded valid figure, not the raw one.
    loaded = load_checkpoint(tmp_path / "whole")
    best = min(history, key=lambda h: h["valid"])
    score = score_tunes(loaded.model, loaded.vocab, data.valid).bits_per_char
    assert score == pytest.approx(best["valid"], abs=1e-4)
    assert loaded.card.training.config["ema"] == 0.9

    def stop_at_15(progress):
        if progress.step == 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, data, tmp_path / "parts", callback=stop_at_15)
    resumed = train(config, data, tmp_path / "parts")
    def figures(history):
        # (the recent training loss restarts on resume; it is a display figure)
        return [{k: v for k, v in h.items() if k not in ("elapsed_s", "train")}
                for h in history]

    assert figures(resumed.history) == figures(whole.history)
    a = loaded.model.state_dict()
    b = load_checkpoint(tmp_path / "parts").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


# --- data streamed from disk -----------------------------------------------------------------

def test_an_epoch_streamed_from_disk_is_the_epoch_in_memory(data, tmp_path):
    from composer.nn.vocab import CharVocab
    from composer.training.augment import transposer
    from composer.training.datasets import epoch_stream, window_batch

    vocab = CharVocab.from_texts(t.text for t in data.train)
    args = (vocab, data.train * 3, 2, 7, 4, 16, 0.5, transposer((0, 1, -1)))
    memory = epoch_stream(*args)
    disk = epoch_stream(*args, path=tmp_path / "epoch")
    assert disk.shape == memory.shape and disk.chunks == memory.chunks > 3
    assert disk.characters == memory.characters
    for i in (0, 1, memory.chunks - 1):
        for rows in (slice(None), slice(2, 4)):
            for a, b in zip(disk.chunk(i, rows), memory.chunk(i, rows), strict=True):
                assert a.dtype == b.dtype and torch.equal(a, b)
    for seed in range(3):
        windows = [window_batch(s, torch.Generator().manual_seed(seed), 8, 12)
                   for s in (disk, memory)]
        assert all(torch.equal(a, b) for a, b in zip(*windows, strict=True))


def test_large_data_streams_from_disk_and_trains_to_the_same_weights(fixtures, tmp_path,
                                                                     monkeypatch):
    from composer.training.source import DataSource

    config = TINY.with_overrides(steps=20, eval_every=10, transpose=(0, 1), main_repeat=2,
                                 main_tail=0.25)
    source = DataSource((str(fixtures / "folk"),), str(fixtures / "folk" / "splits.json"),
                        cache=tmp_path / "cache")
    in_memory = folk.make_recipe(config, source)
    assert in_memory._scratch is None
    monkeypatch.setattr(folk, "STREAM_ABOVE_BYTES", 100)  # the fixture is "large" now
    streamed = folk.make_recipe(config, source)
    assert streamed._scratch is not None and streamed._scratch.parent == tmp_path / "cache"
    assert streamed.vocab() == in_memory.vocab()
    assert [t.text for t in streamed.data.valid] == [t.text for t in in_memory.data.valid]
    assert {k: v for k, v in streamed.data.description.items()
            if k != "out_of_key_sample"} == in_memory.data.description
    a = loop_train(in_memory, tmp_path / "memory")
    b = loop_train(streamed, tmp_path / "streamed")
    assert [h["valid"] for h in a.history] == [h["valid"] for h in b.history]
    wa = load_checkpoint(tmp_path / "memory").model.state_dict()
    wb = load_checkpoint(tmp_path / "streamed").model.state_dict()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    # The tune files are made once for this data and reused.
    made = sorted(p.stat().st_mtime_ns for p in streamed._scratch.glob("*.bin"))
    again = folk.make_recipe(config, source)
    assert again._scratch == streamed._scratch
    assert sorted(p.stat().st_mtime_ns for p in again._scratch.glob("*.bin")) == made


def test_task_shares_teach_the_separators_and_rewrite_the_tunes(data, tmp_path):
    from composer.generation.folk.codec import FolkCodec
    from composer.generation.folk.tasks import FIM_SUFFIX, PREVIEW

    config = TINY.with_overrides(steps=4, eval_every=4, fill_share=0.4, accompany_share=0.4)
    recipe = FolkRecipe(config, data)
    import random

    rng = random.Random(0)
    bodies = [recipe.augment(t, rng).body for t in data.train for _ in range(5)]
    assert any(b.startswith(FIM_SUFFIX) for b in bodies)
    assert any(PREVIEW in b for b in bodies)
    assert any(b in {t.body for t in data.train} for b in bodies)
    loop_train(recipe, tmp_path / "m")
    loaded = load_checkpoint(tmp_path / "m")
    codec = FolkCodec(loaded.vocab)
    assert codec.can_fill and codec.can_preview
    assert loaded.card.training.config["fill_share"] == 0.4
    with pytest.raises(DataError, match="shares"):
        FolkRecipe(config.with_overrides(fill_share=0.7), data)
