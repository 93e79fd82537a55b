"""Which tracks of a seed the MIDI models read and write, and why (plain words).

Both MIDI models (MAC-Net, the piano LSTM) see only some tracks: drum tracks and empty
tracks are left out, and a model takes at most as many tracks as it writes. When a
seed does not fit, :class:`~composer.generation.errors.GenerationError` says which
tracks were looked at, which would be used, and what to select instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from composer.generation.errors import GenerationError
from composer.generation.kinds import PIANO_LSTM
from composer.music.score import Note, Score, Track


@dataclass(frozen=True)
class TrackSurvey:
    """The seed's tracks split into ``usable`` ones (pitched, with notes) and
    ``ignored`` ones, each ignored track with the reason."""

    usable: tuple[Track, ...]
    ignored: tuple[tuple[str, str], ...]

    def ignored_text(self) -> str:
        """E.g. ``"'Drums' (drums), 'Bass' (no notes)"``; ``""`` when none."""
        return ", ".join(f"{name!r} ({why})" for name, why in self.ignored)


def survey(score: Score) -> TrackSurvey:
    usable, ignored = [], []
    for t in score.tracks:
        if t.is_drum or t.role == "drums":
            ignored.append((t.name, "drums"))
        elif not t.notes:
            ignored.append((t.name, "no notes in the passage"))
        else:
            usable.append(t)
    return TrackSurvey(tuple(usable), tuple(ignored))


def polyphony(notes: Sequence[Note]) -> float:
    """Fraction of notes that start while another note of the same track sounds."""
    overlapping, latest_end = 0, -1
    for n in notes:
        if n.start < latest_end:
            overlapping += 1
        latest_end = max(latest_end, n.end)
    return overlapping / len(notes) if notes else 0.0


def mean_pitch(notes: Sequence[Note]) -> float:
    return sum(n.pitch for n in notes) / len(notes) if notes else 0.0


def require_pitched(model: str, found: TrackSurvey) -> None:
    """Raise when no track has pitched notes (empty passage, or drums only)."""
    if found.usable:
        return
    if any(why == "drums" for _, why in found.ignored):
        raise GenerationError(
            f"{model} needs pitched notes, but the passage has only drum tracks "
            f"({found.ignored_text()}); select a melody or piano track")
    raise GenerationError(f"{model} found no notes in the passage"
                          + (f" ({found.ignored_text()})" if found.ignored else "")
                          + "; select bars with notes")


@dataclass(frozen=True)
class MelodyChords:
    """The tracks MAC-Net reads: a melody and, optionally, an accompaniment track
    (else the score's chord symbols stand for the accompaniment)."""

    melody: Track
    accompaniment: Track | None
    why: str
    """How they were chosen, for messages."""


def melody_and_accompaniment(score: Score, model: str = "macnet-folk") -> MelodyChords:
    """Choose MAC-Net's melody and accompaniment tracks: the track with role
    ``melody`` (else the highest, least polyphonic line) and the other one.
    Raises :class:`GenerationError` for no pitched notes or more than two tracks."""
    found = survey(score)
    require_pitched(model, found)
    usable = list(found.usable)
    melody = next((t for t in usable if t.role == "melody"), None)
    why_mel = "its role is melody"
    if melody is None:
        melody = min(usable, key=lambda t: (polyphony(t.notes) > 0.3, -mean_pitch(t.notes)))
        why_mel = "the highest line" if len(usable) > 1 else "the only track with notes"
    rest = [t for t in usable if t is not melody]
    acc = next((t for t in rest if t.role == "accompaniment"), None)
    why_acc = "its role is accompaniment"
    if acc is None and rest:
        acc = max(rest, key=lambda t: (polyphony(t.notes), len(t.notes)))
        why_acc = "the track with the most chords"
    why = f"{melody.name!r} as the melody ({why_mel})"
    if acc is not None:
        why += f" and {acc.name!r} as the accompaniment ({why_acc})"
    if len(usable) > 2:
        left_out = f"; left out: {found.ignored_text()}" if found.ignored else ""
        raise GenerationError(
            f"{model} continues one melody and one accompaniment track, but the passage has "
            f"{len(usable)} tracks with notes ({', '.join(repr(t.name) for t in usable)}"
            f"{left_out}). It would take {why}: select only the tracks to continue")
    return MelodyChords(melody, acc, why)


def piano_tracks(score: Score, model: str = PIANO_LSTM.model) -> tuple[Track, ...]:
    """The one or two tracks the piano model reads and writes (e.g. the two hands).
    Raises :class:`GenerationError` for no pitched notes or more than two tracks."""
    found = survey(score)
    require_pitched(model, found)
    usable = found.usable
    if len(usable) > 2:
        top = sorted(usable, key=lambda t: -len(t.notes))[:2]
        left_out = f"; left out: {found.ignored_text()}" if found.ignored else ""
        raise GenerationError(
            f"{model} continues piano music on one or two tracks (e.g. the two hands), but "
            f"the passage has {len(usable)} tracks with notes "
            f"({', '.join(repr(t.name) for t in usable)}{left_out}). It would take "
            f"{top[0].name!r} and {top[1].name!r} (the most notes): select only the tracks "
            "to continue")
    return usable
