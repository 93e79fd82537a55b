"""The generation panel: which model, how to sample, how many takes and bars.

It reads model cards only (the registry's listing, no torch) and builds
:class:`~composer.generation.request.Sampling` and request options for the window.
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer.generation.request import Sampling
from composer.ui.settings import value

MAX_SEED = 2**31 - 1


def format_size(size_bytes: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size_bytes < 1024 or unit == "GB":
            return f"{size_bytes:.0f} {unit}" if unit == "bytes" else f"{size_bytes:.1f} {unit}"
        size_bytes /= 1024
    return ""


def card_html(info) -> str:
    """A model card (:class:`~composer.generation.registry.ModelInfo`) as short HTML:
    description, network, training data, training, size, figures, licence; or why the
    model cannot be used."""
    if info is None:
        return ("<i>No model installed.</i> Put a model folder in the project's "
                "<tt>models/</tt> or your models folder to continue music.")
    card = info.card
    esc = html.escape
    kind = info.model_kind
    title = (card.title if card is not None and card.title else info.name)
    parts = [f"<b>{esc(title)}</b>"]
    if info.problem:
        parts.append(f"<span style='color:#a00000'>{esc(info.problem)}</span>")
    if info.description:
        parts.append(esc(info.description))
    rows = []
    if card is not None:
        network = card.layers_text()
        if network:
            rows.append(("Model", network + (f" ({kind.title})" if kind else "")))
        if card.data:
            rows.append(("Data", _data(card.data)))
        t = card.training
        if t.steps:
            minutes = t.seconds / 60
            words = f"{t.steps} steps" + (f", {minutes:.0f} min" if minutes else "")
            if t.processes > 1:
                words += f" on {t.processes} processes"
            if t.base:
                words += f", fine-tuned from {t.base}"
            rows.append(("Training", words))
    rows.append(("Size", format_size(info.size_bytes)))
    if card is not None:
        valid = card.valid_metric
        if valid is not None:
            unit = f" {kind.metric_words}" if kind and valid[0] == kind.metric else ""
            rows.append(("valid", f"{valid[1]:.3f}{unit}"))
        rows += [(split, _metric(result)) for split, result in
                 list(card.evaluations.items())[:4]]
        lic = card.licence
        licence = "; ".join(x for x in (lic.attribution, lic.data_licence,
                                        lic.weights_licence) if x)
        if licence:
            rows.append(("Licence", licence))
    table = "".join(f"<tr><td style='color:#666;padding-right:6px'>{esc(str(k))}</td>"
                    f"<td>{esc(str(v))}</td></tr>" for k, v in rows)
    return "<br>".join(parts) + f"<table>{table}</table>"


def _data(data) -> str:
    """Training data in a few words (file lists become a count and their folder)."""
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        return ", ".join(map(str, data[:4])) + (f" (+{len(data) - 4})" if len(data) > 4 else "")
    if not isinstance(data, dict):
        return str(data)
    words = []
    files = data.get("files")
    if isinstance(files, list) and files:
        folders = {Path(str(f)).parent.parent.name or Path(str(f)).parent.name for f in files}
        words.append(f"{len(files)} files ({', '.join(sorted(folders))})")
    extra = data.get("extra_files")
    if isinstance(extra, dict) and extra:  # files per collection
        words.append("with " + ", ".join(Path(str(k)).name for k in sorted(extra)))
    for key, v in data.items():
        if key == "out_of_key_rate" and isinstance(v, (int, float)):
            words.append(f"{v:.1%} of notes out of key")
        elif key != "files" and isinstance(v, (int, float)) and not isinstance(v, bool):
            words.append(f"{v:,} {key.replace('_', ' ')}")
    return "; ".join(words) or ", ".join(f"{k}: {v}" for k, v in data.items()
                                        if isinstance(v, str))


def _metric(v) -> str:
    """A metric in a few words; an evaluation (``composer eval --write-card``) as its
    headline numbers: \"1.16 bits/char on 47 tunes; 47/47 samples read back, 1477/1477
    bars exact\"."""
    if not isinstance(v, dict):
        return _fmt(v)
    words = []
    if isinstance(v.get("bits_per_char"), int | float):
        words.append(f"{v['bits_per_char']:.3f} bits/char on {v.get('tunes', '?')} tunes")
    if isinstance(v.get("nll_per_token"), int | float):
        words.append(f"{v['nll_per_token']:.3f} nats/token on {v.get('pieces', '?')} pieces")
    if isinstance(v.get("frame_nll"), int | float):
        words.append(f"{v['frame_nll']:.2f} nats/frame")
    samples = v.get("samples")
    if isinstance(samples, dict) and samples.get("n"):
        words.append(f"{samples.get('parsed', 0)}/{samples['n']} samples read back, "
                     f"{samples.get('bars_correct_length', 0)}/{samples.get('bars', 0)} bars "
                     "exact")
    return "; ".join(words) or _fmt({k: x for k, x in v.items() if k != "evaluated_with"})


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_fmt(x)}" for k, x in v.items())
    return str(v)


