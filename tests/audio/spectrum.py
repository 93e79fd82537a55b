"""Pitch from a stretch of audio, for checking what a render sounds like."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 44100


def salience(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, low: int = 28,
             high: int = 100, max_freq: float = 20000.0) -> dict[int, float]:
    """For each MIDI pitch, the weighted sum of the spectrum's peaks at its first six
    harmonics (weights 0.8^k) below ``max_freq`` Hz: high for the pitch that sounds,
    lower for its octaves and fifths (whose harmonic series only partly line up)."""
    x = np.asarray(samples, dtype=float)
    if x.ndim == 2:
        x = x.mean(axis=1)
    n = 1 << 16
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=n))
    freqs = np.fft.rfftfreq(n, 1 / sample_rate)

    def peak(f: float) -> float:
        a, b = np.searchsorted(freqs, f * 0.985), np.searchsorted(freqs, f * 1.015) + 1
        return float(spectrum[a:b].max()) if a < len(spectrum) and b > a else 0.0

    def score(p: int) -> float:
        f0 = 440 * 2 ** ((p - 69) / 12)
        return sum(0.8 ** k * peak(f0 * (k + 1)) for k in range(6) if f0 * (k + 1) <= max_freq)

    return {p: score(p) for p in range(low, high)}


def dominant_pitch(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> int:
    s = salience(samples, sample_rate)
    return max(s, key=s.get)


def rms(samples: np.ndarray) -> float:
    x = np.asarray(samples, dtype=float)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def window(samples: np.ndarray, start: float, end: float,
           sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Samples between ``start`` and ``end`` seconds."""
    return samples[int(start * sample_rate):int(end * sample_rate)]
