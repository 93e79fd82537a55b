"""The document: one tune being composed, observed by the roll, the ABC editor and the
sheet view, with one undo stack for all of them.

The :class:`~composer.music.score.Score` is the truth; the ABC text of the current
tune is kept beside it. Edits arrive from two sides:

* the roll hands over a new score (:meth:`Document.set_score`, also an accepted take);
  only the bars whose music changed are written anew into the text, in the tune's
  own style, and every other character the user wrote stays
  (:func:`composer.music.abc.splice.splice_abc`); both change in one undo step. When
  a change cannot be spliced, the tune is written anew and ``textRewritten`` says why
  (undo restores the text);
* the editor hands over its new text (:meth:`Document.edit_text`); it is parsed after
  a short pause. A valid text replaces the score; an invalid one sets :attr:`error`
  and the score stays the last valid one. Nothing the user typed is ever replaced.

Every change is a snapshot pair (:class:`State`) on the :class:`QUndoStack`, so undo
and redo restore text, score and error together. A file may hold several tunes: the
document keeps all their texts (:attr:`tunes`), edits one at a time
(:attr:`tune_index`) and saves them all.

Big scores (a piano piece of 20,000 notes takes seconds to write as ABC or to read
back) are written and read on a helper thread: the score changes at once, the text
follows (:attr:`Document.text_pending`; the editor is read-only meanwhile). Whatever
needs the text now (saving, switching tunes) gets it with :meth:`Document.ensure_text`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from composer.music.errors import AbcSyntaxError, MusicError
from composer.music.score import Score
from composer.ui import abc_bridge
from composer.ui.background import Jobs
from composer.ui.commands import Command, State

__all__ = ["Document", "State", "NEW_TUNE"]

PARSE_DELAY_MS = 350
"""Pause in typing (ms) after which the editor's text is parsed."""

BIG_SCORE_NOTES = 600
"""Scores with more notes have their ABC written on a helper thread."""

BIG_TEXT_CHARS = 12000
"""Longer texts are read on a helper thread."""

WRITE_DELAY_MS = 1200
"""Pause in edits of a big score (ms) before its ABC is written."""

NEW_TUNE = """X:1
T:Untitled
M:4/4
L:1/8
Q:1/4=120
K:C
"C"C2E2 G2E2|"F"F2A2 "G"G2B2|"C"c4 G4|"G"B2d2 "C"c4|]
"""


