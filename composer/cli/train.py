"""``composer train``: train a model of any kind (the kinds table says which recipe a
preset belongs to) on the one training loop.

Streams a progress line (step, training and validation loss in the kind's unit,
tokens or characters per second, ETA), keeps the best checkpoint on the validation
data in ``--out``, and resumes when run again with the same arguments after a stop.
``--nproc N`` starts the same command on N processes with torchrun (or run it under
``torchrun --nproc-per-node N [--nnodes M ...] -m composer train ...`` directly).

``--from MODEL --data FOLDER`` fine-tunes a trained model on the tunes of a folder
(:mod:`composer.training.finetune`) into the user's models folder (``--name``) or
``--out``; skipped files are listed, and the base's figure on the held-out tunes is
printed beside the new one.
"""

from __future__ import annotations

import sys
import time

from composer.cli.errors import CliError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train a model",
        description="Train a model: a character LSTM on ABC tunes (presets folk, char-rnn, "
                    "window-lstm) or a MIDI model (macnet-folk, piano-lstm); or, with "
                    "--from, fine-tune a trained model on your own tunes. Run the same "
                    "command again to resume a stopped run.")
    p.add_argument("--from", dest="base", metavar="MODEL",
                   help="fine-tune this model (a name from 'composer models', or a model "
                        "folder) on the tunes in --data (ABC or MIDI files, as the model "
                        "reads; any folder layout); the new model goes into your models "
                        "folder")
    p.add_argument("--name", metavar="NAME",
                   help="with --from: the new model's name (default: MODEL-mine)")
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
    p.add_argument("--out", metavar="DIR",
                   help="folder for the model (required unless --from is given)")
    p.add_argument("--seed", type=int, help="random seed (default: the preset's)")
    p.add_argument("--steps", type=int, help="training steps (default: the preset's)")
    p.add_argument("--max-minutes", type=float,
                   help="stop after this many minutes (with --from and no --steps, the "
                        "schedule follows the time)")
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
    changes = setting_changes(config, args)
    if args.steps is not None:
        changes["steps"] = args.steps
    if args.max_minutes is not None:
        changes["max_minutes"] = args.max_minutes
    return kind, module, config.with_overrides(**changes)


def setting_changes(config, args, fixed: frozenset[str] = frozenset()) -> dict:
    """The settings ``--set`` and ``--seed`` change in ``config`` (parsed by the type of
    their current value); ``--steps`` and ``--max-minutes`` are checked. ``fixed``
    names settings that may not change."""
    known = settings_of(config)
    changes = {}
    for item in args.set:
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or key not in known:
            raise CliError(f"--set {item!r}: expected KEY=VALUE with a known setting "
                           f"({', '.join(sorted(set(known) - fixed))})")
        if key in fixed:
            raise CliError(f"--set {item!r}: a fine-tuned model keeps its base's "
                           f"architecture ({', '.join(sorted(fixed))})")
        try:
            changes[key] = _parse_value(value, known[key])
        except ValueError:
            raise CliError(f"--set {item!r}: {value!r} is not a valid value") from None
    if args.seed is not None:
        changes["seed"] = args.seed
    if args.steps is not None and args.steps < 1:
        raise CliError("--steps must be at least 1")
    if args.max_minutes is not None and args.max_minutes <= 0:
        raise CliError("--max-minutes must be positive")
    return changes


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
        from composer.training.finetune import UNBOUNDED_STEPS

        self.unbounded = UNBOUNDED_STEPS  # a schedule its time budget ends
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.last = 0.0

    def __call__(self, p) -> None:
        now = time.monotonic()
        if not p.evaluated and (not self.tty or now - self.last < 0.5):
            return
        self.last = now
        # A time budget may end the run before its steps: the bar shows what is further.
        fraction = max(p.step / p.steps, p.elapsed_s / max(1e-9, p.elapsed_s + p.eta_s))
        done = int(20 * min(1.0, fraction))
        valid = f"{p.valid:.4f}" if p.valid is not None else "-"
        best = f"{p.best_valid:.4f}" if p.best_valid is not None else "-"
        per = "chars" if p.unit.endswith("char") else "tokens"
        of = f"/{p.steps}" if p.steps < self.unbounded else ""
        line = (f"step {p.step}{of} [{'#' * done}{'.' * (20 - done)}] "
                f"loss {p.train_loss:.4f} valid {valid} (best {best}) {p.unit}  "
                f"{p.per_s / 1000:.1f}k {per}/s  {clock(p.elapsed_s)} ETA {clock(p.eta_s)}")
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if p.evaluated else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def run(args) -> int:
    if args.base is not None:
        return fine_tune(args)
    if args.out is None:
        raise CliError("--out DIR is required (or --from MODEL to fine-tune a model)")
    if args.name is not None:
        raise CliError("--name goes with --from (the name of a fine-tuned model)")
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


