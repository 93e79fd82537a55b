"""Small pieces of ABC syntax the constrained sampler needs, as prefix checks.

Generated text keeps to a plain subset of ABC that our reader and music21 read:
note lengths from :data:`LENGTHS`, chord symbols that
:func:`composer.music.chords.parse_chord_symbol` understands, field lines ``M:``,
``L:``, ``K:``, ``P:`` with common values. Durations are :class:`~fractions.Fraction`
of a whole note.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache, lru_cache

from composer.music.chords import parse_chord_symbol

NOTE_LETTERS = frozenset("ABCDEFGabcdefg")
DIGITS = frozenset("0123456789")


def parse_length(text: str) -> Fraction:
    """The multiplier an ABC length suffix means: ``""`` 1, ``"3"`` 3, ``"/"`` 1/2,
    ``"//"`` 1/4, ``"/4"`` 1/4, ``"3/2"`` 3/2, ``"3/"`` 3/2. Raises ValueError."""
    if not text:
        return Fraction(1)
    m = re.fullmatch(r"(\d*)(/*)(\d*)", text)
    if not m:
        raise ValueError(text)
    num_s, slashes, den_s = m.groups()
    num = int(num_s) if num_s else 1
    if not slashes:
        if den_s:
            raise ValueError(text)
        return Fraction(num)
    if den_s:
        if len(slashes) != 1:
            raise ValueError(text)
        den = int(den_s)
    else:
        den = 2 ** len(slashes)
    if num == 0 or den == 0:
        raise ValueError(text)
    return Fraction(num, den)


def _length_strings() -> dict[str, Fraction]:
    out: dict[str, Fraction] = {"": Fraction(1), "/": Fraction(1, 2), "//": Fraction(1, 4)}
    for d in (2, 4, 8):
        out[f"/{d}"] = Fraction(1, d)
    for n in range(1, 17):
        out[str(n)] = Fraction(n)
        if n % 2:  # one spelling per length: 3/2 and 3/, never 2/4 or 4/
            out[f"{n}/"] = Fraction(n, 2)
            for d in (2, 4, 8):
                out[f"{n}/{d}"] = Fraction(n, d)
    return out


LENGTHS: dict[str, Fraction] = _length_strings()
"""Length suffixes the sampler may write, and their multipliers of the unit length:
whole numbers up to 16 and fractions with an odd numerator over 2, 4 or 8."""


@cache
def length_prefix_min(prefix: str) -> Fraction | None:
    """The smallest multiplier of a length in :data:`LENGTHS` starting with
    ``prefix``; ``None`` if no length starts so."""
    values = [v for s, v in LENGTHS.items() if s.startswith(prefix)]
    return min(values) if values else None


@cache
def length_prefix_values(prefix: str) -> frozenset[Fraction]:
    return frozenset(v for s, v in LENGTHS.items() if s.startswith(prefix))


# --- field lines written by the sampler ----------------------------------------------
METERS = ("2/4", "3/4", "4/4", "6/8", "9/8", "12/8", "3/8", "2/2", "3/2", "6/4", "5/4",
          "7/8", "C", "C|")
UNITS = ("1/4", "1/8", "1/16")
_TONICS = [L + a for L in "ABCDEFG" for a in ("", "#", "b")]
_MODES = ("", "m", "maj", "min", "mix", "dor", "phr", "lyd", "loc", "aeo", "ion")
KEYS = tuple(t + m for t in _TONICS for m in _MODES)
PARTS = tuple(chr(c) for c in range(ord("A"), ord("I"))) + tuple(
    f"{chr(c)}{n}" for c in range(ord("A"), ord("I")) for n in range(1, 4))
FIELD_VALUES: dict[str, tuple[str, ...]] = {"M": METERS, "L": UNITS, "K": KEYS, "P": PARTS}


@cache
def _prefixes(field: str) -> frozenset[str]:
    return frozenset(v[:i] for v in FIELD_VALUES[field] for i in range(len(v) + 1))


def field_prefix_ok(field: str, value: str) -> bool:
    """True if ``value`` can still grow into an allowed value of ``field``."""
    return field in FIELD_VALUES and value in _prefixes(field)


def field_value_ok(field: str, value: str) -> bool:
    return field in FIELD_VALUES and value in FIELD_VALUES[field]


def parse_meter(value: str) -> Fraction | None:
    """Bar length of an ``M:`` value in whole notes (``C`` 1, ``C|`` 1); ``None`` for a
    free meter (``none`` or unreadable)."""
    v = value.strip()
    if v in ("C", "C|"):
        return Fraction(1)
    m = re.match(r"\(?\s*(\d+(?:\s*\+\s*\d+)*)\s*\)?\s*/\s*(\d+)", v)
    if not m:
        return None
    num = sum(int(x) for x in m.group(1).split("+"))
    den = int(m.group(2))
    return Fraction(num, den) if num and den else None


def parse_unit(value: str) -> Fraction | None:
    """An ``L:`` value in whole notes, or ``None`` if unreadable."""
    m = re.match(r"\s*(\d+)\s*/\s*(\d+)", value)
    if not m or not int(m.group(1)) or not int(m.group(2)):
        return None
    return Fraction(int(m.group(1)), int(m.group(2)))


def default_unit(meter: Fraction | None) -> Fraction:
    """ABC's default unit length: 1/16 below a 3/4 meter, else 1/8."""
    if meter is not None and meter < Fraction(3, 4):
        return Fraction(1, 16)
    return Fraction(1, 8)


# --- chord symbols -------------------------------------------------------------------
QUALITIES = ("", "m", "7", "m7", "maj7", "6", "m6", "d", "dim", "d7", "dim7", "a", "aug",
             "+", "sus4", "sus2", "7sus4", "9", "7b9", "m9")
_BASS = re.compile(r"^(?:[A-Ga-g](?:[#b+]?))?$")


@lru_cache(maxsize=4096)
def chord_prefix_ok(text: str) -> bool:
    """True if ``text`` can still grow into a chord symbol we write
    (root, accidental, a quality from :data:`QUALITIES`, optional ``/bass``)."""
    if not text:
        return True
    if text[0] not in "ABCDEFG":
        return False
    rest = text[1:]
    if rest[:1] in ("#", "b"):
        rest = rest[1:]
    quality, slash, bass = rest.partition("/")
    if not slash:
        return any(q.startswith(quality) for q in QUALITIES)
    return quality in QUALITIES and bool(_BASS.match(bass)) and len(bass) <= 2


@lru_cache(maxsize=4096)
def chord_complete(text: str) -> bool:
    """True if ``text`` is a whole chord symbol we write."""
    return (chord_prefix_ok(text) and parse_chord_symbol(text) is not None
            and not text.endswith("/"))
