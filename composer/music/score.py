"""The Score: the one document every view, codec and model works on.

All times are integer **ticks** at :data:`TICKS_PER_QUARTER` ticks per quarter note,
counted from the start of the written score (repeats not expanded). 480 divides by
2, 3, 4, 5, 8, 16 and 32, so ABC lengths, triplets and quintuplets are exact.

Objects are immutable (frozen dataclasses holding tuples): an edit makes a new
``Score`` with :func:`dataclasses.replace`, which makes undo a stack of snapshots
and lets worker threads read a score without locks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction

TICKS_PER_QUARTER = 480
"""Ticks per quarter note (the score's fixed resolution)."""

DEFAULT_QPM = 120.0
DEFAULT_VELOCITY = 80


@dataclass(frozen=True, slots=True, order=True)
class Note:
    """One sounding note.

    ``start`` and ``end`` are absolute ticks (``end > start``); ``pitch`` is a MIDI
    number in [0, 127]; ``velocity`` in [1, 127]. Tied notes are one ``Note``.
    """

    start: int
    end: int
    pitch: int
    velocity: int = DEFAULT_VELOCITY

    @property
    def duration(self) -> int:
        """Length in ticks."""
        return self.end - self.start

    def shifted(self, ticks: int) -> Note:
        return Note(self.start + ticks, self.end + ticks, self.pitch, self.velocity)


@dataclass(frozen=True, slots=True, order=True)
class ChordSymbol:
    """A chord symbol such as ``"G"``, ``"D7"``, ``"Em"`` or ``"D/f+"`` at ``start`` ticks.

    ``text`` is kept exactly as written; it lasts until the next symbol (see
    :meth:`Score.chord_spans`). Interpret it with :mod:`composer.music.chords`.
    """

    start: int
    text: str


@dataclass(frozen=True, slots=True, order=True)
class MeterChange:
    """Time signature ``numerator/denominator`` from ``tick`` on."""

    tick: int
    numerator: int
    denominator: int

    @property
    def bar_ticks(self) -> int:
        """Length of one full bar in ticks."""
        return self.numerator * 4 * TICKS_PER_QUARTER // self.denominator

    @property
    def beat_ticks(self) -> int:
        """Length of one beat in ticks (compound meters: a dotted beat)."""
        unit = 4 * TICKS_PER_QUARTER // self.denominator
        if self.denominator >= 8 and self.numerator % 3 == 0 and self.numerator > 3:
            return 3 * unit
        return unit

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


# Sharps (+) or flats (-) of each major key, and the offset of each mode from major.
_MAJOR_SHARPS = {
    "Cb": -7, "Gb": -6, "Db": -5, "Ab": -4, "Eb": -3, "Bb": -2, "F": -1, "C": 0,
    "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7,
}
_MODE_OFFSET = {
    "major": 0, "ionian": 0, "mixolydian": -1, "dorian": -2, "minor": -3,
    "aeolian": -3, "phrygian": -4, "locrian": -5, "lydian": 1,
}
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SHARP_ORDER = "FCGDAEB"
"""Letters that a key signature sharpens, in order (flats are the reverse)."""


def _tonic_fifths(tonic: str) -> int:
    """Position of ``tonic`` on the line of fifths (C = 0, G = 1, F = -1, ...)."""
    letter, acc = tonic[0], tonic[1:]
    base = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}[letter]
    return base + 7 * acc.count("#") - 7 * acc.count("b")


@dataclass(frozen=True, slots=True, order=True)
class KeyChange:
    """Key signature from ``tick`` on: a tonic (``"G"``, ``"F#"``, ``"Bb"``) and a mode
    (``"major"``, ``"minor"``, ``"dorian"``, ``"mixolydian"``, ...).
    """

    tick: int
    tonic: str
    mode: str = "major"

    def __post_init__(self) -> None:
        if not self.tonic or self.tonic[0] not in _LETTER_PC or set(self.tonic[1:]) - {"#", "b"}:
            raise ValueError(f"not a key tonic: {self.tonic!r}")
        if self.mode not in _MODE_OFFSET:
            raise ValueError(f"not a mode: {self.mode!r}")

    @property
    def sharps(self) -> int:
        """Sharps (positive) or flats (negative) in the signature, -7..7."""
        return _tonic_fifths(self.tonic) + _MODE_OFFSET[self.mode]

    @property
    def tonic_pitch_class(self) -> int:
        pc = _LETTER_PC[self.tonic[0]] + self.tonic.count("#") - self.tonic.count("b")
        return pc % 12

    def altered_letters(self) -> dict[str, int]:
        """Letters the signature alters, mapped to +1 (sharp) or -1 (flat)."""
        n = self.sharps
        if n >= 0:
            return {letter: 1 for letter in SHARP_ORDER[:n]}
        return {letter: -1 for letter in SHARP_ORDER[::-1][:-n]}

    def __str__(self) -> str:
        return self.tonic if self.mode == "major" else f"{self.tonic} {self.mode}"


