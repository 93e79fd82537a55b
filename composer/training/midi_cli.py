"""``composer train`` and ``composer eval`` for the MIDI models (MAC-Net, piano LSTM).

``composer train --preset macnet-folk --data MIDI_FOLDER --splits splits.json --out DIR``
(Nottingham MIDI; ids are file stems) or ``--preset piano-lstm --data FOLDER`` (ids are
``<folder>/<stem>``; without ``--splits`` the fixed split of
:func:`composer.training.midi_piano.make_split`). A progress line shows the training
loss and the validation NLL in nats per token, tokens per second and the ETA; the best
model on ``valid`` is kept in ``--out``; running the same command again resumes.

``composer eval MODEL_DIR --midi PATH... [--splits FILE --split test] --json`` prints
the model's metrics (see :func:`evaluate`).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from composer.training.corpus import DataError, load_splits

MIDI_PRESETS = ("macnet-folk", "piano-lstm")
"""Presets handled here (the names ``composer train --preset`` accepts for MIDI)."""
MIDI_KINDS = ("macnet", "piano-lstm")


def _recipe(name: str):
    if name in ("macnet-folk", "macnet"):
        from composer.training import midi_macnet

        return midi_macnet
    from composer.training import midi_piano

    return midi_piano


def _parse(text: str, current):
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes")
    if isinstance(current, int):
        return int(text)
    if isinstance(current, float):
        return float(text)
    return text


def train_config(args):
    """The preset of ``args.preset`` with ``--set``, ``--seed``, ``--steps`` and
    ``--max-minutes`` applied."""
    recipe = _recipe(args.preset)
    config = recipe.PRESETS[args.preset]
    changes = {}
    known = {**config.to_json(), **config.model}
    for item in args.set:
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or key not in known or key == "model":
            raise DataError(f"--set {item!r}: expected KEY=VALUE with a known setting "
                            f"({', '.join(sorted(k for k in known if k != 'model'))})")
        try:
            changes[key] = _parse(value, known[key])
        except ValueError:
            raise DataError(f"--set {item!r}: {value!r} is not a valid value") from None
    for key in ("seed", "steps", "max_minutes"):
        value = getattr(args, key, None)
        if value is not None:
            if key != "seed" and value <= 0:
                raise DataError(f"--{key.replace('_', '-')} must be positive")
            changes[key] = value
    return recipe, config.with_overrides(**changes)


def _split_files(recipe, args):
    if recipe.KIND == "macnet":
        files = recipe.midi_files(args.data)
        if not args.splits:
            raise DataError("MAC-Net needs --splits FILE (e.g. Nottingham's splits.json)")
        splits = load_splits(args.splits)
        return files, splits, recipe.split_files
    files = recipe.piano_files(args.data)
    splits = load_splits(args.splits) if args.splits else recipe.make_split(files)
    return files, splits, recipe.select


def run_train(args) -> int:
    from composer.training.midi_train import train_midi

    if getattr(args, "extra", None):
        raise DataError("--extra is for ABC training; the MIDI presets train on --data only")
    recipe, config = train_config(args)
    files, splits, pick = _split_files(recipe, args)
    out = Path(args.out)
    description = {"files": [str(Path(p)) for p in args.data],
                   "splits_file": str(args.splits) if args.splits else "built-in split by piece",
                   "train_split": "train", "valid_split": "valid"}
    if not args.splits and recipe.KIND == "piano-lstm":
        description["split"] = splits
    task = recipe.make_task(pick(files, splits, "train"), pick(files, splits, "valid"),
                            out / "train-state" / "cache", config.model, description)
    task.card["preset"] = args.preset
    if not args.quiet:
        print(f"training {args.preset} on {len(task.train.ids)} pieces "
              f"({task.train.tokens} tokens), validating on {len(task.valid.ids)}; "
              f"model in {out}", file=sys.stderr)
    result = train_midi(task, config, out, None if args.quiet else ProgressLine())
    best = f"{result.best_valid_nll:.4f}" if result.best_valid_nll is not None else "-"
    print(f"done: {result.steps} steps in {_clock(result.elapsed_s)} "
          f"(CPU {_clock(result.cpu_s)}); best valid {best} nats/token at step "
          f"{result.best_step}; model in {result.out}")
    return 0


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressLine:
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
        done = int(20 * min(1.0, p.step / p.steps))
        valid = f"{p.valid_nll:.4f}" if p.valid_nll is not None else "-"
        best = f"{p.best_valid_nll:.4f}" if p.best_valid_nll is not None else "-"
        line = (f"step {p.step}/{p.steps} [{'#' * done}{'.' * (20 - done)}] "
                f"loss {p.train_nll:.4f} valid {valid} (best {best}) nats/token  "
                f"{p.tokens_per_s / 1000:.1f}k tokens/s  {_clock(p.elapsed_s)} "
                f"ETA {_clock(p.eta_s)}")
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if p.evaluated else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def evaluate(model_dir: str | Path, data: list[str], splits_file: str | None,
             split: str | None) -> dict:
    """Metrics of a MIDI model on MIDI files (a split of them with ``splits_file``):
    MAC-Net: NLL per token and the frame NLL bound (nats per eighth-note frame, see
    :mod:`composer.training.midi_macnet`); piano LSTM: NLL per token."""
    from composer.nn import checkpoint

    card = checkpoint.read_card(model_dir)
    kind = card.get("kind")
    recipe = _recipe(kind)
    if kind == "macnet":
        import composer.generation.macnet.codec  # noqa: F401  (registers the kind)
        files = recipe.midi_files(data)
        pick = recipe.split_files
    else:
        import composer.generation.piano.codec  # noqa: F401
        files = recipe.piano_files(data)
        pick = recipe.select
    if splits_file:
        files = pick(files, load_splits(splits_file), split or "test")
    elif split:
        raise DataError("--split needs --splits FILE")
    ckpt = checkpoint.load(model_dir, kind=kind)
    scores = recipe.score_pieces(ckpt.model, ckpt.vocab, files)
    return dict({"kind": kind, "split": (split or "test") if splits_file else None},
                **scores.to_json())


def run_eval(args) -> int:
    result = evaluate(args.model, args.midi, args.splits, args.split)
    if getattr(args, "write_card", False):
        from composer.nn.checkpoint import record_metrics

        record_metrics(args.model, result["split"] or "given_pieces", result, {})
    if args.json:
        print(json.dumps(result))
        return 0
    line = (f"{result['pieces']} pieces, {result['tokens']} tokens: "
            f"{result['nll_per_token']:.4f} nats per token")
    if "frame_nll" in result:
        line += (f"; {result['frames']} eighth-note frames: {result['frame_nll']:.4f} nats "
                 "per frame (upper bound)")
    print(line)
    for reason in result.get("skipped", []):
        print(f"  skipped {reason}")
    return 0
