"""A model folder loaded as its kind says (the kinds table names the network and its
vocabulary; :mod:`composer.nn.checkpoint` reads the files)."""

from __future__ import annotations

from composer.generation.kinds import ModelKind, model_kind


def load_checkpoint(folder, expect: ModelKind | None = None):
    """The model folder ``folder`` loaded as the kind its card names (which must be
    ``expect`` when given): a :class:`composer.nn.checkpoint.Checkpoint`. Raises the
    checkpoint's typed errors, or :class:`UnknownKindError`."""
    from composer.nn import checkpoint
    from composer.nn.errors import IncompatibleModelError

    card = checkpoint.read_card(folder)
    if expect is not None and card.kind != expect.name:
        raise IncompatibleModelError("model kind", repr(expect.name), repr(card.kind))
    kind = model_kind(card.kind)
    return checkpoint.load(folder, kind.network_class(), kind.vocab_class(), kind.name)
