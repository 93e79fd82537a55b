"""``composer --smoke-test [OUT.mid]``: prove that an installed Composer works, end to end.

It opens the window on an example tune, lets the default model continue the tune's
end by four bars on the worker thread (the real engine, torch and the shipped
weights), accepts the take, waits for the sheet music (verovio, in its own process),
writes the tune as MIDI and quits: 0 if all of that worked, 1 otherwise, with one line
saying what happened. The installers' check scripts (``packaging/check_bundle.py``,
``packaging/check_wheel.py``) run it; it runs wherever the window can open (a desktop,
``xvfb-run``, or ``QT_QPA_PLATFORM=offscreen``). Settings and autosave go to a
throw-away folder unless ``COMPOSER_CONFIG_DIR``/``COMPOSER_STATE_DIR`` are set.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from composer import paths

EXAMPLE = "morning-on-the-hill.abc"
BARS = 4
TIMEOUT_S = 180.0


def run(out: str | None = None) -> int:
    started = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix="composer-smoke-")
    os.environ.setdefault("COMPOSER_CONFIG_DIR", str(Path(scratch) / "config"))
    os.environ.setdefault("COMPOSER_STATE_DIR", str(Path(scratch) / "state"))
    out_path = Path(out) if out else Path(scratch) / "smoke.mid"
    from composer.ui.app import _display_problem, make_application

    problem = _display_problem()
    if problem:
        print(f"composer: {problem}", file=sys.stderr)
        return 1
    app = make_application([])
    from composer.ui.main_window import MainWindow

    window = MainWindow()
    window.files.ask_unsaved = lambda: "discard"
    try:
        return _run(app, window, out_path, started)
    finally:
        window.close()


def _wait(signal_list, timeout_s: float) -> bool:
    """Run the event loop until one of ``signal_list`` fires; False on timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired: list[bool] = []
    for signal in signal_list:
        signal.connect(lambda *_a: (fired.append(True), loop.quit()))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    return bool(fired)


def _run(app, window, out_path: Path, started: float) -> int:
    def fail(what: str) -> int:
        print(f"smoke test: FAILED: {what}", file=sys.stderr)
        return 1

    window.show()
    app.processEvents()
    shown_s = time.perf_counter() - started
    print("smoke test: window shown", flush=True)  # the check scripts time this line
    example = paths.examples_dir() / EXAMPLE
    if not window.files.load(example):
        return fail(f"cannot open {example}: {window.message_bar.text()}")
    model = window.panel.model_name()
    if model is None:
        return fail("no model installed")
    window.panel.variations.setValue(1)
    window.panel.fresh_seed.setChecked(False)
    window.panel.seed.setValue(7)
    bars_before = len(window.document.score.bars())
    errors: list[str] = []
    window.takes.error.connect(errors.append)
    if not window.takes.continue_selection(BARS):
        return fail(f"continue refused: {'; '.join(errors) or window.message_bar.text()}")
    t0 = time.perf_counter()
    if not _wait([window.takes.allTakesDone, window.takes.error], TIMEOUT_S) or errors:
        return fail(f"no take from {model} ({'; '.join(errors) or 'timeout'})")
    continue_s = time.perf_counter() - t0
    if not window.takes.accept():
        return fail("the take could not be accepted")
    bars_after = len(window.document.score.bars())
    sheet_errors: list[str] = []
    window.sheet.failed.connect(sheet_errors.append)
    window.sheet.engrave_now()
    if not _wait([window.sheet.engraved, window.sheet.failed], 60.0) or sheet_errors:
        return fail(f"no sheet music ({'; '.join(sheet_errors) or 'timeout'})")
    if not window.files.export_midi(str(out_path)) or not out_path.is_file():
        return fail(f"cannot write {out_path}: {window.message_bar.text()}")
    from composer.music.midi import read_midi

    notes = sum(len(t.notes) for t in read_midi(out_path).tracks)
    print(f"smoke test: OK: window shown after {shown_s:.2f} s; {EXAMPLE} continued by "
          f"{model} from {bars_before} to {bars_after} bars in {continue_s:.2f} s; sheet "
          f"music drawn; wrote {out_path} ({notes} notes)")
    return 0
