"""Real-time playback in one call, and a cheap check of what audio can do here.

The window calls :func:`probe_audio` lazily (on its first Play, never at start-up)
and, if ``status.can_play`` is false, disables Play and shows ``status.message``;
otherwise :func:`open_player` gives a ready :class:`~composer.audio.player.Player`::

    try:
        player = open_player(soundfont=settings.soundfont, driver=settings.audio_driver)
    except AudioError as e:        # FluidSynthMissingError, SoundFontError, AudioDeviceError
        disable_play(str(e))
    player.load(score); player.play(0)     # then pump() from a timer, position() to draw
    player.close()                          # closes the synth too
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from composer.audio.errors import AudioDeviceError, AudioError
from composer.audio.player import Player
from composer.audio.soundfont import find_soundfont


class RealtimePlayer(Player):
    """A :class:`Player` that owns its :class:`~composer.audio.synth.FluidSynth`
    (``self.synth``) and closes it in :meth:`close`."""

    def __init__(self, synth, **kwargs):
        super().__init__(synth, clock=synth, **kwargs)
        self.synth = synth

    def close(self) -> None:
        self.stop()
        self.synth.close()


def open_player(soundfont: str | os.PathLike | None = None, driver: str | None = None,
                device: str | None = None, **synth_options) -> RealtimePlayer:
    """A player sounding through the sound card (or ``driver``/``device`` from the
    settings). Raises a subclass of :class:`AudioError` naming what to install or do."""
    from composer.audio.synth import FluidSynth

    synth = FluidSynth(soundfont, **synth_options)
    try:
        synth.start_audio(driver, device)
    except AudioError:
        synth.close()
        raise
    return RealtimePlayer(synth)


@dataclass(frozen=True, slots=True)
class AudioStatus:
    """What audio can do on this machine: ``can_render`` needs libfluidsynth and a
    SoundFont; ``can_play`` also a sound device. ``message`` is empty when all is
    well, else one line saying what is missing and what to do."""

    can_play: bool
    can_render: bool
    message: str = ""
    soundfont: Path | None = None
    driver: str | None = None


def probe_audio(soundfont: str | os.PathLike | None = None, driver: str | None = None,
                device: str | None = None, open_device: bool = True) -> AudioStatus:
    """Check libfluidsynth, the SoundFont (found and its header checked, not
    loaded: a file damaged further in fails later, when loaded) and, if
    ``open_device``, that an output opens (a few ms; it is closed again)."""
    from composer.audio.fluid import load_fluidsynth

    try:
        fs = load_fluidsynth()
        path = find_soundfont(soundfont)
    except AudioError as e:
        return AudioStatus(False, False, str(e))
    if not open_device:
        return AudioStatus(True, True, "", path)
    from composer.audio.synth import open_driver

    synth = fs.Synth()  # no SoundFont: enough to try the outputs
    try:
        handle, name = open_driver(fs, synth, driver, device)
        fs.delete_fluid_audio_driver(handle)
    except AudioDeviceError as e:
        return AudioStatus(False, True, str(e), path)
    finally:
        synth.delete()
    return AudioStatus(True, True, "", path, name)
