"""Tunes kept on disk, for corpora too large to hold in memory (100,000 tunes and more).

A :class:`TuneStore` is one file of UTF-8 text (each tune's id, header and body) with
its index (``N x 4`` int64: byte offset, and the byte lengths of id, header and body):
indexing it reads that one tune. :class:`Chain` joins sequences end to end without
copying them (the main tunes three times, then the extra ones). An epoch reads its
tunes one at a time in its own order (:func:`composer.training.datasets.epoch_examples`).
"""

from __future__ import annotations

import bisect
import contextlib
import os
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from composer.training.corpus import AbcTune

T = TypeVar("T")


class TuneStore(Sequence[AbcTune]):
    """The tunes written by :class:`TuneWriter` as ``folder/name``; each read from disk
    when asked for (the index alone is in memory: 32 bytes a tune)."""

    def __init__(self, folder: Path, name: str):
        self._index = np.load(folder / f"{name}.idx.npy")
        bin_path = folder / f"{name}.bin"
        self._text = (np.memmap(bin_path, dtype=np.uint8, mode="r")
                      if bin_path.stat().st_size else np.zeros(0, np.uint8))

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        offset, n_id, n_header, n_body = (int(v) for v in self._index[i])
        raw = self._text[offset: offset + n_id + n_header + n_body].tobytes()
        return AbcTune(raw[:n_id].decode(), raw[n_id: n_id + n_header].decode(),
                       raw[n_id + n_header:].decode())

    def __iter__(self) -> Iterator[AbcTune]:
        return (self[i] for i in range(len(self)))


class TuneWriter:
    """Appends tunes to ``folder/name`` (:class:`TuneStore`'s files, written under
    temporary names and put in place by :meth:`close`)."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        folder.mkdir(parents=True, exist_ok=True)
        self._file = open(folder / f"{name}.bin.tmp", "wb")  # noqa: SIM115 (closed in close)
        self._index = array("q")
        self._offset = 0

    def __len__(self) -> int:
        return len(self._index) // 4

    def append(self, tune: AbcTune) -> None:
        parts = [tune.id.encode(), tune.header.encode(), tune.body.encode()]
        self._index.extend([self._offset, *map(len, parts)])
        for part in parts:
            self._file.write(part)
        self._offset += sum(map(len, parts))

    def pop(self) -> None:
        """Forget the last tune (its bytes stay, unindexed)."""
        del self._index[-4:]

    def close(self) -> TuneStore:
        self._file.close()
        index = np.frombuffer(self._index, dtype=np.int64).reshape(-1, 4)
        tmp = self.folder / f"{self.name}.idx.tmp.npy"
        np.save(tmp, index)
        os.replace(self.folder / f"{self.name}.bin.tmp", self.folder / f"{self.name}.bin")
        os.replace(tmp, self.folder / f"{self.name}.idx.npy")
        return TuneStore(self.folder, self.name)


class Chain(Sequence[T]):
    """Sequences joined end to end, without copying them."""

    def __init__(self, parts: Sequence[Sequence[T]]):
        self._parts = [p for p in parts if len(p)]
        self._starts = [0]
        for p in self._parts:
            self._starts.append(self._starts[-1] + len(p))

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = bisect.bisect_right(self._starts, i) - 1
        return self._parts[k][i - self._starts[k]]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created): processes preparing the same data
    wait for the first one, then find its result. Without ``fcntl`` (Windows), no lock
    (the files are still replaced atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
