"""Round trips: ABC -> Score -> ABC -> Score keeps every note, chord symbol and the
written structure; music21 reads what we write to the same notes; and any score on
the grids ABC can write survives score -> ABC -> score exactly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.music.abc import read_abc, score_to_abc, split_tunes
from composer.music.m21 import read_abc_with_music21
from composer.music.score import ChordSymbol, KeyChange, MeterChange, Note, Score, Track
from tests.conftest import FIXTURES

TRICKY = (FIXTURES / "tricky.abc").read_text()
TUNES = {t.x: t for t in split_tunes(TRICKY)}


def key(score):
    return ([[(n.start, n.end, n.pitch) for n in t.notes] for t in score.tracks],
            score.chords)


@pytest.mark.parametrize("x", sorted(TUNES))
def test_abc_score_abc_score(x):
    first = read_abc(TRICKY, x=x)
    text = score_to_abc(first, x=x)
    second = read_abc(text)
    assert key(second) == key(first)
    for attr in ("barlines", "voltas", "meters", "keys", "tempos", "parts", "title"):
        assert getattr(second, attr) == getattr(first, attr), attr
    assert [(t.name, t.role, t.program) for t in second.tracks] == [
        (t.name, t.role, t.program) for t in first.tracks]
    # writing is stable: the second text is the first
    assert score_to_abc(second, x=x) == text


@pytest.mark.parametrize("x", sorted(TUNES))
def test_music21_reads_our_output_to_the_same_notes(x):
    ours = read_abc(TRICKY, x=x)
    theirs = read_abc_with_music21(score_to_abc(ours, x=x))
    assert sorted((n.start, n.end, n.pitch) for n in theirs.notes) == sorted(
        (n.start, n.end, n.pitch) for n in ours.notes)


# --- any score on ABC's grids ---------------------------------------------------------
BEAT = 480


@st.composite
def beat_cells(draw):
    """One beat of a voice: a triplet of eighths, or notes/rests on a 16th grid."""
    if draw(st.booleans()) and draw(st.booleans()):
        return [(0, 160), (160, 320), (320, 480)]
    cuts = sorted(draw(st.sets(st.sampled_from([120, 240, 360]), max_size=3)))
    bounds = [0, *cuts, BEAT]
    return list(zip(bounds, bounds[1:]))


@st.composite
def voices(draw, beats):
    notes = []
    t = 0
    for _ in range(beats):
        for a, b in draw(beat_cells()):
            if draw(st.integers(0, 5)):  # mostly notes, some rests
                pitch = draw(st.integers(36, 96))
                notes.append([t + a, t + b, pitch])
        t += BEAT
    # tie some neighbours of equal pitch into long notes (across beats and bars)
    merged: list[list[int]] = []
    for n in notes:
        if merged and merged[-1][1] == n[0] and draw(st.integers(0, 3)) == 0:
            merged[-1][1] = n[1]
        else:
            merged.append(n)
    return [Note(a, b, p) for a, b, p in merged]


@st.composite
def scores(draw):
    numerator = draw(st.sampled_from([2, 3, 4]))
    bars = draw(st.integers(1, 4))
    beats = bars * numerator
    tracks = [Track("Melody", tuple(draw(voices(beats))))]
    if draw(st.booleans()):
        chords = draw(voices(beats))
        tracks.append(Track("Chords", tuple(chords), role="accompaniment"))
    grid = list(range(0, beats * BEAT, 240))
    symbols = draw(st.lists(st.sampled_from(grid), max_size=4, unique=True))
    texts = draw(st.lists(st.sampled_from(["G", "D7", "Em", "D/f+", "(A7)"]),
                          min_size=len(symbols), max_size=len(symbols)))
    tonic = draw(st.sampled_from(["C", "G", "D", "F", "Bb", "A", "Eb"]))
    mode = draw(st.sampled_from(["major", "minor", "dorian"]))
    return Score(title="generated", tracks=tuple(tracks),
                 chords=tuple(ChordSymbol(t, x) for t, x in zip(symbols, texts)),
                 meters=(MeterChange(0, numerator, 4),), keys=(KeyChange(0, tonic, mode),))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scores())
def test_any_score_on_the_grid_survives_abc(score):
    if not any(t.notes for t in score.tracks):
        return
    text = score_to_abc(score)
    back = read_abc(text)
    want = [t for t in score.tracks if t.notes]
    assert [[(n.start, n.end, n.pitch) for n in t.notes] for t in back.tracks] == [
        [(n.start, n.end, n.pitch) for n in t.notes] for t in want], text
    assert sorted(back.chords) == sorted(score.chords), text
