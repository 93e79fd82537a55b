"""The ABC text editor widget: a plain-text editor with line numbers, ABC
highlighting and an error mark. It has no undo of its own (the document's one stack
undoes typing and roll edits alike): it reports typing with ``textEdited`` and takes
text from the document with :meth:`AbcEditor.replace_text`, which changes only the
characters that differ, so the cursor and the scroll position stay where they were.
A :attr:`AbcEditor.tooltip_for` callback (set by the window) gives the tooltip of the
character under the mouse; over a warning mark (:meth:`AbcEditor.set_warnings`) the
tooltip is the warning.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QKeyCombination, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from composer.ui.abc_editor.highlighter import AbcHighlighter


def common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix of ``old`` and ``new``
    (not overlapping), so ``old[p:len(old)-s]`` is what changed into
    ``new[p:len(new)-s]``. Binary search over slice comparisons: fast on long texts."""
    limit = min(len(old), len(new))
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[:mid] == new[:mid]:
            lo = mid
        else:
            hi = mid - 1
    p = lo
    lo, hi = 0, limit - p
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid:] == new[len(new) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return p, lo


class _LineNumbers(QWidget):
    """The line-number margin; it asks its parent editor (looked up, never stored: a
    stored reference outlives a deleted editor) to paint it."""

    def __init__(self, editor: QWidget):
        super().__init__(editor)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#f3f3f3"))
        self.setPalette(palette)

    def sizeHint(self) -> QSize:  # Qt override
        editor = self.parentWidget()
        return QSize(editor.line_number_width() if editor else 0, 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        editor = self.parentWidget()
        if isinstance(editor, AbcEditor):
            editor.paint_line_numbers(self, event)


class AbcEditor(QPlainTextEdit):
    """See the module docstring. Signals: ``textEdited(str)`` (the whole text, after
    the user changed it), ``selectionRangeChanged(int, int)`` (character offsets of
    the selection, equal when nothing is selected), ``filesDropped(list)`` (local file
    paths dropped on the editor, for the window to open)."""

    textEdited = Signal(str)
    selectionRangeChanged = Signal(int, int)
    filesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0))
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(True)
        self.highlighter = AbcHighlighter(self.document())
        self._replacing = False
        self.tooltip_for: Callable[[int], str | None] | None = None
        """Gives the tooltip of the character at an offset (``None``: no tooltip)."""
        self._error_selection: list[QTextEdit.ExtraSelection] = []
        self._warnings: list[tuple[int, int, int, str]] = []
        self._play_selection: list[QTextEdit.ExtraSelection] = []
        self._numbers = _LineNumbers(self)
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._scroll_numbers)
        self.textChanged.connect(self._on_text_changed)
        self.selectionChanged.connect(self._on_selection_changed)
        self._update_margin()

    # --- text in and out ---------------------------------------------------------------
    def replace_text(self, text: str) -> None:
        """Show ``text`` (from the document) by editing only what differs; no
        ``textEdited`` is emitted."""
        old = self.toPlainText()
        if old == text:
            return
        p, s = common_ends(old, text)
        cursor = QTextCursor(self.document())
        cursor.setPosition(p)
        cursor.setPosition(len(old) - s, QTextCursor.MoveMode.KeepAnchor)
        self._replacing = True
        try:
            cursor.insertText(text[p:len(text) - s])
        finally:
            self._replacing = False

    def _on_text_changed(self) -> None:
        if not self._replacing:
            self.textEdited.emit(self.toPlainText())

    def _on_selection_changed(self) -> None:
        c = self.textCursor()
        self.selectionRangeChanged.emit(c.selectionStart(), c.selectionEnd())

    # --- marks -----------------------------------------------------------------------------
    def set_error(self, line: int | None, column: int = 0) -> None:
        """Underline the error at ``line``:``column`` (1-based; ``None`` clears)."""
        with self._quietly():  # a rehighlight is reported as a change of the text
            self.highlighter.set_error(line, column)
        self._error_selection = []
        block = self.document().findBlockByNumber(line - 1) if line else None
        if block is not None and block.isValid():
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(QColor("#fff1f1"))
            sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            sel.cursor = QTextCursor(block)
            self._error_selection = [sel]
        self._refresh_selections()

    def set_warnings(self, warnings: Sequence[tuple[int, int, int, str]]) -> None:
        """Underline each warning ``(line, column, length, message)`` (1-based;
        ``length`` characters) in orange, its message the tooltip of its characters;
        an empty list clears."""
        self._warnings = list(warnings)
        with self._quietly():
            self.highlighter.set_warnings([w[:3] for w in self._warnings])

    def warning_at(self, i: int) -> str | None:
        """The message of the warning marked at character ``i``, or ``None``."""
        block = self.document().findBlock(i)
        line, column = block.blockNumber() + 1, i - block.position() + 1
        return next((m for ln, c, n, m in self._warnings if ln == line and c <= column < c + n),
                    None)

    def set_shading(self, colors, text: str | None = None) -> None:
        """Lay a background colour under single characters (see
        :meth:`AbcHighlighter.set_shading`); no ``textEdited`` is emitted (Qt reports
        a rehighlight as a change of the text)."""
        with self._quietly():
            self.highlighter.set_shading(colors, text)

    @contextlib.contextmanager
    def _quietly(self):
        """No ``textEdited`` inside (formats change, the text does not)."""
        was, self._replacing = self._replacing, True
        try:
            yield
        finally:
            self._replacing = was

    def go_to(self, line: int, column: int = 0) -> None:
        """Put the cursor at ``line``:``column`` (1-based) and show it."""
        block = self.document().findBlockByNumber(max(line - 1, 0))
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(min(column - 1,
                                                                       block.length() - 1), 0))
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    def mark_playing(self, start: int | None, end: int | None) -> None:
        """Shade characters ``[start, end)`` (the bar being played), or nothing."""
        self._play_selection = []
        if start is not None and end is not None and end > start:
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(QColor("#e3f0ff"))
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(start, self.document().characterCount() - 1))
            cursor.setPosition(min(end, self.document().characterCount() - 1),
                               QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            self._play_selection = [sel]
        self._refresh_selections()

    def _refresh_selections(self) -> None:
        self.setExtraSelections(self._error_selection + self._play_selection)

    # --- undo belongs to the document ---------------------------------------------------
    @staticmethod
    def _is_undo_key(event) -> bool:
        std = QKeySequence.StandardKey
        return (event.matches(std.Undo) or event.matches(std.Redo)
                or event.keyCombination() == QKeyCombination(Qt.KeyboardModifier.ControlModifier,
                                                              Qt.Key.Key_Y))

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ShortcutOverride and self._is_undo_key(event):
            event.ignore()  # let the window's Undo/Redo (the document's stack) have it
            return False
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ToolTip and (self.tooltip_for is not None
                                                    or self._warnings):
            i = self.char_at(event.pos())
            text = self.tooltip_for(i) if i is not None and self.tooltip_for else None
            warning = self.warning_at(i) if i is not None else None
            if warning:
                text = f"{warning}\n\n{text}" if text else warning
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def char_at(self, point) -> int | None:
        """The offset of the character drawn at ``point`` (viewport pixels), or
        ``None`` when no character is there."""
        cursor = self.cursorForPosition(point)
        i = cursor.position()
        rect = self.cursorRect(cursor)
        if point.x() < rect.left() and i > 0:
            i -= 1
            cursor.setPosition(i)
            rect = self.cursorRect(cursor)
        width = max(self.fontMetrics().horizontalAdvance("M"), 1)
        if not rect.top() <= point.y() <= rect.bottom() or abs(point.x() - rect.left()) > width:
            return None
        return i if i < self.document().characterCount() - 1 else None

    def keyPressEvent(self, event) -> None:  # Qt override
        if self._is_undo_key(event):
            event.ignore()
            return
        super().keyPressEvent(event)

    # --- files dropped -----------------------------------------------------------------
    def _local_files(self, mime) -> list[str]:
        if not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event) -> None:  # Qt override
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # Qt override
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # Qt override
        files = self._local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.filesDropped.emit(files)
        else:
            super().dropEvent(event)

    # --- line numbers ------------------------------------------------------------------
    def line_number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(digits, 2)

    def _update_margin(self, *_args) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _scroll_numbers(self, rect: QRect, dy: int) -> None:
        if dy:
            self._numbers.scroll(0, dy)
        else:
            self._numbers.update(0, rect.y(), self._numbers.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        cr = self.contentsRect()
        self._numbers.setGeometry(QRect(cr.left(), cr.top(), self.line_number_width(),
                                        cr.height()))

    def paint_line_numbers(self, margin: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(margin)  # the background: the margin's palette (autoFill)
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        error_line = (self.highlighter.error or (0, 0))[0]
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                is_error = number + 1 == error_line
                painter.setPen(QColor("#d00000") if is_error else QColor("#9a9a9a"))
                painter.drawText(0, top, margin.width() - 5, height,
                                 Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top = bottom
            number += 1
        painter.end()
