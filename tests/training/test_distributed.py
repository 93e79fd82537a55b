"""Training on two processes (gloo on the CPU) against one, on tiny models.

Two processes with the same global batch compute the same steps as one: each takes
half the rows, DDP averages the gradients, the loop scales each half's loss so the
average is the whole batch's. They are not bit-identical: a batch of 2 rows goes
through the matrix products in another blocking than a batch of 4, and the gradient is
summed in another order (half by half, then across processes). So the figures are
compared with a tolerance: after 10-12 steps the weights differ by at most ~2e-6
(measured: 1.8e-6 on the embedding, Adam's division by a small second moment
amplifies it most) and the losses by less than 1e-4 bits; we allow 1e-4 on weights
and 1e-3 on losses, far below what a wrong shard, scale or lane order gives (those
change the loss at the first step by 0.1 or more).

Processes are started by ``composer train --nproc 2`` (torchrun, the user's path) or by
``torch.multiprocessing`` with torchrun's environment (to stop a run from a callback).
Dropout is 0 here: each process draws its own masks, so with dropout the runs differ.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
import torch
import torch.multiprocessing as mp

from composer.cli.main import main
from composer.nn.checkpoint import load_weights
from composer.training import folk, loop, macnet
from composer.training.source import DataSource
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

WEIGHTS_ATOL = 1e-4
LOSS_ATOL = 1e-3
FOLK = FIXTURES / "folk"
SETTINGS = {"hidden": 16, "layers": 1, "embed": 8, "batch": 4, "bptt": 32,
            "eval_every": 5, "threads": 1, "dropout": 0.0, "warmup": 2, "lr": 0.01,
            "bf16": False}
TINY = folk.FolkConfig(**SETTINGS, steps=12, seed=3)
SOURCE = DataSource((str(FOLK / "mini.abc"),), str(FOLK / "splits.json"))


def _cli_args(out) -> list[str]:
    sets = [a for k, v in SETTINGS.items() for a in ("--set", f"{k}={v}")]
    return ["train", "--data", str(FOLK / "mini.abc"), "--splits", str(FOLK / "splits.json"),
            "--out", str(out), "--steps", "10", *sets]


def _state(out) -> tuple[dict, dict[str, torch.Tensor]]:
    state = out / "train-state"
    return (json.loads((state / "state.json").read_text()),
            load_weights(state / "state.safetensors"))


def _assert_same_run(a, b, resumed: bool = False) -> None:
    """Same steps, losses and weights (optimizer moments, carried state) within the
    tolerance of the module docstring (``resumed``: the training loss shown, a moving
    mean, restarts on resume; not compared)."""
    info_a, tensors_a = _state(a)
    info_b, tensors_b = _state(b)
    assert info_a["step"] == info_b["step"]
    assert [h["step"] for h in info_a["history"]] == [h["step"] for h in info_b["history"]]
    for ha, hb in zip(info_a["history"], info_b["history"]):
        assert ha["valid"] == pytest.approx(hb["valid"], abs=LOSS_ATOL)
        if not resumed:
            assert ha["train"] == pytest.approx(hb["train"], abs=LOSS_ATOL)
    assert set(tensors_a) == set(tensors_b)
    for name, t in tensors_a.items():
        if t.is_floating_point() and not name.startswith("rng"):
            assert torch.allclose(t, tensors_b[name], rtol=0, atol=WEIGHTS_ATOL), name


def test_two_processes_train_as_one_with_the_same_batch(tmp_path):
    env = dict(os.environ, COMPOSER_DIST_TIMEOUT="60")
    two = subprocess.run([sys.executable, "-m", "composer", *_cli_args(tmp_path / "two"),
                          "--nproc", "2"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert two.returncode == 0, two.stderr[-3000:]
    assert main(_cli_args(tmp_path / "one") + ["--quiet"]) == 0
    _assert_same_run(tmp_path / "one", tmp_path / "two")
    # Rank 0 alone reports and writes.
    assert two.stdout.count("done: 10 steps") == 1
    assert two.stderr.count("on 2 processes") == 1 and two.stderr.count("step 10/10") == 1
    card = json.loads((tmp_path / "two" / "card.json").read_text())
    assert card["training"]["processes"] == 2


# --- processes started here, each given torchrun's environment -------------------------

def _context():
    """Processes forked from a server that has imported torch and this module once
    (spawning each process anew costs an import of torch, 2-5 s, each time)."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def _start(job: str, tmp, env: dict | None = None) -> list:
    ctx, port = _context(), _free_port()
    procs = [ctx.Process(target=_worker, args=(r, 2, port, job, str(tmp), env or {}))
             for r in range(2)]
    for p in procs:
        p.start()
    return procs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, job: str, tmp: str, env: dict) -> None:
    from pathlib import Path

    from composer.training import distributed

    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    os.environ.update({"COMPOSER_DIST_TIMEOUT": "60", **env})
    try:
        JOBS[job](Path(tmp))
    finally:
        distributed.teardown()


