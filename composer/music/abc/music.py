"""How notes, rests, chords, ties, tuplets, broken rhythm, bar lines and endings move
a voice through time: the music half of :class:`~.parser.Parser` (its reading rules
are in :mod:`.parser`'s docstring)."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from composer.music.abc import fields as F
from composer.music.abc.lexer import LexError, NoteTok, Token
from composer.music.abc.state import Event, VoiceState
from composer.music.abc.written import WrittenBar
from composer.music.score import TICKS_PER_QUARTER, Volta

TICKS_PER_WHOLE = 4 * TICKS_PER_QUARTER
LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ALTERATION = {"": 0, "^": 1, "^^": 2, "_": -1, "__": -2, "=": 0}
_DEFAULT_Q = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}
_BAR_RANK = ("|", "[|", "||", "|]")
_MAX_TICKS = 10_000 * TICKS_PER_WHOLE
"""Longest tune we read (10,000 bars of 4/4): stops typos like ``Z999`` from making
scores nobody can draw."""
_SHORTEST_EXACT = Fraction(1, 128)
"""The shortest plain note a whole number of ticks long (15 ticks)."""


class Timed(NamedTuple):
    """One written note, rest or chord, for checking its time against whole ticks:
    its token, its entries ``[first, end)`` of ``Parser.written``, the unit length
    and whether an ``L:`` line set it, and the tuplet it is in (``(start, end, p,
    q)`` of the tuplet's characters, or ``None``)."""

    tok: Token
    first: int
    end: int
    unit: Fraction
    unit_written: bool
    tuplet: tuple[int, int, int, int] | None


class MusicRules:
    """The note-level rules, mixed into :class:`~.parser.Parser` (which holds the
    state these methods use: ``voices``, ``main``, ``written``, ``barlines`` ...)."""

    # --- music ----------------------------------------------------------------------
    def _note(self, tok: Token) -> None:
        self._event(tok, [tok.value], Fraction(1))

    def _chord(self, tok: Token) -> None:
        notes, outer = tok.value
        self._event(tok, list(notes), outer)

    def _rest(self, tok: Token) -> None:
        self._event(tok, [], tok.value)

    def _event(self, tok: Token, notes: list[NoteTok], outer: Fraction) -> None:
        v = self._current()
        self._mark(v, tok.start)
        unit = self._unit(v)
        factor = Fraction(1)
        first = len(self.written)
        self.timed.append(Timed(tok, first, first + max(len(notes), 1), unit, self.unit_written,
                                self.tuplet_marks.get(v.id) if v.tuplet_left > 0 else None))
        if v.tuplet_left > 0:
            factor = v.tuplet_factor
            v.tuplet_left -= 1
        if v.broken_next is not None:
            factor *= v.broken_next
            v.broken_next = None
        scale = unit * TICKS_PER_WHOLE * factor
        start = v.cursor
        incoming, incoming_letters = v.ties, v.tie_letters
        v.ties, v.tie_letters = {}, {}
        if not notes:  # a rest
            duration = outer * scale
            idx = len(self.written)
            self.written.append([v.id, start, start + duration, None, tok.start, tok.end])
            v.last = Event(start, duration, [], [idx], [], [])
            self._advance(v, duration, tok.start)
            return
        duration = notes[0].length * outer * scale
        event = Event(start, duration, [], [], [], [])
        for n in notes:
            pitch, letter_key = self._pitch(v, n, incoming_letters)
            length = n.length * outer * scale
            end = start + length
            self.written.append([v.id, start, end, pitch, n.start, n.end])
            if pitch in event.pitches:  # the same pitch twice in a chord sounds once
                continue
            merged = incoming.pop(pitch, None)
            if merged is not None and v.notes[merged][1] == start:
                v.notes[merged][1] = end
            else:
                merged = len(v.notes)
                v.notes.append([start, end, pitch])
            event.merged.append(merged)
            event.pitches.append(pitch)
            event.letters.append(letter_key)
            event.written.append(len(self.written) - 1)
            if n.tie:
                v.ties[pitch] = merged
                v.tie_letters[letter_key] = pitch
        v.last = event
        self._advance(v, duration, tok.start)

    def _unit(self, v: VoiceState) -> Fraction:
        if v.unit is None:
            v.unit = self.unit or F.default_unit_length(v.meter)
        return v.unit

    def _pitch(self, v: VoiceState, n: NoteTok, tied: dict) -> tuple[int, tuple[str, int]]:
        letter = n.letter.upper()
        octave = 4 + (1 if n.letter.islower() else 0) + n.octave + v.octave
        natural = 12 * (octave + 1) + LETTER_PC[letter]
        key = (letter, octave) if self.propagate == "octave" else (letter, 0)
        if n.accidental:
            alteration = _ALTERATION[n.accidental]
            if self.propagate != "not":
                v.bar_acc[key] = alteration
        elif (letter, octave) in tied and self.propagate != "not":
            pitch = tied[(letter, octave)]
            alteration = pitch - natural
        elif key in v.bar_acc:
            alteration = v.bar_acc[key]
        else:
            alteration = v.signature[letter]
        pitch = natural + alteration
        if not 0 <= pitch <= 127:
            raise LexError("note out of range: MIDI pitches run from C,,,,, to g'''''",
                           n.start)
        return pitch, (letter, octave)

    def _advance(self, v: VoiceState, duration: Fraction, offset: int) -> None:
        v.cursor += duration
        if v.cursor > _MAX_TICKS:
            raise LexError("the tune is too long (over 10,000 bars)", offset)

    def _bars_rest(self, tok: Token) -> None:
        v = self._current()
        self._mark(v, tok.start)
        num, den = v.meter or (4, 4)
        bar = Fraction(num * TICKS_PER_WHOLE, den)
        v.ties, v.tie_letters, v.last = {}, {}, None
        start = v.cursor
        self.written.append([v.id, start, start + bar * tok.value, None, tok.start, tok.end])
        for i in range(tok.value):
            if i:
                self._add_barline(v, v.cursor, "|")
            self._advance(v, bar, tok.start)

    def _tie(self, tok: Token) -> None:
        v = self._current()
        if v.last is None:
            raise LexError("a tie - must follow a note", tok.start)
        for pitch, merged, letter in zip(v.last.pitches, v.last.merged, v.last.letters):
            v.ties[pitch] = merged
            v.tie_letters[letter] = pitch

    def _broken(self, tok: Token) -> None:
        v = self._current()
        last = v.last
        if last is None or last.start + last.duration != v.cursor:
            raise LexError("a broken rhythm > or < must stand between two notes", tok.start)
        n = abs(tok.value)
        short = Fraction(1, 2 ** n)
        first, second = (2 - short, short) if tok.value > 0 else (short, 2 - short)
        delta = last.duration * (first - 1)
        for i in last.written:
            w = self.written[i]
            w[2] = w[1] + (w[2] - w[1]) * first
        for i in last.merged:
            v.notes[i][1] += delta
        last.duration += delta
        v.cursor += delta
        v.broken_next = second

    def _tuplet(self, tok: Token) -> None:
        v = self._current()
        self._mark(v, tok.start)
        p, q, r = tok.value
        if q is None:
            if p in _DEFAULT_Q:
                q = _DEFAULT_Q[p]
            else:
                num = (v.meter or (4, 4))[0]
                q = 3 if num % 3 == 0 and num > 3 else 2
        v.tuplet_factor = Fraction(q, p)
        v.tuplet_left = r or p
        self.tuplet_marks[v.id] = (tok.start, tok.end, p, q)

    def _grace(self, tok: Token) -> None:
        self._mark(self._current(), tok.start)

    def _decoration(self, tok: Token) -> None:
        self._mark(self._current(), tok.start)

    def _annotation(self, tok: Token) -> None:
        self._mark(self._current(), tok.start)

    def _symbol(self, tok: Token) -> None:
        v = self._current()
        self._mark(v, tok.start)
        if not tok.value.strip():
            return  # a blank symbol ("" or " ") names no chord
        self.chords.append((v.cursor, tok.value, v.id))
        self.symbols.append((v.id, v.cursor, tok.value, tok.start, tok.end))

    def _notice(self, tok: Token) -> None:
        self.notices.append((tok.start, tok.end, str(tok.value)))

    def _line_end(self, tok: Token) -> None:
        pass

    # --- bars -----------------------------------------------------------------------
    def _mark(self, v: VoiceState, offset: int) -> None:
        if v.bar_first_char is None:
            v.bar_first_char = offset

    def _bar(self, tok: Token) -> None:
        v = self._current()
        tick = v.cursor
        if v.bar_first_char is not None and tick > v.bar_start:
            v.bars.append(WrittenBar(v.id, to_tick(v.bar_start), to_tick(tick), v.bar_first_char,
                                     tok.end))
            v.bar_start = tick
        v.bar_first_char = None
        v.bar_acc.clear()
        self._add_barline(v, tick, tok.value)

    def _add_barline(self, v: VoiceState, tick: Fraction, kind: str) -> None:
        if v is not self.main:
            return
        t = to_tick(tick)
        self.barlines[t] = merge_kinds(self.barlines.get(t), kind)
        if kind != "|" and self.open_volta is not None and self.open_volta[0] < tick:
            self._close_volta(tick)

    def _volta(self, tok: Token) -> None:
        v = self._current()
        self._mark(v, tok.start)
        if v is not self.main:
            return
        if self.open_volta is not None and self.open_volta[0] < v.cursor:
            self._close_volta(v.cursor)
        self.open_volta = (v.cursor, tok.value)

    def _close_volta(self, tick: Fraction) -> None:
        start, numbers = self.open_volta
        self.open_volta = None
        if tick > start:
            self.voltas.append(Volta(to_tick(start), to_tick(tick), numbers))

    # --- times that are not whole ticks ------------------------------------------------
    def _off_grid(self) -> list[tuple[int, int, str]]:
        """``(char_start, char_end, reason)`` of every written note, rest or chord whose
        length is not a whole number of ticks (it is rounded), once per place: the
        note itself, or the tuplet whose ratio makes it so (once per tuplet). A start
        off the whole ticks always follows such a length in the same voice (bars and
        ``Z`` rests are whole ticks), which is the place reported."""
        found: list[tuple[int, int, str]] = []
        tuplets: set[int] = set()
        written = self.written
        for t in self.timed:
            off = [i for i in range(t.first, t.end) if _off(written[i])]
            if not off:
                continue
            plain = _plain(t)  # as written, before tuplets and broken rhythm
            own = [i for i in off if plain[i - t.first].denominator != 1]
            if own:  # the length as written is off the ticks
                i = own[0]
                found.append((t.tok.start, t.tok.end, self._note_reason(
                    t, written[i], plain[i - t.first], broken=False)))
                continue
            w = written[off[0]]
            if t.tuplet is not None and any(
                    (plain[i - t.first] * Fraction(t.tuplet[3], t.tuplet[2])).denominator
                    != 1 for i in off):
                if t.tuplet[0] not in tuplets:
                    tuplets.add(t.tuplet[0])
                    found.append((t.tuplet[0], t.tuplet[1], self._tuplet_reason(t, w)))
                continue
            found.append((t.tok.start, t.tok.end, self._note_reason(  # a broken rhythm's
                t, w, plain[off[0] - t.first], broken=True)))
        return sorted(found)

    def _note_reason(self, t: Timed, w: list, plain: Fraction, broken: bool) -> str:
        written = self.text[t.tok.start:t.tok.end]
        length = w[2] - w[1]
        rounded = to_tick(w[2]) - to_tick(w[1])
        whole = length / TICKS_PER_WHOLE
        if whole < _SHORTEST_EXACT:
            why = ("shorter than the shortest note Composer keeps exactly (1/128 of a whole "
                   "note, 15 ticks)")
        else:
            why = "not a whole number of Composer's ticks (480 per quarter note)"
        after = " after a broken rhythm" if broken else ""
        if broken:
            advice = "write the pair of notes longer or change L:"
        else:
            better = _suggest(written, t.tok, plain / TICKS_PER_WHOLE, t.unit)
            advice = f"write {better} or change L:" if better else "write it longer or change L:"
        return (f"{written} lasts {_ticks(length)} ticks ({whole} of a whole note) at "
                f"{_unit_text(t)}{after}, {why}; it is rounded to {rounded} ticks: {advice}")

    def _tuplet_reason(self, t: Timed, w: list) -> str:
        start, end, p, q = t.tuplet
        written = self.text[start:end]
        length = w[2] - w[1]
        return (f"{written} puts {p} notes in the time of {q}: at {_unit_text(t)} they last "
                f"{_ticks(length)} ticks, not a whole number of Composer's ticks (480 per "
                "quarter note), so each is rounded to whole ticks, by less than a tick (too "
                "little to hear): leave it, or use a tuplet that divides evenly such as "
                "(3, (5 or (6")


def _off(w: list) -> bool:
    """Whether a written entry's length is not a whole number of ticks."""
    if w[1].denominator == 1 and w[2].denominator == 1:  # the common case, fast
        return False
    return (w[2] - w[1]).denominator != 1


def _plain(t: Timed) -> list[Fraction]:
    """The lengths in ticks of ``t``'s written entries as written (their own length
    times the chord's, in units)."""
    scale = t.unit * TICKS_PER_WHOLE
    if t.tok.kind == "rest":
        return [t.tok.value * scale]
    if t.tok.kind == "note":
        return [t.tok.value.length * scale]
    notes, outer = t.tok.value
    return [n.length * outer * scale for n in notes]


def _ticks(t: Fraction) -> str:
    """``7.5``, ``3.75``; ``about 68.6`` when the decimals do not end soon."""
    if (t * 1000).denominator == 1:
        return f"{float(t):g}"
    return f"about {float(t):.1f}"


def _unit_text(t: Timed) -> str:
    unit = f"L:{t.unit.numerator}/{t.unit.denominator}"
    return unit if t.unit_written else f"the default {unit} (the tune has no L: line)"


_NOTE_HEAD = re.compile(r"(?:\^\^|\^|__|_|=)?[A-Ga-g][,']*", re.ASCII)


def _suggest(written: str, tok: Token, whole: Fraction, unit: Fraction) -> str | None:
    """The note, rest or chord written with the nearest length that is a whole number
    of ticks and a multiple of a 1/128 note (``a/16`` at ``L:1/16`` -> ``a/8``), or
    ``None`` when its length is not written in one place (a chord with lengths
    inside)."""
    if tok.kind == "note":
        m = _NOTE_HEAD.match(written)
        head = m.group(0) if m else None
    elif tok.kind == "rest":
        head = written[:1]
    elif tok.kind == "chord" and all(n.length == 1 for n in tok.value[0]):
        head = written[:written.rfind("]") + 1]
    else:
        head = None
    if not head:
        return None
    steps = max(round(whole / _SHORTEST_EXACT), 1)
    multiple = steps * _SHORTEST_EXACT / unit
    return head + _length_text(multiple)


def _length_text(m: Fraction) -> str:
    """An ABC length suffix: 1 -> ``""``, 2 -> ``"2"``, 1/8 -> ``"/8"``, 3/2 -> ``"3/2"``."""
    if m == 1:
        return ""
    if m.denominator == 1:
        return str(m.numerator)
    if m.numerator == 1:
        return f"/{m.denominator}"
    return f"{m.numerator}/{m.denominator}"


def to_tick(t: Fraction) -> int:
    """An exact tick position rounded to a whole tick."""
    return round(t)


def merge_kinds(a: str | None, b: str) -> str:
    """One bar line kind for two written at the same tick (``:|`` then ``|:`` is
    ``:|:``; otherwise the stronger one)."""
    if a is None:
        return b
    ends = a in (":|", ":|:") or b in (":|", ":|:")
    starts = a in ("|:", ":|:") or b in ("|:", ":|:")
    if ends and starts:
        return ":|:"
    if ends:
        return ":|"
    if starts:
        return "|:"
    return max(a, b, key=_BAR_RANK.index)
