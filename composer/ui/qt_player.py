"""The Qt adapter around the pure audio player (Frescobaldi's middle layer).

:class:`QtPlayer` prepares audio off the UI thread (checking libfluidsynth, the
SoundFont and the sound device, then loading the SoundFont), pumps the
:class:`~composer.audio.player.Player` from a timer while it plays, and emits the
playhead in written ticks. When audio cannot play, ``availabilityChanged`` carries
the audio error's message (what to install or do), and the window disables Play.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from composer.music.score import Score

PUMP_MS = 20
"""How often (ms) the player is pumped and the playhead read while playing."""


def open_default_player():
    """A real-time player on the sound card; raises the audio core's typed error."""
    from composer.audio.realtime import open_player

    return open_player()


def probe_render() -> str:
    """``""`` if offline rendering (Export WAV) works here, else the reason."""
    try:
        from composer.audio.realtime import probe_audio
    except ImportError as e:
        return f"audio is not available in this installation ({e})"
    status = probe_audio(open_device=False)
    return "" if status.can_render else status.message


class QtPlayer(QObject):
    """See the module docstring. Signals: ``availabilityChanged(bool can_play, str
    message)``, ``positionChanged(int tick)`` while playing, ``stateChanged(str)``
    (``"playing"``, ``"paused"``, ``"stopped"``), ``failed(str)``."""

    availabilityChanged = Signal(bool, str)
    positionChanged = Signal(int)
    stateChanged = Signal(str)
    failed = Signal(str)
    _opened = Signal(object, str)

    def __init__(self, factory: Callable | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._factory = factory or open_default_player
        self.player = None
        self.message = "Preparing audio\u2026"
        self.preparing = False
        self._score: Score | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(PUMP_MS)
        self._timer.timeout.connect(self._pump)
        self._opened.connect(self._on_opened)
        self._last_state = "stopped"

    @property
    def available(self) -> bool:
        return self.player is not None

    def prepare(self) -> None:
        """Open the audio output on a helper thread (once); ``availabilityChanged``
        follows."""
        if self.player is not None or self.preparing:
            return
        self.preparing = True

        def work():
            try:
                player, message = self._factory(), ""
            except Exception as e:  # every audio failure becomes a message
                player, message = None, str(e) or type(e).__name__
            self._opened.emit(player, message)

        threading.Thread(target=work, name="composer-audio-open", daemon=True).start()

    def _on_opened(self, player, message: str) -> None:
        self.preparing = False
        self.player = player
        self.message = message
        if player is not None:
            player.on_finished = None
            if self._score is not None:
                player.load(self._score)
        self.availabilityChanged.emit(player is not None, message)

    # --- transport ---------------------------------------------------------------------
    def load(self, score: Score) -> None:
        """Play ``score`` from now on (the document changed)."""
        self._score = score
        if self.player is not None:
            self._call(self.player.load, score)

    def play(self, start: int | None = None) -> None:
        if self.player is None:
            return
        self._call(self.player.play, start)
        self._timer.start()
        self._pump()

    def audition(self, score: Score, start: int, end: int) -> None:
        """Play ``score`` (the tune with a take applied) over ``[start, end)`` once."""
        if self.player is None:
            return
        self._call(self.player.audition, score, start, end)
        self._timer.start()
        self._pump()

    def stop(self) -> None:
        if self.player is None:
            return
        self._call(self.player.stop)
        self._pump()

    def seek(self, tick: int) -> None:
        if self.player is not None:
            self._call(self.player.seek, tick)
            self.positionChanged.emit(self.player.position())

    def set_loop(self, start: int | None, end: int | None) -> None:
        if self.player is not None:
            self._call(self.player.set_loop, start, end)

    def set_tempo_factor(self, factor: float) -> None:
        if self.player is not None:
            self._call(self.player.set_tempo_factor, factor)

    @property
    def state(self) -> str:
        return self.player.state if self.player is not None else "stopped"

    def close(self) -> None:
        self._timer.stop()
        if self.player is not None:
            close = getattr(self.player, "close", None) or self.player.stop
            with contextlib.suppress(Exception):  # closing must never block quitting
                close()
            self.player = None

    # --- internals ---------------------------------------------------------------------
    def _call(self, method, *args) -> None:
        try:
            method(*args)
        except Exception as e:  # the window must survive a failing synth
            self.failed.emit(f"playback failed: {e}")

    def _pump(self) -> None:
        player = self.player
        if player is None:
            self._timer.stop()
            return
        try:
            wait = player.pump()
            position = player.position()
        except Exception as e:
            self._timer.stop()
            self.failed.emit(f"playback failed: {e}")
            return
        self.positionChanged.emit(position)
        state = player.state
        if state != self._last_state:
            self._last_state = state
            self.stateChanged.emit(state)
        if wait is None:
            self._timer.stop()
