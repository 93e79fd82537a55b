"""Tokens of one tune -> a :class:`~composer.music.score.Score` and its text/time map,
by the reading rules of ABC 2.1.

Rules worth knowing (all times in ticks, 480 per quarter, computed exactly as
fractions and rounded to whole ticks only at the end):

- **Header and body.** The header runs from ``X:`` to the first ``K:``; fields after it
  (``M:`` ``L:`` ``K:`` ``Q:`` ``P:`` ``V:``, on their own line or inline as ``[K:D]``)
  change the music from where they stand. Nottingham's second ``M:`` right after
  ``K:`` is therefore the meter at tick 0. Without ``L:`` the unit is 1/16 for meters
  below 3/4, else 1/8 (taken from the meter in force at the first note).
- **Accidentals** last to the end of the bar for the same letter in the same octave,
  and the note after a tie takes the tied note's pitch when it has the same letter
  and octave and no accidental of its own (so ``^c-|c`` is one C#).
  ``%%propagate-accidentals pitch`` carries them to every octave, ``not`` nowhere.
- **Ties** join a note to the note of the same pitch in the next chord or note;
  ``-`` may stand after a space (``G3 -G2``) or on any note of a chord.
- **Tuplets** ``(p:q:r`` put p notes in the time of q over the next r notes, rests or
  chords (q defaults per ABC 2.1: 3 for p = 2, 4, 8; 2 for 3 and 6; for 5, 7, 9 it is 3
  in compound meters, else 2). **Broken rhythm** ``>`` ``>>`` ``>>>`` (and ``<``).
- **Chords** ``[CEG]2``: each note lasts its own length times the outer length; the
  chord advances time by its first note.
- **Grace notes** ``{g}`` take no time and are dropped (the Score has no ornaments);
  decorations (``~``, ``.``, ``!trill!``, ``+trill+``, ``H`` ... ``v``) and slurs are
  dropped too. Annotations (``"^text"``) and blank symbols (``" "``) are dropped;
  every other quoted text is a chord symbol, kept exactly as written (``"D/f+"``,
  ``"(E7)"``, ``" Em"``).
- **Bar lines** are kept where written (a short first bar is a pickup) with their
  kind; ``[1`` ``|2`` ``[1,3`` start an ending that lasts to the next repeat or double
  bar line, the next ending, or the end of the tune. ``Z4`` is four bars of rest.
- **Voices** (``V:``) each keep their own time; the first voice with music owns
  the bar lines, endings, meters and keys; chord symbols come from every voice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction

from composer.music.abc import fields as F
from composer.music.abc.lexer import LexError, NoteTok, Token
from composer.music.score import (
    TICKS_PER_QUARTER,
    TRACK_ROLES,
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
    Track,
    Volta,
)

TICKS_PER_WHOLE = 4 * TICKS_PER_QUARTER
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ALTERATION = {"": 0, "^": 1, "^^": 2, "_": -1, "__": -2, "=": 0}
_DEFAULT_Q = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}
_BAR_RANK = ("|", "[|", "||", "|]")
_MAX_TICKS = 10_000 * TICKS_PER_WHOLE
"""Longest tune we read (10,000 bars of 4/4): stops typos like ``Z999`` from making
scores nobody can draw."""


@dataclass(frozen=True, slots=True)
class WrittenNote:
    """One note or rest as written: ``pitch`` is ``None`` for a rest; ticks
    ``[start, end)`` as written (not merged with ties); characters ``[char_start,
    char_end)`` of the tune text."""

    voice: str
    start: int
    end: int
    pitch: int | None
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class WrittenBar:
    """One bar of one voice as written: ticks ``[start, end)`` and characters
    ``[char_start, char_end)`` from its first element through its closing bar line."""

    voice: str
    start: int
    end: int
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class WrittenSymbol:
    """A chord symbol's tick and characters (quotes included)."""

    voice: str
    tick: int
    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Parsed:
    """What :func:`parse_tokens` makes of one tune."""

    score: Score
    notes: tuple[WrittenNote, ...]
    bars: tuple[WrittenBar, ...]
    symbols: tuple[WrittenSymbol, ...]
    body_start: int
    """Character offset where the body (the line after ``K:``) starts."""
    main_voice: str
    """Id of the voice that owns bar lines, endings, meters and keys."""


@dataclass
class _Event:
    start: Fraction
    duration: Fraction
    merged: list[int]  # indices into _Voice.notes
    written: list[int]  # indices into Parser.written
    pitches: list[int]
    letters: list[tuple[str, int]]


