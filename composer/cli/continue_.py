"""``composer continue IN --bars K -o OUT``: continue a passage of a tune with a model.

Bars are numbered as musicians do: a pickup (anacrusis) is bar 0 and the first full bar
is bar 1; selecting from bar 1 includes the pickup, which leads into it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from composer.cli.errors import CliError
from composer.cli.options import add_tune_options, tune_selection
from composer.cli.reading import read_input
from composer.music.io import ABC_EXTENSIONS, read_text, write_score


def add_parser(sub) -> None:
    p = sub.add_parser(
        "continue", help="continue a passage of a tune with a model",
        description="Take bars A..B of IN as the seed and let a model continue them by K bars. "
        "OUT is .abc (one tune per variation) or .mid (one file per variation, -1, -2 ... "
        "suffixes when there are several).",
    )
    p.add_argument("input", metavar="IN")
    add_tune_options(p)
    p.add_argument("--from-bar", type=int, metavar="A", help="first bar of the seed (default 1)")
    p.add_argument("--to-bar", type=int, metavar="B",
                   help="last bar of the seed (default: the last)")
    p.add_argument("--bars", type=int, required=True, metavar="K", help="bars to add")
    p.add_argument("--variations", type=int, default=1, metavar="V")
    p.add_argument("--model", metavar="NAME", help="a model from `composer models` "
                   "(default: the default model)")
    p.add_argument("--temperature", type=float, default=1.0, metavar="T")
    p.add_argument("--top-k", type=int, default=0, metavar="K")
    p.add_argument("--top-p", type=float, default=1.0, metavar="P")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (same seed, same music)")
    p.add_argument("--mode", choices=("replace", "insert"), default="replace",
                   help="replace the bars after the selection (default) or insert before them")
    p.add_argument("--context", action="store_true",
                   help="also give the model everything before the selection")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run)


def bar_range_ticks(score, first: int | None, last: int | None) -> tuple[int, int]:
    """Ticks ``[start, end)`` of bars ``first..last`` (musicians' numbering, see the
    module docstring); raises :class:`CliError` when out of range."""
    bars = score.bars()
    pickup = 1 if score.pickup_ticks else 0
    count = len(bars) - pickup  # the last bar number
    first = 1 if first is None else first
    last = count if last is None else last
    if not bars:
        raise CliError("the tune has no bars")
    if not (pickup == 0 and first >= 1 or pickup and first >= 0) or first > count:
        raise CliError(f"--from-bar {first} is out of range: the tune has bars "
                       f"{0 if pickup else 1} to {count}")
    if not first <= last <= count:
        raise CliError(f"--to-bar {last} is out of range: choose {first} to {count}")
    start_index = first - 1 + pickup
    if first == 1 and pickup:
        start_index = 0
    return bars[start_index][0], bars[last - 1 + pickup][1]


def _check_args(args) -> None:
    if args.bars <= 0:
        raise CliError(f"--bars must be at least 1, not {args.bars}")
    if args.variations <= 0:
        raise CliError(f"--variations must be at least 1, not {args.variations}")
    if args.temperature <= 0:
        raise CliError("--temperature must be above 0")
    if args.top_k < 0 or not 0 < args.top_p <= 1:
        raise CliError("--top-k must be >= 0 and --top-p in (0, 1]")
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".abc", ".mid", ".midi"):
        raise CliError(f"cannot write {args.output}: OUT must end in .abc, .mid or .midi")


def run(args) -> int:
    _check_args(args)
    from composer.generation.engine import continue_passage
    from composer.generation.registry import ModelRegistry
    from composer.generation.request import ContinueRequest, Sampling, Selection, Take

    score = read_input(args.input, **tune_selection(args))
    start, end = bar_range_ticks(score, args.from_bar, args.to_bar)
    registry = ModelRegistry()
    model = args.model or registry.default_name()
    if model is None:
        raise CliError("no usable model is installed; see `composer models`")
    request = ContinueRequest(
        score=score, selection=Selection(start, end), bars=args.bars, model=model,
        sampling=Sampling(args.temperature, args.top_k, args.top_p, args.seed),
        variations=args.variations, mode=args.mode, context=args.context,
    )
    takes: list[Take] = []
    for item in continue_passage(request, registry):
        if isinstance(item, Take):
            takes.append(item)
        elif not args.quiet:
            print(f"\rvariation {item.variation + 1}: {item.bars_done}/{args.bars} bars",
                  end="", file=sys.stderr, flush=True)
    if not args.quiet:
        print(file=sys.stderr)
    _write(takes, Path(args.output), score.title, abc_source(args.input, args))
    return 0


def _write(takes, out: Path, title: str, source: tuple[str, str] | None) -> None:
    """Write the takes: to ABC as the input tune with only the new bars changed
    (``source``: the input's file header and tune text, when it is ABC) or written
    anew (from MIDI or MusicXML); to MIDI one file per take."""
    import dataclasses

    if out.suffix.lower() == ".abc":
        from composer.music.abc import score_to_abc
        from composer.music.atomic import atomic_write

        tunes = []
        for t in takes:
            if source is None:
                name = f"{title or 'Untitled'} (take {t.variation + 1}, seed {t.seed})"
                s = dataclasses.replace(t.score, title=name)
                tunes.append(score_to_abc(s, x=t.variation + 1).rstrip("\n"))
                continue
            number = t.variation + 1 if len(takes) > 1 else None
            result = take_abc(source, t, title, number)
            if not result.spliced:
                print(f"warning: take {t.variation + 1}: the tune was written anew "
                      f"({result.reason})", file=sys.stderr)
            tunes.append(result.text.rstrip("\n"))
        head = source[0] if source is not None else ""
        if head and not head.endswith("\n\n"):
            head = head.rstrip("\n") + "\n\n"
        atomic_write(out, head + "\n\n".join(tunes) + "\n")
        return
    for t in takes:
        path = out
        if len(takes) > 1:
            path = out.with_name(f"{out.stem}-{t.variation + 1}{out.suffix}")
        write_score(t.score, path)


def take_abc(source: tuple[str, str], take, title: str, number: int | None = None):
    """The input tune's text (``source``: file header, tune text) with ``take``
    spliced in (:func:`~composer.music.abc.splice.splice_abc`), its ``T:`` line naming
    the take and, given ``number``, its ``X:`` renumbered. Returns the
    :class:`~composer.music.abc.splice.Splice` with that text."""
    import dataclasses

    from composer.music.abc.headers import with_number, with_title
    from composer.music.abc.splice import splice_abc

    header, tune = source
    result = splice_abc(tune, take.score, header=header, edited=take.edited)
    text = with_title(result.text, f"{title or 'Untitled'} (take {take.variation + 1}, "
                                   f"seed {take.seed})")
    if number is not None:
        text = with_number(text, number)
    return dataclasses.replace(result, text=text)


def abc_source(path: str, args) -> tuple[str, str] | None:
    """The file header and the text of the chosen tune when ``path`` is ABC."""
    if Path(path).suffix.lower() not in ABC_EXTENSIONS:
        return None
    from composer.music.abc import parse_abc, split_tunes
    from composer.music.abc.tunes import file_header

    text = read_text(path)
    selection = tune_selection(args)
    tune = parse_abc(text, **selection, source=Path(path).name).tune
    return file_header(text, split_tunes(text)), str(tune)
