"""ABC syntax highlighting: header fields, notes, rests, bar lines, chord symbols,
decorations, comments, and the position of the current parse error.

The lexing is a pure function, :func:`tokens`, that splits one line into classified
spans; the :class:`QSyntaxHighlighter` only maps classes to formats. A line's state
(inside the header or the body of a tune) carries over from line to line through
Qt's block state, so the header lines of a tune and field lines inside its body
are told apart.

Over the syntax colours the highlighter can lay a per-character background (the
model's eye: :meth:`AbcHighlighter.set_shading`) and mark the reader's warnings
(:meth:`AbcHighlighter.set_warnings`: an orange wavy underline); the error mark
stays on top.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

HEADER, BODY = 0, 1
"""Block states: inside a tune's header (after ``X:``, until ``K:``) or elsewhere."""

_FIELD = re.compile(r"^([A-Za-z+]):")
_BODY_TOKENS = re.compile(
    r"""
    (?P<comment>(?<!\\)%.*$)
  | (?P<chord>"[^"]*"?)
  | (?P<inline>\[[A-Za-z]:[^\]]*\]?)
  | (?P<deco>![^!\s]*!?|\+[^+\s]*\+|[~.HLMOPSTuv](?=[_^=]*[A-Ga-g\[]))
  | (?P<bar>:*\|[\]|:]*\d*(?:[,-]\d+)*|\[\||:+(?=[|:\]])|\[\d+(?:[,-]\d+)*|::)
  | (?P<note>[_^=]*[A-Ga-g][,']*(?:\d*/*\d*))
  | (?P<rest>[zxZX](?:\d*/*\d*))
  | (?P<tuplet>\(\d(?::\d?)*(?::\d)?)
    """,
    re.VERBOSE,
)

WARNING_COLOR = QColor("#e08000")
"""The underline of a warning (the error's is red)."""

KINDS = ("field", "field_value", "comment", "directive", "chord", "inline", "deco", "bar",
         "note", "rest", "tuplet")


def tokens(line: str, state: int) -> tuple[list[tuple[int, int, str]], int]:
    """Classify ``line`` (one line of ABC, in block ``state``) into spans
    ``(start, length, kind)`` with ``kind`` from :data:`KINDS`; returns them and the
    state of the next line."""
    spans: list[tuple[int, int, str]] = []
    if line.startswith("%%"):
        return [(0, len(line), "directive")], state
    if line.lstrip().startswith("%"):
        return [(0, len(line), "comment")], state
    m = _FIELD.match(line)
    if m:
        letter = m.group(1)
        spans.append((0, 2, "field"))
        value_end = len(line)
        comment = _comment_start(line)
        if comment is not None:
            spans.append((comment, len(line) - comment, "comment"))
            value_end = comment
        if value_end > 2:
            spans.append((2, value_end - 2, "field_value"))
        if letter == "X":
            return spans, HEADER
        if letter == "K" and state == HEADER:
            return spans, BODY
        return spans, state
    if not line.strip():
        return spans, BODY
    if state == HEADER:  # a body line before K: still gets its notes coloured
        state = BODY
    for m in _BODY_TOKENS.finditer(line):
        kind = m.lastgroup
        spans.append((m.start(), m.end() - m.start(), kind))
    return spans, state


def _comment_start(line: str) -> int | None:
    i = line.find("%")
    while i > 0 and line[i - 1] == "\\":
        i = line.find("%", i + 1)
    return i if i >= 0 else None


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of ``a`` and ``b`` (binary search over slices)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    if italic:
        f.setFontItalic(True)
    return f


