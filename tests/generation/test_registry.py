import json

import pytest

from composer.generation import kinds
from composer.generation import registry as reg
from composer.generation.errors import GenerationError, UnknownModelError


def make(folder, name, card):
    d = folder / name
    d.mkdir(parents=True)
    if card is not None:
        (d / "card.json").write_text(card if isinstance(card, str) else json.dumps(card))
    return d


@pytest.fixture
def fake_kind(monkeypatch):
    calls = []

    def loader(path, card):
        calls.append(path)
        return ("step", "codec")

    import sys
    import types

    mod = types.ModuleType("fake_kind_module")
    mod.load = loader
    monkeypatch.setitem(sys.modules, "fake_kind_module", mod)
    monkeypatch.setitem(kinds.KINDS, "fake", kinds.ModelKind(
        name="fake", title="a fake kind", network="fake_kind_module:Net", vocabulary=None,
        codec="fake_kind_module:load", recipe="fake_kind_module:RECIPE", data="abc",
        presets=(), metric="valid_loss", metric_words="loss"))
    return calls


def test_lists_cards_and_problems(tmp_path, fake_kind):
    shipped, user = tmp_path / "s", tmp_path / "u"
    make(shipped, "good", {"kind": "fake", "description": "d"})
    make(shipped, "nocard", None)
    make(shipped, "junk", "{not json")
    make(shipped, "alien", {"kind": "transformer-9000"})
    r = reg.ModelRegistry([(shipped, "shipped"), (user, "user")])
    infos = {i.name: i for i in r.list()}
    assert infos["good"].problem == "" and infos["good"].description == "d"
    assert "card.json" in infos["nocard"].problem
    assert "unreadable" in infos["junk"].problem
    assert "cannot run" in infos["alien"].problem
    assert r.default_name() == "good"


def test_load_caches_and_refuses_broken(tmp_path, fake_kind):
    make(tmp_path, "good", {"kind": "fake"})
    make(tmp_path, "nocard", None)
    r = reg.ModelRegistry([(tmp_path, "shipped")])
    m1, m2 = r.load("good"), r.load("good")
    assert m1 is m2 and len(fake_kind) == 1 and m1.codec == "codec"
    with pytest.raises(GenerationError, match="card.json"):
        r.load("nocard")
    with pytest.raises(UnknownModelError, match="available: good, nocard"):
        r.load("nope")


def test_user_model_overrides_shipped(tmp_path, fake_kind):
    make(tmp_path / "s", "m", {"kind": "fake", "description": "shipped"})
    make(tmp_path / "u", "m", {"kind": "fake", "description": "mine"})
    r = reg.ModelRegistry([(tmp_path / "s", "shipped"), (tmp_path / "u", "user")])
    assert r.info("m").description == "mine" and r.info("m").source == "user"
