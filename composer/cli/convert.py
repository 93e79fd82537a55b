"""``composer convert IN OUT``: between ABC, MIDI and MusicXML (in) and ABC, MIDI (out).
The reader's warnings (ABC lengths rounded to whole ticks) go to stderr.

ABC to ABC copies the chosen tune's text as the user wrote it (with the file header
before the first tune, which holds defaults for every tune): nothing was asked to
change, so nothing is rewritten."""

from __future__ import annotations

from pathlib import Path

from composer.cli.options import add_tune_options, tune_selection
from composer.cli.reading import read_input
from composer.music.atomic import atomic_write
from composer.music.io import ABC_EXTENSIONS, read_text, write_score


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
    if all(Path(p).suffix.lower() in ABC_EXTENSIONS for p in (args.input, args.output)):
        atomic_write(args.output, _tune_text(args))
        return 0
    write_score(score, args.output)
    return 0


def _tune_text(args) -> str:
    """The chosen tune's text as written, after the file's header."""
    from composer.music.abc import parse_abc, split_tunes
    from composer.music.abc.tunes import file_header

    text = read_text(args.input)
    tune = str(parse_abc(text, **tune_selection(args)).tune)
    header = file_header(text, split_tunes(text))
    if header and not header.endswith("\n\n"):
        header = header.rstrip("\n") + "\n\n"
    return header + tune.rstrip("\n") + "\n"
