"""What the parser makes of one tune: the score, and where each written note, bar and
chord symbol sits in the text (characters) and in time (ticks)."""

from __future__ import annotations

from dataclasses import dataclass

from composer.music.score import Score


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
    track_voices: tuple[str, ...] = ()
    """The voice id of each of the score's tracks, in track order."""
    warnings: tuple[tuple[int, int, str], ...] = ()
    """``(char_start, char_end, reason)`` of each place read not exactly as written (a
    length that is not a whole number of ticks, rounded), in text order."""
