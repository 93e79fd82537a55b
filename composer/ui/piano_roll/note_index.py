"""A flat, sorted index of notes for fast visible-range queries and hit tests (no Qt).

Positions are ticks; pitches MIDI numbers. Each indexed note keeps the index of
the track it came from, so a hit or a selection can be turned back into
``(track index, Note)`` references for an edit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from composer.music.score import Note

NoteRef = tuple[int, Note]
"""A note of the score: ``(index of its track in Score.tracks, the Note)``."""


class NoteIndex:
    """Notes of several tracks in numpy arrays sorted by start tick.

    ``tracks`` is a sequence of note sequences, one per track (the track index is
    the position in it). Arrays: ``start``, ``end`` (ticks), ``pitch``, ``velocity``,
    ``track``; ``notes[i]`` is the :class:`Note` at position ``i``.
    """

    def __init__(self, tracks: Sequence[Sequence[Note]] = ()):
        notes: list[Note] = []
        owners: list[int] = []
        for k, track_notes in enumerate(tracks):
            notes.extend(track_notes)
            owners.extend([k] * len(track_notes))
        n = len(notes)
        start = np.fromiter((x.start for x in notes), dtype=np.int64, count=n)
        order = np.argsort(start, kind="stable")
        self.notes: list[Note] = [notes[i] for i in order.tolist()]
        self.start = start[order]
        self.end = np.fromiter((x.end for x in self.notes), dtype=np.int64, count=n)
        self.pitch = np.fromiter((x.pitch for x in self.notes), dtype=np.int64, count=n)
        self.velocity = np.fromiter((x.velocity for x in self.notes), dtype=np.int64, count=n)
        self.track = np.asarray(owners, dtype=np.int64)[order] if n else np.zeros(0, np.int64)
        self._max_end = np.maximum.accumulate(self.end) if n else self.end
        self._positions: dict[NoteRef, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.notes)

    @property
    def track_count(self) -> int:
        return int(self.track.max()) + 1 if len(self.track) else 0

    def ref(self, i: int) -> NoteRef:
        return int(self.track[i]), self.notes[i]

    # --- queries ---------------------------------------------------------------
    def query(self, t0: float, t1: float, pitch_lo: int = 0, pitch_hi: int = 127) -> np.ndarray:
        """Positions of notes overlapping ticks ``(t0, t1)`` (a note touching an end
        counts when ``t0 == t1``) with ``pitch_lo <= pitch <= pitch_hi``, by start."""
        if not self.notes:
            return np.zeros(0, dtype=np.int64)
        lo = int(np.searchsorted(self._max_end, t0, side="right"))
        hi = int(np.searchsorted(self.start, t1, side="right" if t0 == t1 else "left"))
        if hi <= lo:
            return np.zeros(0, dtype=np.int64)
        end = self.end[lo:hi]
        pitch = self.pitch[lo:hi]
        mask = (end > t0) & (pitch >= pitch_lo) & (pitch <= pitch_hi)
        return np.flatnonzero(mask) + lo

    def hit(self, tick: float, pitch: int, tolerance: float = 0.0) -> int:
        """Position of the topmost note (last track, then latest start) at ``pitch``
        covering ``tick`` give or take ``tolerance`` ticks, or -1."""
        found = self.query(tick - tolerance, tick + tolerance, pitch, pitch)
        if not len(found):
            return -1
        # exact hits beat near ones
        exact = found[(self.start[found] <= tick) & (self.end[found] > tick)]
        pool = exact if len(exact) else found
        best = max(pool.tolist(), key=lambda i: (int(self.track[i]), int(self.start[i])))
        return int(best)

    def positions_of(self, refs) -> np.ndarray:
        """Positions of the given ``(track index, Note)`` references that are indexed
        (each reference counts once; duplicates in ``refs`` take further copies)."""
        if self._positions is None:
            table: dict[NoteRef, list[int]] = {}
            for i, (k, note) in enumerate(zip(self.track.tolist(), self.notes)):
                table.setdefault((k, note), []).append(i)
            self._positions = table
        used: dict[NoteRef, int] = {}
        out = []
        for ref in refs:
            slots = self._positions.get(ref)
            if not slots:
                continue
            n = used.get(ref, 0)
            if n < len(slots):
                out.append(slots[n])
                used[ref] = n + 1
        return np.asarray(sorted(out), dtype=np.int64)
