"""Typed errors of model files: each ``str(error)`` is one plain line saying what is
wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class ModelError(Exception):
    """Base of every error about a model (its files, its shapes, its vocabulary)."""


class ModelFileError(ModelError):
    """A model file that is missing, unreadable, corrupt, or of a refused format
    (pickles are never loaded). ``path`` is the file at fault."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IncompatibleModelError(ModelError):
    """Model files that do not fit each other or this program: a weight of the wrong
    shape, a vocabulary of the wrong size, an unknown kind. ``what`` names the thing
    compared, ``expected`` and ``found`` its two values."""

    def __init__(self, what: str, expected: object, found: object, hint: str = ""):
        self.what = what
        self.expected = expected
        self.found = found
        message = f"{what}: expected {expected}, found {found}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
