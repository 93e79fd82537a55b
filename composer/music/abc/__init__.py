"""ABC notation in and out of a :class:`~composer.music.score.Score`.

Reading is our own lexer and parser (:mod:`.lexer`, :mod:`.parser`): fast (a few
milliseconds a tune, so the editor can re-read on every pause), deterministic,
exact in ticks, and precise about errors (:class:`AbcSyntaxError` with the
1-based ``line:column`` in the text given). music21 reads ABC too, but 20-50x
slower and with losses our round trips cannot afford (no accidental carry without
an ``%abc-2.1`` line, a second chord symbol on a note dropped, annotations and
chord-symbol spacing rewritten, ties between chords lost, repeated ``V:`` blocks
split into parts); it serves as an independent check of what we write
(:func:`composer.music.m21.read_abc_with_music21`) and reads MusicXML.

Writing is :func:`score_to_abc` (:mod:`.writer`): ABC 2.1 that our reader and
music21 read back to the same notes.

The API:

- :func:`read_abc` (text -> Score), :func:`parse_abc` (text -> :class:`ParsedTune`:
  the score, its :class:`AbcTimeMap` and its :class:`TuneText`), :func:`list_tunes`
  (-> :class:`TuneInfo` per tune), :func:`split_tunes` (-> :class:`TuneText` per tune:
  a ``str`` with ``x``, ``offset`` and ``line``).
- The text/time map (:mod:`.timemap`): :func:`abc_time_map` gives every written
  note's and bar's characters and ticks, ``ticks_for_chars`` (an editor selection
  -> a time range), ``bars_for_chars`` (-> whole bars), ``chars_for_ticks`` (a time
  range -> characters), ``tick_at`` and ``char_ticks`` (the tick of each character,
  for per-character model views); :func:`bar_spans` gives the characters of each bar
  of ``Score.bars()``.
- :func:`score_to_abc` (Score -> text).
"""

from composer.music.abc.reader import (
    ParsedTune,
    abc_time_map,
    bar_spans,
    list_tunes,
    parse_abc,
    read_abc,
)
from composer.music.abc.timemap import AbcTimeMap
from composer.music.abc.tunes import TuneInfo, TuneText, split_tunes
from composer.music.abc.writer import score_to_abc

__all__ = [
    "AbcTimeMap", "ParsedTune", "TuneInfo", "TuneText", "abc_time_map", "bar_spans",
    "list_tunes", "parse_abc", "read_abc", "score_to_abc", "split_tunes",
]
