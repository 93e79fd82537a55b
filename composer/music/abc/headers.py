"""Header lines of one tune's text, changed alone: its title and its number (the take
a command writes is the input tune with a new ``T:`` line; several takes in one file
are numbered)."""

from __future__ import annotations

import re

_T_LINE = re.compile(r"^T:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_X_NUMBER = re.compile(r"^X:[ \t]*\S*", re.MULTILINE)


def with_title(text: str, title: str) -> str:
    """``text`` (one tune) with its first ``T:`` line saying ``title`` (a ``T:`` line is
    added after ``X:`` when there is none); nothing else changes."""
    title = " ".join(title.split())
    m = _T_LINE.search(text)
    if m:
        return text[: m.start(1)] + title + text[m.end(1):]
    x = _X_NUMBER.search(text)
    at = text.find("\n", x.end()) + 1 if x else 0
    if x and at == 0:
        return text + "\nT:" + title + "\n"
    return text[:at] + f"T:{title}\n" + text[at:]


def with_number(text: str, x: int) -> str:
    """``text`` (one tune) with its ``X:`` line saying ``x`` (added when missing)."""
    m = _X_NUMBER.search(text)
    if m:
        return text[: m.start()] + f"X:{x}" + text[m.end():]
    return f"X:{x}\n" + text
