"""The model kinds Composer runs and trains: one table that generation, training, the
CLI and the window all read (mido's ``messages/specs.py`` is the model: one table,
everything else looks things up in it).

A :class:`ModelKind` says, for the ``kind`` a model card names: the network class and
its vocabulary class (which rebuild the model from its folder), the codec loader
(how the continuation engine sees a score through this model), the training recipe
(data, batches, loss on the one training loop), the presets ``composer train`` knows
for it, what data it learns from, and the figure it is chosen on.

References are ``"module:attribute"`` strings resolved on first use, so reading the
table imports neither torch nor the training code (the window lists models at
start-up without either). **Adding a kind** is one row here plus the modules it names:
a network in ``composer/nn``, a folder ``composer/generation/<kind>/`` with its codec
(``load_model(folder, card) -> (step_model, codec)``), and a recipe module in
``composer/training`` (``RECIPE``, see :mod:`composer.training.recipe`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from composer.generation.errors import GenerationError


def resolve(reference: str) -> Any:
    """The object a ``"module:attribute"`` reference names."""
    module, _, attr = reference.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class ModelKind:
    """One row of the table (see the module docstring)."""

    name: str
    """The ``kind`` of a model card."""
    title: str
    """What the kind is, in a few words (the window, ``composer models``)."""
    network: str
    vocabulary: str | None
    codec: str
    recipe: str
    data: str
    """What it learns from: ``"abc"`` (tunes as text) or ``"midi"`` (MIDI files)."""
    presets: tuple[str, ...]
    """``composer train --preset`` names of this kind; the first is its default."""
    metric: str
    """The card's validation figure (lower is better)."""
    metric_words: str
    model: str = ""
    """The name of the model of this kind Composer ships (its folder in ``models/``)."""

    def network_class(self) -> type:
        return resolve(self.network)

    def vocab_class(self) -> type | None:
        return resolve(self.vocabulary) if self.vocabulary else None

    def load_model(self, folder, card) -> tuple[Any, Any]:
        """``(step_model, codec)`` of the model folder ``folder`` (its card ``card``)."""
        return resolve(self.codec)(folder, card)

    def recipe_module(self):
        """The training recipe's module (it defines ``RECIPE`` and ``PRESETS``)."""
        return importlib.import_module(self.recipe.partition(":")[0])


FOLK_ABC = ModelKind(
    name="folk-abc",
    title="character LSTM on ABC tunes",
    network="composer.nn.char_lstm:CharLSTM",
    vocabulary="composer.nn.vocab:CharVocab",
    codec="composer.generation.folk.codec:load_model",
    recipe="composer.training.folk:make_recipe",
    data="abc",
    presets=("folk", "char-rnn", "window-lstm"),
    metric="valid_bits_per_char",
    metric_words="bits per character",
    model="folk-abc",
)
MACNET = ModelKind(
    name="macnet",
    title="MAC-Net: melody and accompaniment on a beat grid (GRU)",
    network="composer.nn.macnet:MacNet",
    vocabulary="composer.generation.macnet.vocab:MacnetVocab",
    codec="composer.generation.macnet.codec:load_model",
    recipe="composer.training.macnet:make_recipe",
    data="midi",
    presets=("macnet-folk",),
    metric="valid_nll_per_token",
    metric_words="nats per token",
    model="macnet-folk",
)
PIANO_LSTM = ModelKind(
    name="piano-lstm",
    title="piano note/chord LSTM with attention",
    network="composer.nn.piano_lstm:PianoLSTM",
    vocabulary="composer.generation.piano.events:PianoVocab",
    codec="composer.generation.piano.codec:load_model",
    recipe="composer.training.piano:make_recipe",
    data="midi",
    presets=("piano-lstm",),
    metric="valid_nll_per_token",
    metric_words="nats per token",
    model="piano-lstm",
)

KINDS: dict[str, ModelKind] = {k.name: k for k in (FOLK_ABC, MACNET, PIANO_LSTM)}
"""Every kind, by the name a card gives."""
DEFAULT_KIND = FOLK_ABC
"""The kind of the default model (the window and the CLI use its shipped model)."""


class UnknownKindError(GenerationError):
    """A card names a kind this version of Composer does not know."""


def model_kind(name: str) -> ModelKind:
    """The kind ``name``; raises :class:`UnknownKindError` naming the known ones."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKindError(f"a model of kind {name!r}, which this version of Composer "
                               f"cannot run (it knows {', '.join(sorted(KINDS))})") from None


def kind_of_preset(preset: str) -> ModelKind:
    """The kind whose recipe has the training preset ``preset``."""
    for kind in KINDS.values():
        if preset in kind.presets:
            return kind
    known = ", ".join(p for k in KINDS.values() for p in k.presets)
    raise UnknownKindError(f"unknown preset {preset!r} (choose from {known})")

