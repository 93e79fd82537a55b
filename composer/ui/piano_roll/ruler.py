"""The ruler above the note area: bar numbers, beats, meter changes, the chord
lane (chord symbols as labelled blocks), the selected range with its
drag-continue handle, the cursor and the playhead.

Dragging on the ruler selects whole bars (``selectionChanged``); a click moves
the cursor (``cursorMoved``) and clears the range.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from composer.ui.piano_roll.view import RollView

RULER_HEIGHT = 42
"""Height of the ruler (bar row and chord lane) in pixels."""
TAB_WIDTH = 12
"""Width of the handle's tab in the ruler (pixels)."""


class Ruler(QWidget):
    CHORD_HEIGHT = 18
    """Height of the chord lane at the ruler's bottom (pixels)."""

    def __init__(self, view: RollView):
        super().__init__(view)
        self._view = view
        self.setMouseTracking(True)
        self._font = QFont(self.font())
        self._font.setPixelSize(11)
        self._small = QFont(self.font())
        self._small.setPixelSize(9)
        self._chord_font = QFont(self.font())
        self._chord_font.setPixelSize(11)
        self._chord_font.setBold(True)
        self._gesture: str | None = None
        self._anchor = 0.0
        self._press_x = 0.0
        self._started = False

    @property
    def bar_height(self) -> int:
        return RULER_HEIGHT - self.CHORD_HEIGHT

    # --- geometry ------------------------------------------------------------------
    def tab_rect(self) -> QRectF | None:
        """The handle's tab in ruler pixels, or ``None`` with no range."""
        state = self._view.state
        if state.range is None:
            return None
        end = state.preview.end if state.preview is not None else state.range[1]
        x = self._view.tick_to_x(end)
        return QRectF(x - TAB_WIDTH / 2, self.bar_height - 11, TAB_WIDTH, 10)

    def update_ticks(self, *ticks: int) -> None:
        for t in ticks:
            if t >= 0:
                x = int(self._view.tick_to_x(t))
                self.update(QRect(x - 6, 0, 13, self.height()))

    # --- painting ------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        view, state = self._view, self._view.state
        theme = view.theme
        m = view.mapping()
        p = QPainter(self)
        w, bar_h = self.width(), self.bar_height
        p.fillRect(self.rect(), theme.ruler_bg)
        grid = state.grid
        t0 = max(0.0, (-m.dx) / m.sx)
        t1 = max(0.0, (w - m.dx) / m.sx)
        grid.extend_to(int(t1) + 1)
        first, last = grid.bar_index(int(t0)), grid.bar_index(int(t1))
        if state.range is not None:
            a, b = (t * m.sx + m.dx for t in state.range)
            p.fillRect(QRectF(a, 0, b - a, bar_h), theme.range_fill)
            p.fillRect(QRectF(a, 0, b - a, 3), theme.range_edge)
        if state.preview is not None and state.preview.bars:
            a, b = state.preview.start * m.sx + m.dx, state.preview.end * m.sx + m.dx
            p.fillRect(QRectF(a, 0, b - a, self.height()),
                       theme.insert_fill if state.insert_mode else theme.replace_fill)
        # bar lines, numbers, meters, beats
        bar_px = grid.meter_of_bar(first).bar_ticks * m.sx
        every = 1  # label every 2nd, 4th, ... bar when bars are narrow
        while bar_px * every < 30:
            every *= 2
        stride = 1  # and draw every 2nd, 4th, ... bar line when they are very narrow
        while bar_px * stride < 6:
            stride *= 2
        pending = False  # a meter change whose label found no room yet
        changes = {mc.tick for mc in state.score.meters} if state.score is not None else set()
        offset = grid.bar_number(0)  # 1, or 0 with a pickup
        first -= (first + offset) % stride
        for i in range(max(0, first), last + 1, stride):
            start, end = grid.bar_span(i)
            x = start * m.sx + m.dx
            meter = grid.meter_of_bar(i)
            number = grid.bar_number(i)
            p.setPen(QPen(theme.ruler_tick, 1))
            p.drawLine(int(x), 0, int(x), bar_h)
            new_meter = i == 0 or start in changes
            pending = (pending or new_meter) and bar_px >= 40  # no meter labels far out
            wide = (end - start) * m.sx >= 44
            shown = number > 0 and (number % every == 0 or (pending and wide))
            if shown:
                p.setPen(theme.ruler_text)
                p.setFont(self._font)
                label = str(number)
                p.drawText(QPointF(x + 4, 12), label)
                text_w = p.fontMetrics().horizontalAdvance(label)
                if pending and wide:
                    p.setFont(self._small)
                    p.setPen(theme.ruler_tick)
                    p.drawText(QPointF(x + 8 + text_w, 12), str(meter))
                    pending = False
            beat = meter.beat_ticks
            if beat * m.sx >= 6:
                p.setPen(QPen(theme.ruler_tick, 1))
                for t in grid.positions(i, beat)[1:-1]:
                    bx = int(t * m.sx + m.dx)
                    p.drawLine(bx, bar_h - 5, bx, bar_h)
        self._paint_chords(p, t0, t1)
        p.setPen(QPen(theme.ruler_tick, 1))
        p.drawLine(0, bar_h, w, bar_h)
        p.drawLine(0, self.height() - 1, w, self.height() - 1)
        tab = self.tab_rect()
        if tab is not None:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(QPen(theme.handle.darker(125), 1))
            p.setBrush(theme.handle)
            p.drawRoundedRect(tab, 3, 3)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for tick, color in ((state.cursor, theme.cursor), (state.playhead, theme.playhead)):
            if tick >= 0:
                x = tick * m.sx + m.dx
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawPolygon(QPolygonF([QPointF(x - 5, bar_h - 7), QPointF(x + 5, bar_h - 7),
                                         QPointF(x, bar_h)]))
                p.fillRect(QRectF(x - 0.5, bar_h, 1.5, self.height() - bar_h), color)

    def _paint_chords(self, p: QPainter, t0: float, t1: float) -> None:
        view, state = self._view, self._view.state
        theme = view.theme
        m = view.mapping()
        top = self.bar_height + 2
        h = self.CHORD_HEIGHT - 4
        p.setFont(self._chord_font)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        metrics = p.fontMetrics()
        spans = state.chord_spans
        first = max(0, bisect_right(state.chord_starts, t0) - 1)
        run: list[float] | None = None  # merged blocks too narrow to label
        for start, end, text in spans[first:]:
            if start > t1:
                break
            a, b = start * m.sx + m.dx, end * m.sx + m.dx
            if b - a < 8:
                if run is not None and a <= run[1] + 1:
                    run[1] = b
                else:
                    self._chord_box(p, run, top, h)
                    run = [a, b]
                continue
            self._chord_box(p, run, top, h)
            run = None
            box = self._chord_box(p, [a, b], top, h)
            if box.width() >= 10:
                p.setPen(theme.chord_text)
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                           int(box.width()) - 6)
                p.drawText(box.adjusted(4, 0, -2, 0),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
        self._chord_box(p, run, top, h)

    def _chord_box(self, p: QPainter, span: list[float] | None, top: float, h: float
                   ) -> QRectF:
        if span is None:
            return QRectF()
        theme = self._view.theme
        box = QRectF(span[0] + 1, top, max(2.0, span[1] - span[0] - 2), h)
        p.setPen(QPen(theme.chord_edge, 1))
        p.setBrush(theme.chord_fill)
        p.drawRoundedRect(box, 3, 3)
        return box

    # --- mouse ---------------------------------------------------------------------
    def _on_tab(self, pos: QPointF) -> bool:
        tab = self.tab_rect()
        return tab is not None and tab.adjusted(-3, -4, 3, RULER_HEIGHT).contains(pos)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        self._press_x = pos.x()
        self._started = False
        if self._on_tab(pos) and self._view.continue_start():
            self._gesture = "continue"
            return
        self._anchor = self._view.x_to_tick(pos.x())
        self._gesture = "range"

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position()
        if self._gesture is None:
            if self._on_tab(pos):
                self.setCursor(Qt.CursorShape.SizeHorCursor)
            else:
                self.unsetCursor()
            return
        if not self._started:
            if abs(pos.x() - self._press_x) < QApplication.startDragDistance():
                return
            self._started = True
        self._drag_to(pos)

    def _drag_to(self, pos: QPointF) -> None:
        """The pointer of the current drag is at ``pos`` (ruler = viewport pixels)."""
        view = self._view
        if self._gesture is None:
            return
        view.autoscroll(pos.x(), lambda: self._drag_to(pos))
        tick = view.x_to_tick(pos.x())
        if self._gesture == "continue":
            view.continue_move(tick)
            return
        tolerance = 3.0 / max(view.mapping().sx, 1e-9)
        if tick > self._anchor:
            tick = max(self._anchor, tick - tolerance)
        view.set_range(*view.state.grid.bar_range(int(self._anchor), int(max(0.0, tick))),
                       emit=True)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        gesture, self._gesture = self._gesture, None
        view = self._view
        view.stop_autoscroll()
        if gesture == "continue":
            view.continue_finish()
        elif gesture == "range" and not self._started:
            view.set_range(None, emit=True)
            view.set_cursor(view.state.snapped(self._anchor), emit=True)

    def wheelEvent(self, event) -> None:  # noqa: N802
        self._view.wheelEvent(event)


class Corner(QWidget):
    """The square above the keyboard and left of the ruler."""

    def __init__(self, view: RollView):
        super().__init__(view)
        self._view = view

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        theme = self._view.theme
        p = QPainter(self)
        p.fillRect(self.rect(), theme.ruler_bg)
        p.setPen(theme.ruler_tick)
        p.drawLine(self.width() - 1, 0, self.width() - 1, self.height())
        p.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        font = QFont(self.font())
        font.setPixelSize(10)
        p.setFont(font)
        p.setPen(theme.ruler_text)
        bar_h = RULER_HEIGHT - Ruler.CHORD_HEIGHT
        p.drawText(QRectF(0, 0, self.width() - 6, bar_h),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "bar")
        p.drawText(QRectF(0, bar_h, self.width() - 6, Ruler.CHORD_HEIGHT),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "chords")
