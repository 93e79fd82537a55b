"""What the folk model reads: a passage of a :class:`Score` as ABC text in the style
the model was trained on (Nottingham), with the field lines that open each new bar,
and for a fill the music after the gap too (suffix-prefix-middle, when the model
learnt it).

All ticks are in seed coordinates (see :mod:`composer.generation.codec`).
"""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

from composer.generation.codec import Plan, PlanBar
from composer.generation.errors import GenerationError
from composer.generation.folk.syntax import default_unit
from composer.generation.folk.tasks import fill_body
from composer.music.abc import score_to_abc
from composer.music.abc.writer import key_text
from composer.music.errors import MusicError
from composer.music.score import TICKS_PER_QUARTER, KeyChange, MeterChange, Score, Track

STYLE_LINE = "% Nottingham Music Database"
"""The comment every training tune's header carries; the prompt carries it too."""
_HEADER_KEEP = frozenset("XTSMLKRY")
_BAR_END = ("|]", "||", ":|", "|", "::", "[|")


def melody_track(seed: Score, plan: Plan) -> Track:
    """The track the folk model continues: the first non-drum track with notes among
    the plan's tracks (all tracks when the plan names none)."""
    names = set(plan.tracks)
    for track in seed.tracks:
        if track.is_drum or not track.notes:
            continue
        if not names or track.name in names:
            return track
    raise GenerationError("the selection has no melody for the folk model to continue: "
                          "select a track with notes")


def style_unit(meter: MeterChange) -> int:
    """The ``L:`` unit (ticks) the training tunes use in ``meter``: 1/4 in quarter-note
    meters (4/4, 3/4, 2/4, 6/4: 476 of the 544 such Nottingham training tunes say
    ``L:1/4``), else ABC's default 1/8 (6/8, 9/8, 2/2, 3/2: 324 of 326, 315 of them
    with no ``L:`` line)."""
    return TICKS_PER_QUARTER if meter.denominator == 4 else TICKS_PER_QUARTER // 2


def style_spacing(meter: MeterChange) -> int:
    """Ticks between the spaces that group a bar's notes in the training tunes: half a
    bar in simple duple meters (2/4, 4/4, 2/2: ``"D"af "G"gf|``), the beat in compound
    ones (6/8, 9/8: ``ecA "D"def|``), none inside a bar of 3/4 or 3/2."""
    if meter.numerator % 3 == 0 and meter.denominator == 8:
        return meter.beat_ticks
    if meter.numerator % 2 == 0:
        return meter.bar_ticks // 2
    return meter.bar_ticks


def style_abc(score: Score, **writer: object) -> str:
    """``score`` as ABC in the training tunes' style: the header fields they carry
    (``X T S M L K R Y``, the Nottingham comment after ``T:``; no ``L:`` line where
    the unit is ABC's default), note lengths in :func:`style_unit` with ``/2`` halves,
    spaces by :func:`style_spacing`. ``writer`` overrides :func:`score_to_abc`'s
    options (``bench/prompt_style.py`` compares them). Raises :class:`GenerationError`."""
    meter = score.meters[0]
    options = {"unit": style_unit(meter), "short_halves": False, "spacing": style_spacing,
               **writer}
    try:
        text = score_to_abc(score, **options)
    except MusicError as e:
        raise GenerationError(f"the folk model cannot read this passage ({e})") from None
    lines = text.rstrip("\n").split("\n")
    k = next((i for i, line in enumerate(lines) if line.startswith("K:")), None)
    if k is None:
        raise GenerationError("the passage has no key the folk model can read")
    implied = default_unit(Fraction(meter.numerator, meter.denominator)) \
        * 4 * TICKS_PER_QUARTER
    header = [line for line in lines[:k] if line[:1] in _HEADER_KEEP and line[1:2] == ":"
              and not (line.startswith("L:") and options["unit"] == implied)]
    if not any(line.startswith("T:") for line in header):
        header.insert(1, "T:Untitled")
    title = next(i for i, line in enumerate(header) if line.startswith("T:"))
    header.insert(title + 1, STYLE_LINE)
    return "\n".join(header + lines[k:]) + "\n"


def seed_text(seed: Score, plan: Plan) -> str:
    """ABC of the seed's melody and chord symbols in the training style
    (:func:`style_abc`), ending where new music starts: inside the bar the seed ends
    in (its closing bar line removed), or after the bar line the new bars follow
    (:attr:`Plan.opening`) and the field lines of the first new bar (:func:`bar_fields`:
    its part label, meter and key where they differ from the seed's end), so the
    model is prompted in the meter and key where the new bars go."""
    melody = melody_track(seed, plan)
    head, body = style_abc(dataclasses.replace(seed, tracks=(melody,))).split("\nK:", 1)
    key_line, _, body = body.partition("\n")
    body = body.rstrip()
    for token in _BAR_END:
        if body.endswith(token):
            body = body[: -len(token)]
            break
    body = body.rstrip()
    if plan.first_bar == 0 and body:
        body += written_kind(plan.opening)
        end = max(plan.start - 1, 0)
        fields = bar_fields(seed.meter_at(end), seed.key_at(end), plan.layout[0])
        body += "".join("\n" + f for f in fields)
    return f"{head}\nK:{key_line}\n" + (body + "\n" if plan.first_bar == 0 and body else body)


def bar_fields(meter: MeterChange, key: KeyChange, bar: PlanBar) -> list[str]:
    """The field lines (``P:B``, ``M:5/4``, ``K:G``) that open ``bar`` after music in
    ``meter`` and ``key``, as the Nottingham files write them."""
    out = [f"P:{bar.part}"] if bar.part else []
    if (bar.meter.numerator, bar.meter.denominator) != (meter.numerator, meter.denominator):
        out.append(f"M:{bar.meter.numerator}/{bar.meter.denominator}")
    if (bar.key.tonic, bar.key.mode) != (key.tonic, key.mode):
        out.append(f"K:{key_text(bar.key)}")
    return out


def has_rests(prompt: str) -> bool:
    """Whether the body of ``prompt`` holds a rest (``z``, ``x``, ``Z``) outside chord
    symbols, comments and field lines."""
    body = prompt.split("\nK:", 1)[-1].split("\n", 1)[-1]
    for line in body.split("\n"):
        if line[:2].rstrip(":").isalpha() and line[1:2] == ":":
            continue
        line = re.sub(r'"[^"]*"|![^!]*!|%.*', "", line)
        if re.search(r"[zxZ]", line):
            return True
    return False


def written_kind(kind: str) -> str:
    """A bar line kind as the folk model writes it (``[|`` is written ``|``)."""
    return kind if kind in ("|", "||", "|]", ":|", "|:", ":|:") else "|"


def fill_text(seed: Score, plan: Plan) -> str:
    """The prompt of a fill for a model that learnt to fill: the seed's header, then
    the fill's separators (:mod:`.tasks`) around the music after the gap
    (:attr:`Plan.suffix`) and the music before it as :func:`seed_text` writes it; the
    model writes the gap's bars after it."""
    plain = seed_text(seed, plan)
    head, _, rest = plain.partition("\nK:")
    key_line, _, body = rest.partition("\n")
    suffix = ""
    if plan.suffix is not None:
        tracks = [t for t in plan.suffix.tracks if t.notes and not t.is_drum]
        if tracks:
            text = style_abc(dataclasses.replace(plan.suffix, tracks=(tracks[0],)))
            suffix = text.split("\nK:", 1)[1].partition("\n")[2].strip() + "\n"
    return f"{head}\nK:{key_line}\n{fill_body(suffix, body)}"
