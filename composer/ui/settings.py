"""The window's settings: one INI file in :func:`composer.paths.user_config_dir`
(never Qt's default location, so tests, which point that folder elsewhere, never
touch a developer's real settings).

``SCHEMA`` names the version of the keys; a file from another version is read for
what still fits and rewritten with the current version on the next save.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from composer import paths

SCHEMA = 1
MAX_RECENT = 10


def open_settings() -> QSettings:
    """The settings file (created on first write)."""
    folder = paths.user_config_dir()
    s = QSettings(str(folder / "composer.ini"), QSettings.Format.IniFormat)
    if s.value("schema") is None:
        s.setValue("schema", SCHEMA)
    return s


def value(s: QSettings, key: str, default, kind=None):
    """``s.value(key)`` converted to the type of ``default`` (INI files store text)."""
    raw = s.value(key)
    if raw is None:
        return default
    kind = kind or type(default)
    try:
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
        if kind is list:
            return [str(v) for v in raw] if isinstance(raw, list) else [str(raw)] if raw else []
        return kind(raw)
    except (TypeError, ValueError):
        return default


def recent_files(s: QSettings) -> list[str]:
    """Recently opened or saved files, newest first, those still on disk."""
    return [f for f in value(s, "files/recent", [], list) if Path(f).is_file()][:MAX_RECENT]


def add_recent_file(s: QSettings, path: str | Path) -> list[str]:
    """Put ``path`` first in the recent files; returns the new list."""
    path = str(Path(path).resolve())
    files = [path] + [f for f in value(s, "files/recent", [], list) if f != path]
    files = files[:MAX_RECENT]
    s.setValue("files/recent", files)
    return [f for f in files if Path(f).is_file()]
