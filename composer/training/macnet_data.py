"""MAC-Net's training data: MIDI files (melody + chord tracks) as grid token streams.

A piece becomes ``<end> M:... <bar> step ... <end>`` (see
:mod:`composer.generation.macnet.grid`) in the normalised key (the written key at
tick 0 moved to C major / A minor). Pieces are read with
:func:`composer.music.midi.read_midi` and their tracks chosen as the codec chooses
them (:func:`~composer.generation.midi_tracks.melody_and_accompaniment`), so training
and generation see the same thing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from composer.generation.errors import GenerationError
from composer.generation.macnet.codec import accompaniment_notes
from composer.generation.macnet.grid import (
    METER_PREFIX,
    RESOLUTIONS,
    EncodeStats,
    bars_from_starts,
    grid_events,
    key_shift,
    split_step,
)
from composer.generation.macnet.vocab import MacnetVocab
from composer.generation.midi_tracks import melody_and_accompaniment
from composer.music.errors import MusicError
from composer.music.midi import read_midi
from composer.music.score import Score

FRAME_TICKS = 240
"""An eighth note: the frame of the classic Nottingham piano-roll benchmark."""
CACHE_VERSION = 2


@dataclass
class GridPiece:
    """One piece on the grid: ``tokens`` (without the ``<end>`` marks), the start
    tick of each token (bar and meter tokens: their bar's start), the number of
    eighth-note ``frames`` up to the end of its last note, and what the grid changed."""

    name: str
    tokens: list[str]
    ticks: list[int]
    frames: int
    shift: int
    resolution: int
    stats: EncodeStats = field(default_factory=EncodeStats)


def piece_from_score(score: Score, name: str) -> GridPiece:
    """The grid of ``score`` (a whole piece; raises ``GenerationError`` when its tracks
    do not fit MAC-Net)."""
    parts = melody_and_accompaniment(score)
    melody = parts.melody.notes
    acc = (parts.accompaniment.notes if parts.accompaniment is not None
           else accompaniment_notes(score, score.length))
    last = max(n.end for n in (*melody, *acc))
    length = max(score.length, last)
    bars = bars_from_starts(score.bar_starts(length), length, score.meter_at)
    shift = key_shift(score.key_at(0).sharps)
    grid = grid_events(melody, acc, bars, shift)
    frames = math.ceil(last / FRAME_TICKS)
    return GridPiece(name, grid.tokens, grid.ticks, frames, shift, grid.resolution, grid.stats)


def load_pieces(paths: Sequence[str | os.PathLike], cache: str | os.PathLike | None = None,
                progress: Callable[[int, int], None] | None = None
                ) -> tuple[list[GridPiece], list[tuple[str, str]]]:
    """Read MIDI ``paths`` as grid pieces; returns ``(pieces, skipped)`` where
    ``skipped`` lists ``(file name, reason)`` for files that cannot be used.

    ``cache`` is a JSON file reused while the files (names, sizes, times) are the same.
    """
    paths = [Path(p) for p in paths]
    key = _cache_key(paths)
    if cache is not None and Path(cache).is_file():
        try:
            data = json.loads(Path(cache).read_text(encoding="utf-8"))
            if data.get("key") == key:
                return ([GridPiece(p["name"], p["tokens"], p["ticks"], p["frames"], p["shift"],
                                   p["resolution"], EncodeStats(**p["stats"]))
                         for p in data["pieces"]],
                        [tuple(s) for s in data["skipped"]])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    pieces, skipped = [], []
    for i, path in enumerate(paths):
        try:
            pieces.append(piece_from_score(read_midi(path), path.stem))
        except (MusicError, GenerationError) as e:
            skipped.append((path.name, str(e)))
        if progress is not None:
            progress(i + 1, len(paths))
    if cache is not None:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        stats = [{k: getattr(p.stats, k) for k in ("notes", "shifted", "end_moved", "lost",
                                                      "unseen_steps")} for p in pieces]
        Path(cache).write_text(json.dumps({
            "key": key,
            "pieces": [{"name": p.name, "tokens": p.tokens, "ticks": p.ticks, "frames": p.frames,
                        "shift": p.shift, "resolution": p.resolution, "stats": s}
                       for p, s in zip(pieces, stats)],
            "skipped": skipped}), encoding="utf-8")
    return pieces, skipped


def _cache_key(paths: Sequence[Path]) -> str:
    h = hashlib.sha256(f"macnet-grid/{CACHE_VERSION}".encode())
    for p in paths:
        st = p.stat()
        h.update(f"{p.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def build_vocab(pieces: Iterable[GridPiece], min_count: int = 2) -> MacnetVocab:
    """The vocabulary of ``pieces`` (the training split): the meters, every
    resolution of :data:`RESOLUTIONS`, the steps seen
    at least ``min_count`` times (most frequent first), and
    the part unigrams used to score unseen steps."""
    meters: set[str] = set()
    steps: Counter[str] = Counter()
    for p in pieces:
        for t in p.tokens:
            if "|" in t:
                steps[t] += 1
            elif t.startswith(METER_PREFIX):
                meters.add(t)
    parts: dict[str, Counter[str]] = {"melody": Counter(), "accompaniment": Counter()}
    for step, n in steps.items():
        mel, acc = split_step(step)
        parts["melody"][mel] += n
        parts["accompaniment"][acc] += n
    kept = [s for s, n in sorted(steps.items(), key=lambda kv: (-kv[1], kv[0])) if n >= min_count]
    return MacnetVocab(sorted(meters, key=_meter_order), RESOLUTIONS, kept,
                       {k: dict(v) for k, v in parts.items()})


def _meter_order(token: str) -> tuple[int, int]:
    num, den = token[2:].split("/")
    return int(den), int(num)


@dataclass
class PieceIds:
    """A piece as ids ``<end> ... <end>`` (int64), the extra NLL of its unseen steps
    (nats, see :meth:`MacnetVocab.unk_cost`), how many of its predicted tokens
    (``ids[1:]``) lie before its last frame ends (``frame_prefix``), and ``frames``."""

    name: str
    ids: np.ndarray
    unk_cost: float
    unseen: int
    frame_prefix: int
    frames: int


def piece_ids(piece: GridPiece, vocab: MacnetVocab) -> PieceIds:
    """``piece`` as ids; unseen steps become ``<unk>`` (their extra cost recorded).
    Unknown meters raise ``KeyError``."""
    ids = [vocab.end] + vocab.encode(piece.tokens, fallback="unk") + [vocab.end]
    unk_cost, unseen = 0.0, 0
    for t, i in zip(piece.tokens, ids[1:]):
        if i == vocab.unk:
            unk_cost += vocab.unk_cost(t)
            unseen += 1
    limit = piece.frames * FRAME_TICKS
    prefix = sum(1 for t in piece.ticks if t < limit)
    return PieceIds(piece.name, np.asarray(ids, dtype=np.int64), unk_cost, unseen, prefix,
                    piece.frames)
