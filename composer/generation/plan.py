"""Where a continuation's new bars go, and how they join the tune: the one bar rule
that the engine, the roll's handle and ruler, the ghost preview and the CLI share.
No torch here, so the window can use it without loading a model.

**The bar rule.** A bar is what lies between two written bar lines, as the ruler
shows it: a pickup, a part's short closing bar, a bar in 5/4 are each one bar.
Past the last written bar line, bars follow the meter.

- *Replace* rewrites the ``N`` bars after the selection in place: each new bar has
  the length, meter and key of the bar it replaces, and the bar lines (repeats,
  double bars), endings, part labels and meter/key changes between them stay where
  they are. Past the end of the tune, full bars of the last meter follow, and the
  tune's final bar line moves to the new end.
- *Insert* opens ``N`` full bars of the meter and key the selection ends in, right
  after it. They join the selection's part: a closing bar line at the selection's
  end (``:|``, ``||``, ``|]``) moves to the end of the new bars, and an ending the
  selection ends in lasts over them; part labels, opening repeats and meter/key
  changes that stood there move on with the music after the new bars.
- A selection that ends inside a bar is first completed to that bar's end (this
  piece does not count among the ``N``).

All ticks are integers at 480 per quarter. A :class:`Plan` is in *seed
coordinates* (the seed starts at tick 0); :func:`plan_layout` and
:func:`bars_until` work in the score's own ticks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from composer.generation.errors import BadRequestError
from composer.generation.request import ContinueRequest, Take, TakeProgress
from composer.music.edit import CLOSING_KINDS, crop, insert_bars, paste
from composer.music.score import ChordSymbol, KeyChange, MeterChange, Note, Score

MAX_BARS = 256
MAX_VARIATIONS = 16


@dataclass(frozen=True, slots=True)
class PlanBar:
    """One bar the new music fills: ticks ``[start, end)``, the ``meter`` and ``key``
    in force, the ``part`` label that starts at it (``""`` for none), the kind of
    the bar line that closes it in the result (``closing``), and ``partial`` when it
    completes the bar the seed ends in (it starts inside that bar)."""

    start: int
    end: int
    meter: MeterChange
    key: KeyChange
    part: str = ""
    closing: str = "|"
    partial: bool = False
    chords: tuple[tuple[int, str], ...] = ()
    """Chord symbols the bar must hold: ``(ticks from its start, text)``."""

    @property
    def ticks(self) -> int:
        """Length in ticks."""
        return self.end - self.start

    def shifted(self, ticks: int) -> PlanBar:
        return dataclasses.replace(self, start=self.start + ticks, end=self.end + ticks)


@dataclass(frozen=True, slots=True)
class Plan:
    """Where new music goes, bar by bar, in ticks of the seed (see the module
    docstring): ``layout`` holds every bar to write in order (the first one
    ``partial`` when the seed ends inside a bar); ``opening`` is the kind of the bar
    line at :attr:`start` in the result (``""`` when the seed ends inside a bar);
    ``tracks`` the seed's track names."""

    start: int
    layout: tuple[PlanBar, ...]
    tracks: tuple[str, ...] = ()
    opening: str = "|"
    task: str = "continue"
    """``"continue"``, ``"fill"`` (the bars between the seed and :attr:`suffix`) or
    ``"accompany"`` (chords under the seed's melody in the planned bars)."""
    end_on_tonic: bool = False
    suffix: Score | None = None
    """For a fill: the music after the gap, from its tick 0 (a few bars)."""

    def __post_init__(self) -> None:
        if not self.layout:
            raise ValueError("a plan needs at least one bar")
        if self.layout[0].start != self.start or any(
                a.end != b.start for a, b in zip(self.layout, self.layout[1:])):
            raise ValueError("a plan's bars must follow each other from its start")

    @classmethod
    def uniform(cls, start: int, first_bar: int, bar_ticks: int, bars: int,
                meter: MeterChange, key: KeyChange, tracks: tuple[str, ...] = ()) -> Plan:
        """A plan that completes ``first_bar`` ticks of the seed's last bar, then adds
        ``bars`` bars of ``bar_ticks`` each, all in one meter and key."""
        layout = []
        if first_bar:
            layout.append(PlanBar(start, start + first_bar, meter, key, partial=True))
        at = start + first_bar
        for _ in range(bars):
            layout.append(PlanBar(at, at + bar_ticks, meter, key))
            at += bar_ticks
        return cls(start, tuple(layout), tracks, "" if first_bar else "|")

    # --- derived ---------------------------------------------------------------------
    @property
    def end(self) -> int:
        """Tick where the new music ends (exclusive)."""
        return self.layout[-1].end

    @property
    def bar_lines(self) -> list[int]:
        """Ticks of the bar lines the new music writes, the last one at :attr:`end`."""
        return [b.end for b in self.layout]

    @property
    def total_bars(self) -> int:
        """Bars to write, the completed first bar included."""
        return len(self.layout)

    @property
    def first_bar(self) -> int:
        """Ticks that complete the seed's last bar (0 when the seed ends on a bar line)."""
        first = self.layout[0]
        return first.ticks if first.partial else 0

    @property
    def bars(self) -> int:
        """Whole new bars (the completed first bar not counted)."""
        return sum(1 for b in self.layout if not b.partial)

    @property
    def meter(self) -> MeterChange:
        """The meter of the first new bar."""
        return self.layout[0].meter

    @property
    def key(self) -> KeyChange:
        """The key of the first new bar."""
        return self.layout[0].key

    @property
    def bar_ticks(self) -> int:
        """The length of a full bar in the meter of the first new bar."""
        return self.layout[0].meter.bar_ticks

    @property
    def meters(self) -> tuple[MeterChange, ...]:
        """Every meter the new bars are in, in order of first use."""
        out: list[MeterChange] = []
        for b in self.layout:
            if not out or (b.meter.numerator, b.meter.denominator) != (
                    out[-1].numerator, out[-1].denominator):
                out.append(b.meter)
        return tuple(out)

    def truncated(self, bars: int) -> Plan:
        """The first ``bars`` bars of this plan (counting the completed first bar)."""
        if not 1 <= bars <= len(self.layout):
            raise ValueError(f"a plan of {len(self.layout)} bars has no first {bars}")
        return dataclasses.replace(self, layout=self.layout[:bars])

    def shifted(self, ticks: int) -> Plan:
        """The same plan ``ticks`` later (e.g. seed -> score coordinates)."""
        return dataclasses.replace(self, start=self.start + ticks,
                                   layout=tuple(b.shifted(ticks) for b in self.layout))


