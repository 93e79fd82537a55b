"""The transport in the window: Play/Stop, playhead on the roll, loop, tempo, take
audition, and Play disabled with the audio error's message when audio is missing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from composer.music.score import Score
from composer.ui.transport import bar_beat
from tests.ui.conftest import no_audio, open_fixture
from tests.ui.test_window_acceptance import BAR


def ready(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.transport.play_action.isEnabled(), timeout=10000)


def test_play_moves_the_playhead_and_space_stops(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    ready(window, qtbot)
    window.transport.tempo.setValue(360)  # 3x the tune's 120 bpm: the test stays short
    assert window.player.player.tempo_factor == 3.0
    window.roll.view().setFocus()
    with qtbot.waitSignal(window.transport.playheadMoved, timeout=5000):
        QTest.keyClick(window.roll.view(), Qt.Key.Key_Space)
    assert window.player.state == "playing"
    qtbot.waitUntil(lambda: window.roll.playhead() > 0, timeout=5000)
    assert window.transport.play_action.text() == "Stop"
    editor = window.abc_pane.editor
    qtbot.waitUntil(lambda: bool(editor.extraSelections()), timeout=5000)
    selection = editor.extraSelections()[0]
    shaded = QTextCursor(selection.cursor).selectedText()
    assert shaded and shaded in editor.toPlainText().splitlines()[6]  # a bar of line 7
    QTest.keyClick(window.roll.view(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.player.state == "stopped", timeout=5000)
    qtbot.waitUntil(lambda: window.roll.playhead() == -1, timeout=5000)
    assert not editor.extraSelections()
    assert window.transport.play_action.text() == "Play"


def test_loop_follows_the_selection(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    ready(window, qtbot)
    window.document.set_selection((BAR, 3 * BAR))
    window.transport.loop_action.setChecked(True)
    assert window.player.player.loop == (BAR, 3 * BAR)
    window.document.set_selection((0, BAR))
    assert window.player.player.loop == (0, BAR)
    window.transport.loop_action.setChecked(False)
    assert window.player.player.loop is None


def test_a_finished_take_is_auditioned_instead_of_the_tune(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    ready(window, qtbot)
    window.panel.variations.setValue(1)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        assert window.takes.continue_range(0, 4 * BAR, 2)
    take = window.takes.session.current_take
    window.transport.toggle_play()
    assert window.player.player.auditioning
    assert window.player.player.arrangement.length >= take.end
    window.transport.toggle_play()
    assert not window.player.player.auditioning


def test_without_audio_play_is_disabled_with_the_reason(make_window, qtbot):
    window = make_window(player_factory=no_audio)
    qtbot.waitUntil(lambda: not window.player.preparing and window.player.message
                    != "Preparing audio\u2026", timeout=10000)
    action = window.transport.play_action
    assert not action.isEnabled()
    assert "connect speakers" in action.toolTip()
    assert "Playback unavailable" in window.statusBar().currentMessage()
    window.transport.toggle_play()  # harmless
    assert window.player.state == "stopped"


def test_bar_beat_counts_pickups_as_bar_zero():
    from composer.music.abc import read_abc

    jig = read_abc("X:1\nM:6/8\nL:1/8\nK:D\nA|d2f a2f|g3 f3|]\n")
    assert bar_beat(jig, 0) == "bar 0 beat 1"
    assert bar_beat(jig, 240) == "bar 1 beat 1"
    assert bar_beat(jig, 240 + 720) == "bar 1 beat 2"
    assert bar_beat(Score(), 1920) == "bar 2 beat 1"
