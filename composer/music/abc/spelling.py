"""Pitches as ABC note names, key-aware, with the bar-scoped accidental rule.

Readers disagree on how far a written accidental reaches: the same letter in the
same octave to the bar line (ABC 2.1, abcm2ps, our reader), every octave of the
letter (music21 with ``%abc-2.1``), or nothing (music21 without it). What we write
reads the same under all three: a note carries an accidental when its pitch is not
the key signature's, or when any note of its letter already carried one in this bar
(then a natural or the signature's sharp/flat is written out again).
"""

from __future__ import annotations

from composer.music.score import KeyChange

_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
_MARK = {2: "^^", 1: "^", 0: "=", -1: "_", -2: "__"}


def key_signature(key: KeyChange) -> dict[str, int]:
    """Alteration of every letter under ``key``."""
    altered = key.altered_letters()
    return {letter: altered.get(letter, 0) for letter in "CDEFGAB"}


def spell(pitch: int, key: KeyChange, signature: dict[str, int]) -> tuple[str, int, int]:
    """``(letter, alteration, octave)`` for a MIDI pitch: the key's own note when the
    pitch is in the key, else the spelling nearest the key on the line of fifths
    (G major: F natural, C#, G#, Bb; F major: B natural, Eb, F#); on a tie a natural,
    then a sharp in sharp keys and C, a flat in flat keys."""
    pc = pitch % 12
    for letter, alt in signature.items():
        if (_LETTER_PC[letter] + alt) % 12 == pc:
            return _with_octave(pitch, letter, alt)
    center = key.sharps + 2
    prefer = 1 if key.sharps >= 0 else -1

    def cost(candidate):
        letter, alt = candidate
        return (abs(_FIFTHS[letter] + 7 * alt - center), alt != 0, alt != prefer)

    candidates = [(letter, alt) for letter, lpc in _LETTER_PC.items() for alt in (-1, 0, 1)
                  if (lpc + alt) % 12 == pc]
    letter, alt = min(candidates, key=cost)
    return _with_octave(pitch, letter, alt)


def _with_octave(pitch: int, letter: str, alt: int) -> tuple[str, int, int]:
    natural = pitch - alt
    return letter, alt, natural // 12 - 1


def note_name(letter: str, octave: int) -> str:
    """``("C", 4)`` -> ``"C"`` (middle C), ``("C", 5)`` -> ``"c"``, ``("C", 6)`` ->
    ``"c'"``, ``("C", 3)`` -> ``"C,"``."""
    if octave >= 5:
        return letter.lower() + "'" * (octave - 5)
    return letter + "," * (4 - octave)


class Speller:
    """Writes the pitches of one voice bar by bar (call :meth:`new_bar` at each bar
    line and :meth:`set_key` at each key change)."""

    def __init__(self, key: KeyChange):
        self.set_key(key)
        self.marked: set[str] = set()

    def set_key(self, key: KeyChange) -> None:
        self.key = key
        self.signature = key_signature(key)

    def new_bar(self) -> None:
        self.marked.clear()

    def name(self, pitch: int) -> str:
        """The ABC text of ``pitch`` (accidental, letter, octave marks)."""
        letter, alt, octave = spell(pitch, self.key, self.signature)
        mark = ""
        if alt != self.signature[letter] or letter in self.marked:
            mark = _MARK[alt]
            self.marked.add(letter)
        return mark + note_name(letter, octave)
