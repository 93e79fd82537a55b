"""Where a training run's data comes from, as every recipe takes it (``composer train
--data ... --splits ... --extra ...``, or the window's Learn from my tunes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataSource:
    """``paths``: files or folders of the kind's data (ABC tunes or MIDI files);
    ``splits``: a JSON file mapping split names (``train``, ``valid``, ``test``) to
    ids, or ``None`` for the recipe's own rule; ``extra``: more paths for training only
    (ABC kinds); ``cache``: a folder where prepared data may be kept (``None``: keep
    nothing)."""

    paths: tuple[str, ...]
    splits: str | None = None
    extra: tuple[str, ...] = ()
    cache: Path | None = None
