"""Print a bundle's size and what takes the space: ``python packaging/bundle_size.py
dist/composer [--top N]``: by part (torch's libraries, Qt, numpy, the models...), then
the biggest files."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

MB = 1024 * 1024


def _part(inner: tuple[str, ...]) -> str:
    """What a file of the bundle belongs to (``inner``: its path inside ``_internal``)."""
    top = inner[0]
    if len(inner) == 1 and top in ("composer", "composer.exe", "composerw", "composerw.exe"):
        return f"{top}: the program (bootloader + Python modules, compressed)"
    if top == "torch":
        return "torch/lib (libtorch_cpu and friends)" if inner[1] == "lib" else \
            "torch's Python sources and data"
    if top.startswith(("PySide6", "shiboken6")):
        return "Qt and PySide6 (of which ICU data 30 MB)"
    if top.startswith("numpy"):
        return "numpy and its OpenBLAS"
    if top == "composer":
        return "composer/_data: models, example tunes, icons"
    if top == "base_library.zip" or top.startswith("python3") or top.startswith("libpython"):
        return "Python (libpython, standard library, extension modules)"
    if len(inner) == 1 and (".so" in top or top.endswith((".dll", ".dylib"))):
        return "system libraries (fluidsynth and its audio libraries, X11/xcb, glib...)"
    return top.split("-")[0].split(".")[0] + "/"


def sizes(bundle: Path) -> tuple[int, Counter]:
    """(total bytes, bytes by part) of the files in ``bundle`` (links not counted)."""
    parts: Counter = Counter()
    total = 0
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        rel = path.relative_to(bundle).parts
        inner = rel[1:] if rel[0] == "_internal" and len(rel) > 1 else rel
        parts[_part(inner)] += size
    return total, parts


def biggest_files(bundle: Path, n: int = 5) -> list[tuple[int, str]]:
    files = [(p.stat().st_size, str(p.relative_to(bundle))) for p in bundle.rglob("*")
             if p.is_file() and not p.is_symlink()]
    return sorted(files, reverse=True)[:n]


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
    print("the biggest files:")
    for size, name in biggest_files(args.bundle):
        print(f"  {size / MB:7.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
