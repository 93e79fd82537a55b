"""The models in the project's ``models/`` folder (what ``make run`` starts on): each one
loads through the registry without a problem, carries its measured test figures in its
card, and continues a shipped example tune by exactly the bars asked for."""

import pytest

from composer import paths
from composer.generation.engine import continue_passage
from composer.generation.registry import ModelRegistry
from composer.generation.request import ContinueRequest, Sampling, Selection, Take
from composer.music.io import read_score

SHIPPED = ("folk-abc", "macnet-folk", "piano-lstm")


@pytest.fixture(scope="module")
def registry():
    return ModelRegistry([(paths.shipped_models_dir(), "shipped")])


def test_every_shipped_model_is_listed_whole(registry):
    infos = {i.name: i for i in registry.list()}
    assert set(SHIPPED) <= set(infos)
    for name in SHIPPED:
        info = infos[name]
        assert not info.problem, f"{name}: {info.problem}"
        test = info.card.evaluations["test"]  # written by `composer eval --write-card`
        assert test.get("tunes", test.get("pieces", 0)) > 0
        assert 0 < test.get("bits_per_char", test.get("nll_per_token", 0)) < 2
        assert info.card.training.seconds <= 30 * 60  # the issues' training budget
        assert info.card.valid_metric[0] == info.model_kind.metric
    assert registry.default_name() == "folk-abc"


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_model_continues_an_example_by_exact_bars(registry, name):
    score = read_score(paths.resources_dir() / "examples" / "morning-on-the-hill.abc")
    spans = score.bars()
    request = ContinueRequest(score, Selection(spans[0][0], spans[3][1]), 4, name,
                              Sampling(seed=11), variations=2)
    takes = [i for i in continue_passage(request, registry) if isinstance(i, Take)]
    assert len(takes) == 2
    bar = score.meters[0].bar_ticks
    for take in takes:
        assert take.start == spans[3][1] and take.end == take.start + 4 * bar
        new = [n for t in take.score.tracks for n in t.notes
               if take.start <= n.start < take.end]
        assert new, f"{name} wrote no notes"
        assert all(n.start + n.duration <= take.end for n in new if n.start < take.end)