def _stop_at(step: int):
    def callback(progress):
        if progress.step == step:
            raise KeyboardInterrupt
    return callback


def _folk_run(out, callback=None, stream=False, config=TINY):
    source = DataSource(SOURCE.paths, SOURCE.splits, cache=out / "train-state" / "cache")
    return loop.train(folk.make_recipe(config, source, stream=stream), out, callback)


WINDOWS = TINY.with_overrides(context="window", window=12, batch=8, steps=6, eval_every=3)


def _midi_run(out):
    data = out.parent / "nott"
    config = macnet.PRESETS["macnet-folk"].with_overrides(
        hidden=16, embed=8, dropout=0.0, batch=4, window=32, steps=4, eval_every=2,
        threads=1)
    recipe = macnet.make_recipe(config, DataSource((str(data),), str(data / "splits.json"),
                                                   cache=out / "cache"))
    return loop.train(recipe, out)


def _two_process_runs(tmp) -> None:
    """What the two processes do, one run after the other: resume run "a" (stopped on
    one process at step 6); start run "b" and stop it at step 6 from rank 0's callback
    (every process must stop there); train on tunes streamed from disk; train on
    windows (many-to-one); train MAC-Net."""
    _folk_run(tmp / "a")
    with pytest.raises(KeyboardInterrupt):
        _folk_run(tmp / "b", callback=_stop_at(6))
    _folk_run(tmp / "stream", stream=True)
    _folk_run(tmp / "windows-two", config=WINDOWS)
    _midi_run(tmp / "midi-two")


def _stuck(tmp) -> None:
    """Rank 1 stops answering at step 3 (stuck, not dead)."""
    from composer.training import distributed

    class Stuck:
        def __init__(self, recipe):
            self.recipe = recipe

        def __getattr__(self, name):
            return getattr(self.recipe, name)

        def loss(self, model, step):
            if step == 3 and distributed.rank() == 1:
                time.sleep(600)
            return self.recipe.loss(model, step)

    loop.train(Stuck(folk.make_recipe(TINY, SOURCE)), tmp / "stuck")


JOBS = {"runs": _two_process_runs, "stuck": _stuck}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The runs on one process, then those on two (one start of two processes for all:
    starting one takes seconds)."""
    from composer.music.midi import midi_bytes
    from tests.generation.macnet.helpers import tune

    tmp = tmp_path_factory.mktemp("runs")
    data = tmp / "nott"
    data.mkdir()
    for i, (meter, key) in enumerate([((4, 4), "G"), ((6, 8), "D"), ((4, 4), "A"),
                                      ((6, 8), "G")]):
        (data / f"jigs{i}.mid").write_bytes(midi_bytes(tune(meter, bars=6, key=key)))
    (data / "splits.json").write_text(json.dumps(
        {"train": ["jigs0", "jigs1"], "valid": ["jigs2"], "test": ["jigs3"]}))
    _folk_run(tmp / "reference")
    with pytest.raises(KeyboardInterrupt):
        _folk_run(tmp / "a", callback=_stop_at(6))
    _folk_run(tmp / "windows-one", config=WINDOWS)
    _midi_run(tmp / "midi-one")
    procs = _start("runs", tmp)
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    return tmp


def test_a_run_resumes_on_another_number_of_processes(runs):
    _assert_same_run(runs / "reference", runs / "a", resumed=True)  # 1 -> 2 processes
    info, _ = _state(runs / "b")
    assert info["step"] == 6 and not info["finished"]  # both stopped at rank 0's step
    _folk_run(runs / "b")  # 2 -> 1
    _assert_same_run(runs / "reference", runs / "b", resumed=True)


def test_tunes_streamed_from_disk_train_the_same_on_two_processes(runs):
    _assert_same_run(runs / "reference", runs / "stream")
    # each process wrote its own epoch stream beside the tune files, read its lanes
    epochs = sorted(p.name for p in (runs / "stream").rglob("epoch-*.ids"))
    assert epochs == ["epoch-0.ids", "epoch-1.ids"]


def test_windows_and_a_midi_model_train_on_two_processes_as_on_one(runs):
    _assert_same_run(runs / "windows-one", runs / "windows-two")
    _assert_same_run(runs / "midi-one", runs / "midi-two")


def test_a_stuck_process_does_not_keep_the_others_waiting_forever(tmp_path):
    """Rank 1 hangs; with COMPOSER_DIST_TIMEOUT=3 rank 0's next collective fails after
    ~3 s instead of waiting (under torchrun, its exit then ends the others)."""
    procs = _start("stuck", tmp_path, {"COMPOSER_DIST_TIMEOUT": "3"})
    try:
        procs[0].join(timeout=90)
        assert procs[0].exitcode not in (None, 0)
    finally:
        for p in procs:
            p.kill()
            p.join()
