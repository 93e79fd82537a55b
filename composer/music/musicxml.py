"""MusicXML import (``.musicxml``, ``.xml``, compressed ``.mxl``) through music21.

:func:`read_musicxml` reads the file with music21 and converts it with
:func:`composer.music.m21.stream_to_score` (parts -> tracks, ties merged, chord
symbols, meters, keys, tempos, bar lines, repeats and endings). Every failure is a
:class:`~composer.music.errors.MusicXmlError` with a one-line reason.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from composer.music.errors import MusicError, MusicXmlError
from composer.music.score import Score


def read_musicxml(path: str | os.PathLike) -> Score:
    """The score of a MusicXML file (see the module docstring)."""
    path = Path(path)
    data = _read(path)
    _sniff(path, data)
    from composer.music.m21 import parse_with_music21, stream_to_score

    try:
        parsed = parse_with_music21(str(path), "musicxml")
    except Exception as e:  # noqa: BLE001 - music21 raises many types; none may escape
        raise MusicXmlError(f"{path.name}: not a MusicXML file music21 can read "
                            f"({_reason(e)})") from None
    try:
        score = stream_to_score(parsed, title=_work_title(parsed))
    except MusicError as e:
        raise MusicXmlError(f"{path.name}: {e}") from None
    except Exception as e:  # noqa: BLE001
        raise MusicXmlError(f"{path.name}: cannot convert this score ({_reason(e)})") from None
    if not score.notes:
        raise MusicXmlError(f"{path.name}: the score has no notes")
    if not score.title:
        import dataclasses

        score = dataclasses.replace(score, title=path.stem)
    return score


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MusicXmlError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MusicXmlError(f"{path}: is a folder, not a MusicXML file") from None
    except OSError as e:
        raise MusicXmlError(f"{path}: cannot read ({e.strerror or e})") from None


def _sniff(path: Path, data: bytes) -> None:
    """Reject what is plainly not MusicXML before music21 spends time on it."""
    if not data.strip():
        raise MusicXmlError(f"{path.name}: the file is empty")
    if path.suffix.lower() == ".mxl" or data[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as z:
                if not any(n.endswith((".xml", ".musicxml")) for n in z.namelist()):
                    raise MusicXmlError(f"{path.name}: the archive holds no MusicXML file")
        except zipfile.BadZipFile:
            raise MusicXmlError(f"{path.name}: not a compressed MusicXML (.mxl) file") \
                from None
        return
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<") or b"score-partwise" not in data[:65536] and \
            b"score-timewise" not in data[:65536]:
        raise MusicXmlError(f"{path.name}: not a MusicXML file (no <score-partwise> or "
                            "<score-timewise> element)")


def _work_title(stream) -> str:
    meta = getattr(stream, "metadata", None)
    if meta is None:
        return ""
    return (meta.title or getattr(meta, "movementName", None) or "").strip()


def _reason(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:160]
