"""The scene's two items: the score's notes and the ghost (take) notes above them.

Each is one item covering the whole scene that paints only the notes inside the
exposed rectangle (found through :class:`NoteIndex`), so 20,000 notes cost no
more than the few hundred on screen. Scene units: x in ticks, y in pitch rows
(row ``127 - pitch``, one unit per semitone).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from composer.ui.piano_roll.note_index import NoteIndex
from composer.ui.piano_roll.painting import Mapping, NotePainter, Shift
from composer.ui.piano_roll.state import RollState


def visible_pitch_range(rect: QRectF) -> tuple[int, int]:
    """``(lowest, highest)`` pitch whose row meets the scene rectangle ``rect``."""
    top, bottom = int(np.floor(rect.top())), int(np.ceil(rect.bottom()))
    return max(0, 127 - bottom), min(127, 127 - top)


class _Layer(QGraphicsItem):
    def __init__(self, state: RollState, painter: NotePainter):
        super().__init__()
        self.state = state
        self.note_painter = painter
        self._rect = QRectF(0, 0, 1, 128)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_extent(self, end_tick: int) -> None:
        """Cover ticks ``[0, end_tick)`` and all 128 pitch rows."""
        rect = QRectF(0, 0, max(1, end_tick), 128)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self._rect

    def _query(self, index: NoteIndex, exposed: QRectF, margin_ticks: float) -> np.ndarray:
        lo, hi = visible_pitch_range(exposed)
        return index.query(exposed.left() - margin_ticks, exposed.right() + margin_ticks, lo, hi)


class NotesLayer(_Layer):
    """The score's notes; the selected ones on top (moved by the drag preview)."""

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        state = self.state
        exposed = option.exposedRect
        m = Mapping.of(painter.worldTransform())
        margin = 2.0 / max(m.sx, 1e-9)
        painter.save()
        painter.resetTransform()
        clip = QRectF(exposed.left() * m.sx + m.dx, exposed.top() * m.sy + m.dy,
                      exposed.width() * m.sx, exposed.height() * m.sy)
        shown = self._query(state.index, exposed, margin)
        if len(shown):
            chosen = state.selected[shown] if len(state.selected) else np.zeros(len(shown), bool)
            plain = shown[~chosen]
            moving = state.shift is not None
            self.note_painter.paint(painter, state.index, plain, m, clip)
            if not moving:
                self.note_painter.paint(painter, state.index, shown[chosen], m, clip, "selected")
        if state.shift is not None:
            # dragged notes may come from anywhere: draw all selected, moved
            chosen = state.selected_positions()
            self.note_painter.paint(painter, state.index, chosen, m, clip, "selected",
                                    state.shift)
        if state.draw_preview is not None:
            note = state.draw_preview
            single = NoteIndex([[note]])
            self.note_painter.paint(painter, single, np.zeros(1, np.int64), m, clip, "selected")
        painter.restore()


class GhostLayer(_Layer):
    """Take notes: translucent and outlined, above the score."""

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        state = self.state
        if not len(state.ghosts):
            return
        exposed = option.exposedRect
        m = Mapping.of(painter.worldTransform())
        shown = self._query(state.ghosts, exposed, 2.0 / max(m.sx, 1e-9))
        if not len(shown):
            return
        painter.save()
        painter.resetTransform()
        clip = QRectF(exposed.left() * m.sx + m.dx, exposed.top() * m.sy + m.dy,
                      exposed.width() * m.sx, exposed.height() * m.sy)
        self.note_painter.paint(painter, state.ghosts, shown, m, clip, "ghost")
        painter.restore()


__all__ = ["GhostLayer", "NotesLayer", "Shift"]
