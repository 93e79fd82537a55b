"""The model card: what a model folder says about itself (``card.json``), as one typed,
versioned record that generation, training, the CLI and the window all read.

A card names the model's kind (a row of :data:`composer.generation.kinds.KINDS`), its
architecture (class and config, which rebuild the network), its files (weights in
safetensors, the vocabulary in JSON), how it was trained (settings, steps, seconds,
machine, processes, the model it was fine-tuned from), on what data (a description,
counts), its metrics (the validation figure chosen on, and evaluations such as
``test``), and its licences (data, weights, attribution). Keys a card carries beyond
these stay as they are (:attr:`ModelCard.extra`).

Versions: ``composer-model/2`` is written; ``composer-model/1`` cards (the same fields,
``license`` or ``licence``, loose types) load. :func:`card_schema` gives the JSON
Schema; :meth:`ModelCard.from_json` checks a card against it (types, not values) and
raises :class:`CardError` naming the field. No torch here: the window lists models
without loading a network.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.nn.errors import ModelFileError

CARD = "card.json"
"""The card's file name in a model folder."""
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")
FORMAT = "composer-model/2"
"""The card format written."""
FORMATS = ("composer-model/1", FORMAT)
"""Card formats read."""
MAX_DEPTH = 32
"""Deepest nesting of objects and lists a card may have (a deeper one is refused)."""


