"""The ABC pane: tune picker, editor and the error line under it. It observes the
document (text, error, tune list) and hands typing to it; it never talks to the roll.

The reader's warnings about a tune that reads (a length rounded to whole ticks) are
marked in the editor (orange wavy underline, the warning as tooltip) and summed up
in the same line, in orange; they block nothing, and a re-read without them clears
them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from composer.music.errors import AbcSyntaxError, AbcWarning
from composer.ui import abc_bridge
from composer.ui.abc_editor.editor import AbcEditor
from composer.ui.document import Document


def error_message(error: AbcSyntaxError) -> str:
    """One line for the error bar: where, what, and that the roll keeps the last
    valid version."""
    where = f"Line {error.line}, column {error.column}: " if error.line and error.column else (
        f"Line {error.line}: " if error.line else "")
    return f"{where}{error.reason}. The roll shows the last valid version."


def warning_message(warnings: list[AbcWarning]) -> str:
    """One line for the warning bar: how many (all marked in orange), the first one,
    and where."""
    w = warnings[0]
    where = f"line {w.line}, column {w.column}: " if w.line and w.column else (
        f"line {w.line}: " if w.line else "")
    count = f" 1 of {len(warnings)}" if len(warnings) > 1 else ""
    return f"Warning{count}, {where}{w.reason}"


_ERROR_STYLE = ("QLabel#abcError { color: #a00000; background: #fff1f1; padding: 4px 6px;"
                " border-top: 1px solid #f0c0c0; }")
_WARNING_STYLE = ("QLabel#abcError { color: #7a4a00; background: #fff6e5; padding: 4px 6px;"
                  " border-top: 1px solid #f0d8a8; }")


class AbcPane(QWidget):
    """See the module docstring. ``selectionTicksChanged(int, int)`` reports the bars
    a text selection covers (ticks), for the window to make them the document's
    selection; ``filesDropped(list)`` passes on files dropped on the editor."""

    selectionTicksChanged = Signal(int, int)
    filesDropped = Signal(list)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setObjectName("abcPane")
        self.tune_picker = QComboBox()
        self.tune_picker.setToolTip("Tunes in this file: pick the one to edit")
        self.tune_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.tune_picker.setMinimumContentsLength(18)
        self.tune_label = QLabel("Tune")
        self.editor = AbcEditor()
        self.error_label = QLabel()
        self.error_label.setObjectName("abcError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.error_label.setToolTip("Click to go to the error")
        self.error_label.hide()
        self.error_label.mousePressEvent = lambda _e: self._go_to_error()
        self.warnings: list[AbcWarning] = []
        """The warnings shown (lines in the current tune's text)."""

        self.pending_label = QLabel("Writing the ABC of this score\u2026")
        self.pending_label.setStyleSheet("color: #1b4b7a; background: #e8f1fb; padding: 4px 6px;")
        self.pending_label.hide()

        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 2)
        top.addWidget(self.tune_label)
        top.addWidget(self.tune_picker, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.pending_label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error_label)

        self.editor.textEdited.connect(document.edit_text)
        self.editor.selectionRangeChanged.connect(self._on_text_selection)
        self.editor.filesDropped.connect(self.filesDropped)
        self.tune_picker.activated.connect(document.select_tune)
        document.textReplaced.connect(self.editor.replace_text)
        document.errorChanged.connect(self._show_error)
        document.tunesChanged.connect(self._refresh_tunes)
        document.parsed.connect(self._refresh_titles)
        document.textPendingChanged.connect(self._text_pending)
        document.parsed.connect(self._show_warnings)
        document.textReplaced.connect(lambda _text: self._show_warnings())
        self._refresh_tunes()
        self.editor.replace_text(document.text)
        self._show_error(document.error)
        self._text_pending(document.text_pending)

    def _text_pending(self, pending: bool) -> None:
        """While the ABC of a big score is written, the old text cannot be edited."""
        self.editor.setReadOnly(pending)
        self.pending_label.setVisible(pending)

    def _refresh_tunes(self) -> None:
        titles = self.document.tune_titles()
        self.tune_picker.blockSignals(True)
        self.tune_picker.clear()
        self.tune_picker.addItems(titles)
        self.tune_picker.setCurrentIndex(self.document.tune_index)
        self.tune_picker.blockSignals(False)
        many = len(titles) > 1
        self.tune_picker.setEnabled(many)
        self.tune_picker.setToolTip(f"{len(titles)} tunes in this file: pick the one to edit"
                                    if many else "This file holds one tune")

    def _refresh_titles(self) -> None:
        i = self.document.tune_index
        label = abc_bridge.tune_label(self.document.text, i)
        if self.tune_picker.itemText(i) != label:
            self.tune_picker.setItemText(i, label)

    def _show_error(self, error: AbcSyntaxError | None) -> None:
        if error is None:
            self.editor.set_error(None)
            self._show_warnings()  # or hide the line
            return
        self._show_warnings()
        self.editor.set_error(error.line or None, error.column)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.setToolTip("Click to go to the error")
        self.error_label.setText(error_message(error))
        self.error_label.show()

    def _show_warnings(self) -> None:
        """Mark the warnings of the text shown (none while it has an error or its ABC
        is being written); the line under the editor sums them up unless it shows an
        error."""
        doc = self.document
        warnings = []
        if doc.error is None and not doc.text_pending:
            # kept from the document's read of its text; a text the roll's edit wrote
            # (or an undo restored) is read now if short, a long one only if read before
            warnings = abc_bridge.tune_warnings(doc.text, doc.header)
        if warnings != self.warnings:
            self.warnings = warnings
            self.editor.set_warnings([(w.line, w.column, w.length, w.reason)
                                      for w in warnings])
        if doc.error is not None:
            return
        if warnings:
            self.error_label.setStyleSheet(_WARNING_STYLE)
            self.error_label.setToolTip("Click to go to the warning")
            self.error_label.setText(warning_message(warnings))
            self.error_label.show()
        else:
            self.error_label.hide()

    def _go_to_error(self) -> None:
        error = self.document.error
        if error is not None and error.line:
            self.editor.go_to(error.line, error.column)
        elif error is None and self.warnings:
            self.editor.go_to(self.warnings[0].line, self.warnings[0].column)

    def _on_text_selection(self, start: int, end: int) -> None:
        if end <= start or self.document.error is not None or self.document.parse_pending:
            return
        ticks = abc_bridge.bars_for_chars(self.document.text, start, end, self.document.header)
        if ticks is not None:
            self.selectionTicksChanged.emit(*ticks)
