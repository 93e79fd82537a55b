"""The ABC editor: a text editor with ABC highlighting, error marks and a tune picker."""

from composer.ui.abc_editor.editor import AbcEditor
from composer.ui.abc_editor.highlighter import AbcHighlighter
from composer.ui.abc_editor.pane import AbcPane

__all__ = ["AbcEditor", "AbcHighlighter", "AbcPane"]
