"""What the roll shows and what the user is doing, shared by its view, ruler,
keyboard and layers (no widgets here; positions in ticks, pitches MIDI numbers)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from composer.music.score import Note, Score
from composer.ui.piano_roll.grid import TimeGrid
from composer.ui.piano_roll.note_index import NoteIndex, NoteRef
from composer.ui.piano_roll.painting import Shift

EXTRA_BARS = 16
"""Bars of empty grid shown after the score's end (where continuations go)."""


@dataclass
class ContinuePreview:
    """The drag-continue gesture: from the range's end ``start`` (ticks), ``bars``
    whole bars up to ``end``."""

    start: int
    end: int
    bars: int


@dataclass
class RollState:
    score: Score | None = None
    grid: TimeGrid = field(default_factory=lambda: TimeGrid(None))
    index: NoteIndex = field(default_factory=NoteIndex)
    selected: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    ghosts: NoteIndex = field(default_factory=NoteIndex)
    ghost_tracks: list[int] = field(default_factory=list)
    """For each ghost group, the score track whose colour it takes (-1: none)."""
    ghost_source: dict | None = None
    note_marks: tuple[tuple[int, int, int, float], ...] = ()
    """Notes outlined as surprising: ``(start, end, pitch, strength 0..1)``."""
    chord_spans: list[tuple[int, int, str]] = field(default_factory=list)
    chord_starts: list[int] = field(default_factory=list)
    scene_end: int = 0
    length: int = 0
    """The score's length in ticks (cached: Score.length walks every note)."""
    shift: Shift | None = None
    """Preview offset of the selected notes while they are dragged."""
    draw_preview: Note | None = None
    range: tuple[int, int] | None = None
    preview: ContinuePreview | None = None
    rubber: tuple[float, float, float, float] | None = None
    """Rubber band in scene units ``(t0, row0, t1, row1)``."""
    playhead: int = -1
    cursor: int = -1
    snap: int | None = None
    """Snap step in ticks; ``None`` = the meter's subdivision, 0 = off."""
    editable: bool = True
    insert_mode: bool = False
    follow: bool = False
    current_track: int | None = None

    # --- derived ---------------------------------------------------------------
    def load(self, score: Score | None) -> None:
        """Index ``score``, keeping the selected notes that are still there."""
        keep = self.selected_refs()
        self.score = score
        self.length = score.length if score is not None else 0
        tracks = score.tracks if score is not None else ()
        self.index = NoteIndex([t.notes for t in tracks])
        self.grid = TimeGrid(score)
        self.chord_spans = score.chord_spans() if score is not None else []
        self.chord_starts = [span[0] for span in self.chord_spans]
        self.update_extent(0, reset=True)
        self.select_refs(keep)
        self.set_ghosts(self.ghost_source)
        if self.current_track is not None and self.current_track >= len(tracks):
            self.current_track = None

    def update_extent(self, tick: int = 0, reset: bool = False) -> bool:
        """Grow the scene (or set it, with ``reset``) to cover the score and ``tick``
        plus :data:`EXTRA_BARS` empty bars; True if its end changed."""
        index = self.grid.bar_index(max(self.length, tick))
        end = self.grid.bar_span(index + EXTRA_BARS)[0]
        if reset or end > self.scene_end:
            changed = end != self.scene_end
            self.scene_end = end
            return changed
        return False

    def set_ghosts(self, ghosts: dict[str, tuple[Note, ...]] | None) -> None:
        self.ghost_source = dict(ghosts) if ghosts else None
        groups = list((ghosts or {}).items())
        self.ghosts = NoteIndex([tuple(notes) for _, notes in groups])
        tracks = self.score.tracks if self.score is not None else ()
        names = [t.name for t in tracks]
        self.ghost_tracks = [names.index(name) if name in names else -1 for name, _ in groups]

    # --- selection ---------------------------------------------------------------
    def selected_positions(self) -> np.ndarray:
        return np.flatnonzero(self.selected)

    def selected_refs(self) -> list[NoteRef]:
        return [self.index.ref(i) for i in self.selected_positions().tolist()]

    def select_refs(self, refs) -> None:
        self.selected = np.zeros(len(self.index), dtype=bool)
        if refs:
            self.selected[self.index.positions_of(refs)] = True

    def select_positions(self, positions, add: bool = False, toggle: bool = False) -> None:
        if not add and not toggle:
            self.selected = np.zeros(len(self.index), dtype=bool)
        positions = np.asarray(positions, dtype=np.int64)
        if toggle:
            self.selected[positions] = ~self.selected[positions]
        else:
            self.selected[positions] = True

    # --- snapping ----------------------------------------------------------------
    def snap_step(self, tick: int) -> int:
        """The snap step at ``tick`` in ticks (0 = off)."""
        if self.snap is None:
            return self.grid.default_step(tick)
        return self.snap

    def snapped(self, tick: float, mode: str = "round") -> int:
        return self.grid.snap(tick, self.snap_step(int(max(0, tick))), mode)

    def draw_length(self, tick: int) -> int:
        """Length of a drawn note: the snap step, or the meter's subdivision when
        snapping is off."""
        return self.snap_step(tick) or self.grid.default_step(tick)

    def default_track(self) -> int | None:
        """The track new notes go to: the current one, else the first melody track,
        else the first track (``None`` when the score has none)."""
        tracks = self.score.tracks if self.score is not None else ()
        if self.current_track is not None and self.current_track < len(tracks):
            return self.current_track
        for k, t in enumerate(tracks):
            if t.role == "melody" and not t.is_drum:
                return k
        return 0 if tracks else None
