"""The note area: a QGraphicsView over a scene in ticks (x) and pitch rows (y).

The view's transform is the zoom (pixels per tick, pixels per semitone); the
keyboard and the ruler live in its viewport margins so that the scroll bars span
the note area only. The grid is drawn in a cached background, notes by two layer
items that paint only what is exposed, overlays in the foreground.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from composer.generation.plan import bars_until
from composer.music.score import TICKS_PER_QUARTER
from composer.ui.piano_roll import canvas
from composer.ui.piano_roll.keyboard import KEYBOARD_WIDTH, Keyboard
from composer.ui.piano_roll.layers import GhostLayer, NotesLayer
from composer.ui.piano_roll.painting import Mapping, NotePainter
from composer.ui.piano_roll.ruler import RULER_HEIGHT, Corner, Ruler
from composer.ui.piano_roll.state import ContinuePreview, RollState
from composer.ui.piano_roll.theme import Theme, theme_for
from composer.ui.piano_roll.tools import NoteTools

ZOOM_X = (0.02, 1200.0)
"""Limits of the horizontal zoom in pixels per quarter note."""
ZOOM_Y = (2.0, 40.0)
"""Limits of the vertical zoom in pixels per semitone."""
WHEEL_STEP = 1.2
"""Zoom factor of one wheel notch (120 eighths of a degree)."""


class RollView(QGraphicsView):
    """The note area with its keyboard and ruler. Emits the roll's signals."""

    selectionChanged = Signal(int, int)
    continueRequested = Signal(int, int, int)
    scoreEdited = Signal(object)
    notesSelected = Signal(object)
    cursorMoved = Signal(int)

    def __init__(self, state: RollState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.theme: Theme = theme_for(self.palette())
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setScene(self._scene)
        self.notes_layer = NotesLayer(state, NotePainter([], self.theme.selected_edge))
        self.ghost_layer = GhostLayer(state, NotePainter([], self.theme.selected_edge))
        self.ghost_layer.setZValue(1)
        self._scene.addItem(self.notes_layer)
        self._scene.addItem(self.ghost_layer)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setViewportMargins(KEYBOARD_WIDTH, RULER_HEIGHT, 0, 0)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.label_font = QFont(self.font())
        self.label_font.setPixelSize(11)
        self.label_font.setBold(True)
        self.ruler = Ruler(self)
        self.keyboard = Keyboard(self)
        self._corner = Corner(self)
        self.tools = NoteTools(self)
        self._edge = None
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(30)
        self._scroll_timer.timeout.connect(self._autoscroll_step)
        self._zoom = (96.0, 12.0)
        self._apply_transform()
        self.refresh_scene()
        self.horizontalScrollBar().valueChanged.connect(self.ruler.update)
        self.verticalScrollBar().valueChanged.connect(self.keyboard.update)

    # --- coordinates ---------------------------------------------------------------
    def mapping(self) -> Mapping:
        """Scene units to viewport pixels."""
        return Mapping.of(self.viewportTransform())

    def tick_to_x(self, tick: float) -> float:
        m = self.mapping()
        return tick * m.sx + m.dx

    def x_to_tick(self, x: float) -> float:
        m = self.mapping()
        return (x - m.dx) / m.sx

    def pitch_to_y(self, pitch: int) -> float:
        """Top of the row of ``pitch`` in viewport pixels."""
        m = self.mapping()
        return (127 - pitch) * m.sy + m.dy

    def y_to_row(self, y: float) -> float:
        m = self.mapping()
        return (y - m.dy) / m.sy

    def y_to_pitch(self, y: float) -> int:
        return max(0, min(127, 127 - int(self.y_to_row(y) // 1)))

    def visible_ticks(self) -> tuple[float, float]:
        w = self.viewport().width()
        return self.x_to_tick(0), self.x_to_tick(w)

    # --- zoom and scroll -------------------------------------------------------------
    def zoom(self) -> tuple[float, float]:
        """``(pixels per quarter note, pixels per semitone)``."""
        return self._zoom

    def _apply_transform(self) -> None:
        zx, zy = self._zoom
        self.setTransform(QTransform.fromScale(zx / TICKS_PER_QUARTER, zy))
        self.resetCachedContent()
        self.ruler.update()
        self.keyboard.update()

    def set_zoom(self, x_per_quarter: float, y_per_semitone: float,
                 anchor: QPointF | None = None) -> None:
        """Zoom to the given scales (clamped) keeping the scene point under
        ``anchor`` (viewport pixels; default the viewport's centre) in place."""
        zx = min(ZOOM_X[1], max(ZOOM_X[0], float(x_per_quarter)))
        zy = min(ZOOM_Y[1], max(ZOOM_Y[0], float(y_per_semitone)))
        if (zx, zy) == self._zoom:
            return
        if anchor is None:
            anchor = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        tick, row = self.x_to_tick(anchor.x()), self.y_to_row(anchor.y())
        self._zoom = (zx, zy)
        self._apply_transform()
        self.scroll_to(tick, row, anchor)

    def zoom_by(self, fx: float, fy: float, anchor: QPointF | None = None) -> None:
        zx, zy = self._zoom
        self.set_zoom(zx * fx, zy * fy, anchor)

    def scroll_to(self, tick: float, row: float, at: QPointF) -> None:
        """Scroll so that scene point ``(tick, row)`` shows at viewport point ``at``."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(self.tick_to_x(tick) - at.x()))
        m = self.mapping()
        v.setValue(v.value() + round(row * m.sy + m.dy - at.y()))

    def ensure_visible(self, tick: int, margin: float = 0.1) -> None:
        """Scroll horizontally (only if needed) so ``tick`` is on screen, at least
        ``margin`` of the width from either edge."""
        w = self.viewport().width()
        x = self.tick_to_x(tick)
        if x < w * margin or x > w * (1 - margin):
            h = self.horizontalScrollBar()
            h.setValue(h.value() + round(x - w * margin))

    def refresh_scene(self) -> None:
        """Size the scene after the state's extent and repaint everything."""
        end = max(1, self.state.scene_end)
        self._scene.setSceneRect(QRectF(0, 0, end, 128))
        self.notes_layer.set_extent(end)
        self.ghost_layer.set_extent(end)
        self.resetCachedContent()
        self.viewport().update()
        self.ruler.update()
        self.keyboard.update()

    def grow_to(self, tick: int) -> None:
        """Extend the scene so that ``tick`` (and some bars after) can be shown."""
        if self.state.update_extent(tick):
            self.refresh_scene()

    def set_track_colors(self) -> None:
        """Colour each track by role (repeated roles get shifted hues)."""
        state, theme = self.state, self.theme
        tracks = state.score.tracks if state.score is not None else ()
        seen: dict[str, int] = {}
        colors = []
        for t in tracks:
            colors.append(theme.role_color(t.role, seen.get(t.role, 0)))
            seen[t.role] = seen.get(t.role, 0) + 1
        self.notes_layer.note_painter = NotePainter(colors, theme.selected_edge)
        melody = theme.role_color("melody")
        ghost_colors = [colors[k] if 0 <= k < len(colors) else melody
                        for k in state.ghost_tracks]
        self.ghost_layer.note_painter = NotePainter(ghost_colors, theme.selected_edge)

    # --- document state --------------------------------------------------------------
    def load_score(self, score, select=None) -> bool:
        """Show ``score``; select the ``(track index, Note)`` references ``select``
        (default: keep the selected notes still present). True if the selected
        notes changed."""
        before = self.state.selected_refs()
        self.state.load(score)
        if select is not None:
            self.state.select_refs(select)
        self.set_track_colors()
        self.refresh_scene()
        return self.state.selected_refs() != before

    def apply_edit(self, score, refs) -> None:
        """Show a score the user made here, with ``refs`` selected, and emit it."""
        self.load_score(score, select=refs)
        self.scoreEdited.emit(score)
        self.notesSelected.emit(self.selected_notes())

    def selected_notes(self) -> tuple:
        """The selected notes as ``(track name, Note)`` pairs, by start."""
        score = self.state.score
        if score is None:
            return ()
        return tuple((score.tracks[k].name, n) for k, n in self.state.selected_refs())

    def set_range(self, start: int | None, end: int | None = None, emit: bool = False) -> None:
        """Select ticks ``[start, end)`` (``None`` or ``end <= start`` clears)."""
        state = self.state
        new = None if start is None or end is None or end <= start or start < 0 else (start, end)
        if new == state.range:
            return
        state.range = new
        if new is not None:
            self.grow_to(new[1])
        self.viewport().update()
        self.ruler.update()
        if emit:
            self.selectionChanged.emit(*(new if new is not None else (-1, -1)))

    def set_cursor(self, tick: int, emit: bool = False) -> None:
        """Put the insert/playback cursor at ``tick`` (-1 hides it)."""
        old, self.state.cursor = self.state.cursor, int(tick)
        self.update_ticks(old, self.state.cursor)
        if emit and tick >= 0:
            self.cursorMoved.emit(int(tick))

    # --- drag-continue -----------------------------------------------------------
    def continue_start(self) -> bool:
        """Begin dragging the handle; False if no range is selected."""
        if self.state.range is None:
            return False
        start = self.state.range[1]
        self.state.preview = ContinuePreview(start, start, 0)
        return True

    def continue_move(self, tick: float) -> None:
        """The handle is at ``tick``: recount the bars after the range by the engine's
        bar rule (:func:`~composer.generation.plan.bars_until`; replace: the written
        bars, short ones included; insert: full bars of the meter), so the label, the
        preview and the take span the same ticks."""
        p = self.state.preview
        if p is None:
            return
        tolerance = 3.0 / max(self.mapping().sx, 1e-9)
        bars, end = self.bars_until(p.start, int(tick + tolerance))
        self.grow_to(end)
        if (bars, end) != (p.bars, p.end):
            self.state.preview = ContinuePreview(p.start, end, bars)
            self.viewport().update()
            self.ruler.update()

    def bars_until(self, end: int, tick: int) -> tuple[int, int]:
        """``(bars, region_end)``: the bars a continuation of a range ending at ``end``
        writes up to ``tick`` in the current mode (``(0, end)`` when not one)."""
        state = self.state
        if state.score is None:
            return state.grid.bars_after(end, tick)
        return bars_until(state.score, end, tick, "insert" if state.insert_mode else "replace")

    def continue_finish(self) -> None:
        p = self.state.preview
        self.state.preview = None
        self.viewport().update()
        self.ruler.update()
        if p is not None and p.bars >= 1 and self.state.range is not None:
            self.continueRequested.emit(self.state.range[0], self.state.range[1], p.bars)

    def handle_rect(self) -> QRectF | None:
        return canvas.handle_rect(self.state, self.mapping(), self.viewport().height())

    def autoscroll(self, x: float, replay) -> None:
        """While a drag's pointer is near or past the viewport's left or right edge
        (``x`` in viewport pixels), scroll every 30 ms and call ``replay()`` so the
        gesture follows the content moving under the pointer."""
        w = self.viewport().width()
        if x > w - 12 or x < 12:
            self._edge = (x, replay)
            if not self._scroll_timer.isActive():
                self._scroll_timer.start()
        else:
            self.stop_autoscroll()

    def stop_autoscroll(self) -> None:
        self._scroll_timer.stop()
        self._edge = None

    def _autoscroll_step(self) -> None:
        if self._edge is None:
            self._scroll_timer.stop()
            return
        x, replay = self._edge
        w = self.viewport().width()
        h = self.horizontalScrollBar()
        past = x - (w - 12) if x > w - 12 else x - 12
        before = h.value()
        if x > w - 12:
            self.grow_to(int(self.x_to_tick(w)) + 1)
        h.setValue(h.value() + int(max(-60, min(60, past))) or (4 if past > 0 else -4))
        if h.value() == before:
            self.stop_autoscroll()
            return
        replay()

    # --- painting --------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        m = Mapping.of(painter.worldTransform())
        device = QRectF(rect.left() * m.sx + m.dx, rect.top() * m.sy + m.dy,
                        rect.width() * m.sx, rect.height() * m.sy)
        painter.save()
        painter.resetTransform()
        canvas.paint_background(painter, self.state, self.theme, m, device)
        painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        m = Mapping.of(painter.worldTransform())
        device = QRectF(rect.left() * m.sx + m.dx, rect.top() * m.sy + m.dy,
                        rect.width() * m.sx, rect.height() * m.sy)
        painter.save()
        painter.resetTransform()
        canvas.paint_foreground(painter, self.state, self.theme, m, device,
                                self.viewport().height(), self.label_font)
        painter.restore()

    def update_ticks(self, *ticks: int) -> None:
        """Repaint thin vertical strips around the given ticks (cheap playhead
        moves); negative ticks are skipped."""
        h = self.viewport().height()
        for t in ticks:
            if t >= 0:
                x = int(self.tick_to_x(t))
                self.viewport().update(QRect(x - 3, 0, 7, h))
        self.ruler.update_ticks(*ticks)

    # --- Qt events -----------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        cr = self.contentsRect()
        vp = self.viewport().geometry()
        self.ruler.setGeometry(vp.left(), cr.top(), vp.width(), RULER_HEIGHT)
        self.keyboard.setGeometry(cr.left(), vp.top(), KEYBOARD_WIDTH, vp.height())
        self._corner.setGeometry(cr.left(), cr.top(), KEYBOARD_WIDTH, RULER_HEIGHT)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        if dy and self.state.range is not None:
            self.viewport().update()  # the handle sits halfway down the viewport
        elif dx and self.state.preview is not None:
            self.viewport().update()  # the "+N bars" label is pinned to the top
        self.ruler.update()
        self.keyboard.update()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self.theme = theme_for(self.palette())
            self.set_track_colors()
            self.refresh_scene()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            super().wheelEvent(event)
            return
        factor = WHEEL_STEP ** (delta / 120.0)
        anchor = event.position()
        if ctrl and alt:
            self.zoom_by(factor, factor, anchor)
        elif (ctrl and shift) or alt:
            self.zoom_by(1.0, factor, anchor)
        elif ctrl:
            self.zoom_by(factor, 1.0, anchor)
        elif shift:
            h = self.horizontalScrollBar()
            h.setValue(h.value() - delta)
        else:
            super().wheelEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.tools.press(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        self.tools.move(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self.tools.release(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        self.tools.double_click(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if not self.tools.key(event):
            super().keyPressEvent(event)
