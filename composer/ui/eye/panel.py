"""The "Model's eye" dock: what the model expects, position by position.

For a folk (ABC) model: an on/off toggle, the shading of the editor (surprise, a
neuron's activation, or none) with the neuron's layer and index, the neurons that
vary most over the tune, a summary line, the character at the editor's cursor with
what the model expected there, and the guess strip around it. For a MIDI model: the
model's top next events at the roll's cursor with their probabilities.

The panel only shows what it is given (:meth:`EyePanel.show_text`,
:meth:`EyePanel.show_events`, :meth:`EyePanel.show_message`); the binding
(:mod:`composer.ui.eye.binding`) feeds it and applies the shading elsewhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from composer.ui.eye.shading import (
    NEURON,
    SHADINGS,
    SURPRISE,
    char_at_cursor,
    describe_char,
    text_colors,
)
from composer.ui.eye.strip import EventList, GuessStrip
from composer.ui.settings import value

MOST_VARYING = 12
"""Neurons listed as worth looking at."""
TICK_ZERO_HINT = "Click in the ruler after the first bar to see what the model expects there"


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class EyePanel(QWidget):
    """See the module docstring. Signals: ``enabledChanged(bool)`` (the toggle),
    ``shadingChanged()`` (the shading, layer or neuron changed: colours to apply
    again, :attr:`colors`)."""

    enabledChanged = Signal(bool)
    shadingChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("eyePanel")
        self.view = None
        """The :class:`TextView` shown (``None``: none yet)."""
        self.events_view = None
        self.colors: list | None = None
        """The editor's shading: one colour (or ``None``) per character of ``view.text``."""
        self.cursor = 0
        self._picked_for: str | None = None
        self._restored_unit: tuple[str, int, int] | None = None
        self._model = ""

        self.toggle = QCheckBox("Show the model's eye")
        self.toggle.setToolTip("Read the tune with the model as you write: its surprise at "
                               "each character and its guesses for the next one (Ctrl+E)")
        self.model_label = QLabel()
        self.model_label.setObjectName("eyeModel")
        self.message = _label(name="eyeMessage")
        self.message.setStyleSheet("QLabel#eyeMessage { color: #8a4b00; }")
        self.message.hide()

        self.shading = QComboBox()
        for key, text in SHADINGS:
            self.shading.addItem(text, key)
        self.shading.setToolTip("Surprise: warm where the model did not expect a character "
                                "(often a typo), violet for characters it has never seen. "
                                "Neuron: red where the chosen neuron is positive, blue "
                                "where negative.")
        self.layer = QSpinBox(minimum=0, maximum=0)
        self.layer.setToolTip("The layer of the neuron to show (from 0)")
        self.neuron = QSpinBox(minimum=0, maximum=0)
        self.neuron.setToolTip("The neuron of that layer (from 0)")
        self.neurons = QListWidget()
        self.neurons.setObjectName("eyeNeurons")
        self.neurons.setToolTip("The neurons whose activation varies most over this tune "
                                "(standard deviation): the ones likely to track something "
                                "in it. Click one to shade the editor by it.")
        self.neurons.setMaximumHeight(76)
        self.summary = _label(name="eyeSummary")
        self.cursor_line = _label(name="eyeCursor")
        self.strip = GuessStrip()
        self.strip_area = QScrollArea()
        self.strip_area.setWidget(self.strip)
        self.strip_area.setWidgetResizable(False)
        self.strip_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip_area.setFixedHeight(self.strip.sizeHint().height()
                                       + self.strip_area.horizontalScrollBar().sizeHint().height()
                                       + 4)

        choices = QHBoxLayout()
        choices.addWidget(QLabel("Shading"))
        choices.addWidget(self.shading, 1)
        choices.addWidget(QLabel("Layer"))
        choices.addWidget(self.layer)
        choices.addWidget(QLabel("Neuron"))
        choices.addWidget(self.neuron)
        text_page = QWidget()
        text_layout = QVBoxLayout(text_page)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addLayout(choices)
        text_layout.addWidget(QLabel("Most varying neurons"))
        text_layout.addWidget(self.neurons)
        text_layout.addWidget(self.summary)
        text_layout.addWidget(self.cursor_line)
        text_layout.addWidget(self.strip_area)
        text_layout.addStretch(1)

        self.events = EventList()
        self.events.setObjectName("eyeEvents")
        self.events_title = _label(name="eyeEventsTitle")
        self.events_summary = _label(name="eyeEventsSummary")
        events_page = QWidget()
        events_layout = QVBoxLayout(events_page)
        events_layout.setContentsMargins(0, 0, 0, 0)
        events_layout.addWidget(self.events_title)
        events_layout.addWidget(self.events, 1)
        events_layout.addWidget(self.events_summary)

        self.pages = QStackedWidget()
        self.pages.addWidget(text_page)
        self.pages.addWidget(events_page)
        top = QHBoxLayout()
        top.addWidget(self.toggle)
        top.addStretch(1)
        top.addWidget(self.model_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.pages, 1)

        self.toggle.toggled.connect(self._toggled)
        self.shading.currentIndexChanged.connect(self._shading_changed)
        self.layer.valueChanged.connect(self._shading_changed)
        self.neuron.valueChanged.connect(self._shading_changed)
        self.neurons.itemClicked.connect(self._neuron_clicked)
        self._toggled(False)

    # --- choices ---------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self.toggle.isChecked()

    def shading_mode(self) -> str:
        return self.shading.currentData()

    def set_shading_mode(self, mode: str) -> None:
        self.shading.setCurrentIndex(max(0, self.shading.findData(mode)))

    def save(self, s) -> None:
        """Keep the shading and the chosen neuron (with its model) in settings ``s``."""
        s.setValue("eye/shading", self.shading_mode())
        if self._picked_for:
            s.setValue("eye/model", self._picked_for)
            s.setValue("eye/layer", self.layer.value())
            s.setValue("eye/neuron", self.neuron.value())

    def restore(self, s) -> None:
        """Take back what :meth:`save` kept; the neuron once its model reads a tune."""
        self.set_shading_mode(value(s, "eye/shading", SURPRISE))
        model = value(s, "eye/model", "")
        if model:
            self._restored_unit = (model, value(s, "eye/layer", 0, int),
                                   value(s, "eye/neuron", 0, int))

    def unit(self) -> tuple[int, int]:
        """The chosen neuron: ``(layer, index)``."""
        return self.layer.value(), self.neuron.value()

    def pick_unit(self, layer: int, unit: int) -> None:
        """Choose neuron ``unit`` of ``layer`` and shade the editor by it."""
        boxes = (self.layer, self.neuron, self.shading)
        for box in boxes:
            box.blockSignals(True)
        self.layer.setValue(layer)
        self.neuron.setValue(unit)
        self.set_shading_mode(NEURON)
        for box in boxes:
            box.blockSignals(False)
        self._shading_changed()

    def _neuron_clicked(self, item: QListWidgetItem) -> None:
        layer, unit = item.data(Qt.ItemDataRole.UserRole)
        self.pick_unit(layer, unit)

    def _toggled(self, on: bool) -> None:
        for w in (self.shading, self.layer, self.neuron, self.neurons):
            w.setEnabled(on)
        if not on:
            self.view = self.events_view = None
            self.colors = None
            self.summary.setText("Turn the eye on to see what the model expects at every "
                                 "character of the tune.")
            self.cursor_line.clear()
            self.strip.set_view(None, None)
            self.events.set_guesses([])
            self.events_title.setText("Turn the eye on to see what the model expects at "
                                      "the roll's cursor.")
            self.events_summary.clear()
            self.show_message("")
        self.enabledChanged.emit(on)
        self.shadingChanged.emit()

    def _shading_changed(self, *_args) -> None:
        self.colors = self._colors()
        self._show_cursor()
        self.shadingChanged.emit()

    def _colors(self):
        layer, unit = self.unit()
        return text_colors(self.view, self.shading_mode(), layer, unit) if self.enabled else None

    # --- what is shown -----------------------------------------------------------------
    def set_model(self, name: str | None, reads_text: bool) -> None:
        """The model looked through; ``reads_text`` for a folk (ABC) model."""
        self._model = name or ""
        self.model_label.setText(f"Model: {name}" if name else "No model is installed.")
        self.pages.setCurrentIndex(0 if reads_text else 1)
        self.view = self.events_view = None
        self.colors = None
        self.neurons.clear()
        self.show_message("")
        if self.enabled:
            self.summary.setText("Reading the tune\u2026" if reads_text else "")
            self.cursor_line.clear()
            self.strip.set_view(None, None)
            self.events.set_guesses([])
        self.shadingChanged.emit()

    def show_text(self, view, seconds: float) -> None:
        """Show ``view`` (read in ``seconds``)."""
        self.view = view
        self.show_message("")
        self.layer.setMaximum(max(0, view.layers - 1))
        self.neuron.setMaximum(max(0, view.units - 1))
        ranked = view.most_active(MOST_VARYING)
        self.neurons.clear()
        for layer, unit, std in ranked:
            item = QListWidgetItem(f"layer {layer}, neuron {unit}   \u00b1{std:.2f}")
            item.setData(Qt.ItemDataRole.UserRole, (layer, unit))
            self.neurons.addItem(item)
        if self._picked_for != self._model and ranked:
            self._picked_for = self._model
            layer, unit = ranked[0][:2]
            if self._restored_unit is not None and self._restored_unit[0] == self._model:
                layer, unit = self._restored_unit[1:]  # the neuron chosen last time
            for box, v in ((self.layer, layer), (self.neuron, unit)):
                box.blockSignals(True)
                box.setValue(v)
                box.blockSignals(False)
        n = len(view.text)
        bpc = f"{view.bits_per_char:.2f} bits per character" if n else "nothing to read"
        self.summary.setText(f"{n:,} characters, {bpc}, read in {seconds * 1000:.0f} ms")
        self.summary.setToolTip(
            "Bits: how surprised the model is by each character (1 bit: a 50:50 guess). "
            + (f"This update read again from character {view.recomputed_from + 1}."
               if view.recomputed_from < n else "Nothing had changed."))
        self._shading_changed()

    def set_cursor(self, position: int) -> None:
        """The editor's cursor (a character offset in the tune's text)."""
        if position != self.cursor:
            self.cursor = position
            self._show_cursor()

    def _show_cursor(self) -> None:
        view = self.view
        i = char_at_cursor(view.text, self.cursor) if view is not None else None
        if i is None:
            self.cursor_line.setText("")
            self.strip.set_view(None, None)
            return
        layer, unit = self.unit()
        neuron = self.shading_mode() == NEURON
        self.cursor_line.setText(describe_char(view, i, layer if neuron else None,
                                               unit if neuron else None))
        self.strip.set_view(view, i, self.colors)
        column = self.strip.cursor_column() or 0
        x = self.strip.column_x(column)
        self.strip_area.ensureVisible(x, 0, self.strip_area.width() // 2, 0)

    def show_events(self, view, seconds: float) -> None:
        """Show the MIDI model's guesses at the roll's cursor."""
        self.events_view = view
        self.show_message("")
        self.events_title.setText("What the model would write next at the cursor:")
        self.events.set_guesses(view.guesses)
        if view.events:
            self.events_summary.setText(f"{len(view.events):,} events read before it, "
                                        f"{view.bits_per_event:.2f} bits each, in "
                                        f"{seconds * 1000:.0f} ms")
        else:
            self.events_summary.setText("Nothing read before it.")

    def show_tick_hint(self) -> None:
        """The roll's cursor is at the start: nothing to guess from."""
        self.events_view = None
        self.events.set_guesses([])
        self.events_title.setText(TICK_ZERO_HINT)
        self.events_summary.clear()

    def show_failure(self, message: str) -> None:
        """The model could not read: say why, and show no stale numbers."""
        self.view = self.events_view = None
        self.colors = None
        self.neurons.clear()
        self.summary.clear()
        self.cursor_line.clear()
        self.strip.set_view(None, None)
        self.events.set_guesses([])
        self.events_summary.clear()
        self.show_message(message)
        self.shadingChanged.emit()

    def show_message(self, message: str) -> None:
        """A problem in plain words (``""`` hides it)."""
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def surprise_on(self) -> bool:
        return self.enabled and self.shading_mode() == SURPRISE
