"""Real-time playback through FluidSynth's ``file`` audio driver (paced like a sound
card, writing a WAV): the tune lasts as long as it should."""

from __future__ import annotations

import time
import wave

import numpy as np
import pytest

from composer.audio.realtime import open_player, probe_audio
from composer.audio.synth import FluidSynth
from composer.music.score import Barline, ChordSymbol, MeterChange, Note, Score, TempoChange, Track

from .spectrum import dominant_pitch, window

Q = 480


def tune() -> Score:
    """Two bars of 3/4 at 180 qpm, the second repeated: 9 beats, 3 s of music."""
    notes = tuple(Note(i * Q, (i + 1) * Q, 67 + i) for i in range(6))
    return Score(tracks=(Track("Melody", notes, "melody"),), chords=(ChordSymbol(0, "G"),),
                 meters=(MeterChange(0, 3, 4),), tempos=(TempoChange(0, 180.0),),
                 barlines=(Barline(3 * Q, "|:"), Barline(6 * Q, ":|")))


def test_playing_in_real_time_lasts_the_tune(soundfont, tmp_path):
    path = tmp_path / "live.wav"
    player = open_player(soundfont, driver="file", device=str(path))
    assert player.synth.driver_name == "file"
    player.load(tune())
    duration = player.arrangement.duration
    assert duration == pytest.approx(3.0)
    positions = []
    player.on_finished = lambda: positions.append("end")
    player.play(0)
    assert player.run_until_finished(timeout=duration + 5)
    player.close()
    assert positions == ["end"]
    with wave.open(str(path)) as w:
        frames, rate = w.getnframes(), w.getframerate()
        audio = np.frombuffer(w.readframes(frames), dtype="<i2").reshape(-1, 2)
    assert frames / rate == pytest.approx(duration, rel=0.02)
    # and it is the tune: the note of beat 4 on the first and on the second pass
    for t in (1.0, 2.0):
        assert dominant_pitch(window(audio, t + 0.05, t + 0.3)) == 70


def test_playhead_moves_in_real_time(soundfont, tmp_path):
    with FluidSynth(soundfont) as synth:
        synth.start_audio("file", str(tmp_path / "x.wav"))
        from composer.audio.player import Player

        player = Player(synth, clock=synth)
        player.load(tune())
        player.play(3 * Q)
        start = synth.now()
        while synth.now() < start + 0.5:
            player.pump()
            time.sleep(0.005)
        assert 3 * Q + 600 <= player.position() <= 3 * Q + 900  # 0.5 s = 720 ticks
        player.stop()
        assert player.position() == 3 * Q


def test_probe_reports_what_works(soundfont, tmp_path):
    ok = probe_audio(soundfont, driver="file", device=str(tmp_path / "probe.wav"))
    assert (ok.can_play, ok.can_render, ok.message, ok.driver) == (True, True, "", "file")
    quiet = probe_audio(soundfont, open_device=False)
    assert quiet.can_render and quiet.soundfont == soundfont
