"""Fine-tuning a trained model on the user's own tunes: ``composer train --from MODEL
--data FOLDER`` and the window's Models > Learn from my tunes.

**The base.** A model folder or a registered model's name; its card names its kind
(a row of :mod:`composer.generation.kinds`). The network is rebuilt with the base's
architecture and starts from its weights; the vocabulary is the base's (a character
the base lacks reads as ``<unk>``, counted; a MIDI step or bar length it lacks is read
as the nearest it has, as the codec reads a seed).

**The data.** A folder in any layout, searched recursively (hidden folders left out):
the ABC files for an ABC kind, the MIDI files for a MIDI kind. A file that cannot be
read (not text, no tune, not MIDI, no usable tracks) is skipped and listed with its
reason; files of the other format are counted as ignored. Validation tunes are held
out by a fixed rule (:func:`~composer.training.user_tunes.split_valid`): 1 in 10 by
crc32 of the tune's id (its path in the folder and its ``X:``; a MIDI piece's name), at
least one and at most 100 (the rest train).

**The run.** The base's own training settings with a fine-tuning schedule on top
(:data:`FINE_TUNE`: a lower learning rate, a short warm-up, frequent evaluation, no
extra collections), for ``steps`` or ``max_minutes`` (whichever ends first), on the one
training loop: the best weights on the validation tunes are kept in the output folder
whenever they improve, so stopping (:class:`Cancelled` raised from the progress
callback) leaves a complete model. The card names the base (``training.base``), the
data (folder, counts, skipped files with reasons), the figures (the base's on the same
validation tunes, ``base_valid_...``, and the fine-tuned ``valid_...``) and the
licence (the base's, plus "fine-tuned on the user's tunes").

Finding a base, listing what can be fine-tuned and checking names import no torch (the
window lists models at start-up); :func:`base_config`, :func:`prepare` and :func:`run`
do.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from composer import paths
from composer.generation.kinds import KINDS, ModelKind, model_kind
from composer.nn.card import ModelCard
from composer.training.corpus import DataError
from composer.training.user_tunes import (
    ABC_SUFFIXES,
    MIDI_SUFFIXES,
    VALID_RULE,
    find_files,
    read_abc_folder,
    split_valid,
)

PRESET = "fine-tune"
"""The card's ``training.preset`` of a fine-tuned model."""
DEFAULT_STEPS = 400
DEFAULT_MINUTES = 10.0
UNBOUNDED_STEPS = 1_000_000
"""The schedule's length when only a time budget is given (the budget ends it)."""
FINE_TUNE: dict[str, Any] = {"lr": 1e-3, "warmup": 20, "min_lr_ratio": 0.1, "eval_every": 25}
"""The fine-tuning schedule laid over the base's own settings."""
FOLK_FINE_TUNE: dict[str, Any] = {"main_repeat": 1, "main_tail": 0.0, "ema": 0.0}
FOLK_ARCHITECTURE = ("embed", "hidden", "layers", "weight_drop", "context", "window")
"""Folk settings a fine-tuned model keeps from its base (they shape the weights)."""
MAX_LISTED = 200
"""Most skipped files named on a card (the count is always complete)."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


class Cancelled(Exception):  # noqa: N818 (a request, not a failure)
    """Raised from the progress callback to stop training (the best weights so far stay
    in the output folder), and by :func:`prepare` when its ``cancelled()`` says so."""


# --- the base ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Base:
    """The model to start from: its name, folder, card and kind."""

    name: str
    folder: Path
    card: ModelCard
    kind: ModelKind


def can_fine_tune(kind: ModelKind | None) -> bool:
    """Whether models of ``kind`` can learn from a folder of tunes: a kind of the table
    trained on ABC tunes (with the folk recipe, the one recipe on ABC text) or on MIDI
    files (whose recipe module reads pieces and builds a task with a given
    vocabulary: ``read_pieces``, ``task_from_pieces``)."""
    return (kind is not None and KINDS.get(kind.name) is kind
            and kind.data in ("abc", "midi") and kind.recipe.startswith("composer.training."))


def find_base(name_or_folder: str | Path, registry=None) -> Base:
    """The base model: a model folder, or a name the registry lists (``composer
    models``). Raises :class:`DataError` (unknown name, unusable model, a kind that
    cannot be fine-tuned)."""
    from composer.generation.errors import GenerationError
    from composer.nn.card import read_card
    from composer.nn.errors import ModelFileError

    text = str(name_or_folder)
    folder = Path(text).expanduser()
    if folder.is_dir():
        try:
            card = read_card(folder)
        except ModelFileError as e:
            raise DataError(f"cannot fine-tune {text}: {e.reason}") from None
        name = card.name or folder.name
    else:
        if registry is None:
            from composer.generation.registry import ModelRegistry

            registry = ModelRegistry()
        try:
            info = registry.info(text)
        except GenerationError as e:
            raise DataError(str(e)) from None
        if info.problem or info.card is None:
            raise DataError(info.problem or f"model {text!r} has no readable card")
        folder, card, name = info.path, info.card, info.name
    try:
        kind = model_kind(card.kind)
    except GenerationError as e:
        raise DataError(f"cannot fine-tune {name}: it is {e}") from None
    if not can_fine_tune(kind):
        raise DataError(f"models of kind {kind.name!r} cannot learn from a folder of tunes")
    return Base(name, Path(folder), card, kind)


def fine_tunable(infos) -> list:
    """The registry's models (:class:`~composer.generation.registry.ModelInfo`) that
    can be fine-tuned: usable, of a kind with a recipe."""
    return [i for i in infos if not i.problem and i.card is not None
            and can_fine_tune(i.model_kind)]


# --- where the new model goes ------------------------------------------------------------
def check_name(name: str) -> None:
    """Raise :class:`DataError` unless ``name`` can name a model folder (letters,
    digits, ``. _ + -``; not a shipped model's name: the user's would hide it)."""
    if not _NAME.match(name):
        raise DataError(f"{name!r} cannot name a model: use letters, digits, '-', '_', "
                        "'.' or '+' (up to 64, starting with a letter or digit)")
    if (paths.shipped_models_dir() / name).exists():
        raise DataError(f"{name!r} is the name of a model that comes with Composer; "
                        "choose another name")


def default_name(base: str, models_dir: Path | None = None) -> str:
    """``BASE-mine``, or ``BASE-mine-2`` ... : the first name free in ``models_dir``
    (default: the user's models folder) and among the shipped models."""
    models_dir = paths.user_models_dir() if models_dir is None else Path(models_dir)
    stem = re.sub(r"[^A-Za-z0-9._+-]", "-", base).strip("-._+") or "model"
    stem = f"{stem[:50]}-mine"
    n = 1
    while True:
        name = stem if n == 1 else f"{stem}-{n}"
        if not (models_dir / name).exists() and not (paths.shipped_models_dir() / name).exists():
            return name
        n += 1


def check_output(out: Path, base: Base, resume: bool = True) -> None:
    """Refuse an output folder that is the base's or among the shipped models, or that
    holds anything but an unfinished run to resume (``resume`` false: anything at all;
    an empty folder is always fine)."""
    out = Path(out).resolve()
    shipped = paths.shipped_models_dir().resolve()
    if out == base.folder.resolve():
        raise DataError(f"{out} is the base model's own folder; the fine-tuned model needs "
                        "a new one")
    if out == shipped or shipped in out.parents:
        raise DataError(f"{out} is among the models that come with Composer; the fine-tuned "
                        "model goes into a folder of its own")
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return
    if resume and (out / "train-state").is_dir():
        return
    what = "a model" if (out / "card.json").is_file() else "other files"
    raise DataError(f"{out} already holds {what}; choose another name or folder")


# --- settings ----------------------------------------------------------------------------
def base_config(base: Base):
    """The base's training settings (its card's; the recipe's defaults when the card
    has none), its architecture as its weights have it, with :data:`FINE_TUNE` on
    top: a ``FolkConfig`` or a ``MidiConfig``. No torch."""
    saved = dict(base.card.training.config)
    if base.kind.data == "abc":
        from composer.training.folk import FolkConfig

        try:
            config = FolkConfig.from_json(saved)
        except (DataError, TypeError, ValueError):
            config = FolkConfig()
        names = {f.name for f in fields(FolkConfig)}
        arch = {k: v for k, v in base.card.config.items()
                if k in names and k in (*FOLK_ARCHITECTURE, "dropout")}
        return replace(config, **arch, **FOLK_FINE_TUNE, **FINE_TUNE)
    from composer.training.sequences import MidiConfig

    try:
        config = MidiConfig.from_json(saved)
    except (DataError, TypeError, ValueError):
        config = MidiConfig()
    return replace(config, **FINE_TUNE)


def architecture_settings(config) -> frozenset[str]:
    """Settings a fine-tuned model must keep from its base (``--set`` refuses them)."""
    model = getattr(config, "model", None)
    if isinstance(model, dict):
        return frozenset(model)
    return frozenset(FOLK_ARCHITECTURE)


def with_budget(config, steps: int | None, max_minutes: float | None):
    """``config`` for ``steps`` and/or ``max_minutes`` (whichever ends first): only a
    time budget leaves the schedule to it; neither gives :data:`DEFAULT_STEPS` within
    :data:`DEFAULT_MINUTES`. The warm-up is at most a fifth of the steps."""
    if steps is None and max_minutes is None:
        steps, max_minutes = DEFAULT_STEPS, DEFAULT_MINUTES
    warmup = config.warmup if steps is None else min(config.warmup, max(1, steps // 5))
    return replace(config, steps=steps if steps is not None else UNBOUNDED_STEPS,
                   max_minutes=max_minutes or 0.0, warmup=warmup)


def fit_batch(config, characters: int):
    """A folk ``config`` whose lanes fit ``characters`` of training text at least twice
    per epoch (a handful of tunes cannot fill 64 lanes of 128 characters)."""
    batch, bptt = config.batch, config.bptt
    while batch > 1 and characters // batch < 2 * bptt:
        batch //= 2
    while bptt > 16 and characters // batch < 2 * bptt:
        bptt //= 2
    if characters // batch < bptt:
        raise DataError(f"{characters} characters of tunes are too few to learn from")
    return replace(config, batch=batch, bptt=bptt)


# --- the run -----------------------------------------------------------------------------
class FineTuneRecipe:
    """A kind's recipe whose card says what fine-tuning made: the base, the data, the
    base's figure on the same validation data, the licence carried over. Everything
    else is the wrapped recipe's."""

    def __init__(self, recipe, base: Base, name: str, before: float | None):
        self.recipe = recipe
        self.base = base
        self.name = name
        self.before = before

    def __getattr__(self, attr):
        return getattr(self.recipe, attr)

    def card(self) -> ModelCard:
        inner = self.recipe.card()
        b = self.base.card
        lic = b.licence
        folder = inner.data.get("folder", "")
        weights = "; ".join(x for x in (lic.weights_licence, "fine-tuned on the user's tunes")
                            if x)
        licence = replace(lic, data="; ".join(x for x in (
            lic.data, f"fine-tuned on the user's tunes ({folder})") if x),
            weights_licence=weights)
        metrics = {} if self.before is None else {
            f"base_{self.base.kind.metric}": round(self.before, 4)}
        description = " ".join(x for x in (
            b.description or inner.description,
            f"Fine-tuned from {self.base.name} on the user's tunes.") if x)
        data = dict(inner.data)
        if isinstance(data.get("skipped"), list):
            data["skipped_files"] = len(data["skipped"])
            data["skipped"] = _listed(data["skipped"])
        return inner.replace(name=self.name, title="", description=description, data=data,
                             metrics=metrics, licence=licence)


@dataclass
class Prepared:
    """A fine-tuning run made ready: ``recipe`` (a :class:`FineTuneRecipe`), the base's
    network ``init``, the output folder, the base's validation figure ``before``, and
    what the data gave (``summary``: counts; ``skipped``: ``"path: reason"``)."""

    base: Base
    name: str
    out: Path
    recipe: FineTuneRecipe
    init: Any
    before: float
    summary: dict
    skipped: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return self.recipe.unit


@dataclass
class Outcome:
    """How a run ended: ``kept`` whether ``out`` holds a model (a run stopped before
    its first evaluation keeps none); figures in the kind's unit."""

    name: str
    out: Path
    base: str
    unit: str
    before: float
    after: float | None
    steps: int
    best_step: int
    elapsed_s: float
    finished: bool
    cancelled: bool
    kept: bool

    @property
    def change(self) -> float | None:
        """``after`` relative to ``before`` (-0.2: 20% lower)."""
        if self.after is None or not self.before:
            return None
        return self.after / self.before - 1.0


def prepare(base: Base, folder: str | Path, out: str | Path, name: str | None = None,
            changes: dict | None = None, steps: int | None = None,
            max_minutes: float | None = None, status: Callable[[str], None] | None = None,
            cancelled: Callable[[], bool] | None = None, resume: bool = True) -> Prepared:
    """Read the user's tunes in ``folder``, load ``base`` and measure it on the
    validation tunes (see the module docstring). ``changes`` are settings over the
    fine-tuning ones (architecture settings refused); ``status`` hears what is being
    done; ``cancelled`` is asked between the stages. Raises :class:`DataError` for an
    unusable folder, name or output, :class:`Cancelled` when asked to stop."""
    say = status or (lambda _text: None)

    def check() -> None:
        if cancelled is not None and cancelled():
            raise Cancelled()

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"no such folder: {folder}")
    out = Path(out).expanduser()
    name = name or out.name
    check_output(out, base, resume)
    config = base_config(base)
    fixed = architecture_settings(config)
    changes = dict(changes or {})
    bad = sorted(set(changes) & fixed)
    if bad:
        raise DataError(f"a fine-tuned model keeps its base's architecture: "
                        f"{', '.join(bad)} cannot be set")
    config = with_budget(config.with_overrides(**changes), steps, max_minutes)
    created = not out.exists()
    try:
        return _prepare(base, folder, out, name, config, say, check)
    except BaseException:
        if created:  # e.g. a MIDI cache made before the data turned out unusable
            shutil.rmtree(out, ignore_errors=True)
        raise


def _prepare(base: Base, folder: Path, out: Path, name: str, config,
             say: Callable[[str], None], check: Callable[[], None]) -> Prepared:
    say(f"Reading the tunes in {folder.name or folder}\u2026")
    if base.kind.data == "abc":
        items, summary, skipped = _abc_data(folder, base)
    else:
        items, summary, skipped = _midi_data(folder, base, out)
    check()
    say(f"Loading {base.name}\u2026")
    from composer.generation.loading import load_checkpoint

    checkpoint = load_checkpoint(base.folder, base.kind)
    if base.kind.data == "midi":
        items = _readable(items, checkpoint.vocab, base.name, skipped)
    items = split_valid(items, key=lambda item: item.id if base.kind.data == "abc"
                        else item.name)
    check()
    description = {"folder": str(folder), "format": base.kind.data, **summary,
                   "skipped": skipped, "valid_split": VALID_RULE,
                   "vocab": f"the base model's ({base.name})"}
    if base.kind.data == "abc":
        recipe = _folk_recipe(config, items, description, checkpoint)
    else:
        recipe = _midi_recipe(config, items, description, checkpoint, base)
    check()
    say(f"Measuring {base.name} on {len(items[1])} of your tunes\u2026")
    before = recipe.evaluate(checkpoint.model)
    wrapped = FineTuneRecipe(recipe, base, name, before)
    data = recipe.card().data
    return Prepared(base, name, out, wrapped, checkpoint.model, before, data,
                    list(data.get("skipped", skipped)))


def run(prepared: Prepared, callback: Callable | None = None, tidy: bool = True) -> Outcome:
    """Train ``prepared`` into its folder. ``callback(progress)`` after every step may
    raise :class:`Cancelled` to stop: the best weights so far stay (their card says the
    run was stopped). ``tidy`` removes the resumable state (optimizer moments, about
    three times the weights) once the run has ended either way; a
    ``KeyboardInterrupt`` always keeps it, so the same command resumes."""
    from composer.training.loop import train

    p = prepared
    last: list = []

    def report(progress) -> None:
        last[:] = [progress]
        if callback is not None:
            callback(progress)

    cancelled = False
    try:
        result = train(p.recipe, p.out, report, init=p.init,
                       card_extra={"base": p.base.name, "preset": PRESET})
        after, steps, best, elapsed, finished = (result.best_valid, result.steps,
                                                 result.best_step, result.elapsed_s,
                                                 result.finished)
    except Cancelled:
        cancelled, finished = True, False
        steps = last[0].step if last else 0
        elapsed = last[0].elapsed_s if last else 0.0
        after, best = _stopped(p.out, steps)
    kept = (p.out / "card.json").is_file()
    if tidy:
        shutil.rmtree(p.out / "train-state", ignore_errors=True)
        if not kept and p.out.is_dir() and not any(p.out.iterdir()):
            p.out.rmdir()
    return Outcome(p.name, p.out, p.base.name, p.unit, p.before, after, steps, best,
                   elapsed, finished, cancelled, kept)


def _stopped(out: Path, steps: int) -> tuple[float | None, int]:
    """After a stop at step ``steps``: the kept model's figure and step (its card is
    told the run was stopped), or ``(None, 0)`` when none was kept."""
    from composer.nn import checkpoint

    if not (out / "card.json").is_file():
        return None, 0
    card = checkpoint.read_card(out)
    training = replace(card.training, steps_run=steps,
                       extra={**card.training.extra, "stopped": "by the user"})
    checkpoint.write_card(out, card.replace(training=training))
    valid = card.valid_metric
    return (valid[1] if valid else None), training.steps


def _listed(skipped: list[str]) -> list[str]:
    if len(skipped) <= MAX_LISTED:
        return list(skipped)
    return skipped[:MAX_LISTED] + [f"\u2026 and {len(skipped) - MAX_LISTED} more"]


def _abc_data(folder: Path, base: Base):
    tunes, read, skipped = read_abc_folder(folder)
    ignored = len(find_files(folder, MIDI_SUFFIXES))
    if not tunes:
        other = f" (found {ignored} MIDI files; {base.name} learns from ABC)" if ignored else ""
        raise DataError(f"no readable ABC tunes in {folder}{other}")
    summary = {"files_read": read, "tunes": len(tunes), "ignored_files": ignored}
    return tunes, summary, skipped


def _midi_data(folder: Path, base: Base, out: Path):
    files = find_files(folder, MIDI_SUFFIXES)
    ignored = len(find_files(folder, ABC_SUFFIXES))
    if not files:
        other = f" (found {ignored} ABC files; {base.name} learns from MIDI)" if ignored else ""
        raise DataError(f"no MIDI files in {folder}{other}")
    module = base.kind.recipe_module()
    pieces, skipped = module.read_pieces(files, out / "train-state" / "cache" / "pieces.json")
    if not pieces:
        raise DataError(f"none of the {len(files)} MIDI files in {folder} could be used"
                        + (f" ({skipped[0]})" if skipped else ""))
    summary = {"files_read": len(pieces), "pieces": len(pieces), "ignored_files": ignored}
    return pieces, summary, skipped


def _readable(pieces: list, vocab, base: str, skipped: list[str]) -> list:
    """The pieces ``vocab`` can read (a meter it lacks cannot be read as another);
    the others are added to ``skipped``."""
    usable = []
    for p in pieces:
        try:
            vocab.encode(p.tokens)
        except KeyError as e:
            skipped.append(f"{p.name}: {e.args[0]} is not in {base}'s vocabulary")
            continue
        usable.append(p)
    return usable


def _folk_recipe(config, items, description: dict, checkpoint):
    from composer.training.augment import transposer
    from composer.training.folk import FolkRecipe, TrainData

    train, valid = items
    vocab = checkpoint.vocab
    texts = [t.text for t in (*train, *valid)]
    unknown = sum(1 for text in texts for c in text if vocab.id(c) == vocab.unk)
    description = dict(description, unknown_chars=unknown)
    config = fit_batch(config, sum(len(t.text) + 2 for t in train))
    augment = transposer(config.transpose) if config.transpose else None
    return FolkRecipe(config, TrainData(train, valid, description), augment, vocab=vocab)


def _midi_recipe(config, items, description: dict, checkpoint, base: Base):
    from composer.training.sequences import SequenceRecipe

    train, valid = items
    module = base.kind.recipe_module()
    description = dict(description)
    skipped = description.pop("skipped")
    task = module.task_from_pieces(train, valid, skipped, dict(config.model), description,
                                   vocab=checkpoint.vocab)
    network = base.kind.network_class()
    task = replace(task, build=lambda _settings: network(checkpoint.config))
    return SequenceRecipe(task, config)
