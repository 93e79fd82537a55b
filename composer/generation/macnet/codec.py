"""MAC-Net's codec: a seed's melody and accompaniment as grid steps, and a decoder that
writes both tracks together, bar-exact.

The seed's tracks are chosen by :func:`~composer.generation.midi_tracks.melody_and_accompaniment`.
Without an accompaniment track the score's chord symbols are voiced as the Nottingham
MIDI files voice them (:func:`voice_chord`), and the new accompaniment is written
back as chord symbols (:func:`chord_symbol_for`). The seed is transposed to the
normalised key (C major / A minor signature) and the new music back.

Decoding follows a fixed schedule of slots from the :class:`Plan`: grid steps up to
each bar line, then a forced ``<bar>`` (and ``M:`` when the meter changes). Steps that
hold a part which is silent are masked, ``<unk>`` is never sampled, and the decoder
finishes exactly at ``plan.end`` with every bar complete.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from composer.generation.codec import DecodedMusic, Plan
from composer.generation.errors import GenerationError
from composer.generation.kinds import MACNET
from composer.generation.loading import load_checkpoint
from composer.generation.macnet.grid import (
    BAR,
    END,
    HOLD,
    RESOLUTIONS,
    REST,
    bars_from_starts,
    decode_part,
    estimate_sharps,
    grid_events,
    key_shift,
    meter_token,
    split_step,
    state_pitches,
    step_ticks,
)
from composer.generation.macnet.vocab import UNK, MacnetVocab
from composer.generation.midi_tracks import MelodyChords, melody_and_accompaniment
from composer.music.chords import _QUALITIES, describe_pitches, parse_chord_symbol
from composer.music.score import ChordSymbol, Note, Score
from composer.nn.macnet import MacNet

MODEL_NAME = MACNET.model
CHORD_ROOT_LOW = 36
"""Nottingham MIDI voicing: root position with the root in C2..B2 (36..47)."""
_NAMES_SHARP = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
_NAMES_FLAT = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_QUALITY_ORDER = ("", "m", "7", "m7", "d", "a", "6", "m6", "maj7", "d7", "9", "7b9", "m9",
                  "sus4", "sus2", "7sus4", "a7")


def voice_chord(text: str) -> tuple[int, ...]:
    """MIDI pitches of a chord symbol as the Nottingham MIDI files voice it: root
    position, root in 36..47, each chord tone the lowest pitch above the one before
    (a slash bass is not sounded); empty if ``text`` is not a chord."""
    q = parse_chord_symbol(text)
    if q is None:
        return ()
    pitches = [CHORD_ROOT_LOW + q.root]
    for pc in q.pitch_classes[1:]:
        p = pitches[-1] + 1 + (pc - pitches[-1] - 1) % 12
        pitches.append(p)
    return tuple(pitches)


def accompaniment_notes(score: Score, end: int, velocity: int = 90) -> list[Note]:
    """The score's chord symbols up to ``end`` ticks as voiced block chords."""
    out = []
    for a, b, text in score.chord_spans():
        b = min(b, end)
        if b > a:
            out += [Note(a, b, p, velocity) for p in voice_chord(text)]
    return out


def chord_symbol_for(pitches: Sequence[int], sharps: int = 0) -> str:
    """A Nottingham-style symbol (``"G"``, ``"D7"``, ``"Em"``, ``"Bbd"``) for a block
    chord: the lowest pitch is the root, the quality is the one whose pitch classes
    match best. Roots are spelt with flats in flat keys (``sharps < 0``)."""
    root = min(pitches)
    rel = {(p - root) % 12 for p in pitches}
    best = max(_QUALITY_ORDER, key=lambda q: (
        len(rel & {i % 12 for i in _QUALITIES[q]}) - len(rel ^ {i % 12 for i in _QUALITIES[q]}),
        -_QUALITY_ORDER.index(q)))
    names = _NAMES_FLAT if sharps < 0 else _NAMES_SHARP
    return names[root % 12] + best


@dataclass(frozen=True)
class _Seed:
    """What encoding a seed finds out (shared by :meth:`encode` and :meth:`decoder`)."""

    parts: MelodyChords
    tokens: tuple[str, ...]
    shift: int
    sharps: int
    chord_mode: bool
    melody_end: tuple[int, ...]  # pitches sounding at the seed's end (normalised key)
    accompaniment_end: tuple[int, ...]
    velocities: tuple[int, int]
    meter: str
    resolution: int
    ticks: tuple[int, ...] = ()  # start tick of each token (seed coordinates)


