"""Atomic file writes: write a temporary file beside the target, then rename it over
the target, so a crash or a full disk never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from composer.music.errors import ScoreWriteError


def atomic_write(path: str | os.PathLike, data: bytes | str, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` atomically; raise :class:`ScoreWriteError` with a
    plain reason if the folder is missing or not writable."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ScoreWriteError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise ScoreWriteError(f"cannot write {path}: it is a folder")
    raw = data.encode(encoding) if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise ScoreWriteError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ScoreWriteError(f"cannot write {path}: {e.strerror or e}") from None
