"""The folk model's tasks as text: how a fill and an accompaniment are written for the
character model, the same for the training tunes it learns from and for the prompts
it reads (one definition, so the two cannot drift apart).

- **Fill** (suffix-prefix-middle): ``header <FIM_SUFFIX> the bars after the gap
  <FIM_PREFIX> the bars before it <FIM_MIDDLE>`` and then the gap's bars; the model
  reads what follows before it writes the gap.
- **Accompany** (bar preview): every bar is written twice, first its melody without
  chord symbols, then :data:`PREVIEW` and the bar as it is, chord symbols included:
  ``|dcB AGF\\x1f"G"dcB "D"AGF|``. A left-to-right model choosing a bar's chords has
  read the whole bar's melody just before.

The separators are control characters no tune contains. Offsets are characters of the
text given; bars are the text between bar lines as the ABC lexer reads them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from composer.music.abc.lexer import LexError, tokenize

FIM_SUFFIX, FIM_PREFIX, FIM_MIDDLE = "\x1c", "\x1d", "\x1e"
"""Separators of a fill (see the module docstring)."""
PREVIEW = "\x1f"
"""Between a bar's melody preview and the bar itself (see the module docstring)."""
TASK_CHARS = FIM_SUFFIX + FIM_PREFIX + FIM_MIDDLE + PREVIEW
"""Every separator: a vocabulary holding them all can fill and accompany."""

CONTEXT_BARS = 8
"""Bars before a gap a fill is given, at most (as the engine's seed)."""
SUFFIX_BARS = 4
"""Bars after a gap a fill is given, at most (as the engine's suffix)."""
MAX_GAP_BARS = 8
"""The longest gap a training fill has."""

_HEAD = "X:1\nK:C\n"
_MUSIC = frozenset({"note", "chord", "rest", "tuplet", "bars_rest", "symbol", "annotation",
                    "grace", "decoration", "broken", "tie"})
_SOUNDS = frozenset({"note", "chord", "rest", "bars_rest"})
_QUOTED = re.compile(r'"[^"\n]*"')


@dataclass(frozen=True)
class BodyBar:
    """One bar of a tune body: ``text[start:end]`` is the bar with what leads into it
    (line breaks, field lines, an ending number) and its closing bar line;
    ``music`` is where its first note, chord symbol or decoration starts and ``line``
    where its closing bar line starts (``end`` when the body ends without one)."""

    start: int
    music: int
    line: int
    end: int


def body_bars(body: str) -> list[BodyBar]:
    """The bars of a tune ``body`` (the text after its ``K:`` line) that hold music, in
    order; text before the first one and after the last one belongs to no bar. Raises
    :class:`~composer.music.abc.lexer.LexError` for text the lexer refuses."""
    bars: list[BodyBar] = []
    base = len(_HEAD)
    start, music, sounds = 0, None, False
    for token in tokenize(_HEAD + body):
        if token.start < base:
            continue
        at, end = token.start - base, token.end - base
        if token.kind == "bar":
            if sounds:
                bars.append(BodyBar(start, music, at, end))
                start, music, sounds = end, None, False
            elif music is None:
                start = end  # a bar line with nothing before it ("|:" opening a body)
            continue
        if token.kind in _MUSIC and music is None:
            music = at
        sounds = sounds or token.kind in _SOUNDS
    if sounds:
        tail = len(body.rstrip())
        bars.append(BodyBar(start, music, tail, tail))
    return bars


def without_chord_symbols(text: str) -> str:
    """``text`` with its quoted strings (chord symbols, annotations) removed and the
    spaces that leaves doubled made single."""
    return re.sub(r" {2,}", " ", _QUOTED.sub("", text)).strip(" ")


def preview_bars(body: str) -> str:
    """``body`` in the accompaniment form (see the module docstring): each bar's melody
    without chord symbols, :data:`PREVIEW`, then the bar as written. Text outside bars
    is kept as it is. Raises :class:`~composer.music.abc.lexer.LexError`."""
    out, at = [], 0
    for bar in body_bars(body):
        out.append(body[at: bar.music])
        out.append(without_chord_symbols(body[bar.music: bar.line]).rstrip() + PREVIEW)
        at = bar.music
    out.append(body[at:])
    return "".join(out)


def fill_body(suffix: str, prefix: str) -> str:
    """The body of a fill's prompt: the music after the gap (``suffix``, ending with a
    line break) and the music before it (``prefix``, ending where the gap starts),
    with their separators; the gap's bars follow it."""
    return f"{FIM_SUFFIX}{suffix}{FIM_PREFIX}{prefix}{FIM_MIDDLE}"


def fill_example(body: str, rng: random.Random) -> str | None:
    """A training tune ``body`` rearranged as a fill (see the module docstring): a gap
    of 1 to :data:`MAX_GAP_BARS` bars with at least one bar before and after it, up to
    :data:`CONTEXT_BARS` bars before and :data:`SUFFIX_BARS` after it; ``None`` when
    the tune is too short or the lexer refuses it. The prefix ends after the gap's
    opening bar line and the field lines of its first bar on a line of their own, as
    the engine's prompt does."""
    try:
        bars = body_bars(body)
    except LexError:
        return None
    if len(bars) < 3:
        return None
    gap = rng.randrange(1, len(bars) - 1)
    length = rng.randint(1, min(MAX_GAP_BARS, len(bars) - 1 - gap))
    after = bars[gap + length: gap + length + SUFFIX_BARS]
    first = bars[max(0, gap - CONTEXT_BARS)]
    last_before = bars[gap - 1]
    lead = body[last_before.end: bars[gap].music]  # line breaks, fields, an ending
    fields = [line for line in lead.split("\n") if line[1:2] == ":" and line[:1].isalpha()]
    prefix = body[first.start: last_before.end].strip("\n") + "".join(
        "\n" + f for f in fields) + "\n"
    suffix = body[after[0].start: after[-1].end].lstrip(" \n\\").rstrip() + "\n"
    middle = lead.rsplit("\n", 1)[-1] + body[bars[gap].music: bars[gap + length - 1].end]
    return fill_body(suffix, prefix) + middle.strip("\n") + "\n"


def task_example(body: str, rng: random.Random, fill_share: float,
                 accompany_share: float) -> str:
    """``body`` as one training example: with probability ``fill_share`` a fill, with
    ``accompany_share`` the accompaniment form, else (and when the tune cannot take
    the form drawn) as it is. Deterministic given ``rng``."""
    draw = rng.random()
    if draw < fill_share:
        return fill_example(body, rng) or body
    if draw < fill_share + accompany_share and '"' in body:
        try:
            return preview_bars(body)
        except LexError:
            return body
    return body
