"""ABC text of one tune -> tokens, checking what a musician may get wrong.

The lexer knows the *shape* of ABC (fields, notes, bar lines, chords, tuplets ...)
but not its meaning (keys, lengths in ticks): that is :mod:`.parser`'s job. Every
token carries its character span in the tune text, so errors point at a line and
column and the editor can map characters to time.

Errors are :class:`LexError` (reason + character offset); :class:`Source` turns
an offset into the 1-based ``line:column`` of :class:`AbcSyntaxError`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from fractions import Fraction

from composer.music.errors import AbcSyntaxError


class LexError(Exception):
    """Bad ABC at character ``offset`` of the tune text."""

    def __init__(self, reason: str, offset: int):
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


class Source:
    """A text and where it sits in the text the user gave (for error positions)."""

    def __init__(self, text: str, *, first_line: int = 1, name: str = ""):
        self.text = text
        self.first_line = first_line
        self.name = name
        self._line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of character ``offset``, lines counted in the
        user's text."""
        offset = max(0, min(offset, len(self.text)))
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return self.first_line + i, offset - self._line_starts[i] + 1

    def error(self, reason: str, offset: int | None) -> AbcSyntaxError:
        if offset is None:
            return AbcSyntaxError(reason, self.first_line, 0, source=self.name)
        line, column = self.position(offset)
        return AbcSyntaxError(reason, line, column, source=self.name)


@dataclass(frozen=True, slots=True)
class NoteTok:
    """A written note: ``accidental`` (``"^"``, ``"^^"``, ``"_"``, ``"__"``, ``"="`` or
    ``""``), ``letter`` as written (``"A"``..``"g"``), ``octave`` marks (+1 per ``'``,
    -1 per ``,``), ``length`` in unit lengths, ``tie`` (a ``-`` right after it inside
    a chord), and its characters ``[start, end)``."""

    accidental: str
    letter: str
    octave: int
    length: Fraction
    start: int
    end: int
    tie: bool = False


@dataclass(frozen=True, slots=True)
class Token:
    """One element of a tune. ``kind`` and ``value``:

    - ``"field"``: ``(letter, text, text_offset)`` (header lines, body lines, inline ``[K:G]``)
    - ``"directive"``: the text after ``%%``
    - ``"note"``: a :class:`NoteTok`; ``"chord"``: ``(notes, outer_length)``
    - ``"rest"``: length in units; ``"bars_rest"``: number of bars (``Z4``)
    - ``"bar"``: kind (one of :data:`~composer.music.score.BARLINE_KINDS`)
    - ``"volta"``: ending numbers (tuple of int)
    - ``"tuplet"``: ``(p, q or None, r or None)``
    - ``"tie"``, ``"broken"`` (+n for ``>``, -n for ``<``), ``"symbol"`` (chord symbol text),
      ``"annotation"``, ``"grace"`` (tuple of NoteTok), ``"decoration"``, ``"line_end"``
    - ``"notice"``: a reason (text read leniently, e.g. a chord whose ``]`` is missing
      before a bar line or a tuplet, read as closed there; the reader warns)
    """

    kind: str
    start: int
    end: int
    value: object = None


_FIELD_LINE = re.compile(r"^([A-Za-z+]):", re.ASCII)
_INLINE_FIELD = re.compile(r"\[([A-Za-z]):", re.ASCII)
_NOTE = re.compile(r"(\^\^|\^|__|_|=)?([A-Ga-g])([,']*)(\d*)(/*)(\d*)", re.ASCII)
_REST = re.compile(r"([zx])(\d*)(/*)(\d*)", re.ASCII)
_BARS_REST = re.compile(r"([ZX])(\d*)", re.ASCII)
_BAR = re.compile(r"\[\|[|:]*\]?|::+|[|:]*\|[|:]*\]?|\|", re.ASCII)
_VOLTA = re.compile(r"\d+(?:\s*[,-]\s*\d+)*", re.ASCII)
_TUPLET = re.compile(r"\((\d+)(?::(\d*)(?::(\d*))?)?", re.ASCII)
_DECORATION = re.compile(r"[A-Za-z0-9.<>()/+_^-]+", re.ASCII)
_LENGTH = re.compile(r"(\d*)(/*)(\d*)", re.ASCII)
_DIGITS = frozenset("0123456789")
DECORATION_LETTERS = frozenset("~.HLMOPSTuv")
"""Single-character decorations of ABC 2.1 (``~`` roll, ``.`` staccato, ``T`` trill ...)."""
_MAX_LENGTH = 1024
_ALTERATIONS = ("^", "^^", "_", "__", "=")
_HINTS = {
    "#": "sharps are written ^ before the note (^f), flats _ (_B)",
    "&": "voice overlay (&) is not supported: write the second voice with V:",
    "'": "an octave mark ' must follow a note letter",
    ",": "an octave mark , must follow a note letter",
    "/": "a length must follow a note, e.g. A/2",
    "]": "] without a matching [",
    "}": "} without a matching {",
}


