"""The core imports neither Qt nor torch (napari's rule, checked at run time as well as
by lint-imports): importing every core module in a fresh interpreter must not load them."""

import pkgutil
import subprocess
import sys

import composer


def _core_modules():
    for m in pkgutil.walk_packages(composer.__path__, "composer."):
        if m.name.startswith(("composer.music", "composer.cli.convert", "composer.cli.info")):
            yield m.name


def test_music_core_loads_neither_qt_nor_torch():
    mods = sorted(_core_modules())
    assert "composer.music.score" in mods
    code = (
        "import sys, importlib\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = [m for m in ('PySide6', 'torch') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
