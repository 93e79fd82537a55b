"""The Qt binding must not leak references to None: PySide6 6.12.0 on CPython 3.11 takes
one from None at every call of a method that returns void, and the interpreter aborts
after a few thousand calls (a roll repaint makes hundreds)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF


def test_void_calls_keep_none_alive():
    rect = QRectF()
    before = sys.getrefcount(None)
    for _ in range(1000):
        rect.setWidth(3.0)
    assert sys.getrefcount(None) >= before - 10
