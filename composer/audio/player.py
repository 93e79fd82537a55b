"""A pure-Python player with a pluggable clock (after Frescobaldi's MIDI player).

The player turns an :class:`~composer.audio.arrangement.Arrangement` into timed
note events and hands them to an :class:`Output` *ahead* of time (``lookahead``
seconds), each stamped with the :class:`Clock` time it must sound at. The output
(the FluidSynth sequencer) plays them sample-accurately, so Python's timing jitter
never reaches the ears. Nothing here imports Qt or FluidSynth.

Usage (the Qt adapter wraps exactly this)::

    player = Player(output=synth, clock=synth)    # FluidSynth is both
    player.load(score)                            # repeats expanded, programs chosen
    player.play(start_tick)                       # written ticks; None resumes
    # every ~20-100 ms, from one timer or thread:
    delay = player.pump()                         # seconds until it wants the next pump
    tick = player.position()                      # playhead in *written* ticks
    player.set_loop(a, b) / player.pause() / player.stop() / player.seek(t)
    player.audition(take_score, start, end)       # a take once, then back to the document

Positions given to and returned by the player are **written ticks** (the roll's
coordinates); internally it works in **playback ticks** (repeats written out, see
:mod:`composer.music.repeats`) and **seconds** of its clock. ``stop()`` returns the
playhead to where playback started; ``pause()`` keeps it. When the music ends the
player stops by itself and calls ``on_finished`` (outside its lock, from the
thread that called :meth:`pump`).

All public methods are thread-safe (one re-entrant lock).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from composer.audio.arrangement import Arrangement, Voice, arrange
from composer.music.score import Score

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"


class Clock(Protocol):
    """A monotonic time source in seconds."""

    def now(self) -> float: ...


class Output(Protocol):
    """Where notes go. Times are seconds on the player's clock; events may be
    given up to ``lookahead`` seconds early, in any order of channels."""

    def setup(self, voices: Sequence[Voice]) -> None:
        """Set each channel's program (called on load)."""

    def note_on(self, at: float, channel: int, pitch: int, velocity: int) -> None: ...

    def note_off(self, at: float, channel: int, pitch: int) -> None: ...

    def cancel(self) -> None:
        """Forget events not yet sounded and release every sounding note."""


class MonotonicClock:
    """Wall-clock time (``time.perf_counter``)."""

    def now(self) -> float:
        return time.perf_counter()


class ManualClock:
    """A clock the caller moves (tests, offline rendering)."""

    def __init__(self, start: float = 0.0):
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


