"""The piano model's representation: a piece *chordified* into slices, as tokens.

**Chordify.** All notes of the used tracks are merged; onsets and ends are rounded to
a grid of :data:`STEP` ticks (12 per quarter: sixteenths, triplet eighths and triplet
sixteenths are exact; ``bench/midi_models.py`` counts what moves). The piece is then
cut at every onset, every end and every bar line into **slices**: each slice has a
duration and the pitches sounding in it, each either *struck* at the slice's start or
*held* from the slice before. That is what music21's ``chordify`` makes of a score
(notes and chords with durations, ties where a note goes on); doing it on our own
:class:`~composer.music.score.Note` lists keeps training and the app identical and
takes milliseconds instead of music21's seconds per piece.

**Tokens** of one slice: its pitches in ascending order, ``N60`` (struck) or ``H60``
(held), then one duration token ``D6`` (in steps; a rest is a lone duration). A slice
longer than the largest duration token is written as several slices, the later ones
holding everything. Each bar starts with ``<bar:48>`` (its length in steps, i.e.
twelfths of a quarter: 48 is a 4/4 bar). A piece is ``<end> <bar:..> ... <end>``.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from composer.music.score import Note
from composer.nn.errors import ModelFileError

STEP = 40
"""Ticks per grid step: 12 per quarter note (480 ticks)."""
LOW, HIGH = 21, 108
"""The piano's range (A0..C8); notes outside are moved by octaves into it."""
DURATIONS = (*range(1, 13), 15, 16, 18, 20, 24, 30, 32, 36, 42, 48, 60, 72, 96)
"""Duration tokens, in steps. Every whole number of steps is a sum of them (1..12
are all there); longer slices are split greedily (largest first)."""
MAX_CHORD = 12
"""Most pitches a decoded slice may hold."""


@dataclass(frozen=True, slots=True)
class Slice:
    """One chordified slice: ``start`` tick, ``steps`` long; ``struck`` and ``held``
    pitches (sorted)."""

    start: int
    steps: int
    struck: tuple[int, ...] = ()
    held: tuple[int, ...] = ()

    @property
    def pitches(self) -> tuple[int, ...]:
        return tuple(sorted(self.struck + self.held))


