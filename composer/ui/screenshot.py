"""Take the README's screenshot: the window on an example tune, bars selected, and
takes from a real model shown as ghost notes.

``python -m composer.ui.screenshot OUT.png [--tune FILE] [--model NAME]
[--models-dir DIR]`` (``make screenshot`` runs it under Xvfb). It uses the installed
models (or those in ``--models-dir``); without any it stops with a message.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from composer import paths

SIZE = (1440, 900)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m composer.ui.screenshot",
                                description=__doc__.splitlines()[0])
    p.add_argument("out", help="PNG file to write")
    p.add_argument("--tune", default=str(paths.resources_dir() / "examples"
                                         / "morning-on-the-hill.abc"))
    p.add_argument("--model", default=None, help="model name (default: the default model)")
    p.add_argument("--models-dir", default=None,
                   help="a folder of model folders to use besides the installed ones")
    p.add_argument("--bars", type=int, default=4, help="bars to select and to add")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for takes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from composer.generation.registry import ModelRegistry
    from composer.ui.app import make_application
    from composer.ui.main_window import MainWindow

    app = make_application([])
    folders = [(paths.shipped_models_dir(), "shipped"), (paths.user_models_dir(), "user")]
    if args.models_dir:
        folders.append((Path(args.models_dir), "extra"))
    registry = ModelRegistry(folders)
    name = args.model or registry.default_name()
    if name is None:
        print("screenshot: no model installed (put one in models/ or pass --models-dir)",
              file=sys.stderr)
        return 2
    if name not in registry.names():
        print(f"screenshot: no model named {name!r} (have: {', '.join(registry.names())})",
              file=sys.stderr)
        return 2
    window = MainWindow(registry=registry)
    try:
        return _shoot(app, window, args, name)
    finally:
        window.files.ask_unsaved = lambda: "discard"
        window.close()


def _shoot(app, window, args, name: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    window.resize(*SIZE)
    window.show()
    if not window.files.load(args.tune):
        print(f"screenshot: {window.message_bar.text()}", file=sys.stderr)
        return 2
    window.panel.select_model(name)
    window.panel.variations.setValue(3)
    window.panel.fresh_seed.setChecked(False)
    window.panel.seed.setValue(20261122)
    window.panel.bars.setValue(args.bars)
    app.processEvents()
    window.roll.zoom_to_fit()

    bars = window.document.score.bars()
    first = 1 if window.document.score.pickup_ticks else 0
    start, end = bars[first][0], bars[min(first + args.bars, len(bars)) - 1][1]
    loop = QEventLoop()
    failed: list[str] = []
    window.takes.allTakesDone.connect(loop.quit)
    window.takes.error.connect(lambda m: (failed.append(m), loop.quit()))
    QTimer.singleShot(int(args.timeout * 1000), loop.quit)
    window.document.set_selection((start, end))
    if not window.takes.continue_range(start, end, args.bars):
        print(f"screenshot: {window.message_bar.text()}", file=sys.stderr)
        return 2
    loop.exec()
    session = window.takes.session
    if failed or session is None or not session.complete:
        print(f"screenshot: the takes did not come ({'; '.join(failed) or 'timeout'})",
              file=sys.stderr)
        return 2
    window.takes.cycle(1)
    window.roll.zoom_to_fit()
    take = session.current_take
    shown = take.end + (take.end - take.start) // max(args.bars, 1)  # one bar more
    zoom_y = window.roll.zoom()[1]
    window.roll.set_zoom(window.roll.view().viewport().width() * 480 / shown, zoom_y * 1.15)
    window.roll.view().horizontalScrollBar().setValue(0)
    for _ in range(3):  # let the sheet view and the roll settle
        wait = QEventLoop()
        QTimer.singleShot(700, wait.quit)
        wait.exec()
    window.statusBar().clearMessage()  # e.g. "no sound device" under Xvfb: the take shows
    image = window.grab()
    if not image.save(args.out):
        print(f"screenshot: cannot write {args.out}", file=sys.stderr)
        return 2
    print(f"screenshot: wrote {args.out} ({image.width()}x{image.height()}, model {name}, "
          f"{session.status()})")
    return 0




if __name__ == "__main__":
    sys.exit(main())
