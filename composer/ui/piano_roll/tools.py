"""Mouse and key gestures in the note area: select (click, Shift/Ctrl-click, rubber
band), move, resize, draw, delete, and the drag-continue handle.

Edits are previewed while dragging (an offset on the selected notes) and become
one new Score on release, emitted as ``scoreEdited``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from composer.ui.piano_roll import edits
from composer.ui.piano_roll.note_index import NoteRef
from composer.ui.piano_roll.painting import Shift

if TYPE_CHECKING:
    from composer.ui.piano_roll.view import RollView

EDGE_PIXELS = 5.0
"""How near (pixels) to a note's right end a press resizes instead of moving."""


class NoteTools:
    """The gesture state machine of one :class:`RollView`."""

    def __init__(self, view: RollView):
        self.view = view
        self.draw_mode = False
        self._gesture: str | None = None
        self._origin = QPointF()
        self._origin_tick = 0.0
        self._origin_pitch = 0
        self._grabbed: NoteRef | None = None
        self._started = False
        self._base_selection = np.zeros(0, dtype=bool)
        self._clicked = -1

    @property
    def state(self):
        return self.view.state

    def busy(self) -> bool:
        return self._gesture is not None

    # --- helpers ---------------------------------------------------------------
    def _hit(self, pos: QPointF) -> int:
        v = self.view
        tick = v.x_to_tick(pos.x())
        tolerance = 2.0 / max(v.mapping().sx, 1e-9)
        return self.state.index.hit(tick, v.y_to_pitch(pos.y()), tolerance)

    def _near_end(self, i: int, pos: QPointF) -> bool:
        v = self.view
        x0 = v.tick_to_x(int(self.state.index.start[i]))
        x1 = v.tick_to_x(int(self.state.index.end[i]))
        return x1 - x0 >= 3 * EDGE_PIXELS and abs(pos.x() - x1) <= EDGE_PIXELS

    def _on_handle(self, pos: QPointF) -> bool:
        rect = self.view.handle_rect()
        return rect is not None and rect.adjusted(-3, -3, 3, 3).contains(pos)

    def notify_selection(self) -> None:
        self.view.viewport().update()
        self.view.notesSelected.emit(self.view.selected_notes())

    def apply(self, result) -> None:
        """Show the edited score with ``refs`` selected and emit it."""
        score, refs = result
        self.view.apply_edit(score, refs)

    # --- mouse -------------------------------------------------------------------
    def press(self, event: QMouseEvent) -> None:
        state, v = self.state, self.view
        pos = event.position()
        self._origin = pos
        self._origin_tick = v.x_to_tick(pos.x())
        self._origin_pitch = v.y_to_pitch(pos.y())
        self._started = False
        self._clicked = -1
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self._on_handle(pos) and v.continue_start():
            self._gesture = "continue"
            return
        mods = event.modifiers()
        additive = bool(mods & (Qt.KeyboardModifier.ShiftModifier
                                | Qt.KeyboardModifier.ControlModifier))
        hit = self._hit(pos)
        if hit >= 0:
            state.current_track = int(state.index.track[hit])
            if additive:
                state.select_positions([hit], toggle=True)
                self.notify_selection()
            elif not state.selected[hit]:
                state.select_positions([hit])
                self.notify_selection()
            else:
                self._clicked = hit  # a click without a drag selects only this one
            if state.editable and state.selected[hit]:
                self._grabbed = state.index.ref(hit)
                self._gesture = "resize" if self._near_end(hit, pos) else "move"
            return
        if self.draw_mode and state.editable and state.score is not None:
            start = state.snapped(self._origin_tick, "floor")
            length = state.draw_length(start)
            state.draw_preview = edits.new_note(start, start + length, self._origin_pitch)
            self._gesture = "draw"
            v.viewport().update()
            return
        self._base_selection = state.selected.copy() if additive else np.zeros_like(state.selected)
        if not additive and state.selected.any():
            state.select_positions([])
            self.notify_selection()
        self._gesture = "rubber"

    def move(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._gesture is None:
            self._hover(pos)
            return
        if not self._started:
            if (pos - self._origin).manhattanLength() < QApplication.startDragDistance():
                return
            self._started = True
        self._drag_to(pos)

    def _drag_to(self, pos: QPointF) -> None:
        """The pointer of the current drag is at ``pos`` (viewport pixels)."""
        v, state = self.view, self.state
        if self._gesture is None:
            return
        v.autoscroll(pos.x(), lambda: self._drag_to(pos))
        tick = v.x_to_tick(pos.x())
        if self._gesture == "continue":
            v.continue_move(tick)
        elif self._gesture == "move":
            note = self._grabbed[1]
            start = state.snapped(note.start + tick - self._origin_tick)
            dt, dp = edits.clamp_move(state.selected_refs(), start - note.start,
                                      v.y_to_pitch(pos.y()) - self._origin_pitch)
            state.shift = Shift(dt=dt, dp=dp)
            v.grow_to(max(int(state.index.end[state.selected].max()) + dt, 0))
        elif self._gesture == "resize":
            note = self._grabbed[1]
            end = state.snapped(note.end + tick - self._origin_tick)
            step = state.snap_step(note.start) or 1
            state.shift = Shift(d_end=end - note.end, min_length=step)
            v.grow_to(end)
        elif self._gesture == "draw":
            note = state.draw_preview
            end = max(note.start + state.draw_length(note.start), state.snapped(tick))
            state.draw_preview = edits.new_note(note.start, end, note.pitch, note.velocity)
            v.grow_to(end)
        elif self._gesture == "rubber":
            row = v.y_to_row(pos.y())
            state.rubber = (self._origin_tick, v.y_to_row(self._origin.y()), tick, row)
            t0, t1 = sorted((self._origin_tick, tick))
            lo, hi = sorted((v.y_to_pitch(self._origin.y()), v.y_to_pitch(pos.y())))
            inside = state.index.query(t0, t1, lo, hi)
            state.selected = self._base_selection.copy()
            state.selected[inside] = True
        v.viewport().update()

    def release(self, event: QMouseEvent) -> None:
        gesture, self._gesture = self._gesture, None
        v, state = self.view, self.state
        v.stop_autoscroll()
        shift, state.shift = state.shift, None
        if gesture == "continue":
            v.continue_finish()
        elif gesture in ("move", "resize"):
            refs = state.selected_refs()
            if shift is not None and (shift.dt or shift.dp) and gesture == "move":
                self.apply(edits.move_notes(state.score, refs, shift.dt, shift.dp))
            elif shift is not None and shift.d_end and gesture == "resize":
                self.apply(edits.resize_notes(state.score, refs, shift.d_end, shift.min_length))
            elif not self._started and self._clicked >= 0:
                state.select_positions([self._clicked])
                self.notify_selection()
        elif gesture == "draw":
            note, state.draw_preview = state.draw_preview, None
            self.apply(edits.add_note(state.score, state.default_track(), note))
        elif gesture == "rubber":
            state.rubber = None
            if self._started:
                self.notify_selection()
            else:
                v.set_cursor(state.snapped(self._origin_tick), emit=True)
        v.viewport().update()

    def double_click(self, event: QMouseEvent) -> None:
        state, v = self.state, self.view
        pos = event.position()
        if (event.button() != Qt.MouseButton.LeftButton or not state.editable
                or state.score is None or self._hit(pos) >= 0 or self._on_handle(pos)):
            return
        start = state.snapped(v.x_to_tick(pos.x()), "floor")
        note = edits.new_note(start, start + state.draw_length(start), v.y_to_pitch(pos.y()))
        self._gesture = None
        state.rubber = None
        self.apply(edits.add_note(state.score, state.default_track(), note))

    def _hover(self, pos: QPointF) -> None:
        vp = self.view.viewport()
        if self._on_handle(pos):
            vp.setCursor(Qt.CursorShape.SizeHorCursor)
            return
        hit = self._hit(pos)
        if hit >= 0 and self.state.editable:
            shape = (Qt.CursorShape.SizeHorCursor if self._near_end(hit, pos)
                     else Qt.CursorShape.SizeAllCursor)
            vp.setCursor(shape)
        elif self.draw_mode and self.state.editable:
            vp.setCursor(Qt.CursorShape.CrossCursor)
        else:
            vp.unsetCursor()

    # --- keys ----------------------------------------------------------------------
    def key(self, event: QKeyEvent) -> bool:
        """Handle a key in the note area; False to let Qt handle it."""
        state = self.state
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_A and mods & Qt.KeyboardModifier.ControlModifier:
            state.select_positions(np.arange(len(state.index)))
            self.notify_selection()
            return True
        refs = state.selected_refs()
        if not refs or not state.editable or state.score is None or self._gesture:
            return False
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.apply((edits.delete_notes(state.score, refs), []))
            return True
        chorded = bool(mods & (Qt.KeyboardModifier.ControlModifier
                               | Qt.KeyboardModifier.AltModifier
                               | Qt.KeyboardModifier.MetaModifier))
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not chorded:
            step = 12 if mods & Qt.KeyboardModifier.ShiftModifier else 1
            dp = step if key == Qt.Key.Key_Up else -step
            self.apply(edits.move_notes(state.score, refs, 0, dp))
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not chorded:
            first = min(n.start for _, n in refs)
            step = state.snap_step(first) or state.grid.default_step(first)
            self.apply(edits.move_notes(state.score, refs,
                                        step if key == Qt.Key.Key_Right else -step, 0))
            return True
        return False
