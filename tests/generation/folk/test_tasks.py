"""The folk model's fill and accompaniment as text (training and prompts alike), and the
decoders on a tiny model that knows the separators."""

import random

import pytest
import torch

from composer.generation.engine import continue_passage
from composer.generation.folk.tasks import (
    FIM_MIDDLE,
    FIM_PREFIX,
    FIM_SUFFIX,
    PREVIEW,
    TASK_CHARS,
    body_bars,
    fill_example,
    preview_bars,
    task_example,
)
from composer.generation.registry import ModelRegistry
from composer.generation.request import ContinueRequest, Sampling, Selection, Take
from composer.music.abc import read_abc
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab
from tests.generation.folk.test_codec import CHARS, TUNE

BODY = """P:A
D/2E/2|"Dm"F/2G/2F/2E/2 Dd|"Dm"AA "C"G"Dm"A|"C"E/2G/2E/2D/2 CD/2E/2|\\
"A7"FG "Dm"D:|
P:B
A|"Dm"dd de/2d/2|"A"^cA AA/2=B/2|1"Am""C"cc cd/2c/2:|2"G"=BG G2|]
"""


def test_bars_are_the_text_between_bar_lines_with_music():
    body = BODY.replace("P:A\n", "P:A\n|:")
    bars = body_bars(body)
    texts = [body[b.music: b.end] for b in bars]
    assert texts[:3] == ["D/2E/2|", '"Dm"F/2G/2F/2E/2 Dd|', '"Dm"AA "C"G"Dm"A|']
    assert texts[-2:] == ['"Am""C"cc cd/2c/2:|', '"G"=BG G2|]']
    assert len(bars) == 10


def test_the_preview_writes_each_bar_without_its_chords_first():
    assert preview_bars(BODY) == """P:A
D/2E/2\x1fD/2E/2|F/2G/2F/2E/2 Dd\x1f"Dm"F/2G/2F/2E/2 Dd|AA GA\x1f"Dm"AA "C"G"Dm"A|\
E/2G/2E/2D/2 CD/2E/2\x1f"C"E/2G/2E/2D/2 CD/2E/2|\\
FG D\x1f"A7"FG "Dm"D:|
P:B
A\x1fA|dd de/2d/2\x1f"Dm"dd de/2d/2|^cA AA/2=B/2\x1f"A"^cA AA/2=B/2|\
1cc cd/2c/2\x1f"Am""C"cc cd/2c/2:|2=BG G2\x1f"G"=BG G2|]
"""


@pytest.mark.parametrize("seed", range(20))
def test_a_fill_example_holds_the_tune_rearranged_around_a_gap(seed):
    text = fill_example(BODY, random.Random(seed))
    assert text.startswith(FIM_SUFFIX)
    suffix, rest = text[1:].split(FIM_PREFIX)
    prefix, middle = rest.split(FIM_MIDDLE)
    assert suffix.endswith("\n") and prefix.endswith("\n")
    squeeze = "".join(c for c in BODY if c not in " \n\\")
    for part in (suffix, prefix, middle):
        piece = "".join(c for c in part if c not in " \n\\")
        assert piece and piece.replace("P:B", "") in squeeze.replace("P:B", "")
    # the gap comes right after the prefix in the tune and right before the suffix
    flat = squeeze
    pre = "".join(c for c in prefix if c not in " \n\\")
    mid = "".join(c for c in middle if c not in " \n\\")
    suf = "".join(c for c in suffix if c not in " \n\\")
    assert (pre + mid + suf) in flat or (pre.replace("P:B", "") + mid + suf) in flat


def test_task_examples_in_their_shares():
    rng = random.Random(1)
    out = [task_example(BODY, rng, 0.3, 0.2) for _ in range(1000)]
    fills = sum(t.startswith(FIM_SUFFIX) for t in out)
    previews = sum(PREVIEW in t for t in out)
    assert 250 < fills < 350 and 150 < previews < 250
    assert sum(t == BODY for t in out) == 1000 - fills - previews
    assert fill_example("A|B|\n", random.Random(0)) is None  # too short to have a gap


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS) | set(TASK_CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    folder = tmp_path_factory.mktemp("models")
    checkpoint.save(folder / "folk-abc", model, model.config, vocab, {"kind": "folk-abc"})
    return ModelRegistry([(folder, "shipped")])


def test_a_model_that_knows_the_preview_accompanies_with_it(registry):
    model = registry.load("folk-abc")
    assert model.codec.can_preview and model.codec.can_fill
    score = read_abc(TUNE)
    bars = score.bars()
    req = ContinueRequest(score, Selection(bars[3][0], bars[6][1]), 1, "folk-abc",
                          Sampling(seed=2), task="accompany")
    prompt = "".join(model.codec.vocab.tokens[i] for i in model.codec.encode(
        *_seed_plan(req)))
    assert prompt.count(PREVIEW) == 3  # the three bars before the passage, previewed
    for seed in range(4):
        req = ContinueRequest(score, Selection(bars[3][0], bars[6][1]), 1, "folk-abc",
                              Sampling(seed=seed), task="accompany")
        take = next(t for t in continue_passage(req, registry) if isinstance(t, Take))
        assert take.score.tracks[0].notes == score.tracks[0].notes
        outside = [c for c in take.score.chords if not take.start <= c.start < take.end]
        assert outside == [c for c in score.chords if not take.start <= c.start < take.end]


def test_a_model_that_knows_the_fill_reads_what_follows(registry):
    score = read_abc(TUNE)
    bars = score.bars()
    req = ContinueRequest(score, Selection(bars[3][0], bars[4][1]), 1, "folk-abc",
                          Sampling(seed=1), task="fill")
    model = registry.load("folk-abc")
    prompt = "".join(model.codec.vocab.tokens[i] for i in model.codec.encode(
        *_seed_plan(req)))
    suffix = prompt.split(FIM_SUFFIX)[1].split(FIM_PREFIX)[0]
    assert suffix.startswith('"D"f|"D"afd') and prompt.endswith(FIM_MIDDLE)
    take = next(t for t in continue_passage(req, registry) if isinstance(t, Take))
    assert take.score.bars() == score.bars()
    after = [n for n in score.tracks[0].notes if n.start >= bars[4][1]]
    assert [n for n in take.score.tracks[0].notes if n.start >= bars[4][1]] == after


def _seed_plan(req):
    from composer.generation.plan import make_seed

    seed = make_seed(req)
    return seed.score, seed.plan
