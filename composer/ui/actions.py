"""The window's commands as QActions, with their shortcuts, menus and toolbars.

:func:`build_actions` only creates and arranges them; the window connects them.
"""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from composer.ui.icons import icon

Key = Qt.Key
Mod = Qt.KeyboardModifier


def _action(window: QMainWindow, text: str, name: str = "", shortcut=None, tip: str = "",
            checkable: bool = False) -> QAction:
    a = QAction(icon(name) if name else icon("_none"), text, window)
    if shortcut is not None:
        if isinstance(shortcut, list):
            a.setShortcuts(shortcut)
        else:
            a.setShortcut(shortcut)
    if tip:
        a.setToolTip(tip)
        a.setStatusTip(tip)
    a.setCheckable(checkable)
    return a


def build_actions(window: QMainWindow, undo_stack) -> SimpleNamespace:
    """Every action of the window, in a namespace (``actions.open``, ...)."""
    A = SimpleNamespace()
    std = QKeySequence.StandardKey
    A.new = _action(window, "&New", "new", std.New, "Start a new tune")
    A.open = _action(window, "&Open\u2026", "open", std.Open,
                     "Open an ABC, MIDI or MusicXML file")
    A.save = _action(window, "&Save", "save", std.Save, "Save the tunes as ABC")
    A.save_as = _action(window, "Save &As\u2026", "", std.SaveAs, "Save under another name")
    A.export_midi = _action(window, "Export &MIDI\u2026", "", None, "Write the tune as MIDI")
    A.export_abc = _action(window, "Export A&BC\u2026", "", None,
                           "Write the tune alone as ABC")
    A.export_wav = _action(window, "Export &WAV\u2026", "", None,
                           "Render the tune to a WAV file")
    A.quit = _action(window, "&Quit", "", std.Quit)
    A.undo = undo_stack.createUndoAction(window, "&Undo")
    A.undo.setIcon(icon("undo"))
    A.undo.setShortcuts(std.Undo)
    A.redo = undo_stack.createRedoAction(window, "&Redo")
    A.redo.setIcon(icon("redo"))
    redo_keys = QKeySequence.keyBindings(std.Redo)
    if QKeySequence("Ctrl+Y") not in redo_keys:  # Windows' Redo on every platform
        redo_keys.append(QKeySequence("Ctrl+Y"))
    A.redo.setShortcuts(redo_keys)
    A.continue_ = _action(window, "&Continue", "continue",
                          [QKeySequence(Mod.ControlModifier | Key.Key_Return),
                           QKeySequence(Mod.ControlModifier | Key.Key_Enter)],
                          "Continue the selection by the bars set in the generation "
                          "panel (Ctrl+Enter)")
    A.stop = _action(window, "S&top writing", "stop", QKeySequence("Ctrl+."),
                     "Stop the model now")
    A.previous_take = _action(window, "&Previous take", "previous",
                              [QKeySequence("Alt+Left"), QKeySequence("Shift+Tab")],
                              "Show the previous take (Alt+Left)")
    A.next_take = _action(window, "&Next take", "next",
                          [QKeySequence("Alt+Right"), QKeySequence(Key.Key_Tab)],
                          "Show the next take (Alt+Right or Tab)")
    A.accept_take = _action(window, "&Accept take", "accept",
                            [QKeySequence(Key.Key_Return), QKeySequence(Key.Key_Enter)],
                            "Make the take shown part of the tune (Enter)")
    A.discard_takes = _action(window, "&Discard takes", "discard",
                              QKeySequence(Key.Key_Escape), "Drop the takes (Esc)")
    for a in (A.stop, A.previous_take, A.next_take, A.accept_take, A.discard_takes):
        a.setEnabled(False)
    A.zoom_fit = _action(window, "&Zoom to fit", "zoom-fit", QKeySequence("Ctrl+0"),
                         "Show the whole tune")
    A.eye = _action(window, "Model's &eye", "", QKeySequence("Ctrl+E"),
                    "Show what the model expects at every character or at the cursor "
                    "(Ctrl+E)", checkable=True)
    A.about = _action(window, "&About Composer")
    return A


def build_menus(window: QMainWindow, A: SimpleNamespace, transport, docks) -> QMenu:
    """The menu bar; returns the Open Recent submenu (filled by the window)."""
    bar = window.menuBar()
    file = bar.addMenu("&File")
    file.addActions([A.new, A.open])
    recent = file.addMenu("Open &Recent")
    file.addSeparator()
    file.addActions([A.save, A.save_as])
    file.addSeparator()
    file.addActions([A.export_midi, A.export_abc, A.export_wav])
    file.addSeparator()
    file.addAction(A.quit)
    edit = bar.addMenu("&Edit")
    edit.addActions([A.undo, A.redo])
    compose = bar.addMenu("&Compose")
    compose.addActions([A.continue_, A.stop])
    compose.addSeparator()
    compose.addActions([A.previous_take, A.next_take, A.accept_take, A.discard_takes])
    play = bar.addMenu("&Play")
    play.addActions([transport.play_action, transport.loop_action, transport.follow_action])
    view = bar.addMenu("&View")
    view.addAction(A.zoom_fit)
    view.addSeparator()
    for dock in docks:
        view.addAction(dock.toggleViewAction())
    view.addAction(A.eye)
    help_ = bar.addMenu("&Help")
    help_.addAction(A.about)
    return recent


def build_toolbars(window: QMainWindow, A: SimpleNamespace, transport) -> list[QToolBar]:
    def bar(name: str, title: str) -> QToolBar:
        t = window.addToolBar(title)
        t.setObjectName(name)
        t.setMovable(True)
        t.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        return t

    files = bar("fileToolBar", "File")
    files.addActions([A.new, A.open, A.save])
    edit = bar("editToolBar", "Edit")
    edit.addActions([A.undo, A.redo, A.zoom_fit])
    compose = bar("composeToolBar", "Compose")
    compose.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    compose.addAction(A.continue_)
    compose.addAction(A.stop)
    compose.addSeparator()
    for a in (A.previous_take, A.next_take, A.accept_take, A.discard_takes):
        compose.addAction(a)
    transport_bar = bar("transportToolBar", "Transport")
    transport.fill(transport_bar)
    return [files, edit, compose, transport_bar]
