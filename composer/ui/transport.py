"""The transport bar: Play/Stop (Space), loop the selection, tempo, follow the
playhead, and the position of the playhead as bar and beat.

It observes the document (score, selection) and drives a :class:`QtPlayer`; the
window forwards the playhead to the roll. When takes are shown, Play auditions the
take shown instead of the document.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSpinBox, QToolBar, QWidget

from composer.music.score import Score
from composer.ui.document import Document
from composer.ui.icons import icon
from composer.ui.qt_player import QtPlayer


def bar_beat(score: Score, tick: int) -> str:
    """``"bar 3 beat 2"`` for ``tick`` (1-based; the pickup counts as bar 0)."""
    bars = score.bar_starts(max(score.length, tick) + 1)
    index = max((i for i, s in enumerate(bars) if s <= tick), default=0)
    start = bars[index]
    beat = (tick - start) // max(score.meter_at(start).beat_ticks, 1) + 1
    number = index if score.pickup_ticks else index + 1
    return f"bar {number} beat {beat}"


class Transport(QObject):
    """See the module docstring. ``playheadMoved(int)`` (ticks) while playing;
    ``message(str)`` for the status bar. ``take_to_audition`` is a callable the window
    sets: it returns ``(score, start, end)`` of the take shown, or ``None``."""

    playheadMoved = Signal(int)
    message = Signal(str)

    def __init__(self, document: Document, player: QtPlayer, parent: QWidget):
        super().__init__(parent)
        self.document = document
        self.player = player
        self.take_to_audition: Callable[[], tuple[Score, int, int] | None] = lambda: None
        self.play_action = QAction(icon("play"), "Play", parent)
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.play_action.setEnabled(False)
        self.play_action.setToolTip("Preparing audio\u2026")
        self.play_action.triggered.connect(self.toggle_play)
        self.loop_action = QAction(icon("loop"), "Loop selection", parent, checkable=True)
        self.loop_action.setToolTip("Loop the selected bars while playing")
        self.loop_action.toggled.connect(self._update_loop)
        self.follow_action = QAction(icon("follow"), "Follow playhead", parent, checkable=True)
        self.follow_action.setChecked(True)
        self.follow_action.setToolTip("Scroll the roll to keep the playhead in view")
        self.tempo = QSpinBox(minimum=20, maximum=400, value=120, suffix=" bpm")
        self.tempo.setToolTip("Playback tempo (quarter notes per minute); the tune is "
                              "not changed")
        self.tempo.valueChanged.connect(self._tempo_changed)
        self.position = QLabel("bar 1 beat 1")
        self.position.setMinimumWidth(110)
        self.position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._base_qpm = 120.0
        self._playing = False
        player.availabilityChanged.connect(self._availability)
        player.positionChanged.connect(self._moved)
        player.stateChanged.connect(self._state)
        player.failed.connect(self.message)
        document.scoreChanged.connect(self._score_changed)
        document.selectionChanged.connect(lambda *_: self._update_loop())
        self._score_changed(document.score)

    def fill(self, bar: QToolBar) -> None:
        """Put the transport's controls on ``bar``."""
        bar.addAction(self.play_action)
        bar.addAction(self.loop_action)
        bar.addAction(self.follow_action)
        bar.addWidget(self.tempo)
        bar.addWidget(self.position)

    # --- actions -----------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.player.state == "playing":
            self.player.stop()
            return
        if not self.player.available:
            self.message.emit(self.player.message)
            return
        take = self.take_to_audition()
        if take is not None:
            self.player.audition(*take)
            return
        sel = self.document.selection
        self.player.play(sel[0] if sel else None)

    def _availability(self, can_play: bool, message: str) -> None:
        self.play_action.setEnabled(can_play)
        self.play_action.setToolTip("Play / Stop (Space)" if can_play
                                    else f"Playback unavailable: {message}")
        if not can_play:
            self.message.emit(f"Playback unavailable: {message}")
        self._update_loop()
        self._tempo_changed(self.tempo.value())

    def _score_changed(self, score: Score) -> None:
        self.player.load(score)
        qpm = score.tempo_at(0).qpm if score.tempos else 120.0
        if abs(qpm - self._base_qpm) > 1e-6:
            self._base_qpm = qpm
            self.tempo.blockSignals(True)
            self.tempo.setValue(round(qpm))
            self.tempo.blockSignals(False)
            self._tempo_changed(self.tempo.value())

    def _tempo_changed(self, bpm: int) -> None:
        self.player.set_tempo_factor(bpm / self._base_qpm if self._base_qpm else 1.0)

    def _update_loop(self, *_args) -> None:
        sel = self.document.selection
        if self.loop_action.isChecked() and sel:
            self.player.set_loop(*sel)
        else:
            self.player.set_loop(None, None)

    def _moved(self, tick: int) -> None:
        self.position.setText(bar_beat(self.document.score, tick))
        self.playheadMoved.emit(tick)

    def _state(self, state: str) -> None:
        playing = state == "playing"
        self.play_action.setText("Stop" if playing else "Play")
        self.play_action.setIcon(icon("stop" if playing else "play"))
