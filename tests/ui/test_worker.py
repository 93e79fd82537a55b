"""The generation worker and its UI-side controller: real engine, tiny real model,
takes streamed by signals, cancellation, errors that never kill the window."""

from __future__ import annotations

import threading

import pytest

from composer.generation.request import ContinueRequest, Sampling, Selection, Take, TakeProgress
from composer.music.abc import read_abc
from composer.ui.takes import TakeSession
from composer.ui.worker import Generator
from tests.ui.conftest import UI_FIXTURES
from tests.ui.tiny_model import install

BAR = 1920


@pytest.fixture
def score():
    return read_abc((UI_FIXTURES / "eight_bars.abc").read_text())


def request(score, model="tiny", bars=4, variations=2, seed=5):
    return ContinueRequest(score, Selection(0, 4 * BAR), bars, model,
                           Sampling(seed=seed), variations=variations)


@pytest.fixture
def generator(qapp, tiny_registry):
    g = Generator(tiny_registry)
    yield g
    g.shutdown()
    assert not g._thread.isRunning()


def collect(generator):
    items = []
    generator.progressed.connect(items.append)
    generator.takeReady.connect(items.append)
    return items


def test_takes_stream_in_order_off_the_ui_thread(generator, score, qtbot, monkeypatch):
    threads = set()
    import composer.generation.engine as engine

    real = engine.continue_passage

    def spy(req, registry):
        threads.add(threading.current_thread().name)
        yield from real(req, registry)

    generator.worker._run_engine = spy
    items = collect(generator)
    with qtbot.waitSignal(generator.finished, timeout=20000) as done:
        generator.start(request(score))
    assert done.args == [False]
    assert threads and threading.main_thread().name not in threads
    progress = [i for i in items if isinstance(i, TakeProgress)]
    takes = [i for i in items if isinstance(i, Take)]
    assert [t.variation for t in takes] == [0, 1]
    assert progress and items.index(progress[0]) < items.index(takes[0])
    for t in takes:
        assert (t.start, t.end) == (4 * BAR, 8 * BAR)
        assert len(t.score.bars()) == 8
    session = TakeSession(request(score))
    for i in items:
        session.add(i)
    assert session.complete and session.ghost_notes()


def test_same_seed_same_takes(generator, score, qtbot):
    runs = []
    for _ in range(2):
        items = collect(generator)
        with qtbot.waitSignal(generator.finished, timeout=20000):
            generator.start(request(score, seed=11))
        runs.append([i.score.notes for i in items if isinstance(i, Take)])
        generator.progressed.disconnect()
        generator.takeReady.disconnect()
    assert runs[0] == runs[1]


def test_a_new_request_cancels_the_running_one(qapp, tmp_path, monkeypatch, score, qtbot):
    from composer.generation.registry import ModelRegistry

    install(monkeypatch, tmp_path / "models", name="slow", delay=0.02)
    g = Generator(ModelRegistry([(tmp_path / "models", "shipped")]))
    try:
        items = collect(g)
        finished = []
        g.finished.connect(finished.append)
        g.start(request(score, model="slow", bars=16, variations=1))
        qtbot.waitUntil(lambda: len(items) >= 1, timeout=20000)
        second = g.start(request(score, model="slow", bars=1, variations=1, seed=99))
        with qtbot.waitSignal(g.finished, timeout=20000):
            pass
        assert finished == [False]  # only the current request reports finishing
        takes = [i for i in items if isinstance(i, Take)]
        assert len(takes) == 1 and takes[0].seed == 99 and g.current_id == second
    finally:
        g.shutdown()


def test_stop_cancels_at_once(qapp, tmp_path, monkeypatch, score, qtbot):
    from composer.generation.registry import ModelRegistry

    install(monkeypatch, tmp_path / "models", name="slow", delay=0.02)
    g = Generator(ModelRegistry([(tmp_path / "models", "shipped")]))
    try:
        items = collect(g)
        g.start(request(score, model="slow", bars=32, variations=1))
        qtbot.waitUntil(lambda: len(items) >= 1, timeout=20000)
        with qtbot.waitSignal(g.finished, timeout=5000) as done:
            g.stop()
        assert done.args == [True]
        assert not any(isinstance(i, Take) for i in items)
        assert not g.running
    finally:
        g.shutdown()


