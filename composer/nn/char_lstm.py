"""A character-level LSTM language model: embedding -> stacked LSTM -> linear.

Shapes: ``B`` batch, ``T`` time steps (characters), ``V`` vocabulary size, ``L``
layers, ``H`` hidden units. The recurrent state is ``(h, c)``, each ``(L, B, H)``.

``context`` says how the model reads text: ``"stateful"`` (many-to-many; the state
runs through a whole tune; seeds 000/002 and the shipped default) or ``"window"``
(many-to-one on the last ``window`` characters, seed 001: each prediction starts
from a zero state on its window).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn
from torch.nn import functional as F

from composer.nn.errors import IncompatibleModelError
from composer.nn.kernels import sequence_kernels

State = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class CharLSTMConfig:
    """Architecture of a :class:`CharLSTM` (everything needed to rebuild it)."""

    vocab_size: int
    embed: int = 64
    hidden: int = 512
    layers: int = 3
    dropout: float = 0.3
    """Dropout on the embedding output, between LSTM layers and before the head."""
    weight_drop: float = 0.0
    """DropConnect on the hidden-to-hidden weights while training (AWD-LSTM)."""
    context: str = "stateful"
    window: int = 100
    """Characters per window when ``context == "window"``."""

    def __post_init__(self) -> None:
        if self.context not in ("stateful", "window"):
            raise IncompatibleModelError("model context", "'stateful' or 'window'",
                                         repr(self.context))
        for name in ("vocab_size", "embed", "hidden", "layers", "window"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise IncompatibleModelError(f"model setting {name}", "a positive integer",
                                             repr(value))
        for name in ("dropout", "weight_drop"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 <= value < 1:
                raise IncompatibleModelError(f"model setting {name}", "a number in [0, 1)",
                                             repr(value))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> CharLSTMConfig:
        if not isinstance(data, dict):
            raise IncompatibleModelError("model config", "a JSON object", type(data).__name__)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise IncompatibleModelError("model config keys", sorted(known), unknown,
                                         "written by a newer version?")
        if "vocab_size" not in data:
            raise IncompatibleModelError("model config", "a vocab_size", "none")
        return cls(**data)


class CharLSTM(nn.Module):
    """The network. :meth:`forward` scores whole sequences (training, evaluation);
    :meth:`init_state` and :meth:`step` drive it one step at a time (sampling)."""

    config_class = CharLSTMConfig

    def __init__(self, config: CharLSTMConfig):
        super().__init__()
        self.config = config
        self.vocab_size = config.vocab_size
        self.embed = nn.Embedding(config.vocab_size, config.embed)
        self.lstm = nn.LSTM(config.embed, config.hidden, config.layers, batch_first=True,
                            dropout=config.dropout if config.layers > 1 else 0.0)
        self.head = nn.Linear(config.hidden, config.vocab_size)
        self.drop = nn.Dropout(config.dropout)

    def init_state(self, batch: int) -> State:
        """Zero state for ``batch`` rows."""
        c = self.config
        w = self.head.weight
        z = torch.zeros(c.layers, batch, c.hidden, dtype=w.dtype, device=w.device)
        return z, z.clone()

    def _lstm_weights(self) -> dict[str, torch.Tensor] | None:
        """Hidden-to-hidden weights with DropConnect applied (training only)."""
        p = self.config.weight_drop
        if not (self.training and p > 0):
            return None
        return {name: F.dropout(w, p, True) for name, w in self.lstm.named_parameters()
                if name.startswith("weight_hh")}

    def forward(self, tokens: torch.Tensor, state: State | None = None
                ) -> tuple[torch.Tensor, State]:
        """``tokens`` (B, T) int64 -> logits (B, T, V) of the next token at every step,
        and the state after the last step."""
        x = self.drop(self.embed(tokens))  # (B, T, E)
        if state is None:
            state = self.init_state(tokens.shape[0])
        dropped = self._lstm_weights()
        if dropped is None:
            y, state = self.lstm(x, state)  # (B, T, H)
        else:
            y, state = torch.func.functional_call(self.lstm, dropped, (x, state), strict=False)
        return self.head(self.drop(y)), state  # (B, T, V)

    def step(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """Feed ``tokens`` (B, T) after ``state``; logits (B, V) after the last one.
        A prompt (T > 1) is read with the sequence kernels (see :mod:`composer.nn.kernels`)."""
        x = self.embed(tokens)
        if tokens.shape[1] > 1:
            with sequence_kernels():
                y, state = self.lstm(x, state)
        else:
            y, state = self.lstm(x, state)
        return self.head(y[:, -1]), state
