"""Runtime hook: pyfluidsynth looks for libfluidsynth with ``ctypes.util.find_library``,
which asks the system (``ldconfig``); in the bundle the library ships beside the
program, so it is offered first. Without a bundled copy the system's is used."""

import ctypes.util
import glob
import os
import sys

_find_library = ctypes.util.find_library


def _bundled_first(name):
    if "fluidsynth" in name:
        here = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
        for pattern in ("libfluidsynth.so.*", "libfluidsynth*.dylib", "libfluidsynth*.dll",
                        "fluidsynth*.dll"):
            found = sorted(glob.glob(os.path.join(here, pattern)))
            if found:
                return found[0]
    return _find_library(name)


ctypes.util.find_library = _bundled_first
