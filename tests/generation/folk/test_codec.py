import pytest
import torch

from composer.generation.codec import Plan
from composer.generation.engine import continue_passage, make_seed
from composer.generation.errors import GenerationError
from composer.generation.folk.codec import melody_track, seed_text
from composer.generation.registry import ModelRegistry
from composer.generation.request import ContinueRequest, Sampling, Selection, Take, TakeProgress
from composer.music.abc import read_abc
from composer.music.score import Score, Track
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab

CHARS = "\n !\"#%'()+,-/0123456789:<>=ABCDEFGHKLMNPSTXYZ[]^_abcdefgmnorstuz|\\"
TUNE = """X:1
T:Test Jig
M:6/8
L:1/8
K:D
A|"D"FAA dAA|"G"BAG "A"FED|"D"FAA dfe|"A"dcB "D"A2:|
f|"D"afd "G"gfe|"D"fdA "A"A2f|"G"gfe "D"fed|"A"ecA "D"d2|]
"""


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    folder = tmp_path_factory.mktemp("models")
    checkpoint.save(folder / "folk-abc", model, model.config, vocab, {"kind": "folk-abc"})
    return folder


@pytest.fixture
def registry(models_dir):
    return ModelRegistry([(models_dir, "shipped")])


def request(score, start_bar, end_tick=None, **kw):
    bars = score.bars()
    end = end_tick if end_tick is not None else bars[start_bar + 3][1]
    return ContinueRequest(score, Selection(bars[start_bar][0], end), kw.pop("bars", 8),
                           "folk-abc", Sampling(seed=kw.pop("seed", 3)), **kw)


@pytest.mark.parametrize("mode", ["insert", "replace"])
def test_exactly_the_new_bars_in_the_tunes_meter(registry, mode):
    score = read_abc(TUNE)
    req = request(score, 1, mode=mode, variations=2, bars=5)
    items = list(continue_passage(req, registry))
    takes = [i for i in items if isinstance(i, Take)]
    assert len(takes) == 2
    progress = [i for i in items if isinstance(i, TakeProgress)]
    assert max(p.bars_done for p in progress) == 5
    bar = score.meters[0].bar_ticks
    written = score.bars()
    for take in takes:
        if mode == "insert":  # five full bars join part A: its :| moves to their end
            assert take.end - take.start == 5 * bar
            kinds = {b.tick: b.kind for b in take.score.barlines}
            assert kinds[take.start] == "|" and kinds[take.end] == ":|"
        else:  # the five written bars after the selection: part B's pickup and 4 bars
            assert (take.start, take.end) == (written[5][0], written[9][1])
            assert take.score.barlines == score.barlines
            assert take.score.parts == score.parts
        new = [n for n in take.score.tracks[0].notes if take.start <= n.start < take.end]
        assert new and all(n.end <= take.end for n in new)


def test_a_selection_ending_inside_a_bar(registry):
    score = read_abc(TUNE)
    bars = score.bars()
    req = request(score, 1, end_tick=bars[3][0] + 480, bars=2)
    takes = [i for i in continue_passage(req, registry) if isinstance(i, Take)]
    assert takes[0].start == bars[3][0] + 480
    # The bar is completed, then the next two written bars (part A's short closing bar
    # and part B's pickup) are rewritten at their own lengths.
    assert takes[0].end == bars[5][1]
    assert takes[0].score.barlines == score.barlines


def test_same_seed_same_notes(registry):
    score = read_abc(TUNE)
    a = [i.score for i in continue_passage(request(score, 0), registry) if isinstance(i, Take)]
    b = [i.score for i in continue_passage(request(score, 0), registry) if isinstance(i, Take)]
    assert a == b


