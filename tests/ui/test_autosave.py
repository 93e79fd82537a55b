"""Autosave and recovery: unsaved work is written every few seconds (atomically);
after a kill, the next start offers it back; a save or a clean close removes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from composer.ui.app import offer_recovery
from composer.ui.autosave import autosave_dir, find_recoveries
from tests.ui.conftest import UI_FIXTURES, open_fixture

ROOT = Path(__file__).resolve().parents[2]

SESSION = r"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from composer.ui.main_window import MainWindow
from tests.ui.conftest import silent_player
w = MainWindow(player_factory=silent_player, autosave_ms=100)
w.show()
w.files.load(sys.argv[1])
w.autosave.saved.connect(lambda path: (print("SAVED", path, flush=True)))
w.document.edit_text(w.document.text.replace("T:Eight Bars", "T:Killed Before Saving"))
app.exec()
"""


def test_unsaved_work_is_autosaved_and_removed_on_save(window, qtbot, tmp_path):
    open_fixture(window, "eight_bars.abc")
    doc = window.document
    assert not window.autosave.file.exists()
    with qtbot.waitSignal(window.autosave.saved, timeout=10000):
        doc.edit_text(doc.text.replace("T:Eight Bars", "T:Autosaved"))
        window.autosave.write_now()
    data = json.loads(window.autosave.file.read_text())
    assert "T:Autosaved" in data["text"] and data["path"].endswith("eight_bars.abc")
    assert find_recoveries() == []  # its window is still open: not offered
    window.files.ask_save_path = lambda *a: str(tmp_path / "saved.abc")
    window.document.path = None
    assert window.files.save()
    assert not window.autosave.file.exists()


def test_autosave_waits_for_changes_and_a_pause(make_window, qtbot):
    window = make_window(autosave_ms=150)
    assert not window.autosave.pending
    doc = window.document
    doc.edit_text(doc.text + "% a comment\n")
    assert window.autosave.pending
    with qtbot.waitSignal(window.autosave.saved, timeout=5000):
        pass
    assert window.autosave.file.exists()
    doc.undo_stack.undo()  # back to the saved state: nothing to keep
    assert not window.autosave.file.exists()


def test_killed_session_is_offered_back(make_window, qtbot):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", SESSION, str(UI_FIXTURES / "eight_bars.abc")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=ROOT, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("SAVED"), "the session never autosaved"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert list(autosave_dir().glob("autosave-*.json"))

    window = make_window()
    questions = []
    assert offer_recovery(window, ask=lambda q: questions.append(q) or True)
    assert "did not close properly" in questions[0] and "eight_bars.abc" in questions[0]
    doc = window.document
    assert doc.score.title == "Killed Before Saving"
    assert doc.modified and doc.path is not None and doc.path.name == "eight_bars.abc"
    assert "Restored" in window.message_bar.text()
    assert not list(autosave_dir().glob("autosave-*.json"))  # taken over, then removed
    assert find_recoveries() == []


def test_declined_recovery_is_deleted(make_window, qtbot):
    window = make_window(autosave_ms=100)
    doc = window.document
    with qtbot.waitSignal(window.autosave.saved, timeout=5000):
        doc.edit_text(doc.text.replace("T:Untitled", "T:Left Behind"))
    window.autosave._lock.unlock()  # as if its process had died
    window.autosave._lock = None
    other = make_window()
    assert not offer_recovery(other, ask=lambda q: False)
    assert not window.autosave.file.exists()
