"""Start the Qt application and the main window."""

from __future__ import annotations

import os
import sys


def _display_problem() -> str | None:
    """A plain-words reason why no window can open here, or ``None``."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return ("no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run Composer "
                    "in a desktop session, under `xvfb-run composer`, or use the command-line "
                    "tools (`composer --help`).")
    return None


def run_app(argv: list[str]) -> int:
    """Open the main window (on ``argv[0]`` if given) and run the event loop."""
    problem = _display_problem()
    if problem:
        print(f"composer: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from composer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Composer")
    app.setOrganizationName("Composer")
    window = MainWindow()
    window.show()
    if argv:
        window.open_file(argv[0])
    return app.exec()
