"""The model's eye: what a model expects, position by position.

For a folk (character) model, :class:`TextInspector` reads a tune's ABC text and gives,
for every character ``i`` of it:

- ``bits[i]``: the surprise of that character, ``-log2 P(text[i] | <bos> text[:i])``;
- ``top_ids[i]`` / ``top_probs[i]``: the model's ``k`` best guesses for the character
  *after* it (``P(. | <bos> text[:i + 1])``), best first;
- the activation of any hidden unit after reading it (``hidden[layer][i, neuron]``,
  the LSTM's output ``h`` in -1..1).

It is incremental: it keeps the recurrent state every :data:`CHECKPOINT_EVERY`
characters, and a new text is read again only from the last checkpoint before its
first changed character (typing near the end of a tune costs a few dozen steps).

For the MIDI models, :func:`next_events` gives the ``k`` most likely next events at a
tick of a score (what the model would write first if asked to continue there), and the
surprise of each event of the passage before it.

Probabilities are the model's own (temperature 1, no constraints); bits are base 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from composer.generation.errors import GenerationError
from composer.nn.char_lstm import CharLSTM
from composer.nn.kernels import sequence_kernels
from composer.nn.vocab import CharVocab

CHECKPOINT_EVERY = 256
"""Characters between two kept recurrent states. Each LSTM call costs ~0.3 ms on top of
its steps (oneDNN packs the weights), so fewer, longer calls read faster while more
let an edit be read again from nearer to it. Measured on 1,000 characters with the
3 x 512 model: one call 83 ms, every 256 90 ms, every 128 98 ms."""
TOP_K = 5
LN2 = math.log(2.0)
_SHOWN = {"\n": "\u23ce", " ": "\u2423", "\t": "\u21e5"}


def char_label(token: str) -> str:
    """A visible name for a character token: newline, space and tab as symbols,
    ``<eos>`` as "end", others as themselves."""
    if token == "<eos>":
        return "end"
    return _SHOWN.get(token, token)


@dataclass(frozen=True)
class Guess:
    """One guess for the next token: its visible ``label``, the raw ``token`` and its
    probability ``prob`` (0..1)."""

    label: str
    token: str
    prob: float


@dataclass(frozen=True)
class TextView:
    """What the model sees in one text (see the module docstring for the arrays, all
    indexed by character of ``text``). ``hidden`` is ``(layers, len(text), units)``
    float32; ``unknown`` marks characters the model's vocabulary lacks (read as
    ``<unk>``)."""

    text: str
    bits: np.ndarray
    top_ids: np.ndarray
    top_probs: np.ndarray
    hidden: np.ndarray
    unknown: np.ndarray
    tokens: tuple[str, ...]
    recomputed_from: int
    """Index of the first character this update read again (``len(text)``: none)."""

    @property
    def layers(self) -> int:
        return int(self.hidden.shape[0])

    @property
    def units(self) -> int:
        return int(self.hidden.shape[2])

    @property
    def bits_per_char(self) -> float:
        return float(self.bits.mean()) if len(self.bits) else float("nan")

    def guesses(self, i: int) -> list[Guess]:
        """The guesses for the character after character ``i`` (``-1``: for the first
        character, after ``<bos>`` alone, is not kept; use ``i >= 0``)."""
        return [Guess(char_label(self.tokens[t]), self.tokens[t], float(p))
                for t, p in zip(self.top_ids[i].tolist(), self.top_probs[i].tolist())]

    def expected_at(self, i: int) -> list[Guess]:
        """What the model expected *at* character ``i`` (the guesses after ``i - 1``);
        empty for the first character."""
        return self.guesses(i - 1) if i > 0 else []

    def activation(self, layer: int, unit: int) -> np.ndarray:
        """The unit's activation after every character, shape ``(len(text),)``."""
        self.check_unit(layer, unit)
        return self.hidden[layer, :, unit]

    def check_unit(self, layer: int, unit: int) -> None:
        if not 0 <= layer < self.layers:
            raise GenerationError(f"layer {layer} does not exist: the model has layers 0 to "
                                  f"{self.layers - 1}")
        if not 0 <= unit < self.units:
            raise GenerationError(f"neuron {unit} does not exist: each layer has neurons 0 to "
                                  f"{self.units - 1}")

    def most_active(self, n: int = 10) -> list[tuple[int, int, float]]:
        """The ``n`` units whose activation varies most over this text, as ``(layer,
        unit, standard deviation)``, most varying first: the ones worth looking at
        (a unit stuck near one value says little about the text)."""
        if not len(self.text):
            return []
        std = self.hidden.std(axis=1)  # (layers, units)
        flat = np.argsort(std, axis=None)[::-1][:n]
        return [(int(i // std.shape[1]), int(i % std.shape[1]), float(std.flat[i]))
                for i in flat]


class TextInspector:
    """Reads texts with a stateful character model and keeps what it needs to read an
    edited version quickly (see the module docstring). Not thread-safe: use one
    inspector per thread."""

    def __init__(self, model: CharLSTM, vocab: CharVocab, top_k: int = TOP_K,
                 every: int = CHECKPOINT_EVERY):
        if model.config.context != "stateful":
            raise GenerationError("this model reads fixed windows of text; the model's eye "
                                  "needs a stateful model (such as folk-abc)")
        if len(vocab) != model.vocab_size:
            raise GenerationError("the vocabulary does not fit the model")
        self.model = model.eval()
        self.vocab = vocab
        self.top_k = min(top_k, len(vocab))
        self.every = every
        self._layers = self._split_layers(model)
        self._ids: list[int] = []
        self._logp = torch.zeros(0, len(vocab))     # row j: after reading ids[j]
        self._hidden = torch.zeros(model.config.layers, 0, model.config.hidden)
        self._states: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        self._text = ""

    def reset(self) -> None:
        """Forget the last text: the next :meth:`read` reads from the start."""
        self._ids, self._states, self._text = [], {}, ""
        self._logp = self._logp[:0]
        self._hidden = self._hidden[:, :0]

    @staticmethod
    def _split_layers(model: CharLSTM) -> list[nn.LSTM]:
        """One single-layer LSTM per layer of ``model`` (copies of its weights), so every
        layer's output can be kept."""
        cfg, lstm = model.config, model.lstm
        layers = []
        with torch.no_grad():
            for i in range(cfg.layers):
                one = nn.LSTM(cfg.embed if i == 0 else cfg.hidden, cfg.hidden, 1,
                              batch_first=True)
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(one, f"{name}_l0").copy_(getattr(lstm, f"{name}_l{i}"))
                layers.append(one.eval())
        return layers

    def read(self, text: str) -> TextView:
        """What the model sees in ``text`` (reads only what changed since the last call)."""
        ids = [self.vocab.bos] + self.vocab.encode(text)
        if ids == self._ids:
            return self._view(text, ids, len(ids))
        same = 0
        limit = min(len(ids), len(self._ids))
        while same < limit and ids[same] == self._ids[same]:
            same += 1
        # Rows 0..same-1 of the kept results depend only on ids[:same]: keep them and
        # restart from the last kept state at or before `same`.
        start = max((p for p in self._states if p <= same), default=0)
        start = min(start, same)
        cfg = self.model.config
        if start == 0:
            state = [(torch.zeros(1, 1, cfg.hidden), torch.zeros(1, 1, cfg.hidden))
                     for _ in range(cfg.layers)]
        else:
            h, c = self._states[start]
            state = [(h[i: i + 1], c[i: i + 1]) for i in range(cfg.layers)]
        self._states = {p: s for p, s in self._states.items() if p <= start}
        logps, hiddens = [self._logp[:start]], [self._hidden[:, :start]]
        with sequence_kernels():  # about twice as fast for whole sequences
            self._read_from(ids, start, state, logps, hiddens)
        self._logp = torch.cat(logps)
        self._hidden = torch.cat(hiddens, dim=1)
        self._ids = ids
        self._text = text
        return self._view(text, ids, start)

    def _read_from(self, ids, start, state, logps, hiddens) -> None:
        """Read ``ids[start:]`` on from ``state`` (per layer), appending each chunk's
        log-probabilities and hidden outputs and keeping the state every ``every``
        positions."""
        with torch.inference_mode():
            pos = start
            while pos < len(ids):
                stop = min(len(ids), (pos // self.every + 1) * self.every)
                x = self.model.embed(torch.tensor([ids[pos:stop]], dtype=torch.long))
                outs = []
                for i, layer in enumerate(self._layers):
                    x, state[i] = layer(x, state[i])
                    outs.append(x[0])
                logps.append(F.log_softmax(self.model.head(x[0]).float(), dim=-1))
                hiddens.append(torch.stack(outs))
                pos = stop
                if pos % self.every == 0:
                    self._states[pos] = (torch.cat([s[0] for s in state]),
                                         torch.cat([s[1] for s in state]))

    def _view(self, text: str, ids: list[int], start: int) -> TextView:
        n = len(text)
        target = torch.tensor(ids[1:], dtype=torch.long)
        logp = self._logp
        bits = (-logp[:n].gather(1, target[:, None])[:, 0] / LN2) if n else torch.zeros(0)
        probs, top = logp[1: n + 1].exp().topk(self.top_k, dim=-1) if n else (
            torch.zeros(0, self.top_k), torch.zeros(0, self.top_k, dtype=torch.long))
        return TextView(
            text=text,
            bits=bits.numpy().astype(np.float32),
            top_ids=top.numpy(),
            top_probs=probs.numpy().astype(np.float32),
            hidden=self._hidden[:, 1: n + 1].numpy().astype(np.float32),
            unknown=(target == self.vocab.unk).numpy(),
            tokens=self.vocab.tokens,
            recomputed_from=max(0, start - 1) if start < len(ids) else n,
        )

    def end_guesses(self) -> list[Guess]:
        """The guesses after the last character read (or after ``<bos>``)."""
        if not len(self._logp):
            return []
        probs, top = self._logp[-1].exp().topk(self.top_k)
        return [Guess(char_label(self.vocab.tokens[t]), self.vocab.tokens[t], float(p))
                for t, p in zip(top.tolist(), probs.tolist())]


def text_inspector(loaded) -> TextInspector:
    """A :class:`TextInspector` for a registry's loaded ``folk-abc`` model."""
    model = getattr(loaded.step_model, "model", loaded.step_model)
    vocab = getattr(loaded.codec, "vocab", None)
    if not isinstance(model, CharLSTM) or not isinstance(vocab, CharVocab):
        raise GenerationError(f"model {loaded.info.name!r} does not read ABC text; its "
                              "guesses are shown in the piano roll")
    return TextInspector(model, vocab)


# --- MIDI models --------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event the model read: its ``label``, its surprise ``bits``, the ``tick`` it
    stands at (the score's ticks) and the ``pitches`` it strikes there (empty for bar
    lines, rests, holds and durations)."""

    label: str
    bits: float
    tick: int
    pitches: tuple[int, ...] = ()


@dataclass(frozen=True)
class EventView:
    """At tick ``tick`` of a score: the model's ``guesses`` for its next event (with
    the codec's constraints applied, so they are events it could write there), and the
    ``events`` it read before (:class:`Event`); ``bits_per_event`` over them.
    Tokens the codec forces at ``tick`` (a bar line, a meter) are fed first: the
    guesses are for the first event the model chooses."""

    tick: int
    guesses: list[Guess]
    events: list[Event]

    @property
    def bits_per_event(self) -> float:
        if not self.events:
            return float("nan")
        return sum(e.bits for e in self.events) / len(self.events)

    def surprising_notes(self, score, threshold: float = 7.0) -> list[tuple[object, float]]:
        """Notes of ``score`` struck by an event of at least ``threshold`` bits, with
        those bits: a note matches an event that strikes its pitch at its onset (within
        a sixteenth, for music off the model's grid)."""
        hits: dict[tuple[int, int], float] = {}
        for e in self.events:
            if e.bits >= threshold:
                for p in e.pitches:
                    hits[(e.tick, p)] = max(hits.get((e.tick, p), 0.0), e.bits)
        if not hits:
            return []
        out = []
        for track in score.tracks:
            for n in track.notes:
                if n.start >= self.tick:
                    continue
                best = max((b for (t, p), b in hits.items()
                            if p == n.pitch and abs(t - n.start) < 120), default=None)
                if best is not None:
                    out.append((n, best))
        return out


def next_events(loaded, score, tick: int, top_k: int = TOP_K,
                max_events: int = 4096) -> EventView:
    """What model ``loaded`` (from a registry) expects at ``tick`` ticks of ``score``,
    having read everything before it. Raises :class:`GenerationError` when the model
    cannot read this score (e.g. no melody) or ``tick`` is not inside it."""
    from composer.generation.engine import make_seed
    from composer.generation.request import ContinueRequest, Selection
    from composer.generation.sampling import configure_torch

    if not 0 < tick <= max(score.length, 1):
        raise GenerationError(f"tick {tick} is not inside the tune (0 to {score.length})")
    request = ContinueRequest(score, Selection(0, tick), 1, loaded.info.name, context=True)
    seed = make_seed(request)
    codec = loaded.codec
    codec.check(seed.score, seed.plan)
    configure_torch()
    prompt = codec.encode(seed.score, seed.plan)[-max_events:]
    decoder = codec.decoder(seed.score, seed.plan)
    step_model = loaded.step_model
    name = getattr(codec, "token_name", None)
    full = len(codec.encode(seed.score, seed.plan))
    ticks = codec.token_ticks(seed.score, seed.plan)[full - len(prompt):] if hasattr(
        codec, "token_ticks") else [0] * len(prompt)
    pitches = getattr(codec, "token_pitches", None)

    def label(token: int) -> str:
        return name(token, seed.score, seed.plan) if name else str(token)

    events: list[Event] = []
    with torch.inference_mode():
        state = step_model.init_state(1)
        logits = None
        for i, token in enumerate(prompt):
            if logits is not None:
                logp = F.log_softmax(logits[0].float(), dim=-1)
                struck = tuple(pitches(token, seed.score, seed.plan)) if pitches else ()
                events.append(Event(label(token), float(-logp[token]) / LN2,
                                    seed.offset + ticks[i], struck))
            logits, state = step_model.step(torch.tensor([[token]], dtype=torch.long), state)
        allowed = decoder.allowed()
        for _ in range(16):  # forced tokens (a bar line, a meter) say nothing: skip them
            if allowed is None or int(allowed.sum()) != 1:
                break
            forced = int(allowed.nonzero()[0, 0])
            decoder.push(forced)
            logits, state = step_model.step(torch.tensor([[forced]], dtype=torch.long), state)
            allowed = decoder.allowed()
        logp = F.log_softmax(logits[0].float(), dim=-1)
        if allowed is not None:
            logp = logp.masked_fill(~allowed, -math.inf)
            logp = logp - torch.logsumexp(logp, dim=-1)
        probs, top = logp.exp().topk(min(top_k, int(torch.isfinite(logp).sum())))
    guesses = [Guess(label(t), str(t), float(p)) for t, p in zip(top.tolist(), probs.tolist())]
    return EventView(tick, guesses, events)

