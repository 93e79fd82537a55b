"""Print a bundle's size and what takes the space: ``python packaging/bundle_size.py
dist/composer [--top N]``. Parts are the bundle's folders two levels down (e.g.
``_internal/torch/lib``), single large files named on their own."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

MB = 1024 * 1024


def sizes(bundle: Path) -> tuple[int, Counter]:
    parts: Counter = Counter()
    total = 0
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        rel = path.relative_to(bundle).parts
        inner = rel[1:] if rel[0] == "_internal" else rel
        if size >= 20 * MB:
            key = "/".join(inner)
        elif len(inner) > 2 and inner[0] in ("torch", "PySide6", "composer"):
            key = "/".join(inner[:2]) + "/"
        elif len(inner) > 1:
            key = inner[0] + "/"
        else:
            key = "(top-level libraries and files)"
        parts[key] += size
    return total, parts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", type=Path)
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"bundle_size: no bundle at {args.bundle}", file=sys.stderr)
        return 1
    total, parts = sizes(args.bundle)
    print(f"bundle {args.bundle}: {total / MB:.0f} MB in all; the biggest parts:")
    for key, size in parts.most_common(args.top):
        print(f"  {size / MB:7.1f} MB  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
