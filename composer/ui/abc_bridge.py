"""The window's few needs from the ABC reader and writer (:mod:`composer.music.abc`),
in one place: read one tune (with the file header's defaults), write one back under
its own ``X:`` number, split a file into its header and tunes and join them again,
label a tune cheaply, and map between a tune's characters and ticks.

Positions are always in the tune's own text (what the editor shows): when a file
header is prepended for reading, error lines and character offsets are shifted back.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict

from composer.music.errors import AbcSyntaxError, AbcWarning
from composer.music.score import Score

_X_LINE = re.compile(r"^X:\s*(\d+)", re.MULTILINE)
_T_LINE = re.compile(r"^T:\s*(.*?)\s*$", re.MULTILINE)


def _with_header(text: str, header: str) -> tuple[str, int]:
    """The text to read (header first) and the header's length in characters."""
    if not header:
        return text, 0
    if not header.endswith("\n"):
        header += "\n"
    return header + text, len(header)


BIG_TEXT_CHARS = 12000
"""Texts longer than this are mapped (characters <-> ticks) only once read elsewhere."""

_CACHE: OrderedDict[tuple[str, str], tuple] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = threading.Lock()
_WARNINGS: dict[tuple[str, str], tuple[AbcWarning, ...]] = {}
"""The reader's warnings of each text in ``_CACHE`` (same keys), lines in the text."""


def _parse(text: str, header: str, compute: bool = True):
    """``(score, time map, shift)`` of the tune ``text``; the time map's offsets
    count in ``header + text`` (``shift`` characters more than in ``text``). The last
    few results are kept (the editor, the sheet and the playhead ask about the same
    text). With ``compute`` false, only a kept result is returned (else ``None``)."""
    key = (text, header)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    if not compute:
        return None
    from composer.music.abc import parse_abc

    full, shift = _with_header(text, header)
    try:
        parsed = parse_abc(full)
    except AbcSyntaxError as e:
        raise _shift_error(e, header) from None
    result = (parsed.score, parsed.time_map, shift)
    with _LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        _WARNINGS[key] = tuple(_shift_warning(w, header) for w in parsed.warnings)
        for old in [k for k in _WARNINGS if k not in _CACHE]:
            del _WARNINGS[old]
    return result


def _map(text: str, header: str):
    """The kept or (for a short text) new parse of ``text``, or ``None``."""
    try:
        return _parse(text, header, compute=len(text) <= BIG_TEXT_CHARS)
    except AbcSyntaxError:
        return None


def _shift_error(e: AbcSyntaxError, header: str) -> AbcSyntaxError:
    lines = header.count("\n") + (1 if header and not header.endswith("\n") else 0)
    if not lines:
        return e
    if e.line and e.line <= lines:
        return AbcSyntaxError(f"in the file header (line {e.line}): {e.reason}", 0, 0,
                              e.source)
    return AbcSyntaxError(e.reason, max(e.line - lines, 0), e.column, e.source)


def _shift_warning(w: AbcWarning, header: str) -> AbcWarning:
    """A warning's line counted in the tune's text (warnings are about notes, never in
    the file header)."""
    lines = header.count("\n") + (1 if header and not header.endswith("\n") else 0)
    return dataclasses.replace(w, line=max(w.line - lines, 1)) if lines and w.line else w


def tune_warnings(text: str, header: str = "", read: bool = True) -> list[AbcWarning]:
    """The reader's warnings about the tune ``text`` (lengths rounded to whole ticks),
    lines in ``text``; ``[]`` when it does not read (or a long text is not read yet).
    With ``read`` false, only a text read before is looked at (no read now)."""
    try:
        if _parse(text, header, compute=read and len(text) <= BIG_TEXT_CHARS) is None:
            return []
    except AbcSyntaxError:
        return []
    with _LOCK:
        return list(_WARNINGS.get((text, header), ()))


def read_tune(text: str, header: str = "") -> Score:
    """The tune ``text`` read with the defaults of the file ``header``; raises
    :class:`AbcSyntaxError` with line and column in ``text``."""
    return _parse(text, header)[0]


