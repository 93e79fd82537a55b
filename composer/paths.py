"""Where Composer's files live: shipped models and resources (in a checkout or in the
installed wheel), and the user's own folders (settings, autosave, extra models)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "composer"
_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """``models`` or ``resources``: the copy inside the package (``composer/_data/NAME``,
    which the wheel and the PyInstaller bundle carry), else the checkout's top-level
    folder. The package's copy comes first: beside an installed package, ``NAME`` would
    be whatever another distribution put into site-packages under that name."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def shipped_models_dir() -> Path:
    return _shipped("models")


def resources_dir() -> Path:
    return _shipped("resources")


def examples_dir() -> Path:
    """The example tunes (Help > Open example tunes; ``composer --smoke-test``)."""
    return resources_dir() / "examples"


def user_data_dir() -> Path:
    """Per-user data (extra models): ``$COMPOSER_DATA_DIR`` or the platform's folder."""
    return Path(os.environ.get("COMPOSER_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def user_models_dir() -> Path:
    return user_data_dir() / "models"


def user_config_dir() -> Path:
    """Settings: ``$COMPOSER_CONFIG_DIR`` or the platform's config folder."""
    return Path(os.environ.get("COMPOSER_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def user_state_dir() -> Path:
    """Autosave and recovery files: ``$COMPOSER_STATE_DIR`` or the platform's state folder."""
    return Path(os.environ.get("COMPOSER_STATE_DIR") or platformdirs.user_state_dir(APP_NAME))
