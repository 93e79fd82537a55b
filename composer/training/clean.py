"""Cleaning extra ABC collections (O'Neill's, Ryan's Mammoth, Aird's Airs in music21's
corpus) into the plain style of the Nottingham files before training on them.

Kept: ``X:``, the first ``T:``, ``R:``, ``M:``, ``L:``, ``K:`` (values without the
space after the colon; ``M:C`` becomes ``M:4/4`` and ``M:C|`` ``M:2/2``); notes,
lengths, bar lines, endings, ties, tuplets, chords, chord symbols, broken rhythm,
field lines and inline fields in the body, line continuations.
Removed: other header fields and comments, slurs, decorations (``!trill!``, ``~``,
``.``, ``u``, ``v``, ``H``, ``T``...), grace notes, annotations (``"^text"``), runs of
spaces. A tune our ABC reader cannot read afterwards is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from composer.music.abc import read_abc
from composer.music.errors import MusicError
from composer.training.corpus import AbcTune

_HEADER_KEEP = ("X", "T", "R", "M", "L", "K")
_METER_WORDS = {"C": "4/4", "C|": "2/2"}
_DECORATION_LETTERS = frozenset("~.uvHTJLMOPRS")
_ANNOTATION = re.compile(r'"[\^_<>@][^"]*"')
_BANG = re.compile(r"![^!\n]*!|\+[A-Za-z][^+\n]*\+")
_GRACE = re.compile(r"\{[^}\n]*\}")
_SPACES = re.compile(r"  +")


def _field(line: str) -> tuple[str, str] | None:
    if len(line) >= 2 and line[1] == ":" and line[0].isalpha():
        return line[0], line[2:].strip()
    return None


def _clean_header(header: str) -> str | None:
    out: list[str] = []
    titles = 0
    for line in header.rstrip("\n").split("\n"):
        f = _field(line)
        if f is None or f[0] not in _HEADER_KEEP:
            continue
        letter, value = f
        if letter == "T":
            titles += 1
            if titles > 1:
                continue
        if letter == "M":
            value = _METER_WORDS.get(value, value)
        out.append(f"{letter}:{value}")
    if not out or not out[-1].startswith("K:"):
        return None
    return "\n".join(out) + "\n"


def _clean_music(line: str) -> str:
    line = line.split("%", 1)[0].rstrip()
    line = _ANNOTATION.sub("", line)
    line = _BANG.sub("", line)
    line = _GRACE.sub("", line)
    out: list[str] = []
    in_quote = in_inline = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == '"':
            in_quote = not in_quote
        elif in_quote:
            pass
        elif c == "[" and i + 2 < len(line) and line[i + 2] == ":" and line[i + 1].isalpha():
            in_inline = True
        elif in_inline:
            in_inline = c != "]"
        elif c == "(" and not (i + 1 < len(line) and line[i + 1].isdigit()):
            i += 1
            continue  # a slur
        elif c == ")" or c in _DECORATION_LETTERS:
            i += 1
            continue
        out.append(c)
        i += 1
    return _SPACES.sub(" ", "".join(out)).strip()


def clean_tune(tune: AbcTune) -> AbcTune | None:
    """``tune`` in the plain style (see the module), or ``None`` if it cannot be
    cleaned into something our reader reads."""
    header = _clean_header(tune.header)
    if header is None:
        return None
    body_lines: list[str] = []
    for line in tune.body.rstrip("\n").split("\n"):
        f = _field(line)
        if f is not None:
            if f[0] in ("M", "L", "K", "P"):
                value = _METER_WORDS.get(f[1], f[1]) if f[0] == "M" else f[1]
                body_lines.append(f"{f[0]}:{value}")
            continue
        if line.lstrip().startswith("%"):
            continue
        cleaned = _clean_music(line)
        if cleaned and cleaned != "\\":
            body_lines.append(cleaned)
    if not body_lines:
        return None
    cleaned_tune = replace(tune, header=header, body="\n".join(body_lines) + "\n")
    try:
        score = read_abc(cleaned_tune.text)
    except MusicError:
        return None
    if not any(t.notes for t in score.tracks):
        return None
    return cleaned_tune


def clean_tunes(tunes: Iterable[AbcTune]) -> list[AbcTune]:
    """The tunes that clean (see :func:`clean_tune`), in order."""
    out = []
    for tune in tunes:
        cleaned = clean_tune(tune)
        if cleaned is not None:
            out.append(cleaned)
    return out
