"""The :class:`PianoRoll` widget: the public face of the package (see its docstring)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from composer.music.score import TICKS_PER_QUARTER, Note, Score
from composer.ui.piano_roll import canvas
from composer.ui.piano_roll.painting import pitch_name
from composer.ui.piano_roll.state import RollState
from composer.ui.piano_roll.view import ZOOM_X, ZOOM_Y, RollView

FIT_MIN_SEMITONES = 24
"""zoom_to_fit shows at least two octaves."""


class PianoRoll(QWidget):
    """A piano roll over one :class:`Score`: it shows the score, ghost notes and the
    playhead, and reports what the user does through signals. It never changes
    the document itself: an edit is emitted as a new Score (``scoreEdited``), and
    the owner calls :meth:`set_score` back (with the same object: a no-op).

    Times are ticks (480 per quarter note), pitches MIDI numbers (60 = C4).
    """

    selectionChanged = Signal(int, int)
    """The bar-aligned time range selected on the ruler, ticks; (-1, -1) when cleared."""
    continueRequested = Signal(int, int, int)
    """``(start, end, bars)``: the handle was dragged ``bars`` (>= 1) whole bars right."""
    scoreEdited = Signal(object)
    """A new Score after a user edit (move, resize, draw, delete, transpose)."""
    notesSelected = Signal(object)
    """The selected notes: a tuple of ``(track name, Note)``."""
    cursorMoved = Signal(int)
    """A click on the ruler or on an empty spot put the cursor at this tick (snapped)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._state = RollState()
        self._view = RollView(self._state, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self._fit_pending = False
        v = self._view
        v.selectionChanged.connect(self.selectionChanged)
        v.continueRequested.connect(self.continueRequested)
        v.scoreEdited.connect(self.scoreEdited)
        v.notesSelected.connect(self.notesSelected)
        v.cursorMoved.connect(self.cursorMoved)

    # --- the document ------------------------------------------------------------------
    def set_score(self, score: Score | None) -> None:
        """Show ``score`` (``None``: an empty roll). The view (zoom, scroll) is kept,
        except for the first score, which is fitted into view. Selected notes that
        are still in the new score stay selected."""
        if score is self._state.score:
            return
        first = self._state.score is None
        changed = self._view.load_score(score)
        if first and score is not None:
            self._fit_pending = True
            QTimer.singleShot(0, self._fit_if_pending)
        if changed:
            self.notesSelected.emit(self._view.selected_notes())

    def score(self) -> Score | None:
        return self._state.score

    def set_ghost_notes(self, notes: dict[str, tuple[Note, ...]] | None) -> None:
        """Show take notes translucent above the score, keyed by track name (the
        track's colour; unknown names take the melody colour). ``None`` or ``{}``
        clears them."""
        self._state.set_ghosts(notes)
        self._view.set_track_colors()
        if len(self._state.ghosts):
            self._view.grow_to(int(self._state.ghosts.end.max()))
        self._view.viewport().update()

    def ghost_notes(self) -> dict[str, tuple[Note, ...]]:
        return dict(self._state.ghost_source or {})

    def set_note_marks(self, marks: list[tuple[int, int, int, float]] | None) -> None:
        """Outline notes in red: ``(start tick, end tick, pitch, strength 0..1)`` each
        (the model's eye marks the notes it found surprising). ``None`` clears."""
        marks = tuple((int(a), int(b), int(p), float(s)) for a, b, p, s in marks or ())
        if marks != self._state.note_marks:
            self._state.note_marks = marks
            self._view.viewport().update()

    def note_marks(self) -> tuple[tuple[int, int, int, float], ...]:
        return self._state.note_marks

    # --- range selection and drag-continue -----------------------------------------
    def set_selection(self, start: int | None, end: int = -1) -> None:
        """Select ticks ``[start, end)``; ``(-1, -1)`` or ``None`` clears. Does not emit
        ``selectionChanged``."""
        if start is None or start < 0 or end <= start:
            self._view.set_range(None)
        else:
            self._view.set_range(int(start), int(end))

    def selection(self) -> tuple[int, int] | None:
        return self._state.range

    def set_insert_mode(self, insert: bool) -> None:
        """Label the drag-continue preview "insert" (True) or "replace" (False)."""
        self._state.insert_mode = bool(insert)
        self._view.viewport().update()
        self._view.ruler.update()

    def insert_mode(self) -> bool:
        return self._state.insert_mode

    def continue_preview(self) -> tuple[int, int, int] | None:
        """``(start, end, bars)`` of the drag-continue preview while the handle is
        dragged (``bars`` 0 before one bar is reached), else ``None``."""
        p = self._state.preview
        return None if p is None else (p.start, p.end, p.bars)

    def continue_label(self) -> str:
        """The label of the drag-continue preview (e.g. ``"+2 bars · replace"``), or
        ``""`` when the handle is not dragged."""
        return canvas.preview_label(self._state)

    def continue_handle_pos(self) -> QPoint | None:
        """Centre of the drag-continue handle in viewport pixels (``view().viewport()``
        coordinates), or ``None`` with no range selected."""
        rect = self._view.handle_rect()
        return None if rect is None else rect.center().toPoint()

    # --- playhead and cursor --------------------------------------------------------
    def set_playhead(self, tick: int) -> None:
        """Draw the playhead at ``tick`` (-1 hides it). Cheap: repaints two thin
        strips; in follow mode it scrolls a page when the playhead leaves the view."""
        tick = int(tick)
        state = self._state
        if tick == state.playhead:
            return
        old, state.playhead = state.playhead, tick
        if tick >= 0 and state.follow:
            x = self._view.tick_to_x(tick)
            w = self._view.viewport().width()
            if x < 0 or x > w * 0.92:
                self._view.grow_to(tick)
                h = self._view.horizontalScrollBar()
                h.setValue(h.value() + round(x - w * 0.08))
        self._view.update_ticks(old, tick)

    def playhead(self) -> int:
        return self._state.playhead

    def set_follow_playhead(self, follow: bool) -> None:
        self._state.follow = bool(follow)
        if follow and self._state.playhead >= 0:
            self._view.ensure_visible(self._state.playhead)

    def follow_playhead(self) -> bool:
        return self._state.follow

    def set_cursor(self, tick: int) -> None:
        """Show the insert/playback cursor at ``tick`` (-1 hides); does not emit."""
        self._view.set_cursor(int(tick))

    def cursor_tick(self) -> int:
        return self._state.cursor

    # --- editing ---------------------------------------------------------------------
    def set_snap(self, ticks: int | None) -> None:
        """Snap step in ticks; 0 turns snapping off, ``None`` (the default) follows
        the meter's subdivision (an eighth in 4/4 and 6/8, a quarter in 2/2)."""
        self._state.snap = None if ticks is None or ticks < 0 else int(ticks)
        self._view.resetCachedContent()
        self._view.viewport().update()

    def snap(self, tick: int = 0) -> int:
        """The snap step in force at ``tick`` (0 = off)."""
        return self._state.snap_step(tick)

    def set_editable(self, editable: bool) -> None:
        """Allow (True) or forbid moving, resizing, drawing and deleting notes
        (selecting notes and ranges always works)."""
        self._state.editable = bool(editable)

    def is_editable(self) -> bool:
        return self._state.editable

    def set_draw_mode(self, on: bool) -> None:
        """In draw mode a press on an empty spot draws a note (drag to lengthen);
        otherwise double-click draws and a press starts a rubber band."""
        self._view.tools.draw_mode = bool(on)

    def set_current_track(self, name: str | None) -> None:
        """The track new notes go to (by name; ``None``: the first melody track).
        Clicking a note makes its track current."""
        tracks = self._state.score.tracks if self._state.score is not None else ()
        names = [t.name for t in tracks]
        self._state.current_track = names.index(name) if name in names else None

    def current_track(self) -> str | None:
        k = self._state.default_track()
        return None if k is None else self._state.score.tracks[k].name

    def selected_notes(self) -> tuple[tuple[str, Note], ...]:
        return self._view.selected_notes()

    def select_notes(self, notes) -> None:
        """Select ``(track name, Note)`` pairs (others are deselected); does not emit."""
        tracks = self._state.score.tracks if self._state.score is not None else ()
        names = {t.name: k for k, t in reversed(list(enumerate(tracks)))}
        self._state.select_refs([(names[n], note) for n, note in notes if n in names])
        self._view.viewport().update()

    # --- zoom and scroll ---------------------------------------------------------------
    def set_zoom(self, x_pixels_per_quarter: float, y_pixels_per_semitone: float) -> None:
        """Zoom (clamped to the limits in :mod:`~composer.ui.piano_roll.view`) keeping
        the centre of the view in place."""
        self._fit_pending = False
        self._view.set_zoom(x_pixels_per_quarter, y_pixels_per_semitone)

    def zoom(self) -> tuple[float, float]:
        """``(pixels per quarter note, pixels per semitone)``."""
        return self._view.zoom()

    def zoom_to_fit(self) -> None:
        """Show the whole score (at least 4 bars) and its pitch range (at least two
        octaves), scrolled to its start."""
        self._fit_pending = False
        view, state = self._view, self._state
        w = max(50, view.viewport().width())
        h = max(50, view.viewport().height())
        last_bar = state.grid.bar_index(max(0, state.length - 1))
        length = state.grid.bar_span(max(3, last_bar))[1]  # whole bars, at least 4
        pitches = state.index.pitch
        lo, hi = (int(pitches.min()), int(pitches.max())) if len(pitches) else (55, 79)
        span = max(FIT_MIN_SEMITONES, hi - lo + 3)
        zx = min(ZOOM_X[1], max(ZOOM_X[0], (w - 8) * TICKS_PER_QUARTER / length))
        zy = min(ZOOM_Y[1], max(ZOOM_Y[0], h / span))
        view.set_zoom(zx, zy)
        middle = 127 - (lo + hi) / 2 + 0.5
        view.scroll_to(0, middle, QPointF(0, h / 2))
        view.horizontalScrollBar().setValue(0)

    def _fit_if_pending(self) -> None:
        """Fit the first score once the roll is on screen with its real size."""
        if self._fit_pending and self.isVisible():
            self.zoom_to_fit()

    def ensure_visible(self, tick: int) -> None:
        """Scroll horizontally, if needed, so that ``tick`` is on screen."""
        self._fit_pending = False
        self._view.grow_to(int(tick))
        self._view.ensure_visible(int(tick))

    def scroll_to_pitch(self, pitch: int) -> None:
        """Scroll vertically so that ``pitch`` is in the middle of the view."""
        self._fit_pending = False
        view = self._view
        h = view.viewport().height()
        view.scroll_to(view.x_to_tick(0), 127 - pitch + 0.5, QPointF(0, h / 2))

    # --- access for the window and tests -----------------------------------------------
    def view(self) -> RollView:
        """The note area (a QGraphicsView); mouse events go to ``view().viewport()``."""
        return self._view

    def ruler(self) -> QWidget:
        """The ruler widget above the note area (range selection, handle)."""
        return self._view.ruler

    def keyboard(self) -> QWidget:
        return self._view.keyboard

    def tick_to_x(self, tick: float) -> float:
        """Viewport (and ruler) x in pixels of ``tick`` at the current zoom and scroll."""
        return self._view.tick_to_x(tick)

    def x_to_tick(self, x: float) -> float:
        return self._view.x_to_tick(x)

    def pitch_to_y(self, pitch: int) -> float:
        """Viewport y in pixels of the middle of ``pitch``'s row."""
        return self._view.pitch_to_y(pitch) + self._view.zoom()[1] / 2

    @staticmethod
    def pitch_name(pitch: int) -> str:
        return pitch_name(pitch)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._fit_pending:
            QTimer.singleShot(0, self._fit_if_pending)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self._fit_pending:
            QTimer.singleShot(0, self._fit_if_pending)
