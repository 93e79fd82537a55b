"""Bar and syntax tracking of ABC text, character by character, for constrained sampling.

:class:`AbcTracker` follows a tune's text: the meter (``M:``) and unit length (``L:``)
from the header and from field lines and inline fields in the body; notes, rests and
chords with their lengths; tuplets ``(3``; broken rhythm ``>``/``<``; chord symbols
in quotes; grace notes, decorations and comments (skipped). It knows the position in
the current bar (a :class:`~fractions.Fraction` of a whole note) and every bar it has
closed.

:meth:`AbcTracker.push` follows any text tolerantly (a prompt may hold anything).
:meth:`AbcTracker.accepts` says whether one more character keeps *generated* text in
a plain subset of ABC and the bars exact: no bar longer than the meter, no bar line
before the bar is full (except a pickup and the bar that completes it, when
``free_bars``), every construct closed before a bar line or a line end, lengths that
can always complete the bar. A bar is closed by the first character of its bar line
(``|``, ``:``, or the ``|`` of ``[|``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from fractions import Fraction

from composer.generation.folk.syntax import (
    DIGITS,
    LENGTHS,
    NOTE_LETTERS,
    chord_complete,
    chord_prefix_ok,
    default_unit,
    field_prefix_ok,
    field_value_ok,
    length_prefix_values,
    parse_length,
    parse_meter,
    parse_unit,
)

END = "\x00"
"""Pseudo-character for the end of the tune (the model's ``<eos>``)."""

FIELD_LETTERS = frozenset("KLMPQTNWwRSIHVZBOCADFGmrsUX")
BODY_FIELD_LETTERS = frozenset("KLMPQTNWwRSIVU")
"""Letters that start a field line in a tune's body (note letters excluded)."""
BAR_TOKENS = frozenset({"|", "||", "|]", "|:", ":|", "::", ":|:", "[|"})
BOUNDARY_TOKENS = frozenset({"||", "|]", "|:", ":|", "::", ":|:", "[|"})
TUPLET_DIGITS = "23456"
MIN_LENGTH = min(LENGTHS.values())


class _Reject(Exception):
    pass


@dataclass(frozen=True, slots=True)
class BarRecord:
    """A closed bar: its ``length`` and the meter's ``full`` length (whole notes;
    ``full`` is ``None`` in a free meter), and ``kind``: ``"full"``, ``"pickup"``
    (short first bar of a section), ``"closing"`` (short bar completing a pickup
    before a section end), ``"short"`` or ``"long"`` (wrong)."""

    length: Fraction
    full: Fraction | None
    kind: str


class AbcTracker:
    """Follows ABC text; see the module docstring.

    ``meter`` is the bar length in whole notes (``None``: free meter); ``unit`` the
    ``L:`` unit; ``meter_text`` e.g. ``"6/8"`` (tuplet defaults depend on compound
    meters). ``free_bars`` allows a short pickup bar at a section start and the short
    bar completing it before a section end (whole tunes); without it every new bar
    must be full (continuations). ``fields`` lists the field lines generated text may
    hold (``M``, ``L``, ``K``, ``P``).
    """

    def __init__(self, meter: Fraction | None = Fraction(1), unit: Fraction | None = None,
                 meter_text: str = "4/4", free_bars: bool = False, fields: str = "P"):
        self.bar_len = meter
        self.unit = unit if unit is not None else default_unit(meter)
        self.compound = _is_compound(meter_text)
        self.free_bars = free_bars
        self.fields = frozenset(fields)
        self.key = ""
        self.lex = "line"
        self.buf = ""  # field value, quote text, bar token, tuplet digits
        self.field = ""
        self.len_buf = ""
        self.note_kind = ""  # "note", "rest", "chord"
        self.octave_ok = ""  # the octave mark the note may take: "'" or "," (or none)
        self.octaves = 0
        self.empty_tokens = 0  # bar lines since the last note that closed no bar
        self.fields_in_row = 0  # field lines since the last note
        self.line_content = False  # the line holds music (a continuation may follow)
        self.acc = ""
        self.in_chord = False
        self.chord_notes = 0
        self.chord_len: Fraction | None = None
        self.pos = Fraction(0)
        self.has_notes = False  # the current bar holds a note or rest
        self.tuplet_left = 0
        self.tuplet_p = 0
        self.tuplet_q = 0
        self.tuplet_len: Fraction | None = None
        self.broken = Fraction(1)
        self.forced: Fraction | None = None
        self.last_written: Fraction | None = None
        self.last_dur = Fraction(0)
        self.last_partner = False  # the last note was in a broken pair or a tuplet
        self.after_note = False  # the previous character ended a note (ties, > <)
        self.after_space = False
        self.symbol_pending = False  # a chord symbol waits for its note
        self.line_start_bar = False  # a bar line at the start of this line
        self.section_start = True
        self.pickups: frozenset[Fraction] = frozenset()
        self.pending_bar: BarRecord | None = None  # closed by the token being read
        self.body_started = False
        self.ended = False
        self._bars: list[BarRecord] = []
        self.bars_closed = 0

    # -- construction -------------------------------------------------------------
    @classmethod
    def for_tune(cls, text: str, free_bars: bool = False, fields: str = "P") -> AbcTracker:
        """A tracker after reading ``text``: a header (up to its first ``K:`` line)
        and any part of the body."""
        meter_text, meter, unit = "4/4", Fraction(1), None
        lines = text.split("\n")
        header_end = None
        for i, line in enumerate(lines):
            if line.startswith("M:"):
                meter_text = line[2:].strip()
                meter = parse_meter(meter_text)
            elif line.startswith("L:"):
                unit = parse_unit(line[2:]) or unit
            if line.startswith("K:"):
                header_end = i
                break
        tracker = cls(meter, unit, meter_text, free_bars, fields)
        if header_end is None:
            return tracker
        tracker.key = lines[header_end][2:].strip()
        body = "\n".join(lines[header_end + 1:])
        tracker.push_text(body)
        return tracker

    def clone_full(self) -> AbcTracker:
        """An independent copy, closed bars included."""
        other = copy.copy(self)
        other._bars = list(self._bars)
        return other

    def clone(self) -> AbcTracker:
        other = copy.copy(self)
        other._bars = []  # probes do not record bars
        return other

    # -- public interface ---------------------------------------------------------
    @property
    def bars(self) -> list[BarRecord]:
        """Every closed bar, the one whose bar line is being read included (its kind
        is ``"short"`` until the bar line shows whether it is a pickup or closing)."""
        return self._bars + ([self.pending_bar] if self.pending_bar is not None else [])

    @property
    def remaining(self) -> Fraction | None:
        """Whole notes left in the current bar (``None`` in a free meter)."""
        return None if self.bar_len is None else self.bar_len - self.pos

    def push(self, char: str) -> bool:
        """Follow one character (tolerantly); True if it closed a bar."""
        before = self.bars_closed
        self._feed(char, False)
        return self.bars_closed != before

    def push_text(self, text: str) -> None:
        for c in text:
            self._feed(c, False)

    def accepts(self, char: str) -> bool:
        """True if generated text may continue with ``char`` (:data:`END` for the end
        of the tune)."""
        probe = self.clone()
        try:
            probe._feed(char, True)
        except _Reject:
            return False
        return True

    def accepts_many(self, chars: list[str]) -> list[bool]:
        """:meth:`accepts` for each of ``chars``, computed once per class of
        characters that behave alike in the current state (fast mask building)."""
        text_state = self.lex in _TEXT_STATES
        base = self
        ended_ok = True
        if self.lex == "note":
            # Every character that is not part of the note ends it the same way.
            base = self.clone()
            try:
                base._end_note(True)
            except _Reject:
                ended_ok = False
        memo: dict[str, bool] = {}
        out = []
        for c in chars:
            cls = c if text_state else _char_class(c)
            ok = memo.get(cls)
            if ok is None:
                if self.lex == "note" and not _in_note(c):
                    ok = ended_ok and base.accepts(c)
                else:
                    ok = self.accepts(c)
                memo[cls] = ok
            out.append(ok)
        return out

    def closes_bar(self, char: str) -> bool:
        """True if ``char`` would close a bar (starts a bar line after notes)."""
        if self.lex == "bracket":
            return char == "|" and self.has_notes
        if self.lex == "note" and char in "|:":
            return True  # the note being read ends here and is in the bar
        if self.lex in ("music", "line") and char in "|:":
            return self.has_notes
        return False

    def state_key(self) -> tuple:
        """Everything :meth:`accepts` depends on (to cache masks)."""
        return (self.lex, self.buf, self.field, self.len_buf, self.note_kind, self.octave_ok,
                self.octaves, self.empty_tokens, self.fields_in_row, self.line_content,
                self.acc, self.in_chord, self.chord_notes, self.pos, self.bar_len, self.unit,
                self.compound, self.has_notes, self.tuplet_left, self.tuplet_p, self.tuplet_q,
                self.tuplet_len, self.broken, self.forced, self.last_written, self.last_dur,
                self.last_partner,
                self.after_note, self.after_space, self.symbol_pending, self.line_start_bar,
                self.section_start,
                self.pickups, self.pending_bar, self.body_started, self.ended, self.free_bars,
                self.fields)

    # -- the state machine --------------------------------------------------------
    def _feed(self, c: str, check: bool) -> None:
        if self.ended:
            if check:
                raise _Reject
            return
        lex = self.lex
        if lex == "note":
            if self._note_char(c, check):
                return
            self._end_note(check)
            lex = self.lex
        elif lex == "bar":
            if self._bar_char(c, check):
                return
            lex = self.lex
        elif lex == "tuplet":
            if c in DIGITS or (not check and c == ":"):
                if check and (self.buf or c not in TUPLET_DIGITS
                              or not self._tuplet_fits(_tuplet_q(int(c), self.compound))):
                    raise _Reject
                self.buf += c
                return
            self._start_tuplet(check)
            lex = self.lex
        elif lex == "ending":
            if c in DIGITS or (not check and c in ",-"):
                if check:
                    raise _Reject
                return
            self.lex = lex = "music"

        if lex == "line":
            self._line_char(c, check)
        elif lex == "fieldkey":
            if c != ":":
                if check:
                    raise _Reject
                self.lex = "music"
                self._music_char(self.field, False)
                self._feed(c, False)
                return
            self.lex, self.buf = "field", ""
        elif lex == "field":
            self._field_char(c, check)
        elif lex == "quote":
            self._quote_char(c, check)
        elif lex in ("comment", "skip_bang", "skip_grace", "skip_plus", "cont"):
            self._skip_char(c, check)
        elif lex == "inlinekey":
            if c == ":":
                self.lex, self.buf = "inline", ""
            else:
                self.lex = "music"
        elif lex == "inline":
            if c == "]":
                self._apply_field(self.field, self.buf)
                self.lex = "music"
            elif c == "\n":
                self.lex = "line"
            else:
                self.buf += c
        elif lex == "bracket":
            self._bracket_char(c, check)
        elif lex == "acc":
            self._acc_char(c, check)
        elif lex == "chord":
            self._chord_char(c, check)
        else:
            self._music_char(c, check)

    # line starts and fields
    def _line_char(self, c: str, check: bool) -> None:
        self.line_start_bar = False
        self.line_content = False
        if c == END:
            self._music_char(c, check)
            return
        if c == "\n":
            if check:
                raise _Reject  # a blank line ends the tune
            return
        if c == "%":
            if check:
                raise _Reject
            self.lex = "comment"
            return
        if c in BODY_FIELD_LETTERS:
            if check and (c not in self.fields or self.has_notes or self.tuplet_left
                          or self.broken != 1 or self.symbol_pending or self.fields_in_row >= 2):
                raise _Reject
            self.fields_in_row += 1
            self.lex, self.field = "fieldkey", c
            return
        self.lex = "music"
        self.line_start_bar = c == "|"
        self._music_char(c, check)

    def _field_char(self, c: str, check: bool) -> None:
        if c == "\n" or c == END:
            if check and not field_value_ok(self.field, self.buf):
                raise _Reject
            self._apply_field(self.field, self.buf)
            self.lex = "line"
            if c == END:
                self._music_char(c, check)
            return
        if check and not field_prefix_ok(self.field, self.buf + c):
            raise _Reject
        self.buf += c

    def _apply_field(self, field: str, value: str) -> None:
        value = value.strip()
        if field == "M":
            self.bar_len = parse_meter(value)
            self.compound = _is_compound(value)
        elif field == "L":
            self.unit = parse_unit(value) or self.unit
        elif field == "K":
            self.key = value
        elif field == "P":
            self.section_start = True

    def _quote_char(self, c: str, check: bool) -> None:
        if c == '"':
            if check and not chord_complete(self.buf):
                raise _Reject
            self.lex = "music"
            self.after_note = False
            self.symbol_pending = True
            return
        if c == "\n" or c == END:
            if check:
                raise _Reject
            self.lex = "line" if c == "\n" else "music"
            if c == END:
                self._music_char(c, check)
            return
        if check and not chord_prefix_ok(self.buf + c):
            raise _Reject
        self.buf += c

    def _skip_char(self, c: str, check: bool) -> None:
        lex = self.lex
        if lex == "cont" and c == "\n":
            self.lex = "line"
            return
        if check:
            raise _Reject
        if c == "\n":
            self.lex = "line"
        elif (lex == "skip_bang" and c == "!") or (lex == "skip_grace" and c == "}") or (
                lex == "skip_plus" and c == "+"):
            self.lex = "music"

    # music
    def _music_char(self, c: str, check: bool) -> None:
        self.body_started = True
        after_note, self.after_note = self.after_note, False
        after_space, self.after_space = self.after_space, False
        had_content = self.line_content
        if c not in " \n\\":
            self.line_content = True
        if c in NOTE_LETTERS:
            self._start_note("note", check)
            self.octave_ok = "'" if c.islower() else ","
        elif c == "z" or c == "x":
            if check and c == "x":
                raise _Reject
            self._start_note("rest", check)
        elif c in "^_=":
            if check:
                self._check_can_start_note()
            self.lex, self.acc = "acc", c
        elif c == "|" or c == ":":
            self._start_bar(c, check)
        elif c == "[":
            self.lex = "bracket"
            if check and not any(self.accepts(n) for n in "C|1"):
                raise _Reject  # neither a chord, nor "[|", nor an ending can follow
        elif c == '"':
            if check and (self._full() or self.tuplet_left or self.broken != 1
                          or self.symbol_pending):
                raise _Reject
            self.lex, self.buf = "quote", ""
        elif c == "(":
            if check and (self.tuplet_left or self.broken != 1 or not any(
                    self._tuplet_fits(_tuplet_q(int(p), self.compound))
                    for p in TUPLET_DIGITS)):
                raise _Reject
            self.lex, self.buf = "tuplet", ""
        elif c in "><":
            self._broken(c, after_note and not after_space, check)
        elif c == "-":
            if check and not (after_note and self.note_kind != "rest"):
                raise _Reject
        elif c == " ":
            if check and after_space:
                raise _Reject
            self.after_space = True
            self.after_note = after_note  # "c2 -c" still ties
        elif c == "\n":
            if check and (self.pos or self.has_notes or self.tuplet_left or self.broken != 1
                          or self.symbol_pending):
                raise _Reject
            self.lex = "line"
        elif c == "\\":
            if check and (self.tuplet_left or self.broken != 1 or self.symbol_pending
                          or not had_content):
                raise _Reject
            self.lex = "cont"
        elif c == END:
            if check and (self.pos or self.has_notes or self.tuplet_left or self.broken != 1
                          or not self.bars_closed or self.symbol_pending):
                raise _Reject
            self._settle_pending(check)
            self.ended = True
        elif check:
            raise _Reject
        elif c == "%":
            self.lex = "comment"
        elif c == "!":
            self.lex = "skip_bang"
        elif c == "{":
            self.lex = "skip_grace"
        elif c == "+":
            self.lex = "skip_plus"
        elif c == "Z":
            self._start_note("rest", False)
        # anything else (slurs, decorations, spacers) does not change the time

    def _full(self) -> bool:
        return self.bar_len is not None and self.pos >= self.bar_len

    def _check_can_start_note(self) -> None:
        if self.bar_len is None or self.forced is not None:
            return  # the partner of a broken pair has its time reserved
        if self.tuplet_left and self.tuplet_len is not None:
            return  # a tuplet's later notes: the group's time is committed
        if self.pos + MIN_LENGTH * self.unit > self.bar_len:
            raise _Reject

    def _start_note(self, kind: str, check: bool) -> None:
        if check:
            if self.in_chord and kind == "rest":
                raise _Reject
            if not self.in_chord:
                self._check_can_start_note()
                if kind == "rest" and self.broken != 1:
                    raise _Reject
        self.lex, self.note_kind, self.len_buf = "note", kind, ""
        self.octave_ok, self.octaves = "", 0
        self.symbol_pending = False

    def _note_char(self, c: str, check: bool) -> bool:
        """Octave marks and length characters of the note being read; False when
        ``c`` ends the note."""
        if c in "',":
            if check and (c != self.octave_ok or self.len_buf or self.octaves >= 2):
                raise _Reject  # "c''" and "C,," at most, never "c," or "C'"
            self.octaves += 1
            return True
        if c in DIGITS or c == "/":
            buf = self.len_buf + c
            if check:
                if self.in_chord:
                    raise _Reject
                if not any(self._fits(v) for v in length_prefix_values(buf)):
                    raise _Reject
            self.len_buf = buf
            self.octave_ok = ""
            return True
        return False

    def _fits(self, written: Fraction) -> bool:
        """Could a note (or chord) of ``written`` times the unit end here, leaving a
        bar that can still be completed exactly?"""
        if self.in_chord:
            return True
        if self.forced is not None and written != self.forced:
            return False
        if self.tuplet_left and self.tuplet_len is not None and written != self.tuplet_len:
            return False
        if self.bar_len is None:
            return True
        left = self.bar_len - self.pos
        if self.tuplet_left and self.tuplet_len is None:
            # First note of a tuplet: the whole group is committed.
            total = self.tuplet_q * written * self.unit
            return total <= left and _fillable(left - total, self.unit)
        if self.tuplet_left:
            return True
        dur = written * self.unit * self.broken
        if self.forced is not None:
            return dur <= left
        return dur <= left and _fillable(left - dur, self.unit)

    def _end_note(self, check: bool) -> None:
        try:
            written = parse_length(self.len_buf)
        except ValueError:
            if check:
                raise _Reject from None
            written = Fraction(1)
        if check and (self.len_buf not in LENGTHS or not self._fits(written)):
            raise _Reject
        self.lex = "chord" if self.in_chord else "music"
        if self.in_chord:
            self.chord_notes += 1
            if self.chord_len is None:
                self.chord_len = written
            return
        if self.note_kind == "chord":
            written = written * (self.chord_len or 1)
        self._commit(written)
        self.after_note = True

    def _commit(self, written: Fraction) -> None:
        factor = self.broken
        self.last_partner = factor != 1 or self.tuplet_left > 0
        if self.tuplet_left:
            factor *= Fraction(self.tuplet_q, self.tuplet_p)
            if self.tuplet_len is None:
                self.tuplet_len = written
            self.tuplet_left -= 1
            if not self.tuplet_left:
                self.tuplet_len = None
        dur = written * self.unit * factor
        self.pos += dur
        self.has_notes = True
        self.broken = Fraction(1)
        self.forced = None
        self.empty_tokens = self.fields_in_row = 0
        self.last_written = written
        self.last_dur = dur

    def _broken(self, c: str, after_note: bool, check: bool) -> None:
        if check:
            if (not after_note or self.tuplet_left or self.note_kind == "rest"
                    or self.last_partner):
                raise _Reject  # no rests, tuplets or chains (a>b>c) in broken rhythm
            if self.bar_len is not None and not (
                    self.pos + self.last_dur <= self.bar_len
                    and _fillable(self.bar_len - self.pos - self.last_dur, self.unit)):
                raise _Reject
        if self.broken != 1:  # >> or <<: ignore the second mark
            return
        half = self.last_dur / 2
        if c == ">":
            self.pos += half
            self.broken = Fraction(1, 2)
        else:
            self.pos -= half
            self.broken = Fraction(3, 2)
        self.forced = self.last_written

    def _start_tuplet(self, check: bool) -> None:
        self.lex = "music"
        if not self.buf or not self.buf[0].isdigit():
            if check:
                raise _Reject  # a slur
            return
        parts = self.buf.split(":")
        try:
            p = int(parts[0])
            q = int(parts[1]) if len(parts) > 1 and parts[1] else _tuplet_q(p, self.compound)
            r = int(parts[2]) if len(parts) > 2 and parts[2] else p
        except ValueError:
            return
        if p < 2:
            return
        self.tuplet_p, self.tuplet_q, self.tuplet_left, self.tuplet_len = p, q, r, None
        if check and not self._tuplet_fits(q):
            raise _Reject

    def _tuplet_fits(self, q: int) -> bool:
        """Can a tuplet lasting ``q`` of its notes start here and leave a bar that can
        be completed?"""
        if self.bar_len is None:
            return True
        left = self.bar_len - self.pos
        return any(q * w * self.unit <= left and _fillable(left - q * w * self.unit, self.unit)
                   for w in LENGTHS.values())

    def _bracket_char(self, c: str, check: bool) -> None:
        if c == "|":
            self.lex = "music"
            self._start_bar("[", check, second="|")
        elif c.isdigit():
            if check and (self.has_notes or c not in "12" or not self.bars_closed
                          or self.tuplet_left or self.empty_tokens):
                raise _Reject
            self.empty_tokens += 1  # no second ending marker before a note
            self.lex = "ending"
        elif c in NOTE_LETTERS or c in "^_=":
            if check and (self.tuplet_left or self.broken != 1):
                raise _Reject
            if check:
                self._check_can_start_note()
            self.in_chord, self.chord_notes, self.chord_len = True, 0, None
            self.symbol_pending = False
            self.lex = "chord"
            self._chord_char(c, check)
        elif c.isalpha():
            if check:
                raise _Reject
            self.lex, self.field = "inlinekey", c
        else:
            if check:
                raise _Reject
            self.lex = "music"
            self._music_char(c, False)

    def _chord_char(self, c: str, check: bool) -> None:
        if c == "]":
            if check and not self.chord_notes:
                raise _Reject
            self.in_chord = False
            self.lex, self.note_kind, self.len_buf = "note", "chord", ""
            self.octave_ok = ""
            if check and not any(self._fits(v * (self.chord_len or 1))
                                 for v in length_prefix_values("")):
                raise _Reject
            return
        if c in NOTE_LETTERS or c in "^_=":
            if check and self.chord_notes >= 4:
                raise _Reject  # four notes a chord at most
            if c in "^_=":
                self.lex, self.acc = "acc", c
            else:
                self.lex, self.note_kind, self.len_buf = "note", "note", ""
                self.octave_ok, self.octaves = ("'" if c.islower() else ","), 0
            return
        if check:
            raise _Reject
        if c == "\n":  # tolerant: an unclosed chord ends with its line
            self.in_chord = False
            self.lex = "line"
        # tolerant: spaces and others inside a chord are ignored

    def _acc_char(self, c: str, check: bool) -> None:
        if c in "^_=":
            if check and not (len(self.acc) == 1 and c == self.acc and c != "="):
                raise _Reject
            self.acc += c
            return
        if c in NOTE_LETTERS:
            self.lex = "note"
            self.note_kind, self.len_buf = "note", ""
            self.octave_ok, self.octaves = ("'" if c.islower() else ","), 0
            self.symbol_pending = False
            if check and not self.in_chord:
                self._check_can_start_note()
            return
        if check:
            raise _Reject
        self.lex = "chord" if self.in_chord else "music"
        self._feed(c, False)

    # bar lines
    def _start_bar(self, c: str, check: bool, second: str = "") -> None:
        """``c`` starts a bar line token (``second`` the next character of ``[|``)."""
        if check:
            if self.tuplet_left or self.broken != 1 or self.in_chord or self.symbol_pending:
                raise _Reject
            if not self.has_notes and (not self._may_open(c + second) or self.empty_tokens):
                raise _Reject
        record = None
        if self.has_notes:
            record = self._classify(self.pos)
            if check and not self._could_close(record, c + second):
                raise _Reject
        self.pending_bar = record
        if record is not None:
            self.bars_closed += 1
        else:
            self.empty_tokens += 1
        self.pos = Fraction(0)
        self.has_notes = False
        self.lex, self.buf = "bar", c + second

    def _may_open(self, token_start: str) -> bool:
        """A bar line before any note of the bar: only ``|:`` (or ``|`` at the start
        of a line) opening a section."""
        return token_start == "|" and not self.symbol_pending

    def _classify(self, length: Fraction) -> BarRecord:
        full = self.bar_len
        if full is None or length == full:
            return BarRecord(length, full, "full")
        if length > full:
            return BarRecord(length, full, "long")
        return BarRecord(length, full, "short")  # pickup / closing decided at token end

    def _could_close(self, record: BarRecord, token_start: str) -> bool:
        if record.kind in ("full", "long"):
            return True  # "long" only comes from a prompt: nothing to do but close it
        if not self.free_bars:
            return False
        if self.section_start:
            return True
        completes = any(record.length + p == record.full for p in self.pickups)
        return completes and any(t.startswith(token_start) for t in BOUNDARY_TOKENS)

    def _bar_char(self, c: str, check: bool) -> bool:
        token = self.buf + c
        if c in "|:]" and (c != "]" or self.buf.endswith("|")) and len(token) <= 4:
            if check and not any(t.startswith(token) for t in self._valid_tokens()):
                raise _Reject
            self.buf = token
            return True
        self._end_bar_token(check)
        if c.isdigit():
            if check and (c not in "12" or self.buf not in ("|", ":|")):
                raise _Reject
            self.empty_tokens += 1
            self.lex = "ending"
            return True
        return False

    def _end_bar_token(self, check: bool) -> None:
        token = self.buf
        if check and token not in BAR_TOKENS:
            raise _Reject
        boundary = token in BOUNDARY_TOKENS or ":" in token
        self._settle_pending(check, boundary, token)
        self.section_start = boundary or self.section_start
        self.lex = "music"

    def _valid_tokens(self) -> frozenset[str]:
        """Bar lines that may complete the token being read (generated text)."""
        record = self.pending_bar
        if record is None:  # no bar to close: only an opening "|:" (or "|" starting a line)
            return _OPENING_AT_LINE_START if self.line_start_bar else _OPENING
        if record.kind == "short" and not (self.free_bars and self.section_start):
            return BOUNDARY_TOKENS
        return BAR_TOKENS

    def _settle_pending(self, check: bool, boundary: bool = False, token: str = "") -> None:
        record = self.pending_bar
        if record is None:
            if check and self.lex == "bar" and not (
                    token in ("|:",) or (token == "|" and self.line_start_bar)):
                raise _Reject
            return
        kind = record.kind
        if kind == "short":
            if self.free_bars and self.section_start:
                kind = "pickup"
                self.pickups = self.pickups | {record.length}
            elif boundary and any(record.length + p == record.full for p in self.pickups):
                kind = "closing"
            elif check:
                raise _Reject
        self._bars.append(BarRecord(record.length, record.full, kind))
        self.pending_bar = None
        self.section_start = False


_OPENING = frozenset({"|:"})
_OPENING_AT_LINE_START = frozenset({"|:", "|"})
_TEXT_STATES = frozenset({"quote", "field", "fieldkey", "inline", "inlinekey", "comment",
                          "line"})
_SINGLE = frozenset("zx0123456789/|:[]\"()<>-^_=', \n\\" + END) | BODY_FIELD_LETTERS


def _char_class(c: str) -> str:
    """Characters in one class behave alike outside text states."""
    if c in NOTE_LETTERS:
        return "C"
    if c in _SINGLE:
        return c
    return "?"


def _in_note(c: str) -> bool:
    return c in DIGITS or c in "/',"


def _fillable(left: Fraction, unit: Fraction) -> bool:
    """Can ``left`` whole notes be filled by lengths the sampler writes?"""
    return left == 0 or (left >= MIN_LENGTH * unit
                         and (left / (MIN_LENGTH * unit)).denominator == 1)


def _is_compound(meter_text: str) -> bool:
    parts = meter_text.strip().split("/")
    try:
        num = int(parts[0])
    except (ValueError, IndexError):
        return False
    return num % 3 == 0 and num > 3


def _tuplet_q(p: int, compound: bool) -> int:
    """ABC's default ``q`` of a tuplet ``(p``."""
    if p in (2, 4, 8):
        return 3
    if p in (3, 6):
        return 2
    return 3 if compound else 2
