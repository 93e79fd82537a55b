"""The folk model's codec for the continuation engine: a seed :class:`Score` becomes
ABC text in the style the model was trained on (:mod:`.prompt`), and the characters
the model writes are read back into notes and chord symbols.

The folk model writes one melody with chord symbols: the seed's first pitched track
(of the tracks selected) is the melody; new notes go to that track. All ticks are in
seed coordinates (see :mod:`composer.generation.codec`).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import torch

from composer.generation.codec import DecodedMusic, Plan
from composer.generation.errors import GenerationError
from composer.generation.folk.constraints import AbcTracker
from composer.generation.folk.prompt import (
    bar_fields,
    fill_text,
    has_rests,
    melody_track,
    seed_text,
    style_spacing,
    written_kind,
)
from composer.generation.folk.sampler import (
    CHARS_PER_BAR_BUDGET,
    AbcDecoder,
    MaskCache,
    PrimeOnce,
)
from composer.generation.folk.tasks import FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, PREVIEW
from composer.generation.kinds import FOLK_ABC
from composer.generation.loading import load_checkpoint
from composer.music.abc import read_abc
from composer.music.errors import MusicError
from composer.music.score import TICKS_PER_QUARTER, Score
from composer.nn.vocab import CharVocab

WHOLE = 4 * TICKS_PER_QUARTER
_TONIC_STEPS = (0, 2, 4)
"""Letters of the tonic chord above the tonic's letter (root, third, fifth)."""
_LETTERS = "CDEFGAB"


