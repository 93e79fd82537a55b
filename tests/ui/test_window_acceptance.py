"""Issue 5's acceptance list, driven through the real window with real mouse and key
events: select bars 1-4 on the ruler, drag the handle 4 bars right, wait for the
takes, cycle, accept, undo, redo, export MIDI and find the new bars; a broken ABC
line marks the error and the roll keeps the tune."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from composer.music.midi import read_midi
from tests.ui.conftest import open_fixture

BAR = 1920  # ticks in a 4/4 bar


def drag(widget, a: QPoint, b: QPoint) -> None:
    """Press at ``a``, move in steps to ``b``, release there."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 9):
        QTest.mouseMove(widget, a + (b - a) * (i / 8))
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def ruler_drag(roll, start_tick: float, end_tick: float) -> None:
    """Drag on the ruler's bar row from ``start_tick`` to ``end_tick``."""
    x = roll.tick_to_x
    drag(roll.ruler(), QPoint(round(x(start_tick)), 8), QPoint(round(x(end_tick)), 8))


def handle_drag(roll, end_tick: float) -> None:
    """Drag the drag-continue handle (in the note area) to ``end_tick``."""
    at = roll.continue_handle_pos()
    assert at is not None, "no handle: nothing selected"
    drag(roll.view().viewport(), at, QPoint(round(roll.tick_to_x(end_tick)), at.y()))


def show_bars(roll, bars: int) -> None:
    """Zoom so ``bars`` 4/4 bars fit the roll's width, scrolled to the start."""
    width = roll.view().viewport().width()
    roll.set_zoom(width / (bars * 4 + 1), roll.zoom()[1])
    roll.view().horizontalScrollBar().setValue(0)


def test_drag_continue_cycle_accept_undo_redo_export(window, qtbot, tmp_path):
    open_fixture(window, "eight_bars.abc")
    doc, roll = window.document, window.roll
    original, original_text = doc.score, doc.text
    assert roll.score() is original
    assert len(original.bars()) == 8
    window.panel.variations.setValue(3)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("replace"))
    show_bars(roll, 12)

    # Select bars 1-4 by dragging on the ruler.
    with qtbot.waitSignal(doc.selectionChanged):
        ruler_drag(roll, 0.3 * BAR, 3.5 * BAR)
    assert doc.selection == (0, 4 * BAR)
    assert roll.selection() == (0, 4 * BAR)

    # Drag the handle 4 bars to the right: three takes stream in as ghost notes.
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=30000):
        handle_drag(roll, 8 * BAR - 20)
    session = window.takes.session
    assert session is not None and session.complete and session.request.bars == 4
    assert roll.ghost_notes() == session.ghost_notes()
    assert window.actions_.accept_take.isEnabled()

    # Cycle with the keys; the roll shows each take's notes.
    view = roll.view()
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert session.current == 1
    assert roll.ghost_notes() == session.ghost_notes()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert session.current == 2
    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert session.current == 1
    take = session.current_take
    assert (take.start, take.end) == (4 * BAR, 8 * BAR)
    new_notes = {(n.start, n.pitch) for ns in session.ghost_notes().values() for n in ns}
    assert new_notes and all(4 * BAR <= s < 8 * BAR for s, _ in new_notes)

    # Enter accepts: one undo step; the ABC text follows.
    steps = doc.undo_stack.count()
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert doc.score is take.score and roll.score() is take.score
    assert doc.undo_stack.count() == steps + 1
    assert roll.ghost_notes() == {}
    assert window.abc_pane.editor.toPlainText() == doc.text != original_text
    assert not window.actions_.accept_take.isEnabled()

    doc.undo_stack.undo()
    assert doc.score is original and doc.text == original_text
    assert window.abc_pane.editor.toPlainText() == original_text
    doc.undo_stack.redo()
    assert doc.score is take.score

    # Export MIDI, read it back, find the new bars.
    out = tmp_path / "continued.mid"
    assert window.files.export_midi(str(out))
    back = read_midi(out)
    found = {(n.start, n.pitch) for n in back.notes if 4 * BAR <= n.start < 8 * BAR}
    assert new_notes <= found
    kept = {(n.start, n.pitch) for n in original.notes if n.start < 4 * BAR}
    assert kept <= {(n.start, n.pitch) for n in back.notes}


def test_broken_abc_line_marks_the_error_and_the_roll_keeps_the_tune(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    doc, roll, pane = window.document, window.roll, window.abc_pane
    editor = pane.editor
    score = roll.score()
    lines = doc.text.splitlines()
    line_no = len(lines)  # the last music line
    editor.go_to(line_no, len(lines[-1]) + 1)
    typed = " c2 ?#@ e2|"
    with qtbot.waitSignal(doc.errorChanged, timeout=5000):
        QTest.keyClicks(editor, typed)
    assert doc.error is not None and doc.error.line == line_no
    assert pane.error_label.isVisible()
    assert f"Line {line_no}" in pane.error_label.text()
    assert editor.highlighter.error[0] == line_no
    assert roll.score() is score and doc.score is score
    assert not roll.is_editable()
    assert editor.toPlainText().splitlines()[line_no - 1].endswith(typed)
    assert doc.text == editor.toPlainText()

    # Fixing the line (undo the typing) clears the mark and the roll is editable again.
    doc.undo_stack.undo()
    assert doc.error is None and not pane.error_label.isVisible()
    assert editor.toPlainText() == doc.text and typed not in doc.text
    assert roll.is_editable()
