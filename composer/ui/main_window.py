"""The composer window: the piano roll in the centre, the ABC editor, the sheet
music and the generation panel in docks, a transport bar, a status bar.

The window only wires parts together: the :class:`Document` holds the tune and the
undo stack; the roll, the ABC pane and the sheet view observe it (never each other);
:class:`FileController`, :class:`ContinueController`, :class:`Transport` and
:class:`Autosave` do the work of their menus.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from composer.music.errors import MusicError
from composer.ui import abc_bridge
from composer.ui.abc_editor import AbcPane
from composer.ui.actions import TakeKey, TakeKeys, build_actions, build_menus, build_toolbars
from composer.ui.autosave import Autosave
from composer.ui.continuation import ContinueController
from composer.ui.document import Document
from composer.ui.eye import ModelEye
from composer.ui.files import FileController, readable
from composer.ui.generation_panel import GenerationPanel
from composer.ui.icons import icon
from composer.ui.message_bar import MessageBar
from composer.ui.piano_roll import PianoRoll
from composer.ui.qt_player import QtPlayer, probe_render
from composer.ui.settings import open_settings, value
from composer.ui.sheet.view import SheetView
from composer.ui.transport import Transport
from composer.ui.worker import Generator

PRELOAD_DELAY_MS = 700
"""After start-up, when the panel's model is loaded on the worker thread (ms)."""


def _default_registry():
    from composer.generation.registry import ModelRegistry

    return ModelRegistry()


