"""Reading ABC: pick a tune of a (multi-tune) text, lex, parse, and report errors
(raised) and warnings (handed out beside the score) with 1-based ``line:column`` in
the text given."""

from __future__ import annotations

from dataclasses import dataclass

from composer.music.abc.lexer import LexError, Source, tokenize
from composer.music.abc.parser import parse_tokens
from composer.music.abc.timemap import AbcTimeMap
from composer.music.abc.tunes import (
    TuneInfo,
    TuneText,
    file_header,
    header_summary,
    split_tunes,
)
from composer.music.errors import AbcSyntaxError, AbcWarning, TuneNotFoundError
from composer.music.score import Score

_FILE_HEADER_SKIP = frozenset("XKTVPWw")
"""Fields of a file header that are not defaults for the tunes."""
MAX_WARNINGS = 20
"""Warnings kept per tune; the place after the last one says how many more there are."""


@dataclass(frozen=True)
class ParsedTune:
    """One tune read from a text: its :class:`Score`, the map between its characters
    and ticks, its text (with offset, line and ``X:`` number), and the
    :class:`AbcWarning` of each place not read exactly as written (a length that
    is not a whole number of ticks, rounded), in text order: at most
    :data:`MAX_WARNINGS`, and then one more saying how many places are left out."""

    score: Score
    time_map: AbcTimeMap
    tune: TuneText
    warnings: tuple[AbcWarning, ...] = ()


def parse_abc(text: str, *, x: int | None = None, index: int | None = None,
              source: str = "") -> ParsedTune:
    """Read one tune of ``text`` (by ``X:`` number ``x`` or 0-based ``index``; default
    the first) with its time map and warnings. Raises :class:`AbcSyntaxError`
    (positions in ``text``) or :class:`TuneNotFoundError`."""
    src = Source(text, name=source)
    tunes = _tunes(text, src)
    tune = _select(tunes, x, index, source)
    return _parse(tune, file_header(text, tunes), src)


def read_abc(text: str, *, x: int | None = None, index: int | None = None,
             source: str = "") -> Score:
    """One tune of an ABC text as a :class:`Score` (see :func:`parse_abc`; its
    warnings are in :attr:`ParsedTune.warnings`)."""
    return parse_abc(text, x=x, index=index, source=source).score


def abc_time_map(text: str, *, x: int | None = None, index: int | None = None) -> AbcTimeMap:
    """The character/tick map of one tune of ``text`` (see :mod:`.timemap`)."""
    return parse_abc(text, x=x, index=index).time_map


def bar_spans(text: str, *, x: int | None = None,
              index: int | None = None) -> list[tuple[int, int]]:
    """Characters ``(start, end)`` of each bar of the tune's :meth:`Score.bars`
    (same order, same count), in the main voice."""
    parsed = parse_abc(text, x=x, index=index)
    return parsed.time_map.bar_spans(parsed.score)


def list_tunes(text: str, source: str = "", *,
               warnings: list[AbcWarning] | None = None) -> list[TuneInfo]:
    """A summary of every tune of ``text``. A tune that cannot be read is still
    listed, with its ``error`` and ``bars=None``. Raises :class:`AbcSyntaxError`
    when the text holds no tune at all. ``warnings`` given: the warnings of every
    tune that reads are appended to it."""
    src = Source(text, name=source)
    tunes = _tunes(text, src)
    header = file_header(text, tunes)
    infos = []
    for i, tune in enumerate(tunes, start=1):
        try:
            parsed = _parse(tune, header, src)
        except AbcSyntaxError as e:
            title, meter, key = header_summary(tune)
            infos.append(TuneInfo(i, tune.x, title, meter, key, None, tune.line, str(e)))
            continue
        score = parsed.score
        if warnings is not None:
            warnings.extend(parsed.warnings)
        infos.append(TuneInfo(i, tune.x, score.title, str(score.meters[0]),
                              str(score.keys[0]), len(score.bars()), tune.line))
    return infos


def _tunes(text: str, src: Source) -> list[TuneText]:
    if not text.strip():
        raise AbcSyntaxError("the ABC text is empty", source=src.name)
    tunes = split_tunes(text)
    if not tunes:
        raise AbcSyntaxError("no tune found: a tune starts with an X: line and its header "
                             "ends with a K: line", source=src.name)
    return tunes


def _select(tunes: list[TuneText], x: int | None, index: int | None,
            source: str) -> TuneText:
    where = f" in {source}" if source else ""
    if x is not None:
        for t in tunes:
            if t.x == x:
                return t
        numbers = [str(t.x) for t in tunes if t.x is not None]
        have = _summary(numbers)
        raise TuneNotFoundError(f"no tune with X:{x}{where}; it has X: {have}"
                                if have else f"no tune with X:{x}{where}; its tunes have "
                                "no X: numbers (use --index)")
    if index is not None:
        if not 0 <= index < len(tunes):
            count = "is 1 tune" if len(tunes) == 1 else f"are {len(tunes)} tunes"
            raise TuneNotFoundError(f"no tune number {index + 1}{where}: there {count} "
                                    f"(numbered 1 to {len(tunes)})")
        return tunes[index]
    return tunes[0]


def _summary(numbers: list[str]) -> str:
    if len(numbers) <= 12:
        return ", ".join(numbers)
    return ", ".join(numbers[:10]) + f", ... {numbers[-1]} ({len(numbers)} tunes)"


def _parse(tune: TuneText, header: str, src: Source) -> ParsedTune:
    try:
        tokens = []
        if header:
            tokens = [t for t in tokenize(header, 0, header_only=True)
                      if t.kind == "directive" or t.value[0] not in _FILE_HEADER_SKIP]
        tokens += tokenize(str(tune), tune.offset)
        parsed = parse_tokens(tokens, src.text)
    except LexError as e:
        raise src.error(e.reason, e.offset) from None
    except (ValueError, ArithmeticError, IndexError, KeyError) as e:
        # A combination the checks above did not foresee: still a typed error.
        raise src.error(f"cannot read this tune ({e})", tune.offset) from None
    end = tune.offset + len(tune)
    body_start = parsed.body_start if parsed.body_start <= end else end
    time_map = AbcTimeMap(parsed.notes, parsed.bars, parsed.symbols, parsed.main_voice,
                          tune.offset, body_start, end, parsed.track_voices)
    return ParsedTune(parsed.score, time_map, tune, _warnings(parsed.warnings, src))


def _warnings(found: tuple[tuple[int, int, str], ...], src: Source) -> tuple[AbcWarning, ...]:
    """The parser's ``(char_start, char_end, reason)`` as :class:`AbcWarning`, at most
    :data:`MAX_WARNINGS` and a last one for the rest."""
    out = []
    for start, end, reason in found[:MAX_WARNINGS]:
        line, column = src.position(start)
        out.append(AbcWarning(reason, line, column, src.name, max(end - start, 1)))
    if len(found) > MAX_WARNINGS:
        start, end, _ = found[MAX_WARNINGS]
        line, column = src.position(start)
        more = len(found) - MAX_WARNINGS
        places = "place" if more == 1 else "places"
        out.append(AbcWarning(f"and {more} more {places} from here on where a length is "
                              "rounded to whole ticks", line, column, src.name,
                              max(end - start, 1)))
    return tuple(out)
