"""What the eye shows of a :class:`~composer.generation.inspection.TextView`: the
background colour of every character (by surprise or by a neuron's activation), the
notes of the roll to mark, and the words describing one character.

Pure functions of the view (numpy arrays indexed by character); the only Qt in here
is :class:`QColor`. Colours come in a few levels, so that nearly equal views shade
the editor identically (and do not make it repaint).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtGui import QColor

SURPRISE, NEURON, OFF = "surprise", "neuron", "off"
SHADINGS = ((SURPRISE, "Surprise"), (NEURON, "Neuron"), (OFF, "Off"))
"""The shading choices: (key, label)."""

SURPRISE_FROM = 4.0
"""Bits from which a character gets a warm background (a trained model reads most
characters of a tune at 1-2 bits)."""
SURPRISE_FULL = 12.0
"""Bits at which the warm background is strongest."""
NOTE_MARK_BITS = 7.0
"""A roll note is marked when one of its characters costs at least this many bits."""
LEVELS = 8
"""Steps of colour strength."""

_SHOWN = {"\n": "\u23ce", " ": "\u2423", "\t": "\u21e5"}
_WARM = [QColor(255, 150 - 90 * k // LEVELS, 40, 50 + 170 * k // LEVELS)
         for k in range(1, LEVELS + 1)]
_UNKNOWN = QColor(170, 60, 230, 150)
_RED = [QColor(225, 45, 45, 20 + 180 * k // LEVELS) for k in range(1, LEVELS + 1)]
_BLUE = [QColor(40, 90, 225, 20 + 180 * k // LEVELS) for k in range(1, LEVELS + 1)]


def shown(ch: str) -> str:
    """A visible name for a character: newline, space and tab as symbols."""
    return _SHOWN.get(ch, ch)


def surprise_strength(bits: np.ndarray | float) -> np.ndarray:
    """0..1: 0 below :data:`SURPRISE_FROM` bits, 1 from :data:`SURPRISE_FULL` up."""
    return np.clip((np.asarray(bits, dtype=np.float64) - SURPRISE_FROM)
                   / (SURPRISE_FULL - SURPRISE_FROM), 0.0, 1.0)


def _level(strength: np.ndarray) -> np.ndarray:
    """0 (no colour) or 1..LEVELS."""
    return np.ceil(np.clip(strength, 0.0, 1.0) * LEVELS).astype(np.int64)


def surprise_colors(bits: np.ndarray, unknown: np.ndarray) -> list[QColor | None]:
    """Per character: ``None`` for an expected one, a warm colour growing with its
    bits for a surprising one, violet for one the model's alphabet lacks."""
    levels = _level(surprise_strength(bits)).tolist()
    out: list[QColor | None] = [_WARM[k - 1] if k else None for k in levels]
    for i in np.flatnonzero(unknown).tolist():
        out[i] = _UNKNOWN
    return out


def neuron_colors(activation: np.ndarray) -> list[QColor | None]:
    """Per character: red for a positive activation (-1..1), blue for a negative one,
    stronger with its size; ``None`` near 0."""
    levels = _level(np.abs(activation) - 0.5 / LEVELS).tolist()
    positive = (np.asarray(activation) > 0).tolist()
    return [None if not k else (_RED if up else _BLUE)[k - 1]
            for k, up in zip(levels, positive)]


def text_colors(view, mode: str, layer: int = 0, unit: int = 0) -> list[QColor | None] | None:
    """The background of every character of ``view.text`` for shading ``mode``
    (:data:`SHADINGS`), or ``None`` for no shading. A neuron outside the view's model
    shades nothing."""
    if view is None or mode == OFF:
        return None
    if mode == SURPRISE:
        return surprise_colors(view.bits, view.unknown)
    if not (0 <= layer < view.layers and 0 <= unit < view.units):
        return None
    return neuron_colors(view.hidden[layer, :, unit])


def note_marks(view, notes: Iterable, threshold: float = NOTE_MARK_BITS
               ) -> list[tuple[int, int, int, float]]:
    """The notes to mark in the roll: ``notes`` are ``(start, end, pitch, char_start,
    char_end)`` (ticks, MIDI pitch, offsets in ``view.text``; rests have pitch
    ``None``); a note is marked when the most surprising of its characters costs at
    least ``threshold`` bits (or is unknown to the model). Returns ``(start, end,
    pitch, strength 0..1)``."""
    bits, unknown, n = view.bits, view.unknown, len(view.bits)
    marks = []
    for start, end, pitch, a, b in notes:
        a, b = max(0, a), min(n, b)
        if pitch is None or b <= a:
            continue
        worst = float(bits[a:b].max())
        if worst >= threshold or bool(unknown[a:b].any()):
            strength = 1.0 if unknown[a:b].any() else float(surprise_strength(worst))
            marks.append((int(start), int(end), int(pitch), max(0.25, strength)))
    return marks


def char_at_cursor(text: str, cursor: int) -> int | None:
    """The character the editor's cursor stands on: the one after it, or at the end
    of the text the one before it; ``None`` in an empty text."""
    if not text:
        return None
    return min(max(cursor, 0), len(text) - 1)


def describe_char(view, i: int, layer: int | None = None, unit: int | None = None,
                  guesses: int = 3) -> str:
    """One line about character ``i`` of ``view.text``: its surprise and what the
    model expected there, e.g. "‘d’ 9.1 bits — expected e 45%, f 20%, g 9%"; with
    ``layer`` and ``unit``, the neuron's activation after it."""
    ch = view.text[i]
    if bool(view.unknown[i]):
        head = f"\u2018{shown(ch)}\u2019 is not in the model's alphabet"
    else:
        head = f"\u2018{shown(ch)}\u2019 {float(view.bits[i]):.1f} bits"
    expected = view.expected_at(i)[:guesses]
    if expected:
        more = ", \u2026" if len(view.expected_at(i)) > guesses else ""
        head += " \u2014 expected " + ", ".join(
            f"{g.label} {g.prob:.0%}" for g in expected) + more
    else:
        head += " \u2014 the first character"
    if layer is not None and unit is not None and (0 <= layer < view.layers
                                                   and 0 <= unit < view.units):
        head += f"; neuron {layer}:{unit} = {float(view.hidden[layer, i, unit]):+.2f}"
    return head
