import dataclasses

import pytest

from composer.music.chords import chord_pitches, parse_chord_symbol
from composer.music.score import (
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    Score,
    TempoChange,
    Track,
    fraction_to_ticks,
    ticks_to_fraction,
)

Q = 480


def test_meter_lengths():
    assert MeterChange(0, 4, 4).bar_ticks == 4 * Q
    assert MeterChange(0, 6, 8).bar_ticks == 3 * Q
    assert MeterChange(0, 6, 8).beat_ticks == 3 * Q // 2
    assert MeterChange(0, 3, 4).beat_ticks == Q
    assert MeterChange(0, 2, 2).bar_ticks == 4 * Q


@pytest.mark.parametrize(
    "tonic,mode,sharps",
    [("C", "major", 0), ("G", "major", 1), ("D", "major", 2), ("Bb", "major", -2),
     ("A", "minor", 0), ("E", "minor", 1), ("D", "dorian", 0), ("A", "mixolydian", 2),
     ("F#", "minor", 3), ("C#", "major", 7)],
)
def test_key_signatures(tonic, mode, sharps):
    key = KeyChange(0, tonic, mode)
    assert key.sharps == sharps
    assert len(key.altered_letters()) == abs(sharps)


def test_key_rejects_nonsense():
    with pytest.raises(ValueError):
        KeyChange(0, "H")
    with pytest.raises(ValueError):
        KeyChange(0, "C", "bluesy")


def test_track_sorts_notes_and_score_is_immutable():
    t = Track("melody", (Note(Q, 2 * Q, 62), Note(0, Q, 60)))
    assert [n.pitch for n in t.notes] == [60, 62]
    s = Score(tracks=(t,))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.title = "x"


def test_bars_follow_written_barlines_then_the_meter():
    # 6/8 with a one-eighth pickup, two full bars written, then notes past the last bar line.
    e = Q // 2
    notes = [Note(0, e, 67)] + [Note(e + i * e, e + (i + 1) * e, 60) for i in range(6 * 3)]
    s = Score(
        tracks=(Track("melody", tuple(notes)),),
        meters=(MeterChange(0, 6, 8),),
        barlines=(Barline(e), Barline(e + 3 * Q), Barline(e + 6 * Q)),
    ).normalized()
    assert s.bar_starts() == [0, e, e + 3 * Q, e + 6 * Q]
    assert s.pickup_ticks == e
    assert s.bars()[-1] == (e + 6 * Q, e + 9 * Q)


def test_bars_without_barlines_follow_meter_changes():
    s = Score(
        tracks=(Track("m", (Note(0, 10 * Q, 60),)),),
        meters=(MeterChange(0, 4, 4), MeterChange(8 * Q, 3, 4)),
    )
    assert s.bar_starts() == [0, 4 * Q, 8 * Q]
    assert s.pickup_ticks == 0


def test_chord_spans_and_seconds():
    s = Score(
        tracks=(Track("m", (Note(0, 8 * Q, 60),)),),
        chords=(ChordSymbol(0, "G"), ChordSymbol(4 * Q, "D7")),
        tempos=(TempoChange(0, 120.0), TempoChange(4 * Q, 60.0)),
    )
    assert s.chord_spans() == [(0, 4 * Q, "G"), (4 * Q, 8 * Q, "D7")]
    assert s.seconds_at(4 * Q) == pytest.approx(2.0)
    assert s.seconds_at(8 * Q) == pytest.approx(6.0)


def test_normalized_puts_maps_at_zero():
    s = Score(keys=(KeyChange(960, "G"),), meters=()).normalized()
    assert s.keys[0].tick == 0 and s.keys[0].tonic == "G"
    assert s.meters == (MeterChange(0, 4, 4),)


def test_fraction_ticks():
    from fractions import Fraction

    assert fraction_to_ticks(Fraction(1, 8)) == 240
    assert fraction_to_ticks(Fraction(1, 12)) == 160  # a triplet eighth
    assert ticks_to_fraction(720) == Fraction(3, 8)
    with pytest.raises(ValueError):
        fraction_to_ticks(Fraction(1, 7 * 64))


@pytest.mark.parametrize(
    "text,root,bass,size",
    [("G", 7, 7, 3), ("D7", 2, 2, 4), ("Em", 4, 4, 3), ("D/f+", 2, 6, 3), ("Gd", 7, 7, 3),
     ("Gm/bb", 7, 10, 3), ("(E7)", 4, 4, 4), ("F#m", 6, 6, 3), ("Bb", 10, 10, 3)],
)
def test_chord_symbols(text, root, bass, size):
    q = parse_chord_symbol(text)
    assert (q.root, q.bass, len(q.pitch_classes)) == (root, bass, size)
    pitches = chord_pitches(text)
    assert pitches[0] % 12 == bass and all(p > pitches[0] for p in pitches[1:])


def test_not_a_chord():
    assert parse_chord_symbol("From") is None
    assert chord_pitches("From") == ()
