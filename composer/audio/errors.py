"""Typed errors of the audio core. ``str(error)`` is one line saying what is wrong
and what to do; the window shows it beside a disabled Play button, the CLI prints
it and exits with status 2.

* :class:`FluidSynthMissingError` - no libfluidsynth (or no pyfluidsynth): nothing
  can sound, neither playback nor render.
* :class:`SoundFontError` - no SoundFont found, or the file is not a usable one.
* :class:`AudioDeviceError` - no sound device could be opened; offline render still
  works.
"""

from __future__ import annotations


class AudioError(Exception):
    """Base of every error the audio core raises."""


class FluidSynthMissingError(AudioError):
    """The FluidSynth library (or its Python binding) cannot be loaded."""


class SoundFontError(AudioError):
    """No SoundFont, or one that FluidSynth cannot load. ``path`` is the file in
    question (``None`` when none was found)."""

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = path


class AudioDeviceError(AudioError):
    """No audio output could be opened. ``tried`` lists the drivers tried and
    ``reasons`` what FluidSynth said about each."""

    def __init__(self, message: str, tried: tuple[str, ...] = (), reasons: tuple[str, ...] = ()):
        super().__init__(message)
        self.tried = tried
        self.reasons = reasons
