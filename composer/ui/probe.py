"""How responsive is the event loop? A short repeating timer that notes how late it
fires: a late tick means the loop was busy (a stall) for that long."""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer


@dataclass(frozen=True)
class Stalls:
    """``ticks`` timer ticks seen; ``longest_ms`` and ``p99_ms`` of the delays beyond
    the interval (0 when every tick was on time)."""

    ticks: int
    longest_ms: float
    p99_ms: float

    def __str__(self) -> str:
        return f"longest {self.longest_ms:.1f} ms, p99 {self.p99_ms:.1f} ms ({self.ticks} ticks)"


class StallProbe(QObject):
    """``start()``, let the loop run, ``stop() -> Stalls``."""

    def __init__(self, interval_ms: int = 4, parent: QObject | None = None):
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._delays: list[float] = []

    def start(self) -> None:
        self._delays = []
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self._delays.append(max(0.0, now - self._last - self.interval))
        self._last = now

    def stop(self) -> Stalls:
        self._timer.stop()
        d = sorted(self._delays)
        if not d:
            return Stalls(0, 0.0, 0.0)
        p99 = d[min(len(d) - 1, int(len(d) * 0.99))]
        return Stalls(len(d), d[-1] * 1000, p99 * 1000)
