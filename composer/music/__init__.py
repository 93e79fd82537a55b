"""The music core: the :class:`~composer.music.score.Score` document and its readers
and writers (ABC, MIDI, MusicXML). Imports neither Qt nor torch."""

from composer.music.errors import (
    AbcSyntaxError,
    MidiReadError,
    MusicError,
    MusicXmlError,
    ScoreWriteError,
    TuneNotFoundError,
    UnsupportedFormatError,
)
from composer.music.score import (
    TICKS_PER_QUARTER,
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
    Track,
    Volta,
)

__all__ = [
    "TICKS_PER_QUARTER", "AbcSyntaxError", "Barline", "ChordSymbol", "KeyChange",
    "MeterChange", "MidiReadError", "MusicError", "MusicXmlError", "Note", "PartMark",
    "Score", "ScoreWriteError", "TempoChange", "Track", "TuneNotFoundError",
    "UnsupportedFormatError", "Volta",
]