def write_tune(score: Score, previous_text: str | None = None) -> str:
    """``score`` as the ABC text of one tune, numbered like ``previous_text`` (or 1)."""
    from composer.music.abc import score_to_abc

    return score_to_abc(score, x=tune_number(previous_text) or 1)


def splice_tune(score: Score, previous_text: str | None, header: str = "",
                edited: tuple[int, int, int] | None = None):
    """``previous_text`` changed to say ``score`` as the smallest splice of the bars
    that changed (:func:`composer.music.abc.splice.splice_abc`: every other character
    of the user's text stays); ``edited`` ``(start, old_end, new_end)`` ticks when the
    caller knows what changed. Returns a :class:`~composer.music.abc.splice.Splice`:
    its ``spliced`` is false (and ``reason`` says why) when the tune had to be written
    anew. Without a previous text (music read from MIDI) the tune is written anew."""
    from composer.music.abc.splice import Splice, splice_abc

    if not previous_text or not previous_text.strip():
        return Splice(write_tune(score, previous_text), False, "")
    try:
        return splice_abc(previous_text, score, header=header, edited=edited)
    except AbcSyntaxError as e:
        return Splice(write_tune(score, previous_text), False,
                      f"the text before the change does not read ({e.reason})")


def split_file(text: str) -> tuple[str, list[str]]:
    """An ABC file's header (text before the first ``X:``, or ``""``) and its tunes,
    each tune's text running up to the next ``X:`` line."""
    from composer.music.abc import split_tunes

    tunes = split_tunes(text)
    if not tunes:
        return "", []
    return text[: tunes[0].offset], [str(t) for t in tunes]


def join_file(header: str, tunes: list[str]) -> str:
    """The inverse of :func:`split_file`: an unchanged file comes back unchanged;
    an edited tune gets a blank line before the next one."""
    parts = [header]
    for i, tune in enumerate(tunes):
        if i + 1 < len(tunes):
            if not tune.endswith("\n"):
                tune += "\n"
            if not tune.endswith("\n\n"):
                tune += "\n"
        parts.append(tune)
    return "".join(parts)


def tune_number(text: str | None) -> int | None:
    """The ``X:`` number of a tune's text, or ``None``."""
    m = _X_LINE.search(text or "")
    return int(m.group(1)) if m else None


def tune_label(text: str, index: int) -> str:
    """A label for the tune picker: ``"X: title"`` from the text alone (no parse)."""
    x = tune_number(text)
    m = _T_LINE.search(text)
    title = m.group(1) if m and m.group(1) else "(untitled)"
    return f"{x if x is not None else index + 1}: {title}"


def bars_for_chars(text: str, start: int, end: int, header: str = "") -> tuple[int, int] | None:
    """The whole bars (ticks ``(start, end)``) that characters ``[start, end)`` of the
    tune ``text`` touch, or ``None`` (in the header, the text does not read, or a long
    text is not read yet)."""
    parsed = _map(text, header)
    if parsed is None:
        return None
    _score, time_map, shift = parsed
    return time_map.bars_for_chars(start + shift, end + shift)


def chars_for_ticks(text: str, start: int, end: int, header: str = "") -> tuple[int, int] | None:
    """Characters ``(start, end)`` of the tune ``text`` written for ticks ``[start,
    end)``, or ``None``."""
    parsed = _map(text, header)
    if parsed is None:
        return None
    _score, time_map, shift = parsed
    span = time_map.chars_for_ticks(start, end)
    if span is None:
        return None
    return max(span[0] - shift, 0), max(span[1] - shift, 0)


def written_notes(text: str, header: str = "") -> list[tuple] | None:
    """Every note and rest of the tune ``text`` as written: ``(start, end, pitch,
    char_start, char_end)`` (ticks as written; MIDI pitch, ``None`` for a rest;
    characters of ``text``), or ``None`` when the text does not read (or a long text
    is not read yet)."""
    parsed = _map(text, header)
    if parsed is None:
        return None
    _score, time_map, shift = parsed
    return [(n.start, n.end, n.pitch, n.char_start - shift, n.char_end - shift)
            for n in time_map.notes]