class MacnetCodec:
    """The :class:`~composer.generation.codec.Codec` of MAC-Net models.

    ``MacnetCodec(vocab)`` with the model's :class:`MacnetVocab`.
    """

    def __init__(self, vocab: MacnetVocab, name: str = MODEL_NAME):
        self.vocab = vocab
        self.name = name
        v = len(vocab)
        is_step = torch.zeros(v, dtype=torch.bool)
        is_step[vocab.step_base:] = True
        mel_hold = torch.zeros(v, dtype=torch.bool)
        acc_hold = torch.zeros(v, dtype=torch.bool)
        self._parts: list[tuple[str, str]] = [("", "")] * vocab.step_base
        for i, t in enumerate(vocab.steps, start=vocab.step_base):
            mel, acc = split_step(t)
            self._parts.append((mel, acc))
            mel_hold[i] = mel == HOLD
            acc_hold[i] = acc == HOLD
        self._step_masks = {
            (m, a): is_step & (m | ~mel_hold) & (a | ~acc_hold)
            for m in (False, True) for a in (False, True)
        }
        self._cache: tuple[tuple[int, Plan], _Seed] | None = None

    # --- Codec ----------------------------------------------------------------------
    def check(self, seed: Score, plan: Plan) -> None:
        melody_and_accompaniment(seed, self.name)
        known = self.vocab.meters
        wanted = {meter_token(m.numerator, m.denominator) for m in seed.meters
                  if m.tick < plan.start}
        wanted |= {meter_token(m.numerator, m.denominator) for m in plan.meters}
        unknown = sorted(wanted - set(known))
        if unknown:
            raise GenerationError(
                f"{self.name} writes only the meters {', '.join(m[2:] for m in known)}; "
                f"this passage is in {', '.join(m[2:] for m in unknown)}")

    def encode(self, seed: Score, plan: Plan) -> list[int]:
        info = self._seed(seed, plan)
        return [self.vocab.end] + self.vocab.encode(info.tokens)

    def decoder(self, seed: Score, plan: Plan):
        info = self._seed(seed, plan)
        if plan.task == "accompany":
            from composer.generation.macnet.accompany import (
                MacnetAccompanyDecoder,
                melody_states,
            )

            states, _ = melody_states(self, seed, plan, info)
            return MacnetAccompanyDecoder(self, plan, info, states)
        return MacnetDecoder(self, plan, info)

    def max_tokens(self, plan: Plan) -> int:
        meter = meter_token(plan.meter.numerator, plan.meter.denominator)
        return len(_schedule(self.vocab, plan, meter, max(RESOLUTIONS))[0])

    def token_ticks(self, seed: Score, plan: Plan) -> list[int]:
        """The tick (seed coordinates) of every token :meth:`encode` gives."""
        return [0, *self._seed(seed, plan).ticks]

    def token_pitches(self, token: int, seed: Score, plan: Plan) -> tuple[int, ...]:
        """The pitches (in the seed's key) a grid step strikes, melody and
        accompaniment; none for other tokens."""
        text = self.vocab.tokens[token]
        if "|" not in text:
            return ()
        shift = self._seed(seed, plan).shift
        return tuple(p - shift for part in split_step(text) for p in state_pitches(part))

    def token_name(self, token: int, seed: Score, plan: Plan) -> str:
        """A musician's name for ``token`` in this seed's key: ``"melody D5 | chord G3
        B3 D4"``, ``"melody held | chord rest"``, ``"bar line"``, ``"meter 6/8"``."""
        text = self.vocab.tokens[token]
        if "|" not in text:
            return {BAR: "bar line", END: "end of tune", UNK: "unseen step"}.get(
                text, text.replace("M:", "meter ").replace("R:", "steps per quarter "))
        shift = self._seed(seed, plan).shift
        mel, acc = split_step(text)

        def part(state: str) -> str:
            if state in (REST, HOLD):
                return "rest" if state == REST else "held"
            return describe_pitches([p - shift for p in state_pitches(state)])

        return f"melody {part(mel)} | chord {part(acc)}"

    # --- helpers --------------------------------------------------------------------
    def step_mask(self, melody_on: bool, accompaniment_on: bool) -> torch.Tensor:
        return self._step_masks[(melody_on, accompaniment_on)]

    def step_parts(self, token: int) -> tuple[str, str]:
        return self._parts[token]

    def _seed(self, seed: Score, plan: Plan) -> _Seed:
        key = (id(seed), plan)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        self.check(seed, plan)
        parts = melody_and_accompaniment(seed, self.name)
        melody = parts.melody.notes
        chord_mode = parts.accompaniment is None and bool(seed.chords)
        if parts.accompaniment is not None:
            acc = list(parts.accompaniment.notes)
        else:
            acc = accompaniment_notes(seed, plan.start)
        sharps = estimate_sharps([*melody, *acc], plan.key)
        shift = key_shift(sharps)
        # An accompaniment reads the melody it goes under to choose the grid, then only
        # the music before it.
        end = plan.end if plan.task == "accompany" else plan.start
        bars = bars_from_starts(seed.bar_starts(end), end, seed.meter_at,
                                last_complete=plan.first_bar == 0)
        grid = grid_events(melody, [n for n in acc if n.start < plan.start], bars, shift)
        pairs = list(zip(grid.tokens, grid.ticks))
        if plan.task == "accompany":
            pairs = pairs[:1] + [(t, tick) for t, tick in pairs[1:] if tick < plan.start]
        tokens = [self.vocab.nearest(t) if "|" in t else t for t, _ in pairs]
        meter = next((t for t in reversed(tokens) if t.startswith("M:")), "")

        def sounding(index: int) -> tuple[int, ...]:
            for t in reversed(tokens):
                if "|" in t:
                    state = split_step(t)[index]
                    if state == REST:
                        return ()
                    if state != HOLD:
                        return state_pitches(state)
            return ()

        def velocity(notes, default):
            return int(statistics.median(n.velocity for n in notes)) if notes else default

        info = _Seed(parts, tuple(tokens), shift, sharps, chord_mode, sounding(0), sounding(1),
                     (velocity(melody, 90), velocity(acc, 70)), meter, grid.resolution,
                     tuple(tick for _, tick in pairs))
        self._cache = (key, info)
        return info


