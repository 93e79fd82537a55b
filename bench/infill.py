"""Filling a gap (issue 13): for each Nottingham test tune with 12 bars or more, bars
5-8 are the gap, bars 1-4 the music before it and bars 9-12 the music after.

1. Does the model use the future? Bits per character of the tune's own bars 5-8, as
   the folk prompt writes them, after the fill prompt (bars 9-12, then 1-4) and after
   the continuation prompt (bars 1-4 only). The issue asks for at least 10% fewer with
   the music after the gap. A model that never learnt to fill has no figure here.
2. Are the fills sound? Each model fills the gap (a few seeds) through the engine;
   the take is spliced into the tune's own text, which our reader and music21 (a
   judge we did not write) must read back with the same bars and the same notes, the
   gap's notes inside the gap.
3. Do they lead into bar 9? The interval (semitones, absolute) from the gap's last note
   into bar 9's first note, against every bar-to-bar interval in the test tunes, and
   against the same bars written as a plain continuation (replace) in the same run,
   which cannot see bar 9.

    python bench/infill.py [--models NAME ...] [--seeds 2] [--limit N]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import require_nottingham, split_ids, tune_source  # noqa: E402
from bench.turing import body  # noqa: E402
from composer.cli.continue_ import bar_range_ticks  # noqa: E402
from composer.generation.engine import continue_passage  # noqa: E402
from composer.generation.errors import GenerationError  # noqa: E402
from composer.generation.folk.prompt import fill_text, seed_text  # noqa: E402
from composer.generation.plan import make_seed  # noqa: E402
from composer.generation.registry import ModelRegistry  # noqa: E402
from composer.generation.request import ContinueRequest, Sampling, Selection, Take  # noqa: E402
from composer.music.abc import parse_abc, read_abc  # noqa: E402
from composer.music.abc.splice import splice_abc  # noqa: E402
from composer.music.errors import MusicError  # noqa: E402
from composer.music.m21 import read_abc_with_music21  # noqa: E402
from composer.training.corpus import split_tunes  # noqa: E402


def notes_of(score):
    return sorted((n.start, n.end, n.pitch) for t in score.tracks for n in t.notes)


def melody(score):
    return next(t for t in score.tracks if t.notes and not t.is_drum).notes


def bits(net, vocab, prompt: str, text: str) -> tuple[float, int]:
    """Bits the model spends on ``text`` after ``prompt`` (and its character count)."""
    ids = [vocab.bos] + vocab.encode(prompt + text)
    with torch.inference_mode():
        logits, _ = net(torch.tensor([ids[:-1]]))
        logp = torch.log_softmax(logits[0].float(), -1)
    n = len(text)
    targets = torch.tensor(ids[-n:])
    return -logp[-n:].gather(1, targets[:, None]).sum().item() / math.log(2), n


def interval_into(score, end: int) -> int | None:
    notes = melody(score)
    before = [n for n in notes if n.start < end]
    after = [n for n in notes if n.start >= end]
    if not before or not after:
        return None
    last = max(before, key=lambda n: n.start)
    first = min(after, key=lambda n: n.start)
    return abs(first.pitch - last.pitch)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    require_nottingham()
    torch.set_num_threads(1)
    registry = ModelRegistry()
    names = args.models or [i.name for i in registry.list() if not i.problem
                            and i.name != "piano-lstm"]
    tunes = []  # (id, text with its file header, score)
    corpus_intervals = []
    for tune_id in split_ids("test"):
        path, x = tune_source(tune_id)
        tune = next(t for t in split_tunes(path.read_text(), path.stem) if t.id == tune_id)
        score = read_abc(tune.text)
        notes = melody(score) if score.tracks else []
        for a, _ in score.bars()[1:]:
            i = interval_into(score, a) if notes else None
            if i is not None:
                corpus_intervals.append(i)
        if len(score.bars()) >= 13:
            tunes.append((tune_id, tune.text, score))
    if args.limit:
        tunes = tunes[: args.limit]
    print(f"{len(tunes)} test tunes with 12 bars or more; gap = bars 5-8; "
          f"{args.seeds} seeds per model")
    print(f"the test tunes' bar-to-bar intervals: mean {statistics.mean(corpus_intervals):.2f} "
          f"semitones over {len(corpus_intervals)}")
    for name in names:
        model = registry.load(name)
        codec = model.codec
        t0 = time.perf_counter()
        with_bits = without_bits = chars = 0.0
        can_fill = getattr(codec, "can_fill", False)
        counts = dict(takes=0, exact=0, music21=0, failed=0)
        fills, plains, problems = [], [], []
        for tune_id, text, score in tunes:
            a = bar_range_ticks(score, 5, 5)[0]
            b = bar_range_ticks(score, 8, 8)[1]
            if can_fill:
                req = ContinueRequest(score, Selection(a, b), 1, name, task="fill")
                seed = make_seed(req)
                middle = body(score, a, b).strip() + "\n"
                net, vocab = model.step_model.model, codec.vocab
                w, n = bits(net, vocab, fill_text(seed.score, seed.plan), middle)
                wo, _ = bits(net, vocab, seed_text(seed.score, seed.plan), middle)
                with_bits, without_bits, chars = with_bits + w, without_bits + wo, chars + n
            for s in range(args.seeds):
                for task, out in (("fill", fills), ("continue", plains)):
                    if task == "fill":
                        selection = Selection(a, b)
                    else:  # bars 1-4 continued by 4 bars over bars 5-8
                        selection = Selection(bar_range_ticks(score, 1, 4)[0], a)
                    req = ContinueRequest(score, selection, 4, name, Sampling(seed=s),
                                          mode="replace", task=task)
                    try:
                        take = next(t for t in continue_passage(req, registry)
                                    if isinstance(t, Take))
                    except GenerationError as e:
                        counts["failed"] += task == "fill"
                        problems.append(f"{tune_id} {task} seed {s}: {e}")
                        continue
                    i = interval_into(take.score, b)
                    if i is not None:
                        out.append(i)
                    if task != "fill":
                        continue
                    counts["takes"] += 1
                    gap = [n for n in melody(take.score) if a <= n.start < b]
                    spliced = splice_abc(text, take.score, edited=take.edited).text
                    try:
                        ours = parse_abc(spliced).score
                    except MusicError as e:
                        problems.append(f"{tune_id} seed {s}: our reader: {e}")
                        continue
                    exact = (ours.bars() == score.bars() and notes_of(ours) == notes_of(
                        take.score) and gap and all(n.end <= b for n in gap))
                    counts["exact"] += bool(exact)
                    try:
                        theirs = read_abc_with_music21(spliced, propagate="octave")
                        counts["music21"] += notes_of(theirs) == notes_of(ours)
                    except MusicError as e:
                        problems.append(f"{tune_id} seed {s}: music21: {e}")
        print(f"\n{name}  ({time.perf_counter() - t0:.0f} s)")
        if can_fill:
            w, wo = with_bits / chars, without_bits / chars
            print(f"  bars 5-8 as written: {w:.4f} bits/char with bars 9-12 before them, "
                  f"{wo:.4f} without: {100 * (1 - w / wo):.1f}% fewer with the music after "
                  f"(goal: 10% or more)")
        else:
            print("  the model never learnt to fill (no fill separators): its fills are "
                  "continuations that stop at the gap's end")
        k = counts["takes"]
        print(f"  fills: {k} ({counts['failed']} failed); bar-exact and read back by our "
              f"reader: {counts['exact']}/{k}; music21 reads the same notes: "
              f"{counts['music21']}/{k}")
        if fills and plains:
            print(f"  interval into bar 9: fills mean {statistics.mean(fills):.2f}, plain "
                  f"continuations {statistics.mean(plains):.2f}, the tunes' bar-to-bar "
                  f"{statistics.mean(corpus_intervals):.2f} semitones")
        for p in problems[:10]:
            print("   ", p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
