"""Fixtures for the window's tests: a tiny registered model, a silent player, and a
real :class:`MainWindow` that is shut down (threads joined) after each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES

UI_FIXTURES = FIXTURES / "ui"
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def silent_player():
    """A real :class:`~composer.audio.player.Player` whose output records the notes
    instead of sounding them (no sound card in tests)."""
    from composer.audio.player import MonotonicClock, Player, RecordingOutput

    clock = MonotonicClock()
    return Player(RecordingOutput(clock), clock)


def no_audio():
    from composer.audio.errors import AudioDeviceError

    raise AudioDeviceError("no sound output could be opened (tests): connect speakers")


@pytest.fixture
def tiny_registry(tmp_path, monkeypatch):
    """A registry holding one tiny random-weight model named ``tiny``."""
    from composer.generation.registry import ModelRegistry
    from tests.ui.tiny_model import install

    install(monkeypatch, tmp_path / "models")
    return ModelRegistry([(tmp_path / "models", "shipped")])


@pytest.fixture
def make_window(qtbot, tiny_registry):
    """``make_window(**kwargs)`` -> a shown MainWindow (tiny model, silent player)."""
    from composer.ui.main_window import MainWindow

    windows = []

    def make(**kwargs):
        kwargs.setdefault("registry", tiny_registry)
        kwargs.setdefault("player_factory", silent_player)
        w = MainWindow(**kwargs)
        w.files.ask_unsaved = lambda: "discard"  # never a modal dialog in tests
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()
        assert not w.generator._thread.isRunning()


@pytest.fixture
def window(make_window):
    return make_window()


def open_fixture(window, name: str, tune_index: int = 0) -> None:
    assert window.files.load(UI_FIXTURES / name, tune_index), window.message_bar.text()
