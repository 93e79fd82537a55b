"""Offline rendering: a score to samples or to a WAV file, faster than real time and
with no sound device.

It is the real-time path with a different clock: the same
:class:`~composer.audio.player.Player` schedules the same events into the same
:class:`~composer.audio.synth.FluidSynth`, whose clock advances with the samples
pulled out of it here.
"""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Mapping

import numpy as np

from composer.audio.arrangement import arrange
from composer.audio.player import Player
from composer.audio.synth import SAMPLE_RATE, FluidSynth
from composer.music.atomic import atomic_write
from composer.music.score import Score

BLOCK_FRAMES = 2048
"""Frames rendered per step (46 ms at 44.1 kHz, well inside the player's lookahead)."""


def render_score(score: Score, *, soundfont: str | os.PathLike | None = None,
                 sample_rate: int = SAMPLE_RATE, programs: Mapping[str, int] | None = None,
                 chords: str | None = "pattern", tail: float = 1.0, reverb: bool = True,
                 tempo_factor: float = 1.0) -> np.ndarray:
    """Render ``score`` (repeats played) to int16 stereo samples, shape
    ``(frames, 2)``: the music's duration plus ``tail`` seconds of release."""
    arrangement = arrange(score, programs=programs, chords=chords)
    with FluidSynth(soundfont, sample_rate=sample_rate, reverb=reverb) as synth:
        player = Player(synth, clock=synth, lookahead=0.25, start_delay=0.0)
        player.set_tempo_factor(tempo_factor)
        player.load_arrangement(arrangement)
        player.play(0)
        total = int(round((arrangement.duration / player.tempo_factor + tail) * sample_rate))
        blocks = []
        done = 0
        while done < total:
            player.pump()
            n = min(BLOCK_FRAMES, total - done)
            blocks.append(synth.render(n))
            done += n
        player.stop()
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.int16)


def wav_bytes(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """A 16-bit WAV file holding ``samples`` (int16, shape ``(frames, channels)``)."""
    samples = np.asarray(samples, dtype=np.int16)
    if samples.ndim == 1:
        samples = samples[:, None]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def render_to_wav(score: Score, path: str | os.PathLike, **options) -> float:
    """Render ``score`` into the WAV file ``path`` (written atomically: complete or
    absent); returns its length in seconds. ``options`` as for :func:`render_score`."""
    sample_rate = int(options.get("sample_rate", SAMPLE_RATE))
    samples = render_score(score, **options)
    atomic_write(path, wav_bytes(samples, sample_rate))
    return len(samples) / sample_rate
