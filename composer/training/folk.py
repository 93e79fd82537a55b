"""The folk model's recipe on the one training loop: a character LSTM on ABC tunes
(stateful truncated back-propagation through time, or many-to-one windows), with its
settings and the named presets of ``composer train --preset``.

Data: the main tunes (``train``, chosen on ``valid``) and extra collections for
training only; an epoch shuffles them (seeded), may transpose each (diatonic shifts),
and cuts the stream into ``batch`` lanes read ``bptt`` characters at a time, the
recurrent state carried along. The last ``main_tail`` of the steps train on the main
tunes alone, as written. The figure: bits per character of the valid tunes' bodies
given their headers (:mod:`.evaluate`). Lengths are in characters.
"""

from __future__ import annotations

import hashlib
import json
import random
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from itertools import chain
from pathlib import Path

import torch
from torch.nn import functional as F

from composer.generation.folk.tasks import TASK_CHARS, task_example
from composer.generation.kinds import FOLK_ABC
from composer.nn.card import ModelCard
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from composer.training import distributed
from composer.training.augment import transposer
from composer.training.clean import clean_tune
from composer.training.corpus import (
    AbcTune,
    DataError,
    abc_files,
    check_found,
    iter_tunes,
    load_splits,
    split_ids,
)
from composer.training.datasets import (
    Augment,
    DiskEpochStream,
    EpochStream,
    epoch_stream,
    window_batch,
)
from composer.training.evaluate import score_tunes
from composer.training.loop import Optimisation
from composer.training.samples import out_of_key_rate
from composer.training.source import DataSource
from composer.training.store import Chain, TuneStore, TuneWriter, locked


@dataclass(frozen=True)
class FolkConfig:
    """Everything that decides a folk training run (saved with it, so it can resume)."""

    # Architecture (see composer.nn.char_lstm.CharLSTMConfig).
    embed: int = 64
    hidden: int = 512
    layers: int = 3
    dropout: float = 0.3
    weight_drop: float = 0.0
    context: str = "stateful"
    window: int = 100
    # Batches.
    batch: int = 32
    bptt: int = 128
    header_weight: float = 1.0
    """Loss weight of header characters (the body always weighs 1)."""
    main_repeat: int = 1
    """Times the main training tunes appear in an epoch (extra tunes appear once)."""
    main_tail: float = 0.0
    """Fraction of the steps, at the end of the run, trained on the main tunes alone and
    as written (no extra tunes, no transposition). 0: no tail."""
    transpose: tuple[int, ...] = ()
    """Diatonic shifts (scale steps) a training tune may be transposed by, chosen at
    random per tune and epoch (0 included means "as written"); empty: none."""
    fill_share: float = 0.0
    """Share of the training tunes (drawn per tune and epoch) rearranged as a fill
    (suffix-prefix-middle, :mod:`composer.generation.folk.tasks`), so the model learns
    to fill gaps too. 0: continuation only."""
    accompany_share: float = 0.0
    """Share of the training tunes written in the bar-preview form (each bar's melody,
    then the bar with its chord symbols), so the model learns to chord a melody."""
    # The loop (see composer.training.loop.Optimisation).
    steps: int = 4000
    lr: float = 2e-3
    min_lr_ratio: float = 0.05
    warmup: int = 100
    weight_decay: float = 0.1
    beta2: float = 0.99
    grad_clip: float = 1.0
    ema: float = 0.0
    bf16: bool = False
    eval_every: int = 200
    max_minutes: float = 0.0
    seed: int = 1
    threads: int = 2
    notes: str = field(default="", compare=False)

    def to_json(self) -> dict:
        d = asdict(self)
        d["transpose"] = list(self.transpose)
        return d

    @classmethod
    def from_json(cls, data: dict) -> FolkConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DataError(f"unknown training settings {', '.join(unknown)}")
        data = dict(data)
        if "transpose" in data:
            data["transpose"] = tuple(data["transpose"])
        return cls(**data)

    def with_overrides(self, **changes) -> FolkConfig:
        known = {f.name for f in fields(self)}
        bad = sorted(set(changes) - known)
        if bad:
            raise DataError(f"unknown training settings {', '.join(bad)} "
                            f"(known: {', '.join(sorted(known))})")
        return replace(self, **changes)

    def optimisation(self) -> Optimisation:
        return Optimisation(**{f.name: getattr(self, f.name) for f in fields(Optimisation)})


