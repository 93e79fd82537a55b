"""Round trips over the 976 Nottingham tunes in ../shared/data (skipped, with the reason
printed, when the data is absent).

1. ABC -> Score -> our ABC -> Score: notes (pitch, onset, duration, per track) and
   chord symbols (onset, text) identical; and music21 reads our ABC to the same notes.
   For reference, music21 reading the *original* files is compared with our reader.
2. Score -> MIDI bytes -> Score keeps every note of the repeat-expanded score, and
   ``composer convert`` ABC -> MIDI -> ABC matches the expanded tune note for note.
   ``composer convert`` ABC -> MIDI -> ABC -> MIDI: both MIDI files hold the same
   notes (track, channel, start, end, pitch and velocity, chord voicings included),
   and the ABC written from MIDI carries no play order (no header ``P:`` order, no
   ``Y:``): its repeats are already played out.
3. Our repeat expansion (``style="nottingham"``) against the corpus's own MIDI melody
   (made by a music21 pipeline that carries no accidental through the bar: the tunes
   are also read that way, with ``%%propagate-accidentals not``).
Speed: our reader and music21 on the same tunes, milliseconds per tune and the ratio.

    python bench/roundtrip.py [--limit N] [--no-music21] [--parts 123]

Every miss is listed with its reason. Takes about 4 minutes with music21 (2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import mido
from _data import require_nottingham

from composer.cli.main import main as composer
from composer.music.abc import read_abc, score_to_abc, split_tunes
from composer.music.errors import MusicError
from composer.music.m21 import read_abc_with_music21
from composer.music.midi import midi_bytes, read_midi, read_midi_bytes
from composer.music.repeats import expand_repeats


def tunes(data: Path, limit: int | None):
    """(id, file, tune text) for every tune, e.g. ("jigs12", .../jigs.abc, "X: 12...")."""
    n = 0
    for path in sorted((data / "abc").glob("*.abc")):
        for tune in split_tunes(path.read_text(encoding="latin-1")):
            if limit is not None and n >= limit:
                return
            n += 1
            yield f"{path.stem}{tune.x}", path, tune


def notes_of(score):
    return [[(n.start, n.end, n.pitch) for n in t.notes] for t in score.tracks]


def all_notes(score):
    return sorted((n.start, n.end, n.pitch) for n in score.notes)


def first_difference(a, b) -> str:
    for x, y in zip(a, b):
        if x != y:
            return f"{x} became {y}"
    return f"{len(a)} notes became {len(b)}"


def merged_ties(notes, reference):
    """``notes`` with touching same-pitch notes joined wherever one note of
    ``reference`` covers them all (music21's ABC reader drops ties between chords)."""
    spans: dict[tuple[int, int], int] = {}
    for a, b, p in reference:
        spans[(a, p)] = max(b, spans.get((a, p), b))
    out: list[tuple[int, int, int]] = []
    open_: dict[int, int] = {}  # pitch -> index in out of a note still growing
    for a, b, p in sorted(notes):
        i = open_.get(p)
        if i is not None and out[i][1] == a and b <= spans.get((out[i][0], p), -1):
            out[i] = (out[i][0], b, p)
            continue
        open_[p] = len(out)
        out.append((a, b, p))
    return sorted(out)


def music21_quirk(tune: str, ours, theirs) -> str:
    """Why music21 reads an original tune differently, where a known music21 defect
    explains it."""
    body = tune.split("\nK:", 1)[-1]
    if re.search(r"[A-Ga-g][,']*::", body):
        return "music21 drops the notes around a '::' written right after a note letter"
    a = merged_ties(theirs, ours)
    lost = sorted(set(ours) - set(a))
    extra = sorted(set(a) - set(ours))
    if lost and len(lost) == len(extra) and all(x[:2] == y[:2] for x, y in zip(lost, extra)):
        return ("music21 carries no accidental into a chord (first at tick "
                f"{lost[0][0]}: {lost[0][2]} read as {extra[0][2]})")
    return first_difference(ours, theirs)


def report(label: str, ok: int, total: int, misses: list[str], limit: int = 40) -> None:
    print(f"{label}: {ok}/{total}")
    for m in misses[:limit]:
        print(f"  miss {m}")
    if len(misses) > limit:
        print(f"  ... and {len(misses) - limit} more")


def part1(items, use_music21: bool) -> dict:
    ok, read_fail, misses = 0, [], []
    m21_ok, m21_lenient, m21_misses = 0, 0, []
    orig_ok, orig_misses = 0, []
    ours_time = m21_time = 0.0
    readable = 0
    for tid, _path, tune in items:
        t = time.perf_counter()
        try:
            first = read_abc(tune)
        except MusicError as e:
            read_fail.append(f"{tid}: cannot read: {e}")
            continue
        ours_time += time.perf_counter() - t
        readable += 1
        text = score_to_abc(first, x=tune.x or 1)
        try:
            second = read_abc(text)
        except MusicError as e:
            misses.append(f"{tid}: our output does not read back: {e}")
            continue
        if notes_of(second) != notes_of(first):
            misses.append(f"{tid}: notes differ: "
                          f"{first_difference(all_notes(first), all_notes(second))}")
        elif sorted(second.chords) != sorted(first.chords):
            misses.append(f"{tid}: chord symbols differ")
        else:
            ok += 1
        if not use_music21:
            continue
        try:
            theirs = all_notes(read_abc_with_music21(text))
        except MusicError as e:
            m21_misses.append(f"{tid}: music21 cannot read our output: {e}")
            continue
        want = all_notes(first)
        if theirs == want:
            m21_ok += 1
            m21_lenient += 1
        elif merged_ties(theirs, want) == want:
            m21_lenient += 1
            m21_misses.append(f"{tid}: same notes once ties between chords are joined "
                              "(music21's ABC reader drops chord ties)")
        else:
            m21_misses.append(f"{tid}: {first_difference(want, theirs)}")
        t = time.perf_counter()
        try:
            original = all_notes(read_abc_with_music21(tune, propagate="octave"))
        except MusicError as e:
            orig_misses.append(f"{tid}: {e}")
            continue
        finally:
            m21_time += time.perf_counter() - t
        if original == want or merged_ties(original, want) == want:
            orig_ok += 1
        else:
            orig_misses.append(f"{tid}: {music21_quirk(tune, want, original)}")
    total = readable + len(read_fail)
    report("1. ABC -> Score -> our ABC -> Score, notes and chord symbols identical",
           ok, total, read_fail + misses)
    if use_music21:
        report("1b. music21 reads our ABC to the same notes", m21_ok, readable, m21_misses)
        print(f"    ... {m21_lenient}/{readable} counting ties music21 drops between chords")
        report("1c. (reference) music21 on the original files agrees with our reader",
               orig_ok, readable, orig_misses, limit=12)
        reasons = Counter(m.split(": ", 1)[1].split(" (first")[0] for m in orig_misses)
        for reason, n in reasons.most_common():
            print(f"    {n:4d} x {reason}")
        print(f"    speed: our reader {1000 * ours_time / readable:.1f} ms/tune, music21 "
              f"{1000 * m21_time / readable:.1f} ms/tune: ours is "
              f"{m21_time / max(ours_time, 1e-9):.0f}x faster")
    else:
        print(f"    speed: our reader {1000 * ours_time / max(readable, 1):.1f} ms/tune")
    return {"ok": ok, "total": total}


def midi_notes(data: bytes) -> dict[str, list[tuple[int, int, int, int, int]]]:
    """Every note of a MIDI file by track name: (start, end, pitch, velocity, channel)
    in file ticks, read with mido (not with our reader)."""
    midi = mido.MidiFile(file=io.BytesIO(data))
    out: dict[str, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    for i, track in enumerate(midi.tracks):
        name, now, sounding = f"track {i}", 0, {}
        for msg in track:
            now += msg.time
            if msg.type == "track_name":
                name = msg.name
            elif msg.type == "note_on" and msg.velocity > 0:
                sounding[(msg.channel, msg.note)] = (now, msg.velocity)
            elif msg.type in ("note_on", "note_off") and (msg.channel, msg.note) in sounding:
                start, velocity = sounding.pop((msg.channel, msg.note))
                out[name].append((start, now, msg.note, velocity, msg.channel))
    return {k: sorted(v) for k, v in out.items()}


def midi_difference(a: dict, b: dict) -> str:
    if sorted(a) != sorted(b):
        return f"tracks {sorted(a)} became {sorted(b)}"
    for name in a:
        if len(a[name]) != len(b[name]):
            return f"{name}: {len(a[name])} notes became {len(b[name])}"
        if a[name] != b[name]:
            return f"{name}: {first_difference(a[name], b[name])}"
    return "same"


PLAY_ORDER_LINE = re.compile(r"^(Y:.*|P:.*)$", re.M)


def play_order_lines(abc: str) -> list[str]:
    """Header lines of ``abc`` that give a play order (``P:`` before ``K:``, ``Y:``)."""
    header = abc.split("\nK:", 1)[0]
    return PLAY_ORDER_LINE.findall(header)


def part2(items) -> None:
    ok, misses, cli_ok, cli_misses, total = 0, [], 0, [], 0
    again_ok, again_misses, ordered = 0, [], 0
    with tempfile.TemporaryDirectory() as tmp:
        mid, back = Path(tmp) / "t.mid", Path(tmp) / "back.abc"
        mid2 = Path(tmp) / "again.mid"
        for tid, path, tune in items:
            try:
                score = read_abc(tune)
            except MusicError as e:
                again_misses.append(f"{tid}: cannot read: {e}")
                continue
            total += 1
            want = expand_repeats(score)
            got = read_midi_bytes(midi_bytes(score))
            names = {t.name: t for t in got.tracks}
            same = all(names.get(t.name) is not None and names[t.name].notes == t.notes
                       for t in want.tracks)
            if same and got.chords == want.chords:
                ok += 1
            else:
                misses.append(f"{tid}: {'notes' if not same else 'chord symbols'} differ")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = composer(["convert", str(path), str(mid), "--tune", str(tune.x)])
                code = code or composer(["convert", str(mid), str(back)])
            if code:
                cli_misses.append(f"{tid}: composer convert failed: {err.getvalue().strip()}")
                again_misses.append(cli_misses[-1])
                continue
            again = read_abc(back.read_text())
            if notes_of(again)[: len(want.tracks)] == notes_of(want) and \
                    sorted(again.chords) == sorted(want.chords):
                cli_ok += 1
            else:
                cli_misses.append(f"{tid}: {first_difference(all_notes(want), all_notes(again))}")
            ordered += bool(re.search(r"^[PY]:", tune.split("\nK:", 1)[0], re.M))
            with contextlib.redirect_stderr(err):
                code = composer(["convert", str(back), str(mid2)])
            if code:
                again_misses.append(f"{tid}: composer convert failed: {err.getvalue().strip()}")
                continue
            first, second = midi_notes(mid.read_bytes()), midi_notes(mid2.read_bytes())
            lines = play_order_lines(back.read_text())
            if first == second and not lines:
                again_ok += 1
            else:
                why = [] if first == second else [midi_difference(first, second)]
                why += [f"the ABC from MIDI carries {' '.join(lines)}"] if lines else []
                again_misses.append(f"{tid}: {'; '.join(why)}")
    report("2a. Score -> MIDI -> Score keeps every note (repeats expanded)", ok, total, misses)
    report("2b. composer convert ABC -> MIDI -> ABC matches the expanded tune note for note",
           cli_ok, total, cli_misses)
    report("2c. ABC->MIDI->ABC->MIDI identical notes (start, end, pitch, velocity, channel), "
           "no play order in the ABC from MIDI", again_ok, len(items), again_misses)
    print(f"    ... {ordered}/{total} readable tunes have a P: or Y: header line")


def sounding(notes) -> list[tuple[int, int, int]]:
    """(start, end, pitch) as the corpus melody holds them: the top note of a chord
    only, touching same-pitch notes joined (the corpus splits ties)."""
    top: dict[int, object] = {}
    for n in notes:
        if n.start not in top or n.pitch > top[n.start].pitch:
            top[n.start] = n
    out: list[list[int]] = []
    for n in sorted(top.values()):
        for prev in reversed(out[-6:]):
            if prev[2] == n.pitch and prev[1] == n.start:
                prev[1] = n.end
                break
        else:
            out.append([n.start, n.end, n.pitch])
    return sorted(tuple(x) for x in out)


def part3(items, data: Path) -> None:
    ok = {"not": 0, "octave": 0}
    misses: dict[str, list[str]] = {"not": [], "octave": []}
    total = 0
    for tid, _path, tune in items:
        mid = data / "midi" / f"{tid}.mid"
        if not mid.exists():
            continue
        total += 1
        try:
            corpus = read_midi(mid).tracks[0].notes
        except MusicError as e:
            for k in misses:
                misses[k].append(f"{tid}: corpus MIDI unreadable: {e}")
            continue
        want = [(a, p) for a, _, p in sounding(corpus)]
        matched_without_carry = False
        for mode in ok:
            try:
                score = read_abc(f"%%propagate-accidentals {mode}\n" + tune)
            except MusicError as e:
                misses[mode].append(f"{tid}: cannot read: {e}")
                continue
            got = expand_repeats(score, style="nottingham")
            melody = got.track("melody") or got.tracks[0]
            notes = [(a, p) for a, _, p in sounding(melody.notes)]
            if notes and want:
                shift = want[0][0] - notes[0][0]  # the corpus pads the pickup bar
                notes = [(a + shift, p) for a, p in notes]
            times = len(notes) == len(want) and all(
                abs(a[0] - b[0]) <= 2 for a, b in zip(notes, want))
            if times and all(a[1] == b[1] for a, b in zip(notes, want)):
                ok[mode] += 1
                matched_without_carry = mode == "not"
            elif mode == "octave" and matched_without_carry:
                misses[mode].append(f"{tid}: differs only by the accidental convention "
                                    "(matches without carrying)")
            elif times:
                bad = next(a for a, b in zip(notes, want) if a[1] != b[1])
                misses[mode].append(f"{tid}: every onset right, a pitch differs "
                                    f"(first at tick {bad[0]})")
            else:
                misses[mode].append(f"{tid}: {len(notes)} notes against the corpus's "
                                    f"{len(want)}")
    report("3. expand_repeats(style='nottingham') vs the corpus MIDI melody, reading "
           "accidentals as the corpus pipeline did (no carry)", ok["not"], total,
           misses["not"])
    report("3'. the same, accidentals carried to the bar line (ABC 2.1, our default)",
           ok["octave"], total, [m for m in misses["octave"] if "convention" not in m])
    print(f"    ... the other {sum('convention' in m for m in misses['octave'])} differ "
          "only where an accidental carries through the bar")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="only the first N tunes")
    ap.add_argument("--no-music21", action="store_true", help="skip the music21 checks")
    ap.add_argument("--parts", default="123", help="which checks to run (default 123)")
    args = ap.parse_args()
    data = require_nottingham()
    items = list(tunes(data, args.limit))
    print(f"{len(items)} tunes from {data / 'abc'}")
    t = time.perf_counter()
    if "1" in args.parts:
        part1(items, not args.no_music21)
    if "2" in args.parts:
        part2(items)
    if "3" in args.parts:
        part3(items, data)
    print(f"done in {time.perf_counter() - t:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
