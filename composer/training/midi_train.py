"""Training and scoring for the MIDI models (MAC-Net, the piano LSTM).

Both models read token ids plus features derived from them (position in the bar,
meter, ..., see their ``features`` methods) and share this loop: random windows of
``window`` tokens from the training pieces, each from a zero state (as a seed passage
is continued from a zero state), AdamW with warm-up and a cosine learning rate,
evaluation on the ``valid`` pieces (whole pieces, NLL per token in nats), the best
checkpoint kept, and exact resumption after a stop (``out/train-state/``: weights,
optimizer moments and counters in safetensors + JSON; the window sampler is seeded by
step, so a resumed run draws the same windows).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from composer.nn import checkpoint
from composer.training.corpus import DataError
from composer.training.trainer import machine

STATE_DIR = "train-state"


@dataclass(frozen=True)
class MidiTrainConfig:
    """Optimisation settings of a MIDI model run (the architecture is in ``model``)."""

    model: dict = field(default_factory=dict)
    """Architecture settings passed to the model's config (e.g. ``hidden``)."""
    batch: int = 32
    window: int = 512
    steps: int = 3000
    lr: float = 2e-3
    min_lr_ratio: float = 0.05
    warmup: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 250
    max_minutes: float = 0.0
    """Time budget in wall-clock minutes (0: none). Training ends after ``steps`` or
    when the budget is spent, whichever comes first, and the learning rate follows
    whichever is further along, so a run on a busy machine still finishes its
    schedule within the budget (it is then not bit-reproducible)."""
    seed: int = 1
    threads: int = 2

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> MidiTrainConfig:
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise DataError(f"unknown training settings {', '.join(unknown)}")
        return cls(**data)

    def with_overrides(self, **changes) -> MidiTrainConfig:
        known = {f.name for f in fields(self)} - {"model"}
        model = dict(self.model)
        direct = {}
        for k, v in changes.items():
            if k in known:
                direct[k] = v
            elif k in self.model:
                model[k] = v
            else:
                raise DataError(f"unknown setting {k!r} (known: "
                                f"{', '.join(sorted(known | set(self.model)))})")
        return replace(self, model=model, **direct)


@dataclass
class Sequences:
    """Pieces as token ids (T,) int64 with their features (F, T) int64 (what the
    model's ``features`` method derives from the ids: position, meter, ...)."""

    ids: list[np.ndarray]
    feats: list[np.ndarray]

    @classmethod
    def build(cls, model: nn.Module, pieces: Sequence[np.ndarray]) -> Sequences:
        ids, feats = [], []
        for p in pieces:
            t = torch.as_tensor(np.asarray(p), dtype=torch.long)[None]
            f = model.features(t)
            ids.append(np.asarray(p, dtype=np.int64))
            feats.append(np.stack([a[0].numpy() for a in f]))
        return cls(ids, feats)

    @property
    def tokens(self) -> int:
        return sum(len(i) - 1 for i in self.ids)


@dataclass
class MidiTask:
    """What the loop needs from a model kind: the kind, a function building a fresh
    model, its vocabulary, the data, and the card's description."""

    kind: str
    build: Callable[[dict], nn.Module]
    vocab: object
    train: Sequences
    valid: Sequences
    card: dict


@dataclass(frozen=True)
class Progress:
    """Reported after every step; losses in nats per token, times in seconds."""

    step: int
    steps: int
    train_nll: float
    valid_nll: float | None
    best_valid_nll: float | None
    tokens_per_s: float
    elapsed_s: float
    eta_s: float
    evaluated: bool = False
    improved: bool = False


@dataclass
class TrainResult:
    out: Path
    steps: int
    best_valid_nll: float | None
    best_step: int
    elapsed_s: float
    cpu_s: float
    finished: bool


