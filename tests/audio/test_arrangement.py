"""Programs by role, chord symbols voiced to fit the meter, repeats and tempo."""

from __future__ import annotations

import pytest

from composer.audio.arrangement import (
    BASS_VELOCITY,
    CHORD_VELOCITY,
    CHORDS_NAME,
    ROLE_PROGRAMS,
    arrange,
)
from composer.music.score import (
    Barline,
    ChordSymbol,
    MeterChange,
    Note,
    Score,
    TempoChange,
    Track,
)

Q = 480


def chords_only(meter, bars=1, symbols=None) -> Score:
    m = MeterChange(0, *meter)
    symbols = symbols or (ChordSymbol(0, "G"),)
    return Score(chords=symbols, meters=(m,), end_tick=bars * m.bar_ticks)


def pattern(score: Score) -> list[tuple[int, str]]:
    """(start, "B" for bass or "C" for chord) per onset of the chord channel."""
    arr = arrange(score)
    onsets = {}
    for n in arr.notes:
        onsets.setdefault(n.start, "B" if n.velocity == BASS_VELOCITY else "C")
    return sorted(onsets.items())


@pytest.mark.parametrize(
    "meter, expected",
    [
        ((3, 4), [(0, "B"), (Q, "C"), (2 * Q, "C")]),  # oom-pah-pah
        ((6, 8), [(0, "B"), (3 * Q // 2, "C")]),  # two dotted beats
        ((4, 4), [(0, "B"), (Q, "C"), (2 * Q, "B"), (3 * Q, "C")]),
        ((2, 2), [(0, "B"), (2 * Q, "C")]),
        ((9, 8), [(0, "B"), (3 * Q // 2, "C"), (3 * Q, "C")]),
    ],
)
def test_chord_pattern_fits_the_meter(meter, expected):
    assert pattern(chords_only(meter)) == expected


def test_chord_change_mid_bar_starts_with_its_bass_and_voicing_is_right():
    score = chords_only((4, 4), symbols=(ChordSymbol(0, "G"), ChordSymbol(Q, "D7")))
    arr = arrange(score)
    by_start: dict[int, list[int]] = {}
    for n in arr.notes:
        by_start.setdefault(n.start, []).append(n.pitch)
    assert by_start[0] == [43]  # G2
    assert by_start[Q] == [50]  # D3: the new chord's bass, on beat 2
    assert sorted(by_start[3 * Q]) == [57, 60, 62, 66]  # D7 close voicing A3 C4 D4 F#4
    assert all(n.end - n.start == 9 * Q // 10 for n in arr.notes)
    assert {n.velocity for n in arr.notes} == {BASS_VELOCITY, CHORD_VELOCITY}


def test_pickup_beats_count_from_the_bar_end():
    score = Score(chords=(ChordSymbol(0, "C"),), meters=(MeterChange(0, 3, 4),),
                  barlines=(Barline(Q), Barline(Q + 3 * Q)), end_tick=4 * Q)
    assert pattern(score)[:2] == [(0, "B"), (Q, "B")]  # change at 0, then the downbeat


def test_programs_by_role_and_overrides():
    score = Score(tracks=(
        Track("Tune", (Note(0, Q, 72),), "melody", 0),
        Track("Low", (Note(0, Q, 36),), "bass", 0),
        Track("Keys", (Note(0, Q, 60),), "piano", 0),
        Track("Fiddle", (Note(0, Q, 76),), "melody", 40),
        Track("Kit", (Note(0, Q, 42),), "drums", 0, True),
    ), chords=(ChordSymbol(0, "G"),))
    arr = arrange(score)
    got = {v.name: (v.channel, v.program, v.is_drum) for v in arr.voices}
    assert got == {"Tune": (0, ROLE_PROGRAMS["melody"], False), "Low": (1, 32, False),
                   "Keys": (2, 0, False), "Fiddle": (3, 40, False), "Kit": (9, 0, True),
                   CHORDS_NAME: (4, 0, False)}
    arr = arrange(score, programs={"melody": 40, CHORDS_NAME: 24, "Keys": 5},
                  muted=("Kit",), chords="block")
    got = {v.name: v.program for v in arr.voices}
    assert got == {"Tune": 40, "Low": 32, "Keys": 5, "Fiddle": 40, CHORDS_NAME: 24}
    assert arrange(score, chords=None).voices[-1].name == "Kit"
    with pytest.raises(ValueError):
        arrange(score, chords="strum")


def test_repeats_tempo_and_same_pitch_overlaps():
    notes = (Note(0, 2 * Q, 60), Note(Q, 3 * Q, 60), Note(3 * Q, 4 * Q, 62))
    score = Score(tracks=(Track("m", notes),), barlines=(Barline(4 * Q, ":|"),),
                  tempos=(TempoChange(0, 60.0), TempoChange(2 * Q, 120.0)))
    arr = arrange(score)
    assert [(n.start, n.end, n.pitch) for n in arr.notes] == [
        (0, Q, 60), (Q, 3 * Q, 60), (3 * Q, 4 * Q, 62),
        (4 * Q, 5 * Q, 60), (5 * Q, 7 * Q, 60), (7 * Q, 8 * Q, 62)]
    assert arr.length == 8 * Q
    # 2 quarters at 60 + 2 at 120, twice
    assert arr.seconds_at(2 * Q) == pytest.approx(2.0)
    assert arr.seconds_at(4 * Q) == pytest.approx(3.0)
    assert arr.duration == pytest.approx(6.0)
    assert arr.tick_at(2.5) == 3 * Q
    assert arr.tick_at(arr.seconds_at(1234)) == 1234
    assert arr.map.to_written(5 * Q) == Q
