"""Sampling ABC text from the folk model: stateful, batched, constrained, streamed.

The model reads ``<bos>`` and the prompt once, then writes one character per step for
every variation as one batch (the shared loop of :mod:`composer.generation.sampling`);
it never re-reads a window. Each variation has an :class:`AbcDecoder` whose
:class:`~composer.generation.folk.constraints.AbcTracker` masks the characters that
would make a bar too long, close it too early, or leave the text unreadable.

Two uses:

* **continuation** (``stop_after_bars=N``): every new bar must be full; the variation
  stops right after the bar line closing its ``N``-th new bar (the first one completes
  the bar the prompt ends in, if the prompt ends inside a bar). No field lines.
* **whole tunes** (``stop_after_bars=None``): a pickup and the bar completing it are
  allowed; ``M:``/``L:``/``K:``/``P:`` lines too; a variation stops at ``<eos>``.

Either way a variation also stops when its character budget ``max_chars`` runs out.
Variation ``i`` samples with seed ``seed + i``, so it can be reproduced alone.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from composer.generation.folk.constraints import BAR_TOKENS, END, AbcTracker
from composer.generation.request import Sampling
from composer.generation.sampling import configure_torch, sample_stream
from composer.nn.char_lstm import CharLSTM
from composer.nn.vocab import CharVocab

DEFAULT_MAX_CHARS = 4000
CHARS_PER_BAR_BUDGET = 120
"""Generous characters per requested bar for the default budget of a continuation."""


@dataclass(frozen=True, slots=True)
class AbcChunk:
    """What a variation has written so far. ``text`` is all its new text,
    ``new_text`` the part since its previous chunk; ``bars`` counts complete new bars;
    ``reason`` says why it stopped once ``done``: ``"bars"`` (the requested bars are
    written), ``"end"`` (the model ended the tune) or ``"budget"`` (out of characters)."""

    variation: int
    text: str
    new_text: str
    bars: int
    done: bool
    reason: str = ""
    last_bar_end: int = 0
    """Length of ``text`` up to and including the bar line of its last complete bar."""


class MaskCache:
    """Allowed-token masks per tracker state, shared by the decoders of one vocabulary."""

    def __init__(self, vocab: CharVocab):
        self.vocab = vocab
        self.chars: list[str | None] = [None] * len(vocab)
        for i, tok in enumerate(vocab.tokens):
            if i == vocab.eos:
                self.chars[i] = END
            elif i not in (vocab.bos, vocab.unk):
                self.chars[i] = tok
        bar = vocab.id("|")
        self.rescue = torch.zeros(len(vocab), dtype=torch.bool)
        if bar != vocab.unk:
            self.rescue[bar] = True
        self._masks: dict[tuple, torch.Tensor] = {}

    def mask(self, tracker: AbcTracker, last_bar: bool, allow_end: bool) -> torch.Tensor:
        key = (tracker.state_key(), last_bar, allow_end)
        mask = self._masks.get(key)
        if mask is None:
            chars = [c if c is not None else "\x01" for c in self.chars]
            accepted = tracker.accepts_many(chars)
            allowed = []
            for c, ok in zip(self.chars, accepted):
                ok = ok and c is not None and (allow_end or c != END)
                if ok and last_bar and c != "|" and tracker.closes_bar(c):
                    ok = False  # the last bar line is a plain "|", then we stop
                allowed.append(ok)
            mask = torch.tensor(allowed, dtype=torch.bool)
            if not mask.any():
                mask = self.rescue  # a dead end (only after odd prompts): close the bar
            if len(self._masks) > 200_000:
                self._masks.clear()
            self._masks[key] = mask
        return mask


class PrimeOnce:
    """A step model that reads a prompt shared by every row of the batch once (batch 1)
    and copies the state to the rows: priming costs the same for 1 or 16 variations."""

    def __init__(self, model: CharLSTM):
        self.model = model
        self.vocab_size = model.vocab_size

    def init_state(self, batch: int):
        return self.model.init_state(batch)

    def step(self, tokens: torch.Tensor, state):
        rows = tokens.shape[0]
        if rows > 1 and tokens.shape[1] > 1 and bool((tokens == tokens[:1]).all()):
            logits, (h, c) = self.model.step(tokens[:1], (state[0][:, :1], state[1][:, :1]))
            expand = (-1, rows, -1)
            return (logits.expand(rows, -1),
                    (h.expand(*expand).contiguous(), c.expand(*expand).contiguous()))
        return self.model.step(tokens, state)


class AbcDecoder:
    """One variation: the tracker, the text written, when to stop (a
    :class:`~composer.generation.codec.Decoder`; :meth:`music` reads the whole text
    written after ``prompt``)."""

    def __init__(self, tracker: AbcTracker, masks: MaskCache, stop_after_bars: int | None,
                 max_chars: int, constrained: bool = True, per: str = "bar",
                 prompt: str = ""):
        self.prompt = prompt
        self.tracker = tracker
        self.masks = masks
        self.vocab = masks.vocab
        self.stop_after_bars = stop_after_bars
        self.max_chars = max_chars
        self.constrained = constrained
        self.per = per
        self.start_bars = tracker.bars_closed
        self.pieces: list[str] = []
        self.reason = ""
        self.reported = 0  # characters already reported
        self.last_bar_end = 0

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def bars(self) -> int:
        return self.tracker.bars_closed - self.start_bars

    @property
    def finished(self) -> bool:
        return bool(self.reason)

    def allowed(self) -> torch.Tensor | None:
        if not self.constrained:
            return None
        last = self.stop_after_bars is not None and self.bars == self.stop_after_bars - 1
        return self.masks.mask(self.tracker, last, self.stop_after_bars is None)

    def push(self, token: int) -> bool:
        char = self.masks.chars[token]
        if token == self.vocab.eos:
            self.tracker.push(END)
            self.reason = "end"
            return True
        if char is None:  # <bos>/<unk> from an unconstrained sample: nothing to write
            char = ""
        closed = False
        for c in char:
            closed = self.tracker.push(c) or closed
            self.pieces.append(c)
            if self.tracker.lex == "bar" and self.tracker.buf in BAR_TOKENS:
                self.last_bar_end = len(self.pieces)
        if self.stop_after_bars is not None and self.bars >= self.stop_after_bars:
            self.reason = "bars"
        elif len(self.pieces) >= self.max_chars:
            self.reason = "budget"
        return self.per == "char" or closed or self.finished


    def music(self):
        """The notes and chord symbols of ``prompt`` and the complete bars written after
        it, read back (an empty result while the text does not read yet)."""
        from composer.generation.codec import DecodedMusic
        from composer.music.abc import read_abc
        from composer.music.errors import MusicError

        music = DecodedMusic(bars_done=self.bars)
        try:
            score = read_abc(self.prompt + "".join(self.pieces[: self.last_bar_end]))
        except MusicError:
            return music
        for track in score.tracks:
            music.notes[track.name] = list(track.notes)
        music.chords = list(score.chords)
        return music


class AbcSampler:
    """The folk model ready to write: ``model`` a :class:`CharLSTM` (eval mode),
    ``vocab`` its :class:`CharVocab`."""

    def __init__(self, model: CharLSTM, vocab: CharVocab, threads: int = 2):
        if model.config.context != "stateful":
            from composer.generation.errors import GenerationError

            raise GenerationError("this model reads fixed windows and cannot be sampled "
                                  "incrementally; use a stateful model")
        self.model = model.eval()
        self.vocab = vocab
        self.threads = threads
        self.masks = MaskCache(vocab)

    @classmethod
    def load(cls, directory: str | Path, threads: int = 2) -> AbcSampler:
        """Load a folk model folder (raises :class:`~composer.nn.errors.ModelError`)."""
        from composer.generation.kinds import FOLK_ABC
        from composer.generation.loading import load_checkpoint

        ckpt = load_checkpoint(directory, FOLK_ABC)
        return cls(ckpt.model, ckpt.vocab, threads)

    def prompt_tokens(self, prompt: str) -> list[int]:
        return [self.vocab.bos] + self.vocab.encode(prompt)

    def stream(
        self,
        prompt: str,
        *,
        variations: int = 1,
        sampling: Sampling | None = None,
        stop_after_bars: int | None = None,
        max_chars: int | None = None,
        constrained: bool = True,
        per: str = "bar",
    ) -> Iterator[AbcChunk]:
        """Write ``variations`` continuations of ``prompt`` (an ABC header, up to and
        including its ``K:`` line, and any part of the body) as one batch.

        Yields an :class:`AbcChunk` each time a variation closes a bar (``per="bar"``)
        or writes a character (``per="char"``), and once when it is done. Closing
        the generator stops the work within one model step. ``sampling.seed``
        ``None`` draws a seed.
        """
        if variations < 1:
            raise ValueError("variations must be at least 1")
        if stop_after_bars is not None and stop_after_bars < 1:
            raise ValueError("stop_after_bars must be at least 1")
        if per not in ("bar", "char"):
            raise ValueError("per must be 'bar' or 'char'")
        sampling = sampling or Sampling()
        if max_chars is None:
            max_chars = (DEFAULT_MAX_CHARS if stop_after_bars is None
                         else CHARS_PER_BAR_BUDGET * (stop_after_bars + 1))
        seed = sampling.seed if sampling.seed is not None else secrets.randbelow(2**31)
        free = stop_after_bars is None
        base = AbcTracker.for_tune(prompt, free_bars=free, fields="MLKP" if free else "")
        decoders = [AbcDecoder(base.clone_full(), self.masks, stop_after_bars, max_chars,
                               constrained, per, prompt) for _ in range(variations)]
        configure_torch(self.threads)
        events = sample_stream(PrimeOnce(self.model), self.prompt_tokens(prompt), decoders,
                               sampling, seed, max_chars)
        try:
            for i in events:
                dec = decoders[i]
                text = dec.text
                new = text[dec.reported:]
                dec.reported = len(text)
                yield AbcChunk(i, text, new, dec.bars, dec.finished, dec.reason,
                               dec.last_bar_end)
        finally:
            events.close()

    def generate(self, prompt: str, **kwargs) -> list[AbcChunk]:
        """The final chunk of every variation (see :meth:`stream`)."""
        last: dict[int, AbcChunk] = {}
        for chunk in self.stream(prompt, **kwargs):
            last[chunk.variation] = chunk
        return [last[i] for i in sorted(last)]
