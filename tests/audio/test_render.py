"""Offline rendering, checked by ear, i.e. by spectrum: the expected pitches sound
at the expected times (no sound card needed)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from composer.audio.render import render_score, render_to_wav, wav_bytes
from composer.music.errors import ScoreWriteError
from composer.music.score import Barline, ChordSymbol, MeterChange, Note, Score, TempoChange, Track

from .spectrum import SAMPLE_RATE, dominant_pitch, rms, salience, window

Q = 480  # a quarter: 0.5 s at 120 qpm


def onset(samples: np.ndarray, near: float) -> float:
    """When the sound first reaches 20% of its level around ``near`` seconds."""
    env = np.abs(samples.astype(float).mean(axis=1))
    a = max(0, int((near - 0.05) * SAMPLE_RATE))
    seg = env[a:int((near + 0.1) * SAMPLE_RATE)]
    return (a + int(np.argmax(seg > 0.2 * seg.max()))) / SAMPLE_RATE


def test_scale_sounds_each_pitch_in_its_time(soundfont):
    pitches = [60, 62, 64, 65, 67, 69, 71, 72]
    notes = [Note(i * Q, (i + 1) * Q, p) for i, p in enumerate(pitches[:4])]
    notes += [Note((i + 6) * Q, (i + 7) * Q, p) for i, p in enumerate(pitches[4:])]  # after a rest
    score = Score(tracks=(Track("Piano", tuple(notes), "piano"),),
                  tempos=(TempoChange(0, 120.0),))
    audio = render_score(score, soundfont=soundfont)
    assert audio.dtype == np.int16 and audio.shape == (int(6.0 * SAMPLE_RATE), 2)
    for n in notes:
        t = n.start / Q * 0.5
        assert dominant_pitch(window(audio, t + 0.06, t + 0.44)) == n.pitch, t
    loud = rms(window(audio, 0.1, 0.4))
    assert rms(window(audio, 2.3, 3.0)) < 0.02 * loud  # the rest is silent
    assert onset(audio, 0.0) == pytest.approx(0.0, abs=0.02)
    assert onset(audio, 3.0) == pytest.approx(3.0, abs=0.02)  # first note after the rest


def test_two_track_tune_with_a_repeat(soundfont):
    """Flute melody over a bass line, in 3/4 at 90 qpm, its four bars repeated."""
    melody = [72, 74, 76, 77, 79, 81, 79, 77, 76, 74, 72, 71]
    bass = [48, 48, 48, 43, 43, 43, 45, 45, 45, 43, 43, 43]
    score = Score(
        tracks=(Track("Melody", tuple(Note(i * Q, (i + 1) * Q, p) for i, p in enumerate(melody)),
                      "melody"),
                Track("Bass", tuple(Note(i * Q, (i + 1) * Q, p) for i, p in enumerate(bass)),
                      "bass")),
        meters=(MeterChange(0, 3, 4),), tempos=(TempoChange(0, 90.0),),
        barlines=(Barline(3 * Q), Barline(6 * Q), Barline(9 * Q), Barline(12 * Q, ":|")),
    )
    audio = render_score(score, soundfont=soundfont)
    beat = 60 / 90
    assert len(audio) == pytest.approx((24 * beat + 1.0) * SAMPLE_RATE, abs=2)
    for i in range(24):  # both passes
        t = i * beat
        stretch = window(audio, t + 0.06, t + beat - 0.08)
        high_sal = salience(stretch, low=66)
        low_sal = salience(stretch, high=56, max_freq=450)  # under the melody's range
        high, low = max(high_sal, key=high_sal.get), max(low_sal, key=low_sal.get)
        assert (high, low) == (melody[i % 12], bass[i % 12]), f"beat {i} at {t:.2f}s"


def test_chord_symbols_are_heard(soundfont):
    score = Score(chords=(ChordSymbol(0, "C"),), meters=(MeterChange(0, 3, 4),),
                  end_tick=3 * Q)
    audio = render_score(score, soundfont=soundfont, reverb=False)
    assert dominant_pitch(window(audio, 0.06, 0.4)) == 48  # the bass C3 on the downbeat
    sal = salience(window(audio, 0.56, 0.9))  # the chord G3 C4 E4 on beat 2
    assert sorted(sorted(range(50, 72), key=sal.get)[-3:]) == [55, 60, 64]
    silent = render_score(score, soundfont=soundfont, chords=None)
    assert rms(silent) < 2  # FluidSynth dithers: +-1 LSB of noise


def test_tempo_factor_shortens_the_render(soundfont):
    score = Score(tracks=(Track("m", (Note(0, 4 * Q, 69),)),))
    assert len(render_score(score, soundfont=soundfont, tempo_factor=2.0, tail=0)) == \
        int(1.0 * SAMPLE_RATE)


def test_wav_file_is_written_atomically(soundfont, tmp_path):
    score = Score(tracks=(Track("m", (Note(0, Q, 69),)),))
    path = tmp_path / "a.wav"
    seconds = render_to_wav(score, path, soundfont=soundfont, sample_rate=22050, tail=0.5)
    assert seconds == pytest.approx(1.0)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 22050)
        assert w.getnframes() == 22050
    with pytest.raises(ScoreWriteError):
        render_to_wav(score, tmp_path / "missing" / "a.wav", soundfont=soundfont)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]


def test_wav_bytes_mono_and_stereo():
    data = wav_bytes(np.array([0, 1000, -1000], dtype=np.int16), 8000)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getnframes(), w.getframerate()) == (1, 3, 8000)
