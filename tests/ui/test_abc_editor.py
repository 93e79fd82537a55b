"""The ABC editor: highlighting classes, error marks, minimal text replacement, the
tune picker and text selections that become the document's time selection."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtTest import QTest

from composer.ui.abc_editor.editor import AbcEditor, common_ends
from composer.ui.abc_editor.highlighter import BODY, HEADER, tokens
from composer.ui.abc_editor.pane import AbcPane
from composer.ui.document import Document
from tests.ui.conftest import UI_FIXTURES


def kinds(line: str, state: int = BODY) -> dict[str, str]:
    spans, _ = tokens(line, state)
    return {line[a:a + n]: kind for a, n, kind in spans}


def test_lines_are_classified():
    assert tokens("X:1", BODY)[1] == HEADER
    assert tokens("K:G", HEADER)[1] == BODY
    assert kinds("T:The Jig % a note", HEADER) == {
        "T:": "field", "The Jig ": "field_value", "% a note": "comment"}
    body = kinds('|:"G"^f2 z/2 [1 !trill!e3:|]')
    assert body['"G"'] == "chord"
    assert body["^f2"] == "note"
    assert body["z/2"] == "rest"
    assert body["|:"] == "bar" and body["[1"] == "bar" and body[":|]"] == "bar"
    assert body["!trill!"] == "deco"
    assert kinds("%%score (V1 V2)") == {"%%score (V1 V2)": "directive"}
    assert kinds("[K:D] A,B,") == {"[K:D]": "inline", "A,": "note", "B,": "note"}


def wavy(editor, block_number: int) -> list[int]:
    """Characters of a block drawn with the wavy error underline."""
    block = editor.document().findBlockByNumber(block_number)
    out = []
    for r in block.layout().formats():
        fmt = QTextCharFormat(r.format)
        if fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline:
            out += range(r.start, r.start + r.length)
    return out


def test_error_is_underlined_at_its_column(qtbot):
    editor = AbcEditor()
    qtbot.addWidget(editor)
    editor.replace_text("X:1\nK:C\nC D ]] E|\n")
    editor.set_error(3, 5)
    assert wavy(editor, 2) == [4, 5]  # the "]]" at column 5
    assert editor.extraSelections()
    editor.set_error(None)
    assert wavy(editor, 2) == []


@given(st.text(alphabet="ab|c\n", max_size=30), st.text(alphabet="ab|c\n", max_size=30))
def test_common_ends_describe_the_change(old, new):
    p, s = common_ends(old, new)
    assert old[:p] == new[:p] and old[len(old) - s:] == new[len(new) - s:]
    limit = min(len(old), len(new))
    assert p + s <= limit
    assert p == limit or old[p] != new[p]  # as long as possible
    assert p + s == limit or old[len(old) - s - 1] != new[len(new) - s - 1]


def test_replace_text_keeps_the_cursor_and_does_not_report_typing(qtbot):
    editor = AbcEditor()
    qtbot.addWidget(editor)
    editor.replace_text("X:1\nK:C\nCDEF|GABc|\n")
    cursor = editor.textCursor()
    cursor.setPosition(len("X:1\nK:C\nCDEF|GA"))
    editor.setTextCursor(cursor)
    with qtbot.assertNotEmitted(editor.textEdited):
        editor.replace_text("X:1\nT:new\nK:C\nCDEF|GABc|\n")
    assert editor.textCursor().position() == len("X:1\nT:new\nK:C\nCDEF|GA")
    with qtbot.waitSignal(editor.textEdited) as blocker:
        QTest.keyClicks(editor, "z")
    assert blocker.args[0] == "X:1\nT:new\nK:C\nCDEF|GAzBc|\n"


def test_pane_picks_tunes_and_selects_bars_from_text(qtbot):
    doc = Document()
    doc.load_text((UI_FIXTURES / "two_tunes.abc").read_text())
    pane = AbcPane(doc)
    qtbot.addWidget(pane)
    assert pane.tune_picker.count() == 2 and pane.tune_picker.isEnabled()
    pane.tune_picker.activated.emit(1)
    assert doc.tune_index == 1 and pane.editor.toPlainText() == doc.text
    doc.select_tune(0)
    text = pane.editor.toPlainText()
    start = text.index("|\"C\"c2e2") + 2  # inside bar 2
    with qtbot.waitSignal(pane.selectionTicksChanged) as blocker:
        c = pane.editor.textCursor()
        c.setPosition(start)
        c.setPosition(start + 3, QTextCursor.MoveMode.KeepAnchor)
        pane.editor.setTextCursor(c)
    assert blocker.args == [1920, 3840]


def test_error_bar_says_where_and_jumps_there(qtbot):
    doc = Document()
    doc.load_text("X:1\nT:t\nK:C\nC D ]] E|\n")
    pane = AbcPane(doc)
    qtbot.addWidget(pane)
    pane.show()
    assert pane.error_label.isVisible()
    assert pane.error_label.text().startswith("Line 4, column")
    assert "last valid version" in pane.error_label.text()
    pane._go_to_error()
    assert pane.editor.textCursor().blockNumber() == 3


def test_ctrl_z_in_the_editor_undoes_through_the_document(window, qtbot):
    from PySide6.QtCore import Qt

    from tests.ui.conftest import open_fixture

    open_fixture(window, "eight_bars.abc")
    editor = window.abc_pane.editor
    editor.go_to(2, 3)
    text = window.document.text
    QTest.keyClicks(editor, "xyz")
    assert window.document.text != text
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.text == text == editor.toPlainText()
    QTest.keyClick(editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert "xyz" in editor.toPlainText() and window.document.text == editor.toPlainText()


def underlined(editor, block_number: int, color) -> list[int]:
    """Characters of a block drawn with a wavy underline of ``color``."""
    block = editor.document().findBlockByNumber(block_number)
    out = []
    for r in block.layout().formats():
        fmt = QTextCharFormat(r.format)
        if (fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
                and fmt.underlineColor() == color):
            out += range(r.start, r.start + r.length)
    return out


def test_a_warning_is_marked_in_orange_and_cleared_by_a_clean_read(qtbot):
    from composer.ui.abc_editor.highlighter import WARNING_COLOR

    doc = Document()
    # the file header (L:1/16) is read before the tune: lines count in the tune's text
    doc.load_text("L:1/16\n\nX:1\nT:t\nM:4/4\nK:C\nA4 a/16 b/16 c15|\n")
    pane = AbcPane(doc)
    qtbot.addWidget(pane)
    pane.show()
    editor = pane.editor
    assert doc.error is None and doc.score.notes[1].duration == 8  # read, rounded
    assert underlined(editor, 4, WARNING_COLOR) == [3, 4, 5, 6, 8, 9, 10, 11]
    assert wavy(editor, 4) == [3, 4, 5, 6, 8, 9, 10, 11]  # and no red error mark
    assert [(w.line, w.column, w.length) for w in pane.warnings] == [(5, 4, 4), (5, 9, 4)]
    assert pane.error_label.isVisible()
    assert pane.error_label.text().startswith(
        "Warning 1 of 2, line 5, column 4: a/16 lasts 7.5 ticks")
    assert pane.error_label.text().endswith("write a/8 or change L:")
    at = editor.document().findBlockByNumber(4).position() + 4
    assert editor.warning_at(at).startswith("a/16 lasts 7.5 ticks")
    assert editor.warning_at(at - 2) is None
    pane._go_to_error()
    assert (editor.textCursor().blockNumber(), editor.textCursor().positionInBlock()) == (4, 3)

    # an error takes the line over (and the warnings are gone with the reading)
    editor.replace_text(doc.text.replace("c15|", "c15 #|"))
    doc.edit_text(editor.toPlainText())
    doc.parse_now()
    assert doc.error is not None and pane.warnings == []
    assert underlined(editor, 4, WARNING_COLOR) == []
    assert pane.error_label.text().startswith("Line 5, column")

    # a clean read clears everything
    editor.replace_text(doc.text.replace("a/16 b/16 c15 #|", "a/8 b/8 c14|"))
    doc.edit_text(editor.toPlainText())
    doc.parse_now()
    assert doc.error is None and pane.warnings == []
    assert wavy(editor, 4) == [] and not pane.error_label.isVisible()

    # undo brings the warning text back, and its marks
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert "a/16" in doc.text and doc.error is None
    assert underlined(editor, 4, WARNING_COLOR) == [3, 4, 5, 6, 8, 9, 10, 11]
    assert pane.error_label.text().startswith("Warning 1 of 2, line 5, column 4")
