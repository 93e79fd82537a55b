"""The note edits the roll makes: move, resize, add, delete (pure, no Qt).

Notes are named by ``(track index, Note)`` references. Each function returns the
new :class:`Score` and the references of the edited notes in it, so the roll can
keep them selected. Times are ticks, pitches MIDI numbers.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable

from composer.music.score import DEFAULT_VELOCITY, Note, Score, Track

NoteRef = tuple[int, Note]


def _grouped(refs: Iterable[NoteRef]) -> dict[int, Counter]:
    groups: dict[int, Counter] = {}
    for k, note in refs:
        groups.setdefault(k, Counter())[note] += 1
    return groups


def _rewrite(score: Score, refs: Iterable[NoteRef], change: Callable[[Note], Note | None]
             ) -> tuple[Score, list[NoteRef]]:
    """Apply ``change`` to every referenced note (``None`` removes it)."""
    groups = _grouped(refs)
    tracks = list(score.tracks)
    new_refs: list[NoteRef] = []
    for k, wanted in groups.items():
        if not 0 <= k < len(tracks):
            continue
        wanted = Counter(wanted)
        kept, changed = [], []
        for note in tracks[k].notes:
            if wanted[note] > 0:
                wanted[note] -= 1
                new = change(note)
                if new is not None:
                    changed.append(new)
            else:
                kept.append(note)
        tracks[k] = tracks[k].with_notes(kept + changed)
        new_refs.extend((k, n) for n in changed)
    return _with_tracks(score, tracks), new_refs


def _with_tracks(score: Score, tracks: list[Track]) -> Score:
    """``score`` with new tracks; an explicit end tick grows to cover every note."""
    end_tick = score.end_tick
    if end_tick is not None:
        last = max((n.end for t in tracks for n in t.notes), default=0)
        end_tick = max(end_tick, last)
    return dataclasses.replace(score, tracks=tuple(tracks), end_tick=end_tick)


def clamp_move(refs: Iterable[NoteRef], dt: int, dp: int) -> tuple[int, int]:
    """``(dt, dp)`` limited so that no moved note starts before tick 0 or leaves the
    MIDI pitch range 0..127."""
    notes = [n for _, n in refs]
    if not notes:
        return 0, 0
    dt = max(dt, -min(n.start for n in notes))
    dp = max(-min(n.pitch for n in notes), min(dp, 127 - max(n.pitch for n in notes)))
    return dt, dp


def move_notes(score: Score, refs: Iterable[NoteRef], dt: int, dp: int
               ) -> tuple[Score, list[NoteRef]]:
    """Shift the notes by ``dt`` ticks and ``dp`` semitones (clamped, see
    :func:`clamp_move`)."""
    refs = list(refs)
    dt, dp = clamp_move(refs, dt, dp)
    return _rewrite(score, refs,
                    lambda n: Note(n.start + dt, n.end + dt, n.pitch + dp, n.velocity))


def resize_notes(score: Score, refs: Iterable[NoteRef], d_end: int, min_length: int = 1
                 ) -> tuple[Score, list[NoteRef]]:
    """Move the end of every note by ``d_end`` ticks, keeping each at least
    ``min_length`` ticks long (or its old length if that was shorter)."""
    def change(n: Note) -> Note:
        shortest = min(max(1, min_length), n.duration)
        return Note(n.start, max(n.start + shortest, n.end + d_end), n.pitch, n.velocity)

    return _rewrite(score, refs, change)


def delete_notes(score: Score, refs: Iterable[NoteRef]) -> Score:
    """The score without the referenced notes."""
    return _rewrite(score, refs, lambda n: None)[0]


def add_note(score: Score, track: int | None, note: Note) -> tuple[Score, NoteRef]:
    """Add ``note`` to track ``track``; with no such track, a new melody track
    named "Melody" is made."""
    tracks = list(score.tracks)
    if track is None or not 0 <= track < len(tracks):
        tracks.append(Track("Melody", (), role="melody"))
        track = len(tracks) - 1
    tracks[track] = tracks[track].with_notes((*tracks[track].notes, note))
    return _with_tracks(score, tracks), (track, note)


def new_note(start: int, end: int, pitch: int, velocity: int = DEFAULT_VELOCITY) -> Note:
    """A note with its values brought into range (``end > start >= 0``, pitch 0..127,
    velocity 1..127)."""
    start = max(0, int(start))
    return Note(start, max(start + 1, int(end)), min(127, max(0, int(pitch))),
                min(127, max(1, int(velocity))))
