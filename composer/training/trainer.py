"""The trainer: stateful truncated-BPTT training of a :class:`CharLSTM` on ABC tunes,
with AdamW, warm-up + cosine learning rate, evaluation on ``valid``, the best
checkpoint kept, and exact resumption after a stop.

``out`` receives the best model (``model.safetensors``, ``vocab.json``, ``card.json``,
see :mod:`composer.nn.checkpoint`) and ``out/train-state/`` the state to resume from
(weights, optimizer moments, random-generator state, the carried recurrent state:
safetensors; counters and history: JSON). Same data, config and seed -> same run.
"""

from __future__ import annotations

import copy
import json
import math
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.nn import functional as F

from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from composer.training.config import TrainConfig
from composer.training.corpus import AbcTune, DataError
from composer.training.datasets import Augment, EpochStream, epoch_stream, window_batch
from composer.training.evaluate import LN2, score_tunes

STATE_DIR = "train-state"
KIND = "folk-abc"


@dataclass(frozen=True)
class Progress:
    """Reported after every step. ``train_bpc`` is the recent training loss in bits
    per character; ``valid_bpc`` the latest evaluation (``None`` before the first);
    ``chars_per_s`` training characters per second; times in seconds."""

    step: int
    steps: int
    epoch: int
    train_bpc: float
    valid_bpc: float | None
    best_valid_bpc: float | None
    chars_per_s: float
    elapsed_s: float
    eta_s: float
    evaluated: bool = False
    improved: bool = False


@dataclass
class TrainData:
    """Tunes to train on and to choose checkpoints with, and a description of where
    they came from (goes into the model card)."""

    train: Sequence[AbcTune]
    valid: Sequence[AbcTune]
    description: dict = field(default_factory=dict)
    extra: Sequence[AbcTune] = ()
    """More tunes for training only (other collections), once per epoch."""

    def epoch_tunes(self, main_repeat: int = 1) -> list[AbcTune]:
        return list(self.train) * max(1, main_repeat) + list(self.extra)


