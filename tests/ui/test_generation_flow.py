"""Continuing from the menu, from an ABC selection, discarding, stopping, insert mode,
model errors in the window, and the generation panel's settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from composer.generation.registry import ModelInfo
from composer.nn.card import ModelCard
from composer.ui.generation_panel import card_html, format_size
from composer.ui.settings import open_settings
from tests.ui.conftest import open_fixture
from tests.ui.test_window_acceptance import BAR
from tests.ui.tiny_model import install


def test_ctrl_enter_continues_the_abc_selection(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    window.panel.bars.setValue(2)
    window.panel.variations.setValue(2)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("insert"))
    editor = window.abc_pane.editor
    text = editor.toPlainText()
    start = text.index('"F"F2A2')  # bar 2
    c = editor.textCursor()
    c.setPosition(start)
    c.setPosition(text.index('"G"G2B2') + 2, QTextCursor.MoveMode.KeepAnchor)  # into bar 3
    editor.setTextCursor(c)
    assert window.document.selection == (BAR, 3 * BAR)
    assert window.roll.selection() == (BAR, 3 * BAR)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    take = window.takes.session.current_take
    assert (take.start, take.end) == (3 * BAR, 5 * BAR)
    before = window.document.score
    assert take.score.length == before.length + 2 * BAR  # insert mode: two more bars
    later = [(n.start + 2 * BAR, n.pitch) for n in before.notes if n.start >= 3 * BAR]
    assert later == [(n.start, n.pitch) for n in take.score.notes if n.start >= 5 * BAR]
    assert window.takes.accept()
    assert window.document.score is take.score
    assert window.document.selection == (3 * BAR, 5 * BAR)


def test_escape_discards_and_stop_cancels(window, qtbot, tmp_path, monkeypatch):
    open_fixture(window, "eight_bars.abc")
    score = window.document.score
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        window.takes.continue_range(0, 4 * BAR, 2)
    window.roll.view().setFocus()
    QTest.keyClick(window.roll.view(), Qt.Key.Key_Escape)
    assert window.takes.session is None and window.roll.ghost_notes() == {}
    assert window.document.score is score and window.document.undo_stack.count() == 0

    assert window.panel.model.findData("slow") == -1
    install(monkeypatch, tmp_path / "models", name="slow", delay=0.03)  # the registry's
    window.panel.rescan.click()  # a model installed while the window is open
    window.panel.select_model("slow")
    assert window.panel.model_name() == "slow"
    window.takes.continue_range(0, 4 * BAR, 32)
    qtbot.waitUntil(lambda: window.actions_.stop.isEnabled(), timeout=5000)
    with qtbot.waitSignal(window.generator.finished, timeout=10000) as done:
        window.actions_.stop.trigger()
    assert done.args == [True]
    assert not window.actions_.stop.isEnabled()
    assert window.document.score is score


def test_model_errors_show_in_the_window_which_keeps_working(window, qtbot, tmp_path):
    open_fixture(window, "eight_bars.abc")
    broken = tmp_path / "models" / "broken"
    broken.mkdir(parents=True)
    (broken / "card.json").write_text('{"kind": "ui-test-tiny"}')
    (tmp_path / "models" / "tiny" / "card.json").write_text("{not json")
    window.panel.refresh_models()
    assert "(unusable)" in window.panel.model.itemText(window.panel.model.findData("tiny"))
    window.panel.select_model("tiny")
    assert not window.takes.continue_range(0, 4 * BAR, 2)
    assert "Cannot use model tiny" in window.message_bar.text()

    window.panel.select_model("broken")  # its card is fine but its weights are missing
    window.registry.unload()
    import tests.ui.tiny_model as tiny

    original = tiny.load_model
    tiny.load_model = lambda folder, card: (_ for _ in ()).throw(OSError("weights missing"))
    try:
        import sys

        sys.modules["ui_tiny_model_kind"].load_model = tiny.load_model
        with qtbot.waitSignal(window.generator.finished, timeout=20000):
            window.takes.continue_range(0, 4 * BAR, 2)
    finally:
        tiny.load_model = original
    assert "Continuation failed" in window.message_bar.text()
    assert "weights missing" in window.message_bar.text()
    assert window.takes.session is None and window.isVisible()


def test_no_selection_continues_the_end_and_abc_errors_block(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    window.panel.bars.setValue(1)
    window.panel.variations.setValue(1)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        window.actions_.continue_.trigger()
    assert window.takes.session.request.selection.start == 4 * BAR
    window.takes.discard()
    doc = window.document
    doc.edit_text(doc.text + "]]\n")
    assert not window.takes.continue_range(0, BAR, 1)
    assert "fix it" in window.message_bar.text()


def test_panel_builds_sampling_and_remembers_its_settings(window, qtbot):
    panel = window.panel
    panel.temperature.setValue(0.8)
    panel.top_k.setValue(20)
    panel.top_p.setValue(0.9)
    panel.fresh_seed.setChecked(False)
    panel.seed.setValue(1234)
    s = panel.sampling()
    assert (s.temperature, s.top_k, s.top_p, s.seed) == (0.8, 20, 0.9, 1234)
    panel.fresh_seed.setChecked(True)
    seeds = {panel.sampling().seed for _ in range(5)}
    assert len(seeds) > 1 and panel.seed.value() in seeds
    panel.bars.setValue(7)
    window.save_layout()
    other = type(panel)(window.registry)
    other.restore(open_settings())
    assert (other.bars.value(), other.top_k.value(), other.model_name()) == (7, 20, "tiny")


def test_model_card_shows_data_size_and_metrics():
    card = ModelCard.from_json({
        "kind": "folk-abc", "description": "Folk tunes",
        "architecture": {"class": "CharLSTM", "config": {"layers": 3, "hidden": 512}},
        "data": {"files": ["n/abc/jigs.abc"], "train_tunes": 870},
        "training": {"steps": 2700, "seconds": 1608.6, "processes": 2},
        "metrics": {"valid_bits_per_char": 0.912}, "license": "GPL-3.0"})
    info = ModelInfo("folk", Path("/m/folk"), "folk-abc", card, 5 * 1024 * 1024, "shipped")
    html = card_html(info)
    for part in ("Folk tunes", "CharLSTM 3\u00d7512", "character LSTM on ABC tunes",
                 "870 train tunes", "5.0 MB", "2700 steps, 27 min on 2 processes",
                 "0.912 bits per character", "GPL-3.0"):
        assert part in html, part
    assert "No model installed" in card_html(None)
    assert format_size(900) == "900 bytes"


def test_take_keys_answer_in_the_editor_and_typing_stays_typing(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    window.panel.variations.setValue(2)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        window.takes.continue_range(0, 4 * BAR, 1)
    editor = window.abc_pane.editor
    editor.go_to(2, 3)
    take = window.takes.session.current_take
    QTest.keyClick(editor, Qt.Key.Key_Return)  # takes pending: Enter accepts
    assert window.document.score is take.score and window.takes.session is None
    editor.go_to(2, 3)
    before = editor.toPlainText()
    QTest.keyClick(editor, Qt.Key.Key_Return)  # none pending: Enter types
    QTest.keyClick(editor, Qt.Key.Key_Space)
    assert editor.toPlainText().count("\n") == before.count("\n") + 1
    assert " " in editor.toPlainText().splitlines()[2]
    assert window.player.state == "stopped"


def test_model_card_shows_evaluations_and_licences_in_words():
    card = {"metrics": {"test": {"bits_per_char": 1.1599, "tunes": 47, "chars": 16916,
                                 "samples": {"n": 47, "parsed": 47, "bars": 1477,
                                             "bars_correct_length": 1477, "key_kept": 38},
                                 "evaluated_with": {"temperature": 1.0}},
                        "macnet": {"nll_per_token": 1.0142, "pieces": 47, "frame_nll": 1.9943}},
            "licence": {"data": "piano-midi.de", "attribution": "Bernd Krueger, piano-midi.de",
                        "data_licence": "CC BY-SA"},
            "data": {"files": ["nott/abc/jigs.abc", "nott/abc/reels.abc"], "train_tunes": 870,
                     "extra_files": {"music21 corpus/oneills1850": 39,
                                     "music21 corpus/ryansMammoth": 898},
                     "out_of_key_rate": 0.01972}}
    card = ModelCard.from_json(dict(card, kind="folk-abc"))
    html = card_html(ModelInfo("m", Path("/m/m"), "folk-abc", card, 1024, "shipped"))
    assert ("2 files (nott); with oneills1850, ryansMammoth; 870 train tunes; "
            "2.0% of notes out of key") in html
    assert "1.160 bits/char on 47 tunes; 47/47 samples read back, 1477/1477 bars exact" in html
    assert "1.014 nats/token on 47 pieces; 1.99 nats/frame" in html
    assert "Bernd Krueger, piano-midi.de; CC BY-SA" in html and "evaluated_with" not in html


def use_slow_model(window, tmp_path, monkeypatch, delay: float = 0.03) -> None:
    install(monkeypatch, tmp_path / "models", name="slow", delay=delay)
    window.panel.rescan.click()
    window.panel.select_model("slow")
    assert window.panel.model_name() == "slow"


def test_stop_leaves_the_finished_bars_as_a_take_to_accept(window, qtbot, tmp_path,
                                                           monkeypatch):
    open_fixture(window, "eight_bars.abc")
    use_slow_model(window, tmp_path, monkeypatch)
    window.panel.variations.setValue(2)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("insert"))
    doc = window.document
    original = doc.score

    def stop_after_two_bars(progress):
        if progress.variation == 0 and progress.bars_done == 2:
            window.panel.stop_button.click()

    window.generator.progressed.connect(stop_after_two_bars)
    with qtbot.waitSignal(window.generator.finished, timeout=20000) as done:
        assert window.takes.continue_range(0, 4 * BAR, 8)
    window.generator.progressed.disconnect(stop_after_two_bars)
    assert done.args == [True]
    session = window.takes.session
    take = session.current_take
    assert session.current == 0 and take is not None and not take.complete
    assert (take.bars, take.start, take.end) == (2, 4 * BAR, 6 * BAR)
    assert all(1 <= t.bars <= 2 for t in session.takes.values())
    assert window.take_label.text().startswith(
        "Take 1/2: 2 of 8 bars (stopped) \u2014 Enter accepts")
    assert window.actions_.accept_take.isEnabled() and not window.actions_.stop.isEnabled()
    ghosts = [n for ns in window.roll.ghost_notes().values() for n in ns]
    assert ghosts and all(4 * BAR <= n.start < n.end <= 6 * BAR for n in ghosts)

    steps = doc.undo_stack.count()
    window.roll.view().setFocus()
    QTest.keyClick(window.roll.view(), Qt.Key.Key_Return)
    assert doc.score is take.score and window.takes.session is None
    assert doc.undo_stack.count() == steps + 1
    assert len(doc.score.bars()) == len(original.bars()) + 2
    assert doc.score.length == original.length + 2 * BAR
    later = [(n.start + 2 * BAR, n.pitch) for n in original.notes if n.start >= 4 * BAR]
    assert later == [(n.start, n.pitch) for n in doc.score.notes if n.start >= 6 * BAR]
    seed = session.request.sampling.seed
    assert window.take_label.text() == (
        f"Take 1 accepted (2 of 8 bars, seed {seed}); Ctrl+Z undoes it")
    doc.undo_stack.undo()
    assert doc.score is original


def test_stop_before_a_bar_keeps_nothing_and_other_cancels_keep_nothing(
        window, qtbot, tmp_path, monkeypatch):
    open_fixture(window, "eight_bars.abc")
    use_slow_model(window, tmp_path, monkeypatch)
    window.panel.variations.setValue(1)
    with qtbot.waitSignal(window.generator.finished, timeout=20000) as done:
        assert window.takes.continue_range(0, 4 * BAR, 8)
        window.actions_.stop.trigger()  # before the model finished a bar
    assert done.args == [True]
    assert window.takes.session is None and window.take_label.text() == "Stopped"
    assert window.roll.ghost_notes() == {}

    # A cancellation that is not the user's Stop keeps nothing, bars or not.
    assert window.takes.continue_range(0, 4 * BAR, 8)
    qtbot.waitUntil(lambda: window.takes.session.bars_done() >= 1, timeout=20000)
    with qtbot.waitSignal(window.generator.finished, timeout=20000):
        window.generator.stop()
    assert window.takes.session is None and window.take_label.text() == "Stopped"


JIG_WITH_SHORT_BARS = """X:1
T:Short Bar Jig
M:6/8
L:1/8
K:D
A|d2e fed|cBA B2c|d2e fed|e3 A2:|
f|a2f gfe|d2B A2F|G2B A2F|E3 D2|]
"""
JIG_SELECTION = (0, 240 + 3 * 1440)  # the pickup and three bars; then "e3 A2:|" and "f|"


def drag_the_handle(window, qtbot, tick: int):
    """Drag the roll's handle to ``tick``; returns the preview and its label just
    before the release, and the take that follows."""
    roll = window.roll
    viewport = roll.view().viewport()
    at = roll.continue_handle_pos()
    target = QPoint(round(roll.tick_to_x(tick)), at.y())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    for i in range(1, 9):
        QTest.mouseMove(viewport, at + (target - at) * (i / 8))
    preview, label = roll.continue_preview(), roll.continue_label()
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier, target)
    return preview, label, window.takes.session.current_take


def jig_window(window, mode: str):
    window.document.load_text(JIG_WITH_SHORT_BARS)
    window.panel.variations.setValue(1)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData(mode))
    roll = window.roll
    roll.set_zoom(roll.view().viewport().width() / 30, roll.zoom()[1])  # 30 quarters
    roll.view().horizontalScrollBar().setValue(0)
    roll.set_selection(*JIG_SELECTION)
    window.document.set_selection(JIG_SELECTION)
    return window.document.score


def test_the_handle_counts_a_short_bar_and_a_pickup_as_the_engine_does(window, qtbot):
    score = jig_window(window, "replace")
    end = JIG_SELECTION[1]
    preview, label, take = drag_the_handle(window, qtbot, end + 1200 + 240 + 300)
    assert preview == (end, end + 1200 + 240, 2)  # "e3 A2:|" (5/8) and "f|" (1/8)
    assert label == "+2 bars \u00b7 replace"
    assert window.takes.session.request.bars == 2
    assert (take.start, take.end) == (preview[0], preview[1])
    assert window.takes.accept()
    assert window.document.score.bar_starts(score.length) == score.bar_starts(score.length)


def test_the_handle_counts_full_bars_in_insert_mode(window, qtbot):
    score = jig_window(window, "insert")
    end = JIG_SELECTION[1]
    preview, label, take = drag_the_handle(window, qtbot, end + 2 * 1440 + 100)
    assert preview == (end, end + 2 * 1440, 2)  # two full 6/8 bars over the short ones
    assert label == "+2 bars \u00b7 insert"
    assert (take.start, take.end) == (preview[0], preview[1])
    assert window.takes.accept()
    assert window.document.score.length == score.length + 2 * 1440
