"""Repeats written out: the score in playback order, and the map between playback
ticks and written ticks.

All times are **ticks** (480 per quarter). A *written* tick is a position in the
score as notated (what the piano roll and the ABC editor show); a *playback* tick
is a position in the music as heard, repeats played out.

Reading rules (ABC 2.1, as a fiddler reads them):

* ``|:`` (or ``:|:``) starts a repeated section; ``:|`` sends the music back to it.
* A ``:|`` with no ``|:`` since the previous section goes back to the last ``||``,
  ``[|`` or ``|]``, or to the end of the previous repeated section, or to the start
  of the tune (pickup included: the short last bar of a section completes it).
* Endings (``Volta`` brackets ``[1``, ``[2``, ``[1,3`` ...) are played on the passes
  they list; a section is played as many times as its highest ending number asks
  (twice when it has no endings). Passing the end of the last ending starts a new
  section.
* A part order in the header (``P:AABA``, ``P:(AB)2C``; Nottingham writes it as
  ``Y:``, kept in ``Score.metadata``) plays the labelled parts (``PartMark``) in
  that order, each with its own repeats; a tune without labels is part ``A`` (or
  the letter of a one-letter header ``P:``), so ``Y:AA`` plays it twice.
* Part labels with no order in the header are plain labels: the music plays as
  written (ABC 2.1).

The played-out score has no play order: its metadata loses the header ``P:`` and
``Y:`` (:func:`without_play_order`), its part labels stay, at each pass, as plain
labels (a one-letter header ``P:`` naming a tune without labels becomes a label at
its start). Otherwise the MIDI file, which holds the played-out score, would carry
the order into the ABC read from it, and that ABC would be played out again.

Nottingham's MIDI files were not written by abc2midi but by a music21 pipeline
(1024 ticks per beat, velocity 90, pickups padded to a full bar). Its expander reads
a second ``:|`` with no ``|:`` as "repeat everything so far" (``A :| B :|`` plays
``A A B A A B``), and it plays labelled parts only in a ``Y:`` order (with a header
``P:`` order, or none, only the first part is in the file). :func:`expand_repeats`
follows musicians instead (``A A B B``, every part); ``style="nottingham"``
reproduces the corpus files, for comparisons and for aligning training data.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from dataclasses import dataclass

from composer.music.score import (
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
)

_MAX_PASSES = 8
"""Guard against malformed repeat structures: no end-repeat sends the music back
more often than this."""

_SECTION_BARS = ("||", "[|", "|]")


@dataclass(frozen=True, slots=True)
class Segment:
    """Written ticks ``[written_start, written_end)`` played from ``playback_start``."""

    playback_start: int
    written_start: int
    written_end: int

    @property
    def length(self) -> int:
        return self.written_end - self.written_start

    @property
    def playback_end(self) -> int:
        return self.playback_start + self.length


@dataclass(frozen=True, slots=True)
class RepeatMap:
    """How playback ticks relate to written ticks: contiguous segments in playback
    order. The player uses it to draw the playhead on the written score."""

    segments: tuple[Segment, ...]

    @property
    def length(self) -> int:
        """Playback length in ticks."""
        return self.segments[-1].playback_end if self.segments else 0

    def to_written(self, playback_tick: int) -> int:
        """The written tick heard at ``playback_tick`` (clamped to the score)."""
        if not self.segments:
            return 0
        starts = [s.playback_start for s in self.segments]
        i = max(0, bisect.bisect_right(starts, playback_tick) - 1)
        seg = self.segments[i]
        offset = min(max(playback_tick - seg.playback_start, 0), seg.length)
        return seg.written_start + offset

    def to_playback(self, written_tick: int, not_before: int = 0) -> int | None:
        """The first playback tick at or after ``not_before`` where ``written_tick``
        sounds, or ``None`` if it is never reached again."""
        for seg in self.segments:
            if seg.playback_end <= not_before:
                continue
            if seg.written_start <= written_tick < seg.written_end:
                tick = seg.playback_start + written_tick - seg.written_start
                if tick >= not_before:
                    return tick
        if self.segments and written_tick == self.segments[-1].written_end:
            return self.length if self.length >= not_before else None  # the very end
        return None

    def to_playback_end(self, written_end: int, playback_start: int) -> int:
        """Where a written range ending at ``written_end`` ends in playback, counting
        from ``playback_start`` (inside the same pass): the end of the first segment
        at or after ``playback_start`` that covers ``written_end - 1``, or the end of
        the contiguous run if the range is not reached."""
        for seg in self.segments:
            if seg.playback_end <= playback_start:
                continue
            if seg.written_start < written_end <= seg.written_end:
                end = seg.playback_start + written_end - seg.written_start
                if end > playback_start:
                    return end
        return self.length

    def occurrences(self, written_tick: int) -> list[int]:
        """Every playback tick where ``written_tick`` sounds."""
        return [
            s.playback_start + written_tick - s.written_start
            for s in self.segments
            if s.written_start <= written_tick < s.written_end
        ]


@dataclass(frozen=True, slots=True)
class Unrolled:
    """A score with its repeats written out, and the map back to the written score."""

    score: Score
    map: RepeatMap


def expand_repeats(score: Score, *, style: str = "abc") -> Score:
    """The score in playback order: no repeat bar lines or endings left; notes,
    chord symbols, meter/key/tempo maps, parts and bar lines copied per pass."""
    return unroll(score, style=style).score


def unroll(score: Score, *, style: str = "abc") -> Unrolled:
    """:func:`expand_repeats` plus the :class:`RepeatMap` (``style`` ``"abc"`` or
    ``"nottingham"``, see the module docstring)."""
    if style not in ("abc", "nottingham"):
        raise ValueError(f"style must be 'abc' or 'nottingham', not {style!r}")
    score = score.normalized()
    length = score.length
    order = part_order(score, keys=("P", "Y") if style == "abc" else ("Y",))
    cut = length
    if style == "nottingham" and score.parts and not order:
        # the corpus files stop where the second part (or the first, after music) begins
        cut = next((p.tick for p in score.parts if p.tick > 0), length)
    score = without_play_order(score)
    if (not score.has_repeats and not order and cut == length) or length <= 0:
        segs = (Segment(0, 0, length),) if length > 0 else ()
        return Unrolled(_strip(score), RepeatMap(segs))
    planner = _plan_abc if style == "abc" else _plan_music21
    plan: list[tuple[int, int]] = []
    if order:
        ranges = _part_ranges(score, length)
        first = min(a for a, _ in ranges.values())
        if first > 0:
            plan += planner(score, 0, first)  # music before the first part label
        for label in order:
            if label in ranges:
                plan += planner(score, *ranges[label])
    else:
        plan = planner(score, 0, cut)
    segments = _merge(plan)
    return Unrolled(_copy(score, segments), RepeatMap(segments))


_ORDER_TOKEN = re.compile(r"\(|\)\d*|[A-Za-z]\d*")


def part_order(score: Score, keys: tuple[str, ...] = ("P", "Y")) -> list[str]:
    """The order to play the score's parts in, from an ABC header ``P:`` (or
    Nottingham's ``Y:``) kept in the metadata, e.g. ``"AABA"``, ``"A2B"``,
    ``"(AB)2C"``; empty when there is none or the score has no part labels."""
    labels = {p.label for p in score.parts} or {_whole_label(score)}
    fields = dict(score.metadata)
    for key in ("Y", "P"):  # Nottingham's Y: is the order when both are there
        if key not in keys or key not in fields:
            continue
        text = re.sub(r"[.\s]", "", fields[key])
        if not text or not re.fullmatch(r"[A-Za-z0-9()]+", text):
            continue
        order = _parse_order(text)
        if order and set(order) <= labels and len(order) <= 256:
            return order
    return []


ORDER_KEYS = ("P", "Y")
"""Header fields that can give a play order (``Y:`` is Nottingham's)."""


def without_play_order(score: Score) -> Score:
    """``score`` with no play order: the header ``P:`` and ``Y:`` left out of its
    metadata, for a score that is already in playback order (played out, or read
    from MIDI). A one-letter header ``P:`` that names a tune without part labels
    becomes a part label at its start (played as written, it plays the same)."""
    if not any(key in ORDER_KEYS for key, _ in score.metadata):
        return score
    parts = score.parts
    if not parts:
        label = _whole_label(score)
        if any(key == "P" and value.strip() == label for key, value in score.metadata):
            parts = (PartMark(0, label),)
    metadata = tuple((k, v) for k, v in score.metadata if k not in ORDER_KEYS)
    return dataclasses.replace(score, metadata=metadata, parts=parts)


def _parse_order(text: str) -> list[str]:
    stack: list[list[str]] = [[]]
    for token in _ORDER_TOKEN.findall(text):
        if token == "(":
            stack.append([])
        elif token.startswith(")"):
            if len(stack) == 1:
                return []
            group = stack.pop()
            stack[-1] += group * (int(token[1:]) if len(token) > 1 else 1)
        else:
            stack[-1] += [token[0]] * (int(token[1:]) if len(token) > 1 else 1)
    return stack[0] if len(stack) == 1 else []


def _whole_label(score: Score) -> str:
    """The label of a tune without part labels in its body: a one-letter header
    ``P:`` (``P:A``), else ``"A"``."""
    for key, value in score.metadata:
        if key == "P" and len(value.strip()) == 1 and value.strip().isalpha():
            return value.strip()
    return "A"


def _part_ranges(score: Score, length: int) -> dict[str, tuple[int, int]]:
    """Written ``[start, end)`` of each labelled part (its first appearance); the
    whole tune for a tune without labels."""
    if not score.parts:
        return {_whole_label(score): (0, length)}
    marks = [p for p in score.parts if p.tick < length]
    out: dict[str, tuple[int, int]] = {}
    for i, p in enumerate(marks):
        end = marks[i + 1].tick if i + 1 < len(marks) else length
        if end > p.tick:
            out.setdefault(p.label, (p.tick, end))
    return out


# --- planning: which written ranges play in which order ----------------------------
def _plan_abc(score: Score, begin: int, length: int) -> list[tuple[int, int]]:
    """The written ranges ``[begin, length)`` plays through, in order."""
    bars = {b.tick: b for b in score.barlines}
    voltas = {}
    for v in score.voltas:
        if begin <= v.start < v.end <= length:
            voltas.setdefault(v.start, v)
    volta_ends = {v.end for v in voltas.values()}
    ticks = sorted(t for t in {*bars, *voltas, *volta_ends, length} if begin < t <= length)

    plan: list[tuple[int, int]] = []
    jumps: Counter[int] = Counter()
    first = bars.get(begin)
    section, explicit, pass_ = begin, bool(first and first.starts_repeat), 1
    seg_start = pos = begin

    def skip_endings() -> None:
        """Jump over endings at ``pos`` that this pass does not play."""
        nonlocal pos, seg_start, section, explicit, pass_
        skipped = False
        while pos in voltas and pass_ not in voltas[pos].numbers and pos < length:
            plan.append((seg_start, pos))
            pos = seg_start = voltas[pos].end
            skipped = True
        if skipped and pos not in voltas:
            bar = bars.get(pos)
            section, explicit, pass_ = pos, bool(bar and bar.starts_repeat), 1

    skip_endings()
    while pos < length:
        pos = next(t for t in ticks if t > pos)
        bar = bars.get(pos)
        if bar is not None and bar.ends_repeat:
            chain = _chain_numbers(score.voltas, pos)
            if pass_ < max({2, *chain}) and jumps[pos] < _MAX_PASSES - 1:
                jumps[pos] += 1
                plan.append((seg_start, pos))
                pos = seg_start = section
                pass_ += 1
                skip_endings()
                continue
            if bar.starts_repeat or pos not in voltas:
                section, explicit, pass_ = pos, bar.starts_repeat, 1
        elif bar is not None and bar.starts_repeat:
            section, explicit, pass_ = pos, True, 1
        elif pos in volta_ends and pos not in voltas:
            section, explicit, pass_ = pos, False, 1  # past the last ending
        elif bar is not None and bar.kind in _SECTION_BARS and not explicit:
            section = pos
        skip_endings()
    plan.append((seg_start, length))
    return [(a, b) for a, b in plan if b > a]


def _chain_numbers(voltas, tick: int) -> set[int]:
    """Pass numbers of the chain of endings that ends or starts at ``tick``."""
    chain = [v for v in voltas if v.end == tick or v.start == tick]
    seen = set(chain)
    grew = True
    while grew:
        grew = False
        for v in voltas:
            if v not in seen and any(v.end == w.start or w.end == v.start for w in seen):
                seen.add(v)
                grew = True
    return {n for v in seen for n in v.numbers}


def _plan_music21(score: Score, begin: int, length: int) -> list[tuple[int, int]]:
    """music21's expander, bar by bar over ``[begin, length)``: expand the first
    repeat (or ending group), then start again on the result."""
    starts = sorted(t for t in {begin, *score.bar_starts(length),
                                *(v.start for v in score.voltas),
                                *(v.end for v in score.voltas)} if begin <= t < length)
    bars = [(a, b) for a, b in zip(starts, [*starts[1:], length]) if b > a]
    kinds = {b.tick: b for b in score.barlines}
    # Each bar: (start, end, starts_repeat, ends_repeat, volta_id)
    items = []
    for a, b in bars:
        left = kinds.get(a)
        right = kinds.get(b)
        vid = next((i for i, v in enumerate(score.voltas)
                    if v.start <= a < v.end and begin <= v.start), None)
        items.append([a, b, bool(left and left.starts_repeat), bool(right and right.ends_repeat),
                      vid])
    voltas = score.voltas
    # The corpus files behave as if a |: right after a pickup were written twice
    # (the cleaned ABC often reads "d2|: || |:"): one start survives the first
    # expansion, so a later :| with no |: goes back there, not to the pickup.
    # A zero-length bar carrying that second start reproduces it.
    first = kinds.get(score.pickup_ticks) if begin == 0 and score.pickup_ticks else None
    if first is not None and first.starts_repeat and len(items) > 1:
        items.insert(1, [items[1][0], items[1][0], True, False, None])
    for _ in range(100):
        end_i = next((i for i, it in enumerate(items) if it[3] or it[4] is not None), None)
        if end_i is None:
            break
        start_i = 0
        for i in range(end_i + 1):
            if items[i][2]:
                start_i = i
        if items[end_i][4] is None:
            body = items[start_i:end_i + 1]
            copies = [[*it[:2], False, False, None] for it in body]
            items[start_i:end_i + 1] = copies + [list(c) for c in copies]
            continue
        # an ending group: bars from start to the group's last ending
        group = _volta_group(voltas, items[end_i][4])
        last = max(i for i, it in enumerate(items) if it[4] in group)
        first_volta = min(i for i, it in enumerate(items) if it[4] in group)
        for i in range(start_i, first_volta + 1):
            if items[i][2] and i > start_i:
                start_i = i
        common = [[*it[:2], False, False, None] for it in items[start_i:first_volta]]
        out = []
        for vid in sorted(group, key=lambda g: voltas[g].start):
            ending = [[*it[:2], False, False, None] for it in items[first_volta:last + 1]
                      if it[4] == vid]
            for _times in range(max(1, len(voltas[vid].numbers))):
                out += [list(c) for c in common] + [list(e) for e in ending]
        items[start_i:last + 1] = out
    return [(it[0], it[1]) for it in items]


def _volta_group(voltas, vid: int) -> set[int]:
    group = {vid}
    grew = True
    while grew:
        grew = False
        for i, v in enumerate(voltas):
            if i not in group and any(v.start == voltas[g].end or v.end == voltas[g].start
                                      for g in group):
                group.add(i)
                grew = True
    return group


def _merge(plan: list[tuple[int, int]]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    play = 0
    for a, b in plan:
        if b <= a:
            continue
        if out and out[-1].written_end == a:
            last = out[-1]
            out[-1] = Segment(last.playback_start, last.written_start, b)
        else:
            out.append(Segment(play, a, b))
        play += b - a
    return tuple(out)


# --- copying the music into playback order --------------------------------------------
def _strip(score: Score) -> Score:
    """A score without repeat signs or endings (repeat bar lines become ``||``)."""
    bars = tuple(
        Barline(b.tick, "||" if b.starts_repeat or b.ends_repeat else b.kind)
        for b in score.barlines
        if b.tick > 0
    )
    return dataclasses.replace(score, barlines=bars, voltas=())


def _copy(score: Score, segments: tuple[Segment, ...]) -> Score:
    tracks = []
    for track in score.tracks:
        notes = []
        for seg in segments:
            shift = seg.playback_start - seg.written_start
            for n in track.notes:
                if seg.written_start <= n.start < seg.written_end:
                    end = min(n.end, seg.written_end)
                    notes.append(Note(n.start + shift, end + shift, n.pitch, n.velocity))
        tracks.append(track.with_notes(notes))

    chords: list[ChordSymbol] = []
    meters: list[MeterChange] = []
    keys: list[KeyChange] = []
    tempos: list[TempoChange] = []
    parts: list[PartMark] = []
    bars: dict[int, Barline] = {}
    written = {b.tick: b for b in score.barlines}
    for seg in segments:
        shift = seg.playback_start - seg.written_start
        a, b = seg.written_start, seg.written_end
        in_seg = [c for c in score.chords if a <= c.start < b]
        current = [c for c in score.chords if c.start < a]
        if current and (not in_seg or in_seg[0].start > a):
            chords.append(ChordSymbol(seg.playback_start, current[-1].text))
        chords += [ChordSymbol(c.start + shift, c.text) for c in in_seg]
        for items, out, at in ((score.meters, meters, score.meter_at),
                               (score.keys, keys, score.key_at),
                               (score.tempos, tempos, score.tempo_at)):
            out.append(dataclasses.replace(at(a), tick=seg.playback_start))
            out += [dataclasses.replace(i, tick=i.tick + shift) for i in items if a < i.tick < b]
        parts += [PartMark(p.tick + shift, p.label) for p in score.parts if a <= p.tick < b]
        if seg.playback_start > 0:
            bars[seg.playback_start] = Barline(seg.playback_start, "||")
        for t, bar in written.items():
            if a < t <= b:
                kind = "||" if bar.starts_repeat or bar.ends_repeat else bar.kind
                if t + shift not in bars or kind != "|":
                    bars[t + shift] = Barline(t + shift, kind)

    def dedupe(items):
        out = []
        for i in items:
            if out and out[-1].tick == i.tick:
                out[-1] = i
            elif not out or dataclasses.replace(out[-1], tick=i.tick) != i:
                out.append(i)
        return tuple(out)

    total = segments[-1].playback_end if segments else 0
    end_tick = total if score.end_tick is not None else None
    return dataclasses.replace(
        score,
        tracks=tuple(tracks),
        chords=tuple(_dedupe_chords(chords)),
        meters=dedupe(meters),
        keys=dedupe(keys),
        tempos=dedupe(tempos),
        barlines=tuple(sorted(bars.values())),
        voltas=(),
        parts=tuple(parts),
        end_tick=end_tick,
    )


def _dedupe_chords(chords: list[ChordSymbol]) -> list[ChordSymbol]:
    """Sorted by tick; chord symbols at one tick keep their written order
    (``"A7""A"``: both are kept, the last one sounds)."""
    return sorted(dict.fromkeys(chords), key=lambda c: c.start)
