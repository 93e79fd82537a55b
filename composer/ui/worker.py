"""The generation worker: a QObject living on its own QThread that owns the loaded
models and runs :func:`composer.generation.engine.continue_passage`.

Nothing here touches a widget. The window talks to it through :class:`Generator`
(which lives on the UI thread): :meth:`Generator.start` queues a request and cancels
the running one, :meth:`Generator.stop` cancels at once. Cancelling is a plain
thread-safe counter the worker checks after every streamed item, so it acts within
one model step even while the worker's event loop is busy; closing the engine's
generator stops its work. Results carry their request id, and the generator drops
those of cancelled requests, so a late item never reaches the roll.

Torch is imported on the worker thread only (the engine imports it): the window
starts without it.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from composer.generation.request import ContinueRequest, Take, TakeProgress
from composer.music.errors import MusicError


def user_error_types() -> tuple[type[BaseException], ...]:
    """Typed core errors whose message is for the user."""
    from composer.generation.errors import GenerationError

    types: list[type[BaseException]] = [GenerationError, MusicError]
    try:
        from composer.nn.errors import ModelError

        types.append(ModelError)
    except ImportError:
        pass
    return tuple(types)


class GenerationWorker(QObject):
    """Runs requests one at a time on the thread it was moved to.

    Signals (all carry the request id first): ``modelLoading(id, name)`` before a
    model is first loaded, ``modelLoaded(id, name, seconds)``, ``progressed(id,
    TakeProgress)``, ``takeReady(id, Take)``, ``failed(id, message)``,
    ``finished(id, cancelled)`` (always last).
    """

    modelLoading = Signal(int, str)
    modelLoaded = Signal(int, str, float)
    progressed = Signal(int, object)
    takeReady = Signal(int, object)
    failed = Signal(int, str)
    finished = Signal(int, bool)

    def __init__(self, registry, run_engine: Callable | None = None):
        super().__init__()
        self.registry = registry
        self._run_engine = run_engine
        self._cancelled_upto = 0

    def cancel(self, request_id: int) -> None:
        """Cancel request ``request_id`` and every older one (any thread)."""
        if request_id > self._cancelled_upto:
            self._cancelled_upto = request_id

    def is_cancelled(self, request_id: int) -> bool:
        return request_id <= self._cancelled_upto

    def _engine(self) -> Callable:
        if self._run_engine is None:
            from composer.generation.engine import continue_passage

            self._run_engine = continue_passage
        return self._run_engine

    @Slot(int, object)
    def run(self, request_id: int, request: ContinueRequest) -> None:
        """Run ``request``; see the class docstring for what is emitted."""
        cancelled = self.is_cancelled(request_id)
        try:
            if not cancelled:
                self._load(request_id, request.model)
                cancelled = self._stream(request_id, request)
        except user_error_types() as e:
            self.failed.emit(request_id, str(e))
        except Exception as e:  # the window must survive a failing model
            traceback.print_exc()
            self.failed.emit(request_id, f"the model failed ({type(e).__name__}: {e}); "
                                         "try another model or seed")
        finally:
            self.finished.emit(request_id, cancelled or self.is_cancelled(request_id))

    def _load(self, request_id: int, name: str) -> None:
        """Load (or find cached) model ``name``: ``modelLoaded`` says how long it took,
        so the window shows a load indicator only when loading is slow."""
        self.modelLoading.emit(request_id, name)
        t0 = time.perf_counter()
        self.registry.load(name)
        self.modelLoaded.emit(request_id, name, time.perf_counter() - t0)

    def _stream(self, request_id: int, request: ContinueRequest) -> bool:
        """Emit what the engine yields; returns True if cancelled on the way."""
        items = self._engine()(request, self.registry)
        try:
            for item in items:
                if self.is_cancelled(request_id):
                    return True
                if isinstance(item, TakeProgress):
                    self.progressed.emit(request_id, item)
                elif isinstance(item, Take):
                    self.takeReady.emit(request_id, item)
        finally:
            items.close()
        return self.is_cancelled(request_id)

    @Slot(str)
    def preload(self, name: str) -> None:
        """Import the engine and load model ``name`` ahead of the first request (errors
        are reported by that request)."""
        with contextlib.suppress(Exception):  # reported again by the first request
            self._engine()
            self._load(0, name)


class Generator(QObject):
    """The UI-thread side: owns the worker thread and the current request id.

    Signals: ``started(id)``, ``modelLoading(name)``, ``modelLoaded(name, seconds)``,
    ``progressed(TakeProgress)``, ``takeReady(Take)``, ``failed(message)``,
    ``finished(cancelled)`` -- only for the current request.
    """

    started = Signal(int)
    modelLoading = Signal(str)
    modelLoaded = Signal(str, float)
    progressed = Signal(object)
    takeReady = Signal(object)
    failed = Signal(str)
    finished = Signal(bool)
    _run = Signal(int, object)
    _preload = Signal(str)

    def __init__(self, registry, parent: QObject | None = None, run_engine: Callable | None = None):
        super().__init__(parent)
        self.registry = registry
        self._thread = QThread()
        self._thread.setObjectName("composer-generation")
        self.worker = GenerationWorker(registry, run_engine)
        self.worker.moveToThread(self._thread)
        self._run.connect(self.worker.run)
        self._preload.connect(self.worker.preload)
        self.worker.modelLoading.connect(self._on_loading)
        self.worker.modelLoaded.connect(self._on_loaded)
        self.worker.progressed.connect(self._on_progress)
        self.worker.takeReady.connect(self._on_take)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_finished)
        self._thread.start()
        self._next_id = 0
        self.current_id = 0
        self.running = False

    def start(self, request: ContinueRequest) -> int:
        """Queue ``request`` (cancelling the running one); returns its id."""
        self.worker.cancel(self.current_id)
        self._next_id += 1
        self.current_id = self._next_id
        self.running = True
        self.started.emit(self.current_id)
        self._run.emit(self.current_id, request)
        return self.current_id

    def stop(self) -> None:
        """Cancel the current request now (its ``finished(True)`` follows)."""
        if self.running:
            self.worker.cancel(self.current_id)

    def preload(self, name: str) -> None:
        """Load model ``name`` on the worker thread now, so the first take comes sooner."""
        self._preload.emit(name)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel everything and stop the thread (on window close)."""
        self.worker.cancel(self._next_id + 1)
        self._thread.quit()
        self._thread.wait(timeout_ms)

    def _current(self, request_id: int) -> bool:
        return request_id == self.current_id and not self.worker.is_cancelled(request_id)

    def _on_loading(self, rid: int, name: str) -> None:
        if rid == 0 or self._current(rid):
            self.modelLoading.emit(name)

    def _on_loaded(self, rid: int, name: str, seconds: float) -> None:
        self.modelLoaded.emit(name, seconds)

    def _on_progress(self, rid: int, progress: TakeProgress) -> None:
        if self._current(rid):
            self.progressed.emit(progress)

    def _on_take(self, rid: int, take: Take) -> None:
        if self._current(rid):
            self.takeReady.emit(take)

    def _on_failed(self, rid: int, message: str) -> None:
        if self._current(rid):
            self.failed.emit(message)

    def _on_finished(self, rid: int, cancelled: bool) -> None:
        if rid == self.current_id:
            self.running = False
            self.finished.emit(cancelled)
