from composer.training.clean import clean_tune, clean_tunes
from composer.training.corpus import AbcTune, split_tunes

ONEILL = """X: 204
T: The Irish Nation
T: Another Title
B: O'Neill's 204
N: "Moderate"
Z: transcribed by someone
M: C
L: 1/8
K:A
(c>d) \\
| e>^de3/2f !trill!e2c>e | d>cBA G2AB | c>B ((3cBA) B>edB | {ef}A4 .A2z :|
% a comment line
B \\
| A2A2 ~a3g | e>de>f "^slow"g3z | uA>vAA>A a>ag>f | Hg<ez2 z2(c>d) |]
"""


def test_an_oneill_tune_is_cleaned_to_the_plain_style():
    tune = clean_tune(split_tunes(ONEILL, "oneills")[0])
    assert tune.header == "X:204\nT:The Irish Nation\nM:4/4\nL:1/8\nK:A\n"
    lines = tune.body.split("\n")
    assert lines[0] == "c>d \\"
    assert lines[1] == "| e>^de3/2f e2c>e | d>cBA G2AB | c>B (3cBA B>edB | A4 A2z :|"
    assert lines[3] == "| A2A2 a3g | e>de>f g3z | A>AA>A a>ag>f | g<ez2 z2c>d |]"
    assert "%" not in tune.body


def test_unreadable_tunes_are_dropped():
    broken = AbcTune("x1", "X:1\nT:Broken\nM:4/4\nK:G\n", "[AB c|\n")
    no_key = AbcTune("x2", "X:2\nT:No key\nM:4/4\n", "ABc|\n")
    assert clean_tune(no_key) is None
    assert clean_tunes([broken, no_key]) == []
