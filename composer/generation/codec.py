"""The codec interface: how a model kind sees a :class:`Score`.

A codec turns a *seed* (the selected passage, cropped so it starts at tick 0) into prompt
tokens, and makes one :class:`Decoder` per variation that constrains and decodes the
sampled tokens back into notes. The continuation engine runs the same loop
(:func:`composer.generation.sampling.sample_stream`) for every kind; only codecs differ
(ABC characters for the folk model, event tokens for the MIDI models).

All ticks here are in *seed coordinates*: the seed starts at 0 and new music starts at
:attr:`Plan.start` (the seed's end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import torch

from composer.music.score import ChordSymbol, KeyChange, MeterChange, Note, Score


@dataclass(frozen=True, slots=True)
class Plan:
    """Where new music goes and how much, in ticks of the seed.

    The new music first completes the bar the seed ends in (``first_bar`` ticks, 0 when
    the seed ends on a bar line), then adds ``bars`` whole bars of ``bar_ticks`` each.
    """

    start: int
    first_bar: int
    bar_ticks: int
    bars: int
    meter: MeterChange
    key: KeyChange
    tracks: tuple[str, ...] = ()

    @property
    def end(self) -> int:
        """Tick where the new music ends (exclusive)."""
        return self.start + self.first_bar + self.bars * self.bar_ticks

    @property
    def bar_lines(self) -> list[int]:
        """Ticks of the bar lines the new music writes, the last one at :attr:`end`."""
        first = self.start + self.first_bar
        lines = [first] if self.first_bar else []
        return lines + [first + (i + 1) * self.bar_ticks for i in range(self.bars)]

    @property
    def total_bars(self) -> int:
        """Bars to write including the completed first bar."""
        return self.bars + (1 if self.first_bar else 0)


@dataclass(slots=True)
class DecodedMusic:
    """What a decoder has produced so far (seed coordinates)."""

    notes: dict[str, list[Note]] = field(default_factory=dict)
    chords: list[ChordSymbol] = field(default_factory=list)
    bars_done: int = 0


class Decoder(Protocol):
    """One variation: constraints on the next token, and the music decoded so far."""

    @property
    def finished(self) -> bool: ...

    def allowed(self) -> torch.Tensor | None: ...

    def push(self, token: int) -> bool: ...

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
