"""The grid representation: exact round trips, resolution choice, key shifts, vocab."""

import pytest

from composer.generation.macnet.grid import (
    bars_from_starts,
    decode_part,
    estimate_sharps,
    grid_events,
    key_shift,
    split_step,
    step_ticks,
)
from composer.generation.macnet.vocab import MacnetVocab
from composer.music.score import KeyChange, MeterChange, Note
from tests.generation.macnet.helpers import small_vocab, tune


def roundtrip(score, shift=0):
    mel, acc = score.tracks[0].notes, score.tracks[1].notes
    bars = bars_from_starts(score.bar_starts(), score.length, score.meter_at)
    grid = grid_events(mel, acc, bars, shift)
    step = step_ticks(grid.resolution)
    points = sorted({t for b in bars for t in b.steps(step)} | {score.length})
    steps = [t for t in grid.tokens if "|" in t]
    back_mel = decode_part([split_step(t)[0] for t in steps], points, shift, velocity=80)
    back_acc = decode_part([split_step(t)[1] for t in steps], points, shift, velocity=80)
    return grid, sorted(back_mel), sorted(back_acc)


@pytest.mark.parametrize("meter,triplets,resolution", [
    ((4, 4), False, 2), ((6, 8), False, 2), ((3, 4), True, 3), ((2, 4), True, 3),
])
def test_round_trip_is_exact_at_the_chosen_resolution(meter, triplets, resolution):
    score = tune(meter, triplets=triplets)
    grid, mel, acc = roundtrip(score, shift=5)
    assert grid.resolution == resolution
    assert grid.stats.changed == 0 and grid.stats.notes == len(score.notes)
    assert mel == sorted(score.tracks[0].notes)  # held note over the bar line included
    assert acc == sorted(score.tracks[1].notes)  # block chords
    assert grid.tokens[:3] == [f"R:{resolution}", f"M:{meter[0]}/{meter[1]}", "<bar>"]


def test_triplets_with_eighths_and_sixteenths_choose_finer_grids():
    m = MeterChange(0, 2, 4)
    mel = [Note(0, 160, 60), Note(160, 320, 62), Note(320, 480, 64), Note(480, 720, 65),
           Note(720, 840, 67), Note(840, 960, 69)]
    bars = bars_from_starts([0], 960, lambda t: m)
    grid = grid_events(mel, [], bars)
    assert grid.resolution == 12 and grid.stats.changed == 0
    grid6 = grid_events(mel[:4], [], bars)
    assert grid6.resolution == 6


def test_dyads_and_notes_off_the_grid_are_counted():
    m = MeterChange(0, 4, 4)
    bars = bars_from_starts([0], 1920, lambda t: m)
    dyad = [Note(0, 480, 60), Note(0, 480, 64)]
    assert grid_events(dyad, [], bars).stats.changed == 0
    odd = [Note(0, 7, 60), Note(470, 960, 62)]  # too short; 10 ticks early
    stats = grid_events(odd, [], bars).stats
    assert stats.changed == 2 and stats.end_moved == 1 and stats.shifted == 1


def test_pickup_is_padded_to_a_whole_bar():
    score = tune((3, 4), pickup=480)
    bars = bars_from_starts(score.bar_starts(), score.length, score.meter_at)
    assert bars[0].ticks == 480 and bars[0].pad == 960
    grid = grid_events(score.tracks[0].notes, score.tracks[1].notes, bars)
    first_bar = grid.tokens[3:9]
    assert first_bar[:4] == ["-|-"] * 4  # two beats of padding at two steps per beat


def test_key_shift_normalises_the_signature():
    assert key_shift(KeyChange(0, "G").sharps) == 5  # G -> C up a fourth
    assert key_shift(KeyChange(0, "D").sharps) == -2
    assert key_shift(KeyChange(0, "E", "minor").sharps) == 5  # E minor -> A minor
    assert key_shift(KeyChange(0, "F").sharps) == -5
    d_major = [Note(i * 480, i * 480 + 480, p) for i, p in enumerate([62, 64, 66, 67, 69, 71, 73])]
    assert estimate_sharps(d_major) == 2
    assert estimate_sharps(d_major, KeyChange(0, "C")) == 2  # notes contradict the key
    assert estimate_sharps(d_major, KeyChange(0, "B", "minor")) == 2


def test_vocab_json_round_trip_and_fallbacks(tmp_path):
    vocab = small_vocab()
    path = tmp_path / "vocab.json"
    vocab.save(path)
    again = MacnetVocab.load(path)
    assert again.tokens == vocab.tokens and len(again) == len(vocab)
    unseen = "72|41.45.48"  # an F chord never seen with this melody note
    assert vocab.id(unseen) is None
    near = vocab.nearest(unseen)
    assert split_step(near)[0] == "72" and vocab.id(near) is not None
    assert vocab.encode([unseen], fallback="unk") == [vocab.unk]
    assert vocab.unk_cost(unseen) > 0
    with pytest.raises(KeyError):
        vocab.encode(["M:5/8"])


def test_broken_vocab_files_raise_model_file_errors(tmp_path):
    from composer.nn.errors import ModelFileError

    path = tmp_path / "vocab.json"
    with pytest.raises(ModelFileError, match="missing"):
        MacnetVocab.load(path)
    path.write_text('{"format": "composer-macnet-vocab/1", "specials": ["<pad>", "<end>", '
                    '"<bar>", "<unk>"], "meters": [], "resolutions": [2], "steps": ["x|y"]}')
    with pytest.raises(ModelFileError, match="not a grid step"):
        MacnetVocab.load(path)
