"""The model's eye in the window (issue 8): the numbers shown (editor shading, guess
strip, most varying neurons, tooltips) against a direct read of the model, updates
after an edit read again only from near it, the MIDI models' next events at the
roll's cursor, a broken model's message, nothing computed while the eye is off, and
surprise marks on the roll's notes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from composer.generation.inspection import CHECKPOINT_EVERY, TextInspector, next_events
from composer.generation.registry import ModelRegistry
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from composer.ui.abc_editor.editor import AbcEditor
from composer.ui.eye.panel import TICK_ZERO_HINT
from composer.ui.eye.shading import (
    NEURON,
    OFF,
    SURPRISE,
    neuron_colors,
    shown,
    surprise_colors,
)
from tests.generation.piano import helpers as piano_helpers

CHARS = "\n !\"#%'()+,-/0123456789:<>=ABCDEFGHKLMNPSTXYZ[]^_abcdefgmnorstuz|\\"
TUNE = """X:1
T:Test Jig
M:6/8
L:1/8
K:D
A|"D"FAA dAA|"G"BAG "A"FED|"D"FAA dfe|"A"dcB "D"A2:|
f|"D"afd "G"gfe|"D"fdA "A"A2f|"G"gfe "D"fed|"A"ecA "D"d2|]
"""
WAIT = 20000


def _folk(seed: int = 0) -> tuple[CharLSTM, CharVocab]:
    torch.manual_seed(seed)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    return model.eval(), vocab


def _typo_model() -> tuple[CharLSTM, CharVocab]:
    """Every character about equally likely (~6 bits) except ``^``, which the model
    never expects: a sharp written where none belongs is its one surprise."""
    model, vocab = _folk(1)
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
        model.head.bias[vocab.tokens.index("^")] = -30.0
    return model, vocab


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A models folder: ``folk-abc`` (random weights), ``typo-abc``, ``tiny-piano``
    (a MIDI model) and ``broken`` (corrupt weights); returns (folder, in-memory models)."""
    folder = tmp_path_factory.mktemp("eye-models")
    folk = _folk()
    checkpoint.save(folder / "folk-abc", folk[0], folk[0].config, folk[1], {"kind": "folk-abc"})
    typo = _typo_model()
    checkpoint.save(folder / "typo-abc", typo[0], typo[0].config, typo[1], {"kind": "folk-abc"})
    piano, codec = piano_helpers.tiny()
    checkpoint.save(folder / "tiny-piano", piano, piano.config, codec.vocab,
                    {"kind": "piano-lstm"})
    checkpoint.save(folder / "broken", folk[0], folk[0].config, folk[1], {"kind": "folk-abc"})
    (folder / "broken" / "model.safetensors").write_bytes(b"not safetensors at all")
    return folder, {"folk-abc": folk, "typo-abc": typo}


@pytest.fixture
def eye_window(make_window, models, qtbot):
    """A window over the eye's models (nothing preloaded), on screen and started."""
    folder, _ = models
    window = make_window(registry=ModelRegistry([(folder, "shipped")]), preload=False)
    qtbot.waitUntil(lambda: window.eye.eye.started, timeout=WAIT)
    return window


def turn_on(window, qtbot) -> None:
    window.actions_.eye.trigger()
    assert window.eye.panel.enabled and window.eye_dock.isVisible()


def wait_view(window, qtbot, text: str | None = None):
    panel = window.eye.panel
    want = text if text is not None else window.document.text
    qtbot.waitUntil(lambda: panel.view is not None and panel.view.text == want, timeout=WAIT)
    return panel.view


def trimmed(colors):
    colors = list(colors)
    while colors and colors[-1] is None:
        colors.pop()
    return colors


def backgrounds(editor) -> dict[int, object]:
    """Document offset -> background colour set by the highlighter."""
    out = {}
    block = editor.document().begin()
    while block.isValid():
        for r in block.layout().formats():
            fmt = QTextCharFormat(r.format)
            if fmt.hasProperty(QTextCharFormat.Property.BackgroundBrush):
                for i in range(r.start, r.start + r.length):
                    out[block.position() + i] = fmt.background().color()
        block = block.next()
    return out


