"""Audio speed: SoundFont load time, time from play() to the first sound, offline
render speed.

Goal: first sound <= 50 ms after play() (abcjs users report 3-5 s, because it
synthesizes the whole tune before playing). The baseline measured in the same run
is that render-first design: rendering the whole tune offline before the first
sample can play.

Play-to-sound is measured through FluidSynth's ``file`` driver, which is paced by a
timer like a sound card: the first non-silent sample's time in the WAV, minus the
synth clock at the moment play() was called. A real device adds its buffer
(``audio.period-size`` x ``audio.periods`` frames), printed beside it.

Run: ``.venv/bin/python bench/audio.py`` (about 15 s).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from composer.audio.errors import AudioError  # noqa: E402
from composer.audio.player import Player  # noqa: E402
from composer.audio.render import render_score  # noqa: E402
from composer.audio.soundfont import SYSTEM_SOUNDFONTS, bundled_soundfont  # noqa: E402
from composer.audio.synth import FluidSynth  # noqa: E402
from composer.music.score import (  # noqa: E402
    Barline,
    ChordSymbol,
    MeterChange,
    Note,
    Score,
    TempoChange,
    Track,
)

Q = 480
NOTTINGHAM = Path(__file__).resolve().parents[2] / "shared" / "data" / "nottingham" / "midi"


def reel() -> Score:
    """A 16-bar reel with chords, both parts repeated (64 bars played, ~64 s)."""
    melody, chords = [], []
    for bar in range(16):
        for i in range(8):
            t = bar * 4 * Q + i * Q // 2
            melody.append(Note(t, t + Q // 2, 62 + (bar * 3 + i * 2) % 14))
        chords.append(ChordSymbol(bar * 4 * Q, ("D", "G", "A7", "Bm")[bar % 4]))
    return Score(title="Bench Reel", tracks=(Track("Melody", tuple(melody), "melody"),),
                 chords=tuple(chords), meters=(MeterChange(0, 4, 4),),
                 tempos=(TempoChange(0, 120.0),),
                 barlines=(Barline(32 * Q, ":|"), Barline(64 * Q, ":|")))


def soundfonts() -> list[Path]:
    found = []
    bundled = bundled_soundfont()
    if bundled:
        found.append(bundled)
    for p in SYSTEM_SOUNDFONTS:
        path = Path(p)
        if path.is_file() and path.resolve() not in {f.resolve() for f in found}:
            found.append(path)
    return found


def time_load(path: Path, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        synth = FluidSynth(path)
        times.append(time.perf_counter() - t)
        synth.close()
    return statistics.median(times)


def play_to_sound(path: Path, score: Score, repeats: int = 5) -> tuple[list[float], str]:
    """Seconds from play() to the first non-silent sample, ``repeats`` times."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats):
            wav = Path(tmp) / f"run{k}.wav"
            with FluidSynth(path) as synth:
                synth.start_audio("file", str(wav))
                player = Player(synth, clock=synth)
                player.load(score)
                time.sleep(0.2 + 0.013 * k)  # land at different points of a period
                at_play = synth.now()
                player.play(0)
                time.sleep(0.25)
                player.stop()
                buffer = (f"{synth._synth.get_setting('audio.period-size')} x "
                          f"{synth._synth.get_setting('audio.periods')} frames")
                synth.stop_audio()
                rate = synth.sample_rate
            with wave.open(str(wav)) as w:
                samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
            loud = np.nonzero(np.abs(samples.reshape(-1, 2)).max(axis=1) > 64)[0]
            out.append(loud[0] / rate - at_play if len(loud) else float("nan"))
    return out, buffer


def main() -> int:
    fonts = soundfonts()
    if not fonts:
        print("no SoundFont installed: nothing to measure")
        return 0
    try:
        print("SoundFont load (FluidSynth + sfload, median of 3):")
        for path in fonts:
            size = path.stat().st_size / 1e6
            name = path.name if path.resolve().name == path.name else \
                f"{path.name} -> {path.resolve().name}"
            print(f"  {name:<36} {size:7.1f} MB  {time_load(path) * 1000:8.1f} ms")
    except AudioError as e:
        print(f"audio unavailable: {e}")
        return 0

    score = reel()
    font = fonts[0]
    latencies, buffer = play_to_sound(font, score)
    median = statistics.median(latencies)
    print(f"\nplay() -> first non-silent sample ({font.name}, 5 runs): median "
          f"{median * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms (goal <= 50 ms)")
    rate = 44100
    print(f"  a sound card adds its buffer: {buffer} "
          f"(FluidSynth's default: 64 x 16 = {64 * 16 / rate * 1000:.1f} ms at 44.1 kHz)")

    t = time.perf_counter()
    audio = render_score(score, soundfont=font, tail=0.5)
    render_first = time.perf_counter() - t
    seconds = len(audio) / rate
    print(f"\nbaseline, render-first (what abcjs does): {render_first * 1000:.0f} ms before the "
          f"first sample of a {seconds:.0f} s tune; ratio {render_first / median:.0f}x slower "
          f"than play()")
    print(f"offline render speed: {seconds / render_first:.0f}x real time")
    cold = time_load(font, 1) + median
    print(f"cold start (load {font.name} + play): {cold * 1000:.0f} ms")
    if NOTTINGHAM.is_dir():
        from composer.music.midi import read_midi

        files = sorted(NOTTINGHAM.glob("*.mid"))[:50]
        t = time.perf_counter()
        total = sum(len(render_score(read_midi(f), soundfont=font, tail=0)) for f in files)
        dt = time.perf_counter() - t
        print(f"render 50 Nottingham tunes: {total / rate:.0f} s of music in {dt:.1f} s "
              f"({total / rate / dt:.0f}x real time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