def test_seed_text_is_in_the_training_style():
    score = read_abc(TUNE)
    seed = make_seed(request(score, 1))
    text = seed_text(seed.score, seed.plan)
    header, body = text.split("K:D\n")
    assert "% Nottingham Music Database" in header and "Q:" not in header
    assert body.rstrip().endswith("|") and not body.rstrip().endswith("|]")
    mid = make_seed(request(score, 1, end_tick=score.bars()[3][0] + 480))
    assert not seed_text(mid.score, mid.plan).rstrip().endswith("|")


REEL = """X:2
T:Test Reel
M:4/4
L:1/8
K:G
"G"(3DEF GB "D7"AGED|"G"GBdg e2"D7"(3def|"G"g2fg "Em"edBG|"D7"ABAG "G"G4|]
"""


def test_seed_text_writes_lengths_and_spaces_as_the_nottingham_files_do():
    # A jig: no L: line (ABC's default 1/8), a space every beat.
    jig = seed_text(*_seed_and_plan(read_abc(TUNE), 4))
    assert "L:" not in jig and 'A|"D"FAA dAA|"G"BAG "A"FED|' in jig
    # A reel: L:1/4 with /2 halves, a space every half bar, chord symbols before "(3".
    reel = seed_text(*_seed_and_plan(read_abc(REEL), 4))
    assert "\nL:1/4\n" in reel
    assert ('"G"(3D/2E/2F/2G/2B/2 "D7"A/2G/2E/2D/2|"G"G/2B/2d/2g/2 e"D7"(3d/2e/2f/2|'
            in reel)
    # Read back, the prompt is the same music as the seed.
    back = read_abc(reel + "\n")
    assert [(n.start, n.end, n.pitch) for n in back.tracks[0].notes] == [
        (n.start, n.end, n.pitch) for n in read_abc(REEL).tracks[0].notes]


def _seed_and_plan(score, last_bar):
    seed = make_seed(request(score, 0, end_tick=score.bars()[last_bar - 1][1]))
    return seed.score, seed.plan


def test_no_melody_is_a_clear_error():
    empty = Score(tracks=(Track("Drums", (), is_drum=True),))
    plan = Plan.uniform(0, 0, 1440, 1, read_abc(TUNE).meters[0], read_abc(TUNE).keys[0])
    with pytest.raises(GenerationError, match="no melody"):
        melody_track(empty, plan)


def test_the_decoder_writes_the_planned_bar_lines_fields_and_no_rests(registry):
    """Into a meter change (a bar of 9/8 after 6/8, then 6/8 again): the prompt ends with
    the M: line of the first new bar, each bar closes with its planned bar line (never a
    ':' where a plain | is planned), the next M: line is written for the model, and no
    rest is offered when the seed has none (issue 12)."""
    from composer.generation.folk.codec import FolkDecoder

    score = read_abc("X:1\nT:t\nM:6/8\nL:1/8\nK:G\nd2B c2d|BAG A2F|G2G ABc|B2A G3|\n"
                     "M:9/8\nd3 e3 d3|\nM:6/8\nc2B AGA|G3 G3|]\n")
    bars = score.bars()
    req = ContinueRequest(score, Selection(0, bars[3][1]), 2, "folk-abc", Sampling(seed=1))
    seed = make_seed(req)
    assert [str(b.meter) for b in seed.plan.layout] == ["9/8", "6/8"]
    prompt = seed_text(seed.score, seed.plan)
    assert prompt.endswith("|\nM:9/8\n")
    codec = registry.load("folk-abc").codec
    dec = FolkDecoder(prompt, seed.plan, "Melody", codec.masks)
    vocab = codec.vocab
    for c in "d3 e3 d3":
        assert not dec.allowed()[vocab.id("z")]
        dec.push(vocab.id(c))
    mask = dec.allowed()
    assert mask[vocab.id("|")] and not mask[vocab.id(":")]
    dec.push(vocab.id("|"))
    forced = ""
    while True:
        mask = dec.allowed()
        if int(mask.sum()) != 1:
            break
        c = vocab.tokens[int(mask.nonzero()[0])]
        forced += c
        dec.push(vocab.id(c))
    assert forced == "\nM:6/8\n"