@dataclass(frozen=True, slots=True, order=True)
class TempoChange:
    """Tempo in quarter notes per minute from ``tick`` on."""

    tick: int
    qpm: float


BARLINE_KINDS = ("|", "||", "|]", "[|", "|:", ":|", ":|:")
"""Bar line kinds, spelt as in ABC. ``|:`` starts a repeat, ``:|`` ends one, ``:|:`` does both."""


@dataclass(frozen=True, slots=True, order=True)
class Barline:
    """A written bar line at ``tick`` (a bar line at the very end closes the last bar)."""

    tick: int
    kind: str = "|"

    def __post_init__(self) -> None:
        if self.kind not in BARLINE_KINDS:
            raise ValueError(f"not a bar line kind: {self.kind!r}")

    @property
    def starts_repeat(self) -> bool:
        return self.kind in ("|:", ":|:")

    @property
    def ends_repeat(self) -> bool:
        return self.kind in (":|", ":|:")


@dataclass(frozen=True, slots=True, order=True)
class Volta:
    """An ending bracket (first/second time bar) over ``[start, end)`` ticks, played on
    the passes listed in ``numbers`` (1-based)."""

    start: int
    end: int
    numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True, order=True)
class PartMark:
    """A part label (ABC ``P:`` inside the tune body) at ``tick``."""

    tick: int
    label: str


TRACK_ROLES = ("melody", "accompaniment", "bass", "piano", "drums", "other")


@dataclass(frozen=True, slots=True)
class Track:
    """A named voice: notes sorted by (start, pitch), a General MIDI ``program`` in
    [0, 127], and a ``role`` from :data:`TRACK_ROLES` (drives colours and playback)."""

    name: str
    notes: tuple[Note, ...] = ()
    role: str = "melody"
    program: int = 0
    is_drum: bool = False

    def __post_init__(self) -> None:
        if self.role not in TRACK_ROLES:
            raise ValueError(f"not a track role: {self.role!r}")
        notes = self.notes
        if not isinstance(notes, tuple) or any(a > b for a, b in zip(notes, notes[1:])):
            object.__setattr__(self, "notes", tuple(sorted(notes)))

    def with_notes(self, notes) -> Track:
        return dataclasses.replace(self, notes=tuple(sorted(notes)))


