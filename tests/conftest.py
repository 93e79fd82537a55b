"""Test set-up shared by every package's tests.

Qt runs offscreen, and no test touches the developer's real settings, autosave or
models: the user folders point into a fresh temporary directory for each test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("user")
    for var, name in (("COMPOSER_CONFIG_DIR", "config"), ("COMPOSER_STATE_DIR", "state"),
                      ("COMPOSER_DATA_DIR", "data")):
        monkeypatch.setenv(var, str(base / name))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
    yield


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
