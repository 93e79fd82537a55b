"""The MIDI models on their data: what the encodings change, test metrics, and
generation speed. Needs ``../shared/data`` (skipped with a message otherwise).

    python bench/midi_models.py [--runs 10] [--bars 8] [--m21 3]

- MAC-Net (``models/macnet-folk``): notes of the Nottingham ``train`` split changed by
  the grid (shifted / end moved / lost) and the resolutions chosen; on ``test``: NLL
  per token and the frame NLL bound (nats per eighth-note frame; anchors from the 2012
  benchmark: RNN 4.46, RNN-NADE 2.31), and a unigram baseline of steps measured here.
- Piano LSTM (``models/piano-lstm``): notes changed by the 1/12-quarter grid; our
  chordify against music21's on ``--m21`` pieces (same slices?); held-out NLL per token
  against a unigram baseline.
- Both: continuing 4 bars by ``--bars`` bars (median of ``--runs`` warm runs): time
  to the first new note and to the end, and the ratio against the bare network's step
  cost for the same number of tokens (batch 1, state carried).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
NOTTINGHAM = DATA / "nottingham"
PIANO = DATA / "piano-midi"


def macnet_report(args) -> None:
    from composer.generation.macnet.codec import load_model
    from composer.nn import checkpoint
    from composer.training.macnet import midi_files, score_pieces, split_files
    from composer.training.macnet_data import load_pieces, piece_ids

    splits = json.loads((NOTTINGHAM / "splits.json").read_text())
    files = midi_files([NOTTINGHAM / "midi"])
    train, _ = load_pieces(split_files(files, splits, "train"))
    notes = sum(p.stats.notes for p in train)
    print(f"MAC-Net grid on {len(train)} train pieces, {notes} notes: "
          f"{sum(p.stats.shifted for p in train)} shifted, "
          f"{sum(p.stats.end_moved for p in train)} ends moved, "
          f"{sum(p.stats.lost for p in train)} lost; resolutions (steps per quarter): "
          f"{dict(sorted(collections.Counter(p.resolution for p in train).items()))}")
    folder = ROOT / "models" / "macnet-folk"
    if not (folder / "card.json").is_file():
        print("  no models/macnet-folk: metrics skipped")
        return
    card = checkpoint.read_card(folder)
    model, codec = load_model(folder, card)
    test_files = split_files(files, splits, "test")
    t0 = time.perf_counter()
    scores = score_pieces(model, codec.vocab, test_files)
    took = time.perf_counter() - t0
    # Unigram baseline over the same tokens (add-one), unseen steps at their backoff cost.
    counts = collections.Counter()
    for p in train:
        counts.update(piece_ids(p, codec.vocab).ids[1:].tolist())
    total = sum(counts.values()) + len(codec.vocab)
    test, _ = load_pieces(test_files)
    nll = frames_nll = 0.0
    n = frames = 0
    for p in test:
        ids = piece_ids(p, codec.vocab)
        costs = [-math.log((counts[i] + 1) / total) for i in ids.ids[1:].tolist()]
        nll += sum(costs) + ids.unk_cost
        frames_nll += sum(costs[: ids.frame_prefix]) + ids.unk_cost
        n += len(costs)
        frames += ids.frames
    print(f"  test: {scores.pieces} pieces, {scores.tokens} tokens, {scores.frames} frames "
          f"(scored in {took:.1f} s)")
    print(f"  NLL per token {scores.nll_per_token:.4f} nats (unigram {nll / n:.4f}); "
          f"frame NLL bound {scores.frame_nll:.4f} nats/frame (unigram {frames_nll / frames:.4f};"
          f" anchors RNN 4.46, RNN-NADE 2.31); unseen steps {scores.unseen_steps}")
    speed_report("macnet-folk", NOTTINGHAM / "midi" / f"{splits['test'][0]}.mid", args)


def piano_report(args) -> None:
    from composer.generation.piano.codec import load_model
    from composer.generation.piano.events import ChordifyStats
    from composer.nn import checkpoint
    from composer.training.piano import (
        load_pieces,
        make_split,
        piano_files,
        piece_ids,
        score_pieces,
        select,
    )

    files = piano_files([PIANO])
    folder = ROOT / "models" / "piano-lstm"
    split_path = folder / "splits.json"
    splits = json.loads(split_path.read_text()) if split_path.is_file() else make_split(files)
    pieces, _ = load_pieces(files)
    stats = ChordifyStats()
    for p in pieces:
        stats.add(p.stats)
    print(f"piano grid (12 steps per quarter) on {len(pieces)} pieces, {stats.notes} notes: "
          f"{stats.shifted} onsets moved ({stats.shifted / stats.notes:.1%}), "
          f"{stats.end_moved} ends moved ({stats.end_moved / stats.notes:.1%}), "
          f"{stats.octave_moved} moved into the piano range, {stats.lost} lost; "
          f"{sum(len(p.tokens) for p in pieces)} tokens")
    if args.m21:
        m21_check(files[:: max(1, len(files) // args.m21)][: args.m21])
    if not (folder / "card.json").is_file():
        print("  no models/piano-lstm: metrics skipped")
        return
    card = checkpoint.read_card(folder)
    model, codec = load_model(folder, card)
    test_files = select(files, splits, "test")
    scores = score_pieces(model, codec.vocab, test_files)
    by_name = {p.name: p for p in pieces}
    counts = collections.Counter()
    for name in splits["train"]:
        counts.update(piece_ids(by_name[name], codec.vocab)[1:].tolist())
    total = sum(counts.values()) + len(codec.vocab)
    test = [piece_ids(by_name[n], codec.vocab)[1:].tolist() for n in splits["test"]]
    unigram = sum(-math.log((counts[i] + 1) / total) for t in test for i in t) / sum(map(len, test))
    print(f"  test: {scores.pieces} pieces, {scores.tokens} tokens: NLL per token "
          f"{scores.nll_per_token:.4f} nats (unigram {unigram:.4f})")
    speed_report("piano-lstm", test_files[0], args)


def m21_check(files) -> None:
    """Our chordify against music21's, on the same grid notes."""
    import tempfile

    import music21

    from composer.generation.piano.events import chordify, grid_notes
    from composer.music.midi import midi_bytes, read_midi
    from composer.music.score import Score, Track

    same = 0
    ours_s = theirs_s = 0.0
    for f in files:
        s = read_midi(f)
        t0 = time.perf_counter()
        grid = grid_notes([n for t in s.tracks for n in t.notes])
        end = max(n.end for n in grid)
        ours = collections.Counter((x.start // 40, x.steps, x.pitches)
                                   for x in chordify(grid, s.bar_starts(end), end))
        ours_s += time.perf_counter() - t0
        with tempfile.NamedTemporaryFile(suffix=".mid") as tmp:
            tmp.write(midi_bytes(Score(tracks=(Track("P", tuple(grid), role="piano"),),
                                       meters=s.meters)))
            tmp.flush()
            t0 = time.perf_counter()
            chords = music21.converter.parse(tmp.name, quantizePost=False).chordify()
            theirs = collections.Counter(
                (round(float(e.getOffsetInHierarchy(chords)) * 12),
                 round(float(e.quarterLength) * 12),
                 () if e.isRest else tuple(sorted(p.midi for p in e.pitches)))
                for e in chords.recurse().notesAndRests)
            theirs_s += time.perf_counter() - t0
        same += ours == theirs
    print(f"  chordify vs music21 on {len(files)} pieces: {same} identical; ours "
          f"{ours_s:.2f} s, music21 {theirs_s:.1f} s ({theirs_s / max(ours_s, 1e-9):.0f}x)")


def speed_report(name: str, path: Path, args) -> None:
    import torch

    from composer.generation.engine import continue_passage
    from composer.generation.registry import ModelRegistry
    from composer.generation.request import ContinueRequest, Sampling, Selection, TakeProgress
    from composer.music.midi import read_midi

    registry = ModelRegistry()
    loaded = registry.load(name)
    score = read_midi(path)
    bars = score.bars()
    counter = {"tokens": 0}
    inner = loaded.step_model

    class Counting:
        vocab_size = inner.vocab_size

        def init_state(self, batch):
            return inner.init_state(batch)

        def step(self, tokens, state):
            counter["tokens"] += tokens.shape[1]
            return inner.step(tokens, state)

    wrapped = type("R", (), {"load": lambda self, n: type(
        "L", (), {"step_model": Counting(), "codec": loaded.codec})()})()
    firsts, totals, generated = [], [], []
    for run in range(args.runs + 1):
        request = ContinueRequest(score, Selection(bars[0][0], bars[4][0]), args.bars, name,
                                  Sampling(seed=run))
        counter["tokens"] = 0
        t0 = time.perf_counter()
        first = None
        for item in continue_passage(request, wrapped):
            if first is None and isinstance(item, TakeProgress) and any(item.notes.values()):
                first = time.perf_counter() - t0
        if run:  # the first run warms up
            firsts.append(first or 0.0)
            totals.append(time.perf_counter() - t0)
            generated.append(counter["tokens"])
    tokens = int(statistics.median(generated))
    with torch.inference_mode():
        state = inner.init_state(1)
        tok = torch.zeros(1, 1, dtype=torch.long)
        t0 = time.perf_counter()
        for _ in range(tokens):
            _, state = inner.step(tok, state)
        bare = time.perf_counter() - t0
    total = statistics.median(totals)
    print(f"  {name}: 4 bars -> +{args.bars} bars, median of {args.runs}: first note "
          f"{statistics.median(firsts) * 1000:.0f} ms, all {total * 1000:.0f} ms for ~{tokens} "
          f"tokens; bare steps {bare * 1000:.0f} ms; ratio {total / bare:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--m21", type=int, default=3, help="pieces to chordify with music21")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not here (the bench needs the training data)")
        return 0
    import torch

    from composer.generation.sampling import configure_torch

    configure_torch()
    torch.manual_seed(0)
    macnet_report(args)
    piano_report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
