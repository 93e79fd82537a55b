"""MAC-Net's recipe: data from MIDI files + a splits file, the shipped preset, and the
test metrics (NLL per token, and the frame NLL of the Nottingham piano-roll benchmark).

**Frame NLL.** The classic benchmark (Boulanger-Lewandowski et al. 2012) scores a
binary piano roll sampled at eighth-note frames, pieces transposed to C major / A
minor, in nats per frame. Our token stream of a piece (in the normalised key) fixes
every note on a grid that contains every eighth-note boundary, so the frames are a
function of the tokens: ``P(frames) >= P(tokens)``. We report

    frame NLL = (NLL of every token up to the end of the piece's last frame, the
    ``R:``/``M:``/``<bar>`` tokens included and the closing ``<end>`` excluded,
    plus the backoff cost of steps unseen in training) / number of frames,

an **upper bound** on the model's true frame NLL (it pays for details the piano roll
drops: sub-eighth rhythm, struck-versus-held, which part a note is in). Frames run
from tick 0 (the leading rest of a pickup included, as in the MIDI files) to the end
of the last note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer.generation.kinds import MACNET
from composer.generation.macnet.codec import MODEL_NAME
from composer.generation.macnet.vocab import MacnetVocab
from composer.nn.macnet import MacNet, MacNetConfig
from composer.training.corpus import DataError, load_splits
from composer.training.macnet_data import (
    GridPiece,
    build_vocab,
    load_pieces,
    piece_ids,
)
from composer.training.sequences import (
    MidiConfig,
    MidiTask,
    SequenceRecipe,
    Sequences,
    piece_nlls,
)
from composer.training.source import DataSource

NOTTINGHAM_LICENCE = {
    "data": "Nottingham Music Database (Eric Foxley; ABC by James Allwright; edited by "
            "Seymour Shlien), MIDI from jukedeck/nottingham-dataset commit 0992bb6",
    "data_licence": "GNU GPLv3 (as stated by jukedeck/nottingham-dataset)",
    "weights_licence": "GPL-3.0-or-later (the project's licence; trained on GPLv3 data)",
}

PRESETS: dict[str, MidiConfig] = {
    "macnet-folk": MidiConfig(
        # 4000 steps at dropout 0.3 overfit from step 700 (valid 1.218 nats/token there,
        # 1.263 at 1600): a shorter schedule with more dropout and weight decay.
        model={"embed": 128, "hidden": 384, "layers": 2, "dropout": 0.5},
        batch=32, window=256, steps=1000, lr=3e-3, warmup=50, weight_decay=0.1,
        eval_every=100, max_minutes=29.0),
}


def midi_files(paths: Sequence[str | Path]) -> list[Path]:
    """MIDI files named in ``paths`` or found (not recursively) in folders there."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() in (".mid", ".midi"))
        elif p.is_file():
            out.append(p)
        else:
            raise DataError(f"no such file or folder: {p}")
    if not out:
        raise DataError(f"no MIDI files in {', '.join(map(str, paths))}")
    return out


def split_files(files: Sequence[Path], splits: dict[str, list[str]], split: str) -> list[Path]:
    """The files whose stem is listed under ``split``; every listed id must be found."""
    if split not in splits:
        raise DataError(f"no split {split!r} in the splits file (it has "
                        f"{', '.join(sorted(splits))})")
    by_stem = {f.stem: f for f in files}
    missing = [s for s in splits[split] if s not in by_stem]
    if missing:
        raise DataError(f"{len(missing)} pieces of split {split!r} are not among the MIDI files "
                        f"(e.g. {', '.join(missing[:5])}); give the files the splits were made for")
    return [by_stem[s] for s in splits[split]]


def model_config(vocab, settings: dict) -> MacNetConfig:
    return MacNetConfig(vocab_size=len(vocab), bar_id=vocab.bar, unk_id=vocab.unk,
                        meter_base=vocab.meter_base, n_meters=len(vocab.meters),
                        res_base=vocab.res_base, resolutions=vocab.resolutions,
                        step_base=vocab.step_base, **settings)


