"""The piano LSTM's recipe: piano-midi.de pieces chordified into slice tokens, the
fixed split by piece, the shipped preset, and the held-out NLL per token.

**Split.** Pieces are named ``<composer folder>/<file stem>`` (``Chopin/chpn-p1``).
Within each composer, in sorted order, every tenth piece from the fourth on is
``test`` and every twentieth from the eighth on is ``valid``; the rest is ``train``
(:func:`make_split`). The split used for the shipped model is committed as
``models/piano-lstm/splits.json``.

All pitched tracks of a file are merged (the files' "Piano right"/"Piano left", and
the few extra tracks some have); velocities and tempo are not modelled.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from composer.generation.kinds import PIANO_LSTM
from composer.generation.piano.codec import MODEL_NAME
from composer.generation.piano.events import (
    DURATIONS,
    ChordifyStats,
    PianoVocab,
    bar_lengths,
    chordify,
    grid_notes,
    slice_tokens,
)
from composer.music.errors import MusicError
from composer.music.midi import read_midi
from composer.nn.piano_lstm import PianoLSTM, PianoLSTMConfig
from composer.training.corpus import DataError, load_splits
from composer.training.sequences import (
    MidiConfig,
    MidiTask,
    SequenceRecipe,
    Sequences,
    piece_nlls,
)
from composer.training.source import DataSource

CACHE_VERSION = 2
ATTRIBUTION = {
    "data": "piano-midi.de, classical piano MIDI by Bernd Krueger (via "
            "cheriell/ClassicalPianoMIDI-dataset commit 505aef5)",
    "data_licence": "CC BY-SA (Germany); attribution: Bernd Krueger, piano-midi.de",
    "attribution": "Bernd Krueger, piano-midi.de",
    "weights_licence": "CC BY-SA (Germany), as the piano-midi.de files it was trained on; "
                       "attribution: Bernd Krueger, piano-midi.de",
}

PRESETS: dict[str, MidiConfig] = {
    PIANO_LSTM.presets[0]: MidiConfig(
        model={"embed": 128, "hidden": 384, "layers": 2, "dropout": 0.2, "attn_window": 64,
               "attn_dim": 64},
        batch=32, window=256, steps=2000, lr=2e-3, warmup=100, weight_decay=0.01,
        eval_every=250, max_minutes=29.0),
}


@dataclass
class PianoPiece:
    """One piece as slice tokens (without the ``<end>`` marks)."""

    name: str
    tokens: list[str]
    stats: ChordifyStats = field(default_factory=ChordifyStats)


def piece_id(path: Path) -> str:
    """``<folder>/<stem>``: the piece's name in a splits file."""
    return f"{path.parent.name}/{path.stem}"


