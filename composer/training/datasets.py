"""Token streams for training character models on ABC tunes.

Each tune becomes ``<bos> header body <eos>``; targets are the next tokens, with a
weight per target (``header_weight`` for header characters, 1 for the body and the
end mark). An epoch shuffles the tunes (seeded), optionally rewrites each one (for
example a transposition), concatenates them and cuts the stream into ``batch`` lanes
that are read ``bptt`` characters at a time with the recurrent state carried along.
The stream is built in memory (:class:`EpochStream`) or, for a corpus too large for
that, written to a file a block at a time and read back a chunk or a batch of windows
at a time (:class:`DiskEpochStream`): the same batches either way.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from composer.nn.vocab import CharVocab
from composer.training.corpus import AbcTune

Augment = Callable[[AbcTune, random.Random], AbcTune]


def tune_example(vocab: CharVocab, tune: AbcTune, header_weight: float = 1.0
                 ) -> tuple[list[int], list[float]]:
    """Token ids ``<bos> header body <eos>`` and one weight per *target* (len - 1)."""
    ids = [vocab.bos] + vocab.encode(tune.header) + vocab.encode(tune.body) + [vocab.eos]
    n_header = len(tune.header)
    weights = [header_weight] * n_header + [1.0] * (len(ids) - 1 - n_header)
    return ids, weights


def epoch_examples(
    vocab: CharVocab,
    tunes: Sequence[AbcTune],
    epoch: int,
    seed: int,
    header_weight: float = 1.0,
    augment: Augment | None = None,
) -> Iterator[tuple[list[int], list[float]]]:
    """The tunes of ``epoch`` in their shuffled order (seeded by ``seed`` and
    ``epoch``), each augmented, as token ids and weights: one weight per id, the last
    one 0.0 (``<eos>`` -> next ``<bos>`` is not worth learning). Tunes are read one at
    a time (``tunes`` may be on disk); only the order is held."""
    rng = random.Random(seed * 100_003 + epoch)
    order = list(range(len(tunes)))
    rng.shuffle(order)  # the same permutation as shuffling the tunes themselves
    for i in order:
        tune = tunes[i]
        if augment is not None:
            tune = augment(tune, rng)
        ids, weights = tune_example(vocab, tune, header_weight)
        weights.append(0.0)
        yield ids, weights


def _lane_length(tokens: int, batch: int, bptt: int) -> int:
    lane = (tokens - 1) // batch
    if lane < bptt:
        raise ValueError(f"too little training text for {batch} lanes of {bptt} characters; "
                         "use a smaller batch or bptt")
    return lane


@dataclass
class EpochStream:
    """One epoch cut into lanes, in memory: ``inputs``/``targets`` (B, N) int64,
    ``weights`` (B, N) float32; chunk ``i`` is columns ``[i * bptt, (i + 1) * bptt)``."""

    inputs: torch.Tensor
    targets: torch.Tensor
    weights: torch.Tensor
    bptt: int

    @property
    def shape(self) -> tuple[int, int]:
        """(lanes, characters per lane)."""
        return tuple(self.inputs.shape)

    @property
    def chunks(self) -> int:
        return self.shape[1] // self.bptt

    @property
    def characters(self) -> int:
        return self.chunks * self.bptt * self.shape[0]

    def chunk(self, i: int, rows: slice = slice(None)
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Chunk ``i`` of the lanes ``rows``: inputs, targets (R, bptt), weights."""
        sl = slice(i * self.bptt, (i + 1) * self.bptt)
        return self.inputs[rows, sl], self.targets[rows, sl], self.weights[rows, sl]

    def windows(self, lane: torch.Tensor, end: torch.Tensor, window: int
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The ``window`` characters before column ``end`` (exclusive) of each ``lane``,
        the target after each and its weight."""
        cols = end[:, None] - window + torch.arange(window)[None, :]
        x = self.inputs[lane[:, None], cols]
        y = self.targets[lane, end - 1]
        w = self.weights[lane, end - 1]
        return x, y, w


def epoch_stream(
    vocab: CharVocab,
    tunes: Sequence[AbcTune],
    epoch: int,
    seed: int,
    batch: int,
    bptt: int,
    header_weight: float = 1.0,
    augment: Augment | None = None,
    path: Path | None = None,
) -> EpochStream | DiskEpochStream:
    """The shuffled (and augmented) training stream of ``epoch``; the same ``seed`` and
    ``epoch`` always give the same stream. In memory; or, with ``path``, written there
    a block at a time and read back from disk (:class:`DiskEpochStream`)."""
    examples = epoch_examples(vocab, tunes, epoch, seed, header_weight, augment)
    if path is not None:
        return _disk_stream(path, examples, len(vocab), header_weight, batch, bptt)
    ids: list[int] = []
    weights: list[float] = []
    for t_ids, t_w in examples:
        ids.extend(t_ids)
        weights.extend(t_w)
    stream = torch.tensor(ids, dtype=torch.long)
    w = torch.tensor(weights[: len(ids) - 1], dtype=torch.float32)
    lane = _lane_length(len(ids), batch, bptt)
    n = lane * batch
    inputs = stream[:n].view(batch, lane)
    targets = stream[1: n + 1].view(batch, lane)
    return EpochStream(inputs, targets, w[:n].view(batch, lane), bptt)


class DiskEpochStream:
    """One epoch written to disk (token ids and a weight code per token) and read a
    chunk or a batch of windows at a time: the same lanes, chunks and windows as
    :class:`EpochStream` for the same tunes, seed and epoch, in memory of the order of
    one batch. Made by :func:`epoch_stream` with a ``path``."""

    def __init__(self, path: Path, tokens: int, table: np.ndarray, batch: int, bptt: int,
                 dtype: np.dtype):
        self.bptt = bptt
        self.lane = _lane_length(tokens, batch, bptt)
        self.batch = batch
        self.table = table  # weight of each code (float32)
        self._ids = np.memmap(path.with_suffix(".ids"), dtype=dtype, mode="r", shape=(tokens,))
        self._codes = np.memmap(path.with_suffix(".w"), dtype=np.uint8, mode="r",
                                shape=(tokens,))

    @property
    def shape(self) -> tuple[int, int]:
        return self.batch, self.lane

    @property
    def chunks(self) -> int:
        return self.lane // self.bptt

    @property
    def characters(self) -> int:
        return self.chunks * self.bptt * self.batch

    def _read(self, positions: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids (int64) and weights (float32) at stream ``positions``."""
        ids = torch.from_numpy(self._ids[positions].astype(np.int64))
        return ids, torch.from_numpy(self.table[self._codes[positions]])

    def chunk(self, i: int, rows: slice = slice(None)
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        lanes = np.arange(self.batch)[rows]
        starts = lanes * self.lane + i * self.bptt
        ids, weights = self._read(starts[:, None] + np.arange(self.bptt + 1)[None, :])
        return ids[:, :-1], ids[:, 1:], weights[:, :-1]

    def windows(self, lane: torch.Tensor, end: torch.Tensor, window: int
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        last = lane.numpy() * self.lane + end.numpy()  # one past each window, in the stream
        ids, weights = self._read(last[:, None] - window + np.arange(window + 1)[None, :])
        return ids[:, :-1], ids[:, -1], weights[:, -2]


def _disk_stream(path: Path, examples: Iterator[tuple[list[int], list[float]]], vocab_size: int,
                 header_weight: float, batch: int, bptt: int) -> DiskEpochStream:
    """``examples`` written to ``path`` (``.ids`` and ``.w`` files, replaced
    atomically) a block at a time, and opened for reading."""
    dtype = np.dtype(np.uint16 if vocab_size <= 1 << 16 else np.int32)
    table = np.array([0.0, header_weight, 1.0], dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_ids, tmp_w = path.with_suffix(".ids.tmp"), path.with_suffix(".w.tmp")
    tokens = 0
    ids: list[int] = []
    weights: list[float] = []
    with open(tmp_ids, "wb") as f_ids, open(tmp_w, "wb") as f_w:

        def flush() -> None:
            w = np.asarray(weights, dtype=np.float32)
            codes = np.where(w == 0.0, 0, np.where(w == table[1], 1, 2)).astype(np.uint8)
            f_ids.write(np.asarray(ids, dtype=dtype).tobytes())
            f_w.write(codes.tobytes())
            ids.clear()
            weights.clear()

        for t_ids, t_w in examples:
            ids.extend(t_ids)
            weights.extend(t_w)
            tokens += len(t_ids)
            if len(ids) >= 1 << 20:
                flush()
        flush()
    os.replace(tmp_ids, path.with_suffix(".ids"))
    os.replace(tmp_w, path.with_suffix(".w"))
    return DiskEpochStream(path, tokens, table, batch, bptt, dtype)


def window_batch(stream: EpochStream | DiskEpochStream, rng: torch.Generator, batch: int,
                 window: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``batch`` random windows of ``window`` characters from a stream's lanes, for
    many-to-one training: inputs (B, W), the target after each window (B,), weights (B,)."""
    lanes, n = stream.shape
    lane = torch.randint(0, lanes, (batch,), generator=rng)
    end = torch.randint(window, n + 1, (batch,), generator=rng)  # exclusive
    return stream.windows(lane, end, window)
