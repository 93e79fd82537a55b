"""MAC-Net's codec: bar-exact decoding under random sampling, both tracks together,
chord symbols, bad input, and the engine end to end with a tiny random model."""

import dataclasses

import pytest
import torch

from composer.generation.codec import Plan
from composer.generation.engine import continue_passage, make_seed
from composer.generation.errors import GenerationError
from composer.generation.macnet.codec import chord_symbol_for, voice_chord
from composer.generation.request import ContinueRequest, Sampling, Selection, Take
from composer.generation.sampling import sample_stream
from composer.music.score import KeyChange, MeterChange, Note, Score, Track
from tests.generation.macnet.helpers import tiny_codec, tune


@pytest.fixture(scope="module")
def model_codec():
    return tiny_codec()


def decode(model_codec, score, start, end, bars, variations=3, seed=0, sampling=None):
    model, codec = model_codec
    s = make_seed(ContinueRequest(score, Selection(start, end), bars, "macnet"))
    codec.check(s.score, s.plan)
    decs = [codec.decoder(s.score, s.plan) for _ in range(variations)]
    list(sample_stream(model, codec.encode(s.score, s.plan), decs, sampling or Sampling(),
                       seed, codec.max_tokens(s.plan)))
    return s.plan, [d.music() for d in decs], decs


def assert_exact(plan, music, decs):
    for mu, d in zip(music, decs):
        assert d.finished and mu.bars_done == plan.total_bars
        notes = [n for ns in mu.notes.values() for n in ns]
        assert notes, "the model wrote nothing"
        assert all(plan.start <= n.start < n.end <= plan.end for n in notes)


@pytest.mark.parametrize("meter,bar_end", [((4, 4), 2), ((6, 8), 2), ((3, 4), 3), ((2, 4), 1)])
def test_whole_bars_are_exact_in_every_meter(model_codec, meter, bar_end):
    score = tune(meter, bars=4)
    bar = MeterChange(0, *meter).bar_ticks
    plan, music, decs = decode(model_codec, score, 0, bar_end * bar, 3)
    assert plan.first_bar == 0 and plan.end == (bar_end + 3) * bar
    assert_exact(plan, music, decs)
    assert set(music[0].notes) == {"Melody", "Chords"}  # both tracks together
    assert music[0].notes["Chords"]


def test_a_seed_ending_mid_bar_is_completed_first(model_codec):
    score = tune((4, 4), bars=4)
    plan, music, decs = decode(model_codec, score, 0, 1920 + 720, 2)
    assert plan.first_bar == 1200 and plan.end == 3840 + 2 * 1920
    assert_exact(plan, music, decs)
    # An off-grid end (a triplet eighth into a bar of eighths) still finishes exactly.
    plan, music, decs = decode(model_codec, score, 0, 1920 + 160, 1)
    assert plan.first_bar == 1760
    assert_exact(plan, music, decs)


def test_hot_sampling_and_many_variations_stay_exact(model_codec):
    score = tune((6, 8), bars=4, triplets=False)
    plan, music, decs = decode(model_codec, score, 1440, 1440 * 3, 4, variations=8,
                               sampling=Sampling(temperature=3.0))
    assert_exact(plan, music, decs)


def test_same_seed_same_music(model_codec):
    score = tune()
    _, a, _ = decode(model_codec, score, 0, 3840, 2, seed=5)
    _, b, _ = decode(model_codec, score, 0, 3840, 2, seed=5)
    _, c, _ = decode(model_codec, score, 0, 3840, 2, seed=6)
    assert [m.notes for m in a] == [m.notes for m in b]
    assert [m.notes for m in a] != [m.notes for m in c]


def test_holds_never_follow_silence(model_codec):
    _, codec = model_codec
    for (mel_on, acc_on) in [(False, False), (False, True), (True, False)]:
        mask = codec.step_mask(mel_on, acc_on)
        for i in torch.nonzero(mask).flatten().tolist():
            mel, acc = codec.step_parts(i)
            assert (mel != "=" or mel_on) and (acc != "=" or acc_on)
    assert not codec.step_mask(True, True)[codec.vocab.unk]


def test_chord_symbols_stand_for_the_accompaniment(model_codec):
    score = tune((4, 4), bars=4, chords_as_symbols=True)
    plan, music, decs = decode(model_codec, score, 0, 3840, 2)
    assert_exact(plan, music, decs)
    for mu in music:
        assert set(mu.notes) == {"Melody"}
        assert mu.chords and all(plan.start <= c.start < plan.end for c in mu.chords)


def test_chord_voicing_and_naming():
    assert voice_chord("G") == (43, 47, 50)
    assert voice_chord("D7") == (38, 42, 45, 48)
    assert voice_chord("Em") == (40, 43, 47)
    assert voice_chord("D/f+") == (38, 42, 45)  # the slash bass is not sounded
    assert voice_chord("From") == ()
    assert chord_symbol_for((43, 47, 50)) == "G"
    assert chord_symbol_for((38, 42, 45, 48)) == "D7"
    assert chord_symbol_for((45, 48, 52)) == "Am"
    assert chord_symbol_for((46, 50, 53), sharps=-2) == "Bb"


def test_bad_input_says_which_tracks(model_codec):
    _, codec = model_codec
    plan = Plan.uniform(1920, 0, 1920, 2, MeterChange(0, 4, 4), KeyChange(0, "C"))
    notes = (Note(0, 480, 60), Note(480, 960, 62))
    drums = Score(tracks=(Track("Kit", notes, role="drums", is_drum=True),))
    with pytest.raises(GenerationError, match="only drum tracks.*'Kit'"):
        codec.check(drums, plan)
    empty = Score(tracks=(Track("Flute", ()),), end_tick=1920)
    with pytest.raises(GenerationError, match="no notes"):
        codec.check(empty, plan)
    many = Score(tracks=tuple(Track(f"T{i}", notes, role="melody" if i == 3 else "other")
                              for i in range(15))
                 + (Track("Drums", notes, role="drums", is_drum=True),))
    with pytest.raises(GenerationError) as err:
        codec.check(many, plan)
    message = str(err.value)
    assert "15 tracks with notes" in message
    assert "'T3' as the melody (its role is melody)" in message
    assert "'Drums' (drums)" in message and "\n" not in message
    odd = dataclasses.replace(tune(), meters=(MeterChange(0, 5, 8),))
    with pytest.raises(GenerationError, match="5/8"):
        codec.check(odd, Plan.uniform(1920, 0, 1200, 2, MeterChange(0, 5, 8), KeyChange(0, "C")))


class _Registry:
    def __init__(self, model, codec):
        self.model = type("Loaded", (), {"step_model": model, "codec": codec})()

    def load(self, name):
        return self.model


@pytest.mark.parametrize("mode", ["replace", "insert"])
def test_engine_continues_melody_and_chords(model_codec, mode):
    score = tune((4, 4), bars=6)
    request = ContinueRequest(score, Selection(0, 2 * 1920), 3, "macnet", Sampling(seed=1),
                              variations=2, mode=mode)
    takes = [t for t in continue_passage(request, _Registry(*model_codec)) if isinstance(t, Take)]
    assert len(takes) == 2
    for take in takes:
        assert (take.start, take.end) == (3840, 3840 + 3 * 1920)
        for track in take.score.tracks:
            inside = [n for n in track.notes if take.start <= n.start < take.end]
            assert inside and all(n.end <= take.end for n in inside)
        if mode == "insert":
            assert take.score.length == score.length + 3 * 1920
