"""Where Composer's files live: shipped models and resources (in a checkout or in the
installed wheel), and the user's own folders (settings, autosave, extra models)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "composer"
_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """``models`` or ``resources``: the checkout's top-level folder when running from a
    checkout, else the copy hatchling force-includes into the wheel."""
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_data" / name


def shipped_models_dir() -> Path:
    return _shipped("models")


def resources_dir() -> Path:
    return _shipped("resources")


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
