"""Evaluation of character models on ABC tunes (the metric of ``composer eval``).

**bits per character**: for each tune the model reads ``<bos>`` and the header (the
lines up to and including the first ``K:``), then scores the body exactly as written
(every character after that line, newlines included) plus the end-of-tune mark.
The result is total bits / total scored characters, summed over tunes. A character
the vocabulary lacks is scored as ``<unk>`` (so such text scores optimistically; the
count of them is reported).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from composer.nn.char_lstm import CharLSTM
from composer.nn.vocab import CharVocab
from composer.training.corpus import AbcTune

LN2 = math.log(2.0)


@dataclass(frozen=True)
class Score:
    """Total bits over ``chars`` scored characters of ``tunes`` tunes."""

    bits: float
    chars: int
    tunes: int
    unknown_chars: int = 0

    @property
    def bits_per_char(self) -> float:
        return self.bits / self.chars if self.chars else float("nan")


def _examples(vocab: CharVocab, tunes: Sequence[AbcTune]) -> list[tuple[list[int], int]]:
    """Per tune: ids ``<bos> header body <eos>`` and the index of the first scored
    *target* (targets are ids[1:])."""
    return [([vocab.bos] + vocab.encode(t.header + t.body) + [vocab.eos], len(t.header))
            for t in tunes]


def _stateful_bits(model: CharLSTM, examples: list[tuple[list[int], int]], batch: int) -> float:
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    device = next(model.parameters()).device
    total = 0.0
    for b in range(0, len(order), batch):
        group = [examples[i] for i in order[b: b + batch]]
        width = max(len(ids) for ids, _ in group) - 1
        x = torch.zeros(len(group), width, dtype=torch.long)
        y = torch.zeros(len(group), width, dtype=torch.long)
        mask = torch.zeros(len(group), width, dtype=torch.bool)
        for r, (ids, first) in enumerate(group):
            n = len(ids) - 1
            x[r, :n] = torch.tensor(ids[:-1])
            y[r, :n] = torch.tensor(ids[1:])
            mask[r, first:n] = True
        x, y, mask = x.to(device), y.to(device), mask.to(device)
        logits, _ = model(x)  # (B, T, V)
        nll = F.cross_entropy(logits.transpose(1, 2).float(), y, reduction="none")  # (B, T)
        total += float(nll[mask].sum()) / LN2
    return total


def _window_bits(model: CharLSTM, examples: list[tuple[list[int], int]], window: int,
                 batch: int, bos: int) -> float:
    """Each target predicted from the ``window`` tokens before it (left-padded with
    ``<bos>``), from a zero state: the seed-001 way of reading text."""
    windows: list[list[int]] = []
    targets: list[int] = []
    for ids, first in examples:
        padded = [bos] * window + ids
        for j in range(first + 1, len(ids)):  # target ids[j]
            windows.append(padded[j: j + window])
            targets.append(ids[j])
    device = next(model.parameters()).device
    total = 0.0
    for b in range(0, len(windows), batch):
        x = torch.tensor(windows[b: b + batch], dtype=torch.long, device=device)
        y = torch.tensor(targets[b: b + batch], dtype=torch.long, device=device)
        logits, _ = model(x)
        total += float(F.cross_entropy(logits[:, -1].float(), y, reduction="sum")) / LN2
    return total


def score_tunes(model: CharLSTM, vocab: CharVocab, tunes: Sequence[AbcTune],
                batch: int = 32) -> Score:
    """Bits of every tune's body and end mark given its header (see the module)."""
    examples = _examples(vocab, tunes)
    chars = sum(len(ids) - 1 - first for ids, first in examples)
    unknown = sum(sum(1 for i in ids[first + 1:] if i == vocab.unk) for ids, first in examples)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            if model.config.context == "window":
                bits = _window_bits(model, examples, model.config.window, 256, vocab.bos)
            else:
                bits = _stateful_bits(model, examples, batch)
    finally:
        model.train(was_training)
    return Score(bits, chars, len(tunes), unknown)
