"""The map between an ABC tune's characters and its time (ticks, 480 per quarter).

Made by the same parse as the score (:func:`composer.music.abc.parse_abc`), so it
always agrees with it. All character offsets count in the text given to the reader
(a whole multi-tune file, or one tune); ticks are written time (repeats not
expanded), per voice.

- ``notes``: every note and rest as written (a chord gives one entry per note),
  with its ticks before ties are merged and its characters (accidental through
  length).
- ``bars``: every written bar of every voice: ticks ``[start, end)`` and characters
  from its first element through its closing bar line.
- ``symbols``: chord symbols with their tick and characters (quotes included).

Uses: a selection in the ABC editor becomes a time range (:meth:`ticks_for_chars`),
a selected time range becomes characters to highlight (:meth:`chars_for_ticks`),
and a per-character model view gets the tick of every character
(:meth:`char_ticks`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from composer.music.abc.written import WrittenBar, WrittenNote, WrittenSymbol
from composer.music.score import Score


@dataclass(frozen=True)
class AbcTimeMap:
    """Characters <-> ticks for one tune (see the module docstring)."""

    notes: tuple[WrittenNote, ...]
    bars: tuple[WrittenBar, ...]
    symbols: tuple[WrittenSymbol, ...]
    main_voice: str
    """The voice that owns bar lines and meters (the first voice with music)."""
    tune_start: int
    """Offset of the tune's first character (its ``X:`` line)."""
    body_start: int
    """Offset of the first character after the ``K:`` line."""
    tune_end: int
    """Offset just past the tune's last character."""
    track_voices: tuple[str, ...] = ()
    """The voice id of each track of the score read with this map, in track order."""

    @property
    def voices(self) -> list[str]:
        """Voice ids in order of first appearance (``""`` for a tune without ``V:``)."""
        seen: dict[str, None] = {}
        for n in self.notes:
            seen.setdefault(n.voice, None)
        return list(seen)

    def _elements(self, voice: str | None):
        voice = self.main_voice if voice is None else voice
        items = [(n.char_start, n.char_end, n.start, n.end) for n in self.notes
                 if n.voice == voice]
        items += [(s.char_start, s.char_end, s.tick, s.tick) for s in self.symbols
                  if s.voice == voice]
        return sorted(items)

    def ticks_for_chars(self, char_start: int, char_end: int,
                        voice: str | None = None) -> tuple[int, int] | None:
        """The time ``[start, end)`` covered by the notes and rests whose characters
        touch ``[char_start, char_end)`` (an empty range touches the element under
        the cursor); ``None`` if none does (e.g. the range lies in the header)."""
        char_end = max(char_end, char_start + 1)
        touched = [(a, b) for c0, c1, a, b in self._elements(voice)
                   if c0 < char_end and c1 > char_start and b > a]
        if not touched:
            return None
        return min(a for a, _ in touched), max(b for _, b in touched)

    def bars_for_chars(self, char_start: int, char_end: int,
                       voice: str | None = None) -> tuple[int, int] | None:
        """Whole bars ``[start, end)`` whose characters touch ``[char_start, char_end)``."""
        voice = self.main_voice if voice is None else voice
        char_end = max(char_end, char_start + 1)
        touched = [b for b in self.bars if b.voice == voice
                   and b.char_start < char_end and b.char_end > char_start]
        if not touched:
            return None
        return min(b.start for b in touched), max(b.end for b in touched)

    def chars_for_ticks(self, start: int, end: int,
                        voice: str | None = None) -> tuple[int, int] | None:
        """Characters ``[char_start, char_end)`` of the notes, rests and chord symbols
        that sound in ``[start, end)`` ticks (symbols: that start there)."""
        hits = [(c0, c1) for c0, c1, a, b in self._elements(voice)
                if (a < end and b > start) or (a == b and start <= a < end)]
        if not hits:
            return None
        return min(c for c, _ in hits), max(c for _, c in hits)

    def tick_at(self, offset: int, voice: str | None = None) -> int | None:
        """The tick of the character at ``offset``: the start of the note, rest or
        symbol it belongs to, else of the next one (the end of the last one after
        the music); ``None`` in the header or outside the tune."""
        if not self.body_start <= offset < self.tune_end:
            return None
        items = self._elements(voice)
        if not items:
            return None
        i = bisect.bisect_right([c0 for c0, *_ in items], offset) - 1
        if i >= 0 and items[i][0] <= offset < items[i][1]:
            return items[i][2]
        if i + 1 < len(items):
            return items[i + 1][2]
        return items[-1][3]

    def char_ticks(self, voice: str | None = None) -> list[int | None]:
        """The tick of every character of the tune, ``tune_start`` to ``tune_end``
        (``None`` for header characters), as :meth:`tick_at` defines it."""
        items = self._elements(voice)
        out: list[int | None] = [None] * (self.tune_end - self.tune_start)
        if not items:
            return out
        k = 0
        for offset in range(max(self.body_start, self.tune_start), self.tune_end):
            while k < len(items) and items[k][1] <= offset:
                k += 1
            if k < len(items):
                c0, _, a, _ = items[k]
                out[offset - self.tune_start] = a
            else:
                out[offset - self.tune_start] = items[-1][3]
        return out

    def bar_spans(self, score: Score) -> list[tuple[int, int]]:
        """Characters ``(char_start, char_end)`` of each bar of :meth:`Score.bars` of
        ``score`` (the score read with this map), in the main voice: a bar's span
        runs from its first element through its closing bar line."""
        written = [b for b in self.bars if b.voice == self.main_voice]
        items = self._elements(None)
        out = []
        for a, b in score.bars():
            exact = [w for w in written if (w.start, w.end) == (a, b)]
            if exact:
                out.append((exact[0].char_start, exact[0].char_end))
                continue
            inside = [(c0, c1) for c0, c1, s, _ in items if a <= s < b]
            around = [w for w in written if w.start < b and w.end > a]
            spans = inside or [(w.char_start, w.char_end) for w in around]
            if not spans:
                out.append((self.tune_end, self.tune_end))
                continue
            c0 = min(c for c, _ in spans)
            c1 = max(c for _, c in spans)
            closing = [w.char_end for w in written if w.end == b]
            out.append((c0, max([c1, *closing])))
        return out
