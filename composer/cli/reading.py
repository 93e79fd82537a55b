"""Reading a subcommand's input: the score, with the reader's warnings printed to
stderr as ``warning: FILE:LINE:COLUMN: reason`` (one line each; the command goes on
and succeeds). Every subcommand that reads a score calls :func:`read_input` instead of
:func:`composer.music.io.read_score`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from composer.music.errors import AbcWarning
from composer.music.io import ABC_EXTENSIONS, read_score, read_text
from composer.music.score import Score


def read_input(path: str | os.PathLike, *, x: int | None = None,
               index: int | None = None) -> Score:
    """:func:`~composer.music.io.read_score` of ``path`` (same arguments, same errors),
    printing the warnings of an ABC tune (lengths rounded to whole ticks) to stderr."""
    if Path(path).suffix.lower() not in ABC_EXTENSIONS:
        return read_score(path, x=x, index=index)
    from composer.music.abc import parse_abc

    parsed = parse_abc(read_text(path), x=x, index=index, source=Path(path).name)
    print_warnings(parsed.warnings, path)
    return parsed.score


def warning_line(warning: AbcWarning, path: str | os.PathLike) -> str:
    """``warning: FILE:LINE:COLUMN: reason`` (``FILE`` as the user gave it)."""
    where = f"{path}:"
    if warning.line:
        where += f"{warning.line}:{warning.column}:" if warning.column else f"{warning.line}:"
    return f"warning: {where} {warning.reason}"


def print_warnings(warnings: Iterable[AbcWarning], path: str | os.PathLike) -> None:
    """Each warning as one line on stderr (see :func:`warning_line`)."""
    for w in warnings:
        print(warning_line(w, path), file=sys.stderr)
