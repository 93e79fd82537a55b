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

from composer.generation.errors import GenerationError
from composer.generation.plan import (
    MAX_BARS,
    MAX_VARIATIONS,
    Seed,
    apply_take,
    make_seed,
)
from composer.generation.request import ContinueRequest, Take, TakeProgress
from composer.generation.sampling import configure_torch, sample_stream
from composer.music.score import ChordSymbol, Note

__all__ = ["MAX_BARS", "MAX_VARIATIONS", "Seed", "apply_take", "continue_passage", "make_seed"]


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
            score=apply_take(request.score, seed, *_absolute(seed, music)),
            start=seed.new_start,
            end=seed.new_end,
            seed=base_seed + i,
            bars=seed.plan.total_bars,
            mode=request.mode,
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