@dataclass(frozen=True, slots=True)
class Seed:
    """The seed score (starting at tick 0), the plan in its coordinates, ``offset``:
    the score's tick of the seed's tick 0, and ``mode`` (``"replace"``/``"insert"``)."""

    score: Score
    plan: Plan
    offset: int
    mode: str = "replace"

    @property
    def new_start(self) -> int:
        """Score tick where the new music starts."""
        return self.offset + self.plan.start

    @property
    def new_end(self) -> int:
        return self.offset + self.plan.end


# --- the bar rule -------------------------------------------------------------------------
def bar_end_after(score: Score, tick: int) -> int:
    """End tick of the bar that holds ``tick`` (``tick`` itself on a bar line)."""
    starts = score.bar_starts(max(score.length, tick) + 1)
    bar_start = max(s for s in starts if s <= tick)
    if bar_start == tick:
        return tick
    written = [b.tick for b in score.barlines if b.tick > tick]
    if written and written[0] <= bar_start + score.meter_at(bar_start).bar_ticks:
        return written[0]
    return bar_start + score.meter_at(bar_start).bar_ticks


def _kind_at(score: Score, tick: int) -> str:
    return next((b.kind for b in score.barlines if b.tick == tick), "|")


def _final_line(score: Score) -> int:
    """Tick of the tune's last written bar line (0 without any)."""
    return max((b.tick for b in score.barlines), default=0)


