"""Continue a passage from the window: build the request from the document's
selection and the generation panel, run it on the :class:`~composer.ui.worker.Generator`,
show the takes as ghost notes while they are written, cycle, accept (one undo step)
or discard them. Stop keeps the bars finished so far, as takes to accept.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from composer.generation.request import ContinueRequest, Selection, Take, TakeProgress
from composer.music.errors import MusicError
from composer.ui.document import Document
from composer.ui.generation_panel import GenerationPanel
from composer.ui.takes import TakeSession
from composer.ui.worker import Generator

GHOST_REFRESH_MS = 40
"""Streamed notes are drawn at most this often (ms)."""

DEFAULT_SEED_BARS = 4
"""Bars at the end of the tune continued when nothing is selected."""


class ContinueController(QObject):
    """See the module docstring.

    Signals: ``ghostsChanged(object)`` (notes by track for the roll, or ``None``),
    ``takesShown(bool)`` (whether takes wait for a decision), ``ready(bool)`` (the
    take shown is finished), ``status(str)``, ``error(str)``, ``loading(bool, str)``
    (a model is being loaded), ``running(bool)``, ``accepted(object)`` (the Take).
    """

    ghostsChanged = Signal(object)
    takesShown = Signal(bool)
    ready = Signal(bool)
    status = Signal(str)
    error = Signal(str)
    loading = Signal(bool, str)
    running = Signal(bool)
    accepted = Signal(object)
    allTakesDone = Signal()

    def __init__(self, document: Document, panel: GenerationPanel, generator: Generator,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.panel = panel
        self.generator = generator
        self.session: TakeSession | None = None
        self._accepting = False
        self._refresh = QTimer(self, singleShot=True, interval=GHOST_REFRESH_MS)
        self._refresh.timeout.connect(self._show)
        self._loading_timer = QTimer(self, singleShot=True, interval=150)
        self._loading_timer.timeout.connect(self._show_loading)
        self._loading_name = ""
        generator.modelLoading.connect(self._on_loading)
        generator.modelLoaded.connect(self._on_loaded)
        generator.progressed.connect(self._on_item)
        generator.takeReady.connect(self._on_item)
        generator.failed.connect(self._on_failed)
        generator.finished.connect(self._on_finished)
        document.scoreChanged.connect(self._score_changed)
        panel.continueClicked.connect(self.continue_selection)
        panel.stopClicked.connect(self.stop)

    # --- starting --------------------------------------------------------------------------
    def continue_selection(self, bars: int | None = None) -> bool:
        """Continue the document's selection by ``bars`` (default: the panel's). With
        nothing selected, the last bars of the tune are continued."""
        sel = self.document.selection
        if sel is None:
            bar_list = self.document.score.bars()
            if not bar_list:
                self.error.emit("The tune is empty: write a few notes, then continue them")
                return False
            first = bar_list[max(len(bar_list) - DEFAULT_SEED_BARS, 0)][0]
            sel = (first, bar_list[-1][1])
        return self.continue_range(sel[0], sel[1], bars or self.panel.bars.value())

    def continue_range(self, start: int, end: int, bars: int) -> bool:
        """Continue ticks ``[start, end)`` by ``bars`` bars (the roll's handle drag)."""
        self.document.parse_now()
        if self.document.error is not None:
            self.error.emit("The ABC text has an error: fix it (see the ABC editor) "
                            "before continuing")
            return False
        model = self.panel.model_name()
        info = self.panel.model_info()
        if model is None:
            self.error.emit("No model is installed: add one to the models folder to "
                            "continue music")
            return False
        if info is not None and info.problem:
            self.error.emit(f"Cannot use model {model}: {info.problem}")
            return False
        try:
            request = ContinueRequest(
                score=self.document.score,
                selection=Selection(int(start), int(end)),
                bars=int(bars),
                model=model,
                sampling=self.panel.sampling(),
                variations=self.panel.variations.value(),
                mode=self.panel.mode_name(),
                context=self.panel.context.isChecked(),
            )
        except ValueError as e:
            self.error.emit(f"Cannot continue: {e}")
            return False
        self.document.set_selection((int(start), int(end)))
        self.session = TakeSession(request)
        self.generator.start(request)
        self.panel.set_running(True)
        self.running.emit(True)
        self.takesShown.emit(True)
        self.ready.emit(False)
        self._show()
        return True

    def stop(self) -> None:
        """Stop writing (the user's Stop): the bars each take finished stay, as a take
        to accept; a take that finished no bar is dropped. Every other cancellation (a
        new request, discarding, the tune changing) keeps nothing."""
        if self.session is not None and self.session.running:
            self.session.stopping = True
        self.generator.stop()

    # --- takes -----------------------------------------------------------------------------
    def cycle(self, step: int) -> None:
        if self.session is None:
            return
        self.session.cycle(step)
        self._show()

    def accept(self) -> bool:
        """Make the take shown part of the tune (one undo step)."""
        take = self.session.current_take if self.session else None
        if take is None:
            if self.session is not None:
                self.status.emit("This take is still being written: wait for it, or "
                                 "cycle to a finished one")
            return False
        number = take.variation + 1
        session = self.session
        self._accepting = True
        try:
            self.document.set_score(take.score, f"Accept take {number}", edited=take.edited)
        except MusicError as e:
            self.error.emit(str(e))
            return False
        finally:
            self._accepting = False
        self.generator.stop()
        self._clear()
        self.document.set_selection((take.start, take.end))
        if take.complete:
            what = f"seed {take.seed}"
        else:
            seed = session.seed_of(take.variation)
            what = f"{take.bars} of {session.total_bars} bars" + (
                f", seed {seed}" if seed is not None else "")
        self.status.emit(f"Take {number} accepted ({what}); Ctrl+Z undoes it")
        self.accepted.emit(take)
        return True

    def discard(self) -> None:
        """Drop every take (and stop writing them)."""
        if self.session is None:
            return
        self.generator.stop()
        self._clear()
        self.status.emit("Takes discarded")

    def audition_target(self):
        """``(score, start, end)`` to play the finished take shown, or ``None``."""
        take = self.session.current_take if self.session else None
        if take is None:
            return None
        return take.score, self.session.request.selection.start, take.end

    # --- worker signals --------------------------------------------------------------------
    def _on_item(self, item: TakeProgress | Take) -> None:
        if self.session is None:
            return
        self.session.add(item)
        if not self._refresh.isActive():
            self._refresh.start()
        if isinstance(item, Take):
            self._refresh.stop()
            self._show()
            if self.session.complete:
                self.allTakesDone.emit()

    def _on_failed(self, message: str) -> None:
        if self.session is not None:
            self.session.failed = message
        self.error.emit(f"Continuation failed: {message}")

    def _on_finished(self, cancelled: bool) -> None:
        self._loading_timer.stop()
        self.loading.emit(False, "")
        self.panel.set_running(False)
        self.running.emit(False)
        if self.session is None:
            return
        self.session.running = False
        if cancelled and self.session.stopping:
            self.session.keep_finished_bars()
        if not self.session.takes:  # nothing to decide about
            failed = self.session.failed
            self._clear()
            self.status.emit("Stopped" if cancelled and not failed else "")
            return
        self._show()

    def _on_loading(self, name: str) -> None:
        self._loading_name = name
        self._loading_timer.start()

    def _show_loading(self) -> None:
        self.loading.emit(True, f"Loading model {self._loading_name}\u2026")

    def _on_loaded(self, name: str, seconds: float) -> None:
        self._loading_timer.stop()
        self.loading.emit(False, "")
        if seconds > 0.15:
            self.status.emit(f"Model {name} loaded in {seconds:.1f} s")

    def _score_changed(self, _score) -> None:
        if self.session is not None and not self._accepting:
            self.generator.stop()
            self._clear()
            self.status.emit("Takes dropped: the tune changed")

    # --- internals -------------------------------------------------------------------------
    def _show(self) -> None:
        if self.session is None:
            return
        self.ghostsChanged.emit(self.session.ghost_notes())
        self.ready.emit(self.session.current_take is not None)
        self.status.emit(self.session.status())

    def _clear(self) -> None:
        self._refresh.stop()
        self.session = None
        self.ghostsChanged.emit(None)
        self.takesShown.emit(False)
        self.ready.emit(False)
