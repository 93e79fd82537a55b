"""Render resources/composer.svg into the hicolor PNG sizes that menus, docks and
file managers ask for (resources/icons/hicolor/SIZE/apps/composer.png), and the
256 px PNG PyInstaller turns into the Windows .ico / macOS .icns.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/linux/render_icons.py
"""

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    svg = ROOT / "resources" / "composer.svg"
    renderer = QSvgRenderer(str(svg))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        out = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "composer.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(out))
        print(out.relative_to(ROOT), out.stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