PRESETS: dict[str, FolkConfig] = {
    # Seeds 000/002: a stateful many-to-many char-RNN, 3 x LSTM-256, light dropout.
    "char-rnn": FolkConfig(embed=32, hidden=256, layers=3, dropout=0.2, batch=32, bptt=100,
                           steps=6000, lr=2e-3, weight_decay=0.0, warmup=0, min_lr_ratio=1.0,
                           max_minutes=20),
    # Seed 001: embedding 32, 3 x LSTM-256, many-to-one on 100-character windows.
    "window-lstm": FolkConfig(embed=32, hidden=256, layers=3, dropout=0.2, context="window",
                              window=100, batch=128, steps=4000, lr=2e-3, weight_decay=0.0,
                              warmup=0, min_lr_ratio=1.0, eval_every=500, max_minutes=20),
    # The shipped default (chosen by measurement; see models/folk-abc/card.json): give it
    # the Nottingham train split as --data and music21's O'Neill's, Ryan's and Aird's
    # collections as --extra.
    # Measured on valid: 1800 steps with the Nottingham tunes twice per epoch 1.292 bits/char
    # (20.8 min); 2700 steps, three times 1.162 (25.3 min); five times 1.180 (24.7 min);
    # three times for 2950 steps 1.163 (28.3 min). The same 2700 steps with the last 10%
    # on the Nottingham tunes alone, as written (main_tail): 1.152 (26.8 min; test 1.145).
    # A 20% tail with a weight average (ema=0.995): raw weights 1.151, the average 1.151
    # (the average leads by 0.003-0.008 while the learning rate is high, then lags in the
    # tail), so neither is in the preset. Dropout 0.2 with the 10% tail: ahead by 0.01 at
    # step 1700, behind at the end, 1.154 (25.7 min). Without the transposition: ahead
    # until step 900, best 1.216 at step 2100, then overfitting (1.224 at the end).
    "folk": FolkConfig(embed=64, hidden=512, layers=3, dropout=0.3, batch=64, bptt=128,
                       steps=2700, lr=3e-3, warmup=100, weight_decay=0.1, bf16=True,
                       transpose=(0, 0, -1, 1, -2, 2), main_repeat=3, main_tail=0.1,
                       eval_every=100),
}
DEFAULT_PRESET = FOLK_ABC.presets[0]


@dataclass
class TrainData:
    """Tunes to train on and to choose checkpoints with, and a description of where
    they came from (it goes into the model card)."""

    train: Sequence[AbcTune]
    valid: Sequence[AbcTune]
    description: dict = field(default_factory=dict)
    extra: Sequence[AbcTune] = ()
    """More tunes for training only (other collections), once per epoch."""

    def epoch_tunes(self, main_repeat: int = 1) -> Sequence[AbcTune]:
        """The main tunes ``main_repeat`` times, then the extra ones (not copied: they
        may be on disk)."""
        return Chain([self.train] * max(1, main_repeat) + [self.extra])


