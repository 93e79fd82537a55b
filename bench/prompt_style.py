"""Which ``L:`` should the folk codec write a seed in? The shipped folk model reads the
Nottingham test tunes three ways: as written in the files, and rewritten by our ABC
writer with (a) the unit it would choose on its own (fewest characters) and (b) the
training style's unit (:func:`composer.generation.abc_codec.style_unit`). Printed:
bits per note (a tune's body bits over its notes: the same music, so the fewer bits
the more at home the model is) and the ratio of each to the file's own text.

    python bench/prompt_style.py
"""

from __future__ import annotations

import sys
from collections import Counter
from fractions import Fraction

from _data import split_ids, tune_source

from composer.generation.abc_codec import STYLE_LINE, style_spacing, style_unit
from composer.music.abc import read_abc, score_to_abc
from composer.music.abc.writer import choose_unit
from composer.nn import checkpoint
from composer.paths import shipped_models_dir
from composer.training.corpus import AbcTune, read_tunes
from composer.training.evaluate import score_tunes


def as_tune(tune_id: str, text: str, style: bool = False) -> AbcTune:
    """``text`` with the header the folk codec writes (no ``Q:``, the style comment;
    with ``style``, no ``L:`` line where it is ABC's default, as in the training tunes)."""
    lines = text.split("\n")
    k = next(i for i, line in enumerate(lines) if line.startswith("K:"))
    header = [line for line in lines[:k] if not line.startswith("Q:")
              and not (style and line == "L:1/8" and _meter(lines) >= Fraction(3, 4))]
    header.insert(2, STYLE_LINE)
    return AbcTune(tune_id, "\n".join(header + [lines[k]]) + "\n", "\n".join(lines[k + 1:]))


def _meter(lines: list[str]) -> Fraction:
    m = next(line for line in lines if line.startswith("M:"))[2:]
    return Fraction(m.replace("C|", "2/2").replace("C", "4/4"))


def main() -> int:
    ids = split_ids("test")
    loaded = checkpoint.load(shipped_models_dir() / "folk-abc")
    model, vocab = loaded.model, loaded.vocab
    files = {t.id: t for t in read_tunes([tune_source(ids[0])[0].parent])}
    variants = {
        "writer's own": {},
        "style, own unit": {"short_halves": False, "spacing": style_spacing},
        "style": {"short_halves": False, "spacing": style_spacing, "unit": "style"},
    }
    written: dict[str, list[AbcTune]] = {"file": [], **{name: [] for name in variants}}
    notes = 0
    units: Counter = Counter()
    for tune_id in ids:
        path, x = tune_source(tune_id)
        score = read_abc(path.read_text(), x=x)
        notes += sum(len(t.notes) for t in score.tracks)
        written["file"].append(files[tune_id])
        own = choose_unit(list(score.tracks))
        style = style_unit(score.meters[0])
        units[(own == style)] += 1
        for name, options in variants.items():
            options = dict(options)
            if options.get("unit") == "style":
                options["unit"] = style
            written[name].append(as_tune(tune_id, score_to_abc(score, **options),
                                         style="spacing" in options))
    print(f"{len(ids)} test tunes, {notes} notes; the writer's own unit is the style's "
          f"in {units[True]} of them")
    base = None
    for name, tunes in written.items():
        result = score_tunes(model, vocab, tunes)
        bits = result.bits_per_char * result.chars
        per_note = bits / notes
        base = base or per_note
        print(f"{name:<16} {per_note:6.3f} bits/note  {result.bits_per_char:.3f} bits/char  "
              f"ratio to the file {per_note / base:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
