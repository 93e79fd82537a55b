"""Files in the window: open (ABC, MIDI, MusicXML), save, export, recent files, the
unsaved-changes question, drag and drop, and errors shown in the window."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from composer.music.abc import read_abc
from composer.music.midi import midi_bytes, read_midi
from composer.music.score import Note
from composer.ui.settings import open_settings, recent_files
from tests.ui.conftest import EXAMPLES, UI_FIXTURES, open_fixture


def edit(window) -> None:
    """An edit as the roll makes it: one note up a tone."""
    score = window.document.score
    t = score.tracks[0]
    n = t.notes[0]
    notes = (Note(n.start, n.end, n.pitch + 2, n.velocity),) + t.notes[1:]
    window.document.set_score(dataclasses.replace(score, tracks=(t.with_notes(notes),)))


def test_open_save_and_reopen_multi_tune_abc(window, tmp_path):
    src = tmp_path / "tunes.abc"
    src.write_text((UI_FIXTURES / "two_tunes.abc").read_text())
    assert window.files.open(str(src), tune_index=1)
    assert window.document.tune_index == 1
    assert window.abc_pane.tune_picker.currentIndex() == 1
    assert "tunes.abc" in window.windowTitle()
    edit(window)
    assert window.isWindowModified()
    assert window.files.save()
    assert not window.isWindowModified()
    back = read_abc(src.read_text(), x=7)
    assert back.notes == window.document.score.notes
    assert read_abc(src.read_text(), x=3).notes == read_abc(
        (UI_FIXTURES / "two_tunes.abc").read_text(), x=3).notes
    assert recent_files(open_settings())[0] == str(src.resolve())
    assert window.recent_menu.actions()[0].text() == "tunes.abc"


def test_open_midi_then_save_asks_for_an_abc_name(window, tmp_path):
    mid = tmp_path / "tune.mid"
    mid.write_bytes(midi_bytes(read_abc((UI_FIXTURES / "eight_bars.abc").read_text())))
    assert window.files.open(str(mid))
    assert "tune.mid (imported)" in window.windowTitle()
    asked = []
    window.files.ask_save_path = lambda *a: asked.append(a) or str(tmp_path / "out")
    assert window.files.save()
    assert asked and asked[0][1].endswith("tune.abc")
    out = tmp_path / "out.abc"
    assert read_abc(out.read_text()).notes == window.document.score.notes


def test_unsaved_changes_are_asked_about(window, tmp_path):
    open_fixture(window, "eight_bars.abc")
    edit(window)
    window.files.ask_unsaved = lambda: "cancel"
    assert not window.files.open(str(EXAMPLES / "willow-waltz.abc"))
    assert window.document.modified
    window.files.ask_unsaved = lambda: "discard"
    waltz = tmp_path / "waltz.abc"
    waltz.write_text((EXAMPLES / "willow-waltz.abc").read_text())
    assert window.files.open(str(waltz))
    assert window.document.score.title == "The Willow Waltz"
    edit(window)
    window.files.ask_unsaved = lambda: "save"
    window.files.new()
    assert read_abc(waltz.read_text()).notes[0].pitch == 71  # saved with the edit
    assert not window.document.modified and window.document.path is None


def test_close_with_unsaved_changes_can_be_cancelled(window):
    edit(window)
    window.files.ask_unsaved = lambda: "cancel"
    assert not window.close()
    assert window.isVisible()
    window.files.ask_unsaved = lambda: "discard"


def test_bad_files_show_a_message_and_keep_the_document(window, tmp_path):
    open_fixture(window, "eight_bars.abc")
    score = window.document.score
    (tmp_path / "junk.mid").write_bytes(b"not midi at all")
    assert not window.files.open(str(tmp_path / "junk.mid"))
    assert "Cannot open junk.mid" in window.message_bar.text()
    assert not window.files.open(str(tmp_path / "missing.abc"))
    assert "no such file" in window.message_bar.text()
    assert window.document.score is score
    ro = tmp_path / "ro"
    assert not window.files.export_midi(str(ro / "x.mid"))  # the folder does not exist
    assert "Cannot export x.mid" in window.message_bar.text()
    # A file that opens cleanly clears the error about the one before; one with an ABC
    # error shows that error instead.
    (tmp_path / "broken.abc").write_text("X:1\nT:B\nM:6/8\nK:D\nd2f [a2 f|\n")
    assert window.files.open(str(tmp_path / "broken.abc"))
    assert "broken.abc opened, but its ABC has an error" in window.message_bar.text()
    open_fixture(window, "eight_bars.abc")
    assert window.message_bar.text() == ""


def test_exports_write_midi_and_abc(window, tmp_path):
    open_fixture(window, "two_tunes.abc", 1)
    assert window.files.export_midi(str(tmp_path / "t.mid"))
    assert [n.pitch for n in read_midi(tmp_path / "t.mid").tracks[0].notes] == [
        n.pitch for n in window.document.score.tracks[0].notes]
    assert window.files.export_abc(str(tmp_path / "t"))
    assert read_abc((tmp_path / "t.abc").read_text()).notes == window.document.score.notes
    assert "X:7" in (tmp_path / "t.abc").read_text()
    # the tune's text as written (issue 12: an export changes nothing the user wrote)
    assert window.document.text.rstrip("\n") in (tmp_path / "t.abc").read_text()


def drag_enter(mime) -> QDragEnterEvent:
    """A drag entering at (50, 50) (PySide 6.12 takes a QPointF, older ones a QPoint)."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(QPointF(50, 50), *args)
    except TypeError:
        return QDragEnterEvent(QPoint(50, 50), *args)


def test_dropping_a_file_opens_it(window, qtbot):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(EXAMPLES / "lamplighters-jig.abc"))])
    enter = drag_enter(mime)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.document.score.title == "The Lamplighter's Jig")
    mime.setUrls([QUrl.fromLocalFile("/tmp/picture.png")])
    enter = drag_enter(mime)
    enter.ignore()
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()
    window.abc_pane.editor.filesDropped.emit(["/tmp/picture.png"])
    assert "Composer opens .abc" in window.message_bar.text()


def test_a_big_midi_file_opens_at_once_and_its_abc_follows(window, qtbot, tmp_path):
    from tests.ui.test_document import big_score

    mid = tmp_path / "big.mid"
    mid.write_bytes(midi_bytes(big_score(2000)))
    editor = window.abc_pane.editor
    with qtbot.waitSignal(window.document.textPendingChanged, timeout=20000,
                          check_params_cb=lambda pending: not pending):
        assert window.files.open(str(mid))
        assert len(window.roll.score().notes) == 2000
        assert editor.isReadOnly() and window.abc_pane.pending_label.isVisibleTo(window)
    assert not editor.isReadOnly()
    assert editor.toPlainText() == window.document.text and "X:1" in editor.toPlainText()