@dataclass
class TrainResult:
    out: Path
    steps: int
    best_valid_bpc: float | None
    best_step: int
    elapsed_s: float
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


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up over ``warmup`` steps, then a cosine from ``lr`` down to
    ``lr * min_lr_ratio`` at ``steps``."""
    if config.warmup and step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    span = max(1, config.steps - config.warmup)
    t = min(1.0, (step - config.warmup) / span)
    low = config.min_lr_ratio
    return config.lr * (low + (1 - low) * 0.5 * (1 + math.cos(math.pi * t)))


def build_model(config: TrainConfig, vocab: CharVocab) -> CharLSTM:
    return CharLSTM(CharLSTMConfig(
        vocab_size=len(vocab), embed=config.embed, hidden=config.hidden, layers=config.layers,
        dropout=config.dropout, weight_drop=config.weight_drop, context=config.context,
        window=config.window))


def _optimizer(model: CharLSTM, config: TrainConfig) -> torch.optim.AdamW:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay},
         {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr, betas=(0.9, config.beta2))


def _average_of(model: CharLSTM) -> CharLSTM:
    """A frozen copy of ``model`` that :func:`_update_average` keeps as the moving
    average of its weights."""
    average = copy.deepcopy(model)
    average.eval()
    for p in average.parameters():
        p.requires_grad_(False)
    return average


@torch.no_grad()
def _update_average(average: CharLSTM, model: CharLSTM, decay: float, step: int) -> None:
    """One step of the weights' moving average; the decay ramps up from 0.1 over the
    first steps (``(1 + step) / (10 + step)``) so the start does not linger in it."""
    rate = 1.0 - min(decay, (1.0 + step) / (10.0 + step))
    for a, p in zip(average.parameters(), model.parameters(), strict=True):
        a.lerp_(p.detach(), rate)


class _ResumeState:
    """The files of ``out/train-state``: ``state.json`` and ``state.safetensors``."""

    def __init__(self, out: Path):
        self.dir = out / STATE_DIR
        self.json = self.dir / "state.json"
        self.tensors = self.dir / "state.safetensors"

    def exists(self) -> bool:
        return self.json.is_file() and self.tensors.is_file()

    def save(self, info: dict, model: CharLSTM, opt: torch.optim.Optimizer,
             carry: tuple[torch.Tensor, torch.Tensor] | None,
             average: CharLSTM | None = None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
        if average is not None:
            tensors.update({f"ema.{k}": v for k, v in average.state_dict().items()})
        opt_state = opt.state_dict()
        for idx, st in opt_state["state"].items():
            for k, v in st.items():
                tensors[f"opt.{idx}.{k}"] = torch.as_tensor(v)
        tensors["rng.torch"] = torch.get_rng_state()
        if carry is not None:
            tensors["carry.h"], tensors["carry.c"] = carry
        groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()}
                  for g in opt_state["param_groups"]]
        checkpoint.save_weights(self.tensors, tensors)
        info = dict(info, param_groups=groups)
        self.json.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")

    def load(self) -> tuple[dict, dict[str, torch.Tensor]]:
        try:
            info = json.loads(self.json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DataError(f"cannot resume: {self.json} is unreadable ({e}); "
                            "delete the folder to start again") from None
        return info, checkpoint.load_weights(self.tensors)


def _restore(model: CharLSTM, opt: torch.optim.Optimizer, info: dict,
             tensors: dict[str, torch.Tensor], average: CharLSTM | None = None):
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
    torch.set_rng_state(tensors["rng.torch"])
    if "carry.h" in tensors:
        return tensors["carry.h"], tensors["carry.c"]
    return None


def _card(config: TrainConfig, data: TrainData, vocab: CharVocab, info: dict,
          card_extra: dict) -> dict:
    card = {
        "kind": KIND,
        "description": "Character-level LSTM on ABC folk tunes: continues a tune's text "
                       "one character at a time.",
        "training": {
            "config": config.to_json(),
            "steps": info["best_step"],
            "steps_run": info["step"],
            "seconds": round(info["elapsed_s"], 1),
            "seconds_to_best": round(info.get("best_elapsed_s", info["elapsed_s"]), 1),
            "machine": machine(),
            "threads": config.threads,
        },
        "data": dict(data.description, train_tunes=len(data.train),
                     extra_tunes=len(data.extra), valid_tunes=len(data.valid),
                     vocab_size=len(vocab)),
        "metrics": {"valid_bits_per_char": round(info["best_valid_bpc"], 4)},
    }
    for k, v in card_extra.items():
        if isinstance(v, dict) and isinstance(card.get(k), dict):
            card[k] = dict(card[k], **v)
        else:
            card[k] = v
    return card


def train(
    config: TrainConfig,
    data: TrainData,
    out: str | Path,
    callback: Callable[[Progress], None] | None = None,
    augment: Augment | None = None,
    card_extra: dict | None = None,
    resume: bool = True,
) -> TrainResult:
    """Train (or resume) a model into ``out``; see the module docstring.

    ``augment`` rewrites a tune for an epoch (e.g. a transposition); it must be
    deterministic given its ``random.Random``. Raises :class:`DataError` when the
    data cannot be used or ``out`` holds a run with another configuration.
    """
    out = Path(out)
    if not data.train:
        raise DataError("no training tunes")
    if not data.valid:
        raise DataError("no validation tunes to choose checkpoints with")
    torch.set_num_threads(config.threads)
    torch.backends.mkldnn.enabled = True
    card_extra = card_extra or {}
    resume_state = _ResumeState(out)
    vocab = CharVocab.from_texts(t.text for t in data.epoch_tunes())
    tunes = data.epoch_tunes(config.main_repeat)

    info: dict = {"step": 0, "epoch": 0, "chunk": 0, "elapsed_s": 0.0, "best_valid_bpc": None,
                  "best_step": 0, "history": [], "config": config.to_json(),
                  "vocab": list(vocab.chars), "finished": False}
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    model = build_model(config, vocab)
    opt = _optimizer(model, config)
    average = _average_of(model) if config.ema else None
    carry = None
    if resume and resume_state.exists():
        saved, tensors = resume_state.load()
        if saved.get("config") != config.to_json():
            raise DataError(f"{out} holds a training run with other settings; "
                            "choose another --out or delete that folder")
        if saved.get("vocab") != list(vocab.chars):
            raise DataError(f"{out} holds a training run on other data; "
                            "choose another --out or delete that folder")
        info.update(saved)
        info.pop("param_groups", None)
        carry = _restore(model, opt, saved, tensors, average)
        saved.pop("param_groups", None)
    if info.get("finished"):
        return _result(out, info)

    model.train()
    stream: EpochStream | None = None
    window_rng = torch.Generator()
    recent: list[float] = []
    session_start = time.perf_counter()
    session_steps = 0
    base_elapsed = info["elapsed_s"]
    tail_start = config.steps - round(config.main_tail * config.steps) if config.main_tail \
        else config.steps + 1
    chars_per_step = config.batch * (1 if config.context == "window" else config.bptt)

    def elapsed() -> float:
        return base_elapsed + time.perf_counter() - session_start

    def save_state() -> None:
        info["elapsed_s"] = elapsed()
        resume_state.save(info, model, opt, carry, average)

    try:
        while info["step"] < config.steps:
            if config.max_minutes and elapsed() > config.max_minutes * 60:
                break
            if not info.get("tail") and info["step"] >= tail_start:
                # The tail: a fresh epoch over the main tunes alone, as written.
                info["tail"] = True
                info["epoch"] += 1
                info["chunk"] = 0
                carry = None
                stream = None
            if stream is None:
                now, rewrite = (list(data.train), None) if info.get("tail") else (tunes, augment)
                stream = epoch_stream(vocab, now, info["epoch"], config.seed, config.batch,
                                      config.bptt, config.header_weight, rewrite)
            per_epoch = (stream.characters // config.batch if config.context == "window"
                         else stream.chunks)
            if info["chunk"] >= per_epoch:
                info["epoch"] += 1
                info["chunk"] = 0
                carry = None
                stream = None
                continue
            lr = learning_rate(config, info["step"])
            for group in opt.param_groups:
                group["lr"] = lr
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
                if config.context == "window":
                    window_rng.manual_seed(config.seed * 1_000_003 + info["step"])
                    x, y, w = window_batch(stream, window_rng, config.batch, config.window)
                    logits, _ = model(x)
                    logits = logits[:, -1]
                else:
                    x, y, w = stream.chunk(info["chunk"])
                    logits, carry = model(x, carry)
                    carry = (carry[0].detach().float(), carry[1].detach().float())
                    logits = logits.transpose(1, 2)
            nll = F.cross_entropy(logits.float(), y, reduction="none")
            loss = (nll * w).sum() / w.sum().clamp_min(1.0)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            opt.step()
            if average is not None:
                _update_average(average, model, config.ema, info["step"])
            info["step"] += 1
            info["chunk"] += 1
            session_steps += 1
            recent.append(float(loss.detach()) / LN2)
            del recent[:-50]

            evaluated = improved = False
            valid_bpc = info["history"][-1]["valid_bpc"] if info["history"] else None
            if info["step"] % config.eval_every == 0 or info["step"] == config.steps:
                evaluated = True
                kept = average if average is not None else model
                valid_bpc = score_tunes(kept, vocab, data.valid).bits_per_char
                entry = {"step": info["step"], "elapsed_s": round(elapsed(), 1),
                         "train_bpc": round(sum(recent) / len(recent), 4),
                         "valid_bpc": round(valid_bpc, 4), "lr": lr}
                if average is not None:
                    raw = score_tunes(model, vocab, data.valid).bits_per_char
                    entry["raw_valid_bpc"] = round(raw, 4)
                info["history"].append(entry)
                best = info["best_valid_bpc"]
                if best is None or valid_bpc < best:
                    improved = True
                    info["best_valid_bpc"] = valid_bpc
                    info["best_step"] = info["step"]
                    info["best_elapsed_s"] = elapsed()
                    was_training = kept.training
                    kept.eval()
                    checkpoint.save(out, kept, kept.config, vocab,
                                    _card(config, data, vocab, info, card_extra))
                    kept.train(was_training)
                save_state()
            if callback is not None:
                run_time = time.perf_counter() - session_start
                per_step = run_time / session_steps
                eta = (config.steps - info["step"]) * per_step
                if config.max_minutes:
                    eta = min(eta, max(0.0, config.max_minutes * 60 - elapsed()))
                callback(Progress(info["step"], config.steps, info["epoch"],
                                  sum(recent) / len(recent), valid_bpc, info["best_valid_bpc"],
                                  chars_per_step / per_step, elapsed(), eta, evaluated,
                                  improved))
    except KeyboardInterrupt:
        save_state()
        raise
    info["finished"] = True
    save_state()
    if info["best_valid_bpc"] is not None:
        # Rewrite the card with the final training time (weights stay the best ones).
        card_path = out / checkpoint.CARD
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["training"]["seconds"] = round(info["elapsed_s"], 1)
        card["training"]["steps_run"] = info["step"]
        card["training"]["history"] = info["history"]
        card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    return _result(out, info)


def _result(out: Path, info: dict) -> TrainResult:
    return TrainResult(out, info["step"], info["best_valid_bpc"], info["best_step"],
                       info["elapsed_s"], bool(info.get("finished")), info["history"])
