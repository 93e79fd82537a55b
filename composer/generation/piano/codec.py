"""The piano model's codec: a seed's piano tracks chordified into slice tokens, and a
decoder that writes slices bar by bar, exactly up to the plan's end.

The seed's one or two pitched tracks (:func:`~composer.generation.midi_tracks.piano_tracks`)
are merged and chordified (:mod:`composer.generation.piano.events`). Decoding follows
the plan: the partial bar is completed first, then each bar starts with a forced
``<bar:n>`` token and is filled with slices. Masks keep a slice's pitches ascending
(at most :data:`~composer.generation.piano.events.MAX_CHORD`), allow ``H`` only for a
pitch sounding in the slice before, and allow only durations that fit in the bar, so
every bar is complete and nothing passes ``plan.end``. With two tracks, each new note
goes to the track whose seed notes lie nearer in pitch (the split point halfway
between their mean pitches).
"""

from __future__ import annotations

import statistics
from fractions import Fraction
from pathlib import Path

import torch

from composer.generation.codec import DecodedMusic, Plan
from composer.generation.errors import GenerationError
from composer.generation.kinds import PIANO_LSTM
from composer.generation.loading import load_checkpoint
from composer.generation.midi_tracks import mean_pitch, piano_tracks
from composer.generation.piano.events import (
    DURATIONS,
    HIGH,
    LOW,
    MAX_CHORD,
    STEP,
    PianoVocab,
    bar_lengths,
    chordify,
    grid_notes,
    slice_tokens,
    tokens_to_notes,
)
from composer.music.chords import pitch_name
from composer.music.score import TICKS_PER_QUARTER, Note, Score, Track
from composer.nn.piano_lstm import PianoLSTM

MODEL_NAME = PIANO_LSTM.model


def seed_tokens(notes: list[Note], seed: Score, end: int, last_complete: bool = True
                ) -> tuple[list[str], tuple[int, ...], list[int]]:
    """Tokens of ``notes`` (a seed's merged tracks) up to ``end`` ticks, the pitches
    of its last slice, and the start tick of each token. A short first bar (a pickup)
    is padded with a rest to a whole bar; when it is also the last bar, only if
    ``last_complete`` (see
    :func:`~composer.generation.macnet.grid.bars_from_starts`)."""
    starts = seed.bar_starts(end)
    grid = grid_notes(notes)
    first_len = (starts[1] if len(starts) > 1 else end) - starts[0]
    pad = 0
    if len(starts) > 1 or last_complete:
        pad = max(0, seed.meter_at(0).bar_ticks - first_len) // STEP
    slices = chordify(grid, starts, end)
    tokens, ticks = slice_tokens(slices, starts, bar_lengths(starts, end, seed.meter_at), pad)
    return tokens, (slices[-1].pitches if slices else ()), ticks


_VALUES = {48: "a whole note", 36: "a dotted half", 24: "a half", 18: "a dotted quarter",
           16: "a triplet half", 12: "a quarter", 9: "a dotted eighth", 8: "a triplet quarter",
           6: "an eighth", 4: "a triplet eighth", 3: "a sixteenth", 2: "a triplet sixteenth"}
"""Note values of durations in grid steps (12 per quarter)."""