def parse_length(num: str, slashes: str, den: str, offset: int) -> Fraction:
    """A note length from its digits and slashes: ``"3"`` -> 3, ``"/"`` -> 1/2,
    ``"//"`` -> 1/4, ``"3/2"`` -> 3/2."""
    n = int(num) if num else 1
    if n == 0:
        raise LexError("a note length cannot be 0", offset)
    if den:
        d = int(den)
        if d == 0:
            raise LexError(f"bad length {num}{slashes}{den}: cannot divide by 0", offset)
        if len(slashes) != 1:
            raise LexError(f"bad length {num}{slashes}{den}: write e.g. 3/2 or /4", offset)
        if d & (d - 1):
            raise LexError(f"bad length {num}/{den}: divide by 2, 4, 8, 16 ... "
                           "(triplets are written (3abc)", offset)
        length = Fraction(n, d)
    else:
        length = Fraction(n, 2 ** len(slashes))
    if length > _MAX_LENGTH or length.denominator > 256:
        raise LexError(f"note length {num}{slashes}{den} is out of range", offset)
    return length


def tokenize(text: str, base: int = 0, *, header_only: bool = False) -> list[Token]:
    """Tokens of one tune's ``text`` (from its ``X:`` line, or from the start of a
    text that has none); offsets count from ``base``. With ``header_only`` (a file
    header), only field and ``%%`` lines are kept and anything else is skipped.
    Raises :class:`LexError`."""
    tokens: list[Token] = []
    letters = set(DECORATION_LETTERS)
    offset = base
    for line in text.split("\n"):
        base = offset
        offset += len(line) + 1
        stripped = line.rstrip("\r")
        if not stripped.strip():
            continue
        if stripped.startswith("%%"):
            tokens.append(Token("directive", base, base + len(stripped), stripped[2:].strip()))
            continue
        if stripped.startswith("%"):
            continue
        m = _FIELD_LINE.match(stripped)
        if m:
            letter = m.group(1)
            value = stripped[2:]
            tokens.append(Token("field", base, base + len(stripped), (letter, value, base + 2)))
            if letter == "U":
                _user_decoration(value, letters)
            continue
        if header_only:
            continue
        _lex_music(stripped, base, tokens, letters)
        tokens.append(Token("line_end", base + len(stripped), base + len(stripped)))
    return tokens


def _user_decoration(value: str, letters: set[str]) -> None:
    """``U:T = !trill!`` makes the letter a decoration."""
    name = value.split("=", 1)[0].strip()
    if len(name) == 1 and name.isalpha():
        letters.add(name)


