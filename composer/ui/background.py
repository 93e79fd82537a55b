"""Run a pure function off the UI thread and get its result back on the UI thread.

For work that is quick on a tune but slow on a big score (writing or reading the ABC
of 20,000 notes takes seconds): :meth:`Jobs.submit` runs it inline when the caller
says it is small, else on a helper thread, and calls ``done(result, error)`` on the
UI thread either way. Only the newest job of a kind reports; older ones are dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class Jobs(QObject):
    """See the module docstring."""

    _finished = Signal(str, int, object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._serial: dict[str, int] = {}
        self._callbacks: dict[str, Callable] = {}
        self._finished.connect(self._deliver)

    def submit(self, kind: str, fn: Callable, *args, done: Callable, inline: bool = False) -> None:
        """Run ``fn(*args)``; then ``done(result, None)`` or ``done(None, exception)``
        on the UI thread, unless another job of ``kind`` was submitted meanwhile."""
        serial = self._serial.get(kind, 0) + 1
        self._serial[kind] = serial
        self._callbacks[kind] = done
        if inline:
            self._deliver(kind, serial, *_call(fn, args))
            return

        def work():
            self._finished.emit(kind, serial, *_call(fn, args))

        threading.Thread(target=work, name=f"composer-{kind}", daemon=True).start()

    def cancel(self, kind: str) -> None:
        """Drop the result of the running job of ``kind``."""
        self._serial[kind] = self._serial.get(kind, 0) + 1
        self._callbacks.pop(kind, None)

    def running(self, kind: str) -> bool:
        return kind in self._callbacks

    def _deliver(self, kind: str, serial: int, result, error) -> None:
        if self._serial.get(kind) != serial:
            return
        done = self._callbacks.pop(kind)
        done(result, error)


def _call(fn: Callable, args: tuple) -> tuple[object, BaseException | None]:
    try:
        return fn(*args), None
    except Exception as e:  # handed to the caller's done()
        return None, e