class PianoCodec:
    """The :class:`~composer.generation.codec.Codec` of piano-LSTM models:
    ``PianoCodec(vocab)`` with the model's :class:`PianoVocab`."""

    def __init__(self, vocab: PianoVocab, name: str = MODEL_NAME):
        self.vocab = vocab
        self.name = name
        n = HIGH - LOW + 1
        self.note_ids = torch.arange(vocab.note_base, vocab.note_base + n)
        self.held_ids = torch.arange(vocab.held_base, vocab.held_base + n)
        self.dur_ids = torch.arange(vocab.dur_base, vocab.dur_base + len(DURATIONS))
        self.dur_values = torch.tensor(DURATIONS)
        self._cache = None

    def check(self, seed: Score, plan: Plan) -> None:
        piano_tracks(seed, self.name)
        for bar in plan.layout:
            if not bar.partial and bar.ticks % STEP:
                raise GenerationError(
                    f"{self.name} writes in steps of a twelfth of a quarter note; a bar of "
                    f"{bar.meter} ({bar.ticks} ticks) is not a whole number of steps")

    def encode(self, seed: Score, plan: Plan) -> list[int]:
        tokens, _, _ = self._seed(seed, plan)
        return [self.vocab.end] + self.vocab.encode(tokens)

    def token_ticks(self, seed: Score, plan: Plan) -> list[int]:
        """The tick (seed coordinates) of every token :meth:`encode` gives."""
        _, _, ticks = self._seed(seed, plan)
        return [0, *ticks]

    def token_pitches(self, token: int, seed: Score | None = None,
                      plan: Plan | None = None) -> tuple[int, ...]:
        """The pitches ``token`` strikes (``N<pitch>``), else none."""
        text = self.vocab.tokens[token]
        return (int(text[1:]),) if text[0] == "N" and text[1:].isdigit() else ()

    def decoder(self, seed: Score, plan: Plan) -> PianoDecoder:
        _, last, _ = self._seed(seed, plan)
        tracks = piano_tracks(seed, self.name)
        return PianoDecoder(self, plan, last, tracks)

    def max_tokens(self, plan: Plan) -> int:
        steps = -(-(plan.end - plan.start) // STEP)
        return (MAX_CHORD + 1) * steps + plan.total_bars + 1

    def token_name(self, token: int, seed: Score | None = None, plan: Plan | None = None) -> str:
        """A musician's name for ``token``: ``"strike C4"``, ``"hold C4"``, ``"advance an
        eighth"``, ``"bar line (3 quarters)"``, ``"end of piece"``."""
        text = self.vocab.tokens[token]
        per_quarter = TICKS_PER_QUARTER // STEP
        if text.startswith("<bar:"):
            quarters = Fraction(int(text[5:-1]), per_quarter)
            return f"bar line ({quarters} quarter{'s' if quarters != 1 else ''})"
        if text[0] in "NH" and text[1:].isdigit():
            return f"{'strike' if text[0] == 'N' else 'hold'} {pitch_name(int(text[1:]))}"
        if text[0] == "D" and text[1:].isdigit():
            steps = int(text[1:])
            value = _VALUES.get(steps) or f"{Fraction(steps, per_quarter)} quarter"
            return f"advance {value}"
        return {"<end>": "end of piece", "<pad>": "nothing"}.get(text, text)

    def _seed(self, seed: Score, plan: Plan):
        key = (id(seed), plan)
        if self._cache is None or self._cache[0] != key:
            self.check(seed, plan)
            notes = [n for t in piano_tracks(seed, self.name) for n in t.notes]
            self._cache = (key, seed_tokens(notes, seed, plan.start, plan.first_bar == 0))
        return self._cache[1]


class PianoDecoder:
    """One variation (see the module docstring)."""

    def __init__(self, codec: PianoCodec, plan: Plan, last: tuple[int, ...],
                 tracks: tuple[Track, ...]):
        self.codec = codec
        self.plan = plan
        first_end = plan.start + plan.first_bar
        self.origin = first_end - (plan.first_bar // STEP) * STEP  # on the bar's grid
        self._segments: list[tuple[int | None, int]] = []
        if plan.first_bar // STEP:
            self._segments.append((None, plan.first_bar // STEP))
        for bar in plan.layout:
            if not bar.partial:
                steps = bar.ticks // STEP
                self._segments.append((codec.vocab.bar_id(steps), steps))
        self._seg = 0
        self._pending_bar = self._segments[0][0] is not None
        self._remaining = self._segments[0][1]
        self._prev = torch.zeros(HIGH - LOW + 1, dtype=torch.bool)
        for p in last:
            self._prev[p - LOW] = True
        self._seed_last = last
        self._chord: list[int] = []
        self.tokens: list[str] = []
        self._bars_done = 1 if plan.first_bar and not plan.first_bar // STEP else 0
        self._tracks = tracks
        means = [mean_pitch(t.notes) for t in tracks]
        self._split = sum(means) / 2 if len(tracks) == 2 else None
        self._high = 0 if len(tracks) < 2 or means[0] >= means[1] else 1
        self._velocity = [int(statistics.median(n.velocity for n in t.notes)) for t in tracks]

    @property
    def finished(self) -> bool:
        return self._seg >= len(self._segments)

    def allowed(self) -> torch.Tensor | None:
        c = self.codec
        mask = torch.zeros(len(c.vocab), dtype=torch.bool)
        if self._pending_bar:
            mask[self._segments[self._seg][0]] = True
            return mask
        if len(self._chord) < MAX_CHORD:
            above = torch.arange(LOW, HIGH + 1) > (self._chord[-1] if self._chord else -1)
            mask[c.note_ids[above]] = True
            mask[c.held_ids[above & self._prev]] = True
        mask[c.dur_ids[c.dur_values <= self._remaining]] = True
        return mask

    def push(self, token: int) -> bool:
        if self.finished:
            return False
        text = self.codec.vocab.tokens[token]
        if self._pending_bar:
            self._pending_bar = False
            self.tokens.append(text)
            return False
        if text[0] in "NH" and text[1:].isdigit():
            self._chord.append(int(text[1:]))
            self.tokens.append(text)
            return False
        if not (text[0] == "D" and text[1:].isdigit()) or int(text[1:]) > self._remaining:
            text = f"D{max(d for d in DURATIONS if d <= self._remaining)}"  # a slip: close
        self.tokens.append(text)
        self._remaining -= int(text[1:])
        self._prev = torch.zeros_like(self._prev)
        for p in self._chord:
            self._prev[p - LOW] = True
        self._chord = []
        if self._remaining > 0:
            return False
        self._bars_done += 1
        self._seg += 1
        if not self.finished:
            self._pending_bar = self._segments[self._seg][0] is not None
            self._remaining = self._segments[self._seg][1]
        return True

    def music(self) -> DecodedMusic:
        out = DecodedMusic(bars_done=self._bars_done)
        done = self.tokens[: len(self.tokens) - len(self._chord)]
        notes, still, now = tokens_to_notes(done, self.origin, sounding=self._seed_last)
        notes += [Note(a, now, p) for p, a in still.items() if now > a]
        by_track: list[list[Note]] = [[] for _ in self._tracks]
        for n in notes:
            i = 0
            if self._split is not None:
                i = self._high if n.pitch >= self._split else 1 - self._high
            by_track[i].append(Note(n.start, n.end, n.pitch, self._velocity[i]))
        for t, ns in zip(self._tracks, by_track):
            out.notes[t.name] = sorted(ns)
        return out


def load_model(folder, card) -> tuple[PianoLSTM, PianoCodec]:
    """The loader of the piano kind (:data:`composer.generation.kinds.PIANO_LSTM`)."""
    ckpt = load_checkpoint(folder, PIANO_LSTM)
    return ckpt.model, PianoCodec(ckpt.vocab, name=card.name or Path(folder).name)
