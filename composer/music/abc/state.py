"""The state of one voice while a tune is read (see :mod:`.parser`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from composer.music.abc import fields as F
from composer.music.abc.written import WrittenBar


@dataclass
class Event:
    """The last note, chord or rest of a voice (ties and broken rhythm reach back to
    it): its start and length in ticks, and its notes."""

    start: Fraction
    duration: Fraction
    merged: list[int]  # indices into VoiceState.notes
    written: list[int]  # indices into Parser.written
    pitches: list[int]
    letters: list[tuple[str, int]]


@dataclass
class VoiceState:
    """One voice being read: its unit length, meter and key, its clock (``cursor``,
    ticks as an exact fraction), the accidentals in force in the bar, open ties,
    tuplet and broken-rhythm state, its notes so far and its written bars."""

    id: str
    name: str
    unit: Fraction | None
    meter: tuple[int, int] | None
    key: F.KeySpec
    signature: dict[str, int]
    clef: str = ""
    program: int | None = None
    is_drum: bool = False
    octave: int = 0
    cursor: Fraction = Fraction(0)
    bar_acc: dict = field(default_factory=dict)
    ties: dict[int, int] = field(default_factory=dict)
    tie_letters: dict[tuple[str, int], int] = field(default_factory=dict)
    notes: list[list] = field(default_factory=list)  # [start, end, pitch] (Fractions)
    last: Event | None = None
    broken_next: Fraction | None = None
    tuplet_left: int = 0
    tuplet_factor: Fraction = Fraction(1)
    bar_start: Fraction = Fraction(0)
    bar_first_char: int | None = None
    bars: list[WrittenBar] = field(default_factory=list)
