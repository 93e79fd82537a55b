"""``composer train``: train a character model on ABC tunes (see issue 3).

Streams a progress line (step, training and validation bits per character,
characters per second, ETA), keeps the best checkpoint on the validation tunes in
``--out``, and resumes when run again with the same arguments after a stop.
"""

from __future__ import annotations

import sys
import time
import zlib

from composer.cli.errors import CliError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train a model on ABC tunes",
        description="Train a character-level LSTM on ABC tunes. Run the same command again "
                    "to resume a stopped run.")
    p.add_argument("--preset", default=None, metavar="NAME",
                   help="training preset: folk (default), char-rnn, window-lstm; on MIDI "
                        "data: macnet-folk, piano-lstm")
    p.add_argument("--data", nargs="+", required=True, metavar="PATH",
                   help="ABC files or folders of them")
    p.add_argument("--splits", metavar="FILE",
                   help="JSON file mapping split names to tune ids (e.g. Nottingham's "
                        "splits.json); without it 1 tune in 20 is held out for validation")
    p.add_argument("--extra", nargs="+", default=[], metavar="PATH",
                   help="more ABC files or folders used for training only")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the model")
    p.add_argument("--seed", type=int, help="random seed (default: the preset's)")
    p.add_argument("--steps", type=int, help="training steps (default: the preset's)")
    p.add_argument("--max-minutes", type=float, help="stop after this many minutes")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a preset setting, e.g. --set hidden=384 (repeatable)")
    p.add_argument("--card", metavar="FILE",
                   help="JSON object merged into the model card (licence, attribution...)")
    p.add_argument("--quiet", action="store_true", help="print only the final summary")
    p.set_defaults(run=run)


def _parse_value(text: str, current):
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes")
    if isinstance(current, int):
        return int(text)
    if isinstance(current, float):
        return float(text)
    if isinstance(current, tuple):
        return tuple(int(v) for v in text.split(",") if v.strip())
    return text


def _config(args):
    from composer.training.config import DEFAULT_PRESET, preset

    config = preset(args.preset or DEFAULT_PRESET)
    changes = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not hasattr(config, key.strip()):
            raise CliError(f"--set {item!r}: expected KEY=VALUE with a known setting")
        try:
            changes[key.strip()] = _parse_value(value.strip(), getattr(config, key.strip()))
        except ValueError:
            raise CliError(f"--set {item!r}: {value!r} is not a valid value") from None
    if args.seed is not None:
        changes["seed"] = args.seed
    if args.steps is not None:
        if args.steps < 1:
            raise CliError("--steps must be at least 1")
        changes["steps"] = args.steps
    if args.max_minutes is not None:
        if args.max_minutes <= 0:
            raise CliError("--max-minutes must be positive")
        changes["max_minutes"] = args.max_minutes
    return config.with_overrides(**changes)


def load_data(args):
    from composer.training.corpus import load_splits, read_tunes, select
    from composer.training.trainer import TrainData

    tunes = read_tunes(args.data)
    description = {"files": sorted({t.source for t in tunes})}
    if args.splits:
        splits = load_splits(args.splits)
        train, valid = select(tunes, splits, "train"), select(tunes, splits, "valid")
        description.update(splits_file=str(args.splits), train_split="train",
                           valid_split="valid")
    else:
        held = [t for t in tunes if zlib.crc32(t.id.encode()) % 20 == 0]
        valid = held or tunes[-1:]
        train = [t for t in tunes if t not in valid]
        description.update(valid_split="1 in 20 tunes by crc32 of the id")
    extra = []
    if args.extra:
        from composer.training.clean import clean_tunes

        raw = read_tunes(args.extra)
        known = {t.body for t in tunes}
        for tune in clean_tunes(raw):
            if tune.body not in known:  # drops repeats (and anything also in --data)
                known.add(tune.body)
                extra.append(tune)
        description["extra_files"] = _collections(t.source for t in extra)
        description["extra_cleaning"] = "composer.training.clean (decorations, slurs, "\
            "grace notes, extra header fields removed; repeats dropped)"
    from composer.training.samples import out_of_key_rate

    description["out_of_key_rate"] = round(out_of_key_rate(t.text for t in train), 5)
    return TrainData(train, valid, description, extra)


def _collections(sources) -> dict[str, int]:
    """Files per folder, named without this machine's paths: a folder of music21's
    corpus as ``music21 corpus/NAME``, others as given (e.g. relative)."""
    from pathlib import Path

    import music21

    corpus = Path(music21.__file__).resolve().parent / "corpus"
    counts: dict[str, int] = {}
    for source in sources:
        path = Path(source)
        try:
            name = "music21 corpus/" + path.resolve().relative_to(corpus).parts[0]
        except ValueError:
            name = str(path.parent)
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def _card_file(path: str) -> dict:
    import json
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CliError(f"--card {path}: cannot read a JSON object ({e})") from None
    if not isinstance(data, dict):
        raise CliError(f"--card {path}: not a JSON object")
    return data


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressPrinter:
    """One progress line on stderr: redrawn in place on a terminal, else one line per
    evaluation."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        if not p.evaluated and (not self.tty or now - self.last < 0.5):
            return
        self.last = now
        done = int(20 * p.step / p.steps)
        valid = f"{p.valid_bpc:.3f}" if p.valid_bpc is not None else "-"
        best = f"{p.best_valid_bpc:.3f}" if p.best_valid_bpc is not None else "-"
        line = (f"step {p.step}/{p.steps} [{'#' * done}{'.' * (20 - done)}] "
                f"loss {p.train_bpc:.3f} valid {valid} (best {best}) bits/char  "
                f"{p.chars_per_s / 1000:.1f}k chars/s  {_clock(p.elapsed_s)} ETA {_clock(p.eta_s)}")
        if self.tty:
            end = "\n" if p.evaluated else ""
            self.stream.write("\r\033[K" + line + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


MIDI_PRESETS = ("macnet-folk", "piano-lstm")
"""Presets trained on MIDI files (see composer.training.midi_cli)."""


def run(args) -> int:
    if args.preset in MIDI_PRESETS:
        from composer.training.midi_cli import run_train

        return run_train(args)
    from composer.training.trainer import train

    config = _config(args)
    data = load_data(args)
    augment = None
    if config.transpose:
        from composer.training.augment import transposer

        augment = transposer(config.transpose)
    card = {"preset": args.preset or "folk"}
    if args.card:
        card.update(_card_file(args.card))
    if not args.quiet:
        print(f"training on {len(data.train)} tunes, validating on {len(data.valid)}; "
              f"model in {args.out}", file=sys.stderr)
    result = train(config, data, args.out, None if args.quiet else ProgressPrinter(),
                   augment=augment, card_extra=card)
    best = f"{result.best_valid_bpc:.4f}" if result.best_valid_bpc is not None else "-"
    print(f"done: {result.steps} steps in {_clock(result.elapsed_s)}; best valid "
          f"{best} bits/char at step {result.best_step}; model in {result.out}")
    return 0