@dataclass
class ChordifyStats:
    """What the grid changed, out of ``notes``: onsets moved, ends moved, pitches
    moved into the piano range, notes lost (merged into another on the grid)."""

    notes: int = 0
    shifted: int = 0
    end_moved: int = 0
    octave_moved: int = 0
    lost: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.shifted + self.end_moved + self.octave_moved + self.lost

    def add(self, other: ChordifyStats) -> None:
        for name in ("notes", "shifted", "end_moved", "octave_moved", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def quantise(tick: int) -> int:
    """``tick`` rounded to the nearest grid point (halves go down)."""
    return (tick + STEP // 2 - 1) // STEP * STEP


def in_range(pitch: int) -> int:
    while pitch < LOW:
        pitch += 12
    while pitch > HIGH:
        pitch -= 12
    return pitch


def grid_notes(notes: Iterable[Note], stats: ChordifyStats | None = None) -> list[Note]:
    """``notes`` on the grid: onsets and ends rounded (a note at least one step long),
    pitches in the piano's range, a re-struck pitch ending the note before it."""
    stats = stats if stats is not None else ChordifyStats()
    by_pitch: dict[int, list[Note]] = {}
    for n in sorted(notes):
        stats.notes += 1
        a = quantise(n.start)
        b = max(quantise(n.end), a + STEP)
        p = in_range(n.pitch)
        stats.shifted += a != n.start
        stats.octave_moved += p != n.pitch
        by_pitch.setdefault(p, []).append(Note(a, b, p, n.velocity))
    out = []
    for p, ns in by_pitch.items():
        ns.sort()
        for i, n in enumerate(ns):
            nxt = ns[i + 1].start if i + 1 < len(ns) else None
            if nxt is not None and nxt == n.start:
                stats.lost += 1  # two onsets of one pitch on one grid point
                continue
            end = min(n.end, nxt) if nxt is not None else n.end
            out.append(Note(n.start, end, p, n.velocity))
    ends = {(quantise(n.start), in_range(n.pitch)): n.end for n in notes}
    stats.end_moved += sum(1 for n in out if ends.get((n.start, n.pitch)) != n.end)
    return sorted(out)


def chordify(notes: Sequence[Note], bar_starts: Sequence[int], end: int) -> list[Slice]:
    """Slices of grid ``notes`` (see :func:`grid_notes`) from ``bar_starts[0]`` to
    ``end`` ticks, cut at every onset, end and bar line (bar lines are rounded to
    the grid too)."""
    lines = sorted({quantise(b) for b in bar_starts if b < end})
    bounds = sorted({*lines, quantise(end), *(n.start for n in notes),
                     *(n.end for n in notes)})
    bounds = [b for b in bounds if lines[0] <= b <= quantise(end)]
    starts = sorted(notes, key=lambda n: n.start)
    onsets = [n.start for n in starts]
    out = []
    active: list[Note] = []
    j = 0
    for a, b in zip(bounds, bounds[1:]):
        active = [n for n in active if n.end > a]
        k = bisect.bisect_right(onsets, a)
        struck = [n for n in starts[j:k] if n.start == a and n.end > a]
        j = k
        active += struck
        out.append(Slice(a, (b - a) // STEP, tuple(sorted(n.pitch for n in struck)),
                         tuple(sorted(n.pitch for n in active if n.start < a))))
    return out


def bar_lengths(bar_starts: Sequence[int], end: int, meter_at) -> list[int]:
    """Length in steps of each bar starting at ``bar_starts``: up to the next start,
    and for the last bar its meter's full length (the music may stop inside it)."""
    lines = [quantise(b) for b in bar_starts]
    out = [(b - a) // STEP for a, b in zip(lines, lines[1:])]
    if lines:
        out.append(max(quantise(end) - lines[-1], meter_at(bar_starts[-1]).bar_ticks) // STEP)
    return out


def slice_tokens(slices: Sequence[Slice], bar_starts: Sequence[int], lengths: Sequence[int],
                 first_bar_pad: int = 0) -> tuple[list[str], list[int]]:
    """Tokens of ``slices`` (without ``<end>``) with the start tick of each token.
    Each bar of ``bar_starts`` (ticks) gets a ``<bar:n>`` token naming its length in
    steps (``lengths``, see :func:`bar_lengths`); ``first_bar_pad`` steps of rest go
    before the first bar's music (a pickup filled up to a whole bar)."""
    lines = [quantise(b) for b in bar_starts]
    tokens: list[str] = []
    ticks: list[int] = []
    li = 0
    for s in slices:
        while li < len(lines) and lines[li] <= s.start:
            tokens.append(f"<bar:{lengths[li] + (first_bar_pad if li == 0 else 0)}>")
            ticks.append(lines[li])
            if li == 0 and first_bar_pad:
                for d in split_duration(first_bar_pad):
                    tokens.append(f"D{d}")
                    ticks.append(lines[0])
            li += 1
        held = s.held
        t = s.start
        for i, d in enumerate(split_duration(s.steps)):
            pitches = [(p, "N") for p in s.struck] if i == 0 else []
            pitches += [(p, "H") for p in (held if i == 0 else s.pitches)]
            for p, kind in sorted(pitches):
                tokens.append(f"{kind}{p}")
                ticks.append(t)
            tokens.append(f"D{d}")
            ticks.append(t)
            t += d * STEP
    return tokens, ticks


def split_duration(steps: int) -> list[int]:
    """``steps`` as duration tokens, largest first (``[96, 24, 3]`` for 123)."""
    out = []
    while steps > 0:
        d = DURATIONS[bisect.bisect_right(DURATIONS, steps) - 1]
        out.append(d)
        steps -= d
    return out


def tokens_to_notes(tokens: Iterable[str], start: int = 0, velocity: int = 80,
                    sounding: Sequence[int] = ()) -> tuple[list[Note], dict[int, int], int]:
    """Notes written by ``tokens`` from ``start`` ticks; returns ``(closed notes,
    {pitch: start} of notes still sounding, the tick reached)``. A leading ``H`` of a
    pitch in ``sounding`` (sounding before ``start``) strikes it again at ``start``."""
    out: list[Note] = []
    open_: dict[int, int] = {}
    t = start
    listed: list[tuple[str, int]] = []
    del sounding  # a leading hold of a seed pitch opens it again below

    def close_slice():
        now = {p for _, p in listed}
        for p in list(open_):
            if p not in now:
                out.append(Note(open_.pop(p), t, p, velocity))
        for kind, p in listed:
            if kind == "N" and p in open_:
                out.append(Note(open_.pop(p), t, p, velocity))
            if p not in open_:
                open_[p] = t
        listed.clear()

    for tok in tokens:
        if tok[0] in "NH" and tok[1:].isdigit():
            listed.append((tok[0], int(tok[1:])))
        elif tok[0] == "D" and tok[1:].isdigit():
            close_slice()
            t += int(tok[1:]) * STEP
    return out, open_, t


# --- vocabulary ---------------------------------------------------------------------------
PAD, END = "<pad>", "<end>"
VOCAB_FORMAT = "composer-piano-vocab/1"


class PianoVocab:
    """Token strings <-> ids: ``<pad>``, ``<end>``, the bar lengths seen in training
    (``<bar:n>``, n in steps), ``N21..N108``, ``H21..H108``, then :data:`DURATIONS`.
    A bar length never seen is encoded as the nearest one seen (the decoder still
    fills the real length)."""

    def __init__(self, bar_lengths: Sequence[int]):
        self.bar_lengths = tuple(sorted(set(int(b) for b in bar_lengths)))
        if not self.bar_lengths or min(self.bar_lengths) < 1:
            raise ValueError("a piano vocabulary needs at least one bar length")
        pitches = range(LOW, HIGH + 1)
        self.tokens: tuple[str, ...] = (
            PAD, END, *(f"<bar:{b}>" for b in self.bar_lengths),
            *(f"N{p}" for p in pitches), *(f"H{p}" for p in pitches),
            *(f"D{d}" for d in DURATIONS))
        self._ids = {t: i for i, t in enumerate(self.tokens)}
        self.pad, self.end = 0, 1
        self.bar_base = 2
        self.note_base = self.bar_base + len(self.bar_lengths)
        self.held_base = self.note_base + (HIGH - LOW + 1)
        self.dur_base = self.held_base + (HIGH - LOW + 1)

    def __len__(self) -> int:
        return len(self.tokens)

    def id(self, token: str) -> int | None:
        return self._ids.get(token)

    def bar_id(self, steps: int) -> int:
        """The ``<bar:n>`` id of the seen length nearest to ``steps``."""
        i = min(range(len(self.bar_lengths)),
                key=lambda k: (abs(self.bar_lengths[k] - steps), self.bar_lengths[k]))
        return self.bar_base + i

    def encode(self, tokens: Iterable[str]) -> list[int]:
        out = []
        for t in tokens:
            i = self._ids.get(t)
            if i is None:
                if not t.startswith("<bar:"):
                    raise KeyError(t)
                i = self.bar_id(int(t[5:-1]))
            out.append(i)
        return out

    def to_json(self) -> dict:
        return {"format": VOCAB_FORMAT, "bar_lengths": list(self.bar_lengths),
                "low": LOW, "high": HIGH, "durations": list(DURATIONS)}

    def save(self, path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: object) -> PianoVocab:
        if not isinstance(data, dict) or data.get("format") != VOCAB_FORMAT:
            raise ValueError(f"not a piano vocabulary (format {VOCAB_FORMAT})")
        if (data.get("low"), data.get("high"), data.get("durations")) != (
                LOW, HIGH, list(DURATIONS)):
            raise ValueError("its pitch range or durations differ from this version's")
        lengths = data.get("bar_lengths")
        if not isinstance(lengths, list) or not all(isinstance(b, int) for b in lengths):
            raise ValueError("'bar_lengths' must be a list of whole numbers")
        return cls(lengths)

    @classmethod
    def load(cls, path) -> PianoVocab:
        """Read ``vocab.json``; raises :class:`~composer.nn.errors.ModelFileError`."""
        path = Path(path)
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ModelFileError(path, "vocabulary file is missing") from None
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise ModelFileError(path, f"vocabulary file is unusable ({e})") from None
