"""ABC training and evaluation data: tunes split out of ABC files, and fixed splits.

A tune's text is its lines from ``X:`` to the line before the next blank line (or the
next ``X:``), each ending in ``"\\n"``. Its **header** is the lines up to and including
the first ``K:`` line; its **body** is every line after that, exactly as written.
A tune's id is its file's stem and its ``X:`` number: ``jigs12`` is ``X: 12`` of
``jigs.abc`` (the ids of the Nottingham ``splits.json``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from composer.music.errors import MusicError

_X_LINE = re.compile(r"^X:\s*(\S*)")
_K_LINE = re.compile(r"^K:")


class DataError(MusicError):
    """Training or evaluation data that cannot be used (no files, bad splits file)."""


@dataclass(frozen=True)
class AbcTune:
    """One tune of an ABC file. ``header`` ends with the first ``K:`` line (its
    newline included); ``body`` is the rest of the tune's lines."""

    id: str
    header: str
    body: str
    source: str = ""

    @property
    def text(self) -> str:
        return self.header + self.body


def split_tunes(text: str, stem: str, source: str = "") -> list[AbcTune]:
    """The tunes of one ABC file's ``text``; ids are ``stem`` + ``X:`` number (a tune
    without a number gets its position). Tunes without a ``K:`` line are skipped."""
    tunes: list[AbcTune] = []
    current: list[str] = []
    number = ""

    def close() -> None:
        if not current:
            return
        k = next((i for i, line in enumerate(current) if _K_LINE.match(line)), None)
        if k is not None:
            header = "".join(line + "\n" for line in current[: k + 1])
            body = "".join(line + "\n" for line in current[k + 1:])
            tune_id = f"{stem}{number or len(tunes) + 1}"
            tunes.append(AbcTune(tune_id, header, body, source))
        current.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = _X_LINE.match(raw)
        if m:
            close()
            number = m.group(1)
            current.append(raw)
        elif not raw.strip():
            close()
        elif current:
            current.append(raw)
    close()
    return tunes


def abc_files(paths: Iterable[str | Path]) -> list[Path]:
    """ABC files named by ``paths`` (files, or folders searched recursively), sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*.abc") if q.is_file()))
        elif p.is_file():
            found.append(p)
        else:
            raise DataError(f"no such file or folder: {p}")
    if not found:
        raise DataError(f"no .abc files in {', '.join(map(str, paths))}")
    return found


def iter_tunes(paths: Iterable[str | Path]) -> Iterator[AbcTune]:
    """Every tune of the ABC files named by ``paths``, read one file at a time; ids
    must be unique."""
    seen: set[str] = set()
    for path in abc_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = path.read_text(encoding="latin-1")
        except OSError as e:
            raise DataError(f"cannot read {path}: {e.strerror}") from None
        for t in split_tunes(text, path.stem, str(path)):
            if t.id in seen:
                raise DataError(f"two tunes have the id {t.id!r} (same file stem and X: "
                                "number); rename one of the files")
            seen.add(t.id)
            yield t


def read_tunes(paths: Iterable[str | Path]) -> list[AbcTune]:
    """Every tune of the ABC files named by ``paths``; ids must be unique."""
    return list(iter_tunes(paths))


def load_splits(path: str | Path) -> dict[str, list[str]]:
    """A splits file: a JSON object mapping split names to lists of tune ids."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"splits file not found: {path}") from None
    except (OSError, ValueError) as e:
        raise DataError(f"splits file {path} is unreadable ({e})") from None
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in data.values()
    ):
        raise DataError(f"splits file {path} must map split names to lists of tune ids")
    return data


def split_ids(splits: dict[str, list[str]], split: str) -> set[str]:
    """The ids of ``split`` (a :class:`DataError` names the splits there are)."""
    if split not in splits:
        raise DataError(f"no split {split!r} in the splits file (it has "
                        f"{', '.join(sorted(splits))})")
    return set(splits[split])


def check_found(split: str, wanted: set[str], found: set[str]) -> None:
    """A :class:`DataError` unless every id of ``split`` was ``found`` in the data."""
    missing = wanted - found
    if missing:
        some = ", ".join(sorted(missing)[:5])
        raise DataError(f"{len(missing)} tunes of split {split!r} are not in the data "
                        f"(e.g. {some}); give the ABC files the splits file was made for")


def select(tunes: Sequence[AbcTune], splits: dict[str, list[str]], split: str) -> list[AbcTune]:
    """The tunes of ``split``, in the order of ``tunes``; every id must be found."""
    wanted = split_ids(splits, split)
    chosen = [t for t in tunes if t.id in wanted]
    check_found(split, wanted, {t.id for t in chosen})
    return chosen
