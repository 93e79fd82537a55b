"""Typed errors of generation: bad requests, models that cannot serve a request."""

from __future__ import annotations


class GenerationError(Exception):
    """A continuation that cannot be done, in plain words (what and what to do)."""


class BadRequestError(GenerationError):
    """A request whose arguments do not fit the score (bars out of range, K <= 0, ...)."""


class UnknownModelError(GenerationError):
    """A model name the registry does not know; ``available`` lists the names it does."""

    def __init__(self, name: str, available: list[str]):
        self.name = name
        self.available = available
        names = ", ".join(available) if available else "none installed"
        super().__init__(f"unknown model {name!r} (available: {names})")