class FolkRecipe:
    """The folk kind's :class:`~composer.training.loop.Recipe` (see the module
    docstring). ``augment`` rewrites a tune for an epoch (e.g. a transposition); it
    must be deterministic given its ``random.Random``. ``vocab`` keeps a base model's
    vocabulary when fine-tuning (characters it lacks read as ``<unk>``). ``scratch``: a
    folder where each epoch's stream is written and read back a chunk at a time
    (large data, see :func:`make_recipe`); ``None``: epochs in memory. Both give the
    same batches."""

    kind = FOLK_ABC
    unit = "bits/char"
    short = "bpc"

    def __init__(self, config: FolkConfig, data: TrainData, augment: Augment | None = None,
                 vocab: CharVocab | None = None, scratch: Path | None = None):
        if not data.train:
            raise DataError("no training tunes")
        if not data.valid:
            raise DataError("no validation tunes to choose checkpoints with")
        self.config = config
        self.data = data
        self._tasks = _task_rewrite(config)
        self.augment = _then(augment, self._tasks)
        texts = (t.text for t in data.epoch_tunes())
        self._vocab = vocab or CharVocab.from_texts(
            chain(texts, [TASK_CHARS]) if self._tasks else texts)
        self._tunes = data.epoch_tunes(config.main_repeat)
        self.per_step = config.batch * (1 if config.context == "window" else config.bptt)
        steps = config.steps
        self._tail_start = steps - round(config.main_tail * steps) if config.main_tail \
            else steps + 1
        self._epoch = self._chunk = 0
        self._tail = False
        self._carry: tuple[torch.Tensor, torch.Tensor] | None = None
        self._stream: EpochStream | DiskEpochStream | None = None
        self._scratch = scratch
        self._rows = slice(None)
        self._rank = 0
        self._window_rng = torch.Generator()

    # --- the loop's questions --------------------------------------------------------------
    def settings(self) -> Optimisation:
        return self.config.optimisation()

    def config_json(self) -> dict:
        return self.config.to_json()

    def data_json(self) -> dict:
        return {"vocab": list(self._vocab.chars)}

    def vocab(self) -> CharVocab:
        return self._vocab

    def build(self) -> CharLSTM:
        c = self.config
        return CharLSTM(CharLSTMConfig(
            vocab_size=len(self._vocab), embed=c.embed, hidden=c.hidden, layers=c.layers,
            dropout=c.dropout, weight_drop=c.weight_drop, context=c.context, window=c.window))

    def begin(self, state: dict, tensors: dict[str, torch.Tensor], rank: int,
              world: int) -> None:
        self._epoch = int(state.get("epoch", 0))
        self._chunk = int(state.get("chunk", 0))
        self._tail = bool(state.get("tail", False))
        self._rows = distributed.shard(self.config.batch, "lanes")
        self._rank = rank
        self._carry = None
        if "carry.h" in tensors:
            self._carry = (tensors["carry.h"][:, self._rows].contiguous(),
                           tensors["carry.c"][:, self._rows].contiguous())
        self._stream = None

    def loss(self, model, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        if not self._tail and step >= self._tail_start:
            # The tail: a fresh epoch over the main tunes alone, as written.
            self._tail = True
            self._next_epoch()
        while True:
            if self._stream is None:
                now, rewrite = ((self.data.train, self._tasks) if self._tail
                                else (self._tunes, self.augment))
                args = (self._vocab, now, self._epoch, c.seed, c.batch, c.bptt,
                        c.header_weight, rewrite)
                path = None if self._scratch is None else self._scratch / f"epoch-{self._rank}"
                self._stream = epoch_stream(*args, path=path)
            stream = self._stream
            per_epoch = (stream.characters // c.batch if c.context == "window"
                         else stream.chunks)
            if self._chunk < per_epoch:
                break
            self._next_epoch()
        device = next(model.parameters()).device
        if c.context == "window":
            self._window_rng.manual_seed(c.seed * 1_000_003 + step)
            x, y, w = window_batch(stream, self._window_rng, c.batch, c.window)
            x, y, w = (t[self._rows].to(device) for t in (x, y, w))
            logits, _ = model(x)
            logits = logits[:, -1]
        else:
            x, y, w = (t.to(device) for t in stream.chunk(self._chunk, self._rows))
            if self._carry is not None:
                self._carry = (self._carry[0].to(device), self._carry[1].to(device))
            logits, carry = model(x, self._carry)
            self._carry = (carry[0].detach().float(), carry[1].detach().float())
            logits = logits.transpose(1, 2)
        self._chunk += 1
        nll = F.cross_entropy(logits.float(), y, reduction="none")
        return (nll * w).sum(), w.sum()

    def _next_epoch(self) -> None:
        self._epoch += 1
        self._chunk = 0
        self._carry = None
        self._stream = None

    def state(self) -> tuple[dict, dict[str, torch.Tensor]]:
        info = {"epoch": self._epoch, "chunk": self._chunk, "tail": self._tail}
        if self._carry is None:
            return info, {}
        h, c = self._carry
        return info, {"carry.h": distributed.all_gather_rows(h, dim=1),
                      "carry.c": distributed.all_gather_rows(c, dim=1)}

    def evaluate(self, model) -> float:
        return score_tunes(model, self._vocab, self.data.valid).bits_per_char

    def card(self) -> ModelCard:
        d = self.data
        return ModelCard(
            kind=self.kind.name, name=self.kind.name,
            description="Character-level LSTM on ABC folk tunes: continues a tune's text "
                        "one character at a time.",
            data=dict(d.description, train_tunes=len(d.train), extra_tunes=len(d.extra),
                      valid_tunes=len(d.valid), vocab_size=len(self._vocab)))


STREAM_ABOVE_BYTES = 8 << 20
"""ABC data (``--data`` and ``--extra`` together) larger than this streams from disk
(:func:`make_recipe`). The shipped model's is 2.1 MB. Held in memory, an epoch of the
tunes three times took ~33 bytes a character (token lists and tensors; 100,000 tunes,
14.6 MB: 1.8 GB against 0.3 GB streamed, ``bench/train_scale.py``): 8 MB, ~0.8 GB."""
OUT_OF_KEY_SAMPLE = 2000
"""Training tunes the card's out-of-key rate is measured on when streaming (spread
evenly; reading a tune takes ~3 ms)."""


def make_recipe(config: FolkConfig, source: DataSource, stream: bool | None = None
                ) -> FolkRecipe:
    """The folk recipe on the ABC tunes of ``source``: ``train`` and ``valid`` from its
    splits file (without one, 1 tune in 20 is held out for validation, by crc32 of its
    id); ``extra`` collections cleaned (decorations, slurs, grace notes, extra header
    fields removed) and without repeats of any tune, for training only; transposed as
    ``config.transpose`` says.

    ``stream`` (by default: when the ABC files hold more than :data:`STREAM_ABOVE_BYTES`
    and ``source.cache`` is set): the tunes are read once, a file at a time, into tune
    files in ``source.cache`` (reused while the data is unchanged) and each epoch is
    written there and read back a chunk at a time, so memory holds an index (32 bytes
    a tune), the validation tunes and a batch, not the corpus. The batches are the
    same either way."""
    if stream is None:
        stream = source.cache is not None and _abc_bytes(source) > STREAM_ABOVE_BYTES
    scratch = None
    if stream:
        if source.cache is None:
            raise DataError("streaming the data from disk needs a cache folder")
        train, valid, extra, description, scratch = _prepared(source)
    else:
        train, extra = [], []
        valid, description = _gather(source, train, extra)
        description["out_of_key_rate"] = round(out_of_key_rate(t.text for t in train), 5)
    augment = transposer(config.transpose) if config.transpose else None
    return FolkRecipe(config, TrainData(train, valid, description, extra), augment,
                      scratch=scratch)


def _task_rewrite(config: FolkConfig) -> Augment | None:
    """The rewrite that puts a tune in a task's form (fill, accompaniment) in the
    config's shares; ``None`` when both are 0."""
    fill, accompany = config.fill_share, config.accompany_share
    if fill < 0 or accompany < 0 or fill + accompany > 1:
        raise DataError(f"fill_share {fill} and accompany_share {accompany} must be "
                        "shares (0 to 1, together at most 1)")
    if not fill and not accompany:
        return None

    def rewrite(tune: AbcTune, rng: random.Random) -> AbcTune:
        return replace(tune, body=task_example(tune.body, rng, fill, accompany))

    return rewrite


def _then(first: Augment | None, second: Augment | None) -> Augment | None:
    """``first`` then ``second`` (either may be ``None``)."""
    if first is None or second is None:
        return first or second

    def both(tune: AbcTune, rng: random.Random) -> AbcTune:
        return second(first(tune, rng), rng)

    return both


def _gather(source: DataSource, train, extra) -> tuple[list[AbcTune], dict]:
    """Read ``source`` a tune at a time, appending the training tunes to ``train`` and
    the cleaned extra ones to ``extra`` (lists or :class:`~.store.TuneWriter`); returns
    the validation tunes and the card's description of the data (without the
    out-of-key rate)."""
    splits = load_splits(source.splits) if source.splits else None
    wanted = {s: split_ids(splits, s) for s in ("train", "valid")} if splits else {}
    found: dict[str, set[str]] = {"train": set(), "valid": set()}
    files: set[str] = set()
    bodies: set[bytes] = set()  # digests of every tune's body: repeats are dropped
    valid: list[AbcTune] = []
    last = None
    for tune in iter_tunes(source.paths):
        files.add(tune.source)
        bodies.add(_digest(tune.body))
        if not wanted:
            (valid if zlib.crc32(tune.id.encode()) % 20 == 0 else train).append(tune)
            last = tune
            continue
        for name, into in (("train", train), ("valid", valid)):
            if tune.id in wanted[name]:
                into.append(tune)
                found[name].add(tune.id)
    description: dict = {"files": sorted(files)}
    if wanted:
        for name in ("train", "valid"):
            check_found(name, wanted[name], found[name])
        description.update(splits_file=str(source.splits), train_split="train",
                           valid_split="valid")
    else:
        if not valid and last is not None:  # too few tunes: the last one is held out
            train.pop()
            valid.append(last)
        description.update(valid_split="1 in 20 tunes by crc32 of the id")
    if source.extra:
        per_source: dict[str, int] = {}
        for tune in map(clean_tune, iter_tunes(source.extra)):
            if tune is not None and _digest(tune.body) not in bodies:
                bodies.add(_digest(tune.body))
                extra.append(tune)
                per_source[tune.source] = per_source.get(tune.source, 0) + 1
        description["extra_files"] = _collections(
            s for s, n in per_source.items() for _ in range(n))
        description["extra_cleaning"] = "composer.training.clean (decorations, slurs, "\
            "grace notes, extra header fields removed; repeats dropped)"
    return valid, description


def _prepared(source: DataSource) -> tuple[TuneStore, list[AbcTune], TuneStore, dict, Path]:
    """:func:`_gather` into tune files in ``source.cache`` (made once for this data;
    processes starting together wait for the first one): train, valid, extra, the
    description and the folder."""
    cache = Path(source.cache)
    folder = cache / f"tunes-{_data_key(source)}"
    ready = folder / "data.json"
    with locked(cache / "tunes.lock"):
        if not ready.is_file():
            train, extra = TuneWriter(folder, "train"), TuneWriter(folder, "extra")
            valid, description = _gather(source, train, extra)
            train, extra = train.close(), extra.close()
            step = max(1, -(-len(train) // OUT_OF_KEY_SAMPLE))  # at most that many, spread
            sample = [train[i] for i in range(0, len(train), step)]
            description["out_of_key_rate"] = round(out_of_key_rate(t.text for t in sample), 5)
            description["out_of_key_sample"] = len(sample)
            held = TuneWriter(folder, "valid")
            for tune in valid:
                held.append(tune)
            held.close()
            tmp = ready.with_suffix(".tmp")
            tmp.write_text(json.dumps({"description": description}), encoding="utf-8")
            tmp.replace(ready)
        description = json.loads(ready.read_text(encoding="utf-8"))["description"]
    return (TuneStore(folder, "train"), list(TuneStore(folder, "valid")),
            TuneStore(folder, "extra"), description, folder)


def _abc_files(source: DataSource) -> list[Path]:
    return abc_files(source.paths) + (abc_files(source.extra) if source.extra else [])


def _abc_bytes(source: DataSource) -> int:
    return sum(f.stat().st_size for f in _abc_files(source))


def _data_key(source: DataSource) -> str:
    """What the prepared tunes depend on: the files (path, size, time) and splits."""
    h = hashlib.sha256(b"folk-tunes/1\n")
    for label, paths in (("data", source.paths), ("extra", source.extra)):
        for f in (abc_files(paths) if paths else []):
            st = f.stat()
            h.update(f"{label}\0{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    if source.splits:
        h.update(Path(source.splits).read_bytes())
    return h.hexdigest()[:16]


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _collections(sources) -> dict[str, int]:
    """Files per folder, named without this machine's paths: a folder of music21's
    corpus as ``music21 corpus/NAME``, others as given (e.g. relative)."""
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
