"""A message strip above the roll for errors and notices that need to be read (a
file that cannot be opened, a model that failed): what went wrong and what to do.
Notices hide by themselves; errors stay until closed or replaced."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

_STYLES = {
    "error": "background:#fdecea; color:#8a1c12; border-bottom:1px solid #f5c2bd;",
    "info": "background:#e8f1fb; color:#1b4b7a; border-bottom:1px solid #c5dbf2;",
}
INFO_MS = 8000


class MessageBar(QWidget):
    """See the module docstring: :meth:`show_error`, :meth:`show_info`, :meth:`text`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setToolTip("Close this message")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 5, 4, 5)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.kind = ""
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_error(self, message: str) -> None:
        self._show("error", message)

    def show_info(self, message: str) -> None:
        self._show("info", message)
        self._timer.start(INFO_MS)

    def clear_error(self) -> None:
        """Hide the strip if it shows an error (a notice runs out by itself)."""
        if self.kind == "error":
            self.hide()

    def _show(self, kind: str, message: str) -> None:
        self._timer.stop()
        self.kind = kind
        self.setStyleSheet(f"QWidget#messageBar {{ {_STYLES[kind]} }}")
        self.label.setText(message)
        self.show()
