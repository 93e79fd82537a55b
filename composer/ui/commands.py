"""The document's undo steps: snapshot pairs of :class:`State`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from composer.music.errors import AbcSyntaxError
from composer.music.score import Score

if TYPE_CHECKING:
    from composer.ui.document import Document


@dataclass(frozen=True, slots=True)
class State:
    """What undo restores: which tune, its text, the score shown and the text's
    error (``None`` when the text is valid). ``text`` is ``None`` while the ABC of a
    big score is still being written (see :class:`~composer.ui.document.Document`)."""

    tune_index: int
    text: str | None
    score: Score
    error: AbcSyntaxError | None = None


class Command(QUndoCommand):
    """One undo step between two states. ``after`` of a typing command is completed
    when its text is parsed; consecutive typing merges until then."""

    TYPING_ID = 1

    def __init__(self, document: Document, before: State, after: State, label: str,
                 typing: bool = False):
        super().__init__(label)
        self.document = document
        self.before = before
        self.after = after
        self.typing = typing
        self.open = typing  # typing merges while open
        self._first = True

    def id(self) -> int:  # Qt override
        return self.TYPING_ID if self.typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # Qt override
        if not (isinstance(other, Command) and self.open and other.typing
                and other.after.tune_index == self.after.tune_index):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:  # Qt override
        if self._first:  # the change is already made (the editor or the caller did it)
            self._first = False
            return
        self.document._apply(self.after, parse=self.typing)

    def undo(self) -> None:  # Qt override
        self.open = False
        self.document._apply(self.before)

    def fill_text(self, score: Score, text: str) -> None:
        """The ABC of ``score`` is written: complete the states waiting for it."""
        for name in ("before", "after"):
            state = getattr(self, name)
            if state.text is None and state.score is score:
                setattr(self, name, State(state.tune_index, text, score, None))
