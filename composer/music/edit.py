"""Pure edits of a :class:`~composer.music.score.Score`: each returns a new score.

These are the operations a continuation and the window's editing share: cut a passage
out as a seed, clear a time range, open a gap (insert time), and paste new material.
All positions are ticks; ``tracks`` are track names (``None`` = every track).
A note crossing a cut is shortened to the part on the kept side (never moved).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from composer.music.score import (
    Barline,
    ChordSymbol,
    Note,
    PartMark,
    Score,
    Track,
    Volta,
)


def _wanted(track: Track, tracks: Iterable[str] | None) -> bool:
    return tracks is None or track.name in set(tracks)


def _clip(notes: Iterable[Note], start: int, end: int) -> list[Note]:
    """Notes inside ``[start, end)``, cut to it."""
    out = []
    for n in notes:
        a, b = max(n.start, start), min(n.end, end)
        if b > a:
            out.append(Note(a, b, n.pitch, n.velocity))
    return out


def _remove(notes: Iterable[Note], start: int, end: int) -> list[Note]:
    """The parts of notes outside ``[start, end)``: a note crossing ``start`` keeps its
    head (it ends at ``start``), a note crossing ``end`` keeps its tail (it starts at
    ``end``: what sounds after the range stays), a note inside is dropped."""
    out = []
    for n in notes:
        if n.end <= start or n.start >= end:
            out.append(n)
            continue
        if n.start < start:
            out.append(Note(n.start, start, n.pitch, n.velocity))
        if n.end > end:
            out.append(Note(end, n.end, n.pitch, n.velocity))
    return out


def crop(score: Score, start: int, end: int, tracks: Iterable[str] | None = None) -> Score:
    """The passage ``[start, end)`` as a score of its own starting at tick 0, with the
    meter, key and tempo in force at ``start``. Chord symbols sounding at ``start`` are
    repeated at 0. Repeat bar lines and endings inside the passage are kept."""
    tracks = None if tracks is None else tuple(tracks)
    new_tracks = tuple(
        t.with_notes(n.shifted(-start) for n in _clip(t.notes, start, end))
        for t in score.tracks
        if _wanted(t, tracks)
    )
    chords = [ChordSymbol(c.start - start, c.text) for c in score.chords if start <= c.start < end]
    if score.chords and (not chords or chords[0].start > 0):
        before = [c for c in score.chords if c.start < start]
        if before:
            chords.insert(0, ChordSymbol(0, before[-1].text))

    def remap(items):
        kept = [dataclasses.replace(i, tick=i.tick - start) for i in items if start < i.tick < end]
        return (dataclasses.replace(_last_at(items, start), tick=0), *kept)

    return dataclasses.replace(
        score,
        tracks=new_tracks,
        chords=tuple(chords),
        meters=remap(score.meters),
        keys=remap(score.keys),
        tempos=remap(score.tempos),
        barlines=tuple(
            Barline(b.tick - start, b.kind) for b in score.barlines if start < b.tick <= end
        ),
        voltas=tuple(
            Volta(v.start - start, v.end - start, v.numbers)
            for v in score.voltas
            if v.start >= start and v.end <= end
        ),
        parts=tuple(
            PartMark(p.tick - start, p.label) for p in score.parts if start <= p.tick < end
        ),
        end_tick=end - start,
    )


def _last_at(items, tick):
    found = items[0]
    for i in items:
        if i.tick <= tick:
            found = i
    return found


def clear_range(
    score: Score, start: int, end: int, tracks: Iterable[str] | None = None
) -> Score:
    """Remove the notes (of ``tracks``) and chord symbols starting in ``[start, end)``;
    a note crossing ``start`` is shortened to end there, a note crossing ``end`` keeps
    the part after it."""
    tracks = None if tracks is None else tuple(tracks)
    new_tracks = tuple(
        t.with_notes(_remove(t.notes, start, end)) if _wanted(t, tracks) else t
        for t in score.tracks
    )
    chords = tuple(c for c in score.chords if not start <= c.start < end)
    return dataclasses.replace(score, tracks=new_tracks, chords=chords)


_SPLIT_BARLINE = {"|": ("|", "|"), "||": ("||", "|"), "|]": ("|]", "|"), "[|": ("|", "[|"),
                  "|:": ("|", "|:"), ":|": (":|", "|"), ":|:": (":|", "|:")}
"""A bar line where time is inserted: (the kind left before the gap, the kind after)."""


def insert_time(score: Score, at: int, ticks: int) -> Score:
    """Open a silent gap of ``ticks`` at ``at``: everything starting at or after ``at``
    moves right. A note sounding across ``at`` is split there: its head ends at ``at``,
    its tail moves on with the music after the gap (nothing that sounded is lost).
    Meter, key and tempo changes, bar lines, endings and part marks move with the
    music; a written bar line at ``at`` is kept there too (it closes the bar before the
    gap)."""
    if ticks <= 0:
        return score

    def move(t: int) -> int:
        return t + ticks if t >= at else t

    def split(n: Note) -> list[Note]:
        if n.start >= at:
            return [n.shifted(ticks)]
        if n.end <= at:
            return [n]
        return [Note(n.start, at, n.pitch, n.velocity),
                Note(at + ticks, n.end + ticks, n.pitch, n.velocity)]

    new_tracks = tuple(t.with_notes(p for n in t.notes for p in split(n))
                       for t in score.tracks)

    def shift_map(items):
        return tuple(
            dataclasses.replace(i, tick=move(i.tick)) if i.tick > 0 else i for i in items
        )

    barlines = []
    for b in score.barlines:
        if b.tick == at and at > 0:
            # The line closes the bar before the gap and opens the music after it: the
            # closing half (":|", "||", "|]") stays, the opening half ("|:") moves.
            stay, go = _SPLIT_BARLINE[b.kind]
            barlines += [Barline(at, stay), Barline(at + ticks, go)]
        else:
            barlines.append(Barline(move(b.tick), b.kind))
    return dataclasses.replace(
        score,
        tracks=new_tracks,
        chords=tuple(ChordSymbol(move(c.start), c.text) for c in score.chords),
        meters=shift_map(score.meters),
        keys=shift_map(score.keys),
        tempos=shift_map(score.tempos),
        barlines=tuple(barlines),
        voltas=tuple(
            Volta(move(v.start), v.end + ticks if v.end > at else v.end, v.numbers)
            for v in score.voltas
        ),
        parts=tuple(PartMark(move(p.tick), p.label) for p in score.parts),
        end_tick=None if score.end_tick is None else move(score.end_tick),
    )


def insert_bars(score: Score, at: int, ticks: int) -> Score:
    """Open ``ticks`` of silence at bar line ``at`` for new bars that join the music
    before it (a continuation inserted after a selection): everything from ``at`` on
    moves right as in :func:`insert_time`, but the bar line at ``at`` moves whole to
    the end of the gap (a closing ``:|`` or ``||`` now closes the new bars; an opening
    ``|:`` still opens the music after them), a plain bar line stays at ``at``, and
    an ending that ends at ``at`` lasts over the gap."""
    if ticks <= 0:
        return score
    kind = next((b.kind for b in score.barlines if b.tick == at), None)
    out = insert_time(score, at, ticks)
    if kind is not None:
        barlines = [b for b in out.barlines if b.tick not in (at, at + ticks)]
        barlines += [Barline(at, "|"), Barline(at + ticks, kind)]
        out = dataclasses.replace(out, barlines=tuple(sorted(barlines)))
    voltas = tuple(Volta(v.start, v.end + ticks, v.numbers) if v.end == at and v.start < at
                   else v for v in out.voltas)
    return dataclasses.replace(out, voltas=voltas)


CLOSING_KINDS = (":|", ":|:", "||", "|]")
"""Bar line kinds that close a section (they move to the end of music pasted past them)."""


def paste(
    score: Score,
    notes: Mapping[str, Iterable[Note]],
    chords: Iterable[ChordSymbol] = (),
    *,
    start: int,
    end: int,
    bar_ticks: Iterable[int] = (),
) -> Score:
    """Put new material into ``[start, end)``: ``notes`` by track name (absolute
    ticks; a name not in the score becomes a new track with role "accompaniment"),
    ``chords`` likewise. Existing notes of those tracks and chord symbols in the range
    are removed first (replace semantics; call :func:`insert_bars` before for insert).

    ``bar_ticks`` are the bar lines of the new material (only used when the score has
    written bar lines): written bar lines inside the range stay where a new one falls
    (their kinds are kept: repeats, double bars), others inside the range go, and
    missing ones are added. When the range runs past the tune's last written bar line
    and that line closes a section (``:|``, ``||``, ``|]``), it moves to ``end`` (an
    ending that stops there lasts to ``end`` too)."""
    names = list(notes)
    out = clear_range(score, start, end, names)
    by_name = {t.name: t for t in out.tracks}
    tracks = list(out.tracks)
    for name, new in notes.items():
        new = [n for n in new if start <= n.start < end]
        if name in by_name:
            i = next(i for i, t in enumerate(tracks) if t.name == name)
            tracks[i] = tracks[i].with_notes([*tracks[i].notes, *new])
        else:
            tracks.append(Track(name, tuple(new), role="accompaniment"))
    barlines = list(out.barlines)
    voltas = out.voltas
    if barlines:
        last = barlines[-1]
        if start <= last.tick < end and last.kind in CLOSING_KINDS:
            # Continuing past the written end: the final bar line moves to the new end.
            barlines[-1] = Barline(last.tick, "|")
            barlines.append(Barline(end, last.kind))
            voltas = tuple(Volta(v.start, end, v.numbers) if v.end == last.tick else v
                           for v in voltas)
        new_lines = {t for t in bar_ticks if start < t <= end}
        barlines = [b for b in barlines if not start < b.tick < end or b.tick in new_lines]
        have = {b.tick for b in barlines}
        barlines += [Barline(t) for t in sorted(new_lines) if t not in have]
        barlines.sort()
    end_tick = out.end_tick
    if end_tick is not None and end_tick < end:
        end_tick = end
    return dataclasses.replace(
        out,
        tracks=tuple(tracks),
        chords=_merge_chords(out.chords, chords),
        barlines=tuple(barlines),
        voltas=voltas,
        end_tick=end_tick,
    )


def _merge_chords(old: Iterable[ChordSymbol], new: Iterable[ChordSymbol]) -> tuple:
    """Chord symbols by tick; at one tick the written order stays (``"A7""A"``)."""
    return tuple(sorted([*old, *new], key=lambda c: c.start))
