"""Options shared by several subcommands."""

from __future__ import annotations


def add_tune_options(parser) -> None:
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--tune", type=int, metavar="N",
                   help="the tune with X: N in a multi-tune ABC file")
    g.add_argument("--index", type=int, metavar="I",
                   help="the I-th tune of a multi-tune ABC file, from 1 (see `composer info`)")


def tune_selection(args) -> dict:
    """Keyword arguments for :func:`composer.music.io.read_score`."""
    index = None if args.index is None else args.index - 1
    return {"x": args.tune, "index": index}