def fine_tune(args) -> int:
    """``composer train --from MODEL --data FOLDER [--name NAME | --out DIR]``."""
    from pathlib import Path

    from composer import paths
    from composer.training import finetune

    for flag, given in (("--preset", args.preset), ("--splits", args.splits),
                        ("--extra", args.extra), ("--nproc", args.nproc),
                        ("--card", args.card)):
        if given:
            raise CliError(f"{flag} does not go with --from (a fine-tuned model keeps its "
                           "base's settings and learns from --data alone)")
    if len(args.data) != 1 or not Path(args.data[0]).is_dir():
        raise CliError("--data must be one folder of tunes with --from")
    if args.name is not None and args.out is not None:
        raise CliError("give --name or --out, not both")
    base = finetune.find_base(args.base)
    if args.out is not None:
        out = Path(args.out)
        name = out.name
    else:
        name = args.name or f"{base.name}-mine"
        finetune.check_name(name)
        out = paths.user_models_dir() / name
    config = finetune.base_config(base)
    changes = setting_changes(config, args, finetune.architecture_settings(config))
    tty = sys.stderr.isatty() and not args.quiet

    def say(text: str) -> None:  # what is being done, on a terminal only (redrawn)
        if tty:
            sys.stderr.write(f"\r\033[K{text}")
            sys.stderr.flush()

    prepared = finetune.prepare(base, args.data[0], out, name, changes, args.steps,
                                args.max_minutes, status=say)
    say("")
    unit = prepared.unit
    data = prepared.summary
    for line in prepared.skipped:
        print(f"skipped {line}", file=sys.stderr)
    if not args.quiet:
        unknown = data.get("unknown_chars")
        print(f"fine-tuning {base.name} ({base.kind.title}) on {_counts(data)}; "
              f"{len(prepared.skipped)} files skipped"
              + (f"; {unknown} characters the base does not know read as <unk>"
                 if unknown else "") + f"; model in {out}", file=sys.stderr)
        print(f"{base.name} on the held-out tunes: {prepared.before:.4f} {unit}",
              file=sys.stderr)
    outcome = finetune.run(prepared, None if args.quiet else ProgressPrinter())
    if not outcome.kept:
        print(f"done: {outcome.steps} steps; no model kept", file=sys.stderr)
        return 1
    change = outcome.change
    print(f"done: {outcome.steps} steps in {clock(outcome.elapsed_s)}; held-out "
          f"{outcome.before:.4f} -> {outcome.after:.4f} {unit} "
          f"({change:+.1%}) at step {outcome.best_step}; model {name!r} in {outcome.out}")
    return 0


def _counts(data: dict) -> str:
    train = data.get("train_tunes", data.get("train_pieces", 0))
    valid = data.get("valid_tunes", data.get("valid_pieces", 0))
    what = "tunes" if "train_tunes" in data else "pieces"
    return (f"{train} {what} ({valid} held out to check it) from {data.get('files_read', 0)} "
            f"files in {data.get('folder', '')}")
