"""The one training loop every model kind shares (nanoGPT's train.py, made resumable and
told by a recipe what to learn).

A :class:`Recipe` (one per model kind: :mod:`.folk`, :mod:`.macnet`, :mod:`.piano`)
brings the data, the network, its batches and loss, and its validation figure; the
loop brings everything else, written once: AdamW (decay on matrices only), linear
warm-up then a cosine learning rate, gradient clipping, bfloat16 autocast, a moving
average of the weights, evaluation every ``eval_every`` steps with the best weights
kept (and their card), a time budget, progress reports, and exact resumption after a
stop (``out/train-state/``: weights, optimizer moments, the average, random
generators and the recipe's own state in safetensors; counters and history in JSON).

Under torchrun (``WORLD_SIZE`` > 1) the network is wrapped in DistributedDataParallel
(gloo on CPU, nccl on CUDA); each rank computes the loss of its own rows of the global
batch, scaled so the averaged gradient is that of the whole batch (the same steps as
one process, up to the order of float sums); rank 0 alone evaluates and writes, and
its saved state resumes on any number of processes. A stop (Ctrl-C) is agreed by all
processes at a step. See :mod:`.distributed`.

The network and batches live on :func:`.distributed.device` (a CUDA device per local
rank when there is one, with bfloat16 autocast there; else the CPU, bfloat16 when the
settings ask for it). CUDA is written for but untested: the project's machine has none.

Units: times in seconds (wall clock; ``cpu_s`` the CPU time of all processes); losses
in the recipe's unit (bits per character, nats per token).
"""

from __future__ import annotations

import copy
import json
import math
import os
import platform
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from composer.nn import checkpoint
from composer.nn.card import ModelCard, Training
from composer.training import distributed
from composer.training.corpus import DataError

STATE_DIR = "train-state"


@dataclass(frozen=True)
class Optimisation:
    """The loop's settings (each recipe's config holds one; presets set them).

    ``steps`` is the schedule's length; ``max_minutes`` a wall-clock budget (0: none):
    training ends after ``steps`` or when the budget is spent, and the learning rate
    follows whichever is further along (a run on a busy machine still finishes its
    schedule; it is then not bit-reproducible)."""

    steps: int = 3000
    lr: float = 2e-3
    min_lr_ratio: float = 0.05
    warmup: int = 100
    weight_decay: float = 0.01
    beta2: float = 0.999
    grad_clip: float = 1.0
    ema: float = 0.0
    """Decay per step of a moving average of the weights (e.g. 0.998); when set, the
    average is evaluated and kept, the raw weights' figure recorded beside it. 0: off."""
    bf16: bool = False
    """bfloat16 autocast on the CPU (on CUDA it is always on)."""
    eval_every: int = 200
    max_minutes: float = 0.0
    seed: int = 1
    threads: int = 2

    def to_json(self) -> dict:
        return asdict(self)


OPTIMISATION_FIELDS = frozenset(f.name for f in fields(Optimisation))