def test_the_eye_shows_the_models_own_numbers(eye_window, models, qtbot):
    window, (model, vocab) = eye_window, models[1]["folk-abc"]
    doc, editor, panel = window.document, window.abc_pane.editor, window.eye.panel
    doc.load_text(TUNE)
    edits = []
    editor.textEdited.connect(edits.append)
    undo_steps = doc.undo_stack.count()
    turn_on(window, qtbot)
    view = wait_view(window, qtbot)
    direct = TextInspector(model, vocab).read(TUNE)
    np.testing.assert_allclose(view.bits, direct.bits, atol=1e-4)
    np.testing.assert_allclose(view.hidden, direct.hidden, atol=1e-4)

    # Surprise shading: the editor's backgrounds are the direct read's colours.
    assert panel.shading_mode() == SURPRISE
    want = trimmed(surprise_colors(direct.bits, direct.unknown))
    assert editor.highlighter.shading() == want
    shaded = backgrounds(editor)
    for i, color in enumerate(want):
        if color is not None and TUNE[i] != "\n":
            assert shaded[i] == color
    assert edits == [] and doc.undo_stack.count() == undo_steps  # shading is no edit

    # The strip around the cursor: the cursor's character with its top-5 next guesses.
    cursor = editor.textCursor()
    cursor.setPosition(70)
    editor.setTextCursor(cursor)
    columns = panel.strip.columns()
    ch, guesses = columns[panel.strip.cursor_column()]
    assert ch == shown(TUNE[70]) and len(columns) == 40
    assert [g for g, _ in guesses] == [g.label for g in direct.guesses(70)]
    np.testing.assert_allclose([p for _, p in guesses], [g.prob for g in direct.guesses(70)],
                               atol=1e-5)
    assert f"{direct.bits[70]:.1f} bits" in panel.cursor_line.text()
    assert f"{direct.expected_at(70)[0].label} {direct.expected_at(70)[0].prob:.0%}" in (
        panel.cursor_line.text())
    assert f"{len(TUNE)} characters" in panel.summary.text()

    # A neuron: red where it is positive, blue where negative.
    panel.pick_unit(1, 5)
    activation = direct.activation(1, 5)
    colors = editor.highlighter.shading()
    assert colors == trimmed(neuron_colors(activation))
    for a, color in zip(activation.tolist(), colors):
        if color is not None:
            assert (color.red() > color.blue()) == (a > 0)

    # Hovering a character tells its surprise and what the model expected there.
    tip = window.eye.tooltip(70)
    assert f"{direct.bits[70]:.1f} bits" in tip and "neuron 1:5" in tip
    cursor.setPosition(70)
    rect = editor.cursorRect(cursor)
    point = QPoint(rect.left() + 2, rect.center().y())
    assert editor.char_at(point) == 70
    event = QHelpEvent(QEvent.Type.ToolTip, point, editor.viewport().mapToGlobal(point))
    QApplication.sendEvent(editor.viewport(), event)
    assert "bits" in QToolTip.text()

    # Shading off, then the eye off: the editor is plain again.
    panel.set_shading_mode(OFF)
    assert editor.highlighter.shading() == []
    window.actions_.eye.trigger()
    assert not panel.enabled and window.eye_dock.isHidden() and panel.view is None


