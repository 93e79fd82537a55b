"""The codec interface: how a model kind sees a :class:`Score`.

A codec turns a *seed* (the selected passage, cropped so it starts at tick 0) into prompt
tokens, and makes one :class:`Decoder` per variation that constrains and decodes the
sampled tokens back into notes. The continuation engine runs the same loop
(:func:`composer.generation.sampling.sample_stream`) for every kind; only codecs differ
(ABC characters for the folk model, event tokens for the MIDI models).

All ticks here are in *seed coordinates*: the seed starts at 0 and new music starts at
:attr:`Plan.start` (the seed's end). The :class:`Plan` (in :mod:`.plan`) lists the bars
to write one by one: their lengths, meters, keys, part labels and closing bar lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import torch

from composer.generation.plan import Plan, PlanBar
from composer.music.score import ChordSymbol, Note, Score

__all__ = ["Codec", "DecodedMusic", "Decoder", "Plan", "PlanBar"]


@dataclass(slots=True)
class DecodedMusic:
    """What a decoder has produced so far (seed coordinates)."""

    notes: dict[str, list[Note]] = field(default_factory=dict)
    chords: list[ChordSymbol] = field(default_factory=list)
    bars_done: int = 0


@runtime_checkable
class Decoder(Protocol):
    """One variation's codec side, the one decoder interface every model kind
    implements: the sampling loop (:func:`~composer.generation.sampling.sample_stream`)
    asks which tokens may come next and pushes the one sampled; the engine reads the
    music decoded so far."""

    @property
    def finished(self) -> bool:
        """True once the decoder wants no more tokens."""

    def allowed(self) -> torch.Tensor | None:
        """Bool mask (V,) of tokens allowed next, or ``None`` for any token."""

    def push(self, token: int) -> bool:
        """Accept a sampled token; True when the music changed in a way worth reporting
        (e.g. a bar completed)."""

    def music(self) -> DecodedMusic:
        """The notes and chord symbols decoded so far, each inside ``[plan.start,
        plan.end)``; complete bars only, or the partial bar too where cheap."""


class Codec(Protocol):
    """A model kind's view of a score."""

    def check(self, seed: Score, plan: Plan) -> None:
        """Raise :class:`~composer.generation.errors.GenerationError` if this model
        cannot continue this seed (e.g. a meter it cannot write)."""

    def encode(self, seed: Score, plan: Plan) -> list[int]:
        """Prompt tokens for the seed."""

    def decoder(self, seed: Score, plan: Plan) -> Decoder:
        """A fresh decoder for one variation."""

    def max_tokens(self, plan: Plan) -> int:
        """A generous budget of tokens for the plan (the loop stops there)."""
