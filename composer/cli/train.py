"""``composer train``: train a model of any kind (the kinds table says which recipe a
preset belongs to) on the one training loop.

Streams a progress line (step, training and validation loss in the kind's unit,
tokens or characters per second, ETA), keeps the best checkpoint on the validation
data in ``--out``, and resumes when run again with the same arguments after a stop.
``--nproc N`` starts the same command on N processes with torchrun (or run it under
``torchrun --nproc-per-node N [--nnodes M ...] -m composer train ...`` directly).
"""

from __future__ import annotations

import sys
import time

from composer.cli.errors import CliError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train a model",
        description="Train a model: a character LSTM on ABC tunes (presets folk, char-rnn, "
                    "window-lstm) or a MIDI model (macnet-folk, piano-lstm). Run the same "
                    "command again to resume a stopped run.")
    p.add_argument("--preset", default=None, metavar="NAME",
                   help="training preset (default folk); see the list in the error for "
                        "an unknown name")
    p.add_argument("--data", nargs="+", required=True, metavar="PATH",
                   help="files or folders of the preset's data (ABC tunes or MIDI files)")
    p.add_argument("--splits", metavar="FILE",
                   help="JSON file mapping split names to ids (e.g. Nottingham's "
                        "splits.json); without it the preset's own rule holds some back")
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
    p.add_argument("--nproc", type=int, metavar="N",
                   help="train on N processes on this machine (starts torchrun)")
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


def settings_of(config) -> dict:
    """Every setting ``--set`` may change, with its current value (a MIDI preset's
    architecture settings included)."""
    values = dict(config.to_json())
    model = values.pop("model", None)
    if isinstance(model, dict):
        values.update(model)
    if "transpose" in values:
        values["transpose"] = tuple(values["transpose"])
    return values


def preset_config(preset: str, args):
    """``(kind, recipe module, config)`` of ``preset`` with ``--set``, ``--seed``,
    ``--steps`` and ``--max-minutes`` applied."""
    from composer.generation.kinds import UnknownKindError, kind_of_preset

    try:
        kind = kind_of_preset(preset)
    except UnknownKindError as e:
        raise CliError(str(e)) from None
    module = kind.recipe_module()
    config = module.PRESETS[preset]
    known = settings_of(config)
    changes = {}
    for item in args.set:
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or key not in known:
            raise CliError(f"--set {item!r}: expected KEY=VALUE with a known setting "
                           f"({', '.join(sorted(known))})")
        try:
            changes[key] = _parse_value(value, known[key])
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
    return kind, module, config.with_overrides(**changes)


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


def clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressPrinter:
    """One progress line on stderr: redrawn in place on a terminal, else one line per
    evaluation."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        if not p.evaluated and (not self.tty or now - self.last < 0.5):
            return
        self.last = now
        done = int(20 * min(1.0, p.step / p.steps))
        valid = f"{p.valid:.4f}" if p.valid is not None else "-"
        best = f"{p.best_valid:.4f}" if p.best_valid is not None else "-"
        per = "chars" if p.unit.endswith("char") else "tokens"
        line = (f"step {p.step}/{p.steps} [{'#' * done}{'.' * (20 - done)}] "
                f"loss {p.train_loss:.4f} valid {valid} (best {best}) {p.unit}  "
                f"{p.per_s / 1000:.1f}k {per}/s  {clock(p.elapsed_s)} ETA {clock(p.eta_s)}")
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if p.evaluated else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def run(args) -> int:
    if args.nproc is not None:
        from composer.cli.launch import relaunch

        return relaunch(args.nproc)
    from pathlib import Path

    from composer.generation.kinds import DEFAULT_KIND
    from composer.training import distributed
    from composer.training.loop import train
    from composer.training.source import DataSource

    preset = args.preset or DEFAULT_KIND.presets[0]
    kind, module, config = preset_config(preset, args)
    out = Path(args.out)
    source = DataSource(tuple(args.data), args.splits, tuple(args.extra),
                        out / "train-state" / "cache")
    recipe = module.make_recipe(config, source)
    card = {"preset": preset}
    if args.card:
        card.update(_card_file(args.card))
    quiet = args.quiet or distributed.rank() != 0
    if not quiet:
        world = distributed.world_size()
        on = f" on {world} processes" if world > 1 else ""
        print(f"training {preset} ({kind.title}){on}; model in {out}", file=sys.stderr)
    try:
        result = train(recipe, out, None if quiet else ProgressPrinter(), card_extra=card)
    finally:
        distributed.teardown()
    if distributed.rank() == 0:
        best = f"{result.best_valid:.4f}" if result.best_valid is not None else "-"
        print(f"done: {result.steps} steps in {clock(result.elapsed_s)} "
              f"(CPU {clock(result.cpu_s)}); best valid {best} {recipe.unit} at step "
              f"{result.best_step}; model in {result.out}")
    return 0
