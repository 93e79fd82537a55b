"""music21 streams -> :class:`~composer.music.score.Score` (MusicXML import, and an
independent second reading of ABC to check what our writer produces).

Conversion rules (ticks: 480 per quarter, offsets rounded to the nearest tick):

- Each part with notes becomes a track (first ``melody``, then ``accompaniment``;
  a part named like a role keeps it). Tied notes become one note
  (``stripTies``); grace notes are dropped (no time); chords give one note per
  pitch; unpitched (percussion) notes are kept on a drum track at their display
  pitch.
- Chord symbols (``harmony.ChordSymbol``) keep their figure as text.
- Meters, keys and tempos come from the first part; bar lines from its measures
  (repeat signs, double and final bars by kind), endings from ``RepeatBracket``
  spanners, part labels from rehearsal marks.

Everything music21 raises becomes the error type the caller asks for, so no
music21 exception reaches a user.
"""

from __future__ import annotations

import contextlib
import warnings
from fractions import Fraction

from composer.music.errors import AbcSyntaxError, MusicError
from composer.music.score import (
    TICKS_PER_QUARTER,
    TRACK_ROLES,
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    PartMark,
    Score,
    TempoChange,
    Track,
    Volta,
)

_MODES = {"major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "aeolian",
          "locrian", "ionian"}


def _ticks(quarter_length) -> int:
    return round(Fraction(quarter_length) * TICKS_PER_QUARTER)


def stream_to_score(stream, *, title: str = "") -> Score:
    """A music21 ``Score`` (or ``Part``/``Stream``) as a :class:`Score`."""
    from music21 import stream as m21stream

    if isinstance(stream, m21stream.Opus):
        scores = list(stream.scores)
        if not scores:
            raise MusicError("the file holds no score")
        stream = scores[0]
    parts = list(stream.parts) if stream.hasPartLikeStreams() else [stream]
    tracks = []
    chords: list[ChordSymbol] = []
    for i, part in enumerate(parts):
        notes, drum = _part_notes(part)
        chords.extend(_part_chord_symbols(part))
        if notes:
            name = (part.partName or "").strip() or (f"Part {i + 1}" if len(parts) > 1
                                                     else "Melody")
            role = name.lower() if name.lower() in TRACK_ROLES else (
                "drums" if drum else "melody" if not tracks else "accompaniment")
            program = _program(part)
            tracks.append(Track(name, tuple(sorted(notes)), role, program, drum))
    first = parts[0] if parts else stream
    meters, keys, tempos = _maps(first)
    barlines, voltas, parts_marks = _structure(first)
    meta = getattr(stream, "metadata", None)
    title = title or ((meta.title or "") if meta is not None else "")
    seen = set()
    unique = []
    for c in sorted(chords):
        if (c.start, c.text) not in seen:
            seen.add((c.start, c.text))
            unique.append(c)
    return Score(
        title=title.strip(),
        tracks=tuple(tracks),
        chords=tuple(unique),
        meters=tuple(meters) or (MeterChange(0, 4, 4),),
        keys=tuple(keys) or (KeyChange(0, "C"),),
        tempos=tuple(tempos) or (TempoChange(0, 120.0),),
        barlines=tuple(barlines),
        voltas=tuple(voltas),
        parts=tuple(parts_marks),
    ).normalized()


def _part_notes(part) -> tuple[list[Note], bool]:
    """The notes of one part, tied notes merged (by pitch: a tie into a different
    pitch is no tie)."""
    from music21 import harmony, note

    flat = part.flatten()
    merged: list[list[int]] = []  # [start, end, pitch, velocity]
    open_ties: dict[int, int] = {}
    drum = False
    for n in flat.notes:
        if isinstance(n, harmony.Harmony) or n.duration.isGrace:
            continue
        start = _ticks(n.offset)
        end = start + _ticks(n.quarterLength)
        if end <= start:
            continue
        velocity = max(1, min(127, int(n.volume.velocity or 80)))
        if isinstance(n, note.Unpitched | _percussion_chord()):
            drum = True
            items = [(_display_pitch(u), u.tie or n.tie) for u in getattr(n, "notes", [n])]
        elif isinstance(n, note.Note):
            items = [(n.pitch.midi, n.tie)]
        else:
            items = [(sub.pitch.midi, sub.tie or n.tie) for sub in n.notes]
        for pitch, tie in items:
            if not 0 <= pitch <= 127:
                continue
            i = open_ties.pop(pitch, None)
            if i is not None and merged[i][1] == start:
                merged[i][1] = end
            else:
                i = len(merged)
                merged.append([start, end, pitch, velocity])
            if tie is not None and tie.type in ("start", "continue"):
                open_ties[pitch] = i
    return [Note(*m) for m in merged], drum


def _percussion_chord():
    try:
        from music21.percussion import PercussionChord
    except ImportError:  # older music21
        return type(None)
    return PercussionChord


def _display_pitch(u) -> int:
    try:
        return u.displayPitch().midi
    except Exception:  # noqa: BLE001 - unpitched notes without a display step
        return 38


def _program(part) -> int:
    from music21 import instrument

    with contextlib.suppress(Exception):
        inst = part.getInstrument(returnDefault=False)
        if isinstance(inst, instrument.Instrument) and inst.midiProgram is not None:
            return max(0, min(127, int(inst.midiProgram)))
    return 0


def _part_chord_symbols(part) -> list[ChordSymbol]:
    from music21 import harmony

    out = []
    for cs in part.recurse().getElementsByClass(harmony.ChordSymbol):
        text = (cs.figure or "").strip()
        if text:
            out.append(ChordSymbol(_ticks(cs.getOffsetInHierarchy(part)), text))
    return out


