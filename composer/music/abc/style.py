"""How a tune's ABC is written, read off its text: the ``L:`` in force at each place,
``/2`` or ``/`` for halves, where spaces group the notes of a bar, what follows a bar
line, and how many bars a line holds. :mod:`.splice` writes new bars this way, so they
look like the bars around them. Ticks are 480 per quarter."""

from __future__ import annotations

import bisect
import contextlib
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from composer.music.abc import fields as F
from composer.music.abc.lexer import LexError, tokenize
from composer.music.abc.reader import ParsedTune
from composer.music.score import TICKS_PER_QUARTER, MeterChange

_WHOLE = 4 * TICKS_PER_QUARTER
_HALF_SHORT = re.compile(r"(?<![/\d])/(?![/\d])")
_HALF_LONG = re.compile(r"(?<![/\d])/2(?!\d)")
_SPACINGS = ("beat", "half", "bar", "quarter", "eighth")


@dataclass(frozen=True, slots=True)
class TuneStyle:
    """``short_halves``: halves written ``/`` (else ``/2``); ``spacing``: where spaces
    group a bar's notes (one of ``"beat"``, ``"half"`` (bar), ``"bar"`` (no spaces),
    ``"quarter"``, ``"eighth"``); ``separator``: what follows a bar line before the next
    bar on one line; ``per_line``: bars per line (lines joined by ``\\`` count as one)."""

    short_halves: bool
    spacing: str
    separator: str
    per_line: int

    def spacing_ticks(self, meter: MeterChange) -> int:
        """Ticks between the spaces of a bar in ``meter``."""
        if self.spacing == "half" and meter.bar_ticks % 2 == 0:
            return meter.bar_ticks // 2
        if self.spacing == "bar":
            return meter.bar_ticks
        if self.spacing == "quarter":
            return TICKS_PER_QUARTER
        if self.spacing == "eighth":
            return TICKS_PER_QUARTER // 2
        return meter.beat_ticks


def tune_style(full: str, parsed: ParsedTune, bar_ends: list[int]) -> TuneStyle:
    """The style of the tune ``parsed`` from ``full`` (the text it was read from);
    ``bar_ends`` are the offsets just past the bar lines of its main voice."""
    tm = parsed.time_map
    body = full[tm.body_start: tm.tune_end]
    music = "\n".join(line for line in body.split("\n")
                      if line and not line.startswith("%") and not re.match(r"[A-Za-z]:", line))
    short = len(_HALF_SHORT.findall(music))
    long_ = len(_HALF_LONG.findall(music))
    score = parsed.score
    # Spacing: which boundaries inside a bar have a space before them.
    items = sorted((n.char_start, n.char_end, n.start) for n in tm.notes
                   if n.voice == tm.main_voice)
    starts = score.bar_starts()
    votes: Counter = Counter()
    for (_, e0, t0), (c1, _, t1) in zip(items, items[1:]):
        if t1 <= t0 or "\n" in full[e0:c1] or "|" in full[e0:c1]:
            continue
        bar = starts[bisect.bisect_right(starts, t1) - 1]
        meter = score.meter_at(bar)
        spaced = " " in full[e0:c1] or "\t" in full[e0:c1]
        for kind in _SPACINGS:
            period = TuneStyle(False, kind, "", 4).spacing_ticks(meter)
            votes[kind] += ((t1 - bar) % period == 0) == spaced
    spacing = max(_SPACINGS, key=lambda k: votes[k])
    after: Counter = Counter()
    per_line: Counter = Counter()
    for end in bar_ends:
        nxt = full[end: end + 1]
        if nxt and nxt not in "\n\\%":
            after[nxt == " "] += 1
        per_line[_logical_line(full, end)] += 1
    separator = " " if after[True] > after[False] else ""
    lines = [n for n in per_line.values() if n > 0]
    return TuneStyle(short > long_, spacing, separator,
                     max(1, round(statistics.median(lines))) if lines else 4)


def _logical_line(full: str, offset: int) -> int:
    """The line ``offset`` is on, counting lines joined by a ``\\`` at their end as one."""
    return full.count("\n", 0, offset) - full.count("\\\n", 0, offset)


def unit_map(full: str, parsed: ParsedTune, header_len: int) -> list[tuple[int, Fraction]]:
    """``(offset, unit)`` from where each ``L:`` stands in ``full`` (its first
    ``header_len`` characters are the file header), the default first; units in whole
    notes."""
    tm = parsed.time_map
    try:
        tokens = tokenize(full[:header_len], 0, header_only=True) if header_len else []
        tokens += tokenize(full[tm.tune_start: tm.tune_end], tm.tune_start)
    except LexError:
        return [(0, Fraction(1, 8))]
    meter = None
    out: list[tuple[int, Fraction]] = []
    seen_body = False
    for tok in tokens:
        if tok.kind != "field":
            if tok.kind in ("note", "chord", "rest") and not seen_body:
                seen_body = True
                if not out:
                    out.append((0, F.default_unit_length(meter)))
            continue
        letter, value, _ = tok.value
        if letter == "M" and not seen_body:
            meter = F.parse_meter(value)
        elif letter == "L":
            with contextlib.suppress(F.FieldError):
                out.append((tok.start, F.parse_length(value)))
    return out or [(0, Fraction(1, 8))]


def unit_at(units: list[tuple[int, Fraction]], offset: int) -> int:
    """The ``L:`` unit in force at ``offset``, in ticks."""
    unit = units[0][1]
    for at, u in units:
        if at <= offset:
            unit = u
    return int(unit * _WHOLE)
