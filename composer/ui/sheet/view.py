"""The sheet-music view: the document's tune engraved by verovio, drawn by QtSvg.

Verovio runs in its own process (:mod:`composer.ui.sheet.engraver`: its ABC importer
can abort on valid tunes), driven asynchronously through a :class:`QProcess`, and
only while the view is shown; the newest request wins. What is engraved is the
document's text once it is read without error (while it has one, the last good
engraving stays). The page width follows the view's width.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QByteArray, QObject, QProcess, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from composer.ui.document import Document


class _Canvas(QWidget):
    def __init__(self):
        super().__init__()
        self.renderer: QSvgRenderer | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_svg(self, svg: str) -> None:
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        self.renderer = renderer if renderer.isValid() else None
        self.updateGeometry()
        self._fit()
        self.update()

    def _fit(self) -> None:
        if self.renderer is None:
            return
        size = self.renderer.defaultSize()
        if size.width() > 0:
            self.setFixedHeight(int(self.width() * size.height() / size.width()) + 1)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(400, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.renderer is not None:
            size = self.renderer.defaultSize()
            w = self.width()
            h = w * size.height() / max(size.width(), 1)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.renderer.render(painter, QRectF(0, 0, w, h))
        painter.end()


class Engraver(QObject):
    """The engraver process: :meth:`request` sends a tune; ``done(id, svg, error)``
    answers it (``svg`` empty on failure). A crashed process is restarted on the
    next request."""

    done = Signal(int, str, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._process: QProcess | None = None
        self._buffer = b""
        self._pending: int | None = None
        self._waiting: tuple[int, str, int, bool] | None = None

    def _start(self) -> QProcess:
        p = QProcess(self)
        p.setProgram(sys.executable)
        p.setArguments(["-m", "composer.ui.sheet.engraver"])
        p.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        p.readyReadStandardOutput.connect(self._read)
        p.finished.connect(self._finished)
        p.errorOccurred.connect(self._error)
        p.start()
        self._process = p
        self._buffer = b""
        return p

    def request(self, rid: int, abc: str, width: int, raw: bool = False) -> None:
        """Engrave ``abc`` at ``width`` pixels (``raw``: unflattened); a request waiting
        behind the one being engraved is replaced by this one."""
        self._waiting = (rid, abc, width, raw)
        if self._pending is None:
            self._send()

    def _send(self) -> None:
        if self._waiting is None:
            return
        (rid, abc, width, raw), self._waiting = self._waiting, None
        p = self._process
        if p is None or p.state() == QProcess.ProcessState.NotRunning:
            p = self._start()
        self._pending = rid
        line = json.dumps({"id": rid, "abc": abc, "width": width, "raw": raw}) + "\n"
        p.write(line.encode("utf-8"))

    def _read(self) -> None:
        if self._process is None:
            return
        self._buffer += bytes(self._process.readAllStandardOutput())
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            self._pending = None
            self.done.emit(int(reply.get("id", -1)), reply.get("svg", ""),
                           reply.get("error", ""))
        self._send()

    def _finished(self, *_args) -> None:
        self._process = None
        if self._pending is not None:
            rid, self._pending = self._pending, None
            self.done.emit(rid, "", "the engraver crashed on this tune (verovio cannot "
                                    "draw it); the roll and the ABC are not affected")
        self._send()

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._pending is not None:
            rid, self._pending = self._pending, None
            self.done.emit(rid, "", "the engraver could not start")

    def close(self) -> None:
        p, self._process = self._process, None
        if p is not None:
            p.finished.disconnect(self._finished)
            p.closeWriteChannel()
            if not p.waitForFinished(1000):
                p.kill()
                p.waitForFinished(1000)


class SheetView(QWidget):
    """See the module docstring. ``engraved()`` is emitted after each new drawing,
    ``failed(str)`` when verovio refuses a tune."""

    engraved = Signal()
    failed = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sheetView")
        self.document = document
        self.canvas = _Canvas()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll.setStyleSheet("QScrollArea { background: white; border: none; }")
        self.note = QLabel()
        self.note.setStyleSheet("color: #777; padding: 2px 6px;")
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.note)
        self._serial = 0
        self._dirty = True
        self._width = 0
        self.engraver = Engraver(self)
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self.engrave_now)
        self.engraver.done.connect(self._on_done)
        document.scoreChanged.connect(self._changed)
        document.textReplaced.connect(self._changed)
        document.errorChanged.connect(self._changed)
        document.parsed.connect(self._changed)
        self.svg = ""

    def _changed(self, *_args) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:  # Qt override
        super().showEvent(event)
        if self._dirty:
            self._timer.start(0)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        if abs(self._target_width() - self._width) > 40:
            self._changed()

    def _target_width(self) -> int:
        return max(self.scroll.viewport().width(), 200)

    def engrave_now(self) -> None:
        """Send the current tune to the engraver (the newest request wins)."""
        doc = self.document
        if doc.error is not None or doc.text_pending or doc.parse_pending:
            if doc.error is not None:
                self.note.setText("The ABC has an error: showing the last valid version.")
                self.note.show()
            return  # engraved again once the text is valid and read
        self._dirty = False
        self._serial += 1
        self._width = self._target_width()
        self.note.hide()
        self.engraver.request(self._serial, doc.text, self._width)

    def close_engraver(self) -> None:
        self.engraver.close()

    def _on_done(self, serial: int, svg: str, error: str) -> None:
        if serial != self._serial:
            return
        if error:
            self.note.setText(f"Cannot engrave this tune: {error}")
            self.note.show()
            self.failed.emit(error)
            return
        self.svg = svg
        self.canvas.set_svg(svg)
        self.engraved.emit()