def _maps(part):
    from music21 import key, meter, tempo

    meters, keys, tempos = [], [], []
    for ts in part.recurse().getElementsByClass(meter.TimeSignature):
        meters.append(MeterChange(_ticks(ts.getOffsetInHierarchy(part)), ts.numerator,
                                  ts.denominator))
    for ks in part.recurse().getElementsByClass(key.KeySignature):
        tick = _ticks(ks.getOffsetInHierarchy(part))
        sharps = max(-7, min(7, ks.sharps))
        mode = getattr(ks, "mode", None)
        if isinstance(ks, key.Key) and mode in _MODES:
            name = ks.tonic.name.replace("-", "b")
            try:
                keys.append(KeyChange(tick, name, mode))
                continue
            except ValueError:
                pass
        keys.append(_key_from_sharps(tick, sharps))
    for mm in part.recurse().getElementsByClass(tempo.MetronomeMark):
        with contextlib.suppress(Exception):
            qpm = mm.getQuarterBPM()
            if qpm:
                tempos.append(TempoChange(_ticks(mm.getOffsetInHierarchy(part)), float(qpm)))
    return meters, keys, tempos


def _key_from_sharps(tick: int, sharps: int) -> KeyChange:
    names = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
    return KeyChange(tick, names[sharps + 7])


def _structure(part):
    from music21 import expressions, spanner, stream

    measures = list(part.getElementsByClass(stream.Measure))
    barlines: dict[int, str] = {}
    for m in measures:
        start = _ticks(m.getOffsetInHierarchy(part))
        end = start + _ticks(m.duration.quarterLength)
        left, right = m.leftBarline, m.rightBarline
        if start > 0 or left is not None:
            barlines[start] = _merge(barlines.get(start), _kind(left, left=True))
        barlines[end] = _merge(barlines.get(end), _kind(right, left=False))
    voltas = []
    for rb in part.recurse().getElementsByClass(spanner.RepeatBracket):
        spanned = [m for m in rb.getSpannedElements() if isinstance(m, stream.Measure)]
        if not spanned:
            continue
        start = _ticks(spanned[0].getOffsetInHierarchy(part))
        last = spanned[-1]
        end = _ticks(last.getOffsetInHierarchy(part)) + _ticks(last.duration.quarterLength)
        numbers = _volta_numbers(rb)
        if numbers and end > start:
            voltas.append(Volta(start, end, numbers))
    marks = []
    for r in part.recurse().getElementsByClass(expressions.RehearsalMark):
        marks.append(PartMark(_ticks(r.getOffsetInHierarchy(part)), str(r.content)))
    return [Barline(t, k) for t, k in sorted(barlines.items())], voltas, marks


def _volta_numbers(rb) -> tuple[int, ...]:
    """The passes an ending is played on (music21's ``numberRange``, else its
    ``number`` text such as ``"1, 3"`` or ``"1-3"``)."""
    found = getattr(rb, "numberRange", None)
    if found:
        with contextlib.suppress(TypeError, ValueError):
            return tuple(sorted({int(n) for n in found if 0 < int(n) <= 16}))
    numbers: set[int] = set()
    for part in str(getattr(rb, "number", "") or "").replace(" ", "").split(","):
        a, _, b = part.partition("-")
        if a.isdecimal() and (b or a).isdecimal():
            numbers.update(range(int(a), int(b or a) + 1))
    return tuple(sorted(n for n in numbers if 0 < n <= 16))


def _kind(b, *, left: bool) -> str:
    from music21 import bar

    if b is None:
        return "|"
    if isinstance(b, bar.Repeat):
        return "|:" if b.direction == "start" else ":|"
    style = getattr(b, "type", "regular")
    if style in ("final", "light-heavy"):
        return "|]"
    if style == "heavy-light":
        return "[|"
    if style in ("double", "light-light"):
        return "||"
    return "|"


def _merge(a: str | None, b: str) -> str:
    if a is None or a == "|":
        return b
    if b == "|":
        return a
    ends = ":|" in (a, b) or ":|:" in (a, b)
    starts = "|:" in (a, b) or ":|:" in (a, b)
    if ends and starts:
        return ":|:"
    return ":|" if ends else "|:" if starts else b


def parse_with_music21(data: str, fmt: str):
    """``music21.converter.parse`` with its warnings silenced."""
    from music21 import converter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return converter.parse(data, format=fmt, forceSource=True)


def read_abc_with_music21(tune_text: str, *, propagate: str | None = None) -> Score:
    """One ABC tune read by music21 instead of our reader (for cross-checks).

    By default the text goes to music21 as it is (music21 then carries no accidental
    through the bar unless the text starts with ``%abc-2.1``); ``propagate``
    (``"octave"``, ``"pitch"`` or ``"not"``) prepends ``%abc-2.1`` and that
    ``%%propagate-accidentals`` rule. Raises :class:`AbcSyntaxError` for anything
    music21 raises."""
    header = f"%abc-2.1\n%%propagate-accidentals {propagate}\n" if propagate else ""
    try:
        parsed = parse_with_music21(header + tune_text, "abc")
        return stream_to_score(parsed)
    except MusicError as e:
        raise AbcSyntaxError(f"music21: {e}") from None
    except Exception as e:  # noqa: BLE001 - music21 raises many types; none may escape
        raise AbcSyntaxError(f"music21 cannot read this tune ({type(e).__name__}: {e})") \
            from None
