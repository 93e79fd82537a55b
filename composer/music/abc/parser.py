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
- **Whole ticks.** A length that is not a whole number of ticks (``a/16`` at
  ``L:1/16`` is 7.5) is rounded, and the place is reported in ``Parsed.warnings``
  (the note, or the tuplet whose ratio causes it: ``(7`` of eighths), never silently.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from composer.music.abc import fields as F
from composer.music.abc.lexer import LexError, Token
from composer.music.abc.music import MusicRules, Timed, to_tick
from composer.music.abc.state import VoiceState
from composer.music.abc.written import Parsed, WrittenBar, WrittenNote, WrittenSymbol
from composer.music.score import (
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


class Parser(MusicRules):
    """Reads the tokens of one tune (see the module docstring); the note-level rules
    are :class:`~.music.MusicRules`."""

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
        self.voices: dict[str, VoiceState] = {}
        self.voice: VoiceState | None = None
        self.main: VoiceState | None = None
        self.meters: list[MeterChange] = []
        self.keys: list[KeyChange] = []
        self.tempos: list[TempoChange] = []
        self.barlines: dict[int, str] = {}
        self.voltas: list[Volta] = []
        self.open_volta: tuple[Fraction, tuple[int, ...]] | None = None
        self.parts: list[PartMark] = []
        self.chords: list[tuple[Fraction, str, str]] = []  # (tick, text, voice)
        self.notices: list[tuple[int, int, str]] = []  # text read leniently (the lexer's)
        self.written: list[list] = []  # [voice, start, end, pitch, c0, c1]
        self.symbols: list[tuple[str, Fraction, str, int, int]] = []
        self.timed: list[Timed] = []  # every note, rest and chord, checked for whole ticks
        self.tuplet_marks: dict[str, tuple[int, int, int, int]] = {}  # voice -> its last tuplet
        self.unit_written = False  # an L: line was read
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
            self.unit_written = True
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

    def _apply_key(self, v: VoiceState, spec: F.KeySpec) -> None:
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
            record(to_tick(v.cursor) if v else 0)

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
    def _new_voice(self, spec: F.VoiceSpec) -> VoiceState:
        declared = self.declared.get(spec.id, spec)
        v = VoiceState(spec.id, spec.name or declared.name, self.unit, self.meter, self.key,
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

    def _current(self) -> VoiceState:
        if self.voice is None:
            first = next(iter(self.declared.values()), F.VoiceSpec(""))
            self._switch_voice(first)
        v = self.voice
        if self.main is None:
            self.main = v
        return v

    # --- the score ------------------------------------------------------------------
    def _finish(self) -> Parsed:
        voices = list(self.voices.values())
        end = max((v.cursor for v in voices), default=Fraction(0))
        for v in voices:
            if v.bar_first_char is not None and v.cursor > v.bar_start:
                last = max((w[5] for w in self.written if w[0] == v.id), default=0)
                v.bars.append(WrittenBar(v.id, to_tick(v.bar_start), to_tick(v.cursor),
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
            t = to_tick(tick)
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
            parts=tuple(dataclasses.replace(p, tick=to_tick(p.tick)) for p in self.parts),
            metadata=tuple(self.metadata),
        ).normalized()
        end_tick = to_tick(end)
        if end_tick > score.length:
            score = dataclasses.replace(score, end_tick=end_tick)
        return Parsed(
            score=score,
            notes=tuple(WrittenNote(w[0], to_tick(w[1]), to_tick(w[2]), w[3], w[4], w[5])
                        for w in self.written),
            bars=tuple(b for v in voices for b in v.bars),
            symbols=tuple(WrittenSymbol(vid, to_tick(t), text, a, b)
                          for vid, t, text, a, b in self.symbols),
            body_start=self.body_start,
            main_voice=main_id,
            track_voices=tuple(v.id for v in voices if v.notes),
            warnings=tuple(sorted(self.notices + self._off_grid())),
        )

    def _tracks(self, voices: list[VoiceState]) -> list[Track]:
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
                a, b = to_tick(start), to_tick(end)
                if b > a:
                    notes.append(Note(a, b, pitch))
            tracks.append(Track(name, tuple(notes), _role(name, i, v), v.program or 0,
                                v.is_drum))
        return tracks


def _role(name: str, index: int, v: VoiceState) -> str:
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


def parse_tokens(tokens: list[Token], text: str) -> Parsed:
    """Read one tune's tokens (from :func:`~.lexer.tokenize` on ``text``)."""
    return Parser(tokens, text).run()
