"""The model's eye in the window: :class:`ModelEye` owns the controller
(:class:`~composer.ui.eye.worker.Eye`) and the dock's panel, and wires them to the
document, the ABC editor, the piano roll, the generation panel's model and the View
menu's "Model's eye" action.

What it feeds the eye: the current tune's text (``document.text``, exactly what the
editor shows, so character offsets match) after every edit, the score and the roll's
cursor (ticks), and the model picked in the generation panel. What it shows: the
panel; the editor's background shading (only over the characters the view was read
from) and tooltips; red outlines on the roll's notes whose ABC characters surprised
a folk model. With the eye off nothing is read and nothing is shaded.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from composer.ui import abc_bridge
from composer.ui.eye.panel import EyePanel
from composer.ui.eye.shading import (
    NEURON,
    NOTE_MARK_BITS,
    describe_char,
    note_marks,
    surprise_strength,
)
from composer.ui.eye.worker import Eye


class ModelEye(QObject):
    """See the module docstring. Create it, put :attr:`panel` in a dock, then
    :meth:`attach` it; :meth:`start` once the window shows, :meth:`shutdown` on close."""

    def __init__(self, registry, parent: QObject | None = None):
        super().__init__(parent)
        self.eye = Eye(registry, self)
        self.panel = EyePanel()
        self.document = self.editor = self.roll = self.models = None
        self.action = self.dock = None

    def attach(self, document, editor, roll, models, action, dock) -> None:
        """Wire the eye to the window's ``document``, ABC ``editor``, ``roll``, the
        generation panel ``models``, the checkable ``action`` and the ``dock``. The
        eye starts on if the dock is shown (restored from the last session)."""
        self.document, self.editor, self.roll, self.models = document, editor, roll, models
        self.action, self.dock = action, dock
        panel, eye = self.panel, self.eye
        panel.enabledChanged.connect(self._enabled)
        panel.shadingChanged.connect(self._apply_shading)
        panel.toggle.toggled.connect(action.setChecked)
        action.triggered.connect(self._action_triggered)
        dock.toggleViewAction().toggled.connect(self._dock_toggled)
        document.textReplaced.connect(self._text_changed)
        document.tunesChanged.connect(self._text_changed)
        editor.textEdited.connect(self._text_changed)
        editor.cursorPositionChanged.connect(self._cursor_changed)
        editor.tooltip_for = self.tooltip
        document.scoreChanged.connect(self._score_changed)
        document.parsed.connect(self._update_marks)
        roll.cursorMoved.connect(self._roll_cursor)
        models.modelChanged.connect(self._model_changed)
        eye.textRead.connect(self._on_text)
        eye.eventsRead.connect(self._on_events)
        eye.failed.connect(panel.show_failure)
        self._model_changed()
        self._text_changed()
        self._cursor_changed()
        eye.set_position(document.score, roll.cursor_tick())
        panel.toggle.setChecked(not dock.isHidden())

    def start(self) -> None:
        """The window is on screen: the eye may read from now on."""
        self.eye.start()

    def shutdown(self) -> None:
        self.eye.shutdown()

    # --- on, off, and the dock ------------------------------------------------------------
    def _action_triggered(self, checked: bool) -> None:
        self.panel.toggle.setChecked(checked)
        self.dock.setVisible(checked)
        if checked:
            self.dock.raise_()

    def _dock_toggled(self, visible: bool) -> None:
        if not visible:  # the dock was closed: nothing to look at
            self.panel.toggle.setChecked(False)

    def _enabled(self, on: bool) -> None:
        if on:
            self._text_changed()
            self._show_position()
        self.eye.set_enabled(on)

    # --- what is shown ---------------------------------------------------------------------
    def _model_changed(self, *_args) -> None:
        info = self.models.model_info()
        name = info.name if info is not None else None
        self.eye.set_model(name, info.kind if info is not None else "")
        self.panel.set_model(name, self.eye.reads_text)
        self._show_position()

    def _text_changed(self, *_args) -> None:
        self.eye.set_text(self.document.text)

    def _cursor_changed(self) -> None:
        self.panel.set_cursor(self.editor.textCursor().position())

    def _score_changed(self, _score=None) -> None:
        self._show_position()
        self._update_marks()

    def _roll_cursor(self, _tick: int) -> None:
        self._show_position()

    def _show_position(self) -> None:
        """For a MIDI model: ask about the roll's cursor, or say how to."""
        tick = self.roll.cursor_tick()
        self.eye.set_position(self.document.score, tick)
        if self.panel.enabled and not self.eye.reads_text and tick <= 0:
            self.panel.show_tick_hint()

    def _on_text(self, view, seconds: float) -> None:
        self.panel.show_text(view, seconds)  # emits shadingChanged: shading applied

    def _on_events(self, view, seconds: float) -> None:
        self.panel.show_events(view, seconds)
        self._update_marks()

    def _apply_shading(self) -> None:
        view = self.panel.view
        colors = self.panel.colors if self.eye.reads_text else None
        self.editor.set_shading(colors, view.text if view is not None else None)
        self._update_marks()

    def _update_marks(self) -> None:
        """Outline the roll's notes whose characters surprised the folk model (only
        with the surprise shading, and once the shown score is the view's text read)."""
        self.roll.set_note_marks(self.marks())

    def marks(self) -> list[tuple[int, int, int, float]] | None:
        view, doc = self.panel.view, self.document
        if not self.eye.reads_text:
            return self._event_marks()
        if (view is None or not self.eye.reads_text or not self.panel.surprise_on()
                or view.text != doc.text or doc.parse_pending or doc.error is not None):
            return None
        notes = abc_bridge.written_notes(doc.text, doc.header)
        return note_marks(view, notes) if notes else None

    def _event_marks(self) -> list[tuple[int, int, int, float]] | None:
        """For a MIDI model: outline the notes before the roll's cursor that the model
        found surprising (events of at least NOTE_MARK_BITS)."""
        events = self.panel.events_view
        if (events is None or not self.panel.surprise_on()
                or self.eye.events_score is not self.document.score):
            return None
        return [(n.start, n.end, n.pitch, max(0.25, float(surprise_strength(bits))))
                for n, bits in events.surprising_notes(self.document.score, NOTE_MARK_BITS)
                ] or None

    def tooltip(self, i: int) -> str | None:
        """The editor's tooltip for character ``i``: its surprise, what the model
        expected there (and the chosen neuron's activation)."""
        view = self.panel.view
        text = self.editor.toPlainText() if self.editor is not None else ""
        if (view is None or not self.panel.enabled or not self.eye.reads_text
                or i >= len(view.text) or view.text[:i + 1] != text[:i + 1]):
            return None
        layer, unit = self.panel.unit()
        neuron = self.panel.shading_mode() == NEURON
        return describe_char(view, i, layer if neuron else None, unit if neuron else None)