def plan_layout(score: Score, end: int, bars: int, mode: str) -> tuple[PlanBar, ...]:
    """The bars a continuation of a selection ending at tick ``end`` writes, in the
    score's ticks, by the bar rule of the module docstring: the completed bar (if
    ``end`` is inside one), then ``bars`` bars."""
    bar_end = bar_end_after(score, end)
    final = _final_line(score)
    at_end = bar_end >= max(score.length, final)
    layout: list[PlanBar] = []
    if bar_end > end:
        closing = _kind_at(score, bar_end) if mode == "replace" else "|"
        layout.append(PlanBar(end, bar_end, score.meter_at(end), score.key_at(end),
                              closing=closing, partial=True))
    if mode == "insert" and not at_end:
        meter = score.meter_at(max(bar_end - 1, 0))
        key = score.key_at(max(bar_end - 1, 0))
        at = bar_end
        for _ in range(bars):
            layout.append(PlanBar(at, at + meter.bar_ticks, meter, key))
            at += meter.bar_ticks
        moved = "|" if layout[0].partial else _kind_at(score, bar_end)
        if moved in CLOSING_KINDS:
            layout[-1] = dataclasses.replace(layout[-1], closing=moved)
        return tuple(layout)
    # Replace, and insert at the end of the tune: the written bars, then the meter.
    longest = max(m.bar_ticks for m in score.meters)
    starts = [s for s in score.bar_starts(max(score.length, bar_end) + (bars + 2) * longest)
              if s >= bar_end]
    parts = {p.tick: p.label for p in score.parts}
    for a, b in zip(starts, starts[1:]):
        if len(layout) - (1 if layout and layout[0].partial else 0) >= bars:
            break
        layout.append(PlanBar(a, b, score.meter_at(a), score.key_at(a),
                              part=parts.get(a, ""),
                              closing=_kind_at(score, b) if b <= final else "|"))
    moved = _kind_at(score, final)
    if layout[-1].end > final > 0 and moved in CLOSING_KINDS:
        # The tune's final bar line moves to the new end.
        layout = [dataclasses.replace(bar, closing="|") if bar.end == final else bar
                  for bar in layout]
        layout[-1] = dataclasses.replace(layout[-1], closing=moved)
    return tuple(layout)


def bars_until(score: Score, end: int, tick: int, mode: str) -> tuple[int, int]:
    """For the roll's handle dragged to ``tick``: the bars a continuation of a
    selection ending at bar line ``end`` would write up to there, ``(count,
    region_end)`` (``count`` 0 and ``end`` when not one bar is reached). Counted by
    the same rule as the engine (:func:`plan_layout`)."""
    if tick <= end:
        return 0, end
    guess = 1
    while True:
        layout = [b for b in plan_layout(score, end, guess, mode) if not b.partial]
        reached = [b for b in layout if b.end <= tick]
        if len(reached) < len(layout) or guess >= MAX_BARS:
            return (len(reached), reached[-1].end) if reached else (0, end)
        guess = min(MAX_BARS, guess * 2)


def make_seed(request: ContinueRequest) -> Seed:
    """Check ``request`` against its score and cut out the seed with its plan.

    Raises :class:`BadRequestError` with a plain reason when the request does not fit.
    """
    score, sel = request.score, request.selection
    length = score.length
    if request.task != "continue":
        return _gap_seed(request)
    if request.bars < 1:
        raise BadRequestError(f"bars to add must be at least 1, not {request.bars}")
    if request.bars > MAX_BARS:
        raise BadRequestError(f"at most {MAX_BARS} bars can be added at once")
    if not 1 <= request.variations <= MAX_VARIATIONS:
        raise BadRequestError(f"variations must be 1 to {MAX_VARIATIONS}")
    if not 0 <= sel.start < sel.end:
        raise BadRequestError("the selection is empty: select at least one bar to continue")
    if sel.end > max(length, 1):
        raise BadRequestError(
            f"the selection ends after the tune (tick {sel.end} > {length}); "
            f"the tune has {len(score.bars())} bars"
        )
    names = {t.name for t in score.tracks}
    unknown = [t for t in sel.tracks if t not in names]
    if unknown:
        raise BadRequestError(f"no track named {', '.join(unknown)} in this tune")
    if not any(t.notes for t in score.tracks if not sel.tracks or t.name in sel.tracks):
        raise BadRequestError("the tune has no notes to continue")

    layout = _controlled(plan_layout(score, sel.end, request.bars, request.mode),
                         request.controls)
    offset = 0 if request.context else sel.start
    seed = crop(score, offset, sel.end, sel.tracks or None)
    opening = "" if layout[0].partial else _opening(score, sel.end, request.mode, layout)
    plan = Plan(sel.end, layout, tuple(t.name for t in seed.tracks), opening,
                end_on_tonic=request.controls.end_on_tonic).shifted(-offset)
    return Seed(seed, plan, offset, request.mode)


