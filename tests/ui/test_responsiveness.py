"""The event loop while a continuation runs: a 4 ms timer probe reports the longest
stall (no timing assertion here: ``bench/ui.py`` prints the numbers against the goal
of 16 ms). With a trained model installed it measures that model too."""

from __future__ import annotations

import pytest

from composer.generation.registry import ModelRegistry
from composer.ui.probe import StallProbe
from tests.ui.conftest import EXAMPLES


def continue_with_probe(window, qtbot, model: str, bars: int, timeout_ms: int):
    assert window.files.load(EXAMPLES / "morning-on-the-hill.abc")
    window.panel.select_model(model)
    window.panel.variations.setValue(3)
    probe = StallProbe()
    probe.start()
    with qtbot.waitSignal(window.takes.allTakesDone, timeout=timeout_ms):
        assert window.takes.continue_range(0, 4 * 1920, bars)
    stalls = probe.stop()
    assert stalls.ticks > 0
    assert window.takes.session.complete
    return stalls


def test_event_loop_probe_during_a_continuation(window, qtbot, record_property, capsys):
    stalls = continue_with_probe(window, qtbot, "tiny", 8, 30000)
    record_property("stall_ms_tiny_model", round(stalls.longest_ms, 1))
    with capsys.disabled():
        print(f"\n  event loop during a tiny-model continuation: {stalls}")


def test_event_loop_probe_with_the_installed_model(make_window, qtbot, record_property,
                                                    capsys):
    name = ModelRegistry().default_name()
    if name is None:
        pytest.skip("no trained model installed in models/ (bench/ui.py measures one "
                    "from --models-dir)")
    window = make_window(registry=ModelRegistry())
    stalls = continue_with_probe(window, qtbot, name, 4, 120000)
    record_property(f"stall_ms_{name}", round(stalls.longest_ms, 1))
    with capsys.disabled():
        print(f"\n  event loop during a {name} continuation: {stalls}")
