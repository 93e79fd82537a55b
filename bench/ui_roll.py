"""Piano roll frame times with a 20,000-note score (goal: <= 16 ms a frame).

Renders the real widget offscreen (QT_QPA_PLATFORM=offscreen unless a display is
set) at 1600x900 and times synchronous repaints (``QWidget.repaint``: the
background cache, both note layers, foreground, ruler and keyboard) after each
step of a scroll, a zoom, a note drag and a zoom of the whole-score overview; a
playhead move is timed as Qt paints it in the app (only the dirty strips). The same steps on a
500-note score are the baseline measured in the same run (ratio = 20,000-note
CPU time / baseline CPU time). Both wall and CPU time are printed: on a shared,
busy machine the wall time also counts waiting for a core.

    python bench/ui_roll.py [--notes 20000] [--frames 60]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from composer.music.score import Barline, ChordSymbol, MeterChange, Note, Score, Track  # noqa: E402
from composer.ui.piano_roll import PianoRoll  # noqa: E402
from composer.ui.piano_roll.painting import Shift  # noqa: E402

GOAL_MS = 16.0
Q = 480
BAR = 4 * Q


def make_score(n_notes: int, seed: int = 0) -> Score:
    """A four-track score of about ``n_notes`` notes: a melody of eighths, a
    two-voice accompaniment, and a bass on every beat (16 notes a bar)."""
    rng = random.Random(seed)
    bars = max(1, n_notes // 16)
    mel, acc, bass, piano = [], [], [], []
    for b in range(bars):
        t = b * BAR
        for k in range(8):
            mel.append(Note(t + k * 240, t + k * 240 + 220, rng.randint(62, 84),
                            rng.randint(50, 120)))
        for k in range(2):
            acc.append(Note(t + k * 960, t + k * 960 + 900, rng.randint(52, 64)))
        for k in range(4):
            bass.append(Note(t + k * Q, t + k * Q + 440, rng.randint(36, 48)))
        for k in range(2):
            piano.append(Note(t + k * 960, t + k * 960 + 900, rng.randint(55, 72)))
    return Score(
        title="bench",
        tracks=(Track("Melody", tuple(mel)), Track("Acc", tuple(acc), role="accompaniment"),
                Track("Bass", tuple(bass), role="bass"),
                Track("Piano", tuple(piano), role="piano")),
        chords=tuple(ChordSymbol(b * BAR, "CFGAm"[b % 4]) for b in range(bars)),
        meters=(MeterChange(0, 4, 4),),
        barlines=tuple(Barline(b * BAR) for b in range(1, bars + 1)),
    )


class PaintCounter(QObject):
    """Counts paint events of the widgets it filters (to check a frame was drawn)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def frame_ms(roll: PianoRoll, step, incremental: bool = False) -> tuple[float, float]:
    """Run ``step``, then paint: ``(wall, cpu)`` milliseconds (cpu: this process's
    CPU time in all its threads, which other processes on a busy machine do not
    inflate). A full frame repaints the whole roll synchronously; an incremental
    one lets Qt paint only what ``step`` marked dirty (as it does in the app)."""
    t, c = time.perf_counter(), time.process_time()
    step()
    if incremental:
        QApplication.processEvents()
    else:
        roll.repaint()
    return (time.perf_counter() - t) * 1e3, (time.process_time() - c) * 1e3


