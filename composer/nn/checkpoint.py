"""Model folders: weights in safetensors, everything else in JSON. Nothing is unpickled.

A model folder holds::

    model.safetensors   the weights (tensor name -> tensor)
    card.json           the :class:`~composer.nn.card.ModelCard`: kind, architecture
                        (class and config), files, training, data, metrics, licence
    vocab.json          the vocabulary, when the kind has one

:func:`save` and :func:`load` work for every model kind: the caller names the network
class (which names its ``config_class``) and the vocabulary class, as the kinds table
says (:func:`composer.generation.kinds.load_checkpoint` looks them up by the card).
Loading checks the card against its schema, every tensor's name, shape and values
against the model the config builds, and the vocabulary's size against the config,
and raises :class:`~composer.nn.errors.ModelFileError` or
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
from composer.nn.card import CARD, CardError, ModelCard, read_card
from composer.nn.errors import IncompatibleModelError, ModelError, ModelFileError

WEIGHTS = "model.safetensors"
VOCAB = "vocab.json"
FORMAT = "composer-model/1"


@dataclass
class Checkpoint:
    """A loaded model folder: ``model`` is in eval mode on the CPU."""

    path: Path
    kind: str
    config: Any
    card: ModelCard
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


def write_card(directory: str | Path, card: ModelCard) -> None:
    """Write ``card`` into the model folder ``directory``, atomically."""
    _write(Path(directory) / CARD,
           json.dumps(card.to_json(), ensure_ascii=False, indent=2) + "\n")


def save(directory: str | Path, model: nn.Module, config: Any, vocab: Any,
         card: ModelCard | dict) -> Path:
    """Write ``model`` (built from ``config``), ``vocab`` and ``card`` (its architecture
    and file names filled in here; a dict is read as a card) into ``directory``
    (created if needed)."""
    directory = Path(directory)
    if isinstance(card, dict):
        try:
            card = ModelCard.from_json(card)
        except CardError as e:
            raise ModelFileError(directory / CARD, f"not a model card: {e.reason}") from None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelFileError(directory, f"cannot create the model folder ({e.strerror})") from None
    card = card.replace(architecture=type(model).__name__, config=config.to_json(),
                        vocab=VOCAB if vocab is not None else None, weights=WEIGHTS)
    save_weights(directory / WEIGHTS, model.state_dict())
    if vocab is not None:
        _write(directory / VOCAB, json.dumps(vocab.to_json(), ensure_ascii=False, indent=1))
    write_card(directory, card)
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
        if not bool(torch.isfinite(tensors[name]).all()):
            raise ModelFileError(path, f"weight {name!r} holds NaN or infinite values: "
                                       "the file is damaged, or the training diverged")


def load(directory: str | Path, network: type[nn.Module], vocab_class: type | None,
         kind: str | None = None) -> Checkpoint:
    """Load a model folder written by :func:`save` as a ``network`` (its vocabulary a
    ``vocab_class``, or none). ``kind``, if given, must match the card's. The card's
    config is checked before the network is built, and the weights' names, shapes and
    values (finite) before they are loaded. Raises :class:`ModelError` subclasses,
    never unpickles."""
    directory = Path(directory)
    card = read_card(directory)
    if kind is not None and card.kind != kind:
        raise IncompatibleModelError("model kind", repr(kind), repr(card.kind))
    if not card.config:
        raise ModelFileError(directory / CARD, "model card has no architecture config")
    if card.architecture != network.__name__:
        raise IncompatibleModelError("model class", network.__name__, repr(card.architecture))
    try:
        config = network.config_class.from_json(card.config)
    except (TypeError, ValueError, KeyError) as e:
        raise ModelFileError(directory / CARD, f"model card's architecture config does not "
                                               f"fit a {network.__name__} ({e})") from None
    vocab = None
    if vocab_class is not None:
        name = card.vocab or VOCAB
        if "/" in name or "\\" in name:
            raise ModelFileError(directory / CARD, "model card names no valid vocabulary file")
        vocab = vocab_class.load(directory / name)
        if len(vocab) != config.vocab_size:
            raise IncompatibleModelError("vocabulary size", config.vocab_size, len(vocab),
                                         "vocab.json does not belong to these weights")
    if not card.weights.endswith(".safetensors") or "/" in card.weights:
        raise ModelFileError(directory / card.weights,
                             "Composer loads only .safetensors weights (never pickles)")
    tensors = load_weights(directory / card.weights)
    try:
        model = network(config)
    except (ValueError, RuntimeError) as e:
        raise IncompatibleModelError("model config", "a buildable architecture", str(e)) from None
    _check_state(model, tensors, directory / card.weights)
    model.load_state_dict(tensors)
    model.eval()
    return Checkpoint(directory, card.kind, config, card, model, vocab)


__all__ = ["Checkpoint", "ModelError", "load", "load_weights", "read_card", "save",
           "save_weights", "write_card"]


def record_metrics(directory: str | Path, key: str, result: dict, settings: dict) -> None:
    """Merge an evaluation ``result`` (and the ``settings`` it was made with) into the
    card of the model folder ``directory`` as ``metrics[key]``, atomically."""
    card = read_card(directory)
    value = dict(result, evaluated_with=settings) if settings else dict(result)
    write_card(directory, card.replace(metrics={**card.metrics, key: value}))
