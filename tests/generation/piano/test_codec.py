"""The piano representation and codec: chordify semantics, exact round trips, bar-exact
decoding under random sampling, two hands, bad input."""

import pytest

from composer.generation.engine import continue_passage, make_seed
from composer.generation.errors import GenerationError
from composer.generation.piano.events import (
    STEP,
    Slice,
    bar_lengths,
    chordify,
    grid_notes,
    slice_tokens,
    split_duration,
    tokens_to_notes,
)
from composer.generation.request import ContinueRequest, Sampling, Selection, Take
from composer.generation.sampling import sample_stream
from composer.music.score import MeterChange, Note, Score, Track
from tests.generation.piano.helpers import piece, tiny


def test_chordify_slices_at_every_onset_end_and_bar_line():
    notes = [Note(0, 960, 48), Note(0, 480, 64), Note(480, 720, 65), Note(720, 2400, 67)]
    slices = chordify(grid_notes(notes), [0, 1920], 2400)
    assert slices == [
        Slice(0, 12, (48, 64)), Slice(480, 6, (65,), (48,)), Slice(720, 6, (67,), (48,)),
        Slice(960, 24, (), (67,)), Slice(1920, 12, (), (67,)),  # tied over the bar line
    ]


def test_round_trip_is_exact_on_the_grid():
    score = piece()
    notes = [n for t in score.tracks for n in t.notes]
    grid = grid_notes(notes)
    assert sorted((n.start, n.end, n.pitch) for n in grid) == sorted(
        (n.start, n.end, n.pitch) for n in notes)  # eighths, triplets, held notes
    end = score.length
    starts = score.bar_starts(end)
    tokens, ticks = slice_tokens(chordify(grid, starts, end), starts,
                                 bar_lengths(starts, end, score.meter_at))
    assert tokens[0] == "<bar:48>" and len(ticks) == len(tokens)
    back, still, now = tokens_to_notes(tokens)
    back += [Note(a, now, p) for p, a in still.items()]
    assert sorted((n.start, n.end, n.pitch) for n in back) == sorted(
        (n.start, n.end, n.pitch) for n in notes)


def test_grid_changes_are_counted():
    from composer.generation.piano.events import ChordifyStats

    stats = ChordifyStats()
    grid_notes([Note(0, 470, 60), Note(50, 100, 64), Note(55, 80, 64), Note(0, 10, 120)], stats)
    assert stats.notes == 4 and stats.octave_moved == 1 and stats.lost == 1
    assert stats.shifted == 2 and stats.end_moved >= 1


def test_durations_split_exactly():
    for steps in range(1, 400):
        parts = split_duration(steps)
        assert sum(parts) == steps and parts == sorted(parts, reverse=True)


def decode(score, start, end, bars, variations=3, seed=0, temperature=1.0):
    model, codec = tiny()
    s = make_seed(ContinueRequest(score, Selection(start, end), bars, "piano"))
    codec.check(s.score, s.plan)
    decs = [codec.decoder(s.score, s.plan) for _ in range(variations)]
    list(sample_stream(model, codec.encode(s.score, s.plan), decs,
                       Sampling(temperature=temperature), seed, codec.max_tokens(s.plan)))
    return s.plan, decs


@pytest.mark.parametrize("meter,cut", [((4, 4), 0), ((6, 8), 0), ((3, 4), 0), ((4, 4), 600),
                                       ((3, 4), 170)])
def test_bars_are_exact(meter, cut):
    score = piece(meter)
    bar = MeterChange(0, *meter).bar_ticks
    plan, decs = decode(score, bar, 3 * bar + cut, 2, temperature=2.0)
    assert plan.first_bar == (bar - cut if cut else 0)
    for d in decs:
        mu = d.music()
        assert d.finished and mu.bars_done == plan.total_bars
        assert sum(int(t[1:]) for t in d.tokens if t[0] == "D") * STEP == plan.end - d.origin
        notes = [n for ns in mu.notes.values() for n in ns]
        assert all(plan.start <= n.start < n.end <= plan.end for n in notes)
        assert set(mu.notes) == {"Piano right", "Piano left"}


def test_slices_are_ascending_and_holds_follow_sounding_pitches():
    _, decs = decode(piece(), 0, 1920 * 2, 2, variations=4, temperature=3.0)
    for d in decs:
        prev, chord = set(), []
        for t in d.tokens:
            if t[0] in "NH":
                p = int(t[1:])
                assert not chord or p > chord[-1]
                assert t[0] == "N" or p in prev
                chord.append(p)
            elif t[0] == "D":
                prev, chord = set(chord), []


def test_two_hands_split_by_register():
    _, decs = decode(piece(), 0, 1920 * 2, 3, variations=2)
    for d in decs:
        mu = d.music()
        high = [n.pitch for n in mu.notes["Piano right"]]
        low = [n.pitch for n in mu.notes["Piano left"]]
        if high and low:
            assert min(high) > max(low)
        assert all(n.velocity == 70 for n in mu.notes["Piano right"])


def test_bad_input_messages():
    model, codec = tiny()
    notes = (Note(0, 480, 60),)
    drums = Score(tracks=(Track("Kit", notes, role="drums", is_drum=True),), end_tick=1920)
    many = Score(tracks=tuple(Track(f"Strings {i}", notes, role="other") for i in range(16)),
                 end_tick=1920)
    for score, pattern in ((drums, "only drum tracks"), (many, "16 tracks with notes")):
        s = make_seed(ContinueRequest(score, Selection(0, 1920), 1, "piano"))
        with pytest.raises(GenerationError, match=pattern):
            codec.check(s.score, s.plan)
    odd = Score(tracks=(Track("P", notes),), meters=(MeterChange(0, 37, 32),), end_tick=2220)
    s = make_seed(ContinueRequest(odd, Selection(0, 2220), 1, "piano"))
    with pytest.raises(GenerationError, match="37/32"):
        codec.check(s.score, s.plan)


def test_engine_end_to_end_and_determinism():
    model, codec = tiny()
    registry = type("R", (), {"load": lambda self, name: type(
        "L", (), {"step_model": model, "codec": codec})()})()
    score = piece(bars=4)

    def run(mode):
        request = ContinueRequest(score, Selection(0, 3840), 2, "piano", Sampling(seed=3),
                                  mode=mode)
        return [t for t in continue_passage(request, registry) if isinstance(t, Take)][0]

    a, b = run("replace"), run("replace")
    assert a.score == b.score and (a.start, a.end) == (3840, 7680)
    inserted = run("insert")
    assert inserted.score.length == score.length + 3840