def scenario(roll: PianoRoll, frames: int) -> dict[str, list[tuple[float, float]]]:
    app = QApplication.instance()
    view = roll.view()
    h = view.horizontalScrollBar()
    out: dict[str, list[tuple[float, float]]] = {}

    def run(name, step, incremental=False):
        for _ in range(3):  # warm-up
            frame_ms(roll, step, incremental)
        counter = PaintCounter()
        view.viewport().installEventFilter(counter)
        out[name] = [frame_ms(roll, step, incremental) for _ in range(frames)]
        view.viewport().removeEventFilter(counter)
        if counter.count < frames:
            raise SystemExit(f"{name}: only {counter.count} of {frames} frames were painted")
        app.processEvents()

    # normal editing zoom: a quarter = 40 px, a semitone = 12 px
    roll.set_zoom(40, 12)
    roll.scroll_to_pitch(62)
    h.setValue(h.maximum() // 3)
    page = view.viewport().width() // 12
    direction = [1]

    def scroll():
        if h.value() + page > h.maximum() or h.value() - page < 0:
            direction[0] *= -1
        h.setValue(h.value() + direction[0] * page)

    run("scroll (40 px/quarter)", scroll)
    centre = QPointF(view.viewport().width() / 2, view.viewport().height() / 2)
    zoom_dir = [1.15]

    def zoom():
        zx = roll.zoom()[0]
        if zx > 160 or zx < 10:
            zoom_dir[0] = 1 / zoom_dir[0]
        view.zoom_by(zoom_dir[0], 1.0, centre)

    run("zoom (Ctrl+wheel steps)", zoom)
    roll.set_zoom(40, 12)
    start = int(view.x_to_tick(0))
    tick = [start]

    def playhead():
        tick[0] += 16  # ~30 updates a second at 120 qpm
        roll.set_playhead(tick[0])

    run("playhead move (incremental)", playhead, incremental=True)
    shown = view.state.index.query(view.x_to_tick(0), view.x_to_tick(200))
    view.state.select_positions(shown[:8])
    dt = [0]

    def drag():
        dt[0] = (dt[0] + 60) % 1920
        view.state.shift = Shift(dt=dt[0], dp=1)
        view.viewport().update()

    run("note drag preview", drag)
    view.state.shift = None
    roll.zoom_to_fit()
    fit = [1.0]

    def overview():
        fit[0] = 1 / fit[0] if fit[0] != 1.0 else 1.02
        view.zoom_by(fit[0], 1.0, centre)

    run("overview zoom (all notes)", overview)
    h.setValue(0)
    return out


def measure(n_notes: int, frames: int) -> tuple[float, dict]:
    score = make_score(n_notes)
    roll = PianoRoll()
    roll.resize(1600, 900)
    roll.show()
    QApplication.instance().processEvents()
    t = time.perf_counter()
    roll.set_score(score)
    roll.zoom_to_fit()
    roll.repaint()
    load_ms = (time.perf_counter() - t) * 1e3
    results = scenario(roll, frames)
    roll.close()
    roll.deleteLater()
    return load_ms, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--baseline-notes", type=int, default=500)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    app.processEvents()
    base_load, base = measure(args.baseline_notes, args.frames)
    load, big = measure(args.notes, args.frames)
    notes = sum(len(t.notes) for t in make_score(args.notes).tracks)
    load_avg = os.getloadavg()[0]
    print(f"piano roll, 1600x900 offscreen, {args.frames} frames per step; "
          f"PySide6 {__import__('PySide6').__version__}; load average {load_avg:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"load + first frame: {load:.0f} ms for {notes} notes "
          f"(baseline {base_load:.0f} ms for {args.baseline_notes})")
    print(f"{'step':30s} {'wall med':>8s} {'p95':>6s} {'cpu med':>8s} {'p95':>6s}  "
          f"{'baseline':>8s} {'ratio':>6s}  goal {GOAL_MS:.0f} ms (cpu p95)")
    worst_wall = worst_cpu = 0.0
    for name, frames_ in big.items():
        wall = sorted(w for w, _ in frames_)
        cpu = sorted(c for _, c in frames_)
        p95 = int(0.95 * (len(wall) - 1))
        base_cpu = statistics.median(c for _, c in base[name])
        med_cpu = statistics.median(cpu)
        worst_wall, worst_cpu = max(worst_wall, wall[p95]), max(worst_cpu, cpu[p95])
        print(f"{name:30s} {statistics.median(wall):8.1f} {wall[p95]:6.1f} {med_cpu:8.1f} "
              f"{cpu[p95]:6.1f}  {base_cpu:8.1f} {med_cpu / base_cpu if base_cpu else 0:5.2f}x  "
              f"{'ok' if cpu[p95] <= GOAL_MS else 'OVER'}")
    print(f"worst p95 frame: {worst_cpu:.1f} ms CPU, {worst_wall:.1f} ms wall "
          f"({'meets' if worst_cpu <= GOAL_MS else 'misses'} the {GOAL_MS:.0f} ms goal in CPU time"
          f"{'' if worst_wall <= GOAL_MS else '; wall time is over it on this loaded machine'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