@dataclass
class _Voice:
    id: str
    name: str
    unit: Fraction | None
    meter: tuple[int, int] | None
    key: F.KeySpec
    signature: dict[str, int]
    clef: str = ""
    program: int | None = None
    is_drum: bool = False
    octave: int = 0
    cursor: Fraction = Fraction(0)
    bar_acc: dict = field(default_factory=dict)
    ties: dict[int, int] = field(default_factory=dict)
    tie_letters: dict[tuple[str, int], int] = field(default_factory=dict)
    notes: list[list] = field(default_factory=list)  # [start, end, pitch] (Fractions)
    last: _Event | None = None
    broken_next: Fraction | None = None
    tuplet_left: int = 0
    tuplet_factor: Fraction = Fraction(1)
    bar_start: Fraction = Fraction(0)
    bar_first_char: int | None = None
    bars: list[WrittenBar] = field(default_factory=list)


class Parser:
    """Reads the tokens of one tune (see the module docstring)."""

    def __init__(self, tokens: list[Token], text: str):
        self.tokens = tokens
        self.text = text
        self.state = "file"  # file header -> tune header -> body
        self.title: str | None = None
        self.metadata: list[tuple[str, str]] = []
        self.unit: Fraction | None = None
        self.meter: tuple[int, int] | None = None
        self.key = F.KeySpec(KeyChange(0, "C"))
        self.propagate = "octave"
        self.header_program: int | None = None
        self.header_drum = False
        self.declared: dict[str, F.VoiceSpec] = {}
        self.voices: dict[str, _Voice] = {}
        self.voice: _Voice | None = None
        self.main: _Voice | None = None
        self.meters: list[MeterChange] = []
        self.keys: list[KeyChange] = []
        self.tempos: list[TempoChange] = []
        self.barlines: dict[int, str] = {}
        self.voltas: list[Volta] = []
        self.open_volta: tuple[Fraction, tuple[int, ...]] | None = None
        self.parts: list[PartMark] = []
        self.chords: list[tuple[Fraction, str, str]] = []  # (tick, text, voice)
        self.written: list[list] = []  # [voice, start, end, pitch, c0, c1]
        self.symbols: list[tuple[str, Fraction, str, int, int]] = []
        self.body_start = len(text)
        self.first_offset = tokens[0].start if tokens else 0
        self.x_offset: int | None = None

    # --- driver ---------------------------------------------------------------------
    def run(self) -> Parsed:
        for tok in self.tokens:
            if self.state != "body" and tok.kind not in ("field", "directive"):
                where = "the K: line" if self.state == "header" else "an X: and a K: line"
                raise LexError(f"music before {where}: a tune's header must end with a K: "
                               "line (e.g. K:G)", tok.start)
            handler = getattr(self, "_" + tok.kind)
            handler(tok)
        if self.state != "body":
            raise LexError("no K: line: a tune's header must end with a K: line (e.g. K:G)",
                           self.x_offset if self.x_offset is not None else self.first_offset)
        return self._finish()

    # --- fields ---------------------------------------------------------------------
    def _field(self, tok: Token) -> None:
        letter, value, at = tok.value
        try:
            self._apply_field(letter, value, at, tok)
        except F.FieldError as e:
            raise LexError(e.reason, at + e.offset) from None

    def _apply_field(self, letter: str, value: str, at: int, tok: Token) -> None:
        text = value.strip()
        if letter == "X":
            if self.state != "file":
                raise LexError("a second X: line inside one tune: separate tunes with a "
                               "blank line", tok.start)
            self.state = "header"
            self.x_offset = tok.start
            return
        if self.state == "file" and letter == "K":
            self.state = "header"  # a tune without X: (lenient, e.g. in the editor)
        if letter == "K":
            spec = F.parse_key(value)
            if self.state != "body":
                self.state = "body"
                self.body_start = min(len(self.text), tok.end + 1)
                self._set_key(spec, global_=True)
            else:
                self._set_key(spec)
            return
        if letter == "M":
            meter = F.parse_meter(value)
            if self.state != "body":
                self.meter = meter
            else:
                self._voice_or_global("meter", meter)
            if meter is not None:
                self._structure(lambda t: self.meters.append(MeterChange(t, *meter)))
            return
        if letter == "L":
            unit = F.parse_length(value)
            if self.state != "body":
                self.unit = unit
            else:
                self._voice_or_global("unit", unit)
            return
        if letter == "Q":
            v = self.voice
            unit = (v.unit if v else None) or self.unit or F.default_unit_length(self.meter)
            qpm = F.parse_tempo(value, unit)
            if qpm is not None:
                self._structure(lambda t: self.tempos.append(TempoChange(t, qpm)), any_voice=True)
            return
        if letter == "V":
            spec = F.parse_voice(value)
            if self.state != "body":
                self.declared.setdefault(spec.id, spec)
            else:
                self._switch_voice(spec)
            return
        if letter == "P" and self.state == "body":
            label = text
            tick = self.voice.cursor if self.voice else Fraction(0)
            if label and (tick, label) not in {(p.tick, p.label) for p in self.parts}:
                self.parts.append(PartMark(tick, label))
            return
        if letter == "I":
            self._directive(Token("directive", tok.start, tok.end, text))
            return
        if self.state == "body" or letter in ("U", "+", "w", "W", "s"):
            return  # body text fields (T: N: W: w: ...) carry no notes
        if letter == "T" and self.title is None:
            self.title = text
            return
        if self.state == "header":
            self.metadata.append((letter, text))

    def _voice_or_global(self, attr: str, value) -> None:
        if self.voice is None:
            setattr(self, attr, value)
        else:
            setattr(self.voice, attr, value)

    def _set_key(self, spec: F.KeySpec, global_: bool = False) -> None:
        if global_ or self.voice is None:
            if spec.key is not None or spec.extra:
                self.key = spec if spec.key is not None else dataclasses.replace(
                    spec, key=self.key.key)
            if spec.octave is not None:
                self.key = dataclasses.replace(self.key, octave=spec.octave)
            for v in self.voices.values():
                self._apply_key(v, spec)
        else:
            self._apply_key(self.voice, spec)
        if spec.key is not None:
            key = spec.key
            self._structure(lambda t: self.keys.append(dataclasses.replace(key, tick=t)))

    def _apply_key(self, v: _Voice, spec: F.KeySpec) -> None:
        if spec.key is not None or spec.extra:
            merged = spec if spec.key is not None else dataclasses.replace(spec, key=v.key.key)
            v.key = merged
            v.signature = merged.signature()
        if spec.octave is not None:
            v.octave = spec.octave
        if spec.is_drum:
            v.is_drum = True

    def _structure(self, record, any_voice: bool = False) -> None:
        """Record a meter/key/tempo change at the current tick, if it belongs to the
        voice that owns the structure (or no voice has music yet)."""
        v = self.voice
        if v is None or self.main is None or v is self.main or any_voice:
            record(_tick(v.cursor) if v else 0)

    def _directive(self, tok: Token) -> None:
        words = str(tok.value).split()
        if len(words) >= 2 and words[0] == "propagate-accidentals":
            if words[1] in ("not", "octave", "pitch"):
                self.propagate = words[1]
            return
        if len(words) >= 3 and words[0] == "MIDI" and words[1] in ("program", "channel"):
            try:
                number = int(words[-1])
            except ValueError:
                return
            v = self.voice
            if words[1] == "program" and 0 <= number <= 127:
                if v is None:
                    self.header_program = number
                else:
                    v.program = number
            elif words[1] == "channel" and number == 10:
                if v is None:
                    self.header_drum = True
                else:
                    v.is_drum = True

    # --- voices ---------------------------------------------------------------------
    def _new_voice(self, spec: F.VoiceSpec) -> _Voice:
        declared = self.declared.get(spec.id, spec)
        v = _Voice(spec.id, spec.name or declared.name, self.unit, self.meter, self.key,
                   self.key.signature(), clef=spec.clef or declared.clef,
                   octave=self.key.octave or 0)
        if not self.voices:
            if self.header_program is not None:
                v.program = self.header_program
            v.is_drum = self.header_drum
        if "perc" in v.clef.lower() or self.key.is_drum:
            v.is_drum = True
        self.voices[spec.id] = v
        return v

    def _switch_voice(self, spec: F.VoiceSpec) -> None:
        v = self.voices.get(spec.id)
        if v is None:
            v = self._new_voice(spec)
        elif spec.name and not v.name:
            v.name = spec.name
        self.voice = v

    def _current(self) -> _Voice:
        if self.voice is None:
            first = next(iter(self.declared.values()), F.VoiceSpec(""))
            self._switch_voice(first)
        v = self.voice
        if self.main is None:
            self.main = v
        return v

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
            v.last = _Event(start, duration, [], [idx], [], [])
            self._advance(v, duration, tok.start)
            return
        duration = notes[0].length * outer * scale
        event = _Event(start, duration, [], [], [], [])
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

    def _unit(self, v: _Voice) -> Fraction:
        if v.unit is None:
            v.unit = self.unit or F.default_unit_length(v.meter)
        return v.unit

    def _pitch(self, v: _Voice, n: NoteTok, tied: dict) -> tuple[int, tuple[str, int]]:
        letter = n.letter.upper()
        octave = 4 + (1 if n.letter.islower() else 0) + n.octave + v.octave
        natural = 12 * (octave + 1) + _LETTER_PC[letter]
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

    def _advance(self, v: _Voice, duration: Fraction, offset: int) -> None:
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
    def _mark(self, v: _Voice, offset: int) -> None:
        if v.bar_first_char is None:
            v.bar_first_char = offset

    def _bar(self, tok: Token) -> None:
        v = self._current()
        tick = v.cursor
        if v.bar_first_char is not None and tick > v.bar_start:
            v.bars.append(WrittenBar(v.id, _tick(v.bar_start), _tick(tick), v.bar_first_char,
                                     tok.end))
            v.bar_start = tick
        v.bar_first_char = None
        v.bar_acc.clear()
        self._add_barline(v, tick, tok.value)

    def _add_barline(self, v: _Voice, tick: Fraction, kind: str) -> None:
        if v is not self.main:
            return
        t = _tick(tick)
        self.barlines[t] = _merge_kinds(self.barlines.get(t), kind)
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
            self.voltas.append(Volta(_tick(start), _tick(tick), numbers))

    # --- the score ------------------------------------------------------------------
    def _finish(self) -> Parsed:
        voices = list(self.voices.values())
        end = max((v.cursor for v in voices), default=Fraction(0))
        for v in voices:
            if v.bar_first_char is not None and v.cursor > v.bar_start:
                last = max((w[5] for w in self.written if w[0] == v.id), default=0)
                v.bars.append(WrittenBar(v.id, _tick(v.bar_start), _tick(v.cursor),
                                         v.bar_first_char, last))
        if self.open_volta is not None:
            self._close_volta(end)
        tracks = self._tracks([v for v in voices if v.notes])
        if not tracks:
            raise LexError("the tune has no notes", self.body_start
                           if self.body_start < len(self.text) else self.first_offset)
        main_id = self.main.id if self.main else ""
        chords, seen = [], set()
        for tick, text, vid in self.chords:
            t = _tick(tick)
            if vid != main_id and (t, text) in seen:
                continue
            seen.add((t, text))
            chords.append(ChordSymbol(t, text))
        score = Score(
            title=self.title or "",
            tracks=tuple(tracks),
            chords=tuple(chords),
            meters=tuple(self.meters) or (MeterChange(0, *(self.meter or (4, 4))),),
            keys=tuple(self.keys) or (KeyChange(0, "C"),),
            tempos=tuple(self.tempos) or (TempoChange(0, 120.0),),
            barlines=tuple(Barline(t, k) for t, k in sorted(self.barlines.items())),
            voltas=tuple(self.voltas),
            parts=tuple(dataclasses.replace(p, tick=_tick(p.tick)) for p in self.parts),
            metadata=tuple(self.metadata),
        ).normalized()
        end_tick = _tick(end)
        if end_tick > score.length:
            score = dataclasses.replace(score, end_tick=end_tick)
        return Parsed(
            score=score,
            notes=tuple(WrittenNote(w[0], _tick(w[1]), _tick(w[2]), w[3], w[4], w[5])
                        for w in self.written),
            bars=tuple(b for v in voices for b in v.bars),
            symbols=tuple(WrittenSymbol(vid, _tick(t), text, a, b)
                          for vid, t, text, a, b in self.symbols),
            body_start=self.body_start,
            main_voice=main_id,
        )

    def _tracks(self, voices: list[_Voice]) -> list[Track]:
        tracks = []
        for i, v in enumerate(voices):
            if v.name:
                name = v.name
            elif len(voices) == 1 or not v.id:
                name = "Melody"
            else:
                name = f"Voice {v.id}"
            notes = []
            for start, end, pitch in v.notes:
                a, b = _tick(start), _tick(end)
                if b > a:
                    notes.append(Note(a, b, pitch))
            tracks.append(Track(name, tuple(notes), _role(name, i, v), v.program or 0,
                                v.is_drum))
        return tracks


def _role(name: str, index: int, v: _Voice) -> str:
    low = name.lower()
    if v.is_drum:
        return "drums"
    if low in TRACK_ROLES:
        return low
    for word, role in (("bass", "bass"), ("drum", "drums"), ("perc", "drums"),
                       ("chord", "accompaniment"), ("acc", "accompaniment"),
                       ("piano", "piano"), ("melody", "melody")):
        if word in low:
            return role
    return "melody" if index == 0 else "accompaniment"


def _tick(t: Fraction) -> int:
    return round(t)


def _merge_kinds(a: str | None, b: str) -> str:
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


def parse_tokens(tokens: list[Token], text: str) -> Parsed:
    """Read one tune's tokens (from :func:`~.lexer.tokenize` on ``text``)."""
    return Parser(tokens, text).run()
