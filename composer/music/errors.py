"""Typed errors of the music core. Each carries the data a UI or CLI needs to say
what is wrong and what to do; ``str(error)`` is one plain-words line."""

from __future__ import annotations

from dataclasses import dataclass


class MusicError(Exception):
    """Base of every error the music core raises on bad input."""


class AbcSyntaxError(MusicError):
    """ABC text that cannot be read. ``line`` and ``column`` are 1-based positions in
    the text given to the reader (``column`` 0 when the whole line is at fault)."""

    def __init__(self, reason: str, line: int = 0, column: int = 0, source: str = ""):
        self.reason = reason
        self.line = line
        self.column = column
        self.source = source
        where = f"{source}:" if source else ""
        if line:
            where += f"{line}:{column}: " if column else f"{line}: "
        elif where:
            where += " "
        super().__init__(f"{where}{reason}")


@dataclass(frozen=True)
class AbcWarning:
    """Something in ABC text that reads, but not exactly as written (a note length
    that is not a whole number of ticks is rounded). Plain data, never raised: the
    reader hands warnings out beside the score (``ParsedTune.warnings``). ``line``
    and ``column`` are 1-based positions in the text given to the reader, as in
    :class:`AbcSyntaxError`; ``length`` is how many characters from there the
    warning is about (at least 1); ``str(warning)`` is
    ``source:line:column: reason``."""

    reason: str
    line: int = 0
    column: int = 0
    source: str = ""
    length: int = 1

    def __str__(self) -> str:
        where = f"{self.source}:" if self.source else ""
        if self.line:
            where += f"{self.line}:{self.column}: " if self.column else f"{self.line}: "
        elif where:
            where += " "
        return f"{where}{self.reason}"


class TuneNotFoundError(MusicError):
    """A tune asked for by ``X:`` number or index that the file does not hold."""


class MidiReadError(MusicError):
    """A MIDI file that cannot be read (truncated, not MIDI, no usable notes)."""


class MusicXmlError(MusicError):
    """A MusicXML file that cannot be read."""


class UnsupportedFormatError(MusicError):
    """A file whose extension names no format we read or write."""


class ScoreWriteError(MusicError):
    """A score that cannot be written where or how it was asked (unwritable path,
    or music the format cannot express)."""
