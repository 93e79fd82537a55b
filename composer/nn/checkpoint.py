"""Model folders: weights in safetensors, everything else in JSON. Nothing is unpickled.

A model folder holds::

    model.safetensors   the weights (tensor name -> tensor)
    card.json           {"format", "kind", "architecture": {"class", "config"},
                         "vocab": "vocab.json" or null, "weights": "model.safetensors",
                         ...data, split, metrics, training time, machine, licence}
    vocab.json          the vocabulary, when the kind has one

:func:`save` and :func:`load` work for every model kind: :data:`KINDS` maps a kind
(``card["kind"]``) to its model class (which names its ``config_class``) and its
vocabulary class. Loading checks every tensor's name and shape against the model the
config builds, and the vocabulary's size against the config, and raises
:class:`~composer.nn.errors.ModelFileError` or
:class:`~composer.nn.errors.IncompatibleModelError` when they do not fit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import nn

from composer.music.atomic import atomic_write
from composer.music.errors import ScoreWriteError
from composer.nn.char_lstm import CharLSTM
from composer.nn.errors import IncompatibleModelError, ModelError, ModelFileError
from composer.nn.vocab import CharVocab

CARD = "card.json"
WEIGHTS = "model.safetensors"
VOCAB = "vocab.json"
FORMAT = "composer-model/1"
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")


@dataclass(frozen=True)
class KindSpec:
    """How to rebuild a model kind: its ``nn.Module`` class (with ``config_class``
    having ``from_json``/``to_json``) and its vocabulary class (``load``/``save``,
    ``len()``), or ``None`` when the kind has no vocabulary file."""

    model_class: type[nn.Module]
    vocab_class: type | None


KINDS: dict[str, KindSpec] = {"folk-abc": KindSpec(CharLSTM, CharVocab)}
"""Model kind -> how to rebuild it. Other kinds add themselves with :func:`register_kind`."""


def register_kind(kind: str, model_class: type[nn.Module], vocab_class: type | None) -> None:
    KINDS[kind] = KindSpec(model_class, vocab_class)


@dataclass
class Checkpoint:
    """A loaded model folder: ``model`` is in eval mode on the CPU."""

    path: Path
    kind: str
    config: Any
    card: dict
    model: nn.Module
    vocab: Any


def _write(path: Path, data: bytes | str) -> None:
    try:
        atomic_write(path, data)
    except ScoreWriteError as e:
        raise ModelFileError(path, str(e).split(": ", 1)[-1]) from None


def save_weights(path: str | Path, tensors: dict[str, torch.Tensor]) -> None:
    """Write ``tensors`` as safetensors (contiguous CPU copies), atomically."""
    flat = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    _write(Path(path), save_tensors(flat))


def load_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file; a missing, corrupt or pickled file raises
    :class:`ModelFileError`."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(path, "weights file is missing")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelFileError(path, f"weights file is unreadable ({e.strerror})") from None
    try:
        return load_tensors(data)
    except (SafetensorError, ValueError, RuntimeError) as e:
        if data[:2] == b"PK" or data[:1] == b"\x80":
            raise ModelFileError(path, "this is a pickled (torch.save) file; Composer loads "
                                       "only safetensors weights and never unpickles") from None
        raise ModelFileError(path, f"weights file is corrupt ({e})") from None


def read_card(directory: str | Path) -> dict:
    """The parsed ``card.json`` of a model folder."""
    directory = Path(directory)
    path = directory / CARD
    if not directory.is_dir():
        raise ModelFileError(directory, "model folder not found")
    if not path.is_file():
        pickles = [p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES]
        hint = (f"; {', '.join(pickles)} look like pickles, which Composer never loads"
                if pickles else "")
        raise ModelFileError(path, f"model card is missing{hint}")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ModelFileError(path, f"model card is unreadable ({e})") from None
    if not isinstance(card, dict):
        raise ModelFileError(path, "model card is not a JSON object")
    return card


def save(directory: str | Path, model: nn.Module, config: Any, vocab: Any, card: dict) -> Path:
    """Write ``model`` (built from ``config``), ``vocab`` and ``card`` (which names the
    ``kind``) into ``directory`` (created if needed). Returns the folder."""
    directory = Path(directory)
    kind = card.get("kind")
    if kind not in KINDS:
        raise IncompatibleModelError("model kind", sorted(KINDS), repr(kind))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelFileError(directory, f"cannot create the model folder ({e.strerror})") from None
    full = dict(card)
    full.update({
        "format": FORMAT,
        "kind": kind,
        "architecture": {"class": type(model).__name__, "config": config.to_json()},
        "vocab": VOCAB if vocab is not None else None,
        "weights": WEIGHTS,
    })
    save_weights(directory / WEIGHTS, model.state_dict())
    if vocab is not None:
        _write(directory / VOCAB, json.dumps(vocab.to_json(), ensure_ascii=False, indent=1))
    _write(directory / CARD, json.dumps(full, ensure_ascii=False, indent=2) + "\n")
    return directory


def _check_state(model: nn.Module, tensors: dict[str, torch.Tensor], path: Path) -> None:
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in tensors.items()}
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        found_text = "; ".join(
            part for part in (f"missing {', '.join(missing)}" if missing else "",
                              f"unexpected {', '.join(extra)}" if extra else "") if part)
        raise IncompatibleModelError(f"tensors in {path.name}", "the architecture's tensors",
                                     found_text,
                                     "the weights do not belong to this card's architecture")
    for name, shape in expected.items():
        if found[name] != shape:
            raise IncompatibleModelError(f"shape of weight {name!r}", shape, found[name],
                                         "the weights do not belong to this card's architecture")
        if not tensors[name].is_floating_point():
            raise IncompatibleModelError(f"type of weight {name!r}", "floating point",
                                         str(tensors[name].dtype))


def load(directory: str | Path, kind: str | None = None) -> Checkpoint:
    """Load a model folder written by :func:`save`. ``kind``, if given, must match the
    card's. Raises :class:`ModelError` subclasses, never unpickles."""
    directory = Path(directory)
    card = read_card(directory)
    found_kind = card.get("kind")
    if kind is not None and found_kind != kind:
        raise IncompatibleModelError("model kind", repr(kind), repr(found_kind))
    if found_kind not in KINDS:
        raise IncompatibleModelError("model kind", sorted(KINDS), repr(found_kind),
                                     "made for another version of Composer?")
    spec = KINDS[found_kind]
    arch = card.get("architecture")
    if not isinstance(arch, dict) or not isinstance(arch.get("config"), dict):
        raise ModelFileError(directory / CARD, "model card has no architecture config")
    if arch.get("class") != spec.model_class.__name__:
        raise IncompatibleModelError("model class", spec.model_class.__name__,
                                     repr(arch.get("class")))
    config = spec.model_class.config_class.from_json(arch["config"])
    vocab = None
    if spec.vocab_class is not None:
        name = card.get("vocab") or VOCAB
        if not isinstance(name, str) or "/" in name or "\\" in name:
            raise ModelFileError(directory / CARD, "model card names no valid vocabulary file")
        vocab = spec.vocab_class.load(directory / name)
        if len(vocab) != config.vocab_size:
            raise IncompatibleModelError("vocabulary size", config.vocab_size, len(vocab),
                                         "vocab.json does not belong to these weights")
    weights_name = card.get("weights") or WEIGHTS
    if not isinstance(weights_name, str) or not weights_name.endswith(".safetensors"):
        raise ModelFileError(directory / str(weights_name),
                             "Composer loads only .safetensors weights (never pickles)")
    tensors = load_weights(directory / weights_name)
    try:
        model = spec.model_class(config)
    except (ValueError, RuntimeError) as e:
        raise IncompatibleModelError("model config", "a buildable architecture", str(e)) from None
    _check_state(model, tensors, directory / weights_name)
    model.load_state_dict(tensors)
    model.eval()
    return Checkpoint(directory, found_kind, config, card, model, vocab)


__all__ = ["KINDS", "Checkpoint", "KindSpec", "ModelError", "load", "load_weights", "read_card",
           "register_kind", "save", "save_weights"]


def record_metrics(directory: str | Path, key: str, result: dict, settings: dict) -> None:
    """Merge an evaluation ``result`` (and the ``settings`` it was made with) into the
    card of the model folder ``directory`` as ``metrics[key]``, atomically."""
    card = read_card(directory)
    metrics = card.setdefault("metrics", {})
    if not isinstance(metrics, dict):
        raise ModelFileError(Path(directory) / CARD, "the card's metrics are not an object")
    metrics[key] = dict(result, evaluated_with=settings) if settings else dict(result)
    _write(Path(directory) / CARD, json.dumps(card, ensure_ascii=False, indent=2) + "\n")
