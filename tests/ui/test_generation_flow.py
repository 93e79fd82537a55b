"""Continuing from the menu, from an ABC selection, discarding, stopping, insert mode,
model errors in the window, and the generation panel's settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from composer.generation.registry import ModelInfo
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
    info = ModelInfo("folk", Path("/m/folk"), "folk-abc",
                     {"description": "Folk tunes", "data": "Nottingham train split",
                      "parameters": 1_200_000, "metrics": {"valid_bpc": 0.912, "bars_ok": 1.0},
                      "license": "GPL-3.0"}, 5 * 1024 * 1024, "shipped")
    html = card_html(info)
    for part in ("Folk tunes", "Nottingham train split", "1,200,000 parameters", "5.0 MB",
                 "valid bpc", "0.912", "GPL-3.0"):
        assert part in html
    assert "No model installed" in card_html(None)
    assert format_size(900) == "900 bytes"


def test_take_keys_do_not_steal_typing_in_the_editor(window, qtbot):
    open_fixture(window, "eight_bars.abc")
    window.panel.variations.setValue(2)
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=20000):
        window.takes.continue_range(0, 4 * BAR, 1)
    editor = window.abc_pane.editor
    editor.go_to(2, 3)
    before = editor.toPlainText()
    QTest.keyClick(editor, Qt.Key.Key_Return)
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
    html = card_html(ModelInfo("m", Path("/m/m"), "folk-abc", card, 1024, "shipped"))
    assert ("2 files (nott); with oneills1850, ryansMammoth; 870 train tunes; "
            "2.0% of notes out of key") in html
    assert "1.160 bits/char on 47 tunes; 47/47 samples read back, 1477/1477 bars exact" in html
    assert "1.014 nats/token on 47 pieces; 1.99 nats/frame" in html
    assert "Bernd Krueger, piano-midi.de; CC BY-SA" in html and "evaluated_with" not in html
