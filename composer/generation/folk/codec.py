"""The folk model's codec for the continuation engine: a seed :class:`Score` becomes
ABC text in the style the model was trained on (Nottingham), and the characters the
model writes are read back into notes and chord symbols.

The folk model writes one melody with chord symbols: the seed's first pitched track
(of the tracks selected) is the melody; new notes go to that track. All ticks are in
seed coordinates (see :mod:`composer.generation.codec`).
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from pathlib import Path

import torch

from composer.generation.codec import DecodedMusic, Plan, PlanBar
from composer.generation.errors import GenerationError
from composer.generation.folk.constraints import AbcTracker
from composer.generation.folk.sampler import (
    CHARS_PER_BAR_BUDGET,
    AbcDecoder,
    MaskCache,
    PrimeOnce,
)
from composer.generation.folk.syntax import default_unit
from composer.generation.kinds import FOLK_ABC
from composer.generation.loading import load_checkpoint
from composer.music.abc import read_abc, score_to_abc
from composer.music.abc.writer import key_text
from composer.music.errors import MusicError
from composer.music.score import TICKS_PER_QUARTER, KeyChange, MeterChange, Score, Track
from composer.nn.vocab import CharVocab

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
    (:func:`style_abc`), ending where new music starts: inside the bar the seed ends
    in (its closing bar line removed), or after the bar line the new bars follow
    (:attr:`Plan.opening`) and the field lines of the first new bar (:func:`bar_fields`:
    its part label, meter and key where they differ from the seed's end), so the
    model is prompted in the meter and key where the new bars go."""
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
        body += _written_kind(plan.opening)
        end = max(plan.start - 1, 0)
        fields = bar_fields(seed.meter_at(end), seed.key_at(end), plan.layout[0])
        body += "".join("\n" + f for f in fields)
    return f"{head}\nK:{key_line}\n" + (body + "\n" if plan.first_bar == 0 and body else body)


def bar_fields(meter: MeterChange, key: KeyChange, bar: PlanBar) -> list[str]:
    """The field lines (``P:B``, ``M:5/4``, ``K:G``) that open ``bar`` after music in
    ``meter`` and ``key``, as the Nottingham files write them."""
    out = [f"P:{bar.part}"] if bar.part else []
    if (bar.meter.numerator, bar.meter.denominator) != (meter.numerator, meter.denominator):
        out.append(f"M:{bar.meter.numerator}/{bar.meter.denominator}")
    if (bar.key.tonic, bar.key.mode) != (key.tonic, key.mode):
        out.append(f"K:{key_text(bar.key)}")
    return out


def _has_rests(prompt: str) -> bool:
    """Whether the body of ``prompt`` holds a rest (``z``, ``x``, ``Z``) outside chord
    symbols, comments and field lines."""
    body = prompt.split("\nK:", 1)[-1].split("\n", 1)[-1]
    for line in body.split("\n"):
        if line[:2].rstrip(":").isalpha() and line[1:2] == ":":
            continue
        line = re.sub(r'"[^"]*"|![^!]*!|%.*', "", line)
        if re.search(r"[zxZ]", line):
            return True
    return False


def _written_kind(kind: str) -> str:
    """A bar line kind as the folk model writes it (``[|`` is written ``|``)."""
    return kind if kind in ("|", "||", "|]", ":|", "|:", ":|:") else "|"


class FolkDecoder(AbcDecoder):
    """One variation: the sampler's decoder, bar by bar as the :class:`Plan` lays the
    bars out (each bar exactly its planned length, a short bar too), with the bar
    lines, part labels and meter/key changes of the plan written for the model
    (forced characters, so it writes on in the new meter and key), and no rests
    unless the seed has some (a rest in a folk melody is a bar filled up, not
    music); :meth:`music` reads the new bars back into notes on the melody track."""

    def __init__(self, prompt: str, plan: Plan, track: str, masks: MaskCache):
        tracker = AbcTracker.for_tune(prompt, free_bars=False, fields="")
        super().__init__(tracker, masks, plan.total_bars, CHARS_PER_BAR_BUDGET
                         * (plan.total_bars + 1), prompt=prompt)
        self.plan = plan
        self.track = track
        self._lengths = [Fraction(b.ticks, 4 * TICKS_PER_QUARTER) for b in plan.layout]
        if plan.layout[0].partial:
            self._lengths[0] += tracker.pos
        self._queue: list[str] = []
        self._plain = False  # a plain bar line was just written: it may not grow
        self._rests = _has_rests(prompt)  # no rests in the new bars unless the seed has
        self._ids = {c: masks.vocab.id(c) for c in "|:]\n"}
        self._onehots: dict[str, torch.Tensor] = {}
        self._cache: tuple[int, DecodedMusic] | None = None

    def allowed(self) -> torch.Tensor | None:
        if self._queue:
            return self._onehot(self._queue[0])
        k = min(self.bars, len(self._lengths) - 1)
        if self.tracker.bar_len != self._lengths[k]:
            self.tracker.bar_len = self._lengths[k]
        last = k == len(self._lengths) - 1
        mask = self.masks.mask(self.tracker, last, False)
        closing = self.plan.layout[k].closing if not last else "|"
        if not self._rests and self.tracker.lex in ("music", "line", "note"):
            mask = self._without(mask, "zx")
        if self._plain:
            mask = self._without(mask, "|:]")
        else:  # the bar closes with the first character of its planned bar line
            drop = "".join(c for c in "|:" if c != _written_kind(closing)[0]
                           and self.tracker.closes_bar(c))
            if drop:
                mask = self._without(mask, drop)
        return mask

    def push(self, token: int) -> bool:
        forced = bool(self._queue)
        if forced:
            self._queue.pop(0)
        before = self.bars
        self._plain = False
        changed = super().push(token)
        if not forced and self.bars > before and not self.finished:
            closed = self.bars - 1
            kind = _written_kind(self.plan.layout[closed].closing)
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


def load_model(folder: str | Path, card) -> tuple[PrimeOnce, FolkCodec]:
    """The loader of the folk kind (:data:`composer.generation.kinds.FOLK_ABC`): the
    step model (priming once for all variations) and its codec."""
    ckpt = load_checkpoint(folder, FOLK_ABC)
    if ckpt.config.context != "stateful":
        raise GenerationError(f"model {Path(folder).name!r} reads fixed windows; the "
                              "continuation engine needs a stateful model")
    return PrimeOnce(ckpt.model), FolkCodec(ckpt.vocab)
