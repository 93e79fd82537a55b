"""The model kinds table (issue 14): every row resolves to its network, vocabulary,
codec loader and training recipe; presets find their kind; no other module spells a
kind's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from composer.generation import kinds

ROOT = Path(kinds.__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", list(kinds.KINDS.values()), ids=lambda k: k.name)
def test_every_row_resolves(kind):
    assert kind.network_class().config_class is not None
    vocab = kind.vocab_class()
    assert vocab is None or hasattr(vocab, "load")
    assert callable(kinds.resolve(kind.codec))
    module = kind.recipe_module()
    assert callable(kinds.resolve(kind.recipe))
    assert set(kind.presets) <= set(module.PRESETS)
    for preset in kind.presets:
        assert kinds.kind_of_preset(preset) is kind
    assert kind.data in ("abc", "midi") and kind.metric.startswith("valid_")


def test_unknown_kinds_and_presets_say_what_is_known():
    with pytest.raises(kinds.UnknownKindError, match="folk-abc"):
        kinds.model_kind("transformer-9000")
    with pytest.raises(kinds.UnknownKindError, match="macnet-folk"):
        kinds.kind_of_preset("huge")


def test_no_module_but_the_table_spells_a_kind():
    names = "|".join(re.escape(k.name) for k in kinds.KINDS.values())
    pattern = re.compile(rf"""["']({names})["']""")
    found = []
    for path in ROOT.rglob("*.py"):
        if path.name == "kinds.py" and path.parent.name == "generation":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not found, "\n".join(found)