def read_pieces(files: Sequence[Path], cache: Path | None = None
                ) -> tuple[list[GridPiece], list[str]]:
    """The grids of ``files`` and ``"file: reason"`` for each file that cannot be used
    (grids cached in the JSON file ``cache``)."""
    pieces, skipped = load_pieces(files, cache)
    return pieces, [f"{n}: {r}" for n, r in skipped]


def make_task(train_files: Sequence[Path], valid_files: Sequence[Path], cache_dir: Path | None,
              settings: dict, description: dict) -> MidiTask:
    """The MAC-Net task on these files (grids cached in ``cache_dir``)."""
    train, skipped = read_pieces(train_files, _cache(cache_dir, "train"))
    valid, skipped_valid = read_pieces(valid_files, _cache(cache_dir, "valid"))
    if not train:
        reasons = "; ".join(skipped[:3])
        raise DataError(f"none of the {len(train_files)} training files could be used ({reasons})")
    return task_from_pieces(train, valid, skipped + skipped_valid, settings, description)


def task_from_pieces(train: Sequence[GridPiece], valid: Sequence[GridPiece], skipped: list[str],
                     settings: dict, description: dict, vocab: MacnetVocab | None = None
                     ) -> MidiTask:
    """The MAC-Net task on these grids (``skipped``: files left out, for the card).
    ``vocab`` keeps a base model's vocabulary (fine-tuning): a step it lacks is read as
    its nearest step, as the codec reads a seed, and a piece in a meter it lacks is left
    out (listed); without it the vocabulary is built from ``train`` and a step seen
    less than twice there is ``<unk>``."""
    kept = vocab is not None
    if vocab is None:
        vocab = build_vocab(train)
    probe = MacNet(model_config(vocab, settings))
    skipped = list(skipped)

    def ids(pieces: Sequence[GridPiece]):
        out = []
        for p in pieces:
            try:
                out.append(np.asarray([vocab.end] + vocab.encode(p.tokens) + [vocab.end],
                                      dtype=np.int64) if kept else piece_ids(p, vocab).ids)
            except KeyError as e:  # a meter never seen in training
                skipped.append(f"{p.name}: {e.args[0]} is not in the vocabulary")
        return out

    train_ids, valid_ids = ids(train), ids(valid)
    if not train_ids:
        raise DataError("none of the training pieces could be read with the vocabulary"
                        + (f" ({skipped[-1]})" if skipped else ""))
    changed = sum(p.stats.changed for p in train)
    notes = sum(p.stats.notes for p in train)
    card = {
        "description": "MAC-Net: a GRU over beat-synchronous melody + accompaniment grid "
                       "steps; continues a tune's melody and chords together.",
        "data": dict(description, train_pieces=len(train_ids), valid_pieces=len(valid_ids),
                     skipped=skipped, vocab_size=len(vocab), train_notes=notes,
                     train_notes_changed_by_grid=changed),
        "licence": dict(NOTTINGHAM_LICENCE),
        "name": MODEL_NAME,
        "representation": (
            "beat-synchronous grid: per piece the coarsest of 2/3/4/6/12 steps per quarter "
            "on which every note starts and ends; each step = melody (pitches struck, held "
            "or rest) | accompaniment (chord pitches struck, held or rest), key normalised "
            "to C major / A minor by the signature; vocabulary = steps seen at least twice "
            "in train; an unseen step is fed as the nearest seen step (melody kept first) "
            "and scored as <unk> x part unigrams"),
        "frame_nll_method": (
            "upper bound on the Nottingham piano-roll benchmark's NLL per eighth-note "
            "frame: the NLL of the exact token sequence up to the last frame (R:, M:, "
            "<bar> included, <end> excluded, unseen steps at their backoff cost) divided "
            "by the frames from tick 0 to the last note's end; P(frames) >= P(tokens) "
            "because the frames are a function of the tokens"),
    }
    if kept:
        card["data"]["steps_read_as_nearest"] = sum(
            1 for p in (*train, *valid) for t in p.tokens if "|" in t and vocab.id(t) is None)
    return MidiTask(MACNET, lambda s: MacNet(model_config(vocab, s)), vocab,
                    Sequences.build(probe, train_ids), Sequences.build(probe, valid_ids), card)


