"""Transposition of ABC tune text, for training-data augmentation.

A *diatonic* shift moves every note by ``steps`` letter names and every key by the
same interval: ``K:G`` up one step becomes ``K:A``, ``B`` becomes ``c``, an explicit
``^c`` (raised 4th in G) becomes ``^d``. Chord symbols (``"D7"``, ``"F#m"``,
``"D/f+"``, ``"Gm/bb"``) move with the notes. The semitone interval is chosen so the
new key has the fewest sharps or flats. Text the transposer does not understand (a
``K:`` it cannot read, an accidental it cannot respell) makes it give up: it returns
``None`` and the tune is used as written.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace

from composer.training.corpus import AbcTune

LETTERS = "CDEFGAB"
NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
MODE_FIFTHS = {"": 0, "maj": 0, "ion": 0, "m": -3, "min": -3, "aeo": -3, "mix": -1,
               "dor": -2, "phr": -4, "lyd": 1, "loc": -5}
SHARP_ORDER = "FCGDAEB"
MAX_SHARPS = 6

_KEY = re.compile(r"^(\s*)([A-G])([#b]?)\s*([A-Za-z]*)(.*)$", re.S)
_NOTE = re.compile(r"(\^\^|\^|__|_|=)?([A-Ga-g])([',]*)")
_CHORD = re.compile(r"^([A-G])([#b]?)([^/]*)(?:/([A-Ga-g])([#b+\-]?)(.*))?$")


class _Fail(Exception):
    pass


def _mode_offset(mode: str) -> int:
    m = mode.lower()
    if m in MODE_FIFTHS:
        return MODE_FIFTHS[m]
    if len(m) >= 3 and m[:3] in MODE_FIFTHS:
        return MODE_FIFTHS[m[:3]]
    raise _Fail(mode)


def _signature(sharps: int) -> dict[str, int]:
    """Accidental (-1, 0, +1) of each letter in a key with ``sharps`` (< 0: flats)."""
    sig = dict.fromkeys(LETTERS, 0)
    if sharps > 0:
        for letter in SHARP_ORDER[:sharps]:
            sig[letter] = 1
    elif sharps < 0:
        for letter in SHARP_ORDER[::-1][: -sharps]:
            sig[letter] = -1
    return sig


def _acc_value(acc: str) -> int:
    return {"#": 1, "b": -1, "": 0, "+": 1, "-": -1}[acc]


def _shift_letter(letter: str, steps: int) -> str:
    return LETTERS[(LETTERS.index(letter.upper()) + steps) % 7]


def _alteration(pitch_class: int, letter: str) -> int:
    """Accidental that spells ``pitch_class`` on ``letter``, in [-6, 5]."""
    return (pitch_class - NATURAL[letter] + 6) % 12 - 6


class Transposition:
    """Moves ABC text by ``steps`` letters and ``semitones``."""

    def __init__(self, steps: int, semitones: int):
        self.steps = steps
        self.semitones = semitones
        self.old_sig: dict[str, int] = dict.fromkeys(LETTERS, 0)
        self.new_sig: dict[str, int] = dict.fromkeys(LETTERS, 0)

    # -- keys ---------------------------------------------------------------
    def key(self, value: str) -> str:
        """Transpose the value of a ``K:`` field and switch to its signatures."""
        m = _KEY.match(value)
        if not m:
            raise _Fail(value)
        lead, letter, acc, mode, rest = m.groups()
        offset = _mode_offset(mode)
        old_sharps = FIFTHS[letter] + 7 * _acc_value(acc) + offset
        new_letter = _shift_letter(letter, self.steps)
        pc = (NATURAL[letter] + _acc_value(acc) + self.semitones) % 12
        alt = _alteration(pc, new_letter)
        if alt not in (-1, 0, 1):
            raise _Fail(value)
        new_sharps = FIFTHS[new_letter] + 7 * alt + offset
        if abs(new_sharps) > MAX_SHARPS or abs(old_sharps) > 7:
            raise _Fail(value)
        self.old_sig, self.new_sig = _signature(old_sharps), _signature(new_sharps)
        new_acc = {1: "#", -1: "b", 0: ""}[alt]
        return f"{lead}{new_letter}{new_acc}{mode}{rest}"

    # -- notes --------------------------------------------------------------
    def note(self, m: re.Match) -> str:
        acc, letter, marks = m.group(1) or "", m.group(2), m.group(3)
        index = LETTERS.index(letter.upper()) + (7 if letter.islower() else 0)
        index += 7 * (marks.count("'") - marks.count(","))
        new_index = index + self.steps
        octave, pos = divmod(new_index, 7)
        new_letter = LETTERS[pos]
        text = new_letter + "," * -octave if octave <= 0 else (
            new_letter.lower() + "'" * (octave - 1))
        if acc:
            value = {"^^": 2, "^": 1, "=": 0, "_": -1, "__": -2}[acc]
            rel = value - self.old_sig[letter.upper()]
            new_value = self.new_sig[new_letter] + rel
            if not -2 <= new_value <= 2:
                raise _Fail(acc + letter)
            acc = {2: "^^", 1: "^", 0: "=", -1: "_", -2: "__"}[new_value]
        return acc + text

    def chord(self, text: str) -> str:
        """Transpose a chord symbol; annotations (``"^text"``) and unknown text stay."""
        m = _CHORD.match(text)
        if not m:
            return text
        root, acc, quality, bass, bass_acc, tail = m.groups()
        out = self._pitch_name(root, acc, upper=True) + quality
        if bass:
            out += "/" + self._pitch_name(bass, bass_acc or "", upper=bass.isupper(),
                                          style="+" if bass.islower() else "#")
            out += tail or ""
        return out

    def _pitch_name(self, letter: str, acc: str, upper: bool, style: str = "#") -> str:
        pc = (NATURAL[letter.upper()] + _acc_value(acc) + self.semitones) % 12
        new_letter = _shift_letter(letter, self.steps)
        alt = _alteration(pc, new_letter)
        if alt not in (-1, 0, 1):
            raise _Fail(letter + acc)
        sharp, flat = ("+", "-") if style == "+" else ("#", "b")
        if style == "+" and alt == -1:
            flat = "b"
        name = new_letter if upper else new_letter.lower()
        return name + {1: sharp, -1: flat, 0: ""}[alt]

    # -- text ---------------------------------------------------------------
    def body_line(self, line: str) -> str:
        """A music line: notes, chord symbols, inline fields; comments kept as is."""
        out: list[str] = []
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if c == "%":
                out.append(line[i:])
                break
            if c == '"':
                j = line.find('"', i + 1)
                if j < 0:
                    raise _Fail(line)
                out.append('"' + self.chord(line[i + 1:j]) + '"')
                i = j + 1
                continue
            if c == "!" or c == "+" and line.find("+", i + 1) > 0 and line[i + 1:i + 2].isalpha():
                j = line.find(c, i + 1)
                if j < 0:
                    raise _Fail(line)
                out.append(line[i:j + 1])
                i = j + 1
                continue
            if c == "[" and i + 2 < n and line[i + 2] == ":" and line[i + 1].isalpha():
                j = line.find("]", i)
                if j < 0:
                    raise _Fail(line)
                field = line[i + 1]
                value = line[i + 3:j]
                if field == "K":
                    value = self.key(value)
                out.append(f"[{field}:{value}]")
                i = j + 1
                continue
            m = _NOTE.match(line, i)
            if m:
                out.append(self.note(m))
                i = m.end()
                continue
            out.append(c)
            i += 1
        return "".join(out)

    def text(self, text: str, header: bool) -> str:
        lines = text.split("\n")
        out = []
        for line in lines:
            if len(line) >= 2 and line[1] == ":" and line[0].isalpha():
                if line[0] == "K":
                    line = "K:" + self.key(line[2:])
                elif not header and line[0] not in "MLPQTWwNRSYZBOHCAIGFDX":
                    raise _Fail(line)
                out.append(line)
            elif header or line.startswith("%"):
                out.append(line)
            else:
                out.append(self.body_line(line))
        return "\n".join(out)


def _semitones_for(tune: AbcTune, steps: int) -> int | None:
    """The interval for a diatonic shift of ``steps`` that gives the first key the
    fewest sharps or flats (``None`` if the tune's key cannot be read)."""
    m = re.search(r"^K:(.*)$", tune.header, re.M)
    if not m:
        return None
    km = _KEY.match(m.group(1))
    if not km:
        return None
    letter, acc, mode = km.group(2), km.group(3), km.group(4)
    try:
        offset = _mode_offset(mode)
    except _Fail:
        return None
    new_letter = _shift_letter(letter, steps)
    best = None
    for alt in (-1, 0, 1):
        sharps = FIFTHS[new_letter] + 7 * alt + offset
        semis = (NATURAL[new_letter] + alt - NATURAL[letter] - _acc_value(acc) + 6) % 12 - 6
        cand = (abs(sharps), abs(semis), semis)
        if best is None or cand < best:
            best = cand
    return best[2] if best else None


def transpose_tune(tune: AbcTune, steps: int) -> AbcTune | None:
    """``tune`` moved by ``steps`` letter names (see the module), or ``None`` if it
    cannot be transposed cleanly."""
    if steps == 0:
        return tune
    semis = _semitones_for(tune, steps)
    if semis is None:
        return None
    t = Transposition(steps, semis)
    try:
        header = t.text(tune.header, header=True)
        body = t.text(tune.body, header=False)
    except (_Fail, KeyError, ValueError):
        return None
    return replace(tune, header=header, body=body)


def transposer(steps: Sequence[int]):
    """An augmentation for :func:`composer.training.datasets.epoch_stream`: moves each
    tune by a shift drawn uniformly from ``steps`` (falls back to the tune as written)."""
    choices = tuple(steps)

    def augment(tune: AbcTune, rng: random.Random) -> AbcTune:
        shift = rng.choice(choices)
        return transpose_tune(tune, shift) or tune

    return augment
