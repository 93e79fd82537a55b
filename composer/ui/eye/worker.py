"""The model's eye off the UI thread: :class:`EyeWorker` reads texts and scores with a
model on its own QThread; :class:`Eye` (UI thread) decides what to ask it and when.

The worker owns one :class:`~composer.generation.inspection.TextInspector` per model
name (inspectors are not thread-safe, and each keeps the recurrent states of the
last text it read, so an edit is read again only from the checkpoint before it).
Models come from the shared registry (thread-safe, cached). Torch is imported on the
worker thread only, at the first request: the window starts without it, and nothing
is imported or computed while the eye is off.

The controller keeps at most one request in flight. Requests wait
:data:`DEBOUNCE_MS` after the last change (typing, a cursor move); while one runs,
only the newest wanted one is kept and sent when the result arrives. Results of any
request but the newest one sent are dropped.
"""

from __future__ import annotations

import time
import traceback

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from composer.ui.worker import user_error_types

DEBOUNCE_MS = 60
"""Pause after the last change before the eye reads again (ms)."""

MAX_TEXT_CHARS = 12000
"""Longer tunes are not read (the activations of every character are kept: a
3 x 512 model holds 6 kB per character, several copies of them)."""

"""The model kind that reads ABC text (character by character)."""


class EyeWorker(QObject):
    """Reads on the thread it was moved to. Signals (request id first):
    ``textRead(id, TextView, seconds)``, ``eventsRead(id, EventView, seconds)``,
    ``failed(id, message)`` (a plain sentence, never a traceback). ``seconds`` is the
    time the model took (loading excluded)."""

    textRead = Signal(int, object, float)
    eventsRead = Signal(int, object, float)
    failed = Signal(int, str)

    def __init__(self, registry):
        super().__init__()
        self.registry = registry
        self._inspectors: dict[str, object] = {}

    def _inspector(self, name: str):
        inspector = self._inspectors.get(name)
        if inspector is None:
            from composer.generation.inspection import text_inspector

            inspector = text_inspector(self.registry.load(name))
            self._inspectors[name] = inspector
        return inspector

    @Slot(int, str, str)
    def read_text(self, request_id: int, model_name: str, text: str) -> None:
        """What folk model ``model_name`` sees in ``text`` (see the module docstring)."""
        try:
            inspector = self._inspector(model_name)
            t0 = time.perf_counter()
            view = inspector.read(text)
            self.textRead.emit(request_id, view, time.perf_counter() - t0)
        except user_error_types() as e:
            self.failed.emit(request_id, str(e))
        except Exception as e:  # the window must survive a failing model
            traceback.print_exc()
            self._inspectors.pop(model_name, None)
            self.failed.emit(request_id, f"The model could not read this tune ({type(e).__name__}:"
                                         f" {e}); try another model.")

    @Slot(int, str, object, int)
    def read_events(self, request_id: int, model_name: str, score, tick: int) -> None:
        """What MIDI model ``model_name`` expects at ``tick`` ticks of ``score``."""
        try:
            from composer.generation.inspection import next_events

            loaded = self.registry.load(model_name)
            t0 = time.perf_counter()
            view = next_events(loaded, score, tick)
            self.eventsRead.emit(request_id, view, time.perf_counter() - t0)
        except user_error_types() as e:
            self.failed.emit(request_id, str(e))
        except Exception as e:  # the window must survive a failing model
            traceback.print_exc()
            self.failed.emit(request_id, f"The model could not read this music "
                                         f"({type(e).__name__}: {e}); try another model.")