CONTEXT_BARS = 8
"""Bars before a gap (fill) or a passage (accompany) the model reads, unless the
request asks for all of them (``context``)."""
SUFFIX_BARS = 4
"""Bars after a gap the model reads (those that matter to how the gap ends)."""


def _checked_selection(request: ContinueRequest) -> None:
    score, sel = request.score, request.selection
    if not 1 <= request.variations <= MAX_VARIATIONS:
        raise BadRequestError(f"variations must be 1 to {MAX_VARIATIONS}")
    what = "fill" if request.task == "fill" else "accompany"
    if not 0 <= sel.start < sel.end:
        raise BadRequestError(f"the selection is empty: select the bars to {what}")
    if sel.end > max(score.length, 1):
        raise BadRequestError(f"the selection ends after the tune; select bars of the tune "
                              f"to {what}")
    names = {t.name for t in score.tracks}
    unknown = [t for t in sel.tracks if t not in names]
    if unknown:
        raise BadRequestError(f"no track named {', '.join(unknown)} in this tune")
    starts = set(score.bar_starts(score.length + 1)) | {score.length}
    if sel.start not in starts or sel.end not in starts:
        raise BadRequestError(f"select whole bars to {what}")
    if request.task == "fill" and sel.start == 0:
        raise BadRequestError("a fill needs music before it: select bars after the first")
    if request.task == "fill" and not any(
            n.start < sel.start for t in score.tracks for n in t.notes):
        raise BadRequestError("a fill needs notes before it to lead from")
    if request.task == "accompany" and not any(
            sel.start <= n.start < sel.end for t in score.tracks for n in t.notes):
        raise BadRequestError("the selection has no melody to accompany")


def _gap_seed(request: ContinueRequest) -> Seed:
    """The seed and plan of a fill (the gap's bars between the music before and after
    them) or an accompaniment (the passage's bars under its melody)."""
    _checked_selection(request)
    score, sel = request.score, request.selection
    bars = [(a, b) for a, b in score.bars() if sel.start <= a and b <= sel.end]
    if len(bars) > MAX_BARS:
        raise BadRequestError(f"at most {MAX_BARS} bars can be written at once")
    kinds = {b.tick: b.kind for b in score.barlines}
    parts = {p.tick: p.label for p in score.parts}
    layout = tuple(PlanBar(a, b, score.meter_at(a), score.key_at(a), parts.get(a, ""),
                           kinds.get(b, "|")) for a, b in bars)
    layout = _controlled(layout, request.controls)
    before = [a for a, _ in score.bars() if a < sel.start]
    offset = 0 if request.context or len(before) <= CONTEXT_BARS else before[-CONTEXT_BARS]
    if request.task == "accompany":
        seed = crop(score, offset, sel.end, sel.tracks or None)
        plan = Plan(sel.start, layout, tuple(t.name for t in seed.tracks), kinds.get(
            sel.start, "|"), task="accompany")
        return Seed(seed, plan.shifted(-offset), offset, "replace")
    seed = crop(score, offset, sel.start, sel.tracks or None)
    after = [b for _, b in score.bars() if b > sel.end][:SUFFIX_BARS]
    suffix = crop(score, sel.end, after[-1], sel.tracks or None) if after else None
    plan = Plan(sel.start, layout, tuple(t.name for t in seed.tracks), kinds.get(
        sel.start, "|"), task="fill", end_on_tonic=request.controls.end_on_tonic,
        suffix=suffix)
    return Seed(seed, plan.shifted(-offset), offset, "replace")


def _controlled(layout: tuple[PlanBar, ...], controls) -> tuple[PlanBar, ...]:
    """``layout`` with the request's controls: the chords asked for each new bar
    (spread evenly over it), the key asked for."""
    out = []
    whole = [i for i, b in enumerate(layout) if not b.partial]
    wanted = dict(zip(whole, controls.chords))
    for i, bar in enumerate(layout):
        if controls.key is not None:
            bar = dataclasses.replace(bar, key=dataclasses.replace(controls.key, tick=bar.start))
        symbols = wanted.get(i)
        if symbols:
            step = bar.ticks // len(symbols)
            bar = dataclasses.replace(bar, chords=tuple(
                (k * step, text) for k, text in enumerate(symbols)))
        out.append(bar)
    return tuple(out)


