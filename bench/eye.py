"""The model's eye: how long the folk model takes to read a tune of about 1,000
characters, and to read it again after a one-character edit at its end, in its
middle and at its start (the inspector reads again only from the checkpoint before
the edit). Goal: every update of a 1,000-character tune within 100 ms.

    python bench/eye.py [--runs 20] [--chars 1000] [--model folk-abc]

Times are medians of ``--runs`` runs, in milliseconds, after one warm-up read. Uses
the installed model (``models/`` or the user's models); prints "skipped: ..." and
exits 0 when it is not installed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from composer.generation.errors import GenerationError
from composer.generation.registry import DEFAULT_MODEL, ModelRegistry
from composer.nn.errors import ModelError

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
GOAL_MS = 100.0
_FIELD = re.compile(r"^[A-Za-z]:")


def build_tune(chars: int) -> str:
    """A tune of at least ``chars`` characters: the header of the first example, then
    the body lines (bars) of the examples in its meter, repeated in order."""
    files = sorted(EXAMPLES.glob("*.abc"))
    if not files:
        raise SystemExit(f"no example tunes in {EXAMPLES}")
    header, meter, bodies = None, None, []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        k = next(i for i, line in enumerate(lines) if line.startswith("K:"))
        m = next((line for line in lines[:k] if line.startswith("M:")), "M:4/4")
        if header is None:
            header, meter = lines[: k + 1], m
        if m == meter:
            bodies += [line for line in lines[k + 1:] if line and not _FIELD.match(line)]
    out = list(header)
    i = 0
    while len("\n".join(out)) < chars:
        out.append(bodies[i % len(bodies)])
        i += 1
    return "\n".join(out) + "\n"


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def edited(text: str, at: int) -> str:
    """``text`` with the character at ``at`` changed (a letter becomes another)."""
    ch = text[at]
    new = "e" if ch != "e" else "f"
    return text[:at] + new + text[at + 1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--chars", type=int, default=1000)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args(argv)

    registry = ModelRegistry()
    usable = [i.name for i in registry.list() if not i.problem]
    if args.model not in usable:
        print(f"skipped: model {args.model!r} is not installed (installed: "
              f"{', '.join(usable) or 'none'})")
        return 0
    try:
        from composer.generation.inspection import TextInspector, text_inspector
        from composer.generation.sampling import configure_torch

        configure_torch()
        base = text_inspector(registry.load(args.model))
    except (GenerationError, ModelError) as e:
        print(f"skipped: {e}")
        return 0

    text = build_tune(args.chars)
    print(f"{args.model}: a tune of {len(text)} characters, median of {args.runs} runs")

    t0 = time.perf_counter()
    fresh = TextInspector(base.model, base.vocab)
    print(f"  inspector made once per model in {(time.perf_counter() - t0) * 1000:.1f} ms")

    def full_read() -> None:
        fresh.reset()
        fresh.read(text)

    full_read()  # warm-up
    full = median_ms(full_read, args.runs)
    print(f"  full read                  {full:8.1f} ms")
    worst = full
    for name, at in (("end", len(text) - 3), ("middle", len(text) // 2),
                     ("start", text.index("\n", text.index("K:")) + 2)):
        inspector = TextInspector(base.model, base.vocab)
        inspector.read(text)
        variants = [edited(text, at), text]
        count = [0]

        def reread(inspector=inspector, variants=variants, count=count) -> None:
            # alternate the edited and the original text: each read is one edit
            inspector.read(variants[count[0] % 2])
            count[0] += 1

        ms = median_ms(reread, args.runs)
        worst = max(worst, ms)
        print(f"  edit at the {name:<6} (char {at:4d}) {ms:8.1f} ms  "
              f"{ms / full:6.1%} of the full read")
    verdict = "within" if worst <= GOAL_MS else "OVER"
    print(f"  slowest update {worst:.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
