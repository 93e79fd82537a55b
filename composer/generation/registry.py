"""The model registry: finds models in the project's ``models/`` and in the user's
data folder, lists them with their cards, loads them lazily and caches them.

A model is a folder holding ``card.json`` (a :class:`~composer.nn.card.ModelCard`,
naming its kind) and its weights. The kind's row of the table
(:mod:`composer.generation.kinds`) says how to load it. Listing reads only the cards
(no torch), so the window can show models at start-up without loading any. A folder
whose card is missing, unreadable or off its schema, or whose kind is unknown, is
listed with its ``problem`` and refused by :meth:`ModelRegistry.load` with that
message; the other models work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer import paths
from composer.generation.errors import GenerationError, UnknownModelError
from composer.generation.kinds import DEFAULT_KIND, KINDS, ModelKind, UnknownKindError, model_kind
from composer.nn.card import ModelCard, read_card

DEFAULT_MODEL = DEFAULT_KIND.model
"""The model the window and the CLI use unless told otherwise (the shipped folk model)."""


@dataclass(frozen=True)
class ModelInfo:
    """A model folder as listed: ``name`` is the folder name; ``card`` its card
    (``None`` if unreadable); ``size_bytes`` the folder's total size; ``problem`` a
    plain reason why it cannot be loaded, or ``""``."""

    name: str
    path: Path
    kind: str
    card: ModelCard | None = field(repr=False)
    size_bytes: int
    source: str
    problem: str = ""

    @property
    def description(self) -> str:
        return self.card.description if self.card else ""

    @property
    def model_kind(self) -> ModelKind | None:
        return KINDS.get(self.kind)


@dataclass
class LoadedModel:
    info: ModelInfo
    step_model: Any
    codec: Any


def _read_info(folder: Path, source: str) -> ModelInfo:
    from composer.nn.errors import ModelFileError

    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    problem, card, kind = "", None, ""
    try:
        card = read_card(folder)
        kind = card.kind
        model_kind(kind)
    except ModelFileError as e:
        problem = f"model {folder.name!r}: {e.reason}"
    except UnknownKindError as e:
        problem = f"model {folder.name!r} is {e}"
    return ModelInfo(folder.name, folder, kind, card, size, source, problem)


class ModelRegistry:
    """Models found in ``folders`` (default: shipped models, then the user's models;
    a user's model with the same name as a shipped one takes its place)."""

    def __init__(self, folders: list[tuple[Path, str]] | None = None):
        if folders is None:
            folders = [(paths.shipped_models_dir(), "shipped"), (paths.user_models_dir(), "user")]
        self._folders = [(Path(f), s) for f, s in folders]
        self._loaded: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()

    def list(self) -> list[ModelInfo]:
        """Every model folder, sorted by name (cheap: reads cards only)."""
        found: dict[str, ModelInfo] = {}
        for folder, source in self._folders:
            if not folder.is_dir():
                continue
            for sub in sorted(folder.iterdir()):
                if sub.is_dir() and not sub.name.startswith((".", "_")):
                    found[sub.name] = _read_info(sub, source)
        return sorted(found.values(), key=lambda i: i.name)

    def names(self) -> list[str]:
        return [i.name for i in self.list()]

    def info(self, name: str) -> ModelInfo:
        for i in self.list():
            if i.name == name:
                return i
        raise UnknownModelError(name, self.names())

    def default_name(self) -> str | None:
        """The default model if installed and usable, else the first usable one."""
        usable = [i.name for i in self.list() if not i.problem]
        if DEFAULT_MODEL in usable:
            return DEFAULT_MODEL
        return usable[0] if usable else None

    def load(self, name: str) -> LoadedModel:
        """The model ``name``, loaded once and cached (thread-safe). Raises
        :class:`UnknownModelError`, or the kind's typed error for broken files."""
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            info = self.info(name)
            if info.problem:
                raise GenerationError(info.problem)
            step_model, codec = model_kind(info.kind).load_model(info.path, info.card)
            model = LoadedModel(info, step_model, codec)
            self._loaded[name] = model
            return model

    def unload(self, name: str | None = None) -> None:
        with self._lock:
            if name is None:
                self._loaded.clear()
            else:
                self._loaded.pop(name, None)
