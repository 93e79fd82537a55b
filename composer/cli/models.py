"""``composer models``: the installed models with their cards."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    p = sub.add_parser("models", help="list installed models",
                       description="List the models Composer can use, with their cards.")
    p.add_argument("--json", action="store_true", help="print the cards as JSON")
    p.set_defaults(run=run)


def _metric_summary(card) -> str:
    """The card's figures in a line: the validation figure and each evaluation's
    headline (``test: 1.145 bits/char``)."""
    parts = []
    valid = card.valid_metric
    if valid is not None:
        parts.append(f"{valid[0]} {valid[1]:.4g}")
    for split, result in card.evaluations.items():
        for key, unit in (("bits_per_char", "bits/char"), ("nll_per_token", "nats/token")):
            if isinstance(result.get(key), int | float):
                parts.append(f"{split} {result[key]:.4g} {unit}")
    return ", ".join(parts[:3])


def run(args) -> int:
    from composer.generation.registry import ModelRegistry

    registry = ModelRegistry()
    infos = registry.list()
    default = registry.default_name()
    if args.json:
        print(json.dumps([
            {"name": i.name, "kind": i.kind, "path": str(i.path), "source": i.source,
             "size_bytes": i.size_bytes, "default": i.name == default,
             "problem": i.problem or None,
             "card": i.card.to_json() if i.card is not None else None}
            for i in infos
        ], indent=1))
        return 0
    if not infos:
        print("no models installed (the shipped models live in the project's models/ folder)")
        return 1
    for i in infos:
        mark = "*" if i.name == default else " "
        print(f"{mark} {i.name:<16} {i.kind:<12} {i.size_bytes / 1e6:6.1f} MB  {i.source}")
        if i.problem:
            print(f"    unusable: {i.problem}")
            continue
        if i.description:
            print(f"    {i.description}")
        summary = _metric_summary(i.card) if i.card is not None else ""
        if summary:
            print(f"    {summary}")
    return 0
