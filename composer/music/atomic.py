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
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ScoreWriteError(f"cannot write {path}: {e.strerror or e}") from None


def _mode_for(path: Path) -> int:
    """The permissions the written file gets: those of the file it replaces, else what
    a plain ``open()`` would give (0666 less the umask; ``mkstemp`` alone gives 0600,
    which would hide a user's exports from everyone else)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


def _read_umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()
"""The process's umask, read once at import (reading it means setting it, which is
not safe once other threads create files)."""