class Recipe(Protocol):
    """What a model kind brings to the loop (see the module docstring)."""

    kind: Any
    """Its :class:`~composer.generation.kinds.ModelKind`."""
    unit: str
    """The loss's unit in words, e.g. ``"bits/char"``."""
    short: str
    """The loss's short name in the history, e.g. ``"bpc"``."""
    per_step: int
    """Tokens (characters) one step trains on, over the whole batch."""

    def settings(self) -> Optimisation: ...

    def config_json(self) -> dict:
        """The run's settings, saved with it (a resume must find the same)."""

    def data_json(self) -> Any:
        """What identifies the data (e.g. the vocabulary); a resume must find the same."""

    def build(self) -> nn.Module:
        """A fresh network (the loop seeds torch first)."""

    def vocab(self) -> Any: ...

    def begin(self, state: dict, tensors: dict[str, torch.Tensor], rank: int,
              world: int) -> None:
        """Get the batches ready for ``rank`` of ``world``, from a saved ``state`` (empty
        at the start)."""

    def loss(self, model: nn.Module, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """This rank's rows of step ``step``'s batch: ``(sum of the weighted losses,
        sum of the weights)``, in nats."""

    def state(self) -> tuple[dict, dict[str, torch.Tensor]]:
        """What :meth:`begin` needs to go on where the batches are (JSON, tensors), for
        the whole batch whatever the number of processes (so a run resumes on another
        number); called on every process (it may gather)."""

    def evaluate(self, model: nn.Module) -> float:
        """The validation figure in :attr:`unit` (lower is better)."""

    def card(self) -> ModelCard:
        """The card's description, data and licence (the loop fills in training)."""


@dataclass(frozen=True)
class Progress:
    """Reported after every step: losses in the recipe's ``unit``; ``per_s`` tokens
    (characters) per second over all processes; times in seconds."""

    step: int
    steps: int
    unit: str
    train_loss: float
    valid: float | None
    best_valid: float | None
    per_s: float
    elapsed_s: float
    eta_s: float
    evaluated: bool = False
    improved: bool = False


@dataclass
class TrainResult:
    out: Path
    steps: int
    best_valid: float | None
    best_step: int
    elapsed_s: float
    cpu_s: float
    finished: bool
    history: list[dict]


def machine() -> dict:
    """Where training ran: CPU model, cores, OS, torch version."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(terse=True),
            "python": platform.python_version(), "torch": torch.__version__}


def learning_rate(settings: Optimisation, step: int, progress: float) -> float:
    """Linear warm-up over ``warmup`` steps, then a cosine from ``lr`` down to
    ``lr * min_lr_ratio`` as ``progress`` (0..1 of the schedule after warm-up) runs out."""
    if settings.warmup and step < settings.warmup:
        return settings.lr * (step + 1) / settings.warmup
    low = settings.min_lr_ratio
    return settings.lr * (low + (1 - low) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _optimizer(model: nn.Module, settings: Optimisation) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                              {"params": other, "weight_decay": 0.0}],
                             lr=settings.lr, betas=(0.9, settings.beta2))


def _average_of(model: nn.Module) -> nn.Module:
    average = copy.deepcopy(model)
    average.eval()
    for p in average.parameters():
        p.requires_grad_(False)
    return average


@torch.no_grad()
def _update_average(average: nn.Module, model: nn.Module, decay: float, step: int) -> None:
    """One step of the weights' moving average; the decay ramps up from 0.1 over the
    first steps (``(1 + step) / (10 + step)``) so the start does not linger in it."""
    rate = 1.0 - min(decay, (1.0 + step) / (10.0 + step))
    for a, p in zip(average.parameters(), model.parameters(), strict=True):
        a.lerp_(p.detach(), rate)


class _ResumeState:
    """``out/train-state/state.json`` (counters, settings, history) and
    ``state.safetensors`` (weights, optimizer moments, average, generators, the
    recipe's tensors)."""

    def __init__(self, out: Path):
        self.dir = out / STATE_DIR
        self.json = self.dir / "state.json"
        self.tensors = self.dir / "state.safetensors"

    def exists(self) -> bool:
        return self.json.is_file() and self.tensors.is_file()

    def save(self, info: dict, model: nn.Module, opt: torch.optim.Optimizer,
             average: nn.Module | None, recipe_state: tuple[dict, dict]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
        if average is not None:
            tensors.update({f"ema.{k}": v for k, v in average.state_dict().items()})
        opt_state = opt.state_dict()
        for idx, st in opt_state["state"].items():
            for k, v in st.items():
                tensors[f"opt.{idx}.{k}"] = torch.as_tensor(v)
        tensors["rng.torch"] = torch.get_rng_state()
        extra, extra_tensors = recipe_state
        tensors.update({f"recipe.{k}": v for k, v in extra_tensors.items()})
        groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()}
                  for g in opt_state["param_groups"]]
        checkpoint.save_weights(self.tensors, tensors)
        text = json.dumps(dict(info, param_groups=groups, recipe=extra), indent=1) + "\n"
        tmp = self.json.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.json)

    def load(self) -> tuple[dict, dict[str, torch.Tensor]]:
        try:
            info = json.loads(self.json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DataError(f"cannot resume: {self.json} is unreadable ({e}); "
                            "delete the folder to start again") from None
        return info, checkpoint.load_weights(self.tensors)


def _restore(model: nn.Module, opt: torch.optim.Optimizer, average: nn.Module | None,
             info: dict, tensors: dict[str, torch.Tensor]) -> None:
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    if average is not None:
        average.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("ema.")})
    state: dict[int, dict] = {}
    for k, v in tensors.items():
        if k.startswith("opt."):
            _, idx, name = k.split(".", 2)
            state.setdefault(int(idx), {})[name] = v
    groups = [dict(g, betas=tuple(g["betas"])) for g in info["param_groups"]]
    opt.load_state_dict({"state": state, "param_groups": groups})
    if "rng.torch" in tensors:
        torch.set_rng_state(tensors["rng.torch"])