def _lex_music(line: str, base: int, out: list[Token], letters: set[str]) -> None:
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        at = base + i
        if c in " \t`y":
            i += 1
        elif c == "%":
            return
        elif c == "\\":
            rest = line[i + 1:].strip()
            if rest and not rest.startswith("%"):
                raise LexError("a \\ continues the line: nothing may follow it on the line", at)
            return
        elif c == '"':
            j = line.find('"', i + 1)
            if j < 0:
                raise LexError('chord symbol not closed: add the closing "', at)
            text = line[i + 1:j]
            kind = "annotation" if text[:1] in ("^", "_", "<", ">", "@") else "symbol"
            out.append(Token(kind, at, base + j + 1, text))
            i = j + 1
        elif c == "!" or c == "+":
            j = line.find(c, i + 1)
            name = line[i + 1:j] if j > 0 else ""
            if j < 0 or not _DECORATION.fullmatch(name):
                if c == "!":
                    raise LexError("decoration not closed: write it like !trill!", at)
                raise LexError("unexpected +: decorations are written like !trill!", at)
            out.append(Token("decoration", at, base + j + 1, name))
            i = j + 1
        elif c == "{":
            i = _lex_grace(line, i, base, out)
        elif c == "[":
            i = _lex_bracket(line, i, base, out, letters)
        elif c in "|:":
            i = _lex_bar(line, i, base, out)
        elif c == "(":
            m = _TUPLET.match(line, i)
            if m:
                p = int(m.group(1))
                if not 2 <= p <= 9:
                    raise LexError(f"tuplet ({p} is not supported: use (2 to (9", at)
                q = int(m.group(2)) if m.group(2) else None
                r = int(m.group(3)) if m.group(3) else None
                if q == 0 or r == 0:
                    raise LexError(f"bad tuplet {m.group(0)}: numbers must be above 0", at)
                out.append(Token("tuplet", at, base + m.end(), (p, q, r)))
                i = m.end()
            else:
                i += 1  # a slur: no effect on the notes
        elif c == ")":
            i += 1
        elif c == "-":
            out.append(Token("tie", at, at + 1))
            i += 1
        elif c in "<>":
            j = i
            while j < n and line[j] == c:
                j += 1
            if j - i > 3:
                raise LexError(f"broken rhythm {line[i:j]} is too long: use {c}, {c * 2} "
                               f"or {c * 3}", at)
            if j < n and line[j] in "<>":
                raise LexError("a broken rhythm is > or <, not both", base + j)
            out.append(Token("broken", at, base + j, (j - i) * (1 if c == ">" else -1)))
            i = j
        elif c in "^_=" or c in "ABCDEFGabcdefg":
            note, i = _lex_note(line, i, base)
            out.append(Token("note", note.start, note.end, note))
        elif c in "zx":
            m = _REST.match(line, i)
            length = parse_length(m.group(2), m.group(3), m.group(4), at)
            out.append(Token("rest", at, base + m.end(), length))
            i = m.end()
        elif c in "ZX":
            m = _BARS_REST.match(line, i)
            bars = int(m.group(2) or 1)
            if not 1 <= bars <= 1000:
                raise LexError(f"a rest of {bars} bars is out of range", at)
            out.append(Token("bars_rest", at, base + m.end(), bars))
            i = m.end()
        elif c in letters:
            out.append(Token("decoration", at, at + 1, c))
            i += 1
        else:
            raise LexError(_unexpected(c), at)


def _unexpected(c: str) -> str:
    if c in _HINTS:
        return _HINTS[c]
    if c.isalpha() and c.isascii():
        return (f"unexpected letter {c!r}: notes are A-G and a-g, rests z, "
                "fields start a line (e.g. K:G)")
    if c.isprintable():
        return f"unexpected character {c!r}"
    return f"unexpected character U+{ord(c):04X}"


def _lex_note(line: str, i: int, base: int) -> tuple[NoteTok, int]:
    m = _NOTE.match(line, i)
    if not m:
        j = i
        while j < len(line) and line[j] in "^_=":
            j += 1
        run = line[i:j]
        if run not in _ALTERATIONS:
            raise LexError(f"unknown accidental {run}: use ^ (sharp), ^^, _ (flat), __ or = "
                           "(natural)", base + i)
        raise LexError("an accidental must be followed by a note letter (A-G, a-g)", base + i)
    marks = m.group(3)
    length = parse_length(m.group(4), m.group(5), m.group(6), base + m.start(4))
    note = NoteTok(m.group(1) or "", m.group(2), marks.count("'") - marks.count(","),
                   length, base + i, base + m.end())
    return note, m.end()


def _lex_grace(line: str, i: int, base: int, out: list[Token]) -> int:
    j = line.find("}", i + 1)
    if j < 0:
        raise LexError("grace notes not closed: add the closing }", base + i)
    notes = []
    k = i + 1
    if k < j and line[k] == "/":
        k += 1
    while k < j:
        c = line[k]
        if c in " \t":
            k += 1
        elif c in "^_=" or c in "ABCDEFGabcdefg":
            note, k = _lex_note(line, k, base)
            notes.append(note)
        elif c == "-":
            k += 1
        else:
            raise LexError(f"unexpected {c!r} in grace notes: only notes go inside {{}}",
                           base + k)
    if not notes:
        raise LexError("empty grace notes {}", base + i)
    out.append(Token("grace", base + i, base + j + 1, tuple(notes)))
    return j + 1


