"""Painting notes fast: rounded rectangles when few are visible, a numpy raster
when many are (each note one pitch row high, composited in one ``drawImage``).

Coordinates: a :class:`Mapping` turns ticks and pitches into device pixels of the
painter (``x = tick * sx + dx``, row ``127 - pitch`` at ``y = row * sy + dy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QTransform

from composer.ui.piano_roll.note_index import NoteIndex

DETAIL_LIMIT = 800
"""Above this many visible notes the raster path is used."""

NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def pitch_name(pitch: int) -> str:
    """``60 -> "C4"`` (MIDI 60 is middle C, C4)."""
    return f"{NAMES[pitch % 12]}{pitch // 12 - 1}"


@dataclass(frozen=True)
class Mapping:
    """Scene (ticks, rows) to device pixels: ``x = tick * sx + dx``, ``y = row * sy + dy``."""

    sx: float
    dx: float
    sy: float
    dy: float

    @classmethod
    def of(cls, transform: QTransform) -> Mapping:
        return cls(transform.m11(), transform.dx(), transform.m22(), transform.dy())


@dataclass
class Shift:
    """A preview offset for notes being dragged: ticks and semitones, and ticks
    added to the end (resize)."""

    dt: int = 0
    dp: int = 0
    d_end: int = 0
    min_length: int = 1


def device_rects(index: NoteIndex, pos: np.ndarray, m: Mapping, shift: Shift | None = None):
    """``(x0, x1, y, pitch)`` arrays in device pixels for the notes at ``pos``."""
    start = index.start[pos].astype(np.float64)
    end = index.end[pos].astype(np.float64)
    pitch = index.pitch[pos]
    if shift is not None:
        start = start + shift.dt
        end = end + shift.dt
        if shift.d_end:
            end = np.maximum(end + shift.d_end,
                             start + np.minimum(max(1, shift.min_length), end - start))
        pitch = np.clip(pitch + shift.dp, 0, 127)
    return start * m.sx + m.dx, end * m.sx + m.dx, (127 - pitch) * m.sy + m.dy, pitch


class NotePainter:
    """Draws groups of notes in one of three styles: ``"normal"``, ``"selected"``
    and ``"ghost"``. ``colors[k]`` is the colour of track ``k``."""

    def __init__(self, colors: list[QColor], selected_edge: QColor):
        self.colors = colors
        self.selected_edge = selected_edge
        self._brushes: dict[tuple, QColor] = {}
        self._font = QFont()
        self._font.setPixelSize(9)

    def _fill(self, k: int, style: str, velocity: int) -> QColor:
        level = min(7, max(0, velocity) * 8 // 128)
        key = (k, style, level)
        c = self._brushes.get(key)
        if c is None:
            base = QColor(self.colors[k % len(self.colors)] if self.colors else QColor("#3b78d8"))
            if style == "ghost":
                c = QColor(base)
                c.setAlpha(70)
            elif style == "selected":
                c = base.lighter(118)
                c.setAlpha(255)
            else:
                c = QColor(base)
                c.setAlpha(120 + 135 * level // 7)
            self._brushes[key] = c
        return c

    def paint(self, painter: QPainter, index: NoteIndex, pos: np.ndarray, m: Mapping,
              clip: QRectF, style: str = "normal", shift: Shift | None = None) -> None:
        """Paint the notes at positions ``pos`` of ``index`` (device coordinates:
        the painter's transform must be the identity)."""
        if not len(pos):
            return
        if len(pos) > DETAIL_LIMIT:
            self._paint_raster(painter, index, pos, m, clip, style, shift)
        else:
            self._paint_detail(painter, index, pos, m, style, shift)

    def _paint_detail(self, painter, index, pos, m, style, shift) -> None:
        x0, x1, y, pitch = device_rects(index, pos, m, shift)
        h = max(2.0, m.sy - 1.0)
        radius = min(3.0, h / 3.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        tracks = index.track[pos].tolist()
        vel = index.velocity[pos].tolist()
        labels = style != "ghost" and h >= 12 and len(pos) <= 400
        if labels:
            painter.setFont(self._font)
        order = sorted(range(len(pos)), key=lambda j: (tracks[j], vel[j] >> 4))
        last_key = None
        for j in order:
            k = tracks[j]
            width = max(2.0, x1[j] - x0[j] - 1.0)
            rect = QRectF(x0[j] + 0.5, y[j] + 0.5, width, h)
            key = (k, vel[j] >> 4)
            if key != last_key:
                painter.setBrush(self._fill(k, style, vel[j]))
                base = self.colors[k % len(self.colors)] if self.colors else QColor("#3b78d8")
                if style == "selected":
                    pen = QPen(self.selected_edge, 1.6)
                elif style == "ghost":
                    edge = QColor(base)
                    edge.setAlpha(230)
                    pen = QPen(edge, 1.2, Qt.PenStyle.DashLine)
                else:
                    pen = QPen(base.darker(140), 1.0)
                painter.setPen(pen)
                last_key = key
            r = min(radius, width / 3.0)
            painter.drawRoundedRect(rect, r, r)
            if labels and width >= 26:
                painter.save()
                painter.setPen(QColor(255, 255, 255, 230))
                painter.drawText(rect.adjusted(3, 0, -1, 0),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                                 pitch_name(int(pitch[j])))
                painter.restore()
                last_key = None

    def _paint_raster(self, painter, index, pos, m, clip, style, shift) -> None:
        left = int(np.floor(clip.left()))
        width = int(np.ceil(clip.right())) - left
        if width <= 0:
            return
        x0, x1, _, pitch = device_rects(index, pos, m, shift)
        rows = 127 - pitch
        r0 = int(rows.min())
        nrows = int(rows.max()) - r0 + 1
        a = np.floor(x0).astype(np.int64) - left
        b = np.floor(x1).astype(np.int64) - left
        b = np.maximum(b, a + 1)
        b = np.where(b - a >= 4, b - 1, b)
        a = np.clip(a, 0, width)
        b = np.clip(b, 0, width)
        keep = b > a
        stride = width + 1
        image = np.zeros((nrows, width), dtype=np.uint32)
        tracks = index.track[pos]
        cells = nrows * stride
        for k in np.unique(tracks[keep]).tolist():
            sel = keep & (tracks == k)
            row = (rows[sel] - r0) * stride
            diff = (np.bincount(row + a[sel], minlength=cells)
                    - np.bincount(row + b[sel], minlength=cells))
            covered = np.cumsum(diff.reshape(nrows, stride), axis=1)[:, :width] > 0
            image[covered] = _premultiplied(self._fill(k, style, 100))
        qimage = QImage(image.data, width, nrows, width * 4,
                        QImage.Format.Format_ARGB32_Premultiplied)
        target = QRectF(left, r0 * m.sy + m.dy, width, nrows * m.sy)
        painter.drawImage(target, qimage)


def _premultiplied(color: QColor) -> int:
    a = color.alpha()
    r, g, b = (c * a // 255 for c in (color.red(), color.green(), color.blue()))
    return (a << 24) | (r << 16) | (g << 8) | b
