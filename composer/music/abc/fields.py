"""Values of ABC information fields: ``K:`` (key), ``M:`` (meter), ``L:`` (unit note
length), ``Q:`` (tempo) and ``V:`` (voice).

Each parser takes the field's value text and returns plain data, or raises
:class:`FieldError` with a plain-words reason and the offset *within the value*
where the problem starts (the caller turns it into a line:column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from composer.music.score import KeyChange


class FieldError(Exception):
    """A field value that cannot be read: ``reason`` and ``offset`` in the value."""

    def __init__(self, reason: str, offset: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


# --- K: ------------------------------------------------------------------------------
_MODES = {
    "": "major", "maj": "major", "ion": "major", "m": "minor", "min": "minor",
    "aeo": "aeolian", "mix": "mixolydian", "dor": "dorian", "phr": "phrygian",
    "lyd": "lydian", "loc": "locrian",
}
_CLEFS = {"treble", "bass", "alto", "tenor", "perc", "none", "bass3", "alto1", "alto2",
          "baritone", "soprano", "mezzosoprano"}
_KEY_WORD = re.compile(r"\S+", re.ASCII)
_KEY_HEAD = re.compile(r"(?P<tonic>[A-Ga-g])(?P<acc>[#b]?)\s*(?P<mode>[A-Za-z]*)",
                       re.ASCII)
_EXTRA_ACC = re.compile(r"(\^\^|\^|__|_|=)([A-Ga-g])$", re.ASCII)
_ALTERATION = {"^^": 2, "^": 1, "=": 0, "_": -1, "__": -2}


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A parsed ``K:`` field: the key (``None`` when the field names only a clef or
    octave, keeping the previous key), extra accidentals that modify the signature
    (letter -> -2..2, all octaves), whether the signature is *only* those
    (``exp``), and an octave shift for the notes that follow (``octave=``)."""

    key: KeyChange | None
    extra: dict[str, int] = field(default_factory=dict)
    explicit: bool = False
    octave: int | None = None
    is_drum: bool = False

    def signature(self) -> dict[str, int]:
        """Alteration of every letter (``"C"``..``"B"``) under this key."""
        base = {} if self.explicit or self.key is None else self.key.altered_letters()
        out = {letter: base.get(letter, 0) for letter in "CDEFGAB"}
        out.update(self.extra)
        return out


def parse_key(value: str) -> KeySpec:
    """``"G"``, ``"Ador"``, ``"F# minor"``, ``"D mix ^g"``, ``"none"``, ``"HP"``,
    ``"G clef=bass octave=-1"`` ..."""
    words = [(m.group(0), m.start()) for m in _KEY_WORD.finditer(value)]
    if not words or words[0][0].lower() == "none":
        rest = words[1:] if words else []
        return _key_options(None, rest, value)
    first, at = words[0]
    if first in ("HP", "Hp"):
        # Highland pipes: "HP" has no signature, "Hp" sharpens F and C (A mixolydian).
        key = KeyChange(0, "A", "minor") if first == "HP" else KeyChange(0, "A", "mixolydian")
        return _key_options(key, words[1:], value)
    if "=" in first or first.lower() in _CLEFS or _EXTRA_ACC.match(first):
        return _key_options(None, words, value)
    head = _KEY_HEAD.match(value, at)
    if not head:
        raise FieldError(
            f"unknown key {first!r}: write a tonic A-G, optionally # or b and a mode, "
            "e.g. K:G, K:F#m, K:Bb, K:D dorian", at)
    tonic = head.group("tonic").upper() + head.group("acc")
    mode_word = head.group("mode")
    explicit = False
    if mode_word.lower() == "exp":
        mode, explicit = "major", True
    else:
        mode = _mode(mode_word, head.start("mode"))
    end = head.end() if mode_word else head.end("acc")
    if end < len(value) and not value[end].isspace():
        raise FieldError(f"unknown key {value[at:].split()[0]!r}: e.g. K:G, K:Em, K:A mix", at)
    try:
        key = KeyChange(0, tonic, mode)
    except ValueError:
        raise FieldError(f"unknown key {tonic!r}", at) from None
    if abs(key.sharps) > 7:
        raise FieldError(f"the key {tonic} {mode} needs more than 7 sharps or flats: "
                         "use its enharmonic key", at)
    rest = [(w, a) for w, a in words if a >= end]
    spec = _key_options(key, rest, value)
    return KeySpec(key, spec.extra, explicit, spec.octave, spec.is_drum)


def _mode(word: str, at: int) -> str:
    """A mode word (only its first three letters count, as ABC 2.1 says)."""
    low = word.lower()
    if low in ("", "m"):
        return _MODES[low]
    if len(low) >= 3 and low[:3] in _MODES:
        return _MODES[low[:3]]
    raise FieldError(f"unknown mode {word!r}: use m, min, maj, dor, phr, lyd, mix, aeo, loc",
                     at)


def _key_options(key: KeyChange | None, words, value: str) -> KeySpec:
    extra: dict[str, int] = {}
    octave = None
    drum = False
    for word, at in words:
        m = _EXTRA_ACC.match(word)
        if m:
            extra[m.group(2).upper()] = _ALTERATION[m.group(1)]
            continue
        name, _, val = word.partition("=")
        name = name.lower()
        if name == "octave":
            try:
                octave = int(val)
            except ValueError:
                raise FieldError(f"octave={val!r} is not a whole number", at) from None
            continue
        if name == "clef" and val.lower().startswith("perc"):
            drum = True
        if name in _CLEFS or val or name in ("+8", "-8") or name.startswith("%"):
            continue
        if word.startswith("%"):
            break
        raise FieldError(f"unknown word {word!r} in the key field", at)
    return KeySpec(key, extra, False, octave, drum)


