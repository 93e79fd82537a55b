"""MAC-Net under a melody: the melody's grid states are fixed (each step may only be a
token whose melody part is the melody's), the accompaniment part is sampled; the
result is the accompaniment track, or chord symbols when the tune has none. Ticks in
seed coordinates.
"""

from __future__ import annotations

import torch

from composer.generation.codec import DecodedMusic, Plan
from composer.generation.macnet.grid import (
    HOLD,
    REST,
    Bar,
    _part_states,
    _quantiser,
    decode_part,
    split_step,
    step_ticks,
)


def melody_states(codec, seed, plan: Plan, info) -> tuple[list[str], list[int]]:
    """The melody's state at every grid step of the planned bars, and the steps'
    boundaries in ticks (one more than the states)."""
    melody = [n for n in info.parts.melody.notes if plan.start <= n.start < plan.end]
    bars = [Bar(b.start, b.ticks, b.meter) for b in plan.layout]
    points, q = _quantiser(bars, step_ticks(info.resolution))
    return _part_states(melody, points, q, info.shift), points


class MacnetAccompanyDecoder:
    """One variation of an accompaniment (see the module docstring): the schedule of
    the continuation decoder, with the melody part of every step fixed."""

    def __init__(self, codec, plan: Plan, info, states: list[str]):
        from composer.generation.macnet.codec import _schedule

        self.codec = codec
        self.plan = plan
        self.seed = info
        self._slots, self._points = _schedule(codec.vocab, plan, info.meter, info.resolution)
        self._states = states
        self._i = 0
        self._step = 0
        self._acc: list[str] = []
        self._acc_on = bool(info.accompaniment_end)
        self._bars_done = 0
        self._masks: dict[tuple[str, bool], torch.Tensor] = {}
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
        state = self._states[min(self._step, len(self._states) - 1)]
        return self._melody_mask(state, self._acc_on)

    def _melody_mask(self, state: str, acc_on: bool) -> torch.Tensor:
        key = (state, acc_on)
        mask = self._masks.get(key)
        if mask is None:
            vocab = self.codec.vocab
            want = {state}
            if not any(split_step(t)[0] == state for t in vocab.steps):
                want = {split_step(vocab.nearest(f"{state}|{REST}"))[0]}
            mask = torch.zeros(len(vocab), dtype=torch.bool)
            for i, t in enumerate(vocab.steps, start=vocab.step_base):
                mel, acc = split_step(t)
                if mel in want and (acc_on or acc != HOLD):
                    mask[i] = True
            self._masks[key] = mask
        return mask

    def push(self, token: int) -> bool:
        if self.finished:
            return False
        slot = self._slots[self._i]
        self._i += 1
        if slot >= 0:
            return False
        _mel, acc = self.codec.step_parts(token)
        acc = acc or REST
        self._acc.append(acc if self._acc_on or acc != HOLD else REST)
        self._acc_on = self._acc[-1] != REST
        self._step += 1
        if self.finished or self._slots[self._i] >= 0:
            self._bars_done += 1
            return True
        return False

    def music(self) -> DecodedMusic:
        s, n = self.seed, len(self._acc)
        out = DecodedMusic(bars_done=self._bars_done)
        if n == 0:
            return out
        points = self._points[: n + 1]
        acc = decode_part(self._acc, points, s.shift, s.velocities[1],
                          initial=s.accompaniment_end)
        if s.parts.accompaniment is not None:
            out.notes[s.parts.accompaniment.name] = acc
        else:
            from composer.generation.macnet.codec import chord_symbol_for
            from composer.music.score import ChordSymbol

            by_start: dict[int, list[int]] = {}
            for note in acc:
                by_start.setdefault(note.start, []).append(note.pitch)
            out.chords = [ChordSymbol(t, chord_symbol_for(p, s.sharps))
                          for t, p in sorted(by_start.items())]
        return out
