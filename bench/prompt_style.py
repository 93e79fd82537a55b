"""Which ABC should the folk codec write a seed in? The shipped folk model reads the
Nottingham test tunes three ways: as written in the files, and rewritten by our ABC
writer with (a) the unit it would choose on its own (fewest characters) and (b) the
training style as the folk codec writes its prompts
(:func:`composer.generation.folk.codec.style_abc`), with and without its unit. Printed:
bits per note (a tune's body bits over its notes: the same music, so the fewer bits
the more at home the model is) and the ratio of each to the file's own text.

    python bench/prompt_style.py
"""

from __future__ import annotations

import sys
from collections import Counter

from _data import split_ids, tune_source

from composer.generation.folk.prompt import style_abc, style_unit
from composer.music.abc import read_abc
from composer.music.abc.writer import choose_unit
from composer.nn import checkpoint
from composer.paths import shipped_models_dir
from composer.training.corpus import AbcTune, read_tunes
from composer.training.evaluate import score_tunes


def as_tune(tune_id: str, text: str) -> AbcTune:
    header, body = text.split("\nK:", 1)
    key_line, _, body = body.partition("\n")
    return AbcTune(tune_id, f"{header}\nK:{key_line}\n", body)


def main() -> int:
    ids = split_ids("test")
    loaded = checkpoint.load(shipped_models_dir() / "folk-abc")
    model, vocab = loaded.model, loaded.vocab
    files = {t.id: t for t in read_tunes([tune_source(ids[0])[0].parent])}
    # The writer's own choices (what the prompts were before), the style with the
    # writer's unit, and the style as the folk codec writes its prompts.
    variants = {
        "writer's own": {"unit": None, "short_halves": True, "spacing": None},
        "style, own unit": {"unit": None},
        "style": {},
    }
    written: dict[str, list[AbcTune]] = {"file": [], **{name: [] for name in variants}}
    notes = 0
    units: Counter = Counter()
    for tune_id in ids:
        path, x = tune_source(tune_id)
        score = read_abc(path.read_text(), x=x)
        notes += sum(len(t.notes) for t in score.tracks)
        written["file"].append(files[tune_id])
        units[choose_unit(list(score.tracks)) == style_unit(score.meters[0])] += 1
        for name, options in variants.items():
            written[name].append(as_tune(tune_id, style_abc(score, **options)))
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
