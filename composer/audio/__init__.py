"""Audio: FluidSynth synth, SoundFont discovery, a player with a pluggable clock,
offline render. No Qt here; nothing touches FluidSynth at import time.

Modules and the API the window uses:

* :mod:`~composer.audio.realtime` - ``probe_audio(soundfont, driver) -> AudioStatus``
  (``can_play``, ``can_render``, ``message``) and ``open_player(soundfont, driver,
  device) -> RealtimePlayer`` (a :class:`Player` owning its synth; ``close()``).
* :mod:`~composer.audio.player` - ``Player(output, clock)``: ``load(score)``,
  ``play(written_tick=None)``, ``pause()``, ``stop()``, ``seek(tick)``,
  ``set_loop(a, b)``, ``set_tempo_factor(x)``, ``audition(take_score, a, b)``,
  ``pump() -> seconds|None`` (call it from a timer), ``position() -> written tick``,
  ``state``, ``on_finished``. Also ``ManualClock``, ``MonotonicClock``,
  ``RecordingOutput`` for tests and other outputs.
* :mod:`~composer.audio.arrangement` - ``arrange(score, programs, chords)``: channels,
  GM programs by role (:data:`ROLE_PROGRAMS`), chord symbols voiced as an
  accompaniment fitting the meter, notes in playback ticks, the tempo map in seconds.
* :mod:`~composer.audio.synth` - ``FluidSynth(soundfont)``: the player's output and
  clock; ``start_audio(driver, device)``, ``render(frames)``.
* :mod:`~composer.audio.render` - ``render_score(score) -> int16 (frames, 2)``,
  ``render_to_wav(score, path)``, ``wav_bytes``.
* :mod:`~composer.audio.soundfont` - ``find_soundfont(preferred)``.
* :mod:`~composer.audio.errors` - ``AudioError`` and its subclasses
  ``FluidSynthMissingError``, ``SoundFontError``, ``AudioDeviceError``: one-line
  messages naming what to install or do.
"""
