"""The guess strip: for the characters around the editor's cursor, one column each,
the character on top (its background: the chosen shading) and below it the model's
top guesses for the *next* character, each cell shaded by its probability (darker:
likelier). The cursor's column is outlined. Also :class:`EventList`, the MIDI
models' next events with probability bars.

Pure painting from a :class:`~composer.generation.inspection.TextView` (duck-typed:
``text``, ``guesses(i)``); :meth:`GuessStrip.columns` gives what is shown, for tests.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QToolTip, QWidget

from composer.ui.eye.shading import shown

SPAN = 40
"""Characters shown around the cursor."""
ROWS = 5
"""Guesses shown under each character."""


class GuessStrip(QWidget):
    """See the module docstring. :meth:`set_view` gives it a view, the cursor's
    character and the per-character shading; it repaints at once (cheap)."""

    def __init__(self, parent: QWidget | None = None, span: int = SPAN):
        super().__init__(parent)
        self.span = span
        self._view = None
        self._cursor = 0
        self._colors: list | None = None
        self._columns: list[tuple[str, list[tuple[str, float]]]] = []
        self._first = 0
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 9.0))
        self.setFont(font)
        self._small = QFont(font)
        self._small.setPointSizeF(font.pointSizeF() * 0.85)
        self.setMouseTracking(True)
        self.setToolTip("The model's five best guesses for the character after each one, "
                        "darker = likelier")

    # --- data ----------------------------------------------------------------------------
    def set_view(self, view, cursor: int | None, colors: list | None = None) -> None:
        """Show the characters of ``view.text`` around character ``cursor`` (``None``:
        nothing), the top of each column coloured by ``colors`` (one per character)."""
        self._view, self._colors = view, colors
        self._columns, self._first = [], 0
        if view is not None and cursor is not None and view.text:
            n = len(view.text)
            self._cursor = min(max(cursor, 0), n - 1)
            first = max(0, min(self._cursor - self.span // 2, n - self.span))
            last = min(n, first + self.span)
            self._first = first
            self._columns = [(shown(view.text[i]),
                              [(g.label, g.prob) for g in view.guesses(i)[:ROWS]])
                             for i in range(first, last)]
        self.updateGeometry()
        self.resize(self.sizeHint())
        self.update()

    def columns(self) -> list[tuple[str, list[tuple[str, float]]]]:
        """The columns shown: ``(character, [(guess, probability), ...])``, left to right."""
        return list(self._columns)

    def first(self) -> int:
        """The index in the text of the first column's character."""
        return self._first

    def cursor_column(self) -> int | None:
        """The column of the cursor's character, or ``None``."""
        return self._cursor - self._first if self._columns else None

    def column_x(self, column: int) -> int:
        return column * self._cell_width()

    # --- painting --------------------------------------------------------------------------
    def _cell_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("M") * 2 + 6

    def _cell_height(self) -> int:
        return self.fontMetrics().height() + 2

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(max(1, len(self._columns)) * self._cell_width(),
                     (ROWS + 1) * self._cell_height() + 3)

    def minimumSizeHint(self) -> QSize:  # Qt override
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        w, h = self._cell_width(), self._cell_height()
        base = self.palette().base().color()
        text_color = self.palette().text().color()
        painter.fillRect(self.rect(), base)
        for c, (ch, guesses) in enumerate(self._columns):
            x = c * w
            color = self._colors[self._first + c] if self._colors is not None and (
                self._first + c < len(self._colors)) else None
            top = QRectF(x, 0, w, h)
            if color is not None:
                painter.fillRect(top, color)
            painter.setFont(self.font())
            painter.setPen(text_color)
            painter.drawText(top, Qt.AlignmentFlag.AlignCenter, ch)
            painter.setFont(self._small)
            for r, (label, prob) in enumerate(guesses):
                cell = QRectF(x + 1, (r + 1) * h + 2, w - 2, h - 1)
                painter.fillRect(cell, probability_color(prob))
                painter.setPen(QColor("#ffffff") if prob >= 0.45 else text_color)
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, label)
        cursor = self.cursor_column()
        if cursor is not None:
            painter.setPen(QPen(QColor("#e08000"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(cursor * w + 1, 1, w - 2, self.height() - 2))
        painter.end()

    def event(self, event) -> bool:  # Qt override
        if event.type() == event.Type.ToolTip and self._columns:
            c = int(event.pos().x() // self._cell_width())
            r = int(event.pos().y() // self._cell_height()) - 1
            if 0 <= c < len(self._columns):
                ch, guesses = self._columns[c]
                lines = [f"after \u2018{ch}\u2019:"] + [f"{label}  {prob:.1%}"
                                                         for label, prob in guesses]
                if 0 <= r < len(guesses):
                    lines[r + 1] = f"<b>{lines[r + 1]}</b>"
                QToolTip.showText(event.globalPos(), "<br>".join(lines), self)
                return True
        return super().event(event)


def probability_color(prob: float) -> QColor:
    """A cell's background: darker blue for a likelier guess (``prob`` 0..1)."""
    p = min(max(float(prob), 0.0), 1.0)
    return QColor(25, 70, 150, round(18 + 220 * p ** 0.7))


_EIGHTHS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"


def probability_bar(prob: float, width: int = 20) -> str:
    """A bar of block characters ``prob * width`` characters long (eighths of a
    character drawn; at least a sliver for any non-zero probability)."""
    eighths = max(round(min(max(prob, 0.0), 1.0) * width * 8), 1 if prob > 0 else 0)
    full, rest = divmod(eighths, 8)
    return "\u2588" * full + (_EIGHTHS[rest] if rest else "")


class EventList(QListWidget):
    """The MIDI models' next events: one row per guess, "45% ▇▇▇▇▇ strike C4"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self._rows: list[tuple[str, float]] = []

    def set_guesses(self, guesses) -> None:
        """``guesses``: objects with ``label`` and ``prob`` (0..1), best first."""
        self.clear()
        self._rows = [(g.label, float(g.prob)) for g in guesses]
        for label, prob in self._rows:
            bar = probability_bar(prob)
            item = QListWidgetItem(f"{prob:6.1%} {bar:<20} {label}")
            item.setToolTip(f"{label}: {prob:.1%}")
            self.addItem(item)

    def rows(self) -> list[tuple[str, float]]:
        """``(event, probability)`` shown, best first."""
        return list(self._rows)
