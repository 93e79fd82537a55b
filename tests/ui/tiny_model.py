"""A tiny random-weight model kind for the window's tests: a real torch step model
(fixed seed) and a real codec run by the real continuation engine, small enough to
write a few bars in milliseconds. Tokens are scale degrees of the key; each token
is one note of the meter's unit (a quarter in x/4, an eighth in x/8)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import torch

from composer.generation.codec import DecodedMusic, Plan
from composer.music.score import Note, Score

DEGREES = (0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19)
KIND = "ui-test-tiny"


class TinyStepModel(torch.nn.Module):
    def __init__(self, vocab: int = len(DEGREES), hidden: int = 16, delay: float = 0.0):
        super().__init__()
        torch.manual_seed(0)
        self.vocab_size = vocab
        self.emb = torch.nn.Embedding(vocab, hidden)
        self.rnn = torch.nn.GRU(hidden, hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden, vocab)
        self.delay = delay

    def init_state(self, batch: int):
        return torch.zeros(1, batch, self.rnn.hidden_size)

    def step(self, tokens, state):
        if self.delay:
            import time

            time.sleep(self.delay)  # a slower model, for cancellation tests
        y, state = self.rnn(self.emb(tokens), state)
        return self.out(y[:, -1]), state


class TinyDecoder:
    def __init__(self, plan: Plan, track: str, tonic: int):
        self.plan = plan
        self.track = track
        self.tonic = tonic
        self.pos = plan.start
        self.lines = plan.bar_lines
        self.unit = 4 * 480 // plan.meter.denominator
        self.notes: list[Note] = []
        self.bars = 0

    @property
    def finished(self) -> bool:
        return self.pos >= self.plan.end

    def allowed(self):
        return None

    def push(self, token: int) -> bool:
        next_line = next(t for t in self.lines if t > self.pos)
        end = min(self.pos + self.unit, next_line)
        self.notes.append(Note(self.pos, end, self.tonic + DEGREES[token % len(DEGREES)]))
        self.pos = end
        if self.pos == next_line:
            self.bars += 1
            return True
        return False

    def music(self) -> DecodedMusic:
        return DecodedMusic({self.track: list(self.notes)}, [], self.bars)


class TinyCodec:
    def check(self, seed: Score, plan: Plan) -> None:
        pass

    def encode(self, seed: Score, plan: Plan) -> list[int]:
        notes = seed.notes[-16:] or (Note(0, 1, 60),)
        return [n.pitch % len(DEGREES) for n in notes]

    def decoder(self, seed: Score, plan: Plan) -> TinyDecoder:
        track = plan.tracks[0] if plan.tracks else "melody"
        return TinyDecoder(plan, track, 60 + plan.key.tonic_pitch_class)

    def max_tokens(self, plan: Plan) -> int:
        return (plan.end - plan.start) // 60 + 8


def load_model(folder: Path, card):
    return TinyStepModel(delay=float(card.extra.get("delay", 0.0))), TinyCodec()


def install(monkeypatch, folder: Path, name: str = "tiny", delay: float = 0.0) -> Path:
    """Register the tiny kind and write a model folder ``folder/name`` for it."""
    from composer.generation import kinds

    module = types.ModuleType("ui_tiny_model_kind")
    module.load_model = load_model
    monkeypatch.setitem(sys.modules, "ui_tiny_model_kind", module)
    monkeypatch.setitem(kinds.KINDS, KIND, kinds.ModelKind(
        name=KIND, title="a tiny random model for tests", network="ui_tiny_model_kind:Net",
        vocabulary=None, codec="ui_tiny_model_kind:load_model",
        recipe="ui_tiny_model_kind:make_recipe", data="abc", presets=(), metric="valid_loss",
        metric_words="loss"))
    model_dir = folder / name
    model_dir.mkdir(parents=True, exist_ok=True)
    card = {"kind": KIND, "description": "A tiny random model for tests", "delay": delay,
            "data": {"about": "none"}, "metrics": {"loss": 1.0}}
    (model_dir / "card.json").write_text(json.dumps(card))
    return model_dir
