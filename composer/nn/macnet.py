"""MAC-Net: a GRU over beat-synchronous melody + accompaniment steps (seed 003).

Each input token is embedded and added to three embeddings the network derives from
the token stream itself (so they cost the sampler nothing): the **position in the
bar** (in twelfths of a quarter since the last ``<bar>`` token), the **meter** (the
last ``M:`` token) and the **resolution** (the last ``R:`` token: steps per quarter).
Then a stacked GRU and a linear head give the logits of the next token.

Shapes: ``B`` batch, ``T`` time steps (tokens), ``V`` vocabulary, ``L`` layers,
``H`` hidden units. The sampling state is ``(h (L, B, H), pos, meter, res)``, the last
three (B,) int64.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from composer.nn.errors import IncompatibleModelError

State = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]
FINE = 12
"""Positions are counted in twelfths of a quarter note."""


@dataclass(frozen=True)
class MacNetConfig:
    """Architecture of a :class:`MacNet`. Token ids: ``bar_id`` is ``<bar>``;
    ``meter_base .. meter_base + n_meters - 1`` are the meters; ``res_base + i`` is
    the resolution ``resolutions[i]`` (steps per quarter, dividing 12); ids from
    ``step_base`` on, and ``unk_id``, are grid steps."""

    vocab_size: int
    bar_id: int
    unk_id: int
    meter_base: int
    n_meters: int
    res_base: int
    resolutions: tuple[int, ...]
    step_base: int
    embed: int = 128
    hidden: int = 384
    layers: int = 2
    dropout: float = 0.2
    max_pos: int = 96
    """Positions in a bar beyond this (in steps) share the last embedding."""

    def __post_init__(self) -> None:
        for name in ("vocab_size", "embed", "hidden", "layers", "n_meters", "max_pos"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise IncompatibleModelError(f"model setting {name}", "a positive integer",
                                             repr(value))
        object.__setattr__(self, "resolutions", tuple(self.resolutions))
        if not self.resolutions or any(not isinstance(r, int) or r < 1 or FINE % r
                                       for r in self.resolutions):
            raise IncompatibleModelError("model setting resolutions",
                                         "steps per quarter dividing 12", repr(self.resolutions))
        for name in ("bar_id", "unk_id", "meter_base", "res_base", "step_base"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value < self.vocab_size:
                raise IncompatibleModelError(f"model setting {name}",
                                             f"a token id below {self.vocab_size}", repr(value))
        if not isinstance(self.dropout, int | float) or not 0 <= self.dropout < 1:
            raise IncompatibleModelError("model setting dropout", "a number in [0, 1)",
                                         repr(self.dropout))

    @property
    def n_res(self) -> int:
        return len(self.resolutions)

    def to_json(self) -> dict:
        d = asdict(self)
        d["resolutions"] = list(self.resolutions)
        return d

    @classmethod
    def from_json(cls, data: object) -> MacNetConfig:
        if not isinstance(data, dict):
            raise IncompatibleModelError("model config", "a JSON object", type(data).__name__)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise IncompatibleModelError("model config keys", sorted(known), unknown,
                                         "written by a newer version?")
        try:
            return cls(**data)
        except TypeError as e:
            raise IncompatibleModelError("model config", "every required setting", str(e)) from None


class MacNet(nn.Module):
    """The network. :meth:`forward` scores sequences (training, evaluation) given
    their features (:meth:`features`); :meth:`init_state` and :meth:`step` drive it
    one token at a time with the :class:`~composer.generation.sampling.StepModel`
    interface."""

    config_class = MacNetConfig

    def __init__(self, config: MacNetConfig):
        super().__init__()
        self.config = config
        c = config
        self.vocab_size = c.vocab_size
        self.tok_emb = nn.Embedding(c.vocab_size, c.embed)
        self.pos_emb = nn.Embedding(c.max_pos, c.embed)
        self.meter_emb = nn.Embedding(c.n_meters + 1, c.embed)  # last row: no meter yet
        self.res_emb = nn.Embedding(c.n_res + 1, c.embed)  # last row: no resolution yet
        self.drop = nn.Dropout(c.dropout)
        self.rnn = nn.GRU(c.embed, c.hidden, num_layers=c.layers, batch_first=True,
                          dropout=c.dropout if c.layers > 1 else 0.0)
        self.head = nn.Linear(c.hidden, c.vocab_size)

    def features(self, tokens: torch.Tensor, carry: tuple[torch.Tensor, ...] | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """See :func:`grid_features`."""
        return grid_features(self.config, tokens, carry)

    # --- scoring ----------------------------------------------------------------------
    def forward(self, tokens: torch.Tensor, pos: torch.Tensor, meter: torch.Tensor,
                res: torch.Tensor, h: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (B, T, V) of the token after each of ``tokens`` (B, T), and the new
        hidden state (L, B, H). ``pos``, ``meter`` and ``res`` come from
        :meth:`features`."""
        x = self.tok_emb(tokens) + self.pos_emb(pos.clamp(max=self.config.max_pos - 1))
        x = x + self.meter_emb(meter) + self.res_emb(res)
        y, h = self.rnn(self.drop(x), h)  # (B, T, H)
        return self.head(self.drop(y)), h

    # --- StepModel --------------------------------------------------------------------
    def init_state(self, batch: int) -> State:
        c = self.config
        return (torch.zeros(c.layers, batch, c.hidden), *start_features(c, batch))

    def step(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """Feed ``tokens`` (B, T); logits (B, V) after the last one and the new state."""
        h, *carry = state
        pos, meter, res = self.features(tokens, tuple(carry))
        logits, h = self(tokens, pos, meter, res, h)
        return logits[:, -1], (h, pos[:, -1], meter[:, -1], res[:, -1])


def start_features(c: MacNetConfig, batch: int) -> tuple[torch.Tensor, ...]:
    """Position, meter and resolution before any token: 0, none, none."""
    return (torch.zeros(batch, dtype=torch.long),
            torch.full((batch,), c.n_meters, dtype=torch.long),
            torch.full((batch,), c.n_res, dtype=torch.long))


def grid_features(c: MacNetConfig, tokens: torch.Tensor,
                  carry: tuple[torch.Tensor, ...] | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """After each token of ``tokens`` (B, T): the position in the bar of the step
    that comes next (twelfths of a quarter since the last ``<bar>``), the meter index
    and the resolution index, continuing from ``carry`` = (pos, meter, res) (B,)
    each (default: :func:`start_features`). Returns three (B, T) int64 tensors."""
    b, t = tokens.shape
    pos0, meter0, res0 = carry if carry is not None else start_features(c, b)
    idx = torch.arange(t).expand(b, t)

    def last(is_kind: torch.Tensor, base: int, before: torch.Tensor) -> torch.Tensor:
        at = torch.cummax(torch.where(is_kind, idx, -1), dim=1).values
        value = torch.gather(tokens, 1, at.clamp(min=0)) - base
        return torch.where(at >= 0, value, before[:, None])

    meter = last((tokens >= c.meter_base) & (tokens < c.meter_base + c.n_meters),
                 c.meter_base, meter0)
    res = last((tokens >= c.res_base) & (tokens < c.res_base + c.n_res), c.res_base, res0)
    per_step = torch.tensor([FINE // r for r in c.resolutions] + [1])
    is_step = (tokens >= c.step_base) | (tokens == c.unk_id)
    fine = torch.cumsum(torch.where(is_step, per_step[res], 0), dim=1)  # (B, T)
    last_bar = torch.cummax(torch.where(tokens == c.bar_id, idx, -1), dim=1).values
    at_bar = torch.gather(fine, 1, last_bar.clamp(min=0))
    pos = torch.where(last_bar >= 0, fine - at_bar, pos0[:, None] + fine)
    return pos, meter, res
