"""The main window (a first, bare version: it opens a file and shows what it holds)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from composer.music.errors import MusicError
from composer.music.io import read_score


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Composer")
        self.resize(1100, 700)
        self.score = None
        self._label = QLabel("Open a tune (ABC, MIDI or MusicXML) to begin.")
        self.setCentralWidget(self._label)

    def open_file(self, path: str) -> bool:
        try:
            self.score = read_score(path)
        except MusicError as e:
            self.statusBar().showMessage(str(e))
            return False
        notes = sum(len(t.notes) for t in self.score.tracks)
        self._label.setText(f"{self.score.title or path}: {notes} notes")
        self.setWindowTitle(f"{self.score.title or path} — Composer")
        return True
