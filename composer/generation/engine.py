"""The continuation engine: "take this passage as the seed and continue it by N bars".

One loop for every model kind (the window and the CLI share it)::

    for item in continue_passage(request, registry):
        if isinstance(item, TakeProgress): ...   # draw ghost notes (absolute ticks)
        else: ...                                # a finished Take: item.score is the tune with it

Closing the generator cancels the work within one model step. Same request with the
same seed gives the same notes. Variation ``i`` is sampled with seed ``seed + i``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from composer.generation.codec import Plan
from composer.generation.errors import BadRequestError, GenerationError
from composer.generation.request import ContinueRequest, Take, TakeProgress
from composer.generation.sampling import configure_torch, sample_stream
from composer.music.edit import crop, insert_time, paste
from composer.music.score import ChordSymbol, Note, Score

MAX_BARS = 256
MAX_VARIATIONS = 16


@dataclass(frozen=True, slots=True)
class Seed:
    """The seed score (starting at tick 0), the plan in its coordinates, and
    ``offset``: the absolute tick of the seed's tick 0."""

    score: Score
    plan: Plan
    offset: int

    @property
    def new_start(self) -> int:
        """Absolute tick where the new music starts."""
        return self.offset + self.plan.start

    @property
    def new_end(self) -> int:
        return self.offset + self.plan.end


def _bar_end_after(score: Score, tick: int) -> int:
    """End tick of the bar that contains ``tick`` (``tick`` itself on a bar line)."""
    starts = score.bar_starts(max(score.length, tick) + 1)
    bar_start = max(s for s in starts if s <= tick)
    if bar_start == tick:
        return tick
    written = [b.tick for b in score.barlines if b.tick > tick]
    if written and written[0] <= bar_start + score.meter_at(bar_start).bar_ticks:
        return written[0]
    return bar_start + score.meter_at(bar_start).bar_ticks


def make_seed(request: ContinueRequest) -> Seed:
    """Check ``request`` against its score and cut out the seed with its plan.

    Raises :class:`BadRequestError` with a plain reason when the request does not fit.
    """
    score, sel = request.score, request.selection
    length = score.length
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

    bar_end = _bar_end_after(score, sel.end)
    meter_tick = bar_end if bar_end > sel.end else sel.end
    meter = score.meter_at(meter_tick)
    offset = 0 if request.context else sel.start
    seed = crop(score, offset, sel.end, sel.tracks or None)
    plan = Plan(
        start=sel.end - offset,
        first_bar=bar_end - sel.end,
        bar_ticks=meter.bar_ticks,
        bars=request.bars,
        meter=meter,
        key=score.key_at(sel.end),
        tracks=tuple(t.name for t in seed.tracks),
    )
    return Seed(seed, plan, offset)


def continue_passage(request: ContinueRequest, registry) -> Iterator[TakeProgress | Take]:
    """Continue ``request.selection`` of ``request.score``; yields :class:`TakeProgress`
    while decoding (at least once per bar and variation) and then one :class:`Take`
    per variation, in variation order.

    ``registry`` is a :class:`~composer.generation.registry.ModelRegistry` (or anything
    with ``load(name)`` returning an object with ``step_model`` and ``codec``).
    """
    seed = make_seed(request)
    model = registry.load(request.model)
    codec = model.codec
    codec.check(seed.score, seed.plan)
    configure_torch()
    base_seed = request.sampling.seed
    if base_seed is None:
        base_seed = secrets.randbelow(2**31)
    prompt = codec.encode(seed.score, seed.plan)
    decoders = [codec.decoder(seed.score, seed.plan) for _ in range(request.variations)]
    stream = sample_stream(
        model.step_model, prompt, decoders, request.sampling, base_seed,
        codec.max_tokens(seed.plan),
    )
    try:
        for i in stream:
            yield _progress(seed, i, decoders[i])
    finally:
        stream.close()
    for i, dec in enumerate(decoders):
        music = dec.music()
        if not dec.finished or music.bars_done < seed.plan.total_bars:
            raise GenerationError(
                f"the model stopped after {music.bars_done} of {seed.plan.total_bars} bars; "
                "try again with another seed or a lower temperature"
            )
        yield Take(
            variation=i,
            score=apply_take(request, seed, *_absolute(seed, music)),
            start=seed.new_start,
            end=seed.new_end,
            seed=base_seed + i,
        )


def _absolute(seed: Seed, music) -> tuple[dict[str, tuple[Note, ...]], tuple[ChordSymbol, ...]]:
    off = seed.offset
    notes = {name: tuple(n.shifted(off) for n in ns) for name, ns in music.notes.items()}
    chords = tuple(ChordSymbol(c.start + off, c.text) for c in music.chords)
    return notes, chords


def _progress(seed: Seed, i: int, decoder) -> TakeProgress:
    music = decoder.music()
    notes, chords = _absolute(seed, music)
    return TakeProgress(i, notes, chords, music.bars_done, decoder.finished)


def apply_take(
    request: ContinueRequest,
    seed: Seed,
    notes: dict[str, tuple[Note, ...]],
    chords: tuple[ChordSymbol, ...],
) -> Score:
    """The request's score with the new music in place (``insert`` opens a gap first;
    ``replace`` overwrites the tracks the model writes)."""
    score = request.score
    start, end = seed.new_start, seed.new_end
    if request.mode == "insert" and start < score.length:
        score = insert_time(score, start, end - start)
    bar_lines = [seed.offset + t for t in seed.plan.bar_lines]
    return paste(score, notes, chords, start=start, end=end, bar_ticks=bar_lines)
