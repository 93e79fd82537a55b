"""Continuing into a meter or key change (issue 12): for every Nottingham tune with a
mid-tune ``M:`` or ``K:`` change, select the (up to) 4 bars before the bar where it
takes effect and replace the 4 bars from there with the default model, then count:

- takes written, and new bars of exactly their planned length in the meter where they
  stand (our reader on the tune's text with the take spliced in);
- rest-padded bars: new bars holding a rest;
- for key changes, notes of the new bars that are out of the new key's scale, and the
  share of those that the old key's scale holds ("old-key accidentals"), beside the
  tune's own bars at that place.

The baseline, run in the same process: the same takes with the prompt and the
decoder told nothing of the change (the bars that follow are still planned at their
lengths), as the folk codec worked before the change.

    python bench/meter_key_changes.py [--model NAME] [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys
import time

from _data import NOTTINGHAM, require_nottingham

from composer.generation.engine import continue_passage
from composer.generation.errors import GenerationError
from composer.generation.folk import codec as folk_codec
from composer.generation.plan import make_seed
from composer.generation.registry import ModelRegistry
from composer.generation.request import ContinueRequest, Sampling, Selection, Take
from composer.music.abc import parse_abc, split_tunes
from composer.music.abc.splice import splice_abc
from composer.music.score import KeyChange

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MODE_SHIFT = {"major": 0, "ionian": 0, "dorian": 2, "phrygian": 4, "lydian": 5,
               "mixolydian": 7, "minor": 9, "aeolian": 9, "locrian": 11}


def scale(key: KeyChange) -> set[int]:
    """Pitch classes of ``key``'s signature scale."""
    do = (key.tonic_pitch_class - _MODE_SHIFT[key.mode]) % 12
    return {(do + d) % 12 for d in _MAJOR}


def changes():
    """(name, tune text, score, tick of the change, kind) for every change."""
    for path in sorted((NOTTINGHAM / "abc").glob("*.abc")):
        for tune in split_tunes(path.read_text()):
            try:
                score = parse_abc(str(tune)).score
            except Exception:  # noqa: BLE001 - the unreadable tune is counted elsewhere
                continue
            name = f"{path.stem}{tune.x}"
            for kind, items, key in (("meter", score.meters, lambda m: (m.numerator,
                                                                         m.denominator)),
                                     ("key", score.keys, lambda k: (k.tonic, k.mode))):
                for before, item in zip(items, items[1:]):
                    if key(before) != key(item) and item.tick < score.length:
                        yield name, str(tune), score, item.tick, kind


def run(model, registry, items, seeds, informed: bool):
    fields = folk_codec.bar_fields
    if not informed:
        folk_codec.bar_fields = lambda meter, key, bar: []
    stats = dict(takes=0, failed=0, bars=0, exact=0, padded=0, key_notes=0, out_new=0,
                 out_new_old=0, tune_notes=0, tune_out=0, tune_out_old=0)
    try:
        for _name, text, score, tick, kind in items:
            bars = score.bars()
            i = next(k for k, (a, _) in enumerate(bars) if a == tick) if any(
                a == tick for a, _ in bars) else None
            if i is None or i == 0:
                continue
            start = bars[max(0, i - 4)][0]
            for s in range(seeds):
                req = ContinueRequest(score, Selection(start, tick), 4, model,
                                      Sampling(seed=s), mode="replace")
                plan = make_seed(req).plan
                try:
                    take = next(t for t in continue_passage(req, registry)
                                if isinstance(t, Take))
                except GenerationError as e:
                    stats["failed"] += 1
                    stats.setdefault("reasons", []).append(f"{_name} seed {s}: {e}")
                    continue
                stats["takes"] += 1
                out = parse_abc(splice_abc(text, take.score, edited=take.edited).text).score
                new_bars = [(a, b) for a, b in out.bars() if take.start <= a < take.end]
                planned = [(b.start + take.start - plan.start, b.end + take.start - plan.start,
                            b.meter) for b in plan.layout]
                stats["bars"] += len(planned)
                for (a, b, meter), got in zip(planned, new_bars):
                    m = out.meter_at(a)
                    if got == (a, b) and (m.numerator, m.denominator) == (
                            meter.numerator, meter.denominator):
                        stats["exact"] += 1
                    rests = _rests(out, a, b)
                    stats["padded"] += rests
                if kind == "key":
                    old, new = scale(score.key_at(tick - 1)), scale(score.key_at(tick))
                    ends = min(take.end, tick + sum(b - a for a, b in bars[i:i + 4]))
                    for n in (n for t in out.tracks for n in t.notes
                              if take.start <= n.start < take.end):
                        stats["key_notes"] += 1
                        if n.pitch % 12 not in new:
                            stats["out_new"] += 1
                            stats["out_new_old"] += n.pitch % 12 in old
                    if s == 0:
                        for n in (n for t in score.tracks for n in t.notes
                                  if tick <= n.start < ends):
                            stats["tune_notes"] += 1
                            if n.pitch % 12 not in new:
                                stats["tune_out"] += 1
                                stats["tune_out_old"] += n.pitch % 12 in old
    finally:
        folk_codec.bar_fields = fields
    return stats


def _rests(score, a: int, b: int) -> int:
    """1 when bar ``[a, b)`` has a silence (no note sounding somewhere in it)."""
    notes = sorted((n.start, n.end) for t in score.tracks for n in t.notes
                   if n.end > a and n.start < b)
    at = a
    for s, e in notes:
        if s > at:
            return 1
        at = max(at, e)
    return 1 if at < b else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    require_nottingham()
    registry = ModelRegistry()
    model = args.model or registry.default_name()
    items = list(changes())
    tunes = len({n for n, *_ in items})
    meters = sum(1 for *_, k in items if k == "meter")
    print(f"model {model}: {len(items)} changes in {tunes} tunes ({meters} meter, "
          f"{len(items) - meters} key), {args.seeds} seeds each, replace 4 bars from the "
          "bar of the change")
    for informed in (True, False):
        t0 = time.perf_counter()
        s = run(model, registry, items, args.seeds, informed)
        label = "told the change (prompt + forced fields)" if informed else \
            "baseline: not told the change"
        print(f"[{label}] {time.perf_counter() - t0:.0f} s")
        print(f"  takes {s['takes']}, failed {s['failed']}; new bars exact in their meter "
              f"{s['exact']}/{s['bars']}; rest-padded bars {s['padded']}")
        for reason in s.get("reasons", []):
            print(f"  failed: {reason}")
        if s["key_notes"]:
            print(f"  after a key change: notes out of the new key "
                  f"{s['out_new']}/{s['key_notes']} ({100 * s['out_new'] / s['key_notes']:.1f}%)"
                  f", of them in the old key's scale {s['out_new_old']}")
        if informed and s["tune_notes"]:
            print(f"  the tunes' own bars there: out of the new key {s['tune_out']}/"
                  f"{s['tune_notes']} ({100 * s['tune_out'] / s['tune_notes']:.1f}%), in the "
                  f"old key's scale {s['tune_out_old']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
