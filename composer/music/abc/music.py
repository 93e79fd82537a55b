"""How notes, rests, chords, ties, tuplets, broken rhythm, bar lines and endings move
a voice through time: the music half of :class:`~.parser.Parser` (its reading rules
are in :mod:`.parser`'s docstring)."""

from __future__ import annotations

from fractions import Fraction

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
