"""Our ABC writer (music21 has none): :func:`score_to_abc`.

What it writes (ABC 2.1, read back by our reader and by music21 to the same notes):

- A header ``X:`` ``T:`` (the metadata fields kept from the source: ``S:`` ``R:``
  ``C:`` ``O:`` ``N:`` ``Y:`` ...) ``M:`` ``L:`` ``Q:`` ``K:``. ``L:`` is chosen per tune
  (1/8, 1/4 or 1/16, whichever writes the lengths shortest; 1/8 on a tie).
- Bars where the score has them (a pickup stays a short first bar), four bars a
  line (a pickup rides on the first line), bar lines and repeats by kind, endings
  ``[1`` ``[2`` where the score's voltas start (an ending that would otherwise run on
  is closed by ``||``).
- Notes split at bar lines and at chord symbols with ties; lengths relative to
  ``L:`` in plain, dotted or double-dotted values (longer ones tied); tuplets
  ``(3`` or ``(p:q:r`` where the rhythm needs them; rests ``z``; chords ``[CEG]``
  with per-note ties; accidentals per :mod:`.spelling`; octaves ``C, C c c'``.
- Chord symbols in quotes before the note (or rest) where they fall, in the first
  voice; part labels as ``P:`` lines (or ``[P:B]`` mid-line); key, meter and tempo
  changes as field lines at a bar start, else inline ``[K:D]``.
- More than one track: one ``V:`` block per track (the whole voice, then the next:
  music21 reads repeated ``V:`` blocks as separate parts), each with its name and
  ``%%MIDI program`` (``%%MIDI channel 10`` for drums).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable

from composer.music.abc.fields import MAX_QPM
from composer.music.abc.rhythm import (
    FINE_GRID,
    GRID,
    clean_notes,
    group,
    layout,
    length_text,
    quantize,
    segments,
)
from composer.music.abc.spelling import Speller
from composer.music.score import TICKS_PER_QUARTER, KeyChange, MeterChange, Score, Track

_BARS_PER_LINE = 4
_UNITS = (TICKS_PER_QUARTER // 2, TICKS_PER_QUARTER, TICKS_PER_QUARTER // 4)
"""Unit lengths tried for ``L:`` (1/8 first: the folk default)."""
_MODE_SUFFIX = {"major": "", "ionian": "", "minor": "m", "aeolian": "aeo", "dorian": "dor",
                "mixolydian": "mix", "lydian": "lyd", "phrygian": "phr", "locrian": "loc"}
_HEADER_LETTERS = frozenset("ABCDFGHINORSZYP")
"""Metadata fields written back into the header."""


def score_to_abc(score: Score, *, x: int = 1, unit: int | None = None,
                 short_halves: bool = True,
                 spacing: Callable[[MeterChange], int] | None = None) -> str:
    """``score`` as the ABC text of one tune numbered ``x`` (see the module docstring);
    ``unit`` (ticks) sets ``L:`` instead of :func:`choose_unit`; ``short_halves``
    writes half a unit ``/`` (else ``/2``, as the Nottingham files do); ``spacing``
    gives the ticks between the spaces that group notes in a bar of a meter (default:
    the meter's beat)."""
    s = _cover_chords(score.normalized())
    tracks = [t for t in s.tracks if t.notes] or [Track("Melody")]
    bars = s.bars() or [(0, s.meter_at(0).bar_ticks)]
    unit = unit or choose_unit(tracks)
    lines = _header(s, x, unit)
    multi = len(tracks) > 1
    for i, track in enumerate(tracks):
        if multi:
            name = track.name.replace('"', "'")
            clef = " clef=bass" if _is_low(track) else ""
            lines.append(f'V:{i + 1} name="{name}"{clef}')
        if track.is_drum:
            lines.append("%%MIDI channel 10")
        if track.program:
            lines.append(f"%%MIDI program {track.program}")
        lines.extend(_VoiceWriter(s, track, bars, unit, structure=(i == 0),
                                  short_halves=short_halves, spacing=spacing).lines())
    return "\n".join(lines) + "\n"


class BarWriter:
    """Writes single bars of one track of ``score`` as ABC, for splicing into a text
    written in another style (:mod:`.splice`): ``unit`` is the ``L:`` in force there
    (ticks), ``short_halves`` and ``spacing`` as for :func:`score_to_abc`;
    ``structure`` (the first voice) also writes chord symbols and the part labels,
    endings and field changes that fall inside a bar."""

    def __init__(self, score: Score, track_index: int = 0, *, unit: int,
                 short_halves: bool = True,
                 spacing: Callable[[MeterChange], int] | None = None,
                 structure: bool = True):
        s = _cover_chords(score.normalized())
        track = s.tracks[track_index] if track_index < len(s.tracks) else Track("Melody")
        self._writer = _VoiceWriter(s, track, [], unit, structure, short_halves, spacing)

    def content(self, start: int, end: int) -> str:
        """The notes, rests and chord symbols of the bar ``[start, end)`` (ticks), with
        the fields and endings that start inside it; no bar lines, nothing for what
        starts at ``start`` but its chord symbols."""
        w = self._writer
        w.speller.set_key(w.s.key_at(start))
        return w._bar(start, end)


def _cover_chords(s: Score) -> Score:
    """``s`` lengthened to the end of the bar of its last chord symbol when that
    symbol stands at or after the end of the music (it needs a rest to sit on)."""
    last = max((c.start for c in s.chords), default=-1)
    if last < s.length:
        return s
    start = s.bar_starts(last + 1)[-1]
    return dataclasses.replace(s, end_tick=start + s.meter_at(start).bar_ticks)


def choose_unit(tracks: list[Track]) -> int:
    """The ``L:`` unit in ticks that writes the tune's note lengths in the fewest
    characters."""
    durations = [n.duration for t in tracks for n in t.notes if n.duration % GRID == 0]
    return min(_UNITS, key=lambda u: sum(len(length_text(d, u)) for d in durations))


def _is_low(track: Track) -> bool:
    notes = track.notes
    return bool(notes) and sum(n.pitch for n in notes) / len(notes) < 55


def key_text(key: KeyChange) -> str:
    return key.tonic + _MODE_SUFFIX.get(key.mode, "")


def _tempo_text(qpm: float) -> str:
    return f"1/4={min(MAX_QPM, max(1, round(qpm)))}"


def _header(s: Score, x: int, unit: int) -> list[str]:
    lines = [f"X:{x}", f"T:{_one_line(s.title)}"]
    for key, value in s.metadata:
        value = _one_line(value)
        if key == "T":
            lines.append(f"T:{value}")
    for key, value in s.metadata:
        value = _one_line(value)
        if key in _HEADER_LETTERS:
            lines.append(f"{key}:{value}")
        elif key != "T" and not (len(key) == 1 and key.isalpha()):
            lines.append(f"N:{_one_line(key)}: {value}")
    meter = s.meters[0]
    lines.append(f"M:{meter.numerator}/{meter.denominator}")
    lines.append(f"L:1/{4 * TICKS_PER_QUARTER // unit}")
    lines.append(f"Q:{_tempo_text(s.tempos[0].qpm)}")
    lines.append(f"K:{key_text(s.keys[0])}")
    return lines


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _VoiceWriter:
    """The body lines of one track (``structure``: the first voice, which also carries
    chord symbols, part labels and tempo changes)."""

    def __init__(self, s: Score, track: Track, bars, unit: int, structure: bool,
                 short_halves: bool = True, spacing=None):
        self.s = s
        self.short_halves = short_halves
        self.spacing = spacing
        self.notes = clean_notes(track.notes)
        self.bars = bars
        self.unit = unit
        self.structure = structure
        self.speller = Speller(s.keys[0])
        self.kinds = {b.tick: b.kind for b in s.barlines}
        self.volta_at = {v.start: v for v in s.voltas}
        self.volta_ends = {v.end for v in s.voltas}
        self.chords = defaultdict(list)
        self.parts = defaultdict(list)
        if structure:
            for c in s.chords:
                self.chords[c.start].append(c.text)
            for p in s.parts:
                self.parts[p.tick].append(p.label)
        self.meters = {m.tick: m for m in s.meters if m.tick > 0}
        self.keys = {k.tick: k for k in s.keys if k.tick > 0}
        self.tempos = {t.tick: t for t in s.tempos if t.tick > 0} if structure else {}

    # --- layout -------------------------------------------------------------------
    def lines(self) -> list[str]:
        out: list[str] = []
        line = ""
        counted = 0
        pickup = self.s.pickup_ticks > 0
        last = len(self.bars) - 1
        for k, (a, b) in enumerate(self.bars):
            fields = self._field_lines(a)
            if fields or (counted >= _BARS_PER_LINE and line):
                if line:
                    out.append(line)
                out.extend(fields)
                line, counted = "", 0
            if k == 0 and self.kinds.get(0, "|") != "|":
                line += self.kinds[0]
            if a in self.volta_at:
                line += _volta_text(self.volta_at[a])
            line += self._bar(a, b)
            line += self._barline(b, final=(k == last))
            if not (k == 0 and pickup):
                counted += 1
        if line:
            out.append(line)
        return out

    def _field_lines(self, tick: int) -> list[str]:
        lines = [f"P:{label}" for label in self.parts.get(tick, ())]
        if tick in self.meters:
            m = self.meters[tick]
            lines.append(f"M:{m.numerator}/{m.denominator}")
        if tick in self.keys:
            lines.append(f"K:{key_text(self.keys[tick])}")
            self.speller.set_key(self.keys[tick])
        if tick in self.tempos:
            lines.append(f"Q:{_tempo_text(self.tempos[tick].qpm)}")
        return lines

    def _inline_fields(self, tick: int) -> str:
        text = "".join(f"[P:{label}]" for label in self.parts.get(tick, ()))
        if tick in self.meters:
            m = self.meters[tick]
            text += f"[M:{m.numerator}/{m.denominator}]"
        if tick in self.keys:
            text += f"[K:{key_text(self.keys[tick])}]"
            self.speller.set_key(self.keys[tick])
        if tick in self.tempos:
            text += f"[Q:{_tempo_text(self.tempos[tick].qpm)}]"
        return text

    def _barline(self, tick: int, final: bool) -> str:
        kind = self.kinds.get(tick)
        if kind is None:
            kind = "|]" if final else "|"
        if kind == "|" and tick in self.volta_ends and tick not in self.volta_at and not final:
            kind = "||"  # close the ending where the score closes it
        return kind

    # --- one bar --------------------------------------------------------------------
    def _cuts(self, a: int, b: int) -> set[int]:
        maps = [self.meters, self.keys, self.tempos]
        if self.structure:
            maps += [self.chords, self.parts, self.volta_at]
        return {t for m in maps for t in m if a < t < b}

    def _bar(self, a: int, b: int) -> str:
        self.speller.new_bar()
        segs = segments(self.notes, a, b, self._cuts(a, b))
        groups = group(segs, a)
        if groups is None:
            groups = group(segs, a, FINE_GRID)
        if groups is None:
            groups = group(quantize(segs, a), a)
        meter = self.s.meter_at(a)
        beat = meter.beat_ticks
        space = self.spacing(meter) if self.spacing else beat
        layout(groups, a, beat)
        text = ""
        for g in groups:
            previous = None
            if g.p:
                if text and (g.segments[0].start - a) % space == 0:
                    text += " "
                first = g.pieces[0][0]
                text += self._before(first.start, a)  # a chord symbol goes before "(3"
                text += _tuplet_text(g.p, g.q, len(g.pieces))
                previous = first
            for seg, nominal, tie_all in g.pieces:
                if seg is not previous:
                    if not g.p and text and (seg.start - a) % space == 0 \
                            and not text.endswith(" "):
                        text += " "
                    text += self._before(seg.start, a)
                    previous = seg
                text += self._element(seg, nominal, tie_all)
        return text

    def _before(self, tick: int, bar_start: int) -> str:
        text = ""
        if tick > bar_start:
            if self.structure and tick in self.volta_at:
                text += _volta_text(self.volta_at[tick])
            text += self._inline_fields(tick)
        for chord in self.chords.get(tick, ()):
            text += '"' + chord.replace('"', "'") + '"'
        return text

    def _element(self, seg, nominal: int, tie_all: bool) -> str:
        length = length_text(nominal, self.unit, self.short_halves)
        if not seg.pitches:
            return "z" + length
        ties = set(seg.pitches) if tie_all else set(seg.ties)
        names = [self.speller.name(p) for p in seg.pitches]
        if len(names) == 1:
            return names[0] + length + ("-" if ties else "")
        if ties == set(seg.pitches):
            return "[" + "".join(names) + "]" + length + "-"
        inner = "".join(n + ("-" if p in ties else "") for n, p in zip(names, seg.pitches))
        return "[" + inner + "]" + length


def _tuplet_text(p: int, q: int, r: int) -> str:
    if (p, q, r) == (3, 2, 3):
        return "(3"
    return f"({p}:{q}:{r}"


def _volta_text(volta) -> str:
    numbers = list(volta.numbers)
    if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"[{numbers[0]}-{numbers[-1]}"
    return "[" + ",".join(str(n) for n in numbers)
