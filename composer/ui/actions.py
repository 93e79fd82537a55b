"""The window's commands as QActions, with their shortcuts, menus and toolbars.

:func:`build_actions` only creates and arranges them; the window connects them.
:class:`TakeKeys` gives the take actions' keys to the takes wherever the focus is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from composer import paths
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
    for a in (A.accept_take, A.discard_takes):
        a.setAutoRepeat(False)  # holding Enter accepts one take, not the next one too
    A.zoom_fit = _action(window, "&Zoom to fit", "zoom-fit", QKeySequence("Ctrl+0"),
                         "Show the whole tune")
    A.eye = _action(window, "Model's &eye", "", QKeySequence("Ctrl+E"),
                    "Show what the model expects at every character or at the cursor "
                    "(Ctrl+E)", checkable=True)
    A.about = _action(window, "&About Composer")
    A.examples = [_action(window, title, tip=f"Open {path.name} as a new, unsaved tune")
                  for path, title in example_tunes()]
    for a, (path, _title) in zip(A.examples, example_tunes()):
        a.setData(str(path))
    return A


def example_tunes() -> list[tuple[Path, str]]:
    """The example tunes (Help > Open example tunes): each file with its first title."""
    out = []
    for path in sorted(paths.examples_dir().glob("*.abc")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        titles = [line[2:].strip() for line in lines if line.startswith("T:")]
        out.append((path, titles[0] if titles and titles[0] else path.stem))
    return out


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
    examples = help_.addMenu("Open &example tunes")
    examples.setObjectName("examplesMenu")
    examples.addActions(A.examples)
    examples.setEnabled(bool(A.examples))
    help_.addSeparator()
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


# --- the take keys ------------------------------------------------------------------------
KEY_MASK = 0x01FFFFFF
"""The key of a combined key-and-modifiers int (:func:`key_of`)."""


def key_of(event: QKeyEvent) -> int:
    """The key and modifiers of ``event`` as one combined int, as a one-key
    :class:`QKeySequence` spells them: Shift+Tab arrives as Backtab, the keypad's
    Enter with the keypad modifier."""
    key = int(event.key())
    mods = event.modifiers() & ~Mod.KeypadModifier
    if key == Key.Key_Backtab:
        key, mods = int(Key.Key_Tab), mods | Mod.ShiftModifier
    return mods.value | key


@dataclass
class TakeKey:
    """A take action whose keys :class:`TakeKeys` routes; ``fallback`` runs instead
    when the action is disabled (``None``: the key then does what it does without
    takes); ``repeat`` lets a held key repeat the action."""

    action: QAction
    fallback: Callable[[], object] | None = None
    repeat: bool = True


class TakeKeys(QObject):
    """While takes wait for a decision (:meth:`set_active`), the keys of the take
    actions (Enter, Esc, Tab, Shift+Tab, Alt+Left/Right) act on the takes wherever the
    focus is in ``window``: in the ABC editor and the panel's fields too, which take
    Enter and Tab as typing otherwise (the shortcut would never fire). Without takes
    it does nothing: Enter types a newline, Tab moves the focus, Esc does what it did.

    It filters the application's key events (only while active, or while a key that
    accepted or discarded is held): the focus widget's ShortcutOverride is accepted
    for a take key, so no shortcut fires and no widget types it; the key press that
    follows runs the action. Auto-repeats of a key that accepted or discarded are
    swallowed until it is released, so holding Enter does not go on to type newlines.
    Popups (menus, completers, combo box lists) and dialogs keep their keys.
    """

    def __init__(self, window: QMainWindow, keys: list[TakeKey]):
        super().__init__(window)
        self._window = window
        self._keys = keys
        self._active = False
        self._held: int | None = None
        self._installed = False

    def set_active(self, active: bool) -> None:
        """Route the take keys (True while takes are shown) or leave keys alone."""
        self._active = bool(active)
        self._update()

    def is_active(self) -> bool:
        return self._active

    def shutdown(self) -> None:
        """Stop filtering keys for good (the window closes)."""
        self._active = False
        self._held = None
        self._update()

    def _update(self) -> None:
        app = QApplication.instance()
        want = (self._active or self._held is not None) and app is not None
        if want and not self._installed:
            app.installEventFilter(self)
        elif not want and self._installed and app is not None:
            app.removeEventFilter(self)
        self._installed = want

    def _binding(self, combo: int) -> TakeKey | None:
        for binding in self._keys:
            action = binding.action
            if not action.isEnabled() and binding.fallback is None:
                continue
            for seq in action.shortcuts():
                if seq.count() == 1 and seq[0].toCombined() == combo:
                    return binding
        return None

    def _in_window(self, widget: QWidget) -> bool:
        """``widget`` is part of the window (a docked or floating dock included), not
        a popup or a dialog."""
        w = widget
        while w is not None:
            if w is self._window:
                return True
            if w.isWindow() and not isinstance(w, QDockWidget):
                return False
            w = w.parentWidget()
        return False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress,
                        QEvent.Type.KeyRelease) or not isinstance(obj, QWidget):
            return False
        combo = key_of(event)
        if kind == QEvent.Type.KeyRelease:
            if (self._held is not None and not event.isAutoRepeat()
                    and combo & KEY_MASK == self._held & KEY_MASK):
                self._held = None
                self._update()
            return False
        if not self._in_window(obj):
            return False
        if self._held is not None:
            if event.isAutoRepeat() and combo == self._held:
                event.accept()  # the key that accepted or discarded is still held
                return True
            if kind == QEvent.Type.KeyPress:
                self._held = None
                self._update()
        binding = self._binding(combo) if self._active else None
        if binding is None:
            return False
        event.accept()
        if kind == QEvent.Type.ShortcutOverride:
            return True  # not a shortcut, not typing: the key press comes here next
        if event.isAutoRepeat() and not binding.repeat:
            return True
        if not binding.repeat:
            self._held = combo
        if binding.action.isEnabled():
            binding.action.trigger()
        elif binding.fallback is not None:
            binding.fallback()
        self._update()
        return True