class MainWindow(QMainWindow):
    """See the module docstring. ``registry`` (models) and ``player_factory``
    (audio) can be given for tests; by default the installed models and the sound
    card are used. ``run_engine`` replaces the continuation engine (tests);
    ``preload`` false leaves loading the model to the first Continue."""

    def __init__(self, registry=None, player_factory=None, run_engine=None,
                 autosave_ms: int | None = None, preload: bool = True):
        super().__init__()
        self.setObjectName("composerWindow")
        self.setWindowIcon(icon("composer"))
        self.setAcceptDrops(True)
        self._shut_down = False
        self._started = False
        self._preload = preload
        self._playing_bar: tuple[int, int] | None = None
        self.settings = open_settings()
        self.document = Document(self)
        self.registry = registry if registry is not None else _default_registry()

        self.message_bar = MessageBar()
        self.roll = PianoRoll()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.roll, 1)
        self.setCentralWidget(central)

        self.abc_pane = AbcPane(self.document)
        self.sheet = SheetView(self.document)
        self.panel = GenerationPanel(self.registry)
        self.abc_dock = self._dock("abcDock", "ABC", self.abc_pane,
                                   Qt.DockWidgetArea.RightDockWidgetArea)
        self.panel_dock = self._dock("generationDock", "Generate", self.panel,
                                     Qt.DockWidgetArea.LeftDockWidgetArea)
        self.sheet_dock = self._dock("sheetDock", "Sheet music", self.sheet,
                                     Qt.DockWidgetArea.BottomDockWidgetArea)
        self.sheet_dock.toggleViewAction().setIcon(icon("sheet"))
        self.sheet_dock.toggleViewAction().setShortcut("Ctrl+M")
        self.eye = ModelEye(self.registry, self)
        self.eye_dock = self._dock("eyeDock", "Model's eye", self.eye.panel,
                                   Qt.DockWidgetArea.RightDockWidgetArea)
        self.eye_dock.hide()  # until asked for (then restored with the layout)

        self.player = QtPlayer(player_factory, self)
        self.transport = Transport(self.document, self.player, self)
        self.generator = Generator(self.registry, self, run_engine=run_engine)
        self.takes = ContinueController(self.document, self.panel, self.generator, self)
        self.files = FileController(self.document, self.settings, self)
        kwargs = {} if autosave_ms is None else {"interval_ms": autosave_ms}
        self.autosave = Autosave(self.document, parent=self, **kwargs)

        self.actions_ = build_actions(self, self.document.undo_stack)
        docks = [self.abc_dock, self.sheet_dock, self.panel_dock]
        self.recent_menu = build_menus(self, self.actions_, self.transport, docks)
        self.toolbars = build_toolbars(self, self.actions_, self.transport)
        A = self.actions_
        self.take_keys = TakeKeys(self, [  # the takes answer wherever the focus is
            TakeKey(A.accept_take, self.takes.accept, repeat=False),
            TakeKey(A.discard_takes, repeat=False),
            TakeKey(A.next_take), TakeKey(A.previous_take)])
        self._build_status_bar()
        self._connect()
        self._restore_layout()
        self.eye.attach(self.document, self.abc_pane.editor, self.roll, self.panel,
                        self.actions_.eye, self.eye_dock)
        self.eye.panel.restore(self.settings)
        self._refresh_recent(self.files.recent())
        self._update_title()
        self._set_roll_score(self.document.score)
        QTimer.singleShot(300, self._start_background_work)

    # --- construction ------------------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.take_label = QLabel()
        self.loading_bar = QProgressBar()
        self.loading_bar.setRange(0, 0)
        self.loading_bar.setMaximumWidth(120)
        self.loading_bar.setMaximumHeight(14)
        self.loading_bar.hide()
        self.loading_label = QLabel()
        self.loading_label.hide()
        self.cursor_label = QLabel()
        bar.addWidget(self.take_label, 1)
        bar.addPermanentWidget(self.loading_label)
        bar.addPermanentWidget(self.loading_bar)
        bar.addPermanentWidget(self.cursor_label)

    def _connect(self) -> None:
        A, doc, roll = self.actions_, self.document, self.roll
        A.new.triggered.connect(self.files.new)
        A.open.triggered.connect(lambda: self.files.open())
        A.save.triggered.connect(self.files.save)
        A.save_as.triggered.connect(self.files.save_as)
        A.export_midi.triggered.connect(lambda: self.files.export_midi())
        A.export_abc.triggered.connect(lambda: self.files.export_abc())
        A.export_wav.triggered.connect(lambda: self.files.export_wav())
        A.export_wav.setEnabled(False)
        A.quit.triggered.connect(self.close)
        A.continue_.triggered.connect(lambda: self.takes.continue_selection())
        A.stop.triggered.connect(self.takes.stop)
        A.previous_take.triggered.connect(lambda: self.takes.cycle(-1))
        A.next_take.triggered.connect(lambda: self.takes.cycle(1))
        A.accept_take.triggered.connect(self.takes.accept)
        A.discard_takes.triggered.connect(self.takes.discard)
        A.zoom_fit.triggered.connect(roll.zoom_to_fit)
        A.about.triggered.connect(self._about)
        for a in A.examples:
            path = a.data()
            a.triggered.connect(lambda _c=False, p=path: self.open_example(p))
        self.files.error.connect(self.show_error)
        self.files.info.connect(self.show_info)
        self.files.opened.connect(self._file_opened)
        self.files.recentChanged.connect(self._refresh_recent)
        self.abc_pane.filesDropped.connect(self.files.open_dropped)
        self.abc_pane.selectionTicksChanged.connect(lambda a, b: doc.set_selection((a, b)))

        doc.scoreChanged.connect(self._set_roll_score)
        doc.selectionChanged.connect(self._selection_to_roll)
        doc.errorChanged.connect(lambda e: roll.set_editable(e is None))
        doc.pathChanged.connect(self._update_title)
        doc.writeFailed.connect(self.show_error)
        doc.textRewritten.connect(self.show_info)
        doc.modifiedChanged.connect(lambda _m: self._update_title())
        roll.scoreEdited.connect(self._roll_edited)
        roll.selectionChanged.connect(
            lambda a, b: doc.set_selection((a, b) if a >= 0 and b > a else None))
        roll.continueRequested.connect(self.takes.continue_range)
        roll.cursorMoved.connect(self._cursor_moved)

        t = self.takes
        t.ghostsChanged.connect(roll.set_ghost_notes)
        t.status.connect(self.take_label.setText)
        t.error.connect(self.show_error)
        t.loading.connect(self._loading)
        t.running.connect(A.stop.setEnabled)
        t.takesShown.connect(self._takes_shown)
        t.takesShown.connect(self.take_keys.set_active)
        t.ready.connect(A.accept_take.setEnabled)
        t.accepted.connect(lambda _take: self._collapse_text_selection())
        self.panel.mode.currentIndexChanged.connect(
            lambda _i: roll.set_insert_mode(self.panel.mode_name() == "insert"))
        self.panel.modelChanged.connect(self._model_changed)

        self.transport.take_to_audition = self.takes.audition_target
        self.transport.playheadMoved.connect(roll.set_playhead)
        self.transport.playheadMoved.connect(self._mark_playing_bar)
        self.transport.message.connect(lambda m: self.statusBar().showMessage(m, 10000))
        self.transport.follow_action.toggled.connect(roll.set_follow_playhead)
        self.player.stateChanged.connect(
            lambda s: self._mark_playing_bar(-1) if s == "stopped" else None)
        self.autosave.failed.connect(self.show_error)

    # --- the document and the roll -----------------------------------------------------
    def _set_roll_score(self, score) -> None:
        self.roll.set_score(score)

    def _roll_edited(self, score) -> None:
        try:
            self.document.set_score(score)
        except MusicError as e:
            self.show_error(str(e))
            self.roll.set_score(self.document.score)

    def _selection_to_roll(self, start: int, end: int) -> None:
        if self.roll.selection() != ((start, end) if start >= 0 else None):
            self.roll.set_selection(start, end)

    def _mark_playing_bar(self, tick: int) -> None:
        """Show the playhead on the roll and shade the bar being played in the ABC."""
        if tick < 0:
            self.roll.set_playhead(-1)
        doc = self.document
        bar = next(((a, b) for a, b in doc.score.bars() if a <= tick < b), None)
        if bar == self._playing_bar:
            return
        self._playing_bar = bar
        chars = None
        if bar is not None and doc.error is None and not doc.parse_pending:
            chars = abc_bridge.chars_for_ticks(doc.text, bar[0], bar[1], doc.header)
        self.abc_pane.editor.mark_playing(*(chars or (None, None)))

    def _cursor_moved(self, tick: int) -> None:
        from composer.ui.transport import bar_beat

        self.cursor_label.setText(bar_beat(self.document.score, tick))
        self.player.seek(tick)

    def _takes_shown(self, shown: bool) -> None:
        A = self.actions_
        session = self.takes.session
        many = shown and session is not None and session.variations > 1
        A.previous_take.setEnabled(many)
        A.next_take.setEnabled(many)
        A.discard_takes.setEnabled(shown)

    def _loading(self, on: bool, text: str) -> None:
        self.loading_bar.setVisible(on)
        self.loading_label.setVisible(on)
        self.loading_label.setText(text)

    def _model_changed(self, name: str) -> None:
        self.settings.setValue("generation/model", name)
        if self._started and self._preload:
            self._preload_model()

    def _collapse_text_selection(self) -> None:
        """After a take is accepted the editor's text selection (the seed) has done its
        job: keep the cursor, drop the selection, so a second Enter types no newline
        over it."""
        editor = self.abc_pane.editor
        cursor = editor.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            editor.setTextCursor(cursor)

    # --- messages ----------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        self.message_bar.show_error(message)
        self.statusBar().showMessage(message, 10000)

    def show_info(self, message: str) -> None:
        self.message_bar.show_info(message)
        self.statusBar().showMessage(message, 5000)

    def _file_opened(self, _path: str) -> None:
        if self.document.error is None:
            self.message_bar.clear_error()  # an error about the file before is stale now

    def _about(self) -> None:
        from composer.ui.about import show_about

        show_about(self, self.registry)

    def open_example(self, path: str | Path) -> bool:
        """Open a shipped example tune as a new, unsaved tune (Save asks where to keep
        it: the examples stay as shipped)."""
        if not self.files.may_discard():
            return False
        path = Path(path)
        try:
            self.document.load_text(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, MusicError) as e:
            self.show_error(f"Cannot open the example {path.name}: {e}")
            return False
        self.show_info(f"Example {path.stem} opened as a new tune: Save asks where to keep it")
        return True

    # --- files ---------------------------------------------------------------------------
    def open_file(self, path: str | Path, tune_index: int = 0) -> bool:
        """Open ``path`` (asking about unsaved changes first)."""
        return self.files.open(str(path), tune_index)

    def restore(self, recovery) -> None:
        """Take back the text of an autosave (:class:`~composer.ui.autosave.Recovery`):
        it opens as unsaved changes to the file it belonged to."""
        path = Path(recovery.path) if recovery.path else None
        self.document.load_text(recovery.text, path, recovery.tune_index)
        self.document.undo_stack.resetClean()
        recovery.discard()
        self.show_info(f"Restored {recovery.describe()}. Save to keep it.")

    def _refresh_recent(self, files: list[str]) -> None:
        self.recent_menu.clear()
        for f in files:
            action = self.recent_menu.addAction(Path(f).name)
            action.setToolTip(f)
            action.triggered.connect(lambda _c=False, f=f: self.files.open(f))
        self.recent_menu.setEnabled(bool(files))

    def _update_title(self) -> None:
        doc = self.document
        name = doc.display_name()
        source = getattr(doc, "source_path", None)
        if doc.path is None and source:
            name = f"{Path(source).name} (imported)"
        self.setWindowTitle(f"{name}[*] \u2014 Composer")
        self.setWindowModified(doc.modified)

    def dragEnterEvent(self, event) -> None:  # Qt override
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() and readable(u.toLocalFile()) for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # Qt override
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.open_dropped(files))

    # --- start-up and shut-down -------------------------------------------------------------
    def _start_background_work(self) -> None:
        """After the window shows: open the audio output, check offline rendering, and
        load the model picked in the panel on the worker thread (torch's import and the
        weights cost a one-time hitch and a second: better now than at the first
        Continue)."""
        self._started = True
        self.eye.start()
        self.player.prepare()
        problem = probe_render()
        self.actions_.export_wav.setEnabled(not problem)
        if problem:
            self.actions_.export_wav.setToolTip(f"Export WAV is unavailable: {problem}")
        if self._preload:
            QTimer.singleShot(PRELOAD_DELAY_MS, self._preload_model)

    def _preload_model(self) -> None:
        info = self.panel.model_info()
        if info is not None and not info.problem and not self._shut_down:
            self.generator.preload(info.name)

    def _restore_layout(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
            self.resizeDocks([self.panel_dock, self.abc_dock], [270, 400],
                             Qt.Orientation.Horizontal)
            self.resizeDocks([self.sheet_dock], [210], Qt.Orientation.Vertical)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        self.transport.follow_action.setChecked(value(s, "play/follow", True))
        self.roll.set_follow_playhead(self.transport.follow_action.isChecked())
        self.panel.restore(s)

    def save_layout(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("play/follow", self.transport.follow_action.isChecked())
        self.panel.save(s)
        self.eye.panel.save(s)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        if not self.files.may_discard():
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Save the layout, stop the worker and the audio, drop the autosave (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.save_layout()
        self.abc_pane.editor.blockSignals(True)
        self.take_keys.shutdown()
        self.document.close()
        self.generator.shutdown()
        self.eye.shutdown()
        self.sheet.close_engraver()
        self.player.close()
        self.autosave.remove()
