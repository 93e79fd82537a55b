from composer.training.augment import transpose_tune
from composer.training.corpus import AbcTune, read_tunes

TUNE = AbcTune("t1", "X:1\nT:T\nM:3/4\nL:1/8\nK:G\n",
               '"G"GAB ^c=fg|"D/f+"a2 B,2 b\'2|"Em"e6|\nK:Dm\n"Gm/bb"_BAG FED|]\n')


def test_one_step_up_moves_notes_keys_accidentals_and_chords():
    up = transpose_tune(TUNE, 1)
    assert up.header.endswith("K:A\n")
    lines = up.body.split("\n")
    assert lines[0] == '"A"ABc ^d=ga|"E/g+"b2 C2 c\'\'2|"F#m"f6|'
    assert lines[1] == "K:Em"
    assert lines[2] == '"Am/c"=cBA GFE|]'


def test_steps_down_and_back_give_the_text_again():
    down = transpose_tune(TUNE, -2)
    assert down.header.endswith("K:Eb\n")
    assert transpose_tune(down, 2).text == TUNE.text


def test_every_fixture_tune_transposes(fixtures):
    for tune in read_tunes([fixtures / "folk"]):
        for steps in (-2, -1, 1, 2):
            moved = transpose_tune(tune, steps)
            assert moved is not None
            assert len(moved.body.split("|")) == len(tune.body.split("|"))


def test_unreadable_key_gives_up():
    odd = AbcTune("t", "X:1\nK:HP\n", "ABc|\n")
    assert transpose_tune(odd, 1) is None
    assert transpose_tune(odd, 0) is odd