def _schedule(vocab: MacnetVocab, plan: Plan, meter: str, resolution: int
              ) -> tuple[list[int], list[int]]:
    """The decoder's slots (``-1`` a grid step, else the forced token id) and the step
    boundaries in ticks (one more than the steps), for steps of ``resolution`` per
    quarter; the completed first bar's steps are aligned to its end. Each whole bar
    has its planned length (a short bar fewer steps), after a forced ``<bar>`` and,
    where the meter changes, a forced meter token."""
    step = step_ticks(resolution)
    slots: list[int] = []
    points = [plan.start]
    first_end = plan.start + plan.first_bar
    if plan.first_bar:
        cut = sorted({first_end - k * step for k in range(1, plan.first_bar // step + 2)
                      if first_end - k * step > plan.start})
        points += cut + [first_end]
        slots += [-1] * (len(points) - 1)
    current = meter
    for bar in plan.layout:
        if bar.partial:
            continue
        target = meter_token(bar.meter.numerator, bar.meter.denominator)
        if target != current:
            slots.append(vocab.id(target))
            current = target
        slots.append(vocab.bar)
        ends = list(range(bar.start + step, bar.end, step))
        points += ends + [bar.end]
        slots += [-1] * (len(ends) + 1)
    return slots, points


class MacnetDecoder:
    """One variation: constrains the next token and decodes both tracks (see the
    module docstring)."""

    def __init__(self, codec: MacnetCodec, plan: Plan, seed: _Seed):
        self.codec = codec
        self.plan = plan
        self.seed = seed
        self._slots, self._points = _schedule(codec.vocab, plan, seed.meter, seed.resolution)
        self._i = 0
        self._mel: list[str] = []
        self._acc: list[str] = []
        self._on = [bool(seed.melody_end), bool(seed.accompaniment_end)]
        self._bars_done = 0
        self._forced: dict[int, torch.Tensor] = {}

    @property
    def finished(self) -> bool:
        return self._i >= len(self._slots)

    def allowed(self) -> torch.Tensor | None:
        slot = self._slots[self._i]
        if slot >= 0:
            if slot not in self._forced:
                mask = torch.zeros(len(self.codec.vocab), dtype=torch.bool)
                mask[slot] = True
                self._forced[slot] = mask
            return self._forced[slot]
        return self.codec.step_mask(*self._on)

    def push(self, token: int) -> bool:
        if self.finished:
            return False
        slot = self._slots[self._i]
        self._i += 1
        if slot >= 0:
            return False
        mel, acc = self.codec.step_parts(token)
        if not mel:  # a non-step token slipped through: treat as silence
            mel, acc = REST, REST
        self._mel.append(mel if self._on[0] or mel != HOLD else REST)
        self._acc.append(acc if self._on[1] or acc != HOLD else REST)
        self._on = [self._mel[-1] != REST, self._acc[-1] != REST]
        if self.finished or self._slots[self._i] >= 0:
            self._bars_done += 1
            return True
        return False

    def music(self) -> DecodedMusic:
        s, n = self.seed, len(self._mel)
        points = self._points[: n + 1]
        out = DecodedMusic(bars_done=self._bars_done)
        if n == 0:
            return out
        vel_mel, vel_acc = s.velocities
        out.notes[s.parts.melody.name] = decode_part(self._mel, points, s.shift, vel_mel,
                                                     initial=s.melody_end)
        acc = decode_part(self._acc, points, s.shift, vel_acc, initial=s.accompaniment_end)
        if s.parts.accompaniment is not None:
            out.notes[s.parts.accompaniment.name] = acc
        elif s.chord_mode:
            by_start: dict[int, list[int]] = {}
            for note in acc:
                by_start.setdefault(note.start, []).append(note.pitch)
            out.chords = [ChordSymbol(t, chord_symbol_for(p, s.sharps))
                          for t, p in sorted(by_start.items())]
        return out


def load_model(folder, card) -> tuple[MacNet, MacnetCodec]:
    """The loader of the MAC-Net kind (:data:`composer.generation.kinds.MACNET`): the
    network (eval mode) and its codec. Raises
    :class:`~composer.nn.errors.ModelError` for broken files."""
    ckpt = load_checkpoint(folder, MACNET)
    return ckpt.model, MacnetCodec(ckpt.vocab, name=card.name or Path(folder).name)
