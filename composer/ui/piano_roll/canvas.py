"""Background (pitch rows and the meter grid) and foreground (range, drag-continue
preview, handle, rubber band, marked notes, cursor, playhead) of the note area.

Both paint in device pixels: ``m`` maps scene units (ticks, pitch rows) to the
painter's device, whose transform the caller has reset to the identity.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from composer.ui.piano_roll.painting import Mapping
from composer.ui.piano_roll.state import RollState
from composer.ui.piano_roll.theme import Theme

BLACK_KEYS = frozenset((1, 3, 6, 8, 10))
"""Pitch classes of the black keys."""

MARK_COLOR = QColor(225, 30, 30)
"""Outline of the notes the model's eye marks as surprising."""

HANDLE_WIDTH = 14.0
HANDLE_HEIGHT = 46.0
"""Size of the drag-continue handle in the note area (pixels)."""


def _vlines(xs, top: float, bottom: float) -> list[QLineF]:
    return [QLineF(math.floor(x) + 0.5, top, math.floor(x) + 0.5, bottom) for x in xs]


def paint_background(painter: QPainter, state: RollState, theme: Theme, m: Mapping,
                     device: QRectF) -> None:
    """Pitch rows (black-key rows shaded, octave lines) and the bar/beat/subdivision
    grid inside ``device`` (pixels)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(device, theme.white_row)
    left, right = device.left(), device.right()
    top_row = max(0, int((device.top() - m.dy) // m.sy))
    bottom_row = min(127, int((device.bottom() - m.dy) // m.sy) + 1)
    width = device.width()
    rows = range(top_row, bottom_row + 1)
    for row in rows:
        if (127 - row) % 12 in BLACK_KEYS:
            painter.fillRect(QRectF(left, row * m.sy + m.dy, width, m.sy), theme.black_row)
    if m.sy >= 6:
        painter.setPen(QPen(theme.row_line, 1))
        painter.drawLines([QLineF(left, math.floor(r * m.sy + m.dy) + 0.5, right,
                                  math.floor(r * m.sy + m.dy) + 0.5)
                           for r in rows if (127 - r) % 12 not in (0, 5)])
    # the line under every C and every F (where two white keys meet)
    octave = [r for r in rows if (127 - r) % 12 == 0]
    painter.setPen(QPen(theme.octave_line, 1))
    painter.drawLines([QLineF(left, math.floor((r + 1) * m.sy + m.dy) - 0.5, right,
                              math.floor((r + 1) * m.sy + m.dy) - 0.5) for r in octave])

    # vertical grid
    t0 = (left - m.dx) / m.sx
    t1 = (right - m.dx) / m.sx
    step = state.snap_step(max(0, int(t0))) or state.grid.default_step(max(0, int(t0)))
    bars, beats, subs = state.grid.lines(int(t0) - 1, int(t1) + 1, 5.0 / m.sx, 8.0 / m.sx, step)
    top, bottom = device.top(), device.bottom() + 1
    if subs:
        painter.setPen(QPen(theme.sub_line, 1))
        painter.drawLines(_vlines([t * m.sx + m.dx for t in subs], top, bottom))
    if beats:
        painter.setPen(QPen(theme.beat_line, 1))
        painter.drawLines(_vlines([t * m.sx + m.dx for t in beats], top, bottom))
    xs = []
    if bars:
        first = state.grid.bar_index(bars[0])
        stride = 1  # zoomed far out, every 2nd, 4th, 8th... bar line
        while state.grid.meter_of_bar(first).bar_ticks * m.sx * stride < 6:
            stride *= 2
        xs = [t * m.sx + m.dx for j, t in enumerate(bars) if (first + j) % stride == 0]
    painter.setPen(QPen(theme.bar_line, 1))
    painter.drawLines(_vlines(xs, top, bottom))
    # everything after the score's end is dimmed
    if state.score is not None:
        end_x = state.length * m.sx + m.dx
        if end_x < right:
            painter.fillRect(QRectF(max(left, end_x), top, right - max(left, end_x) + 1,
                                    bottom - top), theme.past_end)


def handle_rect(state: RollState, m: Mapping, view_height: float) -> QRectF | None:
    """The drag-continue handle in viewport pixels (at the range's right edge,
    halfway down), or ``None`` with no range selected."""
    if state.range is None:
        return None
    end = state.preview.end if state.preview is not None else state.range[1]
    x = end * m.sx + m.dx
    return QRectF(x - HANDLE_WIDTH / 2, view_height / 2 - HANDLE_HEIGHT / 2,
                  HANDLE_WIDTH, HANDLE_HEIGHT)


def preview_label(state: RollState) -> str:
    p = state.preview
    if p is None:
        return ""
    unit = "bar" if p.bars == 1 else "bars"
    mode = "insert" if state.insert_mode else "replace"
    return f"+{p.bars} {unit} · {mode}"


def paint_handle(painter: QPainter, rect: QRectF, theme: Theme) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(theme.handle.darker(125), 1))
    painter.setBrush(theme.handle)
    painter.drawRoundedRect(rect, rect.width() / 2, rect.width() / 2)
    painter.setPen(QPen(theme.handle_text, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    c = rect.center()
    for dx in (-2.0, 2.0):
        path = QPainterPath(QPointF(c.x() + dx - 1.5, c.y() - 4))
        path.lineTo(QPointF(c.x() + dx + 1.5, c.y()))
        path.lineTo(QPointF(c.x() + dx - 1.5, c.y() + 4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)


def paint_foreground(painter: QPainter, state: RollState, theme: Theme, m: Mapping,
                     device: QRectF, view_height: float, font: QFont) -> None:
    """Range selection, drag-continue preview and handle, rubber band, cursor and
    playhead, clipped to ``device``."""
    top, bottom = device.top(), device.bottom() + 1
    if state.range is not None:
        a, b = (t * m.sx + m.dx for t in state.range)
        painter.fillRect(QRectF(a, top, b - a, bottom - top), theme.range_fill)
        painter.setPen(QPen(theme.range_edge, 1))
        painter.drawLines(_vlines([a, b], top, bottom))
    if state.preview is not None and state.preview.bars > 0:
        p = state.preview
        a, b = p.start * m.sx + m.dx, p.end * m.sx + m.dx
        fill = theme.insert_fill if state.insert_mode else theme.replace_fill
        painter.fillRect(QRectF(a, top, b - a, bottom - top), fill)
        edge = QColor(fill)
        edge.setAlpha(220)
        painter.setPen(QPen(edge, 1, Qt.PenStyle.DashLine))
        painter.drawLines(_vlines([b], top, bottom))
        _label(painter, preview_label(state), QPointF(a + 6, 6), theme, font)
    rect = handle_rect(state, m, view_height)
    if rect is not None and rect.intersects(device):
        paint_handle(painter, rect, theme)
    if state.rubber is not None:
        t0, r0, t1, r1 = state.rubber
        band = QRectF(QPointF(t0 * m.sx + m.dx, r0 * m.sy + m.dy),
                      QPointF(t1 * m.sx + m.dx, r1 * m.sy + m.dy)).normalized()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(theme.rubber_edge, 1))
        painter.setBrush(theme.rubber_fill)
        painter.drawRect(band)
    if state.note_marks:
        paint_note_marks(painter, state, m, device)
    if state.cursor >= 0:
        x = state.cursor * m.sx + m.dx
        painter.setPen(QPen(theme.cursor, 1, Qt.PenStyle.DashLine))
        painter.drawLines(_vlines([x], top, bottom))
    if state.playhead >= 0:
        x = state.playhead * m.sx + m.dx
        painter.fillRect(QRectF(math.floor(x) - 0.5, top, 2, bottom - top), theme.playhead)


def paint_note_marks(painter: QPainter, state: RollState, m: Mapping, device: QRectF) -> None:
    """A red outline (opaque and thicker for a stronger mark) around every marked
    note inside ``device``, with an underline so that a short note still shows it."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    h = max(2.0, m.sy - 1.0)
    for start, end, pitch, strength in state.note_marks:
        x0, x1 = start * m.sx + m.dx, end * m.sx + m.dx
        y = (127 - pitch) * m.sy + m.dy
        if x1 < device.left() - 4 or x0 > device.right() + 4 or y + h < device.top() - 4 \
                or y > device.bottom() + 4:
            continue
        color = QColor(MARK_COLOR)
        color.setAlpha(round(110 + 145 * min(max(strength, 0.0), 1.0)))
        width = 1.5 + 1.5 * strength
        painter.setPen(QPen(color, width))
        painter.drawRoundedRect(QRectF(x0 - 1, y - 1, max(3.0, x1 - x0 + 1), h + 2), 3, 3)
        painter.drawLine(QLineF(x0, y + h + 2.5, max(x1, x0 + 3), y + h + 2.5))


def _label(painter: QPainter, text: str, at: QPointF, theme: Theme, font: QFont) -> None:
    painter.setFont(font)
    metrics = painter.fontMetrics()
    w = metrics.horizontalAdvance(text) + 12
    h = metrics.height() + 4
    box = QRectF(at.x(), at.y(), w, h)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.handle)
    painter.drawRoundedRect(box, h / 2, h / 2)
    painter.setPen(theme.handle_text)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
