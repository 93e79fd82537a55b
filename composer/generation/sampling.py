"""The one sampling loop every model kind shares (nanoGPT's generate, made stateful,
batched and constrained).

A model exposes a *step* interface (:class:`StepModel`): feed tokens, get the logits of
the next token and a new recurrent state. Each variation has its own
:class:`~composer.generation.codec.Decoder` (the one decoder interface every kind
implements), which says which tokens are allowed next (bar exactness, syntax) and
turns accepted tokens into music. The loop primes the model
once on the prompt, then advances one token per step for all variations as one batch;
it never re-feeds a window. Closing the generator stops the work at the next step.

Row ``i`` of a batch samples with its own generator seeded ``seed + i``, so a
variation can be reproduced alone by asking for one variation with that seed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import torch

from composer.generation.request import Sampling

if TYPE_CHECKING:
    from composer.generation.codec import Decoder


class StepModel(Protocol):
    """A recurrent model driven one step at a time."""

    vocab_size: int

    def init_state(self, batch: int) -> Any:
        """The state before any token, for ``batch`` rows."""

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        """Feed ``tokens`` (B, T) int64; return the logits after the last one (B, V)
        and the new state."""


def configure_torch(threads: int = 2) -> None:
    """Fast batch-1 recurrent inference on a CPU: oneDNN off (its LSTM kernels are
    slower for single steps) and few threads."""
    torch.backends.mkldnn.enabled = False
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def filter_logits(logits: torch.Tensor, sampling: Sampling) -> torch.Tensor:
    """Apply temperature, top-k and top-p to logits (B, V); masked entries become -inf."""
    t = max(float(sampling.temperature), 1e-4)
    logits = logits / t
    if sampling.top_k and 0 < sampling.top_k < logits.shape[-1]:
        kth = torch.topk(logits, sampling.top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if sampling.top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
        probs = torch.softmax(sorted_logits, dim=-1)
        cum = torch.cumsum(probs, dim=-1)
        drop = cum - probs > sampling.top_p  # keep the smallest set reaching top_p
        sorted_logits = sorted_logits.masked_fill(drop, float("-inf"))
        logits = torch.full_like(logits, float("-inf")).scatter(-1, order, sorted_logits)
    return logits


def sample_stream(
    model: StepModel,
    prompt: Sequence[int],
    decoders: Sequence[Decoder],
    sampling: Sampling,
    seed: int,
    max_steps: int,
) -> Iterator[int]:
    """Decode all ``decoders`` as one batch after priming on ``prompt``.

    Yields the index of a decoder each time its ``push`` reports a change, and once
    more for each decoder when it finishes or the step budget ``max_steps`` runs out.
    """
    batch = len(decoders)
    if batch == 0:
        return
    if not prompt:
        raise ValueError("the prompt is empty")
    generators = [torch.Generator().manual_seed(seed + i) for i in range(batch)]
    reported_done = [False] * batch
    with torch.inference_mode():
        state = model.init_state(batch)
        tokens = torch.tensor([list(prompt)] * batch, dtype=torch.long)
        logits, state = model.step(tokens, state)
        for _ in range(max_steps):
            raw = logits.float()
            logits = filter_logits(raw, sampling)
            chosen = torch.zeros(batch, dtype=torch.long)
            for i, dec in enumerate(decoders):
                if dec.finished:
                    continue
                row = logits[i]
                mask = dec.allowed()
                if mask is not None and mask.any():
                    masked = row.masked_fill(~mask, float("-inf"))
                    if not torch.isfinite(masked).any():
                        # top-k/top-p removed every allowed token: sample the allowed
                        # ones under the temperature alone.
                        masked = (raw[i] / max(sampling.temperature, 1e-4)).masked_fill(
                            ~mask, float("-inf")
                        )
                    row = masked
                probs = torch.softmax(row, dim=-1)
                token = int(torch.multinomial(probs, 1, generator=generators[i]))
                chosen[i] = token
                changed = dec.push(token)
                if changed or dec.finished:
                    reported_done[i] = dec.finished
                    yield i
            if all(d.finished for d in decoders):
                return
            logits, state = model.step(chosen[:, None], state)
    for i in range(batch):
        if not reported_done[i]:
            yield i

