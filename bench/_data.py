"""Where the benchmarks find the shared data (``../shared/data`` beside the checkout)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
NOTTINGHAM = SHARED / "nottingham"


def require_nottingham() -> Path:
    """The Nottingham folder, or exit 0 with a reason (benchmarks skip, never fail, when
    the data is absent: a user's machine has none)."""
    if not (NOTTINGHAM / "splits.json").is_file():
        print(f"skipped: the Nottingham data is not at {NOTTINGHAM}")
        sys.exit(0)
    return NOTTINGHAM


def split_ids(split: str) -> list[str]:
    return json.loads((require_nottingham() / "splits.json").read_text())[split]


def tune_source(tune_id: str) -> tuple[Path, int]:
    """``"jigs12"`` -> (path of abc/jigs.abc, 12)."""
    stem = tune_id.rstrip("0123456789")
    return NOTTINGHAM / "abc" / f"{stem}.abc", int(tune_id[len(stem):])