@dataclass(frozen=True, slots=True)
class Score:
    """A tune: tracks of notes plus chord symbols, meter, key and tempo maps, and
    the written bar structure (bar lines, repeats, endings).

    ``barlines`` may be empty (e.g. a score read from MIDI): bars then follow the
    meter grid from tick 0. Every map (meters, keys, tempos) has an entry at tick 0
    once normalised by :meth:`normalized`.
    """

    title: str = ""
    tracks: tuple[Track, ...] = ()
    chords: tuple[ChordSymbol, ...] = ()
    meters: tuple[MeterChange, ...] = (MeterChange(0, 4, 4),)
    keys: tuple[KeyChange, ...] = (KeyChange(0, "C"),)
    tempos: tuple[TempoChange, ...] = (TempoChange(0, DEFAULT_QPM),)
    barlines: tuple[Barline, ...] = ()
    voltas: tuple[Volta, ...] = ()
    parts: tuple[PartMark, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    """Other header fields kept for writing back, e.g. ``(("S", "via EF"), ("R", "jig"))``."""
    end_tick: int | None = field(default=None)
    """Explicit end of the score in ticks; ``None`` means the end of the last note,
    chord symbol or bar line."""

    # --- construction helpers -------------------------------------------------
    def normalized(self) -> Score:
        """Sorted maps, each starting at tick 0, with duplicates at one tick removed
        (the later entry wins). Chord symbols are sorted by tick only: two at one
        tick keep their written order (``"A7""A"``)."""

        def clean(items, default):
            by_tick = {}
            for item in sorted(items, key=lambda i: i.tick):
                by_tick[item.tick] = item
            out = list(by_tick.values())
            if not out or out[0].tick != 0:
                first = out[0] if out else default
                out.insert(0, dataclasses.replace(first, tick=0))
            return tuple(out)

        return dataclasses.replace(
            self,
            meters=clean(self.meters, MeterChange(0, 4, 4)),
            keys=clean(self.keys, KeyChange(0, "C")),
            tempos=clean(self.tempos, TempoChange(0, DEFAULT_QPM)),
            chords=tuple(sorted(self.chords, key=lambda c: c.start)),  # written order kept
            barlines=tuple(sorted({b.tick: b for b in self.barlines}.values())),
            voltas=tuple(sorted(self.voltas)),
            parts=tuple(sorted(self.parts)),
        )

    # --- queries ----------------------------------------------------------------
    @property
    def notes(self) -> tuple[Note, ...]:
        """All notes of all tracks, sorted."""
        return tuple(sorted(n for t in self.tracks for n in t.notes))

    @property
    def length(self) -> int:
        """End of the score in ticks."""
        if self.end_tick is not None:
            return self.end_tick
        ends = [n.end for t in self.tracks for n in t.notes]
        ends += [c.start for c in self.chords]
        ends += [b.tick for b in self.barlines]
        return max(ends, default=0)

    def track(self, name_or_role: str) -> Track | None:
        """The first track with this name, or else with this role."""
        for t in self.tracks:
            if t.name == name_or_role:
                return t
        for t in self.tracks:
            if t.role == name_or_role:
                return t
        return None

    def meter_at(self, tick: int) -> MeterChange:
        return _at(self.meters, tick) or MeterChange(0, 4, 4)

    def key_at(self, tick: int) -> KeyChange:
        return _at(self.keys, tick) or KeyChange(0, "C")

    def tempo_at(self, tick: int) -> TempoChange:
        return _at(self.tempos, tick) or TempoChange(0, DEFAULT_QPM)

    def bar_starts(self, until: int | None = None) -> list[int]:
        """Start ticks of every bar up to ``until`` (default: the score's length).

        Written bar lines are used where they exist (so pickups and short bars
        before a part change are kept); past the last one, bars follow the meter.
        The first bar always starts at 0.
        """
        until = self.length if until is None else until
        starts = [0] + [b.tick for b in self.barlines if 0 < b.tick < until]
        nxt = starts[-1] + self.meter_at(starts[-1]).bar_ticks
        while nxt < until:
            starts.append(nxt)
            nxt += self.meter_at(nxt).bar_ticks
        return starts

    def bars(self) -> list[tuple[int, int]]:
        """Every bar as ``(start, end)`` ticks; the last ends at :attr:`length`."""
        end = self.length
        starts = self.bar_starts(end)
        return [(a, b) for a, b in zip(starts, starts[1:] + [end]) if b > a]

    @property
    def pickup_ticks(self) -> int:
        """Length of the anacrusis in ticks (0 when the first bar is complete)."""
        bars = self.bars()
        if len(bars) < 2:
            return 0
        a, b = bars[0]
        full = self.meter_at(0).bar_ticks
        return b - a if b - a < full else 0

    def chord_spans(self) -> list[tuple[int, int, str]]:
        """Chord symbols as ``(start, end, text)``: each lasts until the next one or
        the end of the score."""
        out = []
        chords = self.chords
        for i, c in enumerate(chords):
            end = chords[i + 1].start if i + 1 < len(chords) else self.length
            if end > c.start:
                out.append((c.start, end, c.text))
        return out

    def seconds_at(self, tick: int) -> float:
        """Time in seconds of ``tick`` under the tempo map (repeats not expanded)."""
        seconds, last_tick, qpm = 0.0, 0, DEFAULT_QPM
        for t in self.tempos:
            if t.tick >= tick:
                break
            seconds += (t.tick - last_tick) / TICKS_PER_QUARTER * 60.0 / qpm
            last_tick, qpm = t.tick, t.qpm
        return seconds + (tick - last_tick) / TICKS_PER_QUARTER * 60.0 / qpm

    @property
    def has_repeats(self) -> bool:
        return bool(self.voltas) or any(b.starts_repeat or b.ends_repeat for b in self.barlines)


def _at(items, tick):
    found = None
    for item in items:
        if item.tick <= tick:
            found = item
        else:
            break
    return found


def ticks_to_fraction(ticks: int) -> Fraction:
    """Ticks as a fraction of a whole note (1/4 = a quarter)."""
    return Fraction(ticks, 4 * TICKS_PER_QUARTER)


def fraction_to_ticks(length: Fraction) -> int:
    """A length in whole notes as ticks; raises ``ValueError`` if not exact."""
    t = length * 4 * TICKS_PER_QUARTER
    if t.denominator != 1:
        raise ValueError(f"{length} of a whole note is not a whole number of ticks")
    return int(t)
