"""``composer convert IN OUT``: between ABC, MIDI and MusicXML (in) and ABC, MIDI (out).
The reader's warnings (ABC lengths rounded to whole ticks) go to stderr."""

from __future__ import annotations

from composer.cli.options import add_tune_options, tune_selection
from composer.cli.reading import read_input
from composer.music.io import write_score


def add_parser(sub) -> None:
    p = sub.add_parser(
        "convert",
        help="convert a tune between ABC, MIDI and MusicXML",
        description="Convert IN (.abc, .mid, .midi, .musicxml, .xml, .mxl) to OUT (.abc, .mid). "
        "The output is written atomically: it is complete or absent.",
    )
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    add_tune_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    score = read_input(args.input, **tune_selection(args))
    write_score(score, args.output)
    return 0
