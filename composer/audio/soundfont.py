"""Finding a General MIDI SoundFont.

Order: the path chosen in the settings (passed in; an error if it is unusable,
never silently replaced), then the small TimGM6mb.sf2 (6 MB, loads in ~30 ms) that
pretty_midi ships as package data, then the system's ``default-GM.sf2`` and
FluidR3_GM.sf2 (148 MB, ~0.6 s to load).
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
from pathlib import Path

from composer.audio.errors import SoundFontError

SYSTEM_SOUNDFONTS: tuple[str, ...] = (
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/local/share/soundfonts/default.sf2",
    "/opt/homebrew/share/soundfonts/default.sf2",
)
"""System locations tried after the bundled SoundFont (Debian/Ubuntu, Fedora/Arch,
Homebrew)."""

INSTALL_HINT = ("install one (Debian/Ubuntu: sudo apt install fluid-soundfont-gm) "
                "or choose a .sf2 file in the settings")


def bundled_soundfont() -> Path | None:
    """pretty_midi's TimGM6mb.sf2, found without importing pretty_midi (0.3 s of
    numpy and friends); through importlib.resources when installed zipped."""
    try:
        spec = importlib.util.find_spec("pretty_midi")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin != "namespace":
        path = Path(spec.origin).parent / "TimGM6mb.sf2"
        return path if path.is_file() else None
    try:
        resource = importlib.resources.files("pretty_midi") / "TimGM6mb.sf2"
    except (ImportError, TypeError):
        return None
    return Path(str(resource)) if resource.is_file() else None


def soundfont_candidates() -> list[Path]:
    """Every SoundFont we would try, in order, that exists on this machine."""
    out = []
    bundled = bundled_soundfont()
    if bundled is not None:
        out.append(bundled)
    out += [Path(p) for p in SYSTEM_SOUNDFONTS if Path(p).is_file()]
    return out


def find_soundfont(preferred: str | os.PathLike | None = None) -> Path:
    """The SoundFont to use: ``preferred`` (checked) or the first candidate.

    Raises :class:`SoundFontError` if ``preferred`` is missing or not a SoundFont, or
    if no SoundFont is installed at all.
    """
    if preferred:
        return check_soundfont(preferred)
    for path in soundfont_candidates():
        try:
            return check_soundfont(path)
        except SoundFontError:
            continue
    raise SoundFontError(f"no SoundFont found: {INSTALL_HINT}")


def check_soundfont(path: str | os.PathLike) -> Path:
    """``path`` if it looks like a SoundFont (a RIFF ``sfbk`` or DLS file), else a
    :class:`SoundFontError` saying what is wrong with it."""
    path = Path(path).expanduser()
    if not path.exists():
        raise SoundFontError(f"SoundFont {path} does not exist: choose another .sf2 file in "
                             "the settings", path)
    if not path.is_file():
        raise SoundFontError(f"SoundFont {path} is a folder, not a .sf2 file: choose the file "
                             "in the settings", path)
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError as e:
        raise SoundFontError(f"cannot read SoundFont {path} ({e.strerror or e})", path) from None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] not in (b"sfbk", b"DLS "):
        raise SoundFontError(f"{path} is not a SoundFont (.sf2/.sf3): choose another file "
                             "in the settings", path)
    return path
