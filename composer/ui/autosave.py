"""Autosave and recovery.

While a document has unsaved changes, its whole file text is written every few
seconds (atomically) to ``autosave-<session>.json`` in
:func:`composer.paths.user_state_dir`. Each running window holds a lock file beside
it (:class:`QLockFile`, which knows a lock whose process died is stale). A clean
close or a save removes the autosave. At start, an autosave whose lock can be taken
belongs to a session that crashed or was killed: the window offers to restore it.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from composer import paths
from composer.music.atomic import atomic_write
from composer.music.errors import MusicError
from composer.ui.document import Document

INTERVAL_MS = 3000
"""Time after a change (ms) when the autosave is written."""

FORMAT = 1


def autosave_dir() -> Path:
    return paths.user_state_dir() / "autosave"


@dataclass(frozen=True)
class Recovery:
    """An autosave left by a session that did not close: the file ``text`` (all
    tunes), the tune shown, the file it was saved as (if any), when it was written
    (seconds since the epoch), and the lock held on it while it is being offered."""

    file: Path
    text: str
    tune_index: int
    path: str | None
    saved_at: float
    lock: QLockFile

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        name = Path(self.path).name if self.path else "an untitled tune"
        return f"unsaved changes to {name} from {when}"

    def discard(self) -> None:
        """Delete the autosave and its lock."""
        with contextlib.suppress(OSError):
            self.file.unlink()
        self.lock.unlock()


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Autosaves of sessions that are not running any more, newest first. Each is
    locked by this process until restored or discarded."""
    folder = folder or autosave_dir()
    if not folder.is_dir():
        return []
    found = []
    for file in sorted(folder.glob("autosave-*.json")):
        lock = QLockFile(str(file.with_suffix(".lock")))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # its window is still open
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            recovery = Recovery(file, str(data["text"]), int(data.get("tune_index", 0)),
                                data.get("path"), float(data.get("saved_at", 0.0)), lock)
        except (OSError, ValueError, KeyError, TypeError):
            lock.unlock()
            continue
        found.append(recovery)
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


class Autosave(QObject):
    """Writes ``document`` to this session's autosave while it has unsaved changes.
    ``saved(path)`` is emitted after each write; ``failed(message)`` when a write
    fails (the next change tries again)."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, document: Document, folder: Path | None = None,
                 interval_ms: int = INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.folder = folder or autosave_dir()
        session = f"{os.getpid()}-{int(time.time() * 1000) % 10**9}"
        self.file = self.folder / f"autosave-{session}.json"
        self._lock: QLockFile | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.write_now)
        document.undo_stack.indexChanged.connect(self._changed)
        document.modifiedChanged.connect(self._modified_changed)

    def _changed(self, *_args) -> None:
        if self.document.modified and not self._timer.isActive():
            self._timer.start()

    def _modified_changed(self, modified: bool) -> None:
        if modified:
            self._changed()
        else:
            self._timer.stop()
            self.remove()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def write_now(self) -> None:
        """Write the autosave now (if there is anything unsaved)."""
        self._timer.stop()
        if not self.document.modified:
            return
        if self.document.text_pending:  # a big score's ABC is on its way: wait for it
            self._timer.start()
            return
        data = {
            "format": FORMAT,
            "saved_at": time.time(),
            "path": str(self.document.path) if self.document.path else None,
            "tune_index": self.document.tune_index,
            "text": self.document.file_text(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                lock = QLockFile(str(self.file.with_suffix(".lock")))
                lock.setStaleLockTime(0)
                if lock.tryLock(0):
                    self._lock = lock
            atomic_write(self.file, json.dumps(data, ensure_ascii=False))
        except (OSError, MusicError) as e:
            self.failed.emit(f"autosave failed: {e}")
            return
        self.saved.emit(str(self.file))

    def remove(self) -> None:
        """Delete this session's autosave (after a save or a clean close)."""
        self._timer.stop()
        with contextlib.suppress(OSError):
            self.file.unlink()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
