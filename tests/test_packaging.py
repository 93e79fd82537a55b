"""Packaging: the version, where shipped files are found (checkout, wheel, bundle), the
wheel's contents, and the Linux desktop files. The bundle itself is checked by
``packaging/check_bundle.py`` and the installed wheel by ``packaging/check_wheel.py``
(minutes each, so not here)."""

from __future__ import annotations

import configparser
import importlib.metadata
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import composer
from composer import paths

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("folk-abc", "macnet-folk", "piano-lstm")


def test_version_is_one_number_everywhere():
    assert composer.__version__[0].isdigit()
    assert importlib.metadata.version("composer") == composer.__version__
    done = subprocess.run([sys.executable, "-m", "composer", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip() == f"composer {composer.__version__}"


def test_version_does_not_import_torch_or_qt():
    code = ("import sys; from composer.cli.main import main\n"
            "try: main(['--version'])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('torch', 'PySide6') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_shipped_files_come_from_the_package_copy_first(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "composer"
    (package / "_data" / "models").mkdir(parents=True)
    (tmp_path / "site-packages" / "models").mkdir()  # another distribution's folder
    monkeypatch.setattr(paths, "_PACKAGE", package)
    assert paths.shipped_models_dir() == package / "_data" / "models"
    checkout = tmp_path / "checkout" / "composer"
    (tmp_path / "checkout" / "resources" / "examples").mkdir(parents=True)
    monkeypatch.setattr(paths, "_PACKAGE", checkout)
    assert paths.examples_dir() == tmp_path / "checkout" / "resources" / "examples"


def test_the_checkout_ships_three_models_and_the_examples():
    for name in MODELS:
        assert (paths.shipped_models_dir() / name / "card.json").is_file()
        assert (paths.shipped_models_dir() / name / "model.safetensors").is_file()
    assert len(list(paths.examples_dir().glob("*.abc"))) == 3


@pytest.mark.slow
def test_wheel_carries_the_models_resources_and_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("composer-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry_points = z.read(f"composer-{composer.__version__}.dist-info/entry_points.txt")
    for name in MODELS:
        for f in ("card.json", "model.safetensors", "vocab.json"):
            assert f"composer/_data/models/{name}/{f}" in names
    assert "composer/_data/resources/examples/morning-on-the-hill.abc" in names
    assert "composer/_data/resources/icons/composer.svg" in names
    assert "composer/ui/main_window.py" in names
    assert not any(n.startswith(("tests/", "bench/", "packaging/")) for n in names)
    assert b"composer = composer.cli.main:main" in entry_points


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_opens_abc_and_midi_one_file_per_window():
    entry = _desktop_entry(ROOT / "resources" / "composer.desktop")
    mime = entry["MimeType"].split(";")
    assert {"text/vnd.abc", "audio/midi"} <= set(mime)
    assert entry["Exec"].endswith(" %f")  # a second file: a second Composer window
    assert entry["Icon"] == "composer"
    validate = shutil.which("desktop-file-validate")
    if validate:
        done = subprocess.run([validate, str(ROOT / "resources" / "composer.desktop")],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_mime_definition_names_abc_and_its_glob():
    import xml.etree.ElementTree as ET

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(ROOT / "resources" / "composer-mime.xml").getroot()
    types = {t.get("type"): t for t in root.findall("m:mime-type", ns)}
    abc = types["text/vnd.abc"]
    assert "*.abc" in [g.get("pattern") for g in abc.findall("m:glob", ns)]


def test_hicolor_icons_exist_in_the_usual_sizes():
    for size in (16, 32, 48, 64, 128, 256):
        assert (ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
                / "composer.png").is_file()
