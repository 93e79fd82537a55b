"""Multi-tune ABC files: where each tune's text starts and ends, and a summary per tune.

A tune runs from its ``X:`` line up to the next ``X:`` line (blank lines and comments
between tunes stay with the tune before; they carry no music). Text before the first
``X:`` is the *file header*: its fields (``L:``, ``M:``, ``%%`` directives ...) are
defaults for every tune. A text with no ``X:`` line at all is read as one tune (what
a musician types in the editor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_X_LINE = re.compile(r"^X:[ \t]*(\S*)", re.MULTILINE)


class TuneText(str):
    """One tune's text (it *is* a ``str``) and where it sits in the whole text:
    ``x`` (its ``X:`` number, ``None`` if it has none or it is not a number),
    ``offset`` (character offset of its first character) and ``line`` (1-based line
    of its first line)."""

    x: int | None
    offset: int
    line: int

    def __new__(cls, text: str, x: int | None = None, offset: int = 0, line: int = 1):
        obj = super().__new__(cls, text)
        obj.x = x
        obj.offset = offset
        obj.line = line
        return obj

    @property
    def line_offset(self) -> int:
        """Lines of the whole text before this tune (0 for the first line)."""
        return self.line - 1

    def __reduce__(self):
        return (TuneText, (str(self), self.x, self.offset, self.line))


def split_tunes(text: str) -> list[TuneText]:
    """Every tune of ``text`` in order, each with its offset and first line. A text
    with no ``X:`` line is one tune if it holds anything but comments, else none."""
    starts = [m for m in _X_LINE.finditer(text)]
    if not starts:
        body = "\n".join(line for line in text.splitlines()
                         if line.strip() and not line.lstrip().startswith("%"))
        return [TuneText(text, None, 0, 1)] if body.strip() else []
    tunes = []
    line = 1 + text.count("\n", 0, starts[0].start())
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        chunk = text[m.start():end]
        number = m.group(1)
        x = int(number) if number.isascii() and number.isdecimal() else None
        tunes.append(TuneText(chunk, x, m.start(), line))
        line += chunk.count("\n")
    return tunes


def file_header(text: str, tunes: list[TuneText]) -> str:
    """The text before the first tune (``""`` when the text has no ``X:`` line)."""
    return text[: tunes[0].offset] if tunes else ""


@dataclass(frozen=True, slots=True)
class TuneInfo:
    """A summary of one tune for ``composer info`` and the window's tune picker.

    ``index`` is 1-based; ``bars`` counts bars as :meth:`Score.bars` does (a pickup
    is a bar); ``line`` is the 1-based line of the tune's ``X:``; ``error`` is the
    reason the tune cannot be read (then ``bars`` is ``None``)."""

    index: int
    x: int | None
    title: str
    meter: str
    key: str
    bars: int | None
    line: int
    error: str | None = None

    def as_dict(self) -> dict:
        return {"index": self.index, "x": self.x, "title": self.title, "meter": self.meter,
                "key": self.key, "bars": self.bars, "line": self.line, "error": self.error}


_FIELD = re.compile(r"^([TMK]):(.*)$", re.MULTILINE)


def header_summary(tune: str) -> tuple[str, str, str]:
    """(title, meter, key) read from the header lines alone (for tunes that do not
    parse)."""
    title = meter = key = ""
    for m in _FIELD.finditer(tune):
        letter, value = m.group(1), m.group(2).split("%", 1)[0].strip()
        if letter == "T" and not title:
            title = value
        elif letter == "M" and not key:
            meter = value
        elif letter == "K" and not key:
            key = value
    return title, meter, key
