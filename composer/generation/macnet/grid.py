"""MAC-Net's representation: a beat-synchronous grid of melody + accompaniment steps.

Time is cut into **steps**, counted from each bar's start. A piece's *resolution* is
the number of steps per quarter note, the coarsest of :data:`RESOLUTIONS` on which
every note of the piece starts and ends: 2 (eighths) for most Nottingham tunes, 4 for
tunes with sixteenths, 3 or 6 for triplets (with or without plain eighths), 12 for
both. All divide 12, so positions are comparable across pieces in twelfths of a
quarter. On the Nottingham ``train`` split this changes 2 notes of 300,891 (two
1-tick notes lengthened to a step); ``bench/midi_models.py`` counts them.
Each step says, for each of the two parts (melody, accompaniment):

- ``"-"``: silent,
- ``"="``: the notes struck last in this part keep sounding (held),
- ``"62"`` or ``"43.47.50"``: these pitches are struck now (ending what sounded).

A step is the pair ``"<melody>|<accompaniment>"``, e.g. ``"74|43.47.50"`` (D5 over a
G chord) or ``"=|="``. The token stream of a piece is::

    R:2 M:6/8 <bar> step step ... <bar> step ... <end>

with the resolution ``R:`` first, ``M:`` before the first bar and wherever the meter
changes, ``<bar>`` before every bar. Pitches are in the **normalised key**: the piece
is transposed so that its key signature has no sharps or flats (C major / A minor),
by the shift of :func:`key_shift`; decoding shifts back.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from composer.music.score import TICKS_PER_QUARTER, KeyChange, MeterChange, Note

RESOLUTIONS = (2, 3, 4, 6, 12)
"""Grid steps per quarter note a piece may use (coarsest first)."""
FINE = 12
"""Positions in the bar are measured in twelfths of a quarter (40 ticks)."""
REST, HOLD = "-", "="
BAR, END = "<bar>", "<end>"
METER_PREFIX, RES_PREFIX = "M:", "R:"


def step_ticks(resolution: int) -> int:
    """Ticks per grid step at ``resolution`` steps per quarter (480 ticks)."""
    return TICKS_PER_QUARTER // resolution


def res_token(resolution: int) -> str:
    return f"{RES_PREFIX}{resolution}"


def key_shift(sharps: int) -> int:
    """Semitones that move a key signature with ``sharps`` sharps (negative: flats)
    to no sharps or flats, in [-6, 5] (G major -> C major is -7 + 12 = +5)."""
    shift = -(7 * sharps) % 12
    return shift - 12 if shift > 5 else shift


def estimate_sharps(notes: Iterable[Note], key: KeyChange | None = None) -> int:
    """The key signature (sharps, -6..6) whose scale covers the most note time.

    ``key`` (the score's own key) wins when its scale covers within 2% of the best,
    so a written key is kept unless the notes clearly contradict it (e.g. a MIDI file
    without key signature, read as C major).
    """
    weight = [0.0] * 12
    for n in notes:
        weight[n.pitch % 12] += n.end - n.start
    total = sum(weight)
    if total <= 0:
        return key.sharps if key is not None else 0

    def cover(sharps: int) -> float:
        tonic = (7 * sharps) % 12
        return sum(weight[(tonic + i) % 12] for i in (0, 2, 4, 5, 7, 9, 11))

    best = max(range(-6, 7), key=lambda s: (cover(s), -abs(s)))
    if key is not None and cover(key.sharps) >= cover(best) - 0.02 * total:
        return key.sharps
    return best


def part_state(pitches: Sequence[int]) -> str:
    """The struck-state string of ``pitches`` (sorted, dot separated)."""
    return ".".join(str(p) for p in sorted(set(pitches)))


def state_pitches(state: str) -> tuple[int, ...]:
    """Pitches struck by a part state (empty for rest and hold)."""
    if state in (REST, HOLD):
        return ()
    return tuple(int(p) for p in state.split("."))


def split_step(token: str) -> tuple[str, str]:
    mel, _, acc = token.partition("|")
    return mel, acc


def meter_token(numerator: int, denominator: int) -> str:
    return f"{METER_PREFIX}{numerator}/{denominator}"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the grid: ``start`` tick, ``ticks`` long, under ``meter``;
    ``pad`` ticks of silence go before it (a pickup filled up to a whole bar)."""

    start: int
    ticks: int
    meter: MeterChange
    pad: int = 0

    def steps(self, step: int) -> list[int]:
        """Start ticks of the bar's steps of ``step`` ticks (the last may be shorter)."""
        return list(range(self.start, self.start + self.ticks, step))


@dataclass
class EncodeStats:
    """What the grid changed: notes whose start moved, whose end moved, and notes
    lost (merged into another or cut to nothing), out of ``notes``."""

    notes: int = 0
    shifted: int = 0
    end_moved: int = 0
    lost: int = 0
    unseen_steps: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.shifted + self.end_moved + self.lost

    def add(self, other: EncodeStats) -> None:
        self.notes += other.notes
        self.shifted += other.shifted
        self.end_moved += other.end_moved
        self.lost += other.lost
        self.unseen_steps += other.unseen_steps
        self.examples += other.examples[: max(0, 10 - len(self.examples))]


def bars_from_starts(starts: Sequence[int], end: int, meter_at, last_complete: bool = True
                     ) -> list[Bar]:
    """Bars from their start ticks (as :meth:`Score.bar_starts` gives them) up to
    ``end``; a short first bar (a pickup) is padded with silence to a whole bar. When
    it is also the last bar, it is a pickup only if ``last_complete`` (the music
    stops at a bar line, not in the middle of a bar)."""
    bars = []
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else end
        if b <= a:
            continue
        meter = meter_at(a)
        pad = 0
        complete = i + 1 < len(starts) and starts[i + 1] < end or last_complete
        if i == 0 and complete and b - a < meter.bar_ticks:
            pad = meter.bar_ticks - (b - a)
        bars.append(Bar(a, b - a, meter, pad))
    return bars


def _quantiser(bars: Sequence[Bar], step: int):
    """Grid points of ``bars`` and a function rounding a tick to the nearest one."""
    points = sorted({t for bar in bars for t in bar.steps(step)}
                    | {bar.start + bar.ticks for bar in bars})

    def q(t: int) -> int:
        i = bisect.bisect_left(points, t)
        if i == 0:
            return points[0]
        if i == len(points):
            return points[-1]
        a, b = points[i - 1], points[i]
        return a if t - a <= b - t else b

    return points, q


def _part_states(notes: Sequence[Note], points: Sequence[int], q, shift: int) -> list[str]:
    """One state per grid step (``points[:-1]``) for one part."""
    index = {t: i for i, t in enumerate(points)}
    n_steps = len(points) - 1
    onsets: dict[int, list[int]] = {}
    ends: dict[int, int] = {}  # step -> latest quantised end of notes struck there
    for n in notes:
        a = index[q(n.start)]
        if a >= n_steps:
            continue
        b = max(index[q(n.end)], a + 1)
        onsets.setdefault(a, []).append(n.pitch + shift)
        ends[a] = max(ends.get(a, 0), b)
    states = [REST] * n_steps
    sounding_until = 0
    for i in range(n_steps):
        if i in onsets:
            states[i] = part_state(onsets[i])
            sounding_until = ends[i]
        elif i < sounding_until:
            states[i] = HOLD
    return states


def decode_part(states: Sequence[str], points: Sequence[int], shift: int = 0,
                velocity: int = 90, initial: Sequence[int] = ()) -> list[Note]:
    """Notes of one part from its step states (``points`` has one more entry than
    ``states``: the end of the last step); pitches are shifted by ``-shift``.
    ``initial`` are pitches sounding before the first step: a leading hold strikes
    them again at ``points[0]``."""
    out: list[Note] = []
    current: tuple[int, ...] = tuple(initial)
    since = 0
    for i, s in enumerate(states):
        if s == HOLD and current:
            continue
        if i > since:
            for p in current:
                out.append(Note(points[since], points[i], p - shift, velocity))
        current = state_pitches(s)
        since = i
    if len(states) > since:
        for p in current:
            out.append(Note(points[since], points[len(states)], p - shift, velocity))
    return out


@dataclass
class GridPiece:
    """A piece on the grid: its token strings (without ``<end>``), the start tick of
    each token (``R:``, ``M:`` and ``<bar>``: their bar's start; padding steps: before
    it), its resolution, and what the grid changed."""

    tokens: list[str]
    ticks: list[int]
    resolution: int
    stats: EncodeStats


def grid_events(melody: Sequence[Note], accompaniment: Sequence[Note], bars: Sequence[Bar],
                shift: int = 0, resolution: int | None = None) -> GridPiece:
    """The grid of a piece; pitches are moved by ``shift`` semitones (see
    :func:`key_shift`). Without ``resolution``, the coarsest of :data:`RESOLUTIONS`
    that changes no note is used (the finest if every one changes some)."""
    if resolution is None:
        for resolution in RESOLUTIONS:
            piece = grid_events(melody, accompaniment, bars, shift, resolution)
            if piece.stats.changed == 0:
                return piece
        return piece
    step = step_ticks(resolution)
    points, q = _quantiser(bars, step)
    mel = _part_states(melody, points, q, shift)
    acc = _part_states(accompaniment, points, q, shift)
    stats = EncodeStats()
    for original, states in ((melody, mel), (accompaniment, acc)):
        _count_changes(original, decode_part(states, points, shift), stats)
    tokens: list[str] = [res_token(resolution)]
    ticks: list[int] = [bars[0].start if bars else 0]
    meter = None
    i = 0
    for bar in bars:
        if meter != (bar.meter.numerator, bar.meter.denominator):
            meter = (bar.meter.numerator, bar.meter.denominator)
            tokens.append(meter_token(*meter))
            ticks.append(bar.start)
        tokens.append(BAR)
        ticks.append(bar.start)
        pad = bar.pad // step
        tokens += [f"{REST}|{REST}"] * pad
        ticks += [bar.start - (pad - k) * step for k in range(pad)]
        for t in bar.steps(step):
            tokens.append(f"{mel[i]}|{acc[i]}")
            ticks.append(t)
            i += 1
    return GridPiece(tokens, ticks, resolution, stats)


def _count_changes(original: Sequence[Note], decoded: Sequence[Note], stats: EncodeStats) -> None:
    """Match each original note to a decoded one (same pitch and start, else the
    nearest overlapping note of that pitch not matched yet) and count the changes."""
    by_start = {(n.start, n.pitch): n for n in decoded}
    by_pitch: dict[int, list[Note]] = {}
    for n in decoded:
        by_pitch.setdefault(n.pitch, []).append(n)
    claimed: set[Note] = set()
    stats.notes += len(original)
    rest = []
    for n in original:
        d = by_start.get((n.start, n.pitch))
        if d is None or d in claimed:
            rest.append(n)
            continue
        claimed.add(d)
        if d.end != n.end:
            stats.end_moved += 1
            _example(stats, "end moved", n, d)
    for n in rest:
        near = [d for d in by_pitch.get(n.pitch, ())
                if d not in claimed and d.start < n.end and n.start < d.end]
        if near:
            d = min(near, key=lambda d: abs(d.start - n.start))
            claimed.add(d)
            stats.shifted += 1
            _example(stats, "shifted", n, d)
        else:
            stats.lost += 1
            _example(stats, "lost", n, None)


def _example(stats: EncodeStats, what: str, n: Note, d: Note | None) -> None:
    if len(stats.examples) < 10:
        stats.examples.append(f"{what}: {n} -> {d}")
