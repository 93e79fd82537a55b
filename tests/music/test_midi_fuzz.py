"""Random and mutated MIDI bytes through the reader: only our typed errors come out.

2,000 inputs in all (1,000 random, 1,000 mutations of real files we write).
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.music.errors import MusicError
from composer.music.midi import midi_bytes, read_midi_bytes
from composer.music.score import (
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    Score,
    TempoChange,
    Track,
)


@functools.cache
def seeds() -> tuple[bytes, ...]:
    melody = tuple(Note(i * 240, i * 240 + 200, 60 + i % 12) for i in range(16))
    drums = (Note(0, 60, 42), Note(480, 540, 36))
    score = Score(
        title="seed",
        tracks=(Track("Melody", melody, "melody", 73), Track("Kit", drums, "drums", 0, True)),
        chords=(ChordSymbol(0, "G"), ChordSymbol(1920, "D7")),
        meters=(MeterChange(0, 6, 8),), keys=(KeyChange(0, "D", "minor"),),
        tempos=(TempoChange(0, 90.0), TempoChange(960, 150.0)),
        barlines=(Barline(1440, "|:"), Barline(2880, ":|")),
    )
    return (midi_bytes(score), midi_bytes(Score(tracks=(Track("m", melody[:3]),))))


def check(data: bytes) -> None:
    try:
        score = read_midi_bytes(data, source="fuzz.mid")
    except MusicError as e:
        assert str(e) and "\n" not in str(e)
        return
    # What reads must be a usable score.
    assert score.tracks or score.chords
    score.bars()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300),
                 st.binary(max_size=300).map(lambda b: b"MThd\x00\x00\x00\x06" + b)))
def test_random_bytes(data):
    check(data)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 1),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255),
                             st.sampled_from(["set", "insert", "delete"])),
                   min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_mutated_files(seed, edits, cut):
    data = bytearray(seeds()[seed])
    for pos, value, op in edits:
        pos %= len(data) + 1
        if op == "set" and pos < len(data):
            data[pos] = value
        elif op == "insert":
            data.insert(pos, value)
        elif op == "delete" and pos < len(data):
            del data[pos]
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    check(bytes(data))
