"""Takes being written or waiting for a decision: what the roll shows as ghost notes.

Plain Python (no Qt), driven by the window: feed it the worker's
:class:`~composer.generation.request.TakeProgress` and
:class:`~composer.generation.request.Take` items, cycle through the variations,
and read the ghost notes and the status line of the one shown.

When the user stops the writing, :meth:`TakeSession.keep_finished_bars` turns the
bars each variation finished into a take (``complete`` false) to accept like a
finished one; variations that finished no bar drop out of cycling.
"""

from __future__ import annotations

import dataclasses

from composer.generation.errors import GenerationError
from composer.generation.plan import plan_layout, take_from_progress
from composer.generation.request import ContinueRequest, Take, TakeProgress
from composer.music.errors import MusicError
from composer.music.score import Note


class TakeSession:
    """The takes of one request. ``current`` is the 0-based variation shown."""

    def __init__(self, request: ContinueRequest):
        self.request = request
        self.variations = request.variations
        self.progress: dict[int, TakeProgress] = {}
        self.takes: dict[int, Take] = {}
        self.current = 0
        self.failed = ""
        self.running = True
        self.stopping = False
        """The user asked to stop: the bars finished so far are to be kept."""
        self._total_bars: int | None = None

    def add(self, item: TakeProgress | Take) -> None:
        if isinstance(item, Take):
            self.takes[item.variation] = item
        else:
            self.progress[item.variation] = item

    # --- which variations can be shown --------------------------------------------------
    def shown_variations(self) -> list[int]:
        """The variations cycling goes through: all while they are being written, then
        the ones with a take (all of them when none has one)."""
        if self.running or not self.takes:
            return list(range(self.variations))
        return sorted(self.takes)

    def cycle(self, step: int) -> int:
        """Show the next (``step`` 1) or previous (-1) variation; returns it."""
        shown = self.shown_variations()
        if self.current in shown:
            self.current = shown[(shown.index(self.current) + step) % len(shown)]
        else:
            later = [v for v in shown if (v > self.current if step > 0 else v < self.current)]
            self.current = (later[0] if step > 0 else later[-1]) if later else (
                shown[0] if step > 0 else shown[-1])
        return self.current

    @property
    def current_take(self) -> Take | None:
        """The take shown (finished, or the finished bars of a stopped variation), or
        ``None`` while it is being written."""
        return self.takes.get(self.current)

    @property
    def complete(self) -> bool:
        return len(self.takes) == self.variations

    @property
    def total_bars(self) -> int:
        """The bars each variation writes (a completed first bar included), by the
        bar rule the engine follows."""
        if self._total_bars is None:
            r = self.request
            try:
                self._total_bars = len(plan_layout(r.score, r.selection.end, r.bars, r.mode))
            except (GenerationError, MusicError, ValueError):
                self._total_bars = r.bars  # the request fails and says why
        return self._total_bars

    # --- stopping -----------------------------------------------------------------------
    def seed_of(self, variation: int) -> int | None:
        """The seed variation ``variation`` was sampled with, when the request fixed
        it (the engine samples variation ``i`` with the request's seed plus ``i``)."""
        seed = self.request.sampling.seed
        return None if seed is None else seed + variation

    def keep_finished_bars(self) -> int:
        """After a Stop: each variation without a finished take that finished at
        least one bar gets a take of those bars. Returns the number of takes."""
        self.running = False
        for variation, progress in sorted(self.progress.items()):
            if variation in self.takes:
                continue
            try:
                take = take_from_progress(self.request, progress,
                                          self.seed_of(variation) or 0)
            except (GenerationError, MusicError) as e:
                self.failed = str(e)
                continue
            if take is not None:
                self.takes[variation] = take
        if self.takes and self.current not in self.takes:
            self.current = min(self.takes, key=lambda v: (v < self.current, v))
        return len(self.takes)

    # --- what the window shows ----------------------------------------------------------
    def ghost_notes(self) -> dict[str, tuple[Note, ...]] | None:
        """New notes of the variation shown, by track (absolute ticks), or ``None``;
        for the bars kept of a stopped variation, only the notes of those bars."""
        p = self.progress.get(self.current)
        if p is None:
            return None
        take = self.current_take
        if take is not None and not take.complete:
            start, stop = take.start, take.end
            kept = {name: tuple(dataclasses.replace(n, end=min(n.end, stop))
                                for n in notes if start <= n.start < stop)
                    for name, notes in p.notes.items()}
            return {name: notes for name, notes in kept.items() if notes}
        return {name: tuple(notes) for name, notes in p.notes.items() if notes}

    def bars_done(self, variation: int | None = None) -> int:
        p = self.progress.get(self.current if variation is None else variation)
        return p.bars_done if p else 0

    def status(self) -> str:
        """One line for the status bar, e.g. ``"Take 2/3 - writing bar 5 of 8"``,
        ``"Take 2/3 ready (seed 1234) - Enter accepts, Esc discards, Alt+Left/Right
        cycles"`` or ``"Take 1/3: 2 of 8 bars (stopped) - Enter accepts, ..."``."""
        n = f"Take {self.current + 1}/{self.variations}"
        take = self.current_take
        total = self.total_bars
        if take is not None:
            keys = "Enter accepts, Esc discards"
            if len(self.shown_variations()) > 1:
                keys += ", Alt+\u2190/\u2192 or Tab cycles"
            if not take.complete:
                return f"{n}: {take.bars} of {total} bars (stopped) \u2014 {keys}"
            return f"{n} ready (seed {take.seed}) \u2014 {keys}"
        if self.failed:
            return f"{n}: {self.failed}"
        if not self.running:
            return f"{n}: no bars written" if self.stopping else f"{n} stopped"
        done = self.bars_done()
        return f"{n} \u2014 writing bar {min(done + 1, total)} of {total}\u2026"
