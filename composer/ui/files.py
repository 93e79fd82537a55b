"""Files: New, Open (ABC, MIDI, MusicXML), Save / Save As (ABC), Export MIDI / ABC /
WAV, recent files, and the unsaved-changes question before the document is replaced.

Dialogs go through three small methods (:meth:`FileController.ask_open_path`,
:meth:`~FileController.ask_save_path`, :meth:`~FileController.ask_unsaved`) so tests
can answer them. Every failure becomes a message in the window.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from composer.music.atomic import atomic_write
from composer.music.errors import MusicError
from composer.music.io import ABC_EXTENSIONS, MIDI_EXTENSIONS, READ_EXTENSIONS, read_text
from composer.ui import abc_bridge
from composer.ui.document import Document
from composer.ui.settings import add_recent_file, recent_files

OPEN_FILTER = ("Music (*.abc *.mid *.midi *.musicxml *.xml *.mxl);;ABC (*.abc);;"
               "MIDI (*.mid *.midi);;MusicXML (*.musicxml *.xml *.mxl);;All files (*)")


def readable(path: str | Path) -> bool:
    """Whether ``path`` has an extension Composer opens."""
    return Path(path).suffix.lower() in READ_EXTENSIONS


class FileController(QObject):
    """See the module docstring. Signals: ``error(str)``, ``info(str)``,
    ``recentChanged(list)``, ``opened(str)``, ``saved(str)``, ``exported(str)``."""

    error = Signal(str)
    info = Signal(str)
    recentChanged = Signal(list)
    opened = Signal(str)
    saved = Signal(str)
    exported = Signal(str)
    _rendered = Signal(str, str)

    def __init__(self, document: Document, settings, parent: QWidget):
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.window = parent
        self.last_dir = str(Path.home())
        self._rendered.connect(self._on_rendered)
        self.rendering = False

    # --- dialogs (tests replace these) ---------------------------------------------------
    def ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a tune", self.last_dir,
                                              OPEN_FILTER)
        return path or None

    def ask_save_path(self, title: str, suggested: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, suggested, name_filter)
        return path or None

    def ask_unsaved(self) -> str:
        """``"save"``, ``"discard"`` or ``"cancel"``."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Save the changes to {self.document.display_name()}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setInformativeText("Your changes are lost if you don't save them.")
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    # --- the document may be replaced ------------------------------------------------------
    def may_discard(self) -> bool:
        """Ask about unsaved changes; True when the document may be replaced."""
        self.document.parse_now()
        if not self.document.modified:
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new(self) -> None:
        if self.may_discard():
            self.document.new()

    def open(self, path: str | None = None, tune_index: int = 0) -> bool:
        """Open ``path`` (or ask for one); True on success."""
        if not self.may_discard():
            return False
        path = path or self.ask_open_path()
        if not path:
            return False
        return self.load(path, tune_index)

    def load(self, path: str | Path, tune_index: int = 0) -> bool:
        """Open ``path`` without asking about unsaved changes."""
        path = Path(path)
        try:
            if path.suffix.lower() in ABC_EXTENSIONS:
                self.document.load_text(read_text(path), path.resolve(), tune_index)
            else:
                from composer.music.io import read_score

                self.document.load_score(read_score(path), path.resolve())
        except MusicError as e:
            self.error.emit(f"Cannot open {path.name}: {e}")
            return False
        except OSError as e:
            self.error.emit(f"Cannot open {path.name}: {e.strerror or e}")
            return False
        self.last_dir = str(path.resolve().parent)
        self._remember(path)
        if self.document.error is not None:
            self.error.emit(f"{path.name} opened, but its ABC has an error: "
                            f"{self.document.error}. Fix it in the ABC editor.")
        self.opened.emit(str(path))
        return True

    def open_dropped(self, files: list[str]) -> bool:
        """Open the first file of ``files`` that Composer reads (drag and drop)."""
        wanted = [f for f in files if readable(f)]
        if not wanted:
            names = ", ".join(Path(f).name for f in files) or "nothing"
            self.error.emit(f"Cannot open {names}: Composer opens "
                            f"{', '.join(READ_EXTENSIONS)} files")
            return False
        return self.open(wanted[0])

    # --- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        path = self.document.path
        if path is None or path.suffix.lower() not in ABC_EXTENSIONS:
            return self.save_as()
        return self._write_abc(path)

    def save_as(self) -> bool:
        suggested = self._suggest(".abc")
        path = self.ask_save_path("Save as ABC", suggested, "ABC (*.abc)")
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() not in ABC_EXTENSIONS:
            path = path.with_suffix(".abc")
        return self._write_abc(path)

    def _write_abc(self, path: Path) -> bool:
        self.document.parse_now()
        try:
            atomic_write(path, self.document.file_text())
        except MusicError as e:
            self.error.emit(f"Cannot save: {e}. Choose another folder with Save As.")
            return False
        self.document.mark_saved(path.resolve())
        self._remember(path)
        self.saved.emit(str(path))
        self.info.emit(f"Saved {path.name}")
        return True

    # --- exports ---------------------------------------------------------------------------
    def export_midi(self, path: str | None = None) -> bool:
        path = path or self.ask_save_path("Export MIDI", self._suggest(".mid"), "MIDI (*.mid)")
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() not in MIDI_EXTENSIONS:
            path = path.with_suffix(".mid")
        return self._export(path, lambda: self._midi_bytes())

    def export_abc(self, path: str | None = None) -> bool:
        """The current tune alone, as its text reads in the editor (after the file's
        header, which holds defaults for it); while that text has an error, the last
        valid version written from the score (and the message says so)."""
        path = path or self.ask_save_path("Export ABC", self._suggest(".abc"), "ABC (*.abc)")
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() not in ABC_EXTENSIONS:
            path = path.with_suffix(".abc")
        return self._export(path, self._tune_text)

    def _tune_text(self) -> str:
        doc = self.document
        doc.ensure_text()
        if doc.error is not None:
            self.info.emit("The ABC text has an error: the export holds the last valid "
                           "version of the tune")
            return abc_bridge.write_tune(doc.score, doc.text)
        header = doc.header
        if header and not header.endswith("\n\n"):
            header = header.rstrip("\n") + "\n\n"
        return header + doc.text.rstrip("\n") + "\n"

    def export_wav(self, path: str | None = None) -> bool:
        """Render the tune to WAV on a helper thread (``exported`` or ``error`` follow)."""
        if self.rendering:
            self.info.emit("A WAV export is already running")
            return False
        path = path or self.ask_save_path("Export WAV", self._suggest(".wav"), "WAV (*.wav)")
        if not path:
            return False
        path = Path(path).with_suffix(".wav")
        score = self.document.score
        self.rendering = True
        self.info.emit(f"Rendering {path.name}\u2026")

        def work():
            try:
                from composer.audio.render import render_to_wav

                seconds = render_to_wav(score, path)
                self._rendered.emit(str(path), f"{seconds:.1f} s")
            except Exception as e:  # AudioError, MusicError, or a synth failure
                self._rendered.emit(str(path), f"!{e}")

        threading.Thread(target=work, name="composer-render", daemon=True).start()
        return True

    def _on_rendered(self, path: str, result: str) -> None:
        self.rendering = False
        if result.startswith("!"):
            self.error.emit(f"Cannot export {Path(path).name}: {result[1:]}")
        else:
            self.info.emit(f"Exported {Path(path).name} ({result})")
            self.exported.emit(path)

    def _midi_bytes(self) -> bytes:
        from composer.music.midi import midi_bytes

        return midi_bytes(self.document.score)

    def _export(self, path: Path, data) -> bool:
        self.document.parse_now()
        try:
            atomic_write(path, data())
        except MusicError as e:
            self.error.emit(f"Cannot export {path.name}: {e}")
            return False
        self.info.emit(f"Exported {path.name}")
        self.exported.emit(str(path))
        return True

    def _suggest(self, ext: str) -> str:
        source = self.document.path or getattr(self.document, "source_path", None)
        if source:
            return str(Path(source).with_suffix(ext))
        title = (self.document.score.title or "untitled").strip().replace("/", "-")
        return str(Path(self.last_dir) / f"{title}{ext}")

    def _remember(self, path: Path) -> None:
        self.recentChanged.emit(add_recent_file(self.settings, path))

    def recent(self) -> list[str]:
        return recent_files(self.settings)
