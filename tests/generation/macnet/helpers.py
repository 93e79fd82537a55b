"""Shared builders for the MAC-Net tests: hand-built tunes, a small vocabulary made
from them, and a tiny random-weight model (fixed seed)."""

from __future__ import annotations

import torch

from composer.generation.macnet.codec import MacnetCodec
from composer.music.score import Barline, ChordSymbol, KeyChange, MeterChange, Note, Score, Track
from composer.nn.macnet import MacNet
from composer.training.macnet import model_config
from composer.training.macnet_data import build_vocab, piece_from_score

G, D = (43, 47, 50), (38, 42, 45)


def tune(meter=(4, 4), bars=4, key="G", triplets=False, pickup=0, chords_as_symbols=False):
    """A melody + block-chord tune: eighth notes (or a triplet per beat), one chord per
    bar alternating G and D, a long note tied over the last bar line."""
    m = MeterChange(0, *meter)
    bar = m.bar_ticks
    mel, acc, symbols = [], [], []
    t = pickup
    for b in range(bars):
        start = pickup + b * bar
        step = 160 if triplets else 240
        while t < start + bar - (bar // 2 if b == bars - 2 else 0):
            mel.append(Note(t, t + step, 67 + (t // step) % 5))
            t += step
        if b == bars - 2:  # a held note across the bar line
            mel.append(Note(t, t + bar, 71))
            t += bar
        chord = G if b % 2 == 0 else D
        acc += [Note(start, start + bar, p) for p in chord]
        symbols.append(ChordSymbol(start, "G" if b % 2 == 0 else "D"))
    if pickup:
        mel.insert(0, Note(0, pickup, 62))
    tracks = [Track("Melody", tuple(n for n in mel if n.end <= pickup + bars * bar),
                    role="melody")]
    if not chords_as_symbols:
        tracks.append(Track("Chords", tuple(acc), role="accompaniment"))
    lines = tuple(Barline(pickup + b * bar) for b in range(bars + 1)) if pickup else ()
    return Score(title="t", tracks=tuple(tracks), meters=(m,), keys=(KeyChange(0, key),),
                 chords=tuple(symbols) if chords_as_symbols else (), barlines=lines)


def small_vocab():
    pieces = [piece_from_score(tune(meter, triplets=tri), f"p{i}")
              for i, (meter, tri) in enumerate([((4, 4), False), ((6, 8), False),
                                                 ((3, 4), True), ((2, 4), False)])]
    return build_vocab(pieces, min_count=1)


def tiny_model(vocab, seed=0):
    torch.manual_seed(seed)
    return MacNet(model_config(vocab, {"embed": 8, "hidden": 16, "layers": 1, "dropout": 0.0}))


def tiny_codec():
    vocab = small_vocab()
    return tiny_model(vocab).eval(), MacnetCodec(vocab)
