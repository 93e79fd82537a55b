"""``composer inspect MODEL IN``: what a model expects, position by position.

For a folk (ABC) model: every character of the tune with its surprise in bits, the
model's top guesses for the character after it, and a chosen neuron's activation
(``--layer``, ``--neuron``); without ``--json``, a summary: bits per character, the
most surprising characters (often typos) with what the model expected there, and the
neurons whose activation varies most. For a MIDI model: the top guesses for the next
event at a bar (``--bar``, default: the end of the tune) and the surprise of every
event before it. ``--json`` prints the same numbers as one JSON object.
"""

from __future__ import annotations

import json
from pathlib import Path

from composer.cli.errors import CliError
from composer.cli.options import add_tune_options, tune_selection


def add_parser(sub) -> None:
    p = sub.add_parser(
        "inspect", help="show what a model expects at every position of a tune",
        description="Read a tune with a model: per position its top guesses for the next "
        "character or event with their probabilities, the surprise (bits) of what is "
        "written, and a neuron's activation (folk models).")
    p.add_argument("model", metavar="MODEL",
                   help="a model name from `composer models`, or a model folder")
    p.add_argument("input", metavar="IN", help="an ABC, MIDI or MusicXML file")
    add_tune_options(p)
    p.add_argument("--layer", type=int, default=0, metavar="L",
                   help="layer of the neuron to report (from 0; folk models)")
    p.add_argument("--neuron", type=int, metavar="N",
                   help="neuron to report (default: the most varying one of the layer)")
    p.add_argument("--top", type=int, default=5, metavar="K", help="guesses per position")
    p.add_argument("--bar", type=int, metavar="B",
                   help="MIDI models: guess the events at the start of bar B (default: "
                   "after the last bar)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def load(name_or_folder: str):
    """The loaded model for a registry name or a model folder."""
    from composer.generation.registry import ModelRegistry

    folder = Path(name_or_folder)
    if (folder / "card.json").is_file():
        registry = ModelRegistry([(folder.resolve().parent, "given")])
        return registry.load(folder.resolve().name)
    return ModelRegistry().load(name_or_folder)


def tune_text(path: Path, args) -> str:
    """The chosen tune's text exactly as written in an ABC file (blank lines after it
    dropped)."""
    from composer.music.abc.tunes import split_tunes
    from composer.music.errors import TuneNotFoundError
    from composer.music.io import read_text

    tunes = split_tunes(read_text(path))
    if not tunes:
        raise CliError(f"{path} holds no tune")
    sel = tune_selection(args)
    if sel["x"] is not None:
        found = [t for t in tunes if t.x == sel["x"]]
        if not found:
            raise TuneNotFoundError(f"{path} has no tune X:{sel['x']}")
        tune = found[0]
    else:
        index = sel["index"] or 0
        if not 0 <= index < len(tunes):
            raise TuneNotFoundError(f"{path} has {len(tunes)} tunes; --index {index + 1} is "
                                    "out of range")
        tune = tunes[index]
    return str(tune).rstrip() + "\n"


def run(args) -> int:
    if args.top < 1:
        raise CliError("--top must be at least 1")
    from composer.cli.reading import read_input

    path = Path(args.input)
    loaded = load(args.model)
    if loaded.info.model_kind is not None and loaded.info.model_kind.data == "abc":
        if path.suffix.lower() == ".abc":
            text = tune_text(path, args)
        else:
            from composer.music.abc import score_to_abc

            text = score_to_abc(read_input(path, **tune_selection(args)))
        result = inspect_text(loaded, text, args.layer, args.neuron, args.top)
        print(json.dumps(result, ensure_ascii=False) if args.json else text_summary(result))
        return 0
    score = read_input(path, **tune_selection(args))
    result = inspect_events(loaded, score, args.bar, args.top)
    print(json.dumps(result, ensure_ascii=False) if args.json else event_summary(result))
    return 0


def inspect_text(loaded, text: str, layer: int, neuron: int | None, top: int) -> dict:
    from composer.generation.inspection import TextInspector, text_inspector

    base = text_inspector(loaded)
    inspector = TextInspector(base.model, base.vocab, top_k=top)
    view = inspector.read(text)
    if neuron is None:
        view.check_unit(layer, 0)
        ranked = [u for u in view.most_active(view.layers * view.units) if u[0] == layer]
        neuron = ranked[0][1] if ranked else 0
    activation = view.activation(layer, neuron)
    positions = []
    for i, ch in enumerate(text):
        positions.append({
            "index": i, "char": ch, "bits": round(float(view.bits[i]), 4),
            "known": not bool(view.unknown[i]),
            "next": [{"char": g.token, "prob": round(g.prob, 5)} for g in view.guesses(i)],
            "activation": round(float(activation[i]), 5),
        })
    return {
        "model": loaded.info.name, "kind": loaded.info.kind, "text": text,
        "chars": len(text), "bits_per_char": round(view.bits_per_char, 5),
        "layer": layer, "neuron": neuron, "layers": view.layers, "neurons": view.units,
        "most_active": [{"layer": a, "neuron": b, "std": round(s, 5)}
                        for a, b, s in view.most_active(10)],
        "positions": positions,
    }


def _where(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return f"line {line}, column {column}"


def text_summary(result: dict) -> str:
    from composer.generation.inspection import char_label

    text, positions = result["text"], result["positions"]
    lines = [f"{result['model']}: {result['chars']} characters, "
             f"{result['bits_per_char']:.3f} bits per character"]
    worst = sorted(positions, key=lambda p: -p["bits"])[:8]
    if worst:
        lines.append("most surprising (a typo is often among them):")
    for p in worst:
        i = p["index"]
        expected = positions[i - 1]["next"] if i > 0 else []
        guess = ", ".join(f"{char_label(g['char'])} {g['prob']:.0%}" for g in expected[:3])
        unknown = " (a character the model never saw)" if not p["known"] else ""
        lines.append(f"  {_where(text, i)}: {char_label(p['char'])!s} {p['bits']:.1f} bits"
                     f"{unknown}" + (f"; expected {guess}" if guess else ""))
    lines.append("most varying neurons (layer:neuron std): " + ", ".join(
        f"{a['layer']}:{a['neuron']} {a['std']:.2f}" for a in result["most_active"][:6]))
    lines.append(f"neuron {result['layer']}:{result['neuron']} is shown with --json")
    return "\n".join(lines)


def inspect_events(loaded, score, bar: int | None, top: int) -> dict:
    from composer.cli.continue_ import bar_range_ticks
    from composer.generation.inspection import next_events

    if bar is None:
        tick = score.length
    else:
        first, _ = bar_range_ticks(score, bar, None)
        tick = first
        if tick == 0:
            raise CliError(f"--bar {bar} is the first bar: the model needs some music "
                           "before the position to guess from")
    view = next_events(loaded, score, tick, top)
    return {
        "model": loaded.info.name, "kind": loaded.info.kind, "tick": view.tick, "bar": bar,
        "next": [{"event": g.label, "prob": round(g.prob, 5)} for g in view.guesses],
        "events": [{"event": e.label, "bits": round(e.bits, 4), "tick": e.tick,
                    "pitches": list(e.pitches)} for e in view.events],
        "bits_per_event": round(view.bits_per_event, 5) if view.events else None,
    }


def event_summary(result: dict) -> str:
    where = f"bar {result['bar']}" if result["bar"] is not None else "the end of the tune"
    lines = [f"{result['model']} at {where} (tick {result['tick']}): next event"]
    lines += [f"  {g['prob']:6.1%}  {g['event']}" for g in result["next"]]
    if result["events"]:
        lines.append(f"{len(result['events'])} events read before it, "
                     f"{result['bits_per_event']:.2f} bits each on average")
    return "\n".join(lines)
