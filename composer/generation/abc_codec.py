"""The folk model's codec for the continuation engine: a seed :class:`Score` becomes
ABC text in the style the model was trained on (Nottingham), and the characters the
model writes are read back into notes and chord symbols.

The folk model writes one melody with chord symbols: the seed's first pitched track
(of the tracks selected) is the melody; new notes go to that track. All ticks are in
seed coordinates (see :mod:`composer.generation.codec`).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

from composer.generation.abc_constraints import AbcTracker
from composer.generation.abc_sampler import (
    CHARS_PER_BAR_BUDGET,
    AbcDecoder,
    MaskCache,
    PrimeOnce,
)
from composer.generation.abc_syntax import default_unit
from composer.generation.codec import DecodedMusic, Plan
from composer.generation.errors import GenerationError
from composer.music.abc import read_abc, score_to_abc
from composer.music.errors import MusicError
from composer.music.score import TICKS_PER_QUARTER, MeterChange, Score, Track
from composer.nn import checkpoint
from composer.nn.vocab import CharVocab

KIND = "folk-abc"
STYLE_LINE = "% Nottingham Music Database"
"""The comment every training tune's header carries; the prompt carries it too."""
_HEADER_KEEP = frozenset("XTSMLKRY")
_BAR_END = ("|]", "||", ":|", "|", "::", "[|")


def melody_track(seed: Score, plan: Plan) -> Track:
    """The track the folk model continues: the first non-drum track with notes among
    the plan's tracks (all tracks when the plan names none)."""
    names = set(plan.tracks)
    for track in seed.tracks:
        if track.is_drum or not track.notes:
            continue
        if not names or track.name in names:
            return track
    raise GenerationError("the selection has no melody for the folk model to continue: "
                          "select a track with notes")


def style_unit(meter: MeterChange) -> int:
    """The ``L:`` unit (ticks) the training tunes use in ``meter``: 1/4 in quarter-note
    meters (4/4, 3/4, 2/4, 6/4: 476 of the 544 such Nottingham training tunes say
    ``L:1/4``), else ABC's default 1/8 (6/8, 9/8, 2/2, 3/2: 324 of 326, 315 of them
    with no ``L:`` line)."""
    return TICKS_PER_QUARTER if meter.denominator == 4 else TICKS_PER_QUARTER // 2


def style_spacing(meter: MeterChange) -> int:
    """Ticks between the spaces that group a bar's notes in the training tunes: half a
    bar in simple duple meters (2/4, 4/4, 2/2: ``"D"af "G"gf|``), the beat in compound
    ones (6/8, 9/8: ``ecA "D"def|``), none inside a bar of 3/4 or 3/2."""
    if meter.numerator % 3 == 0 and meter.denominator == 8:
        return meter.beat_ticks
    if meter.numerator % 2 == 0:
        return meter.bar_ticks // 2
    return meter.bar_ticks


def style_abc(score: Score, **writer: object) -> str:
    """``score`` as ABC in the training tunes' style: the header fields they carry
    (``X T S M L K R Y``, the Nottingham comment after ``T:``; no ``L:`` line where
    the unit is ABC's default), note lengths in :func:`style_unit` with ``/2`` halves,
    spaces by :func:`style_spacing`. ``writer`` overrides :func:`score_to_abc`'s
    options (``bench/prompt_style.py`` compares them). Raises :class:`GenerationError`."""
    meter = score.meters[0]
    options = {"unit": style_unit(meter), "short_halves": False, "spacing": style_spacing,
               **writer}
    try:
        text = score_to_abc(score, **options)
    except MusicError as e:
        raise GenerationError(f"the folk model cannot read this passage ({e})") from None
    lines = text.rstrip("\n").split("\n")
    k = next((i for i, line in enumerate(lines) if line.startswith("K:")), None)
    if k is None:
        raise GenerationError("the passage has no key the folk model can read")
    implied = default_unit(Fraction(meter.numerator, meter.denominator)) \
        * 4 * TICKS_PER_QUARTER
    header = [line for line in lines[:k] if line[:1] in _HEADER_KEEP and line[1:2] == ":"
              and not (line.startswith("L:") and options["unit"] == implied)]
    if not any(line.startswith("T:") for line in header):
        header.insert(1, "T:Untitled")
    title = next(i for i, line in enumerate(header) if line.startswith("T:"))
    header.insert(title + 1, STYLE_LINE)
    return "\n".join(header + lines[k:]) + "\n"