# --- M: ------------------------------------------------------------------------------
_METER = re.compile(r"^\(?(?P<num>\d+(?:\s*\+\s*\d+)*)\)?\s*/\s*(?P<den>\d+)$",
                    re.ASCII)


def parse_meter(value: str) -> tuple[int, int] | None:
    """``(numerator, denominator)``; ``"C"`` is 4/4, ``"C|"`` 2/2, ``"2+3/8"`` 5/8;
    ``None`` for ``"none"`` (free meter)."""
    text = value.split("%", 1)[0].strip()
    if text.lower() == "none" or not text:
        return None
    if text == "C":
        return (4, 4)
    if text == "C|":
        return (2, 2)
    m = _METER.match(text)
    if not m:
        raise FieldError(f"unknown meter {text!r}: write it like 6/8, 4/4, 3/4, C or C|",
                         value.find(text[0]))
    num = sum(int(n) for n in m.group("num").split("+"))
    den = int(m.group("den"))
    if num <= 0 or num > 64:
        raise FieldError(f"meter {text}: the top number must be 1 to 64", value.find(text[0]))
    if den not in (1, 2, 4, 8, 16, 32, 64):
        raise FieldError(f"meter {text}: the bottom number must be 1, 2, 4, 8, 16, 32 or 64",
                         value.find(text[0]))
    return (num, den)


def default_unit_length(meter: tuple[int, int] | None) -> Fraction:
    """ABC 2.1's default ``L:``: 1/16 for meters below 3/4, else 1/8."""
    if meter is not None and Fraction(*meter) < Fraction(3, 4):
        return Fraction(1, 16)
    return Fraction(1, 8)


# --- L: ------------------------------------------------------------------------------
_FRACTION = re.compile(r"^(\d+)(?:\s*/\s*(\d+))?$", re.ASCII)


def parse_length(value: str) -> Fraction:
    """``"1/8"`` -> 1/8 of a whole note."""
    text = value.split("%", 1)[0].strip()
    m = _FRACTION.match(text)
    if not m:
        raise FieldError(f"unknown unit note length {text!r}: write it like L:1/8 or L:1/4")
    num, den = int(m.group(1)), int(m.group(2) or 1)
    if num == 0 or den == 0:
        raise FieldError(f"unit note length {text} is zero or divides by zero: use e.g. L:1/8")
    if den & (den - 1):
        raise FieldError(f"unit note length {text}: the divisor must be 1, 2, 4, 8, 16 ...")
    length = Fraction(num, den)
    if length > 4 or length < Fraction(1, 256):
        raise FieldError(f"unit note length {text} is out of range: use e.g. L:1/8")
    return length


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdecimal()


# --- Q: ------------------------------------------------------------------------------
_QUOTED = re.compile(r'"[^"]*"', re.ASCII)
MAX_QPM = 10000
"""Fastest tempo read or written, in quarter notes per minute."""


def parse_tempo(value: str, unit: Fraction) -> float | None:
    """Quarter notes per minute from ``"1/4=120"``, ``"3/8=60"``, ``"120"`` (beats of
    the unit length ``unit``), ``"\\"Allegro\\" 1/4=132"``; ``None`` when the field is
    only words."""
    text = _QUOTED.sub(" ", value.split("%", 1)[0]).strip()
    if not text:
        return None
    beat_text, eq, bpm_text = text.rpartition("=")
    if not eq:
        beat_text, bpm_text = "", text
    try:
        bpm = float(bpm_text.strip())
    except ValueError:
        raise FieldError(
            f"cannot read the tempo {value.strip()!r}: write it like Q:1/4=120") from None
    beat = Fraction(0)
    words = beat_text.split()
    if not words:
        beat = unit
    for w in words:
        if w.upper().startswith("C"):  # ABC 1.x: "C=120" means the unit length
            beat += unit * (int(w[1:]) if _is_number(w[1:]) else 1)
            continue
        m = _FRACTION.match(w)
        if not m or int(m.group(2) or 1) == 0:
            raise FieldError(f"cannot read the tempo {value.strip()!r}: write it like Q:1/4=120")
        beat += Fraction(int(m.group(1)), int(m.group(2) or 1))
    qpm = float(bpm * beat * 4)
    if not 1 <= qpm <= MAX_QPM:
        raise FieldError(f"tempo {value.strip()!r} is out of range: write it like Q:1/4=120")
    return qpm


# --- V: ------------------------------------------------------------------------------
_VOICE_PROP = re.compile(r'(\w+)\s*=\s*("[^"]*"|\S+)', re.ASCII)


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    """A ``V:`` field: the voice id, its ``name=`` (or ``nm=``) and its clef."""

    id: str
    name: str = ""
    clef: str = ""


def parse_voice(value: str) -> VoiceSpec:
    text = value.split("%", 1)[0].strip()
    if not text:
        raise FieldError("a V: field needs a voice id, e.g. V:1")
    vid = text.split()[0]
    props = {k.lower(): v.strip('"') for k, v in _VOICE_PROP.findall(text[len(vid):])}
    name = props.get("name") or props.get("nm") or ""
    return VoiceSpec(vid, name, props.get("clef", ""))
