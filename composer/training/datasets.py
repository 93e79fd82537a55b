"""Token streams for training character models on ABC tunes.

Each tune becomes ``<bos> header body <eos>``; targets are the next tokens, with a
weight per target (``header_weight`` for header characters, 1 for the body and the
end mark). An epoch shuffles the tunes (seeded), optionally rewrites each one (for
example a transposition), concatenates them and cuts the stream into ``batch`` lanes
that are read ``bptt`` characters at a time with the recurrent state carried along.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


@dataclass
class EpochStream:
    """One epoch cut into lanes: ``inputs``/``targets`` (B, N) int64, ``weights``
    (B, N) float32; chunk ``i`` is columns ``[i * bptt, (i + 1) * bptt)``."""

    inputs: torch.Tensor
    targets: torch.Tensor
    weights: torch.Tensor
    bptt: int

    @property
    def chunks(self) -> int:
        return self.inputs.shape[1] // self.bptt

    def chunk(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        sl = slice(i * self.bptt, (i + 1) * self.bptt)
        return self.inputs[:, sl], self.targets[:, sl], self.weights[:, sl]

    @property
    def characters(self) -> int:
        return self.chunks * self.bptt * self.inputs.shape[0]


def epoch_stream(
    vocab: CharVocab,
    tunes: Sequence[AbcTune],
    epoch: int,
    seed: int,
    batch: int,
    bptt: int,
    header_weight: float = 1.0,
    augment: Augment | None = None,
) -> EpochStream:
    """The shuffled (and augmented) training stream of ``epoch``; the same
    ``seed`` and ``epoch`` always give the same stream."""
    rng = random.Random(seed * 100_003 + epoch)
    order = list(tunes)
    rng.shuffle(order)
    ids: list[int] = []
    weights: list[float] = []
    for tune in order:
        if augment is not None:
            tune = augment(tune, rng)
        t_ids, t_w = tune_example(vocab, tune, header_weight)
        ids.extend(t_ids)
        weights.extend(t_w)
        weights.append(0.0)  # <eos> -> next <bos> is not worth learning
    stream = torch.tensor(ids, dtype=torch.long)
    w = torch.tensor(weights[: len(ids) - 1], dtype=torch.float32)
    lane = (len(ids) - 1) // batch
    if lane < bptt:
        raise ValueError(f"too little training text for {batch} lanes of {bptt} characters; "
                         "use a smaller batch or bptt")
    n = lane * batch
    inputs = stream[:n].view(batch, lane)
    targets = stream[1: n + 1].view(batch, lane)
    return EpochStream(inputs, targets, w[:n].view(batch, lane), bptt)


def window_batch(stream: EpochStream, rng: torch.Generator, batch: int, window: int
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``batch`` random windows of ``window`` characters from a stream's lanes, for
    many-to-one training: inputs (B, W), the target after each window (B,), weights (B,)."""
    lanes, n = stream.inputs.shape
    lane = torch.randint(0, lanes, (batch,), generator=rng)
    end = torch.randint(window, n + 1, (batch,), generator=rng)  # exclusive
    cols = end[:, None] - window + torch.arange(window)[None, :]
    x = stream.inputs[lane[:, None], cols]
    y = stream.targets[lane, end - 1]
    w = stream.weights[lane, end - 1]
    return x, y, w
