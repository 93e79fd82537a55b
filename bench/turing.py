"""Can a simple classifier tell a model's continuation from the real thing? (issue 13)

For every Nottingham test tune, each shipped model (and the character 4-gram baseline,
run through the same bar-exact folk decoder) continues bars 1-4 by 8 bars in replace
mode, with a few seeds. The real bars 5-12 and each continuation are written the same
way (our writer, in the folk model's prompt style: the classifier cannot tell them
apart by formatting), then a classifier — character 1- to 4-grams, logistic regression
with L2, trained on half of the test tunes and scored on the other half, then the
halves swapped — tries to tell which is which. 50% accuracy means indistinguishable; a
figure to track, and to put in the model cards.

    python bench/turing.py [--seeds 3] [--models NAME ...] [--no-ngram]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import require_nottingham, split_ids, tune_source  # noqa: E402
from bench.ngram_baseline import BOS, EOS, KneserNey  # noqa: E402
from composer.cli.continue_ import bar_range_ticks  # noqa: E402
from composer.generation.engine import continue_passage  # noqa: E402
from composer.generation.errors import GenerationError  # noqa: E402
from composer.generation.folk.codec import FolkCodec  # noqa: E402
from composer.generation.folk.prompt import style_abc  # noqa: E402
from composer.generation.registry import ModelRegistry  # noqa: E402
from composer.generation.request import ContinueRequest, Sampling, Selection, Take  # noqa: E402
from composer.music.abc import read_abc  # noqa: E402
from composer.music.edit import crop  # noqa: E402
from composer.training.corpus import load_splits, read_tunes, select  # noqa: E402


def body(score, start: int, end: int) -> str:
    """The melody and chord symbols of ``[start, end)`` as the folk prompts write them,
    without the header."""
    passage = crop(score, start, end)
    melody = next((t for t in passage.tracks if t.notes and not t.is_drum), None)
    if melody is None:
        return ""
    import dataclasses

    text = style_abc(dataclasses.replace(passage, tracks=(melody,)))
    return text.split("\nK:", 1)[1].partition("\n")[2]


# --- the n-gram baseline as a step model ----------------------------------------------------
class NgramStep:
    """A character n-gram model behind the step interface the sampling loop drives:
    the state is the text read so far (per row)."""

    def __init__(self, model: KneserNey, vocab):
        self.model, self.vocab = model, vocab
        self.vocab_size = len(vocab)
        self.chars = [vocab.tokens[i] for i in range(len(vocab))]

    def init_state(self, batch: int):
        return [BOS * (self.model.order - 1) for _ in range(batch)]

    def step(self, tokens: torch.Tensor, state):
        rows = []
        new_state = []
        for r, row in enumerate(tokens.tolist()):
            text = state[r if r < len(state) else 0]
            for t in row:
                c = self.chars[t]
                text = (text + (c if len(c) == 1 else ""))[-(self.model.order - 1):]
            new_state.append(text)
            ctx = text
            rows.append([math.log(self.model.prob(ctx, c if len(c) == 1 else EOS))
                         for c in self.chars])
        return torch.tensor(rows, dtype=torch.float32), new_state


class NgramRegistry:
    """What ``continue_passage`` needs from a registry, for the n-gram baseline."""

    def __init__(self, step, codec):
        self.step_model, self.codec = step, codec

    def load(self, name):
        return self


# --- the classifier ---------------------------------------------------------------------------
def features(texts: list[str], vocab: dict[str, int] | None = None):
    grams = [Counter(t[i:i + n] for n in range(1, 5) for i in range(len(t) - n + 1))
             for t in texts]
    if vocab is None:
        seen = Counter(g for c in grams for g in c)
        vocab = {g: i for i, g in enumerate(sorted(g for g, k in seen.items() if k >= 2))}
    x = np.zeros((len(texts), len(vocab)), dtype=np.float64)
    for row, c in enumerate(grams):
        for g, k in c.items():
            if g in vocab:
                x[row, vocab[g]] = k
    x = np.log1p(x)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-9), vocab


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 500) -> np.ndarray:
    """Weights (with a bias last) of an L2 logistic regression by gradient descent."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0]
        w -= 2.0 * grad
    return w


def accuracy(real: dict[str, list[str]], fake: dict[str, list[str]]) -> float:
    """Two-fold accuracy, split by tune, of telling ``fake`` texts from ``real`` ones."""
    tunes = sorted(set(real) & set(fake))
    halves = (tunes[::2], tunes[1::2])
    right = total = 0
    for train, test in (halves, halves[::-1]):
        tr = [(t, 0) for k in train for t in real[k]] + [(t, 1) for k in train for t in fake[k]]
        te = [(t, 0) for k in test for t in real[k]] + [(t, 1) for k in test for t in fake[k]]
        x, vocab = features([t for t, _ in tr])
        w = logistic(x, np.array([y for _, y in tr], dtype=np.float64))
        xt, _ = features([t for t, _ in te], vocab)
        pred = (np.hstack([xt, np.ones((len(xt), 1))]) @ w) > 0
        right += int(sum(p == bool(y) for p, (_, y) in zip(pred, te)))
        total += len(te)
    return right / total if total else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--no-ngram", action="store_true")
    args = ap.parse_args()
    data = require_nottingham()
    registry = ModelRegistry()
    names = args.models or [i.name for i in registry.list() if not i.problem]
    scores = {}
    for tune_id in split_ids("test"):
        path, x = tune_source(tune_id)
        score = read_abc(path.read_text(), x=x)
        if len(score.bars()) >= 13:
            scores[tune_id] = score
    print(f"{len(scores)} test tunes with 12 bars or more, {args.seeds} seeds each")
    real = {}
    for tune_id, score in scores.items():
        start = bar_range_ticks(score, 5, 5)[0]
        end = bar_range_ticks(score, 12, 12)[1]
        real[tune_id] = [body(score, start, end)]
    runners = [(n, registry) for n in names]
    if not args.no_ngram:
        tunes = read_tunes([data / "abc"])
        train = [t.text + EOS for t in select(tunes, load_splits(data / "splits.json"), "train")]
        folk = registry.load(registry.default_name())
        codec = FolkCodec(folk.codec.vocab)
        runners.append(("4-gram", NgramRegistry(NgramStep(KneserNey(train, 4), codec.vocab),
                                                 codec)))
    print(f"{'model':<14} accuracy  (50% = indistinguishable)   takes   seconds")
    for name, reg in runners:
        t0 = time.perf_counter()
        fake: dict[str, list[str]] = {}
        failed = 0
        for tune_id, score in scores.items():
            start, end = bar_range_ticks(score, 1, 4)
            for s in range(args.seeds):
                req = ContinueRequest(score, Selection(start, end), 8, name,
                                      Sampling(seed=s), mode="replace")
                try:
                    take = next(t for t in continue_passage(req, reg) if isinstance(t, Take))
                except GenerationError:
                    failed += 1
                    continue
                fake.setdefault(tune_id, []).append(body(take.score, take.start, take.end))
        # As many real examples as fake ones per tune: the real bars, repeated.
        balanced = {k: real[k] * len(fake.get(k, [])) for k in real}
        acc = accuracy(balanced, fake)
        n = sum(len(v) for v in fake.values())
        print(f"{name:<14} {100 * acc:5.1f}%{'':29}{n:5d}   {time.perf_counter() - t0:7.0f}"
              + (f"   ({failed} takes failed)" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
