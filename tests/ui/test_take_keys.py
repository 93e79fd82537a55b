"""Takes answer in either view: Enter, Esc, Tab, Shift+Tab and Alt+Left/Right act on
pending takes wherever the focus is (the ABC editor, the panel's fields), and edit
text as usual when no takes are pending."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import open_fixture
from tests.ui.test_window_acceptance import BAR
from tests.ui.tiny_model import install

Key = Qt.Key
Mod = Qt.KeyboardModifier


def select_text(editor, first: str, last: str) -> str:
    """Select the editor's text from ``first`` to the end of ``last``; returns it."""
    text = editor.toPlainText()
    start, end = text.index(first), text.index(last) + len(last)
    c = editor.textCursor()
    c.setPosition(start)
    c.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(c)
    return text[start:end]


def continue_in_editor(window, qtbot, variations: int = 3) -> str:
    """Bars 2-3 selected in the ABC editor (which has the focus), Ctrl+Enter, wait for
    the takes; returns the selected text."""
    open_fixture(window, "eight_bars.abc")
    window.panel.bars.setValue(2)
    window.panel.variations.setValue(variations)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("insert"))
    editor = window.abc_pane.editor
    editor.setFocus()
    selected = select_text(editor, '"F"F2A2', '"G"G2B2 d2B2|')
    assert window.document.selection == (BAR, 3 * BAR)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        QTest.keyClick(editor, Key.Key_Return, Mod.ControlModifier)
    qtbot.waitUntil(lambda: "ready" in window.take_label.text(), timeout=5000)
    assert editor.textCursor().hasSelection()
    return selected


def test_enter_in_the_editor_accepts_the_take_and_keeps_the_selected_text(window, qtbot):
    selected = continue_in_editor(window, qtbot)
    doc, editor = window.document, window.abc_pane.editor
    before, score = doc.text, doc.score
    assert window.take_label.text().startswith("Take 1/3 ready")
    take = window.takes.session.current_take
    steps = doc.undo_stack.count()
    QTest.keyClick(editor, Key.Key_Return)
    assert window.takes.session is None and window.roll.ghost_notes() == {}
    assert doc.score is take.score and doc.undo_stack.count() == steps + 1
    text = editor.toPlainText()
    assert text == doc.text and selected in text  # no line break in its place
    assert len(doc.score.bars()) == len(score.bars()) + 2
    first_lines = before.split(selected)[0]
    assert text.startswith(first_lines + selected)
    assert "accepted" in window.take_label.text()
    # The take reached the text as a splice: every line but the one the new bars
    # follow is kept verbatim (issue 12), and the seed's text selection is gone, so a
    # second Enter cannot type a line break over it.
    kept = set(text.split("\n"))
    assert len([line for line in before.split("\n") if line not in kept]) <= 1
    assert not editor.textCursor().hasSelection()
    QTest.keyClick(editor, Key.Key_Return)
    assert selected in editor.toPlainText()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.text == before and doc.score is score


def test_tab_shift_tab_and_alt_arrows_cycle_with_the_focus_in_the_editor(window, qtbot):
    continue_in_editor(window, qtbot)
    editor = window.abc_pane.editor
    session = window.takes.session
    text = editor.toPlainText()
    QTest.keyClick(editor, Key.Key_Tab)
    assert session.current == 1 and editor.hasFocus()
    assert window.roll.ghost_notes() == session.ghost_notes()
    QTest.keyClick(editor, Key.Key_Backtab, Mod.ShiftModifier)
    assert session.current == 0
    QTest.keyClick(editor, Key.Key_Right, Mod.AltModifier)
    QTest.keyClick(editor, Key.Key_Right, Mod.AltModifier)
    assert session.current == 2
    QTest.keyClick(editor, Key.Key_Left, Mod.AltModifier)
    assert session.current == 1
    assert window.take_label.text().startswith("Take 2/3 ready")
    assert editor.toPlainText() == text and editor.hasFocus()

    score = window.document.score
    QTest.keyClick(editor, Key.Key_Escape)
    assert window.takes.session is None and window.roll.ghost_notes() == {}
    assert window.document.score is score and editor.toPlainText() == text
    assert window.take_label.text() == "Takes discarded"


def test_without_takes_enter_types_and_tab_moves_the_focus(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    editor = window.abc_pane.editor
    editor.go_to(7, 3)
    before = editor.toPlainText()
    QTest.keyClick(editor, Key.Key_Return)
    assert editor.toPlainText().count("\n") == before.count("\n") + 1
    QTest.keyClick(editor, Key.Key_Escape)
    assert editor.toPlainText().count("\n") == before.count("\n") + 1
    QTest.keyClick(editor, Key.Key_Tab)
    assert not editor.hasFocus()  # the editor passes Tab on to the next widget
    assert "\t" not in editor.toPlainText()


def test_take_keys_reach_the_takes_from_the_panel_fields(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    window.panel.variations.setValue(2)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        window.takes.continue_range(0, 4 * BAR, 1)
    spin = window.panel.bars
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    value = spin.value()
    QTest.keyClick(spin, Key.Key_Tab)
    assert window.takes.session.current == 1 and spin.hasFocus()
    take = window.takes.session.current_take
    QTest.keyClick(spin, Key.Key_Enter, Mod.KeypadModifier)
    assert window.document.score is take.score and spin.value() == value

    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        window.takes.continue_range(0, 4 * BAR, 1)
    spin.setFocus()
    QTest.keyClick(spin, Key.Key_Escape)
    assert window.takes.session is None and window.document.score is take.score


def test_a_held_enter_accepts_once_and_types_nothing(window, qtbot):
    continue_in_editor(window, qtbot, variations=1)
    editor = window.abc_pane.editor
    QTest.keyPress(editor, Key.Key_Return)  # held down: the repeats follow
    assert window.takes.session is None
    text = editor.toPlainText()
    for _ in range(3):
        repeat = QKeyEvent(QEvent.Type.KeyPress, Key.Key_Return, Mod.NoModifier, "\r", True)
        QApplication.sendEvent(editor, repeat)
    assert editor.toPlainText() == text
    QTest.keyRelease(editor, Key.Key_Return)
    editor.go_to(7, 3)
    QTest.keyClick(editor, Key.Key_Return)  # a new press types again
    assert editor.toPlainText().count("\n") == text.count("\n") + 1


def test_enter_while_the_take_is_written_waits_and_types_nothing(window, qtbot, tmp_path,
                                                                 monkeypatch):
    install(monkeypatch, tmp_path / "models", name="slow", delay=0.03)
    open_fixture(window, "eight_bars.abc")
    window.panel.rescan.click()
    window.panel.select_model("slow")
    window.panel.variations.setValue(1)
    assert window.takes.continue_range(0, 4 * BAR, 16)
    editor = window.abc_pane.editor
    editor.go_to(7, 3)
    text = editor.toPlainText()
    QTest.keyClick(editor, Key.Key_Return)
    assert editor.toPlainText() == text and window.takes.session is not None
    assert "still being written" in window.take_label.text()
    QTest.keyClick(editor, Key.Key_Tab)  # one take: Tab moves the focus as ever
    assert not editor.hasFocus()
    with qtbot.waitSignal(window.generator.finished, timeout=10000):
        window.takes.discard()
