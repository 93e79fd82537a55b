"""Shared builders for the piano-model tests: a two-hand piece, a small vocabulary
and a tiny random-weight model (fixed seed)."""

from __future__ import annotations

import torch

from composer.generation.piano.codec import PianoCodec
from composer.generation.piano.events import PianoVocab
from composer.music.score import MeterChange, Note, Score, Track
from composer.nn.piano_lstm import PianoLSTM
from composer.training.piano import model_config


def piece(meter=(4, 4), bars=6, pickup=0):
    """Right hand: eighths with a triplet and a held note over a bar line; left hand:
    a three-note chord per bar plus a bass note held through two bars."""
    m = MeterChange(0, *meter)
    bar = m.bar_ticks
    right, left = [], []
    for b in range(bars):
        start = pickup + b * bar
        t = start
        while t < start + bar:
            step = 160 if (t - start) // 480 == 1 else 240
            right.append(Note(t, t + step, 72 + (t // 240) % 7, 70))
            t += step
        left += [Note(start, start + bar // 2, p, 50) for p in (55, 59, 62)]
        if b % 2 == 0:
            left.append(Note(start, start + 2 * bar, 43, 50))
    if pickup:
        right.append(Note(0, pickup, 79, 70))
    end = pickup + bars * bar
    right = [n for n in right if n.end <= end]
    left = [n for n in left if n.end <= end]
    return Score(title="p", meters=(m,), tracks=(Track("Piano right", tuple(right), role="piano"),
                                                 Track("Piano left", tuple(left), role="piano")))


def tiny(seed=0):
    vocab = PianoVocab([18, 24, 36, 48])
    torch.manual_seed(seed)
    model = PianoLSTM(model_config(vocab, {"embed": 8, "hidden": 16, "layers": 1,
                                           "dropout": 0.0, "attn_window": 6, "attn_dim": 8}))
    return model.eval(), PianoCodec(vocab)