class FolkDecoder(AbcDecoder):
    """One variation: the sampler's decoder, bar by bar as the :class:`Plan` lays the
    bars out (each bar exactly its planned length, a short bar too), with the bar
    lines, part labels and meter/key changes of the plan written for the model
    (forced characters, so it writes on in the new meter and key), and no rests
    unless the seed has some (a rest in a folk melody is a bar filled up, not
    music); :meth:`music` reads the new bars back into notes on the melody track.

    Controls (:attr:`PlanBar.chords`, :attr:`Plan.end_on_tonic`) are *barriers*: the
    bar is held at the barrier's place (no note may cross it) until the music reaches
    it; then the chord symbol is written there, or the last note is a note of the
    tonic chord that fills the bar."""

    def __init__(self, prompt: str, plan: Plan, track: str, masks: MaskCache):
        tracker = AbcTracker.for_tune(prompt, free_bars=False, fields="")
        super().__init__(tracker, masks, plan.total_bars, CHARS_PER_BAR_BUDGET
                         * (plan.total_bars + 1), prompt=prompt)
        self.plan = plan
        self.track = track
        self._lengths = [Fraction(b.ticks, WHOLE) for b in plan.layout]
        if plan.layout[0].partial:
            self._lengths[0] += tracker.pos
        self._barriers: list[list[tuple[Fraction, str]]] = [
            [(Fraction(o, WHOLE), text) for o, text in b.chords] for b in plan.layout]
        last = plan.layout[-1]
        if plan.end_on_tonic and not last.partial:
            space = style_spacing(last.meter)
            o = ((last.ticks - 1) // space) * space
            self._barriers[-1].append((Fraction(o, WHOLE), ""))  # "": the tonic note
            self._barriers[-1].sort(key=lambda b: (b[0], b[1] == ""))
        self._tonic: str | None = None  # the tonic letters while the last note is due
        self._queue: list[str] = []
        self._plain = False  # a plain bar line was just written: it may not grow
        self._rests = has_rests(prompt)  # no rests in the new bars unless the seed has
        self._ids = {c: masks.vocab.id(c) for c in "|:]\n"}
        self._onehots: dict[str, torch.Tensor] = {}
        self._cache: tuple[int, DecodedMusic] | None = None

    def allowed(self) -> torch.Tensor | None:
        if self._queue:
            return self._onehot(self._queue[0])
        k = min(self.bars, len(self._lengths) - 1)
        barriers = self._barriers[k]
        if barriers and self._at(barriers[0][0]):
            self._pass_barrier(k)
            if self._queue:
                return self._onehot(self._queue[0])
        limit = self._lengths[k]
        if barriers and barriers[0][0] < limit:
            limit = barriers[0][0]
        if self.tracker.bar_len != limit:
            self.tracker.bar_len = limit
        last = k == len(self._lengths) - 1 and not barriers
        mask = self.masks.mask(self.tracker, last, False)
        if self._tonic is not None:
            return self._only(mask, self._tonic)
        closing = self.plan.layout[k].closing if not last else "|"
        if not self._rests and self.tracker.lex in ("music", "line", "note"):
            mask = self._without(mask, "zx")
        if self.plan.layout[k].chords and self.tracker.lex != "quote":
            mask = self._without(mask, '"')  # the bar holds exactly the chords asked for
        if self._plain:
            mask = self._without(mask, "|:]")
        else:  # the bar closes with the first character of its planned bar line
            drop = "".join(c for c in "|:" if c != written_kind(closing)[0]
                           and self.tracker.closes_bar(c))
            if drop:
                mask = self._without(mask, drop)
        return mask

    def _at(self, offset: Fraction) -> bool:
        """The music written so far in the current bar reaches ``offset`` exactly, at
        a place where a chord symbol or a note may start."""
        t = self.tracker
        if t.lex == "note":
            probe = t.clone()
            probe._end_note(False)
            return probe.pos == offset and not probe.tuplet_left and probe.broken == 1
        return (t.lex in ("music", "line") and t.pos == offset and not t.tuplet_left
                and t.broken == 1 and not t.symbol_pending and not t.in_chord)

    def _pass_barrier(self, k: int) -> None:
        offset, text = self._barriers[k].pop(0)
        space = " " if offset and self.tracker.lex != "line" else ""
        if text:  # a chord symbol asked for here
            self._queue = list(space + '"' + text + '"')
            return
        # the last note: a note of the tonic chord that fills the bar
        key = self.plan.layout[k].key
        root = _LETTERS.index(key.tonic[0])
        letters = [_LETTERS[(root + s) % 7] for s in _TONIC_STEPS]
        self._tonic = "".join(letters + [c.lower() for c in letters])
        self._queue = list(space)

    def _only(self, mask: torch.Tensor, chars: str) -> torch.Tensor:
        ids = [self.masks.vocab.id(c) for c in chars]
        out = torch.zeros_like(mask)
        out[[i for i in ids if i != self.masks.vocab.unk]] = True
        return out if out.any() else mask

    def push(self, token: int) -> bool:
        forced = bool(self._queue)
        if forced:
            self._queue.pop(0)
        before = self.bars
        self._plain = False
        if self._tonic is not None and not forced:
            # the tonic note's letter is written: its length fills the bar
            self._tonic = None
            changed = super().push(token)
            k = min(self.bars, len(self._lengths) - 1)
            self.tracker.bar_len = self._lengths[k]
            left = self._lengths[k] - self.tracker.pos
            self._queue = list(_length_text(left / self.tracker.unit))
            return changed
        changed = super().push(token)
        if not forced and self.bars > before and not self.finished:
            closed = self.bars - 1
            kind = written_kind(self.plan.layout[closed].closing)
            nxt = self.plan.layout[closed + 1]
            bar = self.plan.layout[closed]
            fields = bar_fields(bar.meter, bar.key, nxt)
            self._queue = list(kind[1:] + "".join("\n" + f for f in fields)
                               + ("\n" if fields else ""))
            self._plain = not self._queue
        return changed

    def _onehot(self, char: str) -> torch.Tensor:
        mask = self._onehots.get(char)
        if mask is None:
            mask = torch.zeros(len(self.masks.vocab), dtype=torch.bool)
            mask[self.masks.vocab.id(char)] = True
            self._onehots[char] = mask
        return mask

    def _without(self, mask: torch.Tensor, chars: str) -> torch.Tensor:
        ids = [self._ids.get(c, self.masks.vocab.id(c)) for c in chars]
        if not any(bool(mask[i]) for i in ids):
            return mask
        out = mask.clone()
        out[ids] = False
        return out if out.any() else mask

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


def _length_text(units: Fraction) -> str:
    """A length in ``L:`` units as ABC writes it after a note (``""`` for one unit)."""
    if units == 1:
        return ""
    if units.denominator == 1:
        return str(units.numerator)
    if units.numerator == 1:
        return f"/{units.denominator}"
    return f"{units.numerator}/{units.denominator}"


class FolkCodec:
    """The :class:`~composer.generation.codec.Codec` of ``folk-abc`` models."""

    def __init__(self, vocab: CharVocab):
        self.vocab = vocab
        self.masks = MaskCache(vocab)

    def check(self, seed: Score, plan: Plan) -> None:
        melody_track(seed, plan)
        for meter in plan.meters:
            if meter.numerator < 1 or meter.bar_ticks <= 0:
                raise GenerationError(f"the folk model cannot write bars of {meter}")

    @property
    def can_fill(self) -> bool:
        """Whether the model learnt to fill (its vocabulary has the fill separators)."""
        return all(self.vocab.id(c) != self.vocab.unk
                   for c in (FIM_SUFFIX, FIM_PREFIX, FIM_MIDDLE))

    @property
    def can_preview(self) -> bool:
        """Whether the model learnt the bar preview an accompaniment is written in."""
        return self.vocab.id(PREVIEW) != self.vocab.unk

    def encode(self, seed: Score, plan: Plan) -> list[int]:
        if plan.task == "fill" and self.can_fill:
            text = fill_text(seed, plan)
        elif plan.task == "accompany":
            from composer.generation.folk.accompany import accompany_prompt

            text = accompany_prompt(seed, plan, preview=self.can_preview)
        else:
            text = seed_text(seed, plan)
        return [self.vocab.bos] + self.vocab.encode(text)

    def decoder(self, seed: Score, plan: Plan):
        track = melody_track(seed, plan).name
        if plan.task == "accompany":
            from composer.generation.folk.accompany import AccompanyDecoder

            return AccompanyDecoder(seed, plan, track, self.masks, self.can_preview)
        return FolkDecoder(seed_text(seed, plan), plan, track, self.masks)

    def token_name(self, token: int, seed: Score | None = None, plan: Plan | None = None) -> str:
        """The character of ``token`` (newline and space as visible symbols)."""
        from composer.generation.inspection import char_label

        return char_label(self.vocab.tokens[token])

    def max_tokens(self, plan: Plan) -> int:
        return CHARS_PER_BAR_BUDGET * (plan.total_bars + 1)


def load_model(folder: str | Path, card) -> tuple[PrimeOnce, FolkCodec]:
    """The loader of the folk kind (:data:`composer.generation.kinds.FOLK_ABC`): the
    step model (priming once for all variations) and its codec."""
    ckpt = load_checkpoint(folder, FOLK_ABC)
    if ckpt.config.context != "stateful":
        raise GenerationError(f"model {Path(folder).name!r} reads fixed windows; the "
                              "continuation engine needs a stateful model")
    return PrimeOnce(ckpt.model), FolkCodec(ckpt.vocab)
