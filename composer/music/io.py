"""Read and write scores by file name: the one entry point the CLI and the window use.

Formats by extension: ``.abc`` (read/write), ``.mid``/``.midi`` (read/write),
``.musicxml``/``.xml``/``.mxl`` (read). Every failure is a
:class:`~composer.music.errors.MusicError` with a one-line message; writes are atomic.
"""

from __future__ import annotations

import os
from pathlib import Path

from composer.music.atomic import atomic_write
from composer.music.errors import AbcSyntaxError, MusicError, UnsupportedFormatError
from composer.music.score import Score

ABC_EXTENSIONS = (".abc",)
MIDI_EXTENSIONS = (".mid", ".midi")
MUSICXML_EXTENSIONS = (".musicxml", ".xml", ".mxl")
READ_EXTENSIONS = ABC_EXTENSIONS + MIDI_EXTENSIONS + MUSICXML_EXTENSIONS
WRITE_EXTENSIONS = ABC_EXTENSIONS + MIDI_EXTENSIONS


def _kind(path: Path, allowed: tuple[str, ...], verb: str) -> str:
    ext = path.suffix.lower()
    if ext not in allowed:
        raise UnsupportedFormatError(
            f"cannot {verb} {path.name}: unknown format {ext or '(no extension)'}; "
            f"use one of {', '.join(allowed)}"
        )
    if ext in ABC_EXTENSIONS:
        return "abc"
    if ext in MIDI_EXTENSIONS:
        return "midi"
    return "musicxml"


def read_text(path: str | os.PathLike) -> str:
    """The text of an ABC file (UTF-8, else Latin-1); binary data is an
    :class:`AbcSyntaxError`, not a string of garbage."""
    path = Path(path)
    raw = _read_bytes(path)
    if b"\x00" in raw[:4096]:
        raise AbcSyntaxError("this is a binary file, not ABC text", source=path.name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MusicError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MusicError(f"{path}: is a folder, not a file") from None
    except OSError as e:
        raise MusicError(f"{path}: cannot read ({e.strerror or e})") from None


def read_score(path: str | os.PathLike, *, x: int | None = None, index: int | None = None) -> Score:
    """Read one tune from ``path``. For multi-tune ABC files pick it by its ``X:``
    number or its 0-based ``index`` (default: the first tune)."""
    path = Path(path)
    kind = _kind(path, READ_EXTENSIONS, "read")
    if kind == "abc":
        from composer.music.abc import read_abc

        return read_abc(read_text(path), x=x, index=index, source=path.name)
    _read_bytes(path)  # uniform "no such file" messages
    if kind == "midi":
        from composer.music.midi import read_midi

        return read_midi(path)
    from composer.music.musicxml import read_musicxml

    return read_musicxml(path)


def write_score(score: Score, path: str | os.PathLike, *, x: int = 1) -> None:
    """Write ``score`` to ``path`` (format by extension), atomically."""
    path = Path(path)
    kind = _kind(path, WRITE_EXTENSIONS, "write")
    if kind == "abc":
        from composer.music.abc import score_to_abc

        atomic_write(path, score_to_abc(score, x=x))
    else:
        from composer.music.midi import midi_bytes

        atomic_write(path, midi_bytes(score))
