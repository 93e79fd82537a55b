"""Continuation speed per model: time to the first new note and to all 8 bars
(median of >= 20 warm runs), against the bare network's step cost measured in the same
run: one step per token the model read (prompt included; priming reads it as one
sequence, cheaper than steps, so the ratio is conservative), batch 1, state carried.

    python bench/continue.py [--runs 20] [--bars 8] [--models NAME ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from composer.generation.engine import continue_passage
from composer.generation.registry import ModelRegistry
from composer.generation.request import (
    ContinueRequest,
    Sampling,
    Selection,
    Take,
    TakeProgress,
)
from composer.music.io import read_score

EXAMPLE = Path(__file__).resolve().parents[1] / "resources" / "examples" / "morning-on-the-hill.abc"


class CountingModel:
    """Wraps a step model and counts steps and tokens fed."""

    def __init__(self, inner):
        self.inner, self.steps, self.tokens = inner, 0, 0
        self.vocab_size = getattr(inner, "vocab_size", None)

    def init_state(self, batch):
        return self.inner.init_state(batch)

    def step(self, tokens, state):
        self.steps += 1
        self.tokens += tokens.shape[1]
        return self.inner.step(tokens, state)


class Wrapped:
    def __init__(self, registry, name):
        self.model = registry.load(name)
        self.counter = CountingModel(self.model.step_model)

    def load(self, name):
        return type("M", (), {"step_model": self.counter, "codec": self.model.codec})


def bare_step_seconds(step_model, n=400) -> float:
    import torch

    with torch.inference_mode():
        state = step_model.init_state(1)
        tok = torch.zeros(1, 1, dtype=torch.long)
        for _ in range(20):
            _, state = step_model.step(tok, state)
        t0 = time.perf_counter()
        for _ in range(n):
            _, state = step_model.step(tok, state)
        return (time.perf_counter() - t0) / n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--bars", type=int, default=8)
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--tune", default=str(EXAMPLE))
    args = ap.parse_args()
    registry = ModelRegistry()
    names = args.models or [i.name for i in registry.list() if not i.problem]
    score = read_score(args.tune)
    bars = score.bars()
    sel = Selection(bars[0][0], bars[min(4, len(bars)) - 1][1])
    print(f"tune {Path(args.tune).name}: continue bars 1-4 by {args.bars}, "
          f"median of {args.runs} warm runs")
    for name in names:
        wrapped = Wrapped(registry, name)
        first, total, steps = [], [], []
        for run in range(args.runs + 1):
            req = ContinueRequest(score, sel, args.bars, name, Sampling(seed=run))
            wrapped.counter.steps = wrapped.counter.tokens = 0
            t0 = time.perf_counter()
            t_first = None
            for item in continue_passage(req, wrapped):
                if t_first is None and isinstance(item, TakeProgress | Take):
                    notes = item.notes if isinstance(item, TakeProgress) else {"x": [1]}
                    if any(notes.values()):
                        t_first = time.perf_counter() - t0
            t_all = time.perf_counter() - t0
            if run == 0:
                continue  # warm-up
            first.append(t_first or t_all)
            total.append(t_all)
            steps.append(wrapped.counter.tokens)
        step_s = bare_step_seconds(wrapped.model.step_model)
        med_steps = statistics.median(steps)
        bare = step_s * med_steps
        med_total = statistics.median(total)
        print(f"{name:<14} first note {statistics.median(first) * 1e3:7.1f} ms   "
              f"all {args.bars} bars {med_total * 1e3:7.1f} ms   "
              f"tokens {med_steps:.0f} x bare step {step_s * 1e3:.3f} ms = {bare * 1e3:.1f} ms   "
              f"ratio {med_total / bare:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