def seed_text(seed: Score, plan: Plan) -> str:
    """ABC of the seed's melody and chord symbols in the training style
    (:func:`style_abc`), ending where new music starts: after the last bar line, or
    inside the bar the seed ends in (its closing bar line removed)."""
    melody = melody_track(seed, plan)
    head, body = style_abc(dataclasses.replace(seed, tracks=(melody,))).split("\nK:", 1)
    key_line, _, body = body.partition("\n")
    body = body.rstrip()
    for token in _BAR_END:
        if body.endswith(token):
            body = body[: -len(token)]
            break
    body = body.rstrip()
    if plan.first_bar == 0 and body:
        body += "|"
    return f"{head}\nK:{key_line}\n" + (body + "\n" if body.endswith("|") else body)


class FolkDecoder(AbcDecoder):
    """One variation: the sampler's decoder, plus :meth:`music` reading the new bars
    back into notes on the melody track."""

    def __init__(self, prompt: str, plan: Plan, track: str, masks: MaskCache):
        tracker = AbcTracker.for_tune(prompt, free_bars=False, fields="")
        super().__init__(tracker, masks, plan.total_bars, CHARS_PER_BAR_BUDGET
                         * (plan.total_bars + 1))
        self.prompt = prompt
        self.plan = plan
        self.track = track
        self._cache: tuple[int, DecodedMusic] | None = None

    def music(self) -> DecodedMusic:
        end = len(self.pieces) if self.finished and self.reason == "bars" else self.last_bar_end
        if self._cache is not None and self._cache[0] == end:
            return self._cache[1]
        music = DecodedMusic(bars_done=min(self.bars, self.plan.total_bars))
        if end:
            text = self.prompt + "".join(self.pieces[:end])
            try:
                score = read_abc(text)
            except MusicError as e:
                raise GenerationError(f"the folk model wrote ABC our reader cannot read ({e}); "
                                      "try another seed") from None
            start, stop = self.plan.start, self.plan.end
            notes = [n for t in score.tracks for n in t.notes if start <= n.start < stop]
            music.notes[self.track] = sorted(
                dataclasses.replace(n, end=min(n.end, stop)) for n in notes)
            music.chords = [c for c in score.chords if start <= c.start < stop]
        self._cache = (end, music)
        return music


class FolkCodec:
    """The :class:`~composer.generation.codec.Codec` of ``folk-abc`` models."""

    def __init__(self, vocab: CharVocab):
        self.vocab = vocab
        self.masks = MaskCache(vocab)

    def check(self, seed: Score, plan: Plan) -> None:
        melody_track(seed, plan)
        if plan.meter.numerator < 1 or plan.bar_ticks <= 0:
            raise GenerationError(f"the folk model cannot write bars of {plan.meter}")

    def encode(self, seed: Score, plan: Plan) -> list[int]:
        return [self.vocab.bos] + self.vocab.encode(seed_text(seed, plan))

    def decoder(self, seed: Score, plan: Plan) -> FolkDecoder:
        return FolkDecoder(seed_text(seed, plan), plan, melody_track(seed, plan).name,
                           self.masks)

    def token_name(self, token: int, seed: Score | None = None, plan: Plan | None = None) -> str:
        """The character of ``token`` (newline and space as visible symbols)."""
        from composer.generation.inspection import char_label

        return char_label(self.vocab.tokens[token])

    def max_tokens(self, plan: Plan) -> int:
        return CHARS_PER_BAR_BUDGET * (plan.total_bars + 1)


def load_model(folder: str | Path, card: dict) -> tuple[PrimeOnce, FolkCodec]:
    """The registry's loader for ``folk-abc``: the step model (priming once for all
    variations) and its codec."""
    ckpt = checkpoint.load(folder, kind=KIND)
    if ckpt.config.context != "stateful":
        raise GenerationError(f"model {Path(folder).name!r} reads fixed windows; the "
                              "continuation engine needs a stateful model")
    return PrimeOnce(ckpt.model), FolkCodec(ckpt.vocab)