def train(recipe: Recipe, out: str | Path, callback: Callable[[Progress], None] | None = None,
          resume: bool = True, init: nn.Module | None = None,
          card_extra: dict | None = None) -> TrainResult:
    """Train (or resume) ``recipe``'s network into ``out`` (see the module docstring).

    ``init`` starts from these weights instead of a fresh network (fine-tuning: a
    network of the same architecture). ``card_extra`` is merged into the card
    (licence, preset ...). Raises :class:`DataError` when ``out`` holds a run with
    other settings or data."""
    out = Path(out)
    settings = recipe.settings()
    distributed.setup()
    rank, world, device = distributed.rank(), distributed.world_size(), distributed.device()
    torch.set_num_threads(distributed.threads(settings.threads))
    torch.backends.mkldnn.enabled = True
    info: dict = {"step": 0, "elapsed_s": 0.0, "cpu_s": 0.0, "best_valid": None,
                  "best_step": 0, "history": [], "config": recipe.config_json(),
                  "data": recipe.data_json(), "finished": False}
    torch.manual_seed(settings.seed)
    random.seed(settings.seed)
    model = recipe.build()
    if init is not None:
        model.load_state_dict(init.state_dict())
    model.to(device)
    opt = _optimizer(model, settings)
    average = _average_of(model) if settings.ema else None
    state = _ResumeState(out)
    saved_recipe: tuple[dict, dict] = ({}, {})
    saved = _load_on_rank_0(state) if resume else None
    if saved is not None:
        saved, tensors = saved
        if saved.get("config") != info["config"] or saved.get("data") != info["data"]:
            raise DataError(f"{out} holds a training run with other settings or data; "
                            "choose another --out or delete that folder")
        _restore(model, opt, average, saved, tensors)
        saved_recipe = (saved.pop("recipe", {}), {k[7:]: v for k, v in tensors.items()
                                                   if k.startswith("recipe.")})
        saved.pop("param_groups", None)
        info.update(saved)
    if info["finished"]:
        return _result(out, info)
    if rank:  # dropout masks of its own (rank 0 draws as one process does)
        torch.manual_seed(settings.seed + 7919 * rank + info["step"])
    recipe.begin(*saved_recipe, rank, world)
    trained = distributed.wrap(model)
    model.train()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    base_wall, base_cpu = info["elapsed_s"], info["cpu_s"]
    session_steps, recent = 0, []
    budget = settings.max_minutes * 60
    bf16 = settings.bf16 or (device.type == "cuda" and torch.cuda.is_bf16_supported())

    def clocks(everyone: bool = False) -> None:
        """Wall-clock time, and (at points every process reaches: ``everyone``) the CPU
        time of all processes together."""
        info["elapsed_s"] = base_wall + time.perf_counter() - wall0
        if everyone or world == 1:
            used = torch.tensor([time.process_time() - cpu0], dtype=torch.float64)
            info["cpu_s"] = base_cpu + float(distributed.all_sum(used))

    def progress() -> float:
        span = max(1, settings.steps - settings.warmup)
        done = (info["step"] - settings.warmup) / span
        if budget:
            done = max(done, distributed.agree(info["elapsed_s"]) / budget)
        return min(1.0, done)

    def finished() -> bool:
        return info["step"] >= settings.steps or (budget and progress() >= 1.0)

    def save_state() -> None:
        clocks(everyone=True)
        recipe_state = recipe.state()  # collective: every process takes part
        if rank == 0:
            state.save(info, model, opt, average, recipe_state)
        distributed.barrier()

    with distributed.interruptible():
        try:
            while True:
                clocks()
                if finished():
                    break
                lr = learning_rate(settings, info["step"], progress())
                for group in opt.param_groups:
                    group["lr"] = lr
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                    total, weight = recipe.loss(trained, info["step"])
                # (sum of the losses, sum of the weights) over the whole batch
                sums = distributed.all_sum(torch.stack([total.detach().float(),
                                                        weight.detach().float()]))
                # Scaled so that DDP's average of the ranks' gradients is the gradient of
                # the whole batch's mean loss.
                loss = total * world / sums[1].clamp_min(1.0)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if settings.grad_clip:
                    nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
                opt.step()
                if average is not None:
                    _update_average(average, model, settings.ema, info["step"])
                info["step"] += 1
                session_steps += 1
                mean = float(sums[0]) / max(1.0, float(sums[1]))
                recent = (recent + [recipe_units(recipe, mean)])[-50:]
                clocks()
                evaluated = improved = False
                valid = info["history"][-1]["valid"] if info["history"] else None
                if info["step"] % settings.eval_every == 0 or finished():
                    evaluated = True
                    kept = average if average is not None else model
                    valid = recipe.evaluate(kept) if rank == 0 else 0.0
                    valid = distributed.broadcast(valid)
                    clocks(everyone=True)
                    entry = {"step": info["step"], "elapsed_s": round(info["elapsed_s"], 1),
                             "train": round(sum(recent) / len(recent), 4),
                             "valid": round(valid, 4), "lr": lr}
                    if average is not None and rank == 0:
                        entry["raw_valid"] = round(recipe.evaluate(model), 4)
                    info["history"].append(entry)
                    if info["best_valid"] is None or valid < info["best_valid"]:
                        improved = True
                        info.update(best_valid=valid, best_step=info["step"],
                                    best_elapsed_s=info["elapsed_s"], best_cpu_s=info["cpu_s"])
                        if rank == 0:
                            _save_model(out, kept, recipe, settings, info, world, card_extra)
                    save_state()
                stop = False
                if callback is not None and rank == 0:
                    per_step = (time.perf_counter() - wall0) / session_steps
                    eta = (settings.steps - info["step"]) * per_step
                    if budget:
                        eta = min(eta, max(0.0, budget - info["elapsed_s"]))
                    try:
                        callback(Progress(info["step"], settings.steps, recipe.unit,
                                          sum(recent) / len(recent), valid,
                                          info["best_valid"], recipe.per_step / per_step,
                                          info["elapsed_s"], eta, evaluated, improved))
                    except KeyboardInterrupt:
                        if world == 1:
                            raise
                        stop = True  # the others are told below, and all stop here
                if distributed.any_true(stop or distributed.stop_requested()):
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            save_state()
            raise
    info["finished"] = True
    save_state()
    if rank == 0 and info["best_valid"] is not None:
        card = checkpoint.read_card(out)
        training = replace(card.training, seconds=round(info["elapsed_s"], 1),
                           cpu_seconds=round(info["cpu_s"], 1), steps_run=info["step"],
                           history=tuple(info["history"]))
        checkpoint.write_card(out, card.replace(training=training))
    return _result(out, info)


