"""Loading FluidSynth lazily, quietly and with typed errors.

Nothing here runs at import time: :func:`load_fluidsynth` imports pyfluidsynth
(which loads libfluidsynth) on first use, routes FluidSynth's log messages into a
small buffer instead of stderr (:func:`recent_messages`, used to explain failures),
and binds the two C functions pyfluidsynth lacks (removing scheduled events, the
log hook).
"""

from __future__ import annotations

import collections
import ctypes
import sys
import threading

from composer.audio.errors import FluidSynthMissingError

_lock = threading.Lock()
_module = None
_messages: collections.deque[str] = collections.deque(maxlen=32)
_log_callback = None  # keeps the ctypes callback alive

_LOG_LEVELS = (0, 1, 2, 3)  # panic, error, warning, info (debug stays off)

_LIB_HINT = {
    "linux": "install libfluidsynth3 (Debian/Ubuntu: sudo apt install libfluidsynth3; "
             "Fedora: sudo dnf install fluidsynth-libs; Arch: sudo pacman -S fluidsynth)",
    "darwin": "install FluidSynth: brew install fluid-synth",
    "win32": "install FluidSynth (https://github.com/FluidSynth/fluidsynth/releases) and "
             "put its bin folder on PATH",
}


def install_hint() -> str:
    """What to install to get libfluidsynth on this platform."""
    return _LIB_HINT.get(sys.platform, _LIB_HINT["linux"])


def load_fluidsynth():
    """The pyfluidsynth module, loaded once; raises :class:`FluidSynthMissingError`
    naming what to install when the library or the binding is missing."""
    global _module
    with _lock:
        if _module is not None:
            return _module
        try:
            import fluidsynth
        except ModuleNotFoundError as e:
            if e.name == "fluidsynth":
                raise FluidSynthMissingError(
                    "the Python package pyfluidsynth is missing: pip install pyfluidsynth"
                ) from None
            raise FluidSynthMissingError(f"FluidSynth cannot be loaded ({e}); "
                                         f"{install_hint()}") from None
        except (ImportError, OSError) as e:
            raise FluidSynthMissingError(
                f"the FluidSynth library was not found ({e}); {install_hint()}"
            ) from None
        _quiet_logging(fluidsynth)
        _module = fluidsynth
        return fluidsynth


def recent_messages(clear: bool = False) -> list[str]:
    """FluidSynth's latest log lines (errors and warnings), oldest first."""
    out = list(_messages)
    if clear:
        _messages.clear()
    return out


def last_error(default: str = "") -> str:
    """The latest FluidSynth error line, for messages to the user."""
    for line in reversed(_messages):
        if line.startswith(("error", "panic")):
            return line.split(": ", 1)[-1]
    return default


def _quiet_logging(fs) -> None:
    global _log_callback
    lib = getattr(fs, "_fl", None)
    setter = getattr(lib, "fluid_set_log_function", None)
    if setter is None:
        return
    proto = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
    names = {0: "panic", 1: "error", 2: "warning", 3: "info"}

    def log(level, message, _data):
        text = message.decode("utf-8", "replace") if message else ""
        _messages.append(f"{names.get(level, 'debug')}: {text}")

    _log_callback = proto(log)
    setter.restype = ctypes.c_void_p
    setter.argtypes = [ctypes.c_int, proto, ctypes.c_void_p]
    for level in _LOG_LEVELS:
        setter(level, _log_callback, None)


_alsa_handler = None


def quiet_alsa() -> None:
    """Stop libasound printing its own errors to stderr (FluidSynth already says
    why the ALSA device failed, and we say it in one line)."""
    global _alsa_handler
    if _alsa_handler is not None or not sys.platform.startswith("linux"):
        return
    try:
        asound = ctypes.CDLL("libasound.so.2")
    except OSError:
        return
    proto = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                             ctypes.c_int, ctypes.c_char_p)
    _alsa_handler = proto(lambda *args: None)
    asound.snd_lib_error_set_handler(_alsa_handler)


def remove_events(fs, sequencer, dest: int) -> None:
    """Drop every event still queued in ``sequencer`` for ``dest``."""
    func = getattr(fs._fl, "fluid_sequencer_remove_events", None)
    if func is None:
        return
    func.restype = None
    func.argtypes = [ctypes.c_void_p, ctypes.c_short, ctypes.c_short, ctypes.c_int]
    func(sequencer.sequencer, -1, dest, -1)


def default_drivers(platform: str | None = None) -> tuple[str, ...]:
    """Real-time audio drivers to try, in order, on ``platform`` (``sys.platform``).
    ``jack`` is never tried unless asked for: with no JACK server it blocks ~6 s."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        return ("pulseaudio", "pipewire", "alsa")
    if platform == "darwin":
        return ("coreaudio",)
    if platform in ("win32", "cygwin"):
        return ("dsound", "wasapi", "waveout")
    return ("sdl2", "oss")
