"""MIDI round trips and repeat expansion over the corpora in ../shared/data.

1. Score -> MIDI -> Score keeps every note: every Nottingham and piano-midi.de file
   is read, written with :func:`midi_bytes` and read again; notes (start, end, pitch,
   velocity per track), chord symbols, meters, keys and tempos must be equal.
2. Once the ABC reader exists: each Nottingham tune's ABC, repeats expanded, against
   the corpus MIDI file (made by a music21 pipeline: pickups padded to a full bar,
   1024 ticks per beat). ``style="nottingham"`` should match note for note;
   ``style="abc"`` (how musicians read repeats, every part played) differs where
   the corpus keeps only the first part or music21 reads a second ``:|`` with no
   ``|:`` as "everything again"; both counts are printed. Tied notes (split in the
   corpus files, one note in a score) are compared as one sounding note. "Every
   onset in place" ignores pitch: it isolates the repeat and part logic from the
   reader's accidentals.

Run: ``.venv/bin/python bench/midi.py [--limit N]`` (about a minute for everything).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from composer.music.errors import MusicError  # noqa: E402
from composer.music.midi import midi_bytes, read_midi, read_midi_bytes  # noqa: E402
from composer.music.repeats import expand_repeats  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def same(a, b) -> str:
    """'' when two scores hold the same music, else what differs."""
    if [t.notes for t in a.tracks] != [t.notes for t in b.tracks]:
        return "notes"
    if a.chords != b.chords:
        return "chords"
    if (a.meters, a.keys) != (b.meters, b.keys):
        return "meter/key"
    if [(t.tick, round(t.qpm, 2)) for t in a.tempos] != [(t.tick, round(t.qpm, 2))
                                                          for t in b.tempos]:
        return "tempo"
    return ""


def round_trip(files: list[Path], label: str) -> None:
    ok, notes, failures = 0, 0, []
    t = time.perf_counter()
    for f in files:
        try:
            score = read_midi(f)
            back = read_midi_bytes(midi_bytes(score))
        except MusicError as e:
            failures.append((f.name, str(e)))
            continue
        diff = same(score, back)
        if diff:
            failures.append((f.name, diff))
        else:
            ok += 1
            notes += sum(len(tr.notes) for tr in score.tracks)
    dt = time.perf_counter() - t
    print(f"{label}: Score -> MIDI -> Score identical for {ok}/{len(files)} files "
          f"({notes} notes) in {dt:.1f} s")
    for name, why in failures[:10]:
        print(f"  {name}: {why}")


def sounding(notes) -> list[tuple[int, int]]:
    """(start, pitch) of each sounding note, same-pitch notes that touch merged:
    the corpus files split tied notes, our scores hold a tie as one note."""
    out: list[list[int]] = []
    for n in sorted(notes):
        for prev in reversed(out[-6:]):
            if prev[2] == n.pitch and prev[1] == n.start:
                prev[1] = n.end
                break
        else:
            out.append([n.start, n.end, n.pitch])
    return sorted((a, p) for a, _, p in out)


def abc_against_midi(limit: int | None) -> None:
    try:
        from composer.music.abc import read_abc
    except ImportError:
        print("ABC vs corpus MIDI: skipped (composer.music.abc has not landed yet)")
        return

    counts = {"nottingham": 0, "abc": 0}
    onsets = {"nottingham": 0, "abc": 0}
    misses: dict[str, list[str]] = {"nottingham": [], "abc": []}
    total = 0
    for abc_file in sorted((DATA / "nottingham" / "abc").glob("*.abc")):
        text = abc_file.read_text(encoding="latin-1")
        for x in re.findall(r"^X:\s*(\d+)", text, flags=re.M):
            mid = DATA / "nottingham" / "midi" / f"{abc_file.stem}{x}.mid"
            if not mid.exists() or (limit and total >= limit):
                continue
            total += 1
            try:
                score = read_abc(text, x=int(x))
                want = sounding(read_midi(mid).tracks[0].notes)
            except MusicError as e:
                for style in counts:
                    misses[style].append(f"{mid.stem} ({e})")
                continue
            for style in counts:
                got = expand_repeats(score, style=style)
                melody = got.track("melody") or got.tracks[0]
                notes = sounding(melody.notes)
                if notes and want:
                    shift = want[0][0] - notes[0][0]  # the corpus pads the pickup bar
                    notes = [(s + shift, p) for s, p in notes]
                same_times = len(notes) == len(want) and all(
                    abs(a[0] - b[0]) <= 2 for a, b in zip(notes, want))
                onsets[style] += same_times
                if same_times and all(a[1] == b[1] for a, b in zip(notes, want)):
                    counts[style] += 1
                else:
                    misses[style].append(mid.stem)
    for style, n in counts.items():
        print(f"ABC -> expand_repeats(style={style!r}) vs corpus MIDI melody: {n}/{total} "
              f"tunes note for note; {onsets[style]}/{total} with every onset in place")
        if misses[style]:
            print(f"  first misses: {', '.join(misses[style][:12])}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, help="at most N files per corpus")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} not found: nothing to measure")
        return 0
    notts = sorted((DATA / "nottingham" / "midi").glob("*.mid"))[: args.limit]
    piano = sorted((DATA / "piano-midi").rglob("*.mid"))[: args.limit]
    round_trip(notts, "Nottingham")
    round_trip(piano, "piano-midi.de")
    abc_against_midi(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
