"""Icons drawn for Composer (SVG files in ``resources/icons``), themed icons as a
fallback, an empty icon if neither exists."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from composer import paths


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` (e.g. ``"play"``, ``"composer"`` for the application)."""
    path = paths.resources_dir() / "icons" / f"{name}.svg"
    if path.is_file():
        return QIcon(str(path))
    return QIcon.fromTheme(name)
