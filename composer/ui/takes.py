"""Takes being written or waiting for a decision: what the roll shows as ghost notes.

Plain Python (no Qt), driven by the window: feed it the worker's
:class:`~composer.generation.request.TakeProgress` and
:class:`~composer.generation.request.Take` items, cycle through the variations,
and read the ghost notes and the status line of the one shown.
"""

from __future__ import annotations

from composer.generation.request import ContinueRequest, Take, TakeProgress
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

    def add(self, item: TakeProgress | Take) -> None:
        if isinstance(item, Take):
            self.takes[item.variation] = item
        else:
            self.progress[item.variation] = item

    def cycle(self, step: int) -> int:
        """Show the next (``step`` 1) or previous (-1) variation; returns it."""
        self.current = (self.current + step) % self.variations
        return self.current

    @property
    def current_take(self) -> Take | None:
        """The finished take shown, or ``None`` while it is being written."""
        return self.takes.get(self.current)

    @property
    def complete(self) -> bool:
        return len(self.takes) == self.variations

    def ghost_notes(self) -> dict[str, tuple[Note, ...]] | None:
        """New notes of the variation shown, by track (absolute ticks), or ``None``."""
        p = self.progress.get(self.current)
        if p is None:
            return None
        return {name: tuple(notes) for name, notes in p.notes.items() if notes}

    def bars_done(self, variation: int | None = None) -> int:
        p = self.progress.get(self.current if variation is None else variation)
        return p.bars_done if p else 0

    def status(self) -> str:
        """One line for the status bar, e.g. ``"Take 2/3 - bar 5 of 8"`` or ``"Take 2/3
        ready (seed 1234) - Enter accepts, Esc discards, Alt+Left/Right cycles"``."""
        n = f"Take {self.current + 1}/{self.variations}"
        take = self.current_take
        if take is not None:
            keys = "Enter accepts, Esc discards"
            if self.variations > 1:
                keys += ", Alt+\u2190/\u2192 or Tab cycles"
            return f"{n} ready (seed {take.seed}) \u2014 {keys}"
        if self.failed:
            return f"{n}: {self.failed}"
        if not self.running:
            return f"{n} stopped"
        total = self.request.bars
        done = self.bars_done()
        return f"{n} \u2014 writing bar {min(done + 1, total)} of {total}\u2026"