def learning_rate(config: MidiTrainConfig, step: int, progress: float) -> float:
    """Linear warm-up over ``warmup`` steps, then a cosine from ``lr`` to
    ``lr * min_lr_ratio`` as ``progress`` (0..1, see :func:`train_midi`) runs out."""
    if config.warmup and step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    low = config.min_lr_ratio
    return config.lr * (low + (1 - low) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def window_batch(data: Sequences, rng: np.random.Generator, batch: int, window: int,
                 pad: int) -> tuple[torch.Tensor, list[torch.Tensor], torch.Tensor]:
    """``batch`` random windows of ``window + 1`` tokens (pieces drawn in proportion
    to their length; short pieces padded with ``pad``, masked out of the loss).
    Returns inputs (B, W), their features [(B, W)] and targets (B, W)."""
    lengths = np.array([len(i) - 1 for i in data.ids], dtype=np.float64)
    chosen = rng.choice(len(data.ids), size=batch, p=lengths / lengths.sum())
    n_feats = data.feats[0].shape[0]
    x = np.full((batch, window + 1), pad, dtype=np.int64)
    f = np.zeros((n_feats, batch, window + 1), dtype=np.int64)
    for row, k in enumerate(chosen):
        n = len(data.ids[k])
        start = int(rng.integers(0, n - window)) if n > window + 1 else 0
        end = min(n, start + window + 1)
        x[row, : end - start] = data.ids[k][start:end]
        f[:, row, : end - start] = data.feats[k][:, start:end]
        f[:, row, end - start:] = data.feats[k][:, end - 1: end]
    xt = torch.from_numpy(x)
    return xt[:, :-1], [torch.from_numpy(a[:, :-1]) for a in f], xt[:, 1:]


@torch.inference_mode()
def piece_nlls(model: nn.Module, data: Sequences, pad: int, max_tokens: int = 32768
               ) -> list[np.ndarray]:
    """Per piece, the NLL (nats) of each predicted token ``ids[1:]``, each piece read
    whole from a zero state. Pieces of similar length go through as one batch."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(data.ids)), key=lambda i: len(data.ids[i]))
    out: list[np.ndarray | None] = [None] * len(data.ids)
    i = 0
    while i < len(order):
        longest = len(data.ids[order[i]])
        j = i + 1
        while j < len(order) and len(data.ids[order[j]]) * (j - i + 1) <= max_tokens:
            longest = len(data.ids[order[j]])
            j += 1
        group = order[i:j]
        b = len(group)
        x = np.full((b, longest), pad, dtype=np.int64)
        f = np.zeros((data.feats[0].shape[0], b, longest), dtype=np.int64)
        for row, k in enumerate(group):
            n = len(data.ids[k])
            x[row, :n] = data.ids[k]
            f[:, row, :n] = data.feats[k]
        xt = torch.from_numpy(x)
        logits, _ = model(xt[:, :-1], *[torch.from_numpy(a[:, :-1]) for a in f])
        nll = F.cross_entropy(logits.transpose(1, 2), xt[:, 1:], reduction="none")
        for row, k in enumerate(group):
            out[k] = nll[row, : len(data.ids[k]) - 1].numpy().astype(np.float64)
        i = j
    model.train(was_training)
    return out  # type: ignore[return-value]


def mean_nll(model: nn.Module, data: Sequences, pad: int) -> float:
    """NLL per token (nats) over whole pieces."""
    nlls = piece_nlls(model, data, pad)
    return float(sum(n.sum() for n in nlls) / max(1, sum(len(n) for n in nlls)))


class _ResumeState:
    """``out/train-state/state.json`` (counters, config) + ``state.safetensors``
    (weights, optimizer moments)."""

    def __init__(self, out: Path):
        self.dir = out / STATE_DIR
        self.json = self.dir / "state.json"
        self.tensors = self.dir / "state.safetensors"

    def exists(self) -> bool:
        return self.json.is_file() and self.tensors.is_file()

    def save(self, info: dict, model: nn.Module, opt: torch.optim.Optimizer) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
        state = opt.state_dict()
        for idx, st in state["state"].items():
            for k, v in st.items():
                tensors[f"opt.{idx}.{k}"] = torch.as_tensor(v)
        tensors["rng.torch"] = torch.get_rng_state()  # dropout masks continue as they would
        groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()}
                  for g in state["param_groups"]]
        checkpoint.save_weights(self.tensors, tensors)
        self.json.write_text(json.dumps(dict(info, param_groups=groups), indent=1) + "\n",
                             encoding="utf-8")

    def load(self, model: nn.Module, opt: torch.optim.Optimizer) -> dict:
        try:
            info = json.loads(self.json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DataError(f"cannot resume: {self.json} is unreadable ({e}); "
                            "delete the folder to start again") from None
        tensors = checkpoint.load_weights(self.tensors)
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        state: dict[int, dict] = {}
        for k, v in tensors.items():
            if k.startswith("opt."):
                _, idx, name = k.split(".", 2)
                state.setdefault(int(idx), {})[name] = v
        groups = [dict(g, betas=tuple(g["betas"])) for g in info.pop("param_groups")]
        opt.load_state_dict({"state": state, "param_groups": groups})
        if "rng.torch" in tensors:
            torch.set_rng_state(tensors["rng.torch"])
        return info


def _optimizer(model: nn.Module, config: MidiTrainConfig) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                              {"params": other, "weight_decay": 0.0}], lr=config.lr)


def train_midi(task: MidiTask, config: MidiTrainConfig, out: str | Path,
               callback: Callable[[Progress], None] | None = None,
               resume: bool = True) -> TrainResult:
    """Train (or resume) ``task``'s model into ``out`` (see the module docstring)."""
    out = Path(out)
    if not task.train.ids:
        raise DataError("no training pieces")
    if not task.valid.ids:
        raise DataError("no validation pieces to choose checkpoints with")
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    model = task.build(config.model)
    opt = _optimizer(model, config)
    pad = task.vocab.pad
    vocab_json = task.vocab.to_json()
    info = {"step": 0, "elapsed_s": 0.0, "cpu_s": 0.0, "best_valid_nll": None, "best_step": 0,
            "history": [], "config": config.to_json(), "vocab": vocab_json, "finished": False}
    state = _ResumeState(out)
    if resume and state.exists():
        saved = state.load(model, opt)
        if saved.get("config") != config.to_json() or saved.get("vocab") != vocab_json:
            raise DataError(f"{out} holds a training run with other settings or data; "
                            "choose another --out or delete that folder")
        info.update(saved)
    if info["finished"]:
        return _result(out, info)
    model.train()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    base_wall, base_cpu = info["elapsed_s"], info["cpu_s"]
    session_steps, recent = 0, []
    tokens_per_step = config.batch * config.window

    def clocks() -> None:
        info["elapsed_s"] = base_wall + time.perf_counter() - wall0
        info["cpu_s"] = base_cpu + time.process_time() - cpu0

    def progress() -> float:
        done = info["step"] / config.steps
        if config.max_minutes:
            done = max(done, info["elapsed_s"] / (config.max_minutes * 60))
        return min(1.0, done)

    try:
        while True:
            clocks()
            if progress() >= 1.0:
                break
            lr = learning_rate(config, info["step"], progress())
            for g in opt.param_groups:
                g["lr"] = lr
            rng = np.random.default_rng([config.seed, info["step"]])
            x, feats, y = window_batch(task.train, rng, config.batch, config.window, pad)
            logits, _ = model(x, *feats)
            loss = F.cross_entropy(logits.transpose(1, 2), y, ignore_index=pad)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            opt.step()
            info["step"] += 1
            session_steps += 1
            recent = (recent + [loss.item()])[-50:]
            evaluated = improved = False
            valid = info["history"][-1]["valid_nll"] if info["history"] else None
            clocks()
            if info["step"] % config.eval_every == 0 or progress() >= 1.0:
                evaluated = True
                valid = mean_nll(model, task.valid, pad)
                clocks()
                info["history"].append({
                    "step": info["step"], "elapsed_s": round(info["elapsed_s"], 1),
                    "train_nll": round(sum(recent) / len(recent), 4),
                    "valid_nll": round(valid, 4), "lr": lr})
                if info["best_valid_nll"] is None or valid < info["best_valid_nll"]:
                    improved = True
                    info.update(best_valid_nll=valid, best_step=info["step"],
                                best_elapsed_s=info["elapsed_s"], best_cpu_s=info["cpu_s"])
                    _save_model(out, model, task, config, info)
                state.save(info, model, opt)
            if callback is not None:
                clocks()
                per_step = (time.perf_counter() - wall0) / session_steps
                eta = (config.steps - info["step"]) * per_step
                if config.max_minutes:
                    eta = min(eta, max(0.0, config.max_minutes * 60 - info["elapsed_s"]))
                callback(Progress(info["step"], config.steps, sum(recent) / len(recent), valid,
                                  info["best_valid_nll"], tokens_per_step / per_step,
                                  info["elapsed_s"], eta, evaluated, improved))
    except KeyboardInterrupt:
        clocks()
        state.save(info, model, opt)
        raise
    clocks()
    info["finished"] = True
    state.save(info, model, opt)
    if info["best_valid_nll"] is not None:
        card_path = out / checkpoint.CARD
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["training"].update(seconds=round(info["elapsed_s"], 1),
                                cpu_seconds=round(info["cpu_s"], 1), steps_run=info["step"],
                                history=info["history"])
        card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    return _result(out, info)


def _save_model(out: Path, model: nn.Module, task: MidiTask, config: MidiTrainConfig,
                info: dict) -> None:
    card = dict(task.card)
    card["kind"] = task.kind
    card["training"] = {
        "config": config.to_json(), "steps": info["best_step"], "steps_run": info["step"],
        "seconds": round(info["elapsed_s"], 1), "cpu_seconds": round(info["cpu_s"], 1),
        "seconds_to_best": round(info["best_elapsed_s"], 1), "machine": machine(),
        "threads": config.threads, "train_tokens": task.train.tokens,
        "valid_tokens": task.valid.tokens,
    }
    card["metrics"] = dict(card.get("metrics", {}),
                           valid_nll_per_token=round(info["best_valid_nll"], 4))
    model.eval()
    checkpoint.save(out, model, model.config, task.vocab, card)
    model.train()


def _result(out: Path, info: dict) -> TrainResult:
    return TrainResult(out, info["step"], info["best_valid_nll"], info["best_step"],
                       info["elapsed_s"], info["cpu_s"], bool(info["finished"]))
