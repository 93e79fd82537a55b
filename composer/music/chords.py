"""Chord symbols as written in folk ABC ("G", "D7", "Em", "F#m", "Gd", "D/f+") and
the pitch classes they name.

Nottingham spellings: ``d`` after the root is diminished, ``a`` augmented; a bass
note after ``/`` is written lower case with ``+`` for sharp (``"D/f+"`` is D over F#)
and ``b`` for flat (``"Gm/bb"``). Parenthesised symbols (``"(E7)"``) are optional
chords and sound like the chord inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# Quality -> intervals above the root, in semitones.
_QUALITIES = {
    "": (0, 4, 7), "maj": (0, 4, 7), "M": (0, 4, 7),
    "m": (0, 3, 7), "min": (0, 3, 7),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "M7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10), "6": (0, 4, 7, 9), "m6": (0, 3, 7, 9),
    "d": (0, 3, 6), "dim": (0, 3, 6), "d7": (0, 3, 6, 9), "dim7": (0, 3, 6, 9),
    "a": (0, 4, 8), "aug": (0, 4, 8), "+": (0, 4, 8), "a7": (0, 4, 8, 10),
    "sus4": (0, 5, 7), "sus2": (0, 2, 7), "7sus4": (0, 5, 7, 10),
    "9": (0, 4, 7, 10, 14), "7b9": (0, 4, 7, 10, 13), "m9": (0, 3, 7, 10, 14),
}
_SYMBOL = re.compile(
    r"^(?P<root>[A-G])(?P<acc>[#b]?)(?P<quality>[^/]*?)"
    r"(?:/(?P<bass>[A-Ga-g])(?P<bass_acc>[#b+\-]?))?$"
)


@dataclass(frozen=True, slots=True)
class ChordQuality:
    """A parsed chord symbol: root and bass as pitch classes (0 = C), and the
    pitch classes of the chord, root first."""

    root: int
    bass: int
    pitch_classes: tuple[int, ...]


def parse_chord_symbol(text: str) -> ChordQuality | None:
    """The chord a symbol names, or ``None`` if it is not a chord (e.g. an
    annotation like ``"From"``)."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    m = _SYMBOL.match(text)
    if not m:
        return None
    intervals = _QUALITIES.get(m.group("quality"))
    if intervals is None:
        return None
    root = (_PC[m.group("root")] + {"#": 1, "b": -1, "": 0}[m.group("acc")]) % 12
    bass = root
    if m.group("bass"):
        shift = {"#": 1, "+": 1, "b": -1, "-": -1, "": 0}[m.group("bass_acc")]
        bass = (_PC[m.group("bass").upper()] + shift) % 12
    return ChordQuality(root, bass, tuple((root + i) % 12 for i in intervals))


def chord_pitches(text: str, low: int = 48) -> tuple[int, ...]:
    """MIDI pitches voicing the chord in close position with its bass at or above
    ``low`` and the upper notes above the bass; empty if ``text`` is not a chord."""
    q = parse_chord_symbol(text)
    if q is None:
        return ()
    bass = low + (q.bass - low) % 12
    upper = []
    for pc in q.pitch_classes:
        p = bass + (pc - bass) % 12
        if p == bass:
            p += 12
        upper.append(p)
    return (bass, *sorted(set(upper)))


PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def pitch_name(pitch: int) -> str:
    """Scientific name of a MIDI pitch: 60 -> ``"C4"`` (middle C), 70 -> ``"Bb4"``."""
    return f"{PITCH_NAMES[pitch % 12]}{pitch // 12 - 1}"


def describe_pitches(pitches) -> str:
    """``"C4 E4 G4"`` for MIDI pitches, in the order given."""
    return " ".join(pitch_name(p) for p in pitches)
