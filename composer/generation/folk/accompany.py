"""Chords under a melody with the folk model: the melody's characters are written for
the model (forced), and before each note it may open a chord symbol, whose text it
writes itself; everything else is the melody as written. Reading the text back gives
the chord symbols the model chose. A model that learnt the bar preview
(:mod:`.tasks`) reads each bar's melody before it chords the bar: the prompt and the
passage are written in that form, and the previews are left out of the music read
back. Ticks in seed coordinates.
"""

from __future__ import annotations

import dataclasses

import torch

from composer.generation.codec import DecodedMusic, Plan
from composer.generation.errors import GenerationError
from composer.generation.folk.constraints import AbcTracker
from composer.generation.folk.prompt import melody_track, seed_text, style_abc
from composer.generation.folk.sampler import CHARS_PER_BAR_BUDGET, AbcDecoder, MaskCache
from composer.generation.folk.tasks import PREVIEW, body_bars, preview_bars, without_chord_symbols
from composer.music.abc import read_abc
from composer.music.abc.lexer import LexError, tokenize
from composer.music.edit import crop
from composer.music.errors import MusicError
from composer.music.score import Score

QUOTE = '"'
_STARTS = ("note", "chord", "rest", "tuplet", "bars_rest")
"""Tokens a chord symbol may stand before."""


def accompany_prompt(seed: Score, plan: Plan, preview: bool = False) -> str:
    """What the model reads before the passage: the music before it (the seed up to
    :attr:`Plan.start`) as the continuation prompt writes it, its bars in the preview
    form with ``preview``; only the header when the passage starts the tune."""
    if plan.start > 0:
        text = seed_text(crop(seed, 0, plan.start), plan)
        if preview:
            head, _, rest = text.partition("\nK:")
            key_line, _, body = rest.partition("\n")
            try:
                body = preview_bars(body)
            except LexError as e:
                raise GenerationError(f"the folk model cannot read the music before the "
                                      f"passage ({e})") from None
            text = f"{head}\nK:{key_line}\n{body}"
        return text
    melody = melody_track(seed, plan)
    text = style_abc(dataclasses.replace(seed, tracks=(melody,)))
    head, _, rest = text.partition("\nK:")
    return f"{head}\nK:{rest.partition(chr(10))[0]}\n"


def preview_script(melody: str) -> tuple[str, set[int]]:
    """The passage's melody text as the model writes it in the preview form, and the
    offsets in it of the characters that are previews (left out of the music)."""
    out, hidden, at = [], set(), 0
    for bar in body_bars(melody):
        out.append(melody[at: bar.music])
        shown = without_chord_symbols(melody[bar.music: bar.line]).rstrip() + PREVIEW
        start = sum(map(len, out))
        hidden.update(range(start, start + len(shown)))
        out.append(shown)
        at = bar.music
    out.append(melody[at:])
    return "".join(out), hidden


def melody_text(seed: Score, plan: Plan, track: str) -> str:
    """The passage's melody as ABC body text in the prompt's style, without chord
    symbols, ending with its last bar line."""
    passage = crop(seed, plan.start, plan.end, [track])
    passage = dataclasses.replace(passage, chords=())
    text = style_abc(passage).split("\nK:", 1)[1].partition("\n")[2]
    return text.rstrip("\n")


class AccompanyDecoder(AbcDecoder):
    """One variation of an accompaniment (see the module docstring)."""

    def __init__(self, seed: Score, plan: Plan, track: str, masks: MaskCache,
                 preview: bool = False):
        self.prompt = accompany_prompt(seed, plan)  # the music read back follows it
        tracker = AbcTracker.for_tune(self.prompt, free_bars=True, fields="")
        melody = melody_text(seed, plan, track)
        missing = sorted({c for c in melody if masks.vocab.id(c) == masks.vocab.unk})
        if missing:
            raise GenerationError("the folk model cannot read this melody (it never saw "
                                  f"{''.join(missing)!r})")
        super().__init__(tracker, masks, None, 2 * len(melody) + CHARS_PER_BAR_BUDGET
                         * (plan.total_bars + 1), prompt=self.prompt)
        self.plan = plan
        self.track = track
        self.hidden: set[int] = set()
        slots = _slots(melody)
        if preview:
            try:
                script, self.hidden = preview_script(melody)
            except LexError as e:
                raise GenerationError(f"the folk model cannot read this melody ({e})") \
                    from None
            # the slots of the melody, moved to where they are in the script
            shown = [i for i in range(len(script)) if i not in self.hidden]
            slots = {shown[i] for i in slots if i < len(shown)}
            melody = script
        self.melody = melody
        self.i = 0  # the next melody character to write
        self.slots = slots
        self._done = False
        self._onehots: dict[str, torch.Tensor] = {}

    @property
    def finished(self) -> bool:
        return self._done or bool(self.reason)

    def allowed(self) -> torch.Tensor | None:
        if self.tracker.lex == "quote":
            # inside a chord symbol: the model writes its text (the closing quote too)
            return self.masks.mask(self.tracker, False, False)
        char = self.melody[self.i]
        mask = self._onehot(char).clone()
        if self.i in self.slots and not self.tracker.symbol_pending:
            quote = self.masks.vocab.id(QUOTE)
            if quote != self.masks.vocab.unk:
                mask[quote] = True
        return mask

    def push(self, token: int) -> bool:
        char = self.masks.chars[token] or ""
        was_quote = self.tracker.lex == "quote"
        before = self.bars
        if not was_quote and self.i in self.hidden:  # a preview: the model's alone
            self.i += len(char)
            return self.finished
        for c in char:
            self.tracker.push(c)
            self.pieces.append(c)
        if not was_quote and char == self.melody[self.i: self.i + len(char)]:
            self.i += len(char)
        if self.i >= len(self.melody):
            self._done = True
            self.reason = "bars"
        if len(self.pieces) >= self.max_chars:
            self.reason = "budget"
        return self.bars > before or self.finished

    def _onehot(self, char: str) -> torch.Tensor:
        mask = self._onehots.get(char)
        if mask is None:
            mask = torch.zeros(len(self.masks.vocab), dtype=torch.bool)
            mask[self.masks.vocab.id(char)] = True
            self._onehots[char] = mask
        return mask

    def music(self) -> DecodedMusic:
        music = DecodedMusic(bars_done=min(self.bars, self.plan.total_bars))
        text = self.prompt + "".join(self.pieces)
        if not self.finished:
            cut = text.rfind("|")
            if cut <= len(self.prompt):
                return music
            text = text[: cut + 1]
        try:
            score = read_abc(text)
        except MusicError as e:
            raise GenerationError(f"the folk model wrote ABC our reader cannot read ({e}); "
                                  "try another seed") from None
        start, stop = self.plan.start, self.plan.end
        music.chords = [c for c in score.chords if start <= c.start < stop]
        return music


def _slots(text: str) -> set[int]:
    """Offsets in ``text`` where a note, chord, rest or tuplet starts (a chord symbol
    may go right before it)."""
    try:
        tokens = tokenize("X:1\nK:C\n" + text)
    except LexError:
        return set()
    base = len("X:1\nK:C\n")
    slots, inside = set(), 0
    for t in tokens:
        if t.start < base or t.kind not in _STARTS:
            continue
        if t.kind == "tuplet":
            slots.add(t.start - base)  # before "(3", not between its notes
            p, _q, r = t.value
            inside = r or p
        elif inside:
            inside -= 1
        else:
            slots.add(t.start - base)
    return slots
