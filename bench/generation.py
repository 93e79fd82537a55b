"""Folk-model generation speed, all measured in one run on the same network:

(a) the sampler continuing a test tune's first 4 bars by 8 bars (stateful, one step
    per character, constrained, batch 1);
(b) the seeds' loop: for every new character, re-feed the last 100 characters from a
    zero state (what seed 001 did), for as many characters as (a) wrote;
(c) the bare LSTM step (batch 1, one character, state carried) times the number of
    characters (a) wrote.

Prints medians of warm runs and the ratios; goals: (a) <= 2x (c), (b) >= 20x (a),
first character <= 30 ms.

    python bench/generation.py [--model models/folk-abc] [--runs 10] [--tune ID]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench._data import NOTTINGHAM, split_ids  # noqa: E402
from composer.generation.folk.constraints import AbcTracker  # noqa: E402
from composer.generation.folk.sampler import AbcSampler  # noqa: E402
from composer.generation.request import Sampling  # noqa: E402
from composer.generation.sampling import configure_torch  # noqa: E402
from composer.training.corpus import read_tunes  # noqa: E402

WINDOW = 100


def prompt_of(tune, bars: int = 4) -> str:
    """The tune's header and body up to the bar line closing its ``bars``-th full bar
    (a pickup does not count)."""
    tracker = AbcTracker.for_tune(tune.header)
    full = 0
    for i, c in enumerate(tune.body):
        if tracker.push(c) and tracker.bars[-1].kind == "full":
            full += 1
            if full == bars:
                return tune.header + tune.body[: i + 1]
    return tune.text


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def time_sampler(sampler: AbcSampler, prompt: str, runs: int) -> tuple[list, list, int]:
    totals, firsts, chars = [], [], 0
    for r in range(runs + 1):
        start = time.perf_counter()
        first = None
        text = ""
        for chunk in sampler.stream(prompt, stop_after_bars=8, per="char",
                                    sampling=Sampling(temperature=1.0, seed=r)):
            if first is None:
                first = time.perf_counter() - start
            text = chunk.text
        total = time.perf_counter() - start
        if r:  # the first run warms up
            totals.append(total)
            firsts.append(first)
            chars = max(chars, len(text))
    return totals, firsts, chars


def time_window_loop(model, ids: list[int], n: int) -> float:
    """The seeds' loop: each new character re-reads the last WINDOW ones from zero."""
    gen = torch.Generator().manual_seed(0)
    ids = list(ids)
    start = time.perf_counter()
    with torch.inference_mode():
        for _ in range(n):
            window = torch.tensor([ids[-WINDOW:]])
            logits, _ = model(window)
            probs = torch.softmax(logits[0, -1], dim=-1)
            ids.append(int(torch.multinomial(probs, 1, generator=gen)))
    return time.perf_counter() - start


def time_bare_steps(model, n: int) -> float:
    state = model.init_state(1)
    token = torch.tensor([[5]])
    with torch.inference_mode():
        model.step(token, state)
        start = time.perf_counter()
        for _ in range(n):
            _, state = model.step(token, state)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "folk-abc"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tune", help="test tune id (default: the first of the test split)")
    args = parser.parse_args()
    if not (Path(args.model) / "card.json").is_file():
        print(f"skipped: no model at {args.model} (train one with composer train)")
        return 0
    test = split_ids("test")
    tune_id = args.tune or test[0]
    tunes = {t.id: t for t in read_tunes([NOTTINGHAM / "abc"])}
    tune = tunes[tune_id]
    sampler = AbcSampler.load(args.model)
    configure_torch(2)
    model = sampler.model
    prompt = prompt_of(tune)

    totals, firsts, chars = time_sampler(sampler, prompt, args.runs)
    a = median_ms(totals)
    first = median_ms(firsts)
    c = min(time_bare_steps(model, chars) for _ in range(3)) * 1000
    b = time_window_loop(model, sampler.prompt_tokens(prompt), chars) * 1000

    cfg = model.config
    print(f"model {args.model}: {cfg.layers} x LSTM-{cfg.hidden}, embedding {cfg.embed}; "
          f"tune {tune_id} ({len(prompt)} prompt characters); {torch.get_num_threads()} threads")
    print(f"(a) sampler, 8 bars: {a:8.1f} ms median of {args.runs} ({chars} characters, "
          f"{a / chars:.3f} ms each); first character {first:.1f} ms")
    print(f"(b) seeds' loop:     {b:8.1f} ms")
    print(f"(c) bare steps:      {c:8.1f} ms ({c / chars:.3f} ms each)")
    print(f"ratios: (a)/(c) = {a / c:.2f} (goal <= 2), (b)/(a) = {b / a:.1f} (goal >= 20), "
          f"first character {first:.1f} ms (goal <= 30)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
