"""Bars, beats and the snap grid of a score, all in ticks (no Qt).

The grid follows the score's written bars (:meth:`Score.bar_starts`, so a pickup
and short bars are kept) and, past the score's end, the meter in force there, so
the roll can draw and snap beyond the last note (where a continuation will go).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from composer.music.score import TICKS_PER_QUARTER, MeterChange, Score

WHOLE = 4 * TICKS_PER_QUARTER
"""Ticks in a whole note."""


def subdivision(meter: MeterChange) -> int:
    """The default snap step of a meter in ticks: half its note unit in simple
    meters with a half or quarter unit (4/4 -> an eighth, 2/2 -> a quarter), the
    unit itself for eighths and shorter (6/8 -> an eighth, 12/16 -> a sixteenth)."""
    unit = WHOLE // meter.denominator
    return unit // 2 if meter.denominator <= 4 else unit


class TimeGrid:
    """Bar starts of ``score`` (ticks), extended with the meter as far as asked.

    ``bar i`` spans ``[start(i), start(i + 1))``. The first bar is a pickup when it is
    shorter than a full bar of the first meter and more bars follow; it is then
    numbered 0 and its beats are counted back from its end.
    """

    def __init__(self, score: Score | None, until: int = 0):
        self._score = score if score is not None else Score()
        self._starts: list[int] = [0]
        self._meters: list[MeterChange] = []
        self.extend_to(max(until, self._score.length))
        self.pickup = self._score.pickup_ticks > 0

    # --- extent --------------------------------------------------------------------
    def extend_to(self, tick: int) -> None:
        """Make sure every tick below ``tick`` lies in a bar whose end is known."""
        if len(self._starts) > 1 and self._starts[-1] > tick:
            return
        longest = max(m.bar_ticks for m in self._score.meters)
        until = max(tick + 2 * longest, 2 * self._starts[-1])
        starts = self._score.bar_starts(until)
        while starts[-1] <= tick:  # paranoid: bar_starts always reaches ``until``
            starts.append(starts[-1] + self._score.meter_at(starts[-1]).bar_ticks)
        self._starts = starts
        self._meters = [self._score.meter_at(s) for s in starts]

    @property
    def end(self) -> int:
        """The last bar boundary known (ticks); every tick below lies in a known bar."""
        return self._starts[-1]

    # --- bars ------------------------------------------------------------------
    def bar_index(self, tick: int) -> int:
        """Index of the bar holding ``tick`` (bar 0 for negative ticks)."""
        self.extend_to(tick)
        return max(0, bisect_right(self._starts, tick) - 1)

    def bar_span(self, index: int) -> tuple[int, int]:
        """``(start, end)`` ticks of bar ``index``."""
        while index + 1 >= len(self._starts):
            self.extend_to(2 * self._starts[-1] + 1)
        return self._starts[index], self._starts[index + 1]

    def bar_number(self, index: int) -> int:
        """The number a musician gives bar ``index`` (a pickup is bar 0)."""
        return index if self.pickup else index + 1

    def meter_of_bar(self, index: int) -> MeterChange:
        self.bar_span(index)
        return self._meters[index]

    def bar_starts_between(self, t0: int, t1: int) -> list[int]:
        """Bar starts ``s`` with ``t0 <= s <= t1``."""
        self.extend_to(t1)
        return self._starts[bisect_left(self._starts, t0): bisect_right(self._starts, t1)]

    def bar_range(self, a: int, b: int) -> tuple[int, int]:
        """The bar-aligned ``(start, end)`` covering every bar that holds a tick of
        ``[min(a, b), max(a, b)]`` (at least one bar)."""
        lo, hi = min(a, b), max(a, b)
        first = self.bar_index(lo)
        last = max(first, self.bar_index(hi))
        return self.bar_span(first)[0], self.bar_span(last)[1]

    def bars_after(self, end: int, tick: int) -> tuple[int, int]:
        """Whole bars from the bar line ``end`` up to ``tick``: ``(count, region_end)``.

        ``count`` is the number of bar lines in ``(end, tick]`` and ``region_end`` the
        last of them (``end`` itself when ``count`` is 0).
        """
        self.extend_to(max(tick, end) + 1)
        i = bisect_right(self._starts, end)
        j = bisect_right(self._starts, tick)
        count = max(0, j - i)
        return count, self._starts[j - 1] if count else end

    # --- beats and snap --------------------------------------------------------
    def beat_origin(self, index: int) -> int:
        """The tick beats of bar ``index`` are counted from (a pickup counts back from
        its end)."""
        start, end = self.bar_span(index)
        if index == 0 and self.pickup:
            return end
        return start

    def positions(self, index: int, step: int) -> list[int]:
        """Ticks of bar ``index`` on a grid of ``step`` ticks (both bar lines included)."""
        start, end = self.bar_span(index)
        if step <= 0:
            return [start, end]
        origin = self.beat_origin(index)
        first = origin - ((origin - start) // step) * step
        out = [start] if first != start else []
        out.extend(range(first, end, step))
        out.append(end)
        return out

    def default_step(self, tick: int) -> int:
        """The meter's subdivision at ``tick`` (see :func:`subdivision`)."""
        return subdivision(self.meter_of_bar(self.bar_index(tick)))

    def snap(self, tick: float, step: int, mode: str = "round") -> int:
        """``tick`` moved to the grid of ``step`` ticks inside its bar (bar lines are
        always on the grid). ``mode`` is ``"round"`` (nearest) or ``"floor"`` (the
        grid line at or before). ``step <= 0`` only rounds to a whole tick."""
        if step <= 0:
            return max(0, round(tick))
        tick = max(0.0, float(tick))
        index = self.bar_index(int(tick))
        grid = self.positions(index, step)
        if mode == "floor":
            return grid[max(0, bisect_right(grid, tick) - 1)]
        k = bisect_left(grid, tick)
        candidates = grid[max(0, k - 1): k + 1]
        return min(candidates, key=lambda g: (abs(g - tick), g))

    def lines(self, t0: int, t1: int, beat_min: int, sub_min: int, sub_step: int
              ) -> tuple[list[int], list[int], list[int]]:
        """Grid lines in ``[t0, t1]``: ``(bars, beats, subdivisions)`` ticks.

        Beats are left out when a beat is shorter than ``beat_min`` ticks and
        subdivisions of ``sub_step`` ticks when ``sub_step < sub_min`` (the caller
        turns a minimum spacing in pixels into ticks).
        """
        t0 = max(0, t0)
        bars = self.bar_starts_between(t0, t1)
        shortest_beat = min(m.beat_ticks for m in self._score.meters)
        beats: list[int] = []
        subs: list[int] = []
        if shortest_beat < beat_min and sub_step < sub_min:
            return bars, beats, subs  # zoomed out: bar lines only, no per-bar work
        for i in range(self.bar_index(t0), self.bar_index(t1) + 1):
            self.bar_span(i)
            beat = self._meters[i].beat_ticks
            beat_set: set[int] = set()
            if beat >= beat_min:
                beat_set = set(self.positions(i, beat)[1:-1])
                beats.extend(t for t in sorted(beat_set) if t0 <= t <= t1)
            if 0 < sub_step < beat and sub_step >= sub_min:
                subs.extend(t for t in self.positions(i, sub_step)[1:-1]
                            if t0 <= t <= t1 and t not in beat_set)
        return bars, beats, subs
