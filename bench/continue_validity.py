"""For every shipped model and 20 Nottingham test tunes: continue bars 1-4 by 8 bars in
`insert` and `replace` modes and count takes that are exactly the 8 bars the bar rule
plans (insert: full bars of the meter; replace: the written bars 5-12 at their own
lengths, a short bar too), whose ABC output music21 reads back without error.

    python bench/continue_validity.py [--tunes 20] [--models NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time

from _data import split_ids, tune_source

from composer.cli.continue_ import bar_range_ticks, take_abc
from composer.generation.engine import continue_passage
from composer.generation.plan import plan_layout
from composer.generation.registry import ModelRegistry
from composer.generation.request import ContinueRequest, Sampling, Selection, Take
from composer.music.abc import parse_abc, read_abc, split_tunes
from composer.music.abc.tunes import file_header


def check_take(score, take, start, bars, mode, source) -> str:
    """'' if the take is exact, else the reason: it spans exactly the bars the bar rule
    plans (composer/generation/plan.py: replace, the written bars after the selection at
    their own lengths; insert, full bars of the meter), its bar lines are those bars',
    and its ABC (the tune's text with the take spliced in) reads back, by music21 too,
    to the same notes."""
    layout = plan_layout(score, start, bars, mode)
    want_end = layout[-1].end
    if (take.start, take.end) != (start, want_end):
        return f"span {take.start}-{take.end}, wanted {start}-{want_end}"
    new = [n for t in take.score.tracks for n in t.notes if start <= n.start < want_end]
    if not new:
        return "no notes in the new bars"
    if any(n.end > want_end for n in new):
        return "a note overruns the last new bar"
    starts = take.score.bar_starts(want_end + 1)
    inside = [s for s in starts if start <= s <= want_end]
    expected = [start] + [b.end for b in layout]
    if inside != expected:
        return f"bar lines {inside} != {expected}"
    text = take_abc(source, take, score.title).text
    try:
        import music21

        music21.converter.parse(source[0] + text, format="abc")
        back = read_abc(source[0] + text)
    except Exception as e:  # noqa: BLE001 - a bench reports every failure
        return f"ABC output unreadable: {e}"
    got = [n for t in back.tracks for n in t.notes if start <= n.start < want_end]
    if sorted((n.start, n.end, n.pitch) for n in got) != sorted(
        (n.start, n.end, n.pitch) for n in new
    ):
        return "ABC output reads back to different notes"
    return ""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tunes", type=int, default=20)
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--bars", type=int, default=8)
    args = ap.parse_args()
    ids = split_ids("test")[: args.tunes]
    registry = ModelRegistry()
    names = args.models or [i.name for i in registry.list() if not i.problem]
    for name in names:
        for mode in ("replace", "insert"):
            ok, misses, t0 = 0, [], time.perf_counter()
            for k, tune_id in enumerate(ids):
                path, x = tune_source(tune_id)
                file_text = path.read_text()
                parsed = parse_abc(file_text, x=x)
                score = parsed.score
                source = (file_header(file_text, split_tunes(file_text)), str(parsed.tune))
                start, end = bar_range_ticks(score, 1, 4)
                req = ContinueRequest(score, Selection(start, end), args.bars, name,
                                      Sampling(seed=k), mode=mode)
                try:
                    takes = [t for t in continue_passage(req, registry) if isinstance(t, Take)]
                    reason = check_take(score, takes[0], end, args.bars, mode, source)
                except Exception as e:  # noqa: BLE001
                    reason = f"{type(e).__name__}: {e}"
                if reason:
                    misses.append(f"{tune_id}: {reason}")
                else:
                    ok += 1
            dt = time.perf_counter() - t0
            print(f"{name:<14} {mode:<8} exact {ok}/{len(ids)}  ({dt:.1f} s)")
            for m in misses:
                print(f"    miss {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