def long_tune(bars: int = 80) -> str:
    body = " ".join(f'"D"FAA dAA|"G"BAG "A"F{"ED"[i % 2]}D|' for i in range(bars // 2))
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    return "X:1\nT:Long\nM:6/8\nL:1/8\nK:D\n" + "\n".join(lines) + "|]\n"


def test_an_edit_is_read_again_from_near_it(eye_window, models, qtbot):
    window, (model, vocab) = eye_window, models[1]["folk-abc"]
    doc, editor, panel = window.document, window.abc_pane.editor, window.eye.panel
    text = long_tune()
    assert len(text) > 1000
    doc.load_text(text)
    turn_on(window, qtbot)
    wait_view(window, qtbot)
    where = len(text) - 30
    cursor = editor.textCursor()
    cursor.setPosition(where)
    editor.setTextCursor(cursor)
    sent = window.eye.eye.sent
    editor.setFocus()
    qtbot.keyClicks(editor, "fed")
    edited = text[:where] + "fed" + text[where:]
    assert editor.toPlainText() == edited == doc.text
    view = wait_view(window, qtbot, edited)
    assert where - CHECKPOINT_EVERY <= view.recomputed_from <= where
    assert window.eye.eye.sent - sent <= 3  # three keys, coalesced
    direct = TextInspector(model, vocab).read(edited)
    np.testing.assert_allclose(view.bits, direct.bits, atol=1e-4)
    assert editor.highlighter.shading() == trimmed(surprise_colors(direct.bits, direct.unknown))
    # The strip follows the cursor (now after the typed letters).
    ch, _ = panel.strip.columns()[panel.strip.cursor_column()]
    assert ch == shown(edited[where + 3])


def test_the_most_varying_neurons_pick_the_shading(eye_window, models, qtbot):
    window, (model, vocab) = eye_window, models[1]["folk-abc"]
    panel, editor = window.eye.panel, window.abc_pane.editor
    window.document.load_text(TUNE)
    turn_on(window, qtbot)
    wait_view(window, qtbot)
    direct = TextInspector(model, vocab).read(TUNE)
    ranked = direct.most_active(panel.neurons.count())
    role = Qt.ItemDataRole.UserRole
    listed = [panel.neurons.item(i).data(role) for i in range(panel.neurons.count())]
    assert [tuple(x) for x in listed] == [(a, b) for a, b, _ in ranked]
    item = panel.neurons.item(2)
    rect = panel.neurons.visualItemRect(item)
    qtbot.mouseClick(panel.neurons.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    layer, unit = ranked[2][:2]
    assert panel.unit() == (layer, unit) and panel.shading_mode() == NEURON
    assert editor.highlighter.shading() == trimmed(neuron_colors(direct.activation(layer, unit)))


def test_a_midi_model_shows_the_next_events_at_the_roll_cursor(eye_window, qtbot):
    window = eye_window
    panel, roll = window.eye.panel, window.roll
    window.panel.select_model("tiny-piano")
    window.document.load_score(piano_helpers.piece())
    qtbot.waitUntil(lambda: not window.document.text_pending, timeout=WAIT)
    turn_on(window, qtbot)
    assert panel.pages.currentIndex() == 1
    roll.view().set_cursor(0, emit=True)
    assert panel.events_title.text() == TICK_ZERO_HINT
    score = window.document.score
    tick = score.bars()[3][0]
    roll.view().set_cursor(tick, emit=True)
    qtbot.waitUntil(lambda: len(panel.events.rows()) == 5, timeout=WAIT)
    loaded = window.registry.load("tiny-piano")
    direct = next_events(loaded, score, tick)
    assert [label for label, _ in panel.events.rows()] == [g.label for g in direct.guesses]
    np.testing.assert_allclose([p for _, p in panel.events.rows()],
                               [g.prob for g in direct.guesses], atol=1e-5)
    assert f"{len(direct.events):,} events read before it" in panel.events_summary.text()
    assert f"{direct.bits_per_event:.2f} bits each" in panel.events_summary.text()
    assert window.abc_pane.editor.highlighter.shading() == []  # no ABC shading for MIDI
    # Surprise shading outlines the notes the model found unlikely (here: all of them,
    # with the threshold at zero bits).
    import composer.ui.eye.binding as binding

    binding.NOTE_MARK_BITS = 0.0
    try:
        window.eye._update_marks()
        marked = {(a, p) for a, _b, p, _s in window.roll.note_marks()}
        assert marked == {(n.start, n.pitch) for n, _ in direct.surprising_notes(score, 0.0)}
        assert marked and all(a < tick for a, _ in marked)
    finally:
        binding.NOTE_MARK_BITS = 7.0


def test_a_broken_model_is_a_message(eye_window, qtbot):
    window = eye_window
    panel = window.eye.panel
    window.document.load_text(TUNE)
    window.panel.select_model("broken")
    turn_on(window, qtbot)
    qtbot.waitUntil(lambda: panel.message_text() != "", timeout=WAIT)
    assert "corrupt" in panel.message_text() and "Traceback" not in panel.message_text()
    assert panel.view is None and window.abc_pane.editor.highlighter.shading() == []
    window.panel.select_model("folk-abc")  # another model works again
    wait_view(window, qtbot)
    assert panel.message_text() == ""


def test_nothing_is_read_while_the_eye_is_off(eye_window, qtbot):
    window = eye_window
    editor, eye = window.abc_pane.editor, window.eye.eye
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, "abc")
    window.roll.view().set_cursor(960, emit=True)
    window.panel.select_model("tiny-piano")
    qtbot.wait(200)
    assert eye.sent == 0 and eye.worker is None and not eye.is_running()
    assert editor.highlighter.shading() == [] and window.roll.note_marks() == ()
    turn_on(window, qtbot)
    window.actions_.eye.trigger()  # off again
    assert not window.eye.panel.enabled


def test_surprising_notes_are_marked_on_the_roll(eye_window, qtbot):
    window = eye_window
    window.panel.select_model("typo-abc")
    text = "X:1\nT:Typo\nM:4/4\nL:1/8\nK:C\nCDEF GABc|c^BAG FEDC|]\n"
    window.document.load_text(text)
    turn_on(window, qtbot)
    wait_view(window, qtbot)
    qtbot.waitUntil(lambda: window.roll.note_marks() != (), timeout=WAIT)
    # Only the sharp written where none belongs: ^B (C5, the 10th eighth), strongly.
    assert window.roll.note_marks() == ((9 * 240, 10 * 240, 72, 1.0),)
    window.eye.panel.set_shading_mode(NEURON)
    assert window.roll.note_marks() == ()
    window.eye.panel.set_shading_mode(SURPRISE)
    assert window.roll.note_marks() != ()
    window.actions_.eye.trigger()
    assert window.roll.note_marks() == ()


def test_a_very_long_tune_is_not_read(eye_window, qtbot, monkeypatch):
    from composer.ui.eye import worker

    monkeypatch.setattr(worker, "MAX_TEXT_CHARS", 100)
    window = eye_window
    window.document.load_text(TUNE)
    turn_on(window, qtbot)
    qtbot.waitUntil(lambda: "too long" in window.eye.panel.message_text(), timeout=WAIT)
    assert window.eye.eye.sent == 0


def test_the_eye_is_on_again_in_the_next_session(make_window, models, qtbot):
    folder, _ = models
    first = make_window(registry=ModelRegistry([(folder, "shipped")]), preload=False)
    assert first.eye_dock.isHidden() and not first.eye.panel.enabled
    assert first.actions_.eye.shortcut().toString() == "Ctrl+E"
    assert first.actions_.eye in first.menuBar().actions()[-2].menu().actions()  # View
    first.actions_.eye.trigger()
    wait_view(first, qtbot)
    chosen = first.eye.panel.neurons.item(1).data(Qt.ItemDataRole.UserRole)
    first.eye.panel.pick_unit(*chosen)  # not the one picked by default
    first.close()
    second = make_window(registry=ModelRegistry([(folder, "shipped")]), preload=False)
    assert not second.eye_dock.isHidden()
    assert second.eye.panel.enabled and second.actions_.eye.isChecked()
    wait_view(second, qtbot)
    # The shading and the neuron chosen last time are back.
    assert second.eye.panel.shading_mode() == NEURON
    assert second.eye.panel.unit() == tuple(chosen)


def test_the_eye_thread_stops_with_the_window(eye_window, qtbot):
    window = eye_window
    window.document.load_text(TUNE)
    turn_on(window, qtbot)
    wait_view(window, qtbot)
    eye = window.eye.eye
    assert eye.is_running()
    window.close()
    assert not eye.is_running()


def test_shading_keeps_the_error_mark_and_follows_edits(qtbot):
    from PySide6.QtGui import QColor

    editor = AbcEditor()
    qtbot.addWidget(editor)
    text = "X:1\nK:C\nC D ]] E|\n"
    editor.replace_text(text)
    edits = []
    editor.textEdited.connect(edits.append)
    red = QColor(255, 0, 0, 100)
    editor.set_shading([red] * len(text), text)
    editor.set_error(3, 5)
    shaded = backgrounds(editor)
    assert shaded[0] == red and shaded[8] == red
    block = editor.document().findBlockByNumber(2)
    wavy = [r for r in block.layout().formats() if QTextCharFormat(r.format).underlineStyle()
            == QTextCharFormat.UnderlineStyle.WaveUnderline]
    assert wavy and edits == []
    # Colours made for an older text shade only the common prefix.
    editor.set_shading([red] * len(text), "X:1\nK:G\n")
    assert len(editor.highlighter.shading()) == 6
    assert 6 not in backgrounds(editor) and backgrounds(editor)[5] == red
