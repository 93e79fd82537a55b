"""``composer info IN``: the tunes of an ABC file (or the one tune of a MIDI/MusicXML file);
the warnings of the tunes that read (lengths rounded to whole ticks) go to stderr."""

from __future__ import annotations

import json
from pathlib import Path

from composer.cli.reading import print_warnings
from composer.music.io import ABC_EXTENSIONS, read_score, read_text


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="list the tunes in a file",
                       description="List the tunes of IN: index, X:, title, meter, key, bars.")
    p.add_argument("input", metavar="IN")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def run(args) -> int:
    path = Path(args.input)
    if path.suffix.lower() in ABC_EXTENSIONS:
        from composer.music.abc import list_tunes

        warnings = []
        rows = [t.as_dict() for t in list_tunes(read_text(path), source=path.name,
                                                warnings=warnings)]
        if all(r.get("error") for r in rows):
            read_score(path)  # no tune reads: fail with the first one's error
        print_warnings(warnings, args.input)
    else:
        score = read_score(path)
        rows = [{
            "index": 1, "x": None, "title": score.title or path.stem,
            "meter": str(score.meters[0]), "key": str(score.keys[0]), "bars": len(score.bars()),
        }]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'#':>4} {'X:':>5}  {'meter':<6} {'key':<12} {'bars':>5}  title")
    for r in rows:
        x = "" if r["x"] is None else r["x"]
        bars = "?" if r["bars"] is None else r["bars"]
        error = f"  (cannot read: {r['error']})" if r.get("error") else ""
        print(f"{r['index']:>4} {x:>5}  {r['meter']:<6} {r['key']:<12} {bars:>5}  "
              f"{r['title']}{error}")
    return 0
