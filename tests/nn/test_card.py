"""The typed, versioned model card (issue 14): old cards load, the new format writes
and reads back the same, the schema covers every field, bad cards name the field."""

from __future__ import annotations

import json

import pytest

from composer import paths
from composer.nn.card import FORMAT, MAX_DEPTH, CardError, ModelCard, card_schema

SHIPPED = ("folk-abc", "macnet-folk", "piano-lstm")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_card_loads_and_round_trips(name):
    raw = json.loads((paths.shipped_models_dir() / name / "card.json").read_text())
    card = ModelCard.from_json(raw)
    assert card.kind == raw["kind"] and card.architecture == raw["architecture"]["class"]
    assert card.training.seconds == raw["training"]["seconds"]
    assert card.metrics == raw["metrics"] and card.valid_metric[0].startswith("valid_")
    assert card.licence.data_licence == raw["licence"]["data_licence"]
    again = ModelCard.from_json(json.loads(json.dumps(card.to_json())))
    assert again == card.replace(format=FORMAT)
    assert again.to_json()["format"] == FORMAT
    for key in set(raw) - {"kind", "name", "title", "description", "architecture", "vocab",
                           "weights", "training", "data", "metrics", "licence", "format",
                           "preset"}:
        assert card.extra[key] == raw[key]  # kept as written


def test_the_schema_names_every_field():
    schema = card_schema()
    written = ModelCard(kind="x").to_json()
    assert set(written) <= set(schema["properties"])
    assert set(written["training"]) <= set(schema["properties"]["training"]["properties"])
    assert schema["properties"]["format"]["enum"][-1] == FORMAT


@pytest.mark.parametrize("card, words", [
    ([], "not a JSON object"),
    ({"kind": 3}, "kind: expected text"),
    ({}, "kind: the card does not say"),
    ({"kind": "k", "format": "composer-model/9"}, "format"),
    ({"kind": "k", "training": {"steps": "many"}}, "training.steps"),
    ({"kind": "k", "architecture": {"class": "X", "config": [1]}}, "architecture.config"),
    ({"kind": "k", "licence": {"data": 5}}, "licence.data"),
    ({"kind": "k", "training": {"processes": True}}, "training.processes"),
])
def test_a_bad_card_names_what_is_wrong(card, words):
    with pytest.raises(CardError, match=words.replace(".", r"\.")):
        ModelCard.from_json(card)


def test_a_card_nested_too_deep_is_refused_without_recursion():
    deep: dict = {"kind": "k"}
    node = deep
    for _ in range(100_000):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(CardError, match=f"more than {MAX_DEPTH} levels"):
        ModelCard.from_json(deep)
