"""The MIDI models' part of training (MAC-Net, the piano LSTM): pieces as token ids
with their features, random windows of them as batches, whole-piece scoring, and the
recipe both kinds run on the one training loop (:mod:`.loop`).

Both models read token ids plus features derived from them (position in the bar,
meter, ..., see their ``features`` methods): random windows of ``window`` tokens from
the training pieces, each from a zero state (as a seed passage is continued from a zero
state), the window sampler seeded by step (a resumed run draws the same windows);
evaluation on the ``valid`` pieces read whole, NLL per token in nats.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from composer.nn.card import ModelCard
from composer.training import distributed
from composer.training.corpus import DataError
from composer.training.loop import Optimisation


@dataclass(frozen=True)
class MidiConfig:
    """A MIDI model run's settings: the architecture (``model``, passed to the network's
    config), the batches, and the loop's settings."""

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
    """Time budget in wall-clock minutes (0: none); see
    :class:`~composer.training.loop.Optimisation`."""
    seed: int = 1
    threads: int = 2

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> MidiConfig:
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise DataError(f"unknown training settings {', '.join(unknown)}")
        return cls(**data)

    def with_overrides(self, **changes) -> MidiConfig:
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

    def optimisation(self) -> Optimisation:
        names = {f.name for f in fields(Optimisation)} & {f.name for f in fields(self)}
        return Optimisation(**{n: getattr(self, n) for n in names})


@dataclass
class Sequences:
    """Pieces as token ids (T,) with their features (F, T) (what the model's
    ``features`` method derives from the ids: position, meter, ...): int64 arrays in
    memory, or int32 views of two files on disk (:meth:`build` with a ``folder``)."""

    ids: Sequence[np.ndarray]
    feats: Sequence[np.ndarray]

    @classmethod
    def build(cls, model: nn.Module, pieces: Iterable[np.ndarray],
              folder: Path | None = None) -> Sequences:
        """The pieces with their features, in memory; or, with ``folder``, written there
        a piece at a time and read back from disk a window at a time (more pieces than
        memory holds: it keeps 8 bytes a piece)."""
        writer = _PieceWriter(folder) if folder is not None else None
        ids, feats = [], []
        for p in pieces:
            t = torch.as_tensor(np.asarray(p), dtype=torch.long)[None]
            f = np.stack([a[0].numpy() for a in model.features(t)])
            if writer is not None:
                writer.append(np.asarray(p), f)
            else:
                ids.append(np.asarray(p, dtype=np.int64))
                feats.append(f)
        return writer.close() if writer is not None else cls(ids, feats)

    @property
    def tokens(self) -> int:
        return int(self.lengths.sum())

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        """Predicted tokens per piece (its length - 1), float64."""
        return np.array([len(i) - 1 for i in self.ids], dtype=np.float64)


class _Pieces(Sequence[np.ndarray]):
    """Piece ``k`` as rows ``offsets[k]:offsets[k + 1]`` of an array on disk, transposed
    (``transpose``: features (F, T) stored as (T, F))."""

    def __init__(self, array: np.ndarray, offsets: np.ndarray, transpose: bool):
        self._array, self._offsets, self._transpose = array, offsets, transpose

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, k):
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        k %= len(self)
        rows = self._array[self._offsets[k]: self._offsets[k + 1]]
        return rows.T if self._transpose else rows