class GenerationPanel(QWidget):
    """See the module docstring. ``continueClicked()`` and ``stopClicked()`` come
    from its buttons; ``modelChanged(str)`` when another model is picked."""

    continueClicked = Signal()
    stopClicked = Signal()
    modelChanged = Signal(str)

    def __init__(self, registry, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("generationPanel")
        self.registry = registry
        self._infos = []
        self.model = QComboBox()
        self.model.setToolTip("The model that writes the continuation")
        self.card = QLabel()
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setObjectName("modelCard")
        self.card.setStyleSheet("QLabel#modelCard { background: palette(base); padding: 6px;"
                                " border: 1px solid palette(mid); border-radius: 3px; }")
        self.temperature = QDoubleSpinBox(decimals=2, minimum=0.05, maximum=2.5,
                                          singleStep=0.05, value=1.0)
        self.temperature.setToolTip("Lower: safer, more predictable; higher: more adventurous")
        self.top_k = QSpinBox(minimum=0, maximum=500, value=0, specialValueText="off")
        self.top_k.setToolTip("Sample only from the k likeliest tokens (off: all)")
        self.top_p = QDoubleSpinBox(decimals=2, minimum=0.05, maximum=1.0, singleStep=0.05,
                                    value=0.95)
        self.top_p.setToolTip("Sample only from the likeliest tokens covering this "
                              "probability (1.00: off)")
        self.variations = QSpinBox(minimum=1, maximum=8, value=3)
        self.variations.setToolTip("How many takes to write at once")
        self.seed = QSpinBox(minimum=0, maximum=MAX_SEED, value=random.randint(0, 99999))
        self.seed.setToolTip("The same seed and settings write the same takes")
        self.new_seed = QPushButton("New seed")
        self.new_seed.clicked.connect(self.roll_seed)
        self.fresh_seed = QCheckBox("New seed each time")
        self.fresh_seed.setChecked(True)
        self.bars = QSpinBox(minimum=1, maximum=64, value=4, suffix=" bars")
        self.bars.setToolTip("Bars to add with Continue (Ctrl+Enter)")
        self.mode = QComboBox()
        self.mode.addItem("Replace what follows", "replace")
        self.mode.addItem("Insert (move later music right)", "insert")
        self.context = QCheckBox("Use the music before the selection as context")
        self.continue_button = QPushButton("Continue")
        self.continue_button.setToolTip("Continue the selection (Ctrl+Enter)")
        self.continue_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.continue_button.clicked.connect(self.continueClicked)
        self.stop_button.clicked.connect(self.stopClicked)

        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_seed)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Temperature", self.temperature)
        form.addRow("Top-k", self.top_k)
        form.addRow("Top-p", self.top_p)
        form.addRow("Takes", self.variations)
        form.addRow("Seed", seed_row)
        form.addRow("", self.fresh_seed)
        form.addRow("Add", self.bars)
        form.addRow("Mode", self.mode)
        buttons = QHBoxLayout()
        buttons.addWidget(self.continue_button, 1)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        self.rescan = QToolButton()
        self.rescan.setText("\u21bb")
        self.rescan.setToolTip("Look for installed models again")
        self.rescan.clicked.connect(self.refresh_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.rescan)
        layout.addWidget(QLabel("Model"))
        layout.addLayout(model_row)
        layout.addWidget(self.card)
        layout.addLayout(form)
        layout.addWidget(self.context)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.model.currentIndexChanged.connect(self._model_picked)
        self.refresh_models()

    # --- models ------------------------------------------------------------------------
    def refresh_models(self) -> None:
        """List the installed models again (cards only)."""
        current = self.model_name()
        try:
            self._infos = self.registry.list()
        except OSError:
            self._infos = []
        self.model.blockSignals(True)
        self.model.clear()
        for info in self._infos:
            label = info.name if not info.problem else f"{info.name} (unusable)"
            self.model.addItem(label, info.name)
        names = [i.name for i in self._infos]
        default = self.registry.default_name() if hasattr(self.registry, "default_name") else None
        pick = current if current in names else default
        if pick in names:
            self.model.setCurrentIndex(names.index(pick))
        self.model.blockSignals(False)
        self._model_picked()

    def model_name(self) -> str | None:
        return self.model.currentData()

    def model_info(self):
        name = self.model_name()
        return next((i for i in self._infos if i.name == name), None)

    def select_model(self, name: str) -> None:
        i = self.model.findData(name)
        if i >= 0:
            self.model.setCurrentIndex(i)

    def _model_picked(self, *_args) -> None:
        info = self.model_info()
        self.card.setText(card_html(info))
        if info is not None:
            self.modelChanged.emit(info.name)

    # --- sampling ----------------------------------------------------------------------
    def roll_seed(self) -> int:
        self.seed.setValue(random.randint(0, MAX_SEED))
        return self.seed.value()

    def sampling(self) -> Sampling:
        """The sampling settings for the next request (a fresh seed first when
        "New seed each time" is on)."""
        if self.fresh_seed.isChecked():
            self.roll_seed()
        return Sampling(temperature=self.temperature.value(), top_k=self.top_k.value(),
                        top_p=self.top_p.value(), seed=self.seed.value())

    def mode_name(self) -> str:
        return self.mode.currentData()

    def set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)

    # --- persistence -------------------------------------------------------------------
    def save(self, s) -> None:
        s.setValue("generation/model", self.model_name() or "")
        s.setValue("generation/temperature", self.temperature.value())
        s.setValue("generation/top_k", self.top_k.value())
        s.setValue("generation/top_p", self.top_p.value())
        s.setValue("generation/variations", self.variations.value())
        s.setValue("generation/seed", self.seed.value())
        s.setValue("generation/fresh_seed", self.fresh_seed.isChecked())
        s.setValue("generation/bars", self.bars.value())
        s.setValue("generation/mode", self.mode_name())
        s.setValue("generation/context", self.context.isChecked())

    def restore(self, s) -> None:
        model = value(s, "generation/model", "")
        if model:
            self.select_model(model)
        self.temperature.setValue(value(s, "generation/temperature", self.temperature.value()))
        self.top_k.setValue(value(s, "generation/top_k", self.top_k.value()))
        self.top_p.setValue(value(s, "generation/top_p", self.top_p.value()))
        self.variations.setValue(value(s, "generation/variations", self.variations.value()))
        self.seed.setValue(value(s, "generation/seed", self.seed.value()))
        self.fresh_seed.setChecked(value(s, "generation/fresh_seed", True))
        self.bars.setValue(value(s, "generation/bars", self.bars.value()))
        i = self.mode.findData(value(s, "generation/mode", "replace"))
        self.mode.setCurrentIndex(max(i, 0))
        self.context.setChecked(value(s, "generation/context", False))