class Eye(QObject):
    """The UI-thread side (see the module docstring). Tell it what is shown with
    :meth:`set_model`, :meth:`set_text` and :meth:`set_position`, and turn it on with
    :meth:`set_enabled`; nothing is read before :meth:`start` (the window calls it
    once it is on screen) nor while it is off.

    Signals: ``textRead(TextView, seconds)``, ``eventsRead(EventView, seconds)``,
    ``failed(message)``, ``busyChanged(bool)`` (a request is in flight).
    """

    textRead = Signal(object, float)
    eventsRead = Signal(object, float)
    failed = Signal(str)
    busyChanged = Signal(bool)
    _readText = Signal(int, str, str)
    _readEvents = Signal(int, str, object, int)

    def __init__(self, registry, parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.registry = registry
        self.worker: EyeWorker | None = None
        self._thread: QThread | None = None
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._flush)
        self.enabled = False
        self.started = False
        self.model_name: str | None = None
        self.kind = ""
        self.text = ""
        self.score = None
        self.tick = -1
        self.sent = 0
        """How many requests were sent to the worker (tests: none while off)."""
        self._next_id = 0
        self._in_flight: tuple | None = None
        self._in_flight_id = 0
        self._done: tuple | None = None
        self.events_score = None
        """The score the last ``eventsRead`` view was read from."""

    # --- what is shown ---------------------------------------------------------------
    @property
    def reads_text(self) -> bool:
        """True when the model reads ABC text (a folk model), else it reads events."""
        from composer.generation.kinds import KINDS

        kind = KINDS.get(self.kind)
        return kind is not None and kind.data == "abc"

    def set_model(self, name: str | None, kind: str) -> None:
        if (name, kind) != (self.model_name, self.kind):
            self.model_name, self.kind = name, kind or ""
            self._schedule(now=True)

    def set_text(self, text: str) -> None:
        """The tune's text (what the editor shows), for a folk model."""
        if text != self.text:
            self.text = text
            if self.reads_text:
                self._schedule()

    def set_position(self, score, tick: int) -> None:
        """The score and the roll's cursor (ticks), for a MIDI model."""
        if score is not self.score or tick != self.tick:
            self.score, self.tick = score, int(tick)
            if not self.reads_text:
                self._schedule()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if self.enabled:
            self._schedule(now=True)
        else:
            self._timer.stop()
            self._done = None

    def start(self) -> None:
        """The window is on screen: requests may go out from now on."""
        self.started = True
        self._schedule(now=True)

    def refresh(self) -> None:
        """Read again even if nothing changed (e.g. after a failure)."""
        self._done = None
        self._schedule(now=True)

    # --- requests --------------------------------------------------------------------
    def wanted(self) -> tuple | None:
        """The request the shown state calls for, or ``None`` (nothing to ask)."""
        if not self.model_name:
            return None
        if self.reads_text:
            return ("text", self.model_name, self.text)
        if self.score is None or self.tick <= 0:
            return None
        return ("events", self.model_name, self.score, self.tick)

    def _schedule(self, now: bool = False) -> None:
        if not (self.enabled and self.started):
            return
        if now:
            self._timer.stop()
            QTimer.singleShot(0, self._flush)
        else:
            self._timer.start()

    def _flush(self) -> None:
        if not (self.enabled and self.started) or self._in_flight is not None:
            return
        want = self.wanted()
        if want is None or _same(want, self._done):
            return
        if want[0] == "text" and len(want[2]) > MAX_TEXT_CHARS:
            self._done = want
            self.failed.emit(f"This tune is too long for the model's eye ({len(want[2]):,} "
                             f"characters; it reads up to {MAX_TEXT_CHARS:,}).")
            return
        self._ensure_worker()
        self._next_id += 1
        self._in_flight, self._in_flight_id = want, self._next_id
        self.sent += 1
        self.busyChanged.emit(True)
        if want[0] == "text":
            self._readText.emit(self._next_id, want[1], want[2])
        else:
            self._readEvents.emit(self._next_id, want[1], want[2], want[3])

    def _ensure_worker(self) -> None:
        if self.worker is not None:
            return
        self._thread = QThread()
        self._thread.setObjectName("composer-eye")
        self.worker = EyeWorker(self.registry)
        self.worker.moveToThread(self._thread)
        self._readText.connect(self.worker.read_text)
        self._readEvents.connect(self.worker.read_events)
        self.worker.textRead.connect(self._on_text)
        self.worker.eventsRead.connect(self._on_events)
        self.worker.failed.connect(self._on_failed)
        self._thread.start()

    def _finish(self, request_id: int) -> tuple | None:
        """The request ``request_id`` answered, if it is the one in flight; sends the
        next wanted request."""
        if request_id != self._in_flight_id or self._in_flight is None:
            return None
        done, self._in_flight = self._in_flight, None
        self._done = done
        self.busyChanged.emit(False)
        QTimer.singleShot(0, self._flush)
        if not self.enabled or done[1] != self.model_name:
            return None
        return done

    def _on_text(self, request_id: int, view, seconds: float) -> None:
        if self._finish(request_id) is not None and self.reads_text:
            self.textRead.emit(view, seconds)

    def _on_events(self, request_id: int, view, seconds: float) -> None:
        done = self._finish(request_id)
        if done is not None and not self.reads_text:
            self.events_score = done[2]
            self.eventsRead.emit(view, seconds)

    def _on_failed(self, request_id: int, message: str) -> None:
        if self._finish(request_id) is not None:
            self.failed.emit(message)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Stop reading and stop the thread (on window close)."""
        self.enabled = False
        self._timer.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(timeout_ms)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()


def _same(a: tuple | None, b: tuple | None) -> bool:
    """Requests are the same when their kind, model and text (or score object and
    tick) are."""
    if a is None or b is None or len(a) != len(b) or a[:2] != b[:2]:
        return False
    if a[0] == "text":
        return a[2] == b[2]
    return a[2] is b[2] and a[3] == b[3]
