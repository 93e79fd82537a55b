"""The piano note/chord model (seed 004): an LSTM with attention over its recent outputs.

Input: token embedding + embeddings of two features derived from the tokens (the
position in the bar, in twelfths of a quarter since the last ``<bar:n>``, summing the
``D`` durations; and which bar length that token named). A stacked LSTM gives outputs
``y``; each position attends (one head, scaled dot product) over the LSTM outputs of
the last ``attn_window`` positions including itself, and the context is added back to
``y`` before the linear head.

Shapes: ``B`` batch, ``T`` time steps, ``V`` vocabulary, ``L`` layers, ``H`` hidden,
``A`` attention size, ``M`` remembered outputs (``<= attn_window``). The sampling
state is ``(h (L, B, H), c (L, B, H), memory (B, M, H), pos (B,), bar (B,))``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from composer.nn.errors import IncompatibleModelError

State = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]
CHUNK = 512
"""Longest stretch of tokens attended over at once: longer inputs are read in chunks
of this size, carrying the state (same result, bounded memory)."""


@dataclass(frozen=True)
class PianoLSTMConfig:
    """Architecture of a :class:`PianoLSTM`. Token ids ``bar_base + i`` are the bar
    tokens (``n_bars`` of them); ``dur_base + i`` the duration ``durations[i]`` steps."""

    vocab_size: int
    bar_base: int
    n_bars: int
    dur_base: int
    durations: tuple[int, ...]
    embed: int = 128
    hidden: int = 384
    layers: int = 2
    dropout: float = 0.2
    attn_window: int = 64
    attn_dim: int = 64
    max_pos: int = 192

    def __post_init__(self) -> None:
        object.__setattr__(self, "durations", tuple(self.durations))
        for name in ("vocab_size", "n_bars", "embed", "hidden", "layers", "attn_window",
                     "attn_dim", "max_pos"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise IncompatibleModelError(f"model setting {name}", "a positive integer",
                                             repr(value))
        if not self.durations or any(not isinstance(d, int) or d < 1 for d in self.durations):
            raise IncompatibleModelError("model setting durations", "positive whole numbers",
                                         repr(self.durations))
        for name, count in (("bar_base", self.n_bars), ("dur_base", len(self.durations))):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0 or value + count > self.vocab_size:
                raise IncompatibleModelError(f"model setting {name}",
                                             f"a token id range inside {self.vocab_size}",
                                             repr(value))
        if not isinstance(self.dropout, int | float) or not 0 <= self.dropout < 1:
            raise IncompatibleModelError("model setting dropout", "a number in [0, 1)",
                                         repr(self.dropout))

    def to_json(self) -> dict:
        d = asdict(self)
        d["durations"] = list(self.durations)
        return d

    @classmethod
    def from_json(cls, data: object) -> PianoLSTMConfig:
        if not isinstance(data, dict):
            raise IncompatibleModelError("model config", "a JSON object", type(data).__name__)
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise IncompatibleModelError("model config keys", "known settings", unknown,
                                         "written by a newer version?")
        try:
            return cls(**data)
        except TypeError as e:
            raise IncompatibleModelError("model config", "every required setting", str(e)) from None


class PianoLSTM(nn.Module):
    """The network; :meth:`forward` for training and scoring, :meth:`init_state` and
    :meth:`step` for sampling (the StepModel interface)."""

    config_class = PianoLSTMConfig

    def __init__(self, config: PianoLSTMConfig):
        super().__init__()
        c = self.config = config
        self.vocab_size = c.vocab_size
        self.tok_emb = nn.Embedding(c.vocab_size, c.embed)
        self.pos_emb = nn.Embedding(c.max_pos, c.embed)
        self.bar_emb = nn.Embedding(c.n_bars + 1, c.embed)  # last row: no bar yet
        self.drop = nn.Dropout(c.dropout)
        self.rnn = nn.LSTM(c.embed, c.hidden, num_layers=c.layers, batch_first=True,
                           dropout=c.dropout if c.layers > 1 else 0.0)
        self.query = nn.Linear(c.hidden, c.attn_dim, bias=False)
        self.key = nn.Linear(c.hidden, c.attn_dim, bias=False)
        self.mix = nn.Linear(c.hidden, c.hidden)
        self.head = nn.Linear(c.hidden, c.vocab_size)

    def features(self, tokens: torch.Tensor, carry: tuple[torch.Tensor, ...] | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor]:
        """After each token of ``tokens`` (B, T): the position in the bar (twelfths of
        a quarter since the last bar token) and the bar token's index, continuing from
        ``carry`` = (pos, bar) (B,) (default: 0 and none). Two (B, T) int64 tensors."""
        c = self.config
        b, t = tokens.shape
        if carry is None:
            carry = (torch.zeros(b, dtype=torch.long), torch.full((b,), c.n_bars))
        pos0, bar0 = carry
        idx = torch.arange(t).expand(b, t)
        is_bar = (tokens >= c.bar_base) & (tokens < c.bar_base + c.n_bars)
        is_dur = (tokens >= c.dur_base) & (tokens < c.dur_base + len(c.durations))
        values = torch.tensor(c.durations)
        steps = torch.where(is_dur, values[(tokens - c.dur_base).clamp(0, len(c.durations) - 1)],
                            0)
        total = torch.cumsum(steps, dim=1)
        last_bar = torch.cummax(torch.where(is_bar, idx, -1), dim=1).values
        at_bar = torch.gather(total, 1, last_bar.clamp(min=0))
        pos = torch.where(last_bar >= 0, total - at_bar, pos0[:, None] + total)
        bar_tok = torch.gather(tokens, 1, last_bar.clamp(min=0)) - c.bar_base
        bar = torch.where(last_bar >= 0, bar_tok, bar0[:, None])
        return pos, bar

    def forward(self, tokens: torch.Tensor, pos: torch.Tensor, bar: torch.Tensor,
                state: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        """Logits (B, T, V) after each token, and the new ``(h, c, memory)``; ``pos``
        and ``bar`` come from :meth:`features`."""
        outs = []
        for i in range(0, tokens.shape[1], CHUNK):
            part = slice(i, i + CHUNK)
            logits, state = self._chunk(tokens[:, part], pos[:, part], bar[:, part], state)
            outs.append(logits)
        return torch.cat(outs, dim=1), state

    def _chunk(self, tokens, pos, bar, state):
        c = self.config
        b, t = tokens.shape
        x = self.tok_emb(tokens) + self.pos_emb(pos.clamp(0, c.max_pos - 1)) + self.bar_emb(bar)
        if state is None:
            hc, memory = None, x.new_zeros(b, 0, c.hidden)
        else:
            hc, memory = (state[0], state[1]), state[2]
        y, (h, cell) = self.rnn(self.drop(x), hc)  # (B, T, H)
        seen = torch.cat([memory, y], dim=1)  # (B, M + T, H)
        m = memory.shape[1]
        q = self.query(y)  # (B, T, A)
        k = self.key(seen)  # (B, M + T, A)
        scores = q @ k.transpose(1, 2) / math.sqrt(c.attn_dim)  # (B, T, M + T)
        qi = torch.arange(t)[:, None] + m
        kj = torch.arange(m + t)[None, :]
        allowed = (kj <= qi) & (kj > qi - c.attn_window)
        scores = scores.masked_fill(~allowed, float("-inf"))
        context = torch.softmax(scores, dim=-1) @ seen  # (B, T, H)
        out = y + self.mix(context)
        logits = self.head(self.drop(out))
        return logits, (h, cell, seen[:, -c.attn_window:])

    def init_state(self, batch: int) -> State:
        c = self.config
        zeros = torch.zeros(c.layers, batch, c.hidden)
        return (zeros, zeros.clone(), torch.zeros(batch, 0, c.hidden),
                torch.zeros(batch, dtype=torch.long), torch.full((batch,), c.n_bars))

    def step(self, tokens: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        """Feed ``tokens`` (B, T); logits (B, V) after the last one and the new state."""
        h, cell, memory, pos0, bar0 = state
        pos, bar = self.features(tokens, (pos0, bar0))
        out, (h, cell, memory) = self(tokens, pos, bar, (h, cell, memory))
        return out[:, -1], (h, cell, memory, pos[:, -1], bar[:, -1])