def _lex_bracket(line: str, i: int, base: int, out: list[Token], letters) -> int:
    at = base + i
    m = _INLINE_FIELD.match(line, i)
    if m:
        j = line.find("]", i)
        if j < 0:
            raise LexError(f"inline field [{m.group(1)}: not closed: add the closing ]", at)
        out.append(Token("field", at, base + j + 1, (m.group(1), line[i + 3:j], base + i + 3)))
        return j + 1
    if line.startswith("[|", i):
        return _lex_bar(line, i, base, out)
    if i + 1 < len(line) and line[i + 1] in _DIGITS:
        return _lex_volta(line, i + 1, base, out, at)
    # a chord: [CEG], [C2E2]2 ...
    notes: list[NoteTok] = []
    k = i + 1
    while True:
        if k >= len(line):
            raise LexError("chord not closed: add the closing ]", at)
        c = line[k]
        if c == "]":
            break
        if c in "^_=" or c in "ABCDEFGabcdefg":
            note, k = _lex_note(line, k, base)
            if k < len(line) and line[k] == "-":
                note = NoteTok(note.accidental, note.letter, note.octave, note.length,
                               note.start, note.end, True)
                k += 1
            notes.append(note)
        elif c in " \t+":
            k += 1  # "+" is the old chord delimiter (e.g. [+GB])
        elif c == "!":
            j = line.find("!", k + 1)
            if j < 0:
                raise LexError("decoration not closed: write it like !trill!", base + k)
            k = j + 1
        elif c in letters:
            k += 1
        elif c in '[|:()"{}<>\\%':
            if not notes or c not in '|:("{' or " " in line[i:k] or "\t" in line[i:k]:
                raise LexError(f"chord not closed: add the closing ] before {c!r}", base + k)
            # Read as closed here (what else could it mean?), and say so.
            out.append(Token("notice", at, base + k,
                             f"chord not closed: read as closed before {c!r}; add the "
                             f"closing ] there"))
            out.append(Token("chord", at, base + k, (tuple(notes), Fraction(1))))
            return k
        else:
            raise LexError(f"unexpected {c!r} in a chord: only notes go inside [ ]", base + k)
    if not notes:
        raise LexError("empty chord []", at)
    m = _LENGTH.match(line, k + 1)
    outer = parse_length(m.group(1), m.group(2), m.group(3), base + k + 1)
    out.append(Token("chord", at, base + m.end(), (tuple(notes), outer)))
    return m.end()


def _lex_bar(line: str, i: int, base: int, out: list[Token]) -> int:
    m = _BAR.match(line, i)
    if not m or m.group(0) == ":" or ("|" not in m.group(0) and set(m.group(0)) != {":"}):
        raise LexError("unexpected ':': repeats are written |: and :|", base + i)
    run = m.group(0)
    out.append(Token("bar", base + i, base + m.end(), bar_kind(run)))
    j = m.end()
    if j < len(line) and line[j] in _DIGITS:
        return _lex_volta(line, j, base, out, base + j)
    return j


def _lex_volta(line: str, i: int, base: int, out: list[Token], at: int) -> int:
    m = _VOLTA.match(line, i)
    numbers: list[int] = []
    for part in m.group(0).replace(" ", "").split(","):
        a, _, b = part.partition("-")
        lo, hi = int(a), int(b or a)
        if not 1 <= lo <= hi <= 16:
            raise LexError(f"bad ending number {part!r}: use 1 to 16, e.g. [1 or [1,3", at)
        numbers.extend(range(lo, hi + 1))
    out.append(Token("volta", at, base + m.end(), tuple(sorted(set(numbers)))))
    return m.end()


def bar_kind(run: str) -> str:
    """The :class:`~composer.music.score.Barline` kind of a written bar line:
    ``"::"`` and ``":||:"`` are ``":|:"``, ``"|||"`` is ``"||"``, ``"|:|||:"`` is ``"|:"``."""
    thick_first = run.startswith("[")
    core = run.strip("[]")
    ends = core.startswith(":")
    starts = core.endswith(":")
    if set(core) == {":"} or (ends and starts):
        return ":|:"
    if ends:
        return ":|"
    if starts:
        return "|:"
    if run.endswith("]"):
        return "|]"
    if thick_first:
        return "[|"
    return "||" if core.count("|") >= 2 else "|"
