"""FluidSynth with a SoundFont: the :class:`~composer.audio.player.Output` and the
:class:`~composer.audio.player.Clock` of the player, for real-time playback and
offline rendering alike.

Events reach the synth through a FluidSynth sequencer that is *not* driven by the
system timer but by the synth's own rendering: its clock (:meth:`FluidSynth.now`,
seconds) advances with the samples produced, so events land on the exact sample
whether the samples go to a sound card (:meth:`start_audio`) or into an array
(:meth:`render`).

Real-time output opens only an audio driver (never pyfluidsynth's ``start()``,
which returns 0 even when no device opened and also opens an ALSA MIDI input), tries
the platform's drivers in order (:func:`~composer.audio.fluid.default_drivers`;
``jack`` only when asked for, as it blocks ~6 s without a JACK server) and raises
:class:`~composer.audio.errors.AudioDeviceError` naming what was tried.

Typical use::

    synth = FluidSynth(soundfont=settings_path_or_None)  # FluidSynthMissingError, SoundFontError
    synth.start_audio(driver=None)                        # AudioDeviceError: disable Play
    player = Player(synth, clock=synth)
    ...
    synth.close()
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from composer.audio.arrangement import Voice
from composer.audio.errors import AudioDeviceError, SoundFontError
from composer.audio.fluid import (
    default_drivers,
    last_error,
    load_fluidsynth,
    quiet_alsa,
    remove_events,
)
from composer.audio.soundfont import find_soundfont

SAMPLE_RATE = 44100
_TIME_SCALE = 1000  # sequencer ticks per second


class FluidSynth:
    """A synth with one SoundFont loaded (see the module docstring).

    ``gain`` is FluidSynth's master gain (0.2 - 1; 0.8 peaks near -10 dBFS for a
    folk tune with chords);
    ``reverb`` and ``chorus`` switch its effects. Loading TimGM6mb takes ~30 ms,
    FluidR3_GM ~0.6 s.
    """

    def __init__(self, soundfont: str | os.PathLike | None = None, *,
                 sample_rate: int = SAMPLE_RATE, gain: float = 0.8, reverb: bool = True,
                 chorus: bool = False):
        fs = load_fluidsynth()
        self.soundfont: Path = find_soundfont(soundfont)
        self.sample_rate = int(sample_rate)
        self._fs = fs
        self._lock = threading.Lock()
        self._synth = fs.Synth(gain=float(gain), samplerate=self.sample_rate)
        self._synth.setting("synth.reverb.active", int(reverb))
        self._synth.setting("synth.chorus.active", int(chorus))
        self._sfid = self._synth.sfload(str(self.soundfont))
        if self._sfid < 0:
            reason = last_error("FluidSynth could not read it")
            self._synth.delete()
            raise SoundFontError(f"cannot load SoundFont {self.soundfont}: {reason}; "
                                 "choose another .sf2 file in the settings", self.soundfont)
        self._sequencer = fs.Sequencer(time_scale=_TIME_SCALE, use_system_timer=False)
        self._dest = self._sequencer.register_fluidsynth(self._synth)
        self._driver = None
        self.driver_name: str | None = None
        self._closed = False

    # --- Clock -----------------------------------------------------------------------
    def now(self) -> float:
        """Seconds of audio rendered so far (the player's clock)."""
        return self._sequencer.get_tick() / _TIME_SCALE

    # --- Output ----------------------------------------------------------------------
    def setup(self, voices: Sequence[Voice]) -> None:
        """Select each voice's General MIDI program (bank 128 for drums)."""
        with self._lock:
            for v in voices:
                bank = 128 if v.is_drum else 0
                if self._synth.program_select(v.channel, self._sfid, bank, v.program) != 0:
                    self._synth.program_select(v.channel, self._sfid, bank, 0)

    def note_on(self, at: float, channel: int, pitch: int, velocity: int) -> None:
        self._sequencer.note_on(_ticks(at), channel, pitch, velocity, dest=self._dest)

    def note_off(self, at: float, channel: int, pitch: int) -> None:
        self._sequencer.note_off(_ticks(at), channel, pitch, dest=self._dest)

    def cancel(self) -> None:
        """Drop queued events and release every sounding note now."""
        with self._lock:
            remove_events(self._fs, self._sequencer, self._dest)
            for channel in range(16):
                self._synth.all_notes_off(channel)

    # --- real time -------------------------------------------------------------------
    def start_audio(self, driver: str | None = None, device: str | None = None) -> str:
        """Open a real-time output and return the driver's name. ``driver`` from the
        settings (e.g. ``"alsa"``, ``"pulseaudio"``, ``"file"``), else the
        platform's drivers in order; ``device`` is the driver's device (for the
        ``file`` driver: the WAV path to write). Raises :class:`AudioDeviceError`."""
        with self._lock:
            if self._driver is None:
                self._driver, self.driver_name = open_driver(self._fs, self._synth, driver,
                                                             device)
            return self.driver_name or ""

    def stop_audio(self) -> None:
        """Close the real-time output (the ``file`` driver's WAV is complete then)."""
        with self._lock:
            if self._driver is not None:
                self._fs.delete_fluid_audio_driver(self._driver)
                self._driver, self.driver_name = None, None

    @property
    def audio_running(self) -> bool:
        return self._driver is not None

    # --- offline ---------------------------------------------------------------------
    def render(self, frames: int) -> np.ndarray:
        """The next ``frames`` samples as an int16 array of shape ``(frames, 2)``
        (advances the clock; only while no real-time output runs)."""
        if self._driver is not None:
            raise RuntimeError("render() while a real-time audio output is running")
        data = self._synth.get_samples(int(frames))
        return np.asarray(data, dtype=np.int16).reshape(-1, 2)

    # --- lifetime --------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self.stop_audio()
        self._closed = True
        self._sequencer.delete()
        self._synth.delete()

    def __enter__(self) -> FluidSynth:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_driver(fs, synth, driver: str | None = None, device: str | None = None):
    """Open a FluidSynth audio driver for the pyfluidsynth ``synth`` (not through
    ``Synth.start()``); returns ``(handle, name)`` or raises :class:`AudioDeviceError`."""
    drivers = (driver,) if driver else default_drivers()
    reasons = []
    for name in drivers:
        if name == "alsa":
            quiet_alsa()
        synth.setting("audio.driver", name)
        if name == "file":
            synth.setting("audio.file.name", device or "fluidsynth.wav")
            synth.setting("audio.file.type", "wav")
        elif device:
            synth.setting(f"audio.{name}.device", device)
        handle = fs.new_fluid_audio_driver(synth.settings, synth.synth)
        if handle:
            return handle, name
        reasons.append(f"{name}: {last_error('no device')}")
    raise AudioDeviceError(
        f"no sound output could be opened (tried {', '.join(drivers)}; {reasons[-1]}): "
        "connect speakers or headphones, start the sound server, or choose another audio "
        "driver in the settings; rendering to WAV still works",
        tuple(drivers), tuple(reasons))


def _ticks(seconds: float) -> int:
    return max(0, int(round(seconds * _TIME_SCALE)))
