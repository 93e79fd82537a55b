"""Sample quality of a folk model: tunes written from real headers, read back by our
ABC reader, and judged bar by bar and note by note (``composer eval --samples``).

- ``parsed``: samples :func:`composer.music.abc.read_abc` reads without error.
- ``bars``: bars of the parsed samples (:meth:`Score.bars`); ``bars_correct_length``:
  those whose length equals the meter's bar, counting as correct a pickup (a short
  first bar of the tune or of a section) and the short bar completing it at a section
  end (its length + a pickup's = the bar), and the last bar.
- ``key_kept``: samples whose rate of notes outside the header key's scale is at most
  the training data's rate (the card's ``data.out_of_key_rate``).

Ticks are the Score's (480 per quarter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from composer.generation.folk.sampler import AbcSampler
from composer.generation.request import Sampling
from composer.music.abc import read_abc
from composer.music.errors import MusicError
from composer.music.score import Score
from composer.training.corpus import AbcTune

BOUNDARY_KINDS = frozenset({"||", "|]", "[|", "|:", ":|", ":|:"})
NATURAL_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass
class BarCheck:
    bars: int = 0
    correct: int = 0
    excused: int = 0


@dataclass
class SampleReport:
    """The ``samples`` object of ``composer eval`` and the texts behind it."""

    n: int = 0
    parsed: int = 0
    bars: int = 0
    bars_correct_length: int = 0
    key_kept: int = 0
    excused_bars: int = 0
    out_of_key_rate: float = 0.0
    texts: list[str] = field(default_factory=list, repr=False)
    errors: list[str] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {"n": self.n, "parsed": self.parsed, "bars": self.bars,
                "bars_correct_length": self.bars_correct_length, "key_kept": self.key_kept}


def check_bars(score: Score) -> BarCheck:
    """Judge every bar of ``score`` (see the module docstring)."""
    bars = score.bars()
    kinds = {b.tick: b.kind for b in score.barlines}
    result = BarCheck(bars=len(bars))
    if not bars:
        return result
    lengths = [(end - start, score.meter_at(start).bar_ticks) for start, end in bars]
    pickups = set()
    for i, ((start, _), (length, full)) in enumerate(zip(bars, lengths)):
        after_boundary = start == 0 or kinds.get(start) in BOUNDARY_KINDS
        if 0 < length < full and after_boundary and i + 1 < len(bars):
            pickups.add(length)
    for i, ((start, end), (length, full)) in enumerate(zip(bars, lengths)):
        if length == full:
            result.correct += 1
            continue
        last = i == len(bars) - 1
        pickup = length in pickups and (start == 0 or kinds.get(start) in BOUNDARY_KINDS)
        closing = (length < full and kinds.get(end) in BOUNDARY_KINDS
                   and any(length + p == full for p in pickups))
        if last or pickup or closing:
            result.correct += 1
            result.excused += 1
    return result


def scale_pitch_classes(score: Score, tick: int) -> frozenset[int]:
    key = score.key_at(tick)
    altered = key.altered_letters()
    return frozenset((pc + altered.get(letter, 0)) % 12 for letter, pc in NATURAL_PC.items())


def out_of_key(score: Score) -> tuple[int, int]:
    """(notes outside the scale of the key in force, all notes) of a score."""
    outside = total = 0
    for track in score.tracks:
        if track.is_drum:
            continue
        for note in track.notes:
            total += 1
            if note.pitch % 12 not in scale_pitch_classes(score, note.start):
                outside += 1
    return outside, total


def out_of_key_rate(texts: Iterable[str]) -> float:
    """Overall rate of notes outside the key in ABC ``texts`` (unreadable ones skipped)."""
    outside = total = 0
    for text in texts:
        try:
            o, t = out_of_key(read_abc(text))
        except MusicError:
            continue
        outside += o
        total += t
    return outside / total if total else 0.0


def sample_tunes(
    sampler: AbcSampler,
    tunes: Sequence[AbcTune],
    n: int,
    sampling: Sampling,
    reference_rate: float,
    max_chars: int = 2000,
) -> SampleReport:
    """Write ``n`` tunes from the headers of ``tunes`` (in turn), seed ``sampling.seed
    + i`` for sample ``i``, and judge them. A sample cut by the character budget is
    kept up to its last bar line."""
    report = SampleReport(n=n, out_of_key_rate=reference_rate)
    base_seed = sampling.seed if sampling.seed is not None else 0
    for i in range(n):
        header = tunes[i % len(tunes)].header
        run = Sampling(sampling.temperature, sampling.top_k, sampling.top_p, base_seed + i)
        chunk = sampler.generate(header, sampling=run, max_chars=max_chars)[0]
        body = chunk.text if chunk.reason == "end" else chunk.text[: chunk.last_bar_end]
        text = header + body
        report.texts.append(text)
        try:
            score = read_abc(text)
        except MusicError as e:
            report.errors.append(str(e))
            continue
        report.parsed += 1
        bars = check_bars(score)
        report.bars += bars.bars
        report.bars_correct_length += bars.correct
        report.excused_bars += bars.excused
        outside, total = out_of_key(score)
        if total and outside / total <= reference_rate:
            report.key_kept += 1
    return report
