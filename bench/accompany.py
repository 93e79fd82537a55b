"""Chords under a melody (issue 13): for each Nottingham test tune, the models write the
chords of bars 5-12 under the tune's own melody (bars 1-4, with their chords, as the
music before), and each beat's chord is compared with the tune's own chord there.
Chords are compared as triads (root and major/minor/diminished/augmented: "D7" and
"D" agree, "D" and "Dm" do not; a slash bass is ignored).

Beside the models, two baselines in the same run: the rule (for each beat, the
diatonic triad of the key that holds most of the beat's melody, by duration; ties go to
I, then V, then IV) and always the tonic triad. The issue's goal: a model ahead of the
rule by at least 10 points.

    python bench/accompany.py [--models NAME ...] [--seeds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import require_nottingham, split_ids, tune_source  # noqa: E402
from composer.cli.continue_ import bar_range_ticks  # noqa: E402
from composer.generation.engine import continue_passage  # noqa: E402
from composer.generation.errors import GenerationError  # noqa: E402
from composer.generation.registry import ModelRegistry  # noqa: E402
from composer.generation.request import ContinueRequest, Sampling, Selection, Take  # noqa: E402
from composer.music.abc import read_abc  # noqa: E402
from composer.music.chords import parse_chord_symbol  # noqa: E402

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MODE_SHIFT = {"major": 0, "ionian": 0, "dorian": 2, "phrygian": 4, "lydian": 5,
               "mixolydian": 7, "minor": 9, "aeolian": 9, "locrian": 11}


def triad(text: str | None) -> tuple[int, str] | None:
    """``(root pitch class, "maj"/"min"/"dim"/"aug"/"other")`` of a chord symbol."""
    if not text:
        return None
    q = parse_chord_symbol(text)
    if q is None:
        return None
    pcs = {(p - q.root) % 12 for p in q.pitch_classes}
    third = "min" if 3 in pcs and 4 not in pcs else "maj" if 4 in pcs else "other"
    if third == "min" and 6 in pcs and 7 not in pcs:
        third = "dim"
    if third == "maj" and 8 in pcs and 7 not in pcs:
        third = "aug"
    return q.root, third


def chord_at(score, tick: int) -> str | None:
    for a, b, text in score.chord_spans():
        if a <= tick < b:
            return text
    return None


def diatonic_triads(key) -> list[tuple[int, str, set[int]]]:
    """The seven triads of ``key``'s scale: (root, quality, pitch classes), in the
    order of preference I, V, IV, then the others."""
    do = (key.tonic_pitch_class - _MODE_SHIFT[key.mode]) % 12
    scale = [(do + d) % 12 for d in _MAJOR]
    tonic = scale.index(key.tonic_pitch_class % 12) if key.tonic_pitch_class % 12 in scale \
        else 0
    out = []
    for degree in range(7):
        r = scale[(tonic + degree) % 7]
        pcs = {r, scale[(tonic + degree + 2) % 7], scale[(tonic + degree + 4) % 7]}
        rel = {(p - r) % 12 for p in pcs}
        quality = "maj" if 4 in rel and 7 in rel else "min" if 3 in rel and 7 in rel else \
            "dim" if 3 in rel and 6 in rel else "aug"
        out.append((degree, r, quality, pcs))
    order = {0: 0, 4: 1, 3: 2}
    out.sort(key=lambda t: order.get(t[0], 3 + t[0]))
    return [(r, q, pcs) for _, r, q, pcs in out]


def rule_chord(score, a: int, b: int) -> tuple[int, str] | None:
    weights: dict[int, int] = {}
    for n in (n for t in score.tracks for n in t.notes if n.start < b and n.end > a):
        weights[n.pitch % 12] = weights.get(n.pitch % 12, 0) + min(n.end, b) - max(n.start, a)
    triads = diatonic_triads(score.key_at(a))
    best = max(triads, key=lambda t: sum(weights.get(p, 0) for p in t[2]))
    return best[0], best[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--seeds", type=int, default=2)
    args = ap.parse_args()
    require_nottingham()
    registry = ModelRegistry()
    names = args.models or [i.name for i in registry.list() if not i.problem
                            and i.model_kind is not None
                            and i.name != "piano-lstm"]  # piano writes no chords
    tunes = []
    for tune_id in split_ids("test"):
        path, x = tune_source(tune_id)
        score = read_abc(path.read_text(), x=x)
        if len(score.bars()) >= 13 and score.chords:
            tunes.append((tune_id, score))
    agree: dict[str, list[int]] = {}
    seconds: dict[str, float] = {}
    for tune_id, score in tunes:
        start = bar_range_ticks(score, 5, 5)[0]
        end = bar_range_ticks(score, 12, 12)[1]
        beats = []
        t = start
        while t < end:
            beat = score.meter_at(t).beat_ticks
            beats.append((t, min(t + beat, end)))
            t += beat
        truth = [triad(chord_at(score, a)) for a, _ in beats]
        tonic = score.key_at(start)
        tonic_triad = next((r, q) for r, q, _ in diatonic_triads(tonic)[:1])
        for name, guesses in (("rule baseline", [rule_chord(score, a, b) for a, b in beats]),
                              ("always tonic", [tonic_triad] * len(beats))):
            agree.setdefault(name, [0, 0])
            agree[name][0] += sum(g == w for g, w in zip(guesses, truth) if w)
            agree[name][1] += sum(1 for w in truth if w)
        for name in names:
            t0 = time.perf_counter()
            for s in range(args.seeds):
                req = ContinueRequest(score, Selection(start, end), 1, name, Sampling(seed=s),
                                      task="accompany")
                try:
                    take = next(t for t in continue_passage(req, registry)
                                if isinstance(t, Take))
                except GenerationError as e:
                    print(f"  {tune_id} {name}: {e}")
                    continue
                got = [triad(chord_at(take.score, a)) for a, _ in beats]
                agree.setdefault(name, [0, 0])
                agree[name][0] += sum(g == w for g, w in zip(got, truth) if w)
                agree[name][1] += sum(1 for w in truth if w)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
    print(f"{len(tunes)} test tunes with chords and 12 bars or more; bars 5-12 accompanied, "
          f"{args.seeds} seeds per model")
    print(f"{'':16} beats agreeing with the tune's own chords")
    rule = 100 * agree["rule baseline"][0] / max(1, agree["rule baseline"][1])
    for name, (right, total) in agree.items():
        pct = 100 * right / max(1, total)
        extra = f"   ({pct - rule:+.1f} points on the rule; {seconds[name]:.0f} s)" \
            if name in seconds else ""
        print(f"{name:<16} {right:5d}/{total:<5d} {pct:5.1f}%{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
