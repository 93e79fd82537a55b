"""Every way audio can be unavailable gives a typed error whose one-line message
says what to install or do; rendering still works when only the device is missing."""

from __future__ import annotations

import sys

import pytest

from composer.audio import fluid
from composer.audio import soundfont as soundfont_module
from composer.audio.errors import (
    AudioDeviceError,
    AudioError,
    FluidSynthMissingError,
    SoundFontError,
)
from composer.audio.realtime import open_player, probe_audio
from composer.audio.render import render_score
from composer.audio.synth import FluidSynth
from composer.music.score import Note, Score, Track


@pytest.fixture
def fresh_loader(monkeypatch):
    """Forget the loaded pyfluidsynth so the next use imports it again."""
    monkeypatch.setattr(fluid, "_module", None)
    monkeypatch.delitem(sys.modules, "fluidsynth", raising=False)
    return monkeypatch


def test_library_missing(fresh_loader, tmp_path):
    # what pyfluidsynth does when libfluidsynth is not installed
    (tmp_path / "fluidsynth.py").write_text(
        'raise ImportError("Couldn\'t find the FluidSynth library.")\n')
    fresh_loader.syspath_prepend(str(tmp_path))
    with pytest.raises(FluidSynthMissingError) as err:
        FluidSynth()
    message = str(err.value)
    assert "FluidSynth library was not found" in message
    assert "libfluidsynth3" in message and "\n" not in message
    status = probe_audio()
    assert (status.can_play, status.can_render) == (False, False)
    assert status.message == message


def test_binding_missing(fresh_loader):
    fresh_loader.setitem(sys.modules, "fluidsynth", None)  # import fails: no module
    with pytest.raises(FluidSynthMissingError, match="pip install pyfluidsynth"):
        fluid.load_fluidsynth()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: d / "missing.sf2", "does not exist"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "notes.sf2", b"just some text, no SoundFont"), "is not a SoundFont"),
        # a SoundFont header over damaged data: found by FluidSynth when loading
        (lambda d: _write(d / "broken.sf2", b"RIFF\x10\x00\x00\x00sfbkLIST" + b"\x00" * 8),
         "cannot load SoundFont"),
    ],
)
def test_bad_soundfont(tmp_path, make, words, soundfont):
    path = make(tmp_path)
    with pytest.raises(SoundFontError) as err:
        FluidSynth(path)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert str(path) in str(err.value)
    assert "settings" in str(err.value)
    if "load" not in words:
        assert not probe_audio(path).can_render


def _write(path, data):
    path.write_bytes(data)
    return path


def test_no_soundfont_installed(monkeypatch):
    monkeypatch.setattr(soundfont_module, "SYSTEM_SOUNDFONTS", ())
    monkeypatch.setattr(soundfont_module, "bundled_soundfont", lambda: None)
    with pytest.raises(SoundFontError, match="no SoundFont found: install one .*fluid-soundfont"):
        soundfont_module.find_soundfont()
    assert "no SoundFont found" in probe_audio().message


def test_no_sound_device_but_render_works(soundfont):
    with pytest.raises(AudioDeviceError) as err:
        open_player(soundfont, driver="oss", device="/nonexistent/dsp")
    e = err.value
    assert e.tried == ("oss",) and "oss" in e.reasons[0]
    assert "no sound output could be opened" in str(e) and "rendering to WAV still works" in str(e)
    assert "\n" not in str(e)
    status = probe_audio(soundfont, driver="oss", device="/nonexistent/dsp")
    assert (status.can_play, status.can_render) == (False, True)
    # an unknown driver name is no device either
    with FluidSynth(soundfont) as synth, pytest.raises(AudioDeviceError):
        synth.start_audio("no-such-driver")
    audio = render_score(Score(tracks=(Track("m", (Note(0, 480, 69),)),)), soundfont=soundfont)
    assert abs(audio).max() > 1000


def test_default_drivers_never_include_jack():
    for platform in ("linux", "darwin", "win32", "freebsd13"):
        drivers = fluid.default_drivers(platform)
        assert drivers and "jack" not in drivers
    assert fluid.default_drivers("linux")[:2] == ("pulseaudio", "pipewire")


def test_errors_share_one_base():
    for cls in (FluidSynthMissingError, SoundFontError, AudioDeviceError):
        assert issubclass(cls, AudioError)