class AbcHighlighter(QSyntaxHighlighter):
    """Highlights an ABC text; :meth:`set_error` marks a parse error (1-based line
    and column, column 0 marks the whole line) with a red wavy underline;
    :meth:`set_warnings` marks warnings (line, column, length) with an orange one;
    :meth:`set_shading` colours the background of single characters."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        self.formats = {
            "field": _format("#7a3e9d", bold=True),
            "field_value": _format("#7a3e9d"),
            "comment": _format("#8a8a8a", italic=True),
            "directive": _format("#5f7f8f", italic=True),
            "chord": _format("#b35c00", bold=True),
            "inline": _format("#7a3e9d"),
            "deco": _format("#2e8b57"),
            "bar": _format("#1f5fbf", bold=True),
            "note": _format("#202020"),
            "rest": _format("#6b6b6b"),
            "tuplet": _format("#2e8b57", bold=True),
        }
        self._error: tuple[int, int] | None = None
        self._warnings: dict[int, list[tuple[int, int]]] = {}  # line -> [(column, length)]
        self._shading: list[QColor | None] = []
        self._shade_text = ""

    @property
    def error(self) -> tuple[int, int] | None:
        return self._error

    def set_error(self, line: int | None, column: int = 0) -> None:
        """Mark the error at ``line``:``column`` (1-based), or clear it (``None``)."""
        new = (line, column) if line else None
        if new == self._error:
            return
        old, self._error = self._error, new
        doc = self.document()
        for mark in (old, new):
            if mark is not None:
                block = doc.findBlockByNumber(mark[0] - 1)
                if block.isValid():
                    self.rehighlightBlock(block)

    @property
    def warnings(self) -> dict[int, list[tuple[int, int]]]:
        """The warning marks: line (1-based) -> ``[(column, length), ...]``."""
        return {line: list(marks) for line, marks in self._warnings.items()}

    def set_warnings(self, marks: Sequence[tuple[int, int, int]]) -> None:
        """Mark ``length`` characters from ``line``:``column`` (1-based) for each
        ``(line, column, length)`` of ``marks``; an empty list clears."""
        new: dict[int, list[tuple[int, int]]] = {}
        for line, column, length in marks:
            if line > 0:
                new.setdefault(line, []).append((max(column, 1), max(length, 1)))
        if new == self._warnings:
            return
        old, self._warnings = self._warnings, new
        doc = self.document()
        for line in sorted(set(old) | set(new)):
            block = doc.findBlockByNumber(line - 1)
            if block.isValid():
                self.rehighlightBlock(block)

    def set_shading(self, colors: Sequence[QColor | None] | None, text: str | None = None
                    ) -> None:
        """Lay ``colors[i]`` (``None``: nothing) under character ``i`` of the document's
        text; ``colors`` were made for ``text`` (default: the document's text), and only
        the characters of its common prefix with the document's text are shaded.
        ``None`` clears. Changes formats only: the text, its undo and the editor's
        ``textEdited`` are untouched. Later edits unshade the characters they change."""
        doc_text = self.document().toPlainText()
        new = list(colors or ())
        if text is not None and text != doc_text:
            new = new[:common_prefix(text, doc_text)]
        del new[len(doc_text):]
        while new and new[-1] is None:
            new.pop()
        shade_text = doc_text[:len(new)]
        if new == self._shading and shade_text == self._shade_text:
            return
        self._shading, self._shade_text = new, shade_text
        self.rehighlight()

    def shading(self) -> list[QColor | None]:
        """The colours laid under the characters (from the first; may be shorter than
        the text)."""
        return list(self._shading)

    def highlightBlock(self, text: str) -> None:  # Qt override
        prev = self.previousBlockState()
        spans, state = tokens(text, BODY if prev < 0 else prev)
        for start, length, kind in spans:
            self.setFormat(start, length, self.formats[kind])
        self.setCurrentBlockState(state)
        if self._shading:
            self._shade(text)
        for column, length in self._warnings.get(self.currentBlock().blockNumber() + 1, ()):
            self._mark_warning(text, column, length)
        if self._error and self.currentBlock().blockNumber() == self._error[0] - 1:
            self._mark_error(text, self._error[1])

    def _shade(self, text: str) -> None:
        """Lay the shading under this block's characters that are still the ones the
        colours were made for."""
        pos = self.currentBlock().position()
        colors = self._shading
        n = min(len(text), len(colors) - pos)
        if n <= 0:
            return
        same = common_prefix(text[:n], self._shade_text[pos:pos + n])
        for i in range(same):
            color = colors[pos + i]
            if color is not None:
                f = QTextCharFormat(self.format(i))
                f.setBackground(color)
                self.setFormat(i, 1, f)

    def _mark_warning(self, text: str, column: int, length: int) -> None:
        start = min(column - 1, max(len(text) - 1, 0))
        for i in range(start, min(start + length, max(len(text), 1))):
            f = QTextCharFormat(self.format(i))
            f.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            f.setUnderlineColor(WARNING_COLOR)
            self.setFormat(i, 1, f)

    def _mark_error(self, text: str, column: int) -> None:
        if column > 0:
            start = min(column - 1, max(len(text) - 1, 0))
            end = start + 1
            while end < len(text) and not text[end].isspace() and text[end] not in "|":
                end += 1
        else:
            start, end = 0, len(text)
        end = max(end, start + 1)
        for i in range(start, min(end, max(len(text), 1))):
            f = QTextCharFormat(self.format(i))
            f.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            f.setUnderlineColor(QColor("#d00000"))
            f.setBackground(QColor("#ffe4e4"))
            self.setFormat(i, 1, f)