class Document(QObject):
    """See the module docstring.

    Signals: ``scoreChanged(Score)`` (the score shown changed), ``textReplaced(str)``
    (the text changed by something other than the editor's typing: open, undo, roll
    edits), ``errorChanged(object)`` (an :class:`AbcSyntaxError` or ``None``),
    ``tunesChanged()`` (the tune list or current tune changed), ``selectionChanged(int,
    int)`` (ticks; ``-1, -1`` when nothing is selected), ``pathChanged()``,
    ``modifiedChanged(bool)``, ``parsed()`` (a pending parse finished),
    ``textPendingChanged(bool)`` (the ABC of a big score is being written),
    ``textRewritten(str)`` (a change could not be spliced into the text: it was
    written anew; the message says why and that undo restores it).
    """

    scoreChanged = Signal(object)
    textReplaced = Signal(str)
    errorChanged = Signal(object)
    tunesChanged = Signal()
    selectionChanged = Signal(int, int)
    pathChanged = Signal()
    modifiedChanged = Signal(bool)
    parsed = Signal()
    textPendingChanged = Signal(bool)
    writeFailed = Signal(str)
    textRewritten = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.path: Path | None = None
        self.source_path: Path | None = None
        self.header = ""
        """The file header (text before the first tune: defaults for every tune)."""
        self.tunes: list[str] = [NEW_TUNE]
        self.tune_index = 0
        self.text = NEW_TUNE
        self.score = abc_bridge.read_tune(NEW_TUNE)
        self.error: AbcSyntaxError | None = None
        self.selection: tuple[int, int] | None = None
        self._parse_timer = QTimer(self)
        self._parse_timer.setSingleShot(True)
        self._parse_timer.setInterval(PARSE_DELAY_MS)
        self._parse_timer.timeout.connect(self._parse_pending_text)
        self._jobs = Jobs(self)
        self._writing: Score | None = None  # the score whose ABC is being written
        self._write_edited: tuple[int, int, int] | None = None  # what changed, if known
        self._write_timer = QTimer(self, singleShot=True, interval=WRITE_DELAY_MS)
        self._write_timer.timeout.connect(self._submit_write)

    # --- what the document holds -----------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def state(self) -> State:
        return State(self.tune_index, None if self.text_pending else self.text, self.score,
                     self.error)

    @property
    def parse_pending(self) -> bool:
        """Typed text waits to be read (after the pause, or on the helper thread)."""
        return self._parse_timer.isActive() or self._jobs.running("read")

    @property
    def text_pending(self) -> bool:
        """The ABC of the score is still being written (:attr:`text` is older)."""
        return self._writing is not None

    def file_text(self) -> str:
        """Every tune of the file, the current one as edited, for saving as ABC."""
        self.ensure_text()
        tunes = list(self.tunes)
        tunes[self.tune_index] = self.text
        return abc_bridge.join_file(self.header, tunes)

    def tune_titles(self) -> list[str]:
        """One label per tune for the tune picker (``"X: title"``)."""
        tunes = list(self.tunes)
        tunes[self.tune_index] = self.text
        return [abc_bridge.tune_label(t, i) for i, t in enumerate(tunes)]

    def display_name(self) -> str:
        return self.path.name if self.path else "Untitled"

    # --- whole-document changes (not undoable: they start a new history) -------------
    def new(self) -> None:
        """An empty document holding a short example tune."""
        self._reset("", [NEW_TUNE], None, 0)

    def load_text(self, text: str, path: Path | None = None, tune_index: int = 0) -> None:
        """Hold the tunes of ABC file ``text`` and show tune ``tune_index``. A tune
        that does not parse is still opened (its error is shown; the roll is empty)."""
        header, tunes = abc_bridge.split_file(text)
        if not tunes:
            header, tunes = "", [text]
        self._reset(header, tunes, path, min(max(tune_index, 0), len(tunes) - 1))

    def load_score(self, score: Score, path: Path | None = None) -> None:
        """Hold ``score`` (read from MIDI or MusicXML); its ABC text is written for it.
        ``path`` is where it came from, kept only for the window title: saving asks for
        an ABC file name."""
        self._reset("", [""], None, 0, score=score)
        self.source_path = path
        self.pathChanged.emit()

    def _reset(self, header: str, tunes: list[str], path: Path | None, index: int,
               score: Score | None = None) -> None:
        """``score`` given: the text is written for it (``tunes`` holds a placeholder)."""
        self._parse_timer.stop()
        self._jobs.cancel("read")
        self._set_writing(None)
        self.source_path = path
        self.path = path
        self.header = header
        self.tunes = tunes
        self.tune_index = index
        self.text = tunes[index]
        self.selection = None
        error, written = None, score is not None
        if score is None:
            score, error = self._parse(self.text, Score())
        self.score, self.error = score, error
        self.undo_stack.clear()
        self.undo_stack.setClean()
        if written:
            self._write(score)
        self._emit_all()

    def select_tune(self, index: int) -> None:
        """Edit tune ``index`` of the file (the edits of the others are kept)."""
        if index == self.tune_index or not 0 <= index < len(self.tunes):
            return
        self.parse_now()
        self.ensure_text()
        self.tunes[self.tune_index] = self.text
        text = self.tunes[index]
        score, error = self._parse(text, Score())
        self._apply(State(index, text, score, error))
        self.set_selection(None)

    def mark_saved(self, path: Path) -> None:
        """The file text was written to ``path`` (ABC)."""
        self.path = Path(path)
        self.source_path = self.path
        self.undo_stack.setClean()
        self.pathChanged.emit()

    # --- undoable edits ---------------------------------------------------------------
    def set_score(self, score: Score, label: str = "Edit notes",
                  edited: tuple[int, int, int] | None = None) -> None:
        """Replace the score (an edit in the roll, an accepted take): the bars that
        changed are spliced into the ABC text (see the module docstring); one undo
        step. ``edited`` ``(start, old_end, new_end)`` ticks says what changed when the
        caller knows (a take: :attr:`Take.edited`)."""
        if score is self.score:
            return
        self.parse_now()
        if self.error is not None:
            raise MusicError(
                f"the ABC text has an error at line {self.error.line}: fix it before "
                "changing the notes"
            )
        before = self.state
        self._write_edited = edited
        if self._big(score):
            after = State(self.tune_index, None, score, None)
        else:
            result = abc_bridge.splice_tune(score, self.text, self.header, edited)
            after = State(self.tune_index, result.text, score)
            self._tell_rewritten(result)
        self._apply(after)
        self.undo_stack.push(Command(self, before, after, label))

    def edit_text(self, text: str) -> None:
        """The editor's text changed by typing: record it (typing merges into one undo
        step until the next parse) and parse it after a pause."""
        if text == self.text or self.text_pending:
            return
        before = self.state
        self.text = text
        after = State(self.tune_index, text, self.score, self.error)
        self.undo_stack.push(Command(self, before, after, "Typing", typing=True))
        self._jobs.cancel("read")
        self._parse_timer.start()

    def parse_now(self) -> None:
        """Read the text now if a read is pending (saving, continuing, tests)."""
        if not self.parse_pending:
            return
        self._parse_timer.stop()
        self._jobs.cancel("read")
        self._parsed(self.text, *self._parse(self.text, self.score))

    def _parse_pending_text(self) -> None:
        text, fallback = self.text, self.score
        self._jobs.submit("read", self._parse, text, fallback,
                          done=lambda result, _e: self._parsed(text, *result),
                          inline=len(text) <= BIG_TEXT_CHARS)

    def ensure_text(self) -> None:
        """Write the ABC of a big score now if it is still being written."""
        if self._writing is not None:
            score = self._writing
            self._jobs.cancel("write")
            self._written(score, abc_bridge.splice_tune(score, self.text, self.header,
                                                        self._write_edited), None)

    def _parsed(self, text: str, score: Score, error: AbcSyntaxError | None) -> None:
        if text != self.text:
            return
        changed_score = score is not self.score
        changed_error = not _same_error(error, self.error)
        self.score, self.error = score, error
        top = self.undo_stack.command(self.undo_stack.index() - 1)
        if isinstance(top, Command) and top.typing and top.after.text == self.text:
            top.after = self.state
            top.open = False
        if changed_score:
            self.scoreChanged.emit(score)
        if changed_error:
            self.errorChanged.emit(error)
        self.parsed.emit()

    def close(self) -> None:
        """Stop reporting changes (the window is closing; its views go away)."""
        self._parse_timer.stop()
        self._write_timer.stop()
        self._jobs.cancel("read")
        self._jobs.cancel("write")
        self.undo_stack.blockSignals(True)
        self.blockSignals(True)

    def set_selection(self, selection: tuple[int, int] | None) -> None:
        """The selected time range ``(start, end)`` in ticks, shared by the views."""
        if selection is not None:
            start, end = int(selection[0]), int(selection[1])
            selection = (start, end) if end > start else None
        if selection == self.selection:
            return
        self.selection = selection
        self.selectionChanged.emit(*(selection or (-1, -1)))

    # --- internals --------------------------------------------------------------------
    def _clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def _parse(self, text: str, fallback: Score) -> tuple[Score, AbcSyntaxError | None]:
        try:
            return abc_bridge.read_tune(text, self.header), None
        except AbcSyntaxError as e:
            return fallback, e
        except MusicError as e:
            return fallback, AbcSyntaxError(str(e))
        except Exception as e:  # a reader bug must not lose the user's text
            return fallback, AbcSyntaxError(f"the ABC reader failed: {type(e).__name__}: {e}")

    def _apply(self, state: State, parse: bool = False,
               edited: tuple[int, int, int] | None = None) -> None:
        """Make ``state`` current and tell the views what changed (``edited``: what
        changed, for the text still to be written; see :meth:`set_score`)."""
        self._parse_timer.stop()
        self._jobs.cancel("read")
        tune_changed = state.tune_index != self.tune_index
        if tune_changed:
            self.ensure_text()
            self.tunes[self.tune_index] = self.text
            self.tune_index = state.tune_index
        text = self.text if state.text is None else state.text
        text_changed = text != self.text
        score_changed = state.score is not self.score
        error_changed = not _same_error(state.error, self.error)
        self.text, self.score, self.error = text, state.score, state.error
        self.tunes[self.tune_index] = text
        if state.text is None:
            self._write(state.score, edited)
        else:
            self._set_writing(None)
        if tune_changed:
            self.tunesChanged.emit()
        if text_changed or tune_changed:
            self.textReplaced.emit(text)
        if score_changed:
            self.scoreChanged.emit(state.score)
        if error_changed:
            self.errorChanged.emit(state.error)
        if parse:
            self._parse_timer.start()

    @staticmethod
    def _big(score: Score) -> bool:
        return sum(len(t.notes) for t in score.tracks) > BIG_SCORE_NOTES

    def _write(self, score: Score, edited: tuple[int, int, int] | None = None) -> None:
        """Write the ABC of ``score``: at once when small; for a big score on the helper
        thread once edits pause (:data:`WRITE_DELAY_MS`: a drag of notes writes once,
        and the roll keeps the GIL meanwhile). :meth:`_written` follows."""
        if self._writing is score:
            return
        self._write_edited = edited
        self._set_writing(score)
        if self._big(score):
            self._write_timer.start()
        else:
            self._submit_write()

    def _submit_write(self) -> None:
        score = self._writing
        if score is None:
            return
        self._jobs.submit("write", abc_bridge.splice_tune, score, self.text or None,
                          self.header, self._write_edited,
                          done=lambda result, error: self._written(score, result, error),
                          inline=not self._big(score))

    def _written(self, score: Score, result, error) -> None:
        if score is not self._writing:
            return
        self._set_writing(None)
        if error is not None:
            self.writeFailed.emit(f"cannot write this music as ABC: {error}")
            return
        text = result.text
        self._tell_rewritten(result)
        for i in range(self.undo_stack.count()):
            command = self.undo_stack.command(i)
            if isinstance(command, Command):
                command.fill_text(score, text)
        self.text = text
        self.tunes[self.tune_index] = text
        self.textReplaced.emit(text)

    def _tell_rewritten(self, result) -> None:
        """Say so when a change of the score could not be spliced into the user's text."""
        if not result.spliced and result.reason:
            self.textRewritten.emit(
                f"The ABC text was written anew for this change ({result.reason}); "
                "Edit > Undo restores your text")

    def _set_writing(self, score: Score | None) -> None:
        was = self._writing is not None
        self._writing = score
        if score is None:
            self._write_timer.stop()
            self._jobs.cancel("write")
        if was != (score is not None):
            self.textPendingChanged.emit(score is not None)

    def _emit_all(self) -> None:
        self.tunesChanged.emit()
        self.textReplaced.emit(self.text)
        self.scoreChanged.emit(self.score)
        self.errorChanged.emit(self.error)
        self.selectionChanged.emit(-1, -1)
        self.pathChanged.emit()
        self.modifiedChanged.emit(False)


def _same_error(a: AbcSyntaxError | None, b: AbcSyntaxError | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.line, a.column, a.reason) == (b.line, b.column, b.reason)
