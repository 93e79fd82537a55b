"""Start the Qt application and the main window (``composer`` or ``composer FILE``).

After a crash or a kill, the autosave of the lost session is offered back before the
file named on the command line is opened.
"""

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


def make_application(argv: list[str] | None = None):
    """The QApplication (created once), named so Qt's own files go to the right place."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationName("Composer")
    app.setOrganizationName("Composer")
    app.setDesktopFileName("composer")
    return app


def offer_recovery(window, ask=None) -> bool:
    """Offer the newest autosave of a session that did not close; ``ask(text) ->
    bool`` answers the question (default: a dialog). Returns True if one was
    restored. Older autosaves are offered in turn; those declined are deleted."""
    from composer.ui.autosave import find_recoveries

    restored = False
    for recovery in find_recoveries():
        if restored:
            recovery.lock.unlock()  # kept for a later start
            continue
        question = (f"Composer did not close properly last time. Restore "
                    f"{recovery.describe()}?")
        if (ask or _ask_dialog(window))(question):
            window.restore(recovery)
            restored = True
        else:
            recovery.discard()
    return restored


def _ask_dialog(window):
    from PySide6.QtWidgets import QMessageBox

    def ask(question: str) -> bool:
        answer = QMessageBox.question(window, "Restore unsaved work", question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    return ask


def run_app(argv: list[str]) -> int:
    """Open the main window (on ``argv[0]`` if given) and run the event loop."""
    problem = _display_problem()
    if problem:
        print(f"composer: {problem}", file=sys.stderr)
        return 1
    app = make_application(argv)
    from composer.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    restored = offer_recovery(window)
    if argv and not restored:
        window.open_file(argv[0])
    return app.exec()