def _cache(cache_dir: Path | None, name: str) -> Path | None:
    return None if cache_dir is None else Path(cache_dir) / f"macnet-{name}.json"


@dataclass
class MacnetScores:
    """Test metrics: NLL per token (nats; unseen steps at their backoff cost) and the
    frame NLL bound (nats per eighth-note frame, see the module docstring)."""

    pieces: int
    tokens: int
    nll_per_token: float
    frames: int
    frame_nll: float
    unseen_steps: int
    skipped: list[str]

    def to_json(self) -> dict:
        return {"pieces": self.pieces, "tokens": self.tokens,
                "nll_per_token": round(self.nll_per_token, 4),
                "bits_per_token": round(self.nll_per_token / math.log(2), 4),
                "frames": self.frames, "frame_nll": round(self.frame_nll, 4),
                "unseen_steps": self.unseen_steps, "skipped": self.skipped}


def score_pieces(model: MacNet, vocab, files: Sequence[Path],
                 cache: Path | None = None) -> MacnetScores:
    """Score whole pieces (each from a zero state, as in training's evaluation)."""
    pieces, skipped = load_pieces(files, cache)
    kept, bad = [], [f"{n}: {r}" for n, r in skipped]
    for p in pieces:
        try:
            kept.append(piece_ids(p, vocab))
        except KeyError as e:
            bad.append(f"{p.name}: meter {e.args[0][2:]} was not in the training data")
    if not kept:
        raise DataError("no piece could be scored" + (f" ({bad[0]})" if bad else ""))
    data = Sequences.build(model, [k.ids for k in kept])
    nlls = piece_nlls(model, data, vocab.pad)
    total = sum(float(n.sum()) + k.unk_cost for n, k in zip(nlls, kept))
    tokens = sum(len(n) for n in nlls)
    frame_total = sum(float(n[: k.frame_prefix].sum()) + k.unk_cost for n, k in zip(nlls, kept))
    frames = sum(k.frames for k in kept)
    return MacnetScores(len(kept), tokens, total / tokens, frames, frame_total / frames,
                        sum(k.unseen for k in kept), bad)


def make_recipe(config: MidiConfig, source: DataSource) -> SequenceRecipe:
    """MAC-Net on the MIDI files of ``source`` split by its splits file (ids are file
    stems; Nottingham's ``splits.json``); grids cached in ``source.cache``."""
    if source.extra:
        raise DataError("--extra is for ABC training; the MIDI presets train on --data only")
    if not source.splits:
        raise DataError("MAC-Net needs --splits FILE (e.g. Nottingham's splits.json)")
    files = midi_files(source.paths)
    splits = load_splits(source.splits)
    description = {"files": [str(Path(p)) for p in source.paths],
                   "splits_file": str(source.splits), "train_split": "train",
                   "valid_split": "valid"}
    task = make_task(split_files(files, splits, "train"), split_files(files, splits, "valid"),
                     source.cache, config.model, description)
    return SequenceRecipe(task, config)


def test_files(source: DataSource, split: str | None) -> list[Path]:
    """The files ``composer eval`` scores: ``split`` of the splits file, or all."""
    files = midi_files(source.paths)
    if source.splits:
        return split_files(files, load_splits(source.splits), split or "test")
    if split:
        raise DataError("--split needs --splits FILE")
    return files
