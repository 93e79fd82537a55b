"""Rhythm for the ABC writer: one voice's notes cut into written pieces per bar.

A bar of one voice becomes *segments*: spans between consecutive note starts and
ends (and other cuts: chord symbols, field changes), each holding the pitches that
sound through it (none for a rest) and which of them continue into the next
segment (a tie). Segments off the binary grid (multiples of :data:`GRID` ticks, a
1/64 note) are grouped into tuplets ``(p:q:r`` whose *nominal* lengths are on the
grid (a tuplet may also run to the end of a bar that itself ends off the grid);
every nominal length is then split into notatable values (plain, dotted or
double-dotted) tied together.

A bar that needs it is grouped on the finer :data:`FINE_GRID` (a 1/128 note: a
model's ``(3a/8g/8f/8`` in ``L:1/16``). A bar whose rhythm no simple tuplet explains
even so (a MIDI performance, say) is rounded to :data:`GRID`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from composer.music.score import Note

GRID = 30
"""Ticks of the binary grid: a 1/64 note at 480 ticks per quarter."""
FINE_GRID = 15
"""The finer grid tried before rounding: a 1/128 note."""
_TUPLETS = ((3, 2), (5, 4), (7, 4), (9, 8), (6, 4))
"""(p, q): p notes in the time of q, tried in this order."""
_NOTATABLE = sorted({k * 2 ** m * FINE_GRID for k in (1, 3, 7) for m in range(10)
                     if k * 2 ** m <= 512})
"""Lengths in ticks that one note can show: plain, dotted and double-dotted values
from a 1/128 note to a dotted long (a multiple of :data:`GRID` splits as before: the
odd multiples of 15 lie between the values it would choose)."""


@dataclass
class Segment:
    """``[start, end)`` ticks; ``pitches`` sounding (empty: a rest); ``ties`` the
    pitches whose note goes on past ``end``."""

    start: int
    end: int
    pitches: tuple[int, ...]
    ties: frozenset[int] = frozenset()

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass
class Group:
    """Consecutive segments written together: a tuplet ``(p:q`` when ``p`` is set
    (nominal length = actual x p / q), else plain."""

    segments: list[Segment]
    p: int = 0
    q: int = 0
    pieces: list[tuple[Segment, int, bool]] = field(default_factory=list)
    """(segment, nominal ticks, tie every pitch to the next piece) per written note."""

    def nominal(self, ticks: int) -> int:
        return ticks * self.p // self.q if self.p else ticks


def clean_notes(notes) -> list[Note]:
    """One voice's notes with overlaps of the same pitch removed (a note ends where
    the next one of its pitch starts: a voice cannot hold one pitch twice)."""
    by_pitch: dict[int, list[Note]] = {}
    for n in sorted(notes):
        by_pitch.setdefault(n.pitch, []).append(n)
    out = []
    for group in by_pitch.values():
        for a, b in zip(group, group[1:] + [None]):
            end = a.end if b is None else min(a.end, b.start)
            if end > a.start:
                out.append(Note(a.start, end, a.pitch, a.velocity))
    return sorted(out)


def segments(notes: list[Note], start: int, end: int, cuts=()) -> list[Segment]:
    """The segments of ``[start, end)`` for ``notes`` (sorted, from :func:`clean_notes`),
    also cut at ``cuts`` (ticks)."""
    inside = [n for n in notes if n.start < end and n.end > start]
    bounds = {start, end}
    for n in inside:
        bounds.add(max(n.start, start))
        bounds.add(min(n.end, end))
    bounds.update(c for c in cuts if start < c < end)
    ticks = sorted(bounds)
    out = []
    for a, b in zip(ticks, ticks[1:]):
        sounding = [n for n in inside if n.start <= a and n.end >= b]
        pitches = tuple(sorted({n.pitch for n in sounding}))
        ties = frozenset(n.pitch for n in sounding if n.end > b)
        out.append(Segment(a, b, pitches, ties))
    return out


def group(segs: list[Segment], bar_start: int, grid: int = GRID) -> list[Group] | None:
    """Plain runs and tuplets covering ``segs`` with nominal lengths on ``grid``
    (ticks), or ``None`` if some rhythm fits neither (see :func:`quantize`)."""
    out: list[Group] = []
    i = 0
    while i < len(segs):
        s = segs[i]
        if (s.start - bar_start) % grid == 0 and s.duration % grid == 0:
            if out and not out[-1].p:
                out[-1].segments.append(s)
            else:
                out.append(Group([s]))
            i += 1
            continue
        found = _tuplet(segs, i, bar_start, grid)
        if found is None:
            return None
        p, q, j = found
        out.append(Group(segs[i:j + 1], p, q))
        i = j + 1
    return out


def _tuplet(segs: list[Segment], i: int, bar_start: int,
            grid: int) -> tuple[int, int, int] | None:
    for p, q in _TUPLETS:
        total = 0
        for j in range(i, len(segs)):
            total += segs[j].duration
            if total * p % q:
                continue
            if (segs[j].end - bar_start) % grid and j < len(segs) - 1:
                continue  # a tuplet ends on the grid, or with the bar
            if all(seg.duration * p % (q * grid) == 0 for seg in segs[i:j + 1]):
                return p, q, j
    return None


def quantize(segs: list[Segment], bar_start: int) -> list[Segment]:
    """Segments with their bounds rounded to the grid (empty ones dropped)."""
    out: list[Segment] = []
    for s in segs:
        a = bar_start + round((s.start - bar_start) / GRID) * GRID
        b = bar_start + round((s.end - bar_start) / GRID) * GRID
        if b > a:
            if out and out[-1].end != a:
                a = out[-1].end
            if b > a:
                out.append(Segment(a, b, s.pitches, s.ties))
    return out


def notatable(ticks: int) -> list[int]:
    """``ticks`` (a multiple of :data:`FINE_GRID`) split into notatable lengths, longest
    first."""
    out = []
    rest = ticks
    while rest > 0:
        piece = max(v for v in _NOTATABLE if v <= rest)
        out.append(piece)
        rest -= piece
    return out


def layout(groups: list[Group], bar_start: int = 0, beat: int = 0) -> list[Group]:
    """Fill each group's ``pieces``: every segment's nominal length split into
    notatable values tied together. A length that needs several values is cut at
    the beats (``beat`` ticks from ``bar_start``) when that takes no more values, so
    a 5/8 note in 6/8 is written 3/8 + 2/8, not 4/8 + 1/8 (in 4/4 it stays 4/8 + 1/8)."""
    for g in groups:
        g.pieces = []
        for s in g.segments:
            values = notatable(g.nominal(s.duration))
            if len(values) > 1 and not g.p and beat > 0:
                first = bar_start + -(-(s.start - bar_start) // beat) * beat
                bounds = sorted({s.start, *range(first, s.end, beat), s.end})
                on_beats = [v for a, b in zip(bounds, bounds[1:]) for v in notatable(b - a)]
                if len(on_beats) <= len(values):
                    values = on_beats
            for k, v in enumerate(values):
                g.pieces.append((s, v, k < len(values) - 1))
    return groups


def length_text(ticks: int, unit_ticks: int, short_halves: bool = True) -> str:
    """An ABC length multiplier: ``""`` for one unit, ``"3"``, ``"/"`` (``"/2"`` unless
    ``short_halves``), ``"/4"``, ``"3/2"``."""
    r = Fraction(ticks, unit_ticks)
    if r == 1:
        return ""
    if r.denominator == 1:
        return str(r.numerator)
    if r.numerator == 1:
        return "/" if r.denominator == 2 and short_halves else f"/{r.denominator}"
    return f"{r.numerator}/{r.denominator}"
