"""``composer models``: the installed models with their cards."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    p = sub.add_parser("models", help="list installed models",
                       description="List the models Composer can use, with their cards.")
    p.add_argument("--json", action="store_true", help="print the cards as JSON")
    p.set_defaults(run=run)


def _metric_summary(card: dict) -> str:
    metrics = card.get("metrics") or {}
    parts = []
    for key, value in metrics.items():
        if isinstance(value, int | float):
            parts.append(f"{key} {value:.3g}" if isinstance(value, float) else f"{key} {value}")
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
             "problem": i.problem or None, "card": i.card}
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
        summary = _metric_summary(i.card)
        if summary:
            print(f"    {summary}")
    return 0