def test_errors_become_messages(generator, score, qtbot):
    with qtbot.waitSignal(generator.failed, timeout=20000) as failed:
        generator.start(request(score, model="no-such-model"))
    assert "unknown model 'no-such-model'" in failed.args[0]
    with qtbot.waitSignal(generator.failed, timeout=20000) as failed:
        generator.start(request(score, bars=0))
    assert "at least 1" in failed.args[0]

    def broken(req, registry):
        yield from ()
        raise ZeroDivisionError("boom")

    generator.worker._run_engine = broken
    finished = []
    generator.finished.connect(finished.append)
    with qtbot.waitSignal(generator.failed, timeout=20000) as failed:
        generator.start(request(score))
    assert "the model failed (ZeroDivisionError: boom)" in failed.args[0]
    qtbot.waitUntil(lambda: finished == [False], timeout=5000)
    assert not generator.running


def test_model_loading_is_reported_once_per_request(generator, score, qtbot):
    loads = []
    generator.modelLoaded.connect(lambda name, s: loads.append(name))
    with qtbot.waitSignal(generator.finished, timeout=20000):
        generator.start(request(score))
    assert loads == ["tiny"]
    assert "torch" in __import__("sys").modules  # loaded on the worker thread


def test_take_session_cycles_and_describes(score):
    session = TakeSession(request(score, variations=3))
    assert session.ghost_notes() is None
    assert "writing bar 1 of 4" in session.status()
    assert session.cycle(-1) == 2 and session.cycle(1) == 0


def test_a_stopped_session_keeps_the_finished_bars_of_each_take(score):
    from composer.music.score import Note

    session = TakeSession(request(score, bars=8, variations=3, seed=40))
    track = score.tracks[0].name
    start = 4 * BAR

    def notes(bars: int, extra: int = 0) -> dict:
        ticks = range(start, start + bars * BAR + extra, 960)
        return {track: tuple(Note(t, t + 960, 60 + i % 5) for i, t in enumerate(ticks))}

    session.add(TakeProgress(0, notes(2, 960), (), 2))  # 2 bars and half of the 3rd
    session.add(TakeProgress(1, notes(0, 960), (), 0))  # not one bar
    session.add(TakeProgress(2, notes(1), (), 1))
    session.current = 1
    session.running = False
    session.stopping = True
    assert session.keep_finished_bars() == 2
    assert sorted(session.takes) == [0, 2] and session.current == 2
    two, one = session.takes[0], session.takes[2]
    assert (two.bars, two.start, two.end, two.complete) == (2, start, start + 2 * BAR, False)
    assert (one.bars, one.end, one.seed) == (1, start + BAR, 42)
    assert session.seed_of(0) == 40
    assert session.status() == ("Take 3/3: 1 of 8 bars (stopped) \u2014 Enter accepts, "
                                "Esc discards, Alt+\u2190/\u2192 or Tab cycles")
    assert session.cycle(1) == 0 and session.cycle(1) == 2 and session.cycle(-1) == 0
    ghosts = session.ghost_notes()[track]
    assert ghosts and all(start <= n.start < n.end <= start + 2 * BAR for n in ghosts)
    assert len(two.score.bars()) == 8  # replace: bars 5 and 6 rewritten in place
    assert session.status().startswith("Take 1/3: 2 of 8 bars (stopped)")


def test_a_stopped_session_without_a_finished_bar_has_no_take(score):
    session = TakeSession(request(score, bars=8, variations=1))
    session.add(TakeProgress(0, {}, (), 0))
    session.stopping = True
    assert session.keep_finished_bars() == 0 and session.current_take is None
    assert session.status() == "Take 1/1: no bars written"