class CardError(ValueError):
    """A card that does not fit the schema: ``reason`` names the field."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Licence:
    """Where the training data came from and under which terms, in words."""

    data: str = ""
    """The data: its name, authors, source."""
    data_licence: str = ""
    extra_data: str = ""
    """Other collections trained on (for training only), with their terms."""
    weights_licence: str = ""
    attribution: str = ""
    """What to credit wherever the model is shipped or described."""


@dataclass(frozen=True)
class Training:
    """How the weights were made. Times in seconds (wall clock; ``cpu_seconds`` the
    process's CPU time), ``steps`` the step of the weights kept (the best on ``valid``),
    ``processes`` the number of training processes (torchrun's world size)."""

    preset: str = ""
    config: dict = field(default_factory=dict)
    """The run's settings (the recipe's; rebuilds the run)."""
    steps: int = 0
    steps_run: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    seconds_to_best: float = 0.0
    threads: int = 0
    processes: int = 1
    base: str = ""
    """The model these weights were fine-tuned from (its name), or ``""``."""
    machine: dict = field(default_factory=dict)
    history: tuple = ()
    """Evaluations during the run: dicts with ``step``, ``elapsed_s``, losses."""
    extra: dict = field(default_factory=dict)
    """Other figures of the run (tokens seen, ...)."""


@dataclass(frozen=True)
class ModelCard:
    """A model folder's card (see the module docstring)."""

    kind: str
    name: str = ""
    title: str = ""
    description: str = ""
    architecture: str = ""
    """The network's class name."""
    config: dict = field(default_factory=dict)
    """The network's config (``to_json`` of its config class)."""
    vocab: str | None = "vocab.json"
    weights: str = "model.safetensors"
    training: Training = field(default_factory=Training)
    data: dict = field(default_factory=dict)
    """The training data described: files or folders, split file and split names,
    counts (``train_tunes``, ``valid_pieces`` ...), cleaning, rates."""
    metrics: dict = field(default_factory=dict)
    """The validation figure (``valid_bits_per_char`` or ``valid_nll_per_token``) and
    evaluations by name (``test``: a dict of figures and the settings used)."""
    licence: Licence = field(default_factory=Licence)
    extra: dict = field(default_factory=dict)
    format: str = FORMAT

    # --- reading and writing -------------------------------------------------------------
    @classmethod
    def from_json(cls, data: Any) -> ModelCard:
        """A card from its parsed JSON (either format); raises :class:`CardError`."""
        if not isinstance(data, dict):
            raise CardError("the card is not a JSON object")
        _check_depth(data)
        data = dict(data)
        fmt = data.pop("format", FORMATS[0])
        if fmt not in FORMATS:
            raise CardError(f"format {fmt!r} is not one this version of Composer reads "
                            f"({', '.join(FORMATS)})")
        kind = _text(data.pop("kind", None), "kind")
        if not kind:
            raise CardError("kind: the card does not say which kind of model it is")
        arch = data.pop("architecture", {}) or {}
        if not isinstance(arch, dict):
            raise CardError("architecture: expected an object with class and config")
        licence = data.pop("licence", None) or data.pop("license", None) or {}
        data.pop("license", None)
        if isinstance(licence, str):
            licence = {"weights_licence": licence}
        training = data.pop("training", {}) or {}
        if not isinstance(training, dict):
            raise CardError("training: expected an object")
        vocab = data.pop("vocab", "vocab.json")
        card = cls(
            kind=kind,
            name=_text(data.pop("name", ""), "name"),
            title=_text(data.pop("title", ""), "title"),
            description=_text(data.pop("description", ""), "description"),
            architecture=_text(arch.get("class", ""), "architecture.class"),
            config=_object(arch.get("config", {}), "architecture.config"),
            vocab=None if vocab is None else _text(vocab, "vocab"),
            weights=_text(data.pop("weights", "model.safetensors"), "weights"),
            training=_training(training, data.pop("preset", None)),
            data=_object(data.pop("data", {}), "data"),
            metrics=_object(data.pop("metrics", {}), "metrics"),
            licence=_licence(licence),
            extra=data,
            format=fmt,
        )
        return card

    def to_json(self) -> dict:
        """The card as JSON, in the current format (unknown keys kept)."""
        t = self.training
        training = {"preset": t.preset, "config": t.config, "steps": t.steps,
                    "steps_run": t.steps_run, "seconds": t.seconds,
                    "cpu_seconds": t.cpu_seconds, "seconds_to_best": t.seconds_to_best,
                    "threads": t.threads, "processes": t.processes, "base": t.base,
                    "machine": t.machine, **t.extra}
        if t.history:
            training["history"] = list(t.history)
        out = {"format": FORMAT, "kind": self.kind, "name": self.name, "title": self.title,
               "description": self.description,
               "architecture": {"class": self.architecture, "config": self.config},
               "vocab": self.vocab, "weights": self.weights, "training": training,
               "data": self.data, "metrics": self.metrics,
               "licence": {k: v for k, v in dataclasses.asdict(self.licence).items() if v}}
        for k, v in self.extra.items():
            out.setdefault(k, v)
        return out

    def replace(self, **changes) -> ModelCard:
        return dataclasses.replace(self, **changes)

    # --- what the window and the CLI show ------------------------------------------------
    @property
    def valid_metric(self) -> tuple[str, float] | None:
        """The validation figure the weights were chosen on: ``(key, value)``."""
        for key, value in self.metrics.items():
            if key.startswith("valid_") and isinstance(value, int | float):
                return key, float(value)
        return None

    @property
    def evaluations(self) -> dict[str, dict]:
        """Evaluations recorded on the card (``composer eval --write-card``), by split."""
        return {k: v for k, v in self.metrics.items() if isinstance(v, dict)}

    def layers_text(self) -> str:
        """The network in a few words: ``"CharLSTM 3x512"``."""
        c = self.config
        shape = f" {c['layers']}\u00d7{c['hidden']}" if c.get("layers") and c.get("hidden") else ""
        return f"{self.architecture}{shape}".strip()


# --- checks --------------------------------------------------------------------------------
def _check_depth(value: Any, depth: int = 0) -> None:
    """Refuse a card nested deeper than :data:`MAX_DEPTH` (iteratively: a card nested
    100,000 deep must not exhaust the stack)."""
    stack = [(value, depth)]
    while stack:
        item, d = stack.pop()
        if d > MAX_DEPTH:
            raise CardError(f"the card is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CardError(f"{where}: expected text, found {type(value).__name__}")
    return value


def _object(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CardError(f"{where}: expected an object, found {type(value).__name__}")
    return value


def _number(value: Any, where: str, kind=float):
    if value is None:
        return kind(0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CardError(f"{where}: expected a number, found {type(value).__name__}")
    return kind(value)


def _training(data: dict, preset: Any) -> Training:
    data = dict(data)
    known = {f.name for f in dataclasses.fields(Training)} - {"extra"}
    history = data.pop("history", ()) or ()
    if not isinstance(history, list | tuple):
        raise CardError("training.history: expected a list")
    values = {k: data.pop(k) for k in list(data) if k in known}
    return Training(
        preset=_text(values.get("preset", preset), "training.preset"),
        config=_object(values.get("config"), "training.config"),
        steps=_number(values.get("steps"), "training.steps", int),
        steps_run=_number(values.get("steps_run"), "training.steps_run", int),
        seconds=_number(values.get("seconds"), "training.seconds"),
        cpu_seconds=_number(values.get("cpu_seconds"), "training.cpu_seconds"),
        seconds_to_best=_number(values.get("seconds_to_best"), "training.seconds_to_best"),
        threads=_number(values.get("threads"), "training.threads", int),
        processes=_number(values.get("processes", 1), "training.processes", int) or 1,
        base=_text(values.get("base"), "training.base"),
        machine=_object(values.get("machine"), "training.machine"),
        history=tuple(history),
        extra=data,
    )


def _licence(data: Any) -> Licence:
    if not isinstance(data, dict):
        raise CardError("licence: expected an object")
    known = {f.name for f in dataclasses.fields(Licence)}
    return Licence(**{k: _text(v, f"licence.{k}") for k, v in data.items() if k in known})


def card_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a ``composer-model/2`` card."""
    text = {"type": "string"}
    number = {"type": "number"}
    obj = {"type": "object"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Composer model card",
        "type": "object",
        "required": ["format", "kind", "architecture", "weights"],
        "properties": {
            "format": {"enum": list(FORMATS)},
            "kind": text, "name": text, "title": text, "description": text,
            "architecture": {"type": "object", "required": ["class", "config"],
                             "properties": {"class": text, "config": obj}},
            "vocab": {"type": ["string", "null"]},
            "weights": {"type": "string", "pattern": r"\.safetensors$"},
            "training": {"type": "object", "properties": {
                "preset": text, "config": obj, "steps": {"type": "integer"},
                "steps_run": {"type": "integer"}, "seconds": number, "cpu_seconds": number,
                "seconds_to_best": number, "threads": {"type": "integer"},
                "processes": {"type": "integer", "minimum": 1}, "base": text,
                "machine": obj, "history": {"type": "array", "items": obj}}},
            "data": obj,
            "metrics": obj,
            "licence": {"type": "object", "properties": {
                f.name: text for f in dataclasses.fields(Licence)}},
        },
    }


def read_card(directory: str | Path) -> ModelCard:
    """The card of a model folder, checked against the schema; raises
    :class:`~composer.nn.errors.ModelFileError` with the reason."""
    directory = Path(directory)
    path = directory / CARD
    if not directory.is_dir():
        raise ModelFileError(directory, "model folder not found")
    if not path.is_file():
        pickles = [p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES]
        hint = (f"; {', '.join(pickles)} look like pickles, which Composer never loads"
                if pickles else "")
        raise ModelFileError(path, f"model card is missing: no card.json{hint}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise ModelFileError(path, "model card is nested too deep to read") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ModelFileError(path, f"model card is unreadable ({e})") from None
    try:
        return ModelCard.from_json(data)
    except CardError as e:
        raise ModelFileError(path, f"model card does not fit its schema: {e.reason}") from None