class _PieceWriter:
    """Appends pieces to ``folder/ids.i32`` and ``folder/feats.i32`` ((T, F) rows)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._ids = open(self.folder / "ids.i32", "wb")  # noqa: SIM115 (closed in close)
        self._feats = open(self.folder / "feats.i32", "wb")  # noqa: SIM115
        self._offsets = [0]
        self._n_feats = 0

    def append(self, ids: np.ndarray, feats: np.ndarray) -> None:
        self._ids.write(np.ascontiguousarray(ids, dtype=np.int32).tobytes())
        self._feats.write(np.ascontiguousarray(feats.T, dtype=np.int32).tobytes())
        self._offsets.append(self._offsets[-1] + len(ids))
        self._n_feats = feats.shape[0]

    def close(self) -> Sequences:
        self._ids.close()
        self._feats.close()
        total = self._offsets[-1]
        if not total:
            return Sequences([], [])
        offsets = np.asarray(self._offsets, dtype=np.int64)
        ids = np.memmap(self.folder / "ids.i32", dtype=np.int32, mode="r", shape=(total,))
        feats = np.memmap(self.folder / "feats.i32", dtype=np.int32, mode="r",
                          shape=(total, self._n_feats))
        return Sequences(_Pieces(ids, offsets, False), _Pieces(feats, offsets, True))


@dataclass
class MidiTask:
    """A MIDI kind's data made ready: the kind (a
    :class:`~composer.generation.kinds.ModelKind`), a function building a fresh network
    from the architecture settings, its vocabulary, the pieces, and the card's
    description (a dict: description, data, licence, name ...)."""

    kind: object
    build: Callable[[dict], nn.Module]
    vocab: object
    train: Sequences
    valid: Sequences
    card: dict


def window_batch(data: Sequences, rng: np.random.Generator, batch: int, window: int,
                 pad: int) -> tuple[torch.Tensor, list[torch.Tensor], torch.Tensor]:
    """``batch`` random windows of ``window + 1`` tokens (pieces drawn in proportion
    to their length; short pieces padded with ``pad``, masked out of the loss).
    Returns inputs (B, W), their features [(B, W)] and targets (B, W)."""
    lengths = data.lengths
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
    device = next(model.parameters()).device
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
        xt = torch.from_numpy(x).to(device)
        logits, _ = model(xt[:, :-1], *[torch.from_numpy(a[:, :-1]).to(device) for a in f])
        nll = F.cross_entropy(logits.transpose(1, 2), xt[:, 1:], reduction="none").cpu()
        for row, k in enumerate(group):
            out[k] = nll[row, : len(data.ids[k]) - 1].numpy().astype(np.float64)
        i = j
    model.train(was_training)
    return out  # type: ignore[return-value]


def mean_nll(model: nn.Module, data: Sequences, pad: int) -> float:
    """NLL per token (nats) over whole pieces."""
    nlls = piece_nlls(model, data, pad)
    return float(sum(n.sum() for n in nlls) / max(1, sum(len(n) for n in nlls)))


class SequenceRecipe:
    """The MIDI kinds' :class:`~composer.training.loop.Recipe`: ``task``'s network on
    random windows of its pieces (see the module docstring)."""

    unit = "nats/token"
    short = "nll"

    def __init__(self, task: MidiTask, config: MidiConfig):
        if not task.train.ids:
            raise DataError("no training pieces")
        if not task.valid.ids:
            raise DataError("no validation pieces to choose checkpoints with")
        self.task = task
        self.kind = task.kind
        self.config = config
        self.per_step = config.batch * config.window
        self._rows = slice(None)

    def settings(self) -> Optimisation:
        return self.config.optimisation()

    def config_json(self) -> dict:
        return self.config.to_json()

    def data_json(self):
        return self.task.vocab.to_json()

    def vocab(self):
        return self.task.vocab

    def build(self) -> nn.Module:
        return self.task.build(self.config.model)

    def begin(self, state: dict, tensors: dict, rank: int, world: int) -> None:
        self._rows = distributed.shard(self.config.batch, "windows")

    def loss(self, model, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        c, pad = self.config, self.task.vocab.pad
        rng = np.random.default_rng([c.seed, step])
        x, feats, y = window_batch(self.task.train, rng, c.batch, c.window, pad)
        rows = self._rows
        device = next(model.parameters()).device
        x, y, feats = x[rows].to(device), y[rows].to(device), [f[rows].to(device) for f in feats]
        logits, _ = model(x, *feats)
        nll = F.cross_entropy(logits.transpose(1, 2).float(), y, ignore_index=pad,
                              reduction="sum")
        return nll, (y != pad).sum()

    def state(self) -> tuple[dict, dict]:
        return {}, {}

    def evaluate(self, model) -> float:
        return mean_nll(model, self.task.valid, self.task.vocab.pad)

    def card(self) -> ModelCard:
        card = dict(self.task.card)
        card["kind"] = self.kind.name
        return ModelCard.from_json(card)
