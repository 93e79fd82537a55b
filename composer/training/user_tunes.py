"""The user's tunes as training data: a folder in any layout, searched recursively
(hidden folders and files left out); the files that cannot be read, with the reason;
and the fixed rule that holds some tunes out to check a model on."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from composer.training.corpus import AbcTune, DataError, split_tunes

VALID_EVERY = 10
MAX_VALID = 100
"""Most validation tunes (each evaluation reads them all; more would eat a time budget)."""
ABC_SUFFIXES = (".abc",)
MIDI_SUFFIXES = (".mid", ".midi")


def find_files(folder: Path, suffixes: Sequence[str]) -> list[Path]:
    """Files under ``folder`` (recursively; hidden folders and files left out) whose
    suffix is one of ``suffixes`` (any case), sorted by path."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in files
                  if not f.startswith(".") and Path(f).suffix.lower() in suffixes]
    return sorted(found)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def read_abc_folder(folder: Path) -> tuple[list[AbcTune], int, list[str]]:
    """The tunes of every ABC file under ``folder``: ``(tunes, files read, skipped)``,
    ``skipped`` as ``"path: reason"``. A tune's id is its file's path in the folder
    (without the suffix) and its ``X:`` number (``reels/set1:3``)."""
    tunes: list[AbcTune] = []
    skipped: list[str] = []
    read = 0
    for path in find_files(folder, ABC_SUFFIXES):
        rel = _relative(path, folder)
        try:
            data = path.read_bytes()
        except OSError as e:
            skipped.append(f"{rel}: cannot be read ({e.strerror})")
            continue
        if b"\x00" in data:
            skipped.append(f"{rel}: not a text file")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        found = [t for t in split_tunes(text, rel.rsplit(".", 1)[0] + ":", str(path))
                 if t.body.strip()]
        if not found:
            skipped.append(f"{rel}: no tunes (a tune starts with X: and has a K: line "
                           "before its notes)")
            continue
        read += 1
        tunes += found
    return tunes, read, skipped


def split_valid(items: Sequence, key: Callable[[Any], str]) -> tuple[list, list]:
    """``(train, valid)``: 1 in :data:`VALID_EVERY` items by crc32 of ``key(item)``; at
    least one (the smallest crc32) and at most :data:`MAX_VALID` (the smallest ones)."""
    if len(items) < 2:
        raise DataError(f"{len(items)} readable tune{'s' if len(items) != 1 else ''}: "
                        "at least two are needed (one is held out to check the model on)")
    crc = [zlib.crc32(key(item).encode("utf-8")) for item in items]
    held = [i for i in range(len(items)) if crc[i] % VALID_EVERY == 0]
    if not held:
        held = [min(range(len(items)), key=lambda i: crc[i])]
    chosen = set(sorted(held, key=lambda i: crc[i])[:MAX_VALID])
    return ([x for i, x in enumerate(items) if i not in chosen],
            [x for i, x in enumerate(items) if i in chosen])


VALID_RULE = (f"1 in {VALID_EVERY} tunes by crc32 of the id (at least 1, at most "
              f"{MAX_VALID})")