def _opening(score: Score, end: int, mode: str, layout) -> str:
    """The kind of the bar line at the selection's end in the result: insert moves
    it on (a plain bar line stays); replace keeps it unless it is the tune's final
    bar line and the new bars go past it."""
    kind = _kind_at(score, end)
    if mode == "insert" or layout[-1].end > end >= _final_line(score):
        return "|" if kind in CLOSING_KINDS or mode == "insert" else kind
    return kind


# --- the take in the tune -----------------------------------------------------------------
def apply_take(score: Score, seed: Seed, notes: dict[str, tuple[Note, ...]],
               chords: tuple[ChordSymbol, ...]) -> Score:
    """``score`` with the new music (score ticks) in place by the bar rule: insert
    opens the planned bars first; replace overwrites the tracks the model writes in
    the planned bars, keeping their bar lines, endings and part labels."""
    start, end = seed.new_start, seed.new_end
    if seed.plan.task == "accompany":
        return accompany(score, notes, chords, start, end)
    if seed.mode == "insert" and start < max(score.length, _final_line(score)):
        score = insert_bars(score, start, end - start)
    bar_lines = [seed.offset + t for t in seed.plan.bar_lines]
    out = paste(score, notes, chords, start=start, end=end, bar_ticks=bar_lines)
    return _with_keys(out, seed.plan.shifted(seed.offset))


def accompany(score: Score, notes: dict[str, tuple[Note, ...]],
              chords: tuple[ChordSymbol, ...], start: int, end: int) -> Score:
    """``score`` with new chord symbols (and the accompaniment track's notes, when the
    model writes one) in ``[start, end)`` ticks; the melody stays as it is."""
    kept = tuple(c for c in score.chords if not start <= c.start < end)
    out = dataclasses.replace(score, chords=tuple(sorted(
        (*kept, *(c for c in chords if start <= c.start < end)), key=lambda c: c.start)))
    melody = {t.name for t in score.tracks if t.role == "melody"}
    others = {name: ns for name, ns in notes.items() if name not in melody}
    if others:
        out = paste(out, others, (), start=start, end=end)
        out = dataclasses.replace(out, chords=tuple(sorted(
            (*kept, *(c for c in chords if start <= c.start < end)), key=lambda c: c.start)))
    return out


def _with_keys(score: Score, plan: Plan) -> Score:
    """The planned bars' keys in ``score``: a bar asked for in another key gets a key
    change, and the key in force after the new bars comes back where they end."""
    if all((b.key.tonic, b.key.mode) == (score.key_at(b.start).tonic,
                                         score.key_at(b.start).mode) for b in plan.layout):
        return score
    after = score.key_at(plan.end)
    keys = [k for k in score.keys if not plan.start <= k.tick < plan.end]
    for bar in plan.layout:
        keys.append(dataclasses.replace(bar.key, tick=bar.start))
    if plan.end < score.length and not any(k.tick == plan.end for k in keys):
        keys.append(dataclasses.replace(after, tick=plan.end))
    keys.sort(key=lambda k: k.tick)
    changes = [k for i, k in enumerate(keys)
               if i == 0 or (k.tonic, k.mode) != (keys[i - 1].tonic, keys[i - 1].mode)]
    return dataclasses.replace(score, keys=tuple(changes)).normalized()


def take_from_progress(request: ContinueRequest, progress: TakeProgress,
                       seed_value: int = 0) -> Take | None:
    """A take of the bars a stopped variation finished (its last ``progress``), or
    ``None`` when it finished none. The notes and chord symbols past those bars are
    dropped; the take is applied like a finished one over fewer bars."""
    seed = make_seed(request)
    done = min(progress.bars_done, seed.plan.total_bars)
    if done < 1:
        return None
    plan = seed.plan.truncated(done)
    short = dataclasses.replace(seed, plan=plan)
    start, stop = short.new_start, short.new_end
    notes = {name: tuple(dataclasses.replace(n, end=min(n.end, stop)) for n in ns
                         if start <= n.start < stop)
             for name, ns in progress.notes.items()}
    chords = tuple(c for c in progress.chords if start <= c.start < stop)
    return Take(progress.variation, apply_take(request.score, short, notes, chords),
                start, stop, seed_value, bars=done, complete=False, mode=request.mode)
