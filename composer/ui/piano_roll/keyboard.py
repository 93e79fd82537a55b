"""The piano keyboard at the roll's left: one row per semitone, aligned with the
note area's rows, C keys labelled (all white keys when there is room)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from composer.ui.piano_roll.canvas import BLACK_KEYS
from composer.ui.piano_roll.painting import pitch_name

if TYPE_CHECKING:
    from composer.ui.piano_roll.view import RollView

KEYBOARD_WIDTH = 56
"""Width of the keyboard in pixels."""
BLACK_KEY_SHARE = 0.6
"""How much of the keyboard's width a black key covers."""


class Keyboard(QWidget):
    """Paints the keys for the rows the view shows; wheel events go to the view."""

    def __init__(self, view: RollView):
        super().__init__(view)
        self._view = view
        self._font = QFont(self.font())
        self._font.setPixelSize(9)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        view = self._view
        theme = view.theme
        m = view.mapping()
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), theme.key_white)
        first = max(0, int(-m.dy // m.sy))
        last = min(127, int((h - m.dy) // m.sy) + 1)
        black_w = w * BLACK_KEY_SHARE
        p.setFont(self._font)
        p.setPen(QPen(theme.key_edge, 1))
        for row in range(first, last + 1):
            pitch = 127 - row
            y = row * m.sy + m.dy
            pc = pitch % 12
            if pc in (0, 5):  # a white key meets the one below it: draw their border
                p.setPen(QPen(theme.key_edge, 1))
                p.drawLine(0, int(y + m.sy) - 1, w, int(y + m.sy) - 1)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for row in range(first, last + 1):
            pitch = 127 - row
            if pitch % 12 in BLACK_KEYS:
                y = row * m.sy + m.dy
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(theme.key_black)
                p.drawRoundedRect(QRectF(-3, y + 0.5, black_w + 3, max(1.0, m.sy - 1)), 2, 2)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        every_white = m.sy >= 13
        p.setPen(theme.key_label)
        for row in range(first, last + 1):
            pitch = 127 - row
            pc = pitch % 12
            if pc == 0 or (every_white and pc not in BLACK_KEYS):
                y = row * m.sy + m.dy + m.sy / 2
                p.drawText(QRectF(0, y - 6, w - 4, 12),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           pitch_name(pitch))
        p.setPen(QPen(theme.key_edge, 1))
        p.drawLine(w - 1, 0, w - 1, h)

    def wheelEvent(self, event) -> None:  # noqa: N802
        self._view.wheelEvent(event)