def piano_files(paths: Sequence[str | Path]) -> list[Path]:
    """MIDI files named in ``paths`` or found in folders there (recursively)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in (".mid", ".midi"))
        elif p.is_file():
            out.append(p)
        else:
            raise DataError(f"no such file or folder: {p}")
    if not out:
        raise DataError(f"no MIDI files in {', '.join(map(str, paths))}")
    return out


def make_split(files: Sequence[Path]) -> dict[str, list[str]]:
    """The fixed split by piece (see the module docstring)."""
    by_composer: dict[str, list[str]] = {}
    for f in files:
        by_composer.setdefault(f.parent.name, []).append(piece_id(f))
    split: dict[str, list[str]] = {"train": [], "valid": [], "test": []}
    for names in by_composer.values():
        for i, name in enumerate(sorted(names)):
            part = "test" if i % 10 == 3 else "valid" if i % 20 == 7 else "train"
            split[part].append(name)
    return {k: sorted(v) for k, v in split.items()}


def select(files: Sequence[Path], splits: dict[str, list[str]], split: str) -> list[Path]:
    if split not in splits:
        raise DataError(f"no split {split!r} in the splits file (it has "
                        f"{', '.join(sorted(splits))})")
    by_id = {piece_id(f): f for f in files}
    missing = [s for s in splits[split] if s not in by_id]
    if missing:
        raise DataError(f"{len(missing)} pieces of split {split!r} are not among the MIDI files "
                        f"(e.g. {', '.join(missing[:5])}); give the folder the splits were made "
                        "for")
    return [by_id[s] for s in splits[split]]


def piece_from_score(score, name: str) -> PianoPiece:
    stats = ChordifyStats()
    notes = [n for t in score.tracks if not t.is_drum and t.role != "drums" for n in t.notes]
    if not notes:
        raise DataError(f"{name}: no pitched notes")
    grid = grid_notes(notes, stats)
    end = max(n.end for n in grid)
    starts = score.bar_starts(end)
    tokens, _ = slice_tokens(chordify(grid, starts, end), starts,
                             bar_lengths(starts, end, score.meter_at))
    return PianoPiece(name, tokens, stats)


def load_pieces(files: Sequence[Path], cache: Path | None = None
                ) -> tuple[list[PianoPiece], list[str]]:
    """Chordified pieces of ``files`` and ``"name: reason"`` for files skipped; reuses
    ``cache`` (JSON) while the files are unchanged (chordifying 337 pieces takes ~30 s)."""
    h = hashlib.sha256(f"piano/{CACHE_VERSION}".encode())
    for f in files:
        st = os.stat(f)
        h.update(f"{Path(f).resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    key = h.hexdigest()
    if cache is not None and Path(cache).is_file():
        try:
            data = json.loads(Path(cache).read_text(encoding="utf-8"))
            if data.get("key") == key:
                return ([PianoPiece(p["name"], p["tokens"], ChordifyStats(**p["stats"]))
                         for p in data["pieces"]], data["skipped"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    pieces, skipped = [], []
    for f in files:
        try:
            pieces.append(piece_from_score(read_midi(f), piece_id(Path(f))))
        except MusicError as e:
            skipped.append(f"{piece_id(Path(f))}: {e}")
    if cache is not None:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        stat_names = ("notes", "shifted", "end_moved", "octave_moved", "lost")
        Path(cache).write_text(json.dumps({"key": key, "skipped": skipped, "pieces": [
            {"name": p.name, "tokens": p.tokens,
             "stats": {k: getattr(p.stats, k) for k in stat_names}} for p in pieces]}),
            encoding="utf-8")
    return pieces, skipped


def build_vocab(pieces: Sequence[PianoPiece]) -> PianoVocab:
    lengths = {int(t[5:-1]) for p in pieces for t in p.tokens if t.startswith("<bar:")}
    return PianoVocab(sorted(lengths) or [48])


def piece_ids(piece: PianoPiece, vocab: PianoVocab) -> np.ndarray:
    return np.asarray([vocab.end] + vocab.encode(piece.tokens) + [vocab.end], dtype=np.int64)


def model_config(vocab: PianoVocab, settings: dict) -> PianoLSTMConfig:
    return PianoLSTMConfig(vocab_size=len(vocab), bar_base=vocab.bar_base,
                           n_bars=len(vocab.bar_lengths), dur_base=vocab.dur_base,
                           durations=DURATIONS, **settings)


def read_pieces(files: Sequence[Path], cache: Path | None = None
                ) -> tuple[list[PianoPiece], list[str]]:
    """The chordified pieces of ``files`` and ``"piece: reason"`` for each file that
    cannot be used (see :func:`load_pieces`)."""
    return load_pieces(files, cache)


def make_task(train_files: Sequence[Path], valid_files: Sequence[Path], cache_dir: Path | None,
              settings: dict, description: dict) -> MidiTask:
    train, skipped = load_pieces(train_files, _cache(cache_dir, "train"))
    valid, skipped_valid = load_pieces(valid_files, _cache(cache_dir, "valid"))
    if not train:
        raise DataError(f"none of the {len(train_files)} training files could be used"
                        + (f" ({skipped[0]})" if skipped else ""))
    return task_from_pieces(train, valid, skipped + skipped_valid, settings, description)


def task_from_pieces(train: Sequence[PianoPiece], valid: Sequence[PianoPiece],
                     skipped: list[str], settings: dict, description: dict,
                     vocab: PianoVocab | None = None) -> MidiTask:
    """The piano task on these pieces (``skipped``: files left out, for the card).
    ``vocab`` keeps a base model's vocabulary (fine-tuning; a bar length it lacks is
    read as the nearest it has, as the codec reads a seed); without it the bar lengths
    of ``train`` make one."""
    if vocab is None:
        vocab = build_vocab(train)
    probe = PianoLSTM(model_config(vocab, settings))
    stats = ChordifyStats()
    for p in train:
        stats.add(p.stats)
    card = {
        "description": "Piano note/chord LSTM with attention over its recent outputs: "
                       "continues piano music as chordified slices.",
        "data": dict(description, train_pieces=len(train), valid_pieces=len(valid),
                     skipped=list(skipped), vocab_size=len(vocab),
                     train_notes=stats.notes, train_onsets_moved=stats.shifted,
                     train_ends_moved=stats.end_moved, train_notes_lost=stats.lost,
                     train_notes_octave_moved=stats.octave_moved),
        "licence": dict(ATTRIBUTION),
        "name": MODEL_NAME,
        "representation": (
            "all pitched tracks merged, onsets and ends on a grid of 12 steps per quarter "
            "(sixteenths, triplet eighths and sixteenths exact), chordified (sliced at every "
            "onset, end and bar line, as music21's chordify); per slice its pitches "
            "ascending as N<pitch> (struck) / H<pitch> (held), then D<steps>; <bar:n> "
            "before each bar (n = its length in steps)"),
    }
    return MidiTask(PIANO_LSTM, lambda s: PianoLSTM(model_config(vocab, s)), vocab,
                    Sequences.build(probe, [piece_ids(p, vocab) for p in train]),
                    Sequences.build(probe, [piece_ids(p, vocab) for p in valid]), card)


def _cache(cache_dir: Path | None, name: str) -> Path | None:
    return None if cache_dir is None else Path(cache_dir) / f"piano-{name}.json"


@dataclass
class PianoScores:
    """Held-out NLL per token (nats) over whole pieces, each from a zero state."""

    pieces: int
    tokens: int
    nll_per_token: float
    skipped: list[str]

    def to_json(self) -> dict:
        return {"pieces": self.pieces, "tokens": self.tokens,
                "nll_per_token": round(self.nll_per_token, 4),
                "bits_per_token": round(self.nll_per_token / math.log(2), 4),
                "skipped": self.skipped}


def score_pieces(model: PianoLSTM, vocab: PianoVocab, files: Sequence[Path],
                 cache: Path | None = None) -> PianoScores:
    pieces, skipped = load_pieces(files, cache)
    if not pieces:
        raise DataError("no piece could be scored" + (f" ({skipped[0]})" if skipped else ""))
    data = Sequences.build(model, [piece_ids(p, vocab) for p in pieces])
    nlls = piece_nlls(model, data, vocab.pad)
    tokens = sum(len(n) for n in nlls)
    return PianoScores(len(pieces), tokens, float(sum(n.sum() for n in nlls)) / tokens, skipped)


def make_recipe(config: MidiConfig, source: DataSource) -> SequenceRecipe:
    """The piano LSTM on the MIDI files of ``source`` (ids ``<folder>/<stem>``), split by
    its splits file or, without one, by :func:`make_split`; pieces cached in
    ``source.cache``."""
    if source.extra:
        raise DataError("--extra is for ABC training; the MIDI presets train on --data only")
    files = piano_files(source.paths)
    splits = load_splits(source.splits) if source.splits else make_split(files)
    description = {"files": [str(Path(p)) for p in source.paths],
                   "splits_file": str(source.splits) if source.splits
                   else "built-in split by piece", "train_split": "train",
                   "valid_split": "valid"}
    if not source.splits:
        description["split"] = splits
    task = make_task(select(files, splits, "train"), select(files, splits, "valid"),
                     source.cache, config.model, description)
    return SequenceRecipe(task, config)


def test_files(source: DataSource, split: str | None) -> list[Path]:
    """The files ``composer eval`` scores: ``split`` of the splits file (or of the
    built-in split), or all of them."""
    files = piano_files(source.paths)
    if source.splits:
        return select(files, load_splits(source.splits), split or "test")
    if split:
        return select(files, make_split(files), split)
    return files