class RecordingOutput:
    """An :class:`Output` that keeps what it is given, as a synth would play it:
    ``events`` holds ``(time, "on"|"off", channel, pitch, velocity)``; ``cancel``
    drops events later than ``clock.now()`` and releases sounding notes then."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.events: list[tuple[float, str, int, int, int]] = []
        self.voices: tuple[Voice, ...] = ()

    def setup(self, voices: Sequence[Voice]) -> None:
        self.voices = tuple(voices)

    def note_on(self, at: float, channel: int, pitch: int, velocity: int) -> None:
        self.events.append((at, "on", channel, pitch, velocity))

    def note_off(self, at: float, channel: int, pitch: int) -> None:
        self.events.append((at, "off", channel, pitch, 0))

    def cancel(self) -> None:
        now = self.clock.now()
        kept = [e for e in self.events if e[0] <= now]
        sounding: dict[tuple[int, int], int] = collections.Counter()
        for _, kind, channel, pitch, _ in sorted(kept, key=lambda e: (e[0], e[1] == "on")):
            sounding[(channel, pitch)] += 1 if kind == "on" else -1
        kept += [(now, "off", c, p, 0) for (c, p), n in sounding.items() if n > 0]
        self.events = kept

    def notes(self) -> list[tuple[float, float, int, int]]:
        """Sounded notes as ``(on, off, channel, pitch)`` sorted by time."""
        open_: dict[tuple[int, int], list[float]] = collections.defaultdict(list)
        out = []
        for at, kind, channel, pitch, _ in sorted(self.events, key=lambda e: (e[0], e[1] == "on")):
            if kind == "on":
                open_[(channel, pitch)].append(at)
            elif open_[(channel, pitch)]:
                out.append((open_[(channel, pitch)].pop(0), at, channel, pitch))
        return sorted(out)


@dataclass(slots=True)
class _Span:
    """Playback ticks ``[start, end)`` sounding from clock time ``t0``."""

    start: int
    end: int
    t0: float
    next_note: int


class Player:
    """See the module docstring. ``clock`` defaults to the output when it has a
    ``now()`` (FluidSynth does), else wall-clock time. ``lookahead`` (s) is how far
    ahead events are handed to the output; ``start_delay`` (s) how long after
    :meth:`play` the first note sounds (time to deliver the first events)."""

    def __init__(self, output: Output, clock: Clock | None = None, *, lookahead: float = 0.25,
                 start_delay: float = 0.005):
        self.output = output
        # an output with its own clock (FluidSynth) is the clock unless told otherwise
        self.clock = clock or (output if callable(getattr(output, "now", None))
                               else MonotonicClock())
        self.lookahead = lookahead
        self.start_delay = start_delay
        self.on_finished: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._arr: Arrangement | None = None
        self._document: Arrangement | None = None  # kept while auditioning a take
        self._document_cursor = 0
        self._end: int | None = None  # playback tick where this play stops (audition)
        self._state = STOPPED
        self._cursor = 0  # playback tick to play from next
        self._origin = 0  # where the current play started
        self._loop: tuple[int, int] | None = None  # written ticks
        self._factor = 1.0
        self._spans: Iterator[tuple[int, int]] = iter(())
        self._current: _Span | None = None
        self._history: collections.deque[_Span] = collections.deque(maxlen=64)
        self._end_time = 0.0

    # --- loading ---------------------------------------------------------------------
    def load(self, score: Score, *, programs: Mapping[str, int] | None = None,
             chords: str | None = "pattern", muted: tuple[str, ...] = ()) -> None:
        """Play ``score`` from now on (repeats expanded; see
        :func:`~composer.audio.arrangement.arrange`). While playing, playback goes
        on from the same written position."""
        self.load_arrangement(arrange(score, programs=programs, chords=chords, muted=muted))

    def load_arrangement(self, arrangement: Arrangement) -> None:
        """Like :meth:`load` for an arrangement made by the caller."""
        with self._lock:
            written = self.position()
            old = self.playback_position()
            self._document = None
            self._end = None
            self._set(arrangement)
            target = _nearest(arrangement.map.occurrences(written), old)
            if self._state == PLAYING:
                self._origin = target
                self._begin(target)
            else:
                self._cursor = self._origin = target

    def _set(self, arrangement: Arrangement) -> None:
        self._arr = arrangement
        self.output.setup(arrangement.voices)

    @property
    def arrangement(self) -> Arrangement | None:
        return self._arr

    @property
    def state(self) -> str:
        """``"stopped"``, ``"playing"`` or ``"paused"``."""
        return self._state

    @property
    def auditioning(self) -> bool:
        return self._document is not None

    # --- transport -------------------------------------------------------------------
    def play(self, start: int | None = None) -> None:
        """Play from written tick ``start`` (its first pass), or resume where
        paused, or from the playhead."""
        with self._lock:
            arr = self._need()
            if start is not None:
                p = arr.map.to_playback(max(start, 0))
                p = 0 if p is None else p
            elif self._state == PLAYING:
                return
            else:
                p = self._cursor
            if p >= self._stop_tick():
                p = 0
            if self._state != PAUSED or start is not None:
                self._origin = p
            self._begin(p)

    def pause(self) -> None:
        with self._lock:
            if self._state != PLAYING:
                return
            self._cursor = self.playback_position()
            self.output.cancel()
            self._current = None
            self._state = PAUSED

    def stop(self) -> None:
        """Stop and put the playhead back where playback started; an audition
        ends and the document is loaded again."""
        with self._lock:
            self.output.cancel()
            self._current = None
            self._state = STOPPED
            self._cursor = self._origin
            self._end_audition()

    def seek(self, written_tick: int) -> None:
        """Move the playhead to ``written_tick`` (its first pass); playback, if
        running, continues from there."""
        with self._lock:
            arr = self._need()
            p = arr.map.to_playback(max(written_tick, 0))
            p = 0 if p is None else p
            if self._state == PLAYING:
                self._origin = p
                self._begin(p)
            else:
                self._cursor = self._origin = p

    def set_loop(self, start: int | None, end: int | None = None) -> None:
        """Loop written ticks ``[start, end)`` (``None`` ends looping). Playback
        jumps into the loop if it is outside it."""
        with self._lock:
            if start is None or end is None:
                self._loop = None
            else:
                if end <= start:
                    raise ValueError(f"loop end {end} must be after its start {start}")
                self._loop = (max(start, 0), end)
            if self._state == PLAYING:
                self._begin(self.playback_position())

    @property
    def loop(self) -> tuple[int, int] | None:
        return self._loop

    def set_tempo_factor(self, factor: float) -> None:
        """Play ``factor`` times as fast as written (0.25 - 4)."""
        with self._lock:
            factor = min(max(float(factor), 0.25), 4.0)
            if self._state == PLAYING:
                p = self.playback_position()
                self._factor = factor
                self._begin(p)
            else:
                self._factor = factor

    @property
    def tempo_factor(self) -> float:
        return self._factor

    def audition(self, score: Score, start: int = 0, end: int | None = None, *,
                 programs: Mapping[str, int] | None = None, chords: str | None = "pattern"
                 ) -> None:
        """Play ``score`` (e.g. a take: the tune with the take applied) once over
        written ticks ``[start, end)``, then load the document again."""
        with self._lock:
            if self._document is None:
                self._document = self._arr
                self._document_cursor = self._cursor if self._state != PLAYING \
                    else self.playback_position()
            document = self._document
            self.output.cancel()
            self._current = None
            self._state = STOPPED
            arr = arrange(score, programs=programs, chords=chords)
            self._set(arr)
            self._document = document
            p = arr.map.to_playback(max(start, 0)) or 0
            self._end = arr.length if end is None else arr.map.to_playback_end(end, p)
            self._origin = p
            self._begin(p)

    # --- the pump --------------------------------------------------------------------
    def pump(self) -> float | None:
        """Hand the output every event due before ``now + lookahead``; stop when
        the music is over. Returns the seconds to wait before the next call, or
        ``None`` when not playing."""
        finished = False
        with self._lock:
            if self._state != PLAYING or self._arr is None:
                return None
            now = self.clock.now()
            self._schedule(now + self.lookahead)
            if self._current is None and now >= self._end_time:
                self._state = STOPPED
                self._cursor = self._origin
                self._end_audition()
                finished = True
                wait = None
            else:
                left = self._end_time - now if self._current is None else self.lookahead
                wait = max(0.001, min(self.lookahead / 2, left))
        if finished and self.on_finished is not None:
            self.on_finished()
        return wait

    def run_until_finished(self, timeout: float | None = None) -> bool:
        """Pump from this thread until playback ends (with a wall-clock ``timeout``);
        returns ``True`` if it ended. For the CLI and tests; the window pumps from
        a timer instead."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = self.pump()
            if wait is None:
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(wait)

    # --- where are we ----------------------------------------------------------------
    def playback_position(self) -> int:
        """The playhead in playback ticks."""
        with self._lock:
            if self._state != PLAYING or self._arr is None or not self._history:
                return self._cursor
            now = self.clock.now()
            span = next((s for s in reversed(self._history) if s.t0 <= now), self._history[0])
            arr = self._arr
            seconds = arr.seconds_at(span.start) + max(now - span.t0, 0.0) * self._factor
            return min(max(arr.tick_at(seconds), span.start), span.end)

    def position(self) -> int:
        """The playhead in written ticks (what the roll draws)."""
        with self._lock:
            if self._arr is None:
                return 0
            return self._arr.map.to_written(self.playback_position())

    # --- internals -------------------------------------------------------------------
    def _need(self) -> Arrangement:
        if self._arr is None:
            raise RuntimeError("load a score before playing")
        return self._arr

    def _stop_tick(self) -> int:
        arr = self._need()
        return arr.length if self._end is None else self._end

    def _loop_ticks(self) -> tuple[int, int] | None:
        if self._loop is None or self._end is not None:
            return None
        arr = self._need()
        a = arr.map.to_playback(self._loop[0])
        if a is None:
            return None
        b = min(arr.map.to_playback_end(self._loop[1], a), arr.length)
        return (a, b) if b > a else None

    def _span_iter(self, p: int) -> Iterator[tuple[int, int]]:
        loop = self._loop_ticks()
        if loop is None:
            yield p, self._stop_tick()
            return
        a, b = loop
        yield (p, b) if a <= p < b else (a, b)
        while True:
            yield a, b

    def _begin(self, p: int) -> None:
        arr = self._need()
        self.output.cancel()
        self._spans = self._span_iter(p)
        start, end = next(self._spans)
        self._current = _Span(start, end, self.clock.now() + self.start_delay,
                              arr.notes_from(start))
        self._history.clear()
        self._history.append(self._current)
        self._state = PLAYING
        self._schedule(self.clock.now() + self.lookahead)

    def _time(self, span: _Span, tick: int) -> float:
        arr = self._arr
        return span.t0 + (arr.seconds_at(tick) - arr.seconds_at(span.start)) / self._factor

    def _schedule(self, horizon: float) -> None:
        arr = self._arr
        notes = arr.notes
        out = self.output
        while self._current is not None:
            span = self._current
            i = span.next_note
            while i < len(notes) and notes[i].start < span.end:
                n = notes[i]
                t_on = self._time(span, n.start)
                if t_on > horizon:
                    break
                out.note_on(t_on, n.channel, n.pitch, n.velocity)
                out.note_off(self._time(span, min(n.end, span.end)), n.channel, n.pitch)
                i += 1
            span.next_note = i
            if i < len(notes) and notes[i].start < span.end:
                return  # more notes in this span, later
            t_end = self._time(span, span.end)
            nxt = next(self._spans, None)
            if nxt is None:
                self._current = None
                self._end_time = t_end
                return
            self._current = _Span(nxt[0], nxt[1], t_end, arr.notes_from(nxt[0]))
            self._history.append(self._current)
            if t_end > horizon:
                return

    def _end_audition(self) -> None:
        if self._document is not None:
            document, self._document = self._document, None
            self._end = None
            self._set(document)
            self._cursor = self._origin = self._document_cursor


def _nearest(options: list[int], target: int) -> int:
    return min(options, key=lambda p: abs(p - target)) if options else 0