def _load_on_rank_0(state: _ResumeState) -> tuple[dict, dict[str, torch.Tensor]] | None:
    """The saved state in ``out`` as rank 0 reads it, on every process (a process on
    another machine need not see rank 0's files); ``None`` when there is none."""
    loaded: tuple | None = None
    if distributed.rank() == 0 and state.exists():
        try:
            loaded = state.load()
        except DataError as e:
            loaded = ("error", str(e))
    loaded = distributed.broadcast_object(loaded)
    if loaded is not None and loaded[0] == "error":
        raise DataError(loaded[1])
    return loaded


def recipe_units(recipe: Recipe, nats: float) -> float:
    """A loss in nats in the recipe's unit."""
    return nats / math.log(2.0) if recipe.unit.startswith("bits") else nats


def _save_model(out: Path, model: nn.Module, recipe: Recipe, settings: Optimisation,
                info: dict, world: int, card_extra: dict | None) -> None:
    base = recipe.card()
    extra = dict(card_extra or {})
    training = Training(
        preset=extra.pop("preset", base.training.preset), config=recipe.config_json(),
        steps=info["best_step"], steps_run=info["step"], seconds=round(info["elapsed_s"], 1),
        cpu_seconds=round(info["cpu_s"], 1),
        seconds_to_best=round(info.get("best_elapsed_s", info["elapsed_s"]), 1),
        threads=settings.threads, processes=world, base=extra.pop("base", base.training.base),
        machine=machine(), extra=dict(base.training.extra))
    card = base.replace(training=training,
                        metrics={**base.metrics, recipe.kind.metric: round(info["best_valid"], 4)})
    if "licence" in extra and isinstance(extra["licence"], dict):
        from dataclasses import replace as dc_replace

        card = card.replace(licence=dc_replace(card.licence, **extra.pop("licence")))
    for key in ("name", "title", "description"):
        if key in extra:
            card = card.replace(**{key: str(extra.pop(key))})
    if extra:
        card = card.replace(extra={**card.extra, **extra})
    was_training = model.training
    model.eval()
    checkpoint.save(out, model, model.config, recipe.vocab(), card)
    model.train(was_training)


def _result(out: Path, info: dict) -> TrainResult:
    return TrainResult(out, info["step"], info["best_valid"], info["best_step"],
                       info["elapsed_s"], info["cpu_s"], bool(info.get("finished")),
                       info["history"])
