"""The piano roll widget driven like a user would: QTest mouse events on its viewport
and ruler, offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from composer.music.score import Barline, ChordSymbol, MeterChange, Note, Score, Track
from composer.ui.piano_roll import PianoRoll

Q = 480
BAR = 4 * Q
LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def tune(meter=(4, 4), bars=8) -> Score:
    """A chromatic melody of quarter notes from C4 up an octave, again and again, and a
    bass note per bar."""
    bar = meter[0] * 4 * Q // meter[1]
    mel = tuple(Note(i * Q, (i + 1) * Q, 60 + (i % 8)) for i in range(bars * bar // Q))
    bass = tuple(Note(b * bar, (b + 1) * bar, 40) for b in range(bars))
    return Score(
        title="t",
        tracks=(Track("Melody", mel), Track("Bass", bass, role="bass")),
        chords=tuple(ChordSymbol(b * bar, "CGFC"[b % 4]) for b in range(bars)),
        meters=(MeterChange(0, *meter),),
        barlines=tuple(Barline(b * bar) for b in range(1, bars)) + (Barline(bars * bar, "|]"),),
    )


@pytest.fixture
def roll(qtbot):
    widget = PianoRoll()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def show(roll: PianoRoll, score: Score, x_per_quarter: float = 40.0) -> None:
    roll.set_score(score)
    roll.set_zoom(x_per_quarter, 12.0)
    roll.view().horizontalScrollBar().setValue(0)
    roll.scroll_to_pitch(60)


def vp(roll: PianoRoll):
    return roll.view().viewport()


def at(roll: PianoRoll, tick: float, pitch: int) -> QPoint:
    return QPoint(round(roll.tick_to_x(tick)), round(roll.pitch_to_y(pitch)))


def drag(widget, start: QPoint, end: QPoint, steps: int = 6, mods=NOMOD) -> None:
    QTest.mousePress(widget, LEFT, mods, start)
    for k in range(1, steps + 1):
        QTest.mouseMove(widget, start + (end - start) * k / steps)
    QTest.mouseRelease(widget, LEFT, mods, end)


def pixel(roll: PianoRoll, point: QPoint) -> QColor:
    return QColor(vp(roll).grab().toImage().pixel(point))


def note_of(score: Score, track: str) -> list[Note]:
    return list(score.track(track).notes)


# --- showing a score -------------------------------------------------------------------
def test_set_score_lays_out_notes_and_paints_them(roll):
    s = tune()
    show(roll, s)
    assert roll.score() is s
    scene = roll.view().sceneRect()
    assert scene.width() >= s.length and scene.height() == 128
    n = s.tracks[0].notes[2]  # D4, third beat
    x0, x1 = roll.tick_to_x(n.start), roll.tick_to_x(n.end)
    assert x1 - x0 == pytest.approx(40.0, abs=0.01)
    inside = at(roll, (n.start + n.end) / 2, n.pitch)
    above = at(roll, (n.start + n.end) / 2, n.pitch + 1)
    melody = roll.view().theme.role_color("melody")
    got = pixel(roll, inside)
    assert abs(got.hue() - melody.hue()) < 12 and got.saturation() > 80
    assert pixel(roll, above).saturation() < 40  # an empty row
    assert roll.view().ruler.isVisible() and roll.view().keyboard.isVisible()


def test_set_score_keeps_view_and_same_score_is_a_no_op(roll, qtbot):
    s = tune()
    show(roll, s)
    roll.set_zoom(60, 10)
    roll.view().horizontalScrollBar().setValue(200)
    with qtbot.assertNotEmitted(roll.notesSelected):
        roll.set_score(s)
    other = tune(bars=12)
    roll.set_score(other)
    assert roll.zoom() == (60, 10) and roll.view().horizontalScrollBar().value() == 200
    roll.set_score(None)
    assert roll.score() is None


def test_first_score_is_fitted_once_shown(qtbot):
    roll = PianoRoll()
    qtbot.addWidget(roll)
    s = tune(bars=16)
    roll.set_score(s)  # before the roll is shown: fitted when it is
    roll.resize(1000, 600)
    roll.show()
    qtbot.waitUntil(lambda: roll.zoom()[0] < 40)
    assert roll.tick_to_x(s.length) <= vp(roll).width()


# --- range selection and drag-continue ------------------------------------------------
def test_ruler_drag_selects_whole_bars(roll, qtbot):
    show(roll, tune(), 30)
    ruler = roll.ruler()
    y = 8
    start = QPoint(round(roll.tick_to_x(BAR + 300)), y)  # inside bar 2
    end = QPoint(round(roll.tick_to_x(3 * BAR + 900)), y)  # inside bar 4
    seen = []
    roll.selectionChanged.connect(lambda a, b: seen.append((a, b)))
    drag(ruler, start, end)
    assert roll.selection() == (BAR, 4 * BAR)
    # the range grows bar by bar while dragging; the last one is the final range
    assert seen[-1] == (BAR, 4 * BAR) and all(a == BAR and b % BAR == 0 for a, b in seen)
    assert len(set(seen)) == len(seen)


def test_ruler_click_moves_the_cursor_and_clears_the_range(roll, qtbot):
    show(roll, tune(), 30)
    roll.set_selection(0, BAR)
    point = QPoint(round(roll.tick_to_x(2 * BAR + 250)), 8)
    seen = []
    roll.selectionChanged.connect(lambda a, b: seen.append(("range", a, b)))
    roll.cursorMoved.connect(lambda t: seen.append(("cursor", t)))
    QTest.mouseClick(roll.ruler(), LEFT, NOMOD, point)
    assert roll.selection() is None
    assert roll.cursor_tick() == 2 * BAR + 240  # snapped to the eighth
    assert seen == [("range", -1, -1), ("cursor", 2 * BAR + 240)]


@pytest.mark.parametrize("meter", [(4, 4), (6, 8)])
def test_handle_drag_asks_for_four_bars(roll, qtbot, meter):
    s = tune(meter)
    bar = s.meter_at(0).bar_ticks
    show(roll, s, 24)
    roll.set_selection(0, 2 * bar)
    handle = roll.continue_handle_pos()
    assert handle is not None and abs(handle.x() - roll.tick_to_x(2 * bar)) <= 1
    target = QPoint(round(roll.tick_to_x(6 * bar + bar // 3)), handle.y())
    with qtbot.waitSignal(roll.continueRequested) as blocker:
        QTest.mousePress(vp(roll), LEFT, NOMOD, handle)
        for k in range(1, 9):
            QTest.mouseMove(vp(roll), handle + (target - handle) * k / 8)
            if k == 4:  # halfway: the preview shows two whole bars so far
                assert roll.view().state.preview.bars == 2
        QTest.mouseRelease(vp(roll), LEFT, NOMOD, target)
    assert blocker.args == [0, 2 * bar, 4]
    assert roll.view().state.preview is None


def test_handle_dragged_past_the_edge_scrolls_on(roll, qtbot):
    show(roll, tune(), 40)
    roll.set_selection(0, BAR)
    handle = roll.continue_handle_pos()
    edge = QPoint(vp(roll).width() + 20, handle.y())
    h = roll.view().horizontalScrollBar()
    QTest.mousePress(vp(roll), LEFT, NOMOD, handle)
    QTest.mouseMove(vp(roll), handle + QPoint(20, 0))
    QTest.mouseMove(vp(roll), edge)
    visible_bars = roll.view().state.preview.bars
    # held past the right edge, the view keeps scrolling and the preview keeps growing
    qtbot.waitUntil(lambda: roll.view().state.preview.bars >= visible_bars + 3, timeout=5000)
    assert h.value() > 0
    with qtbot.waitSignal(roll.continueRequested) as blocker:
        QTest.mouseRelease(vp(roll), LEFT, NOMOD, edge)
    assert blocker.args[2] >= visible_bars + 3
    assert not roll.view()._scroll_timer.isActive()


def test_handle_tab_in_the_ruler_works_too(roll, qtbot):
    show(roll, tune(), 24)
    roll.set_selection(BAR, 2 * BAR)
    tab = roll.view().ruler.tab_rect().center().toPoint()
    with qtbot.waitSignal(roll.continueRequested) as blocker:
        drag(roll.ruler(), tab, QPoint(round(roll.tick_to_x(3 * BAR + 10)), tab.y()))
    assert blocker.args == [BAR, 2 * BAR, 1]


def test_handle_released_short_of_a_bar_does_nothing(roll, qtbot):
    show(roll, tune(), 24)
    roll.set_selection(0, BAR)
    handle = roll.continue_handle_pos()
    with qtbot.assertNotEmitted(roll.continueRequested):
        drag(vp(roll), handle, handle + QPoint(round(0.8 * BAR * 24 / Q), 0))
    assert roll.selection() == (0, BAR)


def test_no_handle_without_a_range(roll):
    show(roll, tune())
    assert roll.continue_handle_pos() is None
    roll.set_selection(0, BAR)
    roll.set_selection(-1, -1)
    assert roll.selection() is None and roll.continue_handle_pos() is None


# --- note editing ----------------------------------------------------------------------
def test_drag_moves_a_note_in_time_and_pitch_snapped(roll, qtbot):
    s = tune()
    show(roll, s)
    n = s.tracks[0].notes[1]  # C#4 at one quarter
    start = at(roll, n.start + 100, n.pitch)
    # 1.3 quarters right, 2 semitones up: snapped to the eighth grid = 1.5 quarters
    end = at(roll, n.start + 100 + 1.3 * Q, n.pitch + 2)
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        drag(vp(roll), start, end)
    new = blocker.args[0]
    moved = Note(n.start + 720, n.end + 720, n.pitch + 2, n.velocity)
    assert moved in note_of(new, "Melody") and n not in note_of(new, "Melody")
    assert new.track("Bass") == s.track("Bass")
    assert roll.score() is new
    assert roll.selected_notes() == (("Melody", moved),)


def test_snap_off_moves_by_the_mouse(roll, qtbot):
    s = tune()
    show(roll, s)
    roll.set_snap(0)
    assert roll.snap() == 0
    n = s.tracks[0].notes[1]
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        drag(vp(roll), at(roll, n.start + 100, n.pitch), at(roll, n.start + 100 + 300, n.pitch))
    moved = [m for m in note_of(blocker.args[0], "Melody") if m.pitch == n.pitch and m != n]
    assert any(abs(m.start - (n.start + 300)) <= Q / 40 + 1 for m in moved)


def test_set_snap_to_quarters(roll, qtbot):
    s = tune()
    show(roll, s)
    assert roll.snap() == 240  # default in 4/4: an eighth
    roll.set_snap(Q)
    n = s.tracks[0].notes[1]
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        drag(vp(roll), at(roll, n.start + 100, n.pitch), at(roll, n.start + 100 + 300, n.pitch))
    assert Note(n.start + Q, n.end + Q, n.pitch) in note_of(blocker.args[0], "Melody")


def test_drag_right_edge_resizes(roll, qtbot):
    s = tune()
    show(roll, s)
    n = s.tracks[0].notes[3]
    edge = QPoint(round(roll.tick_to_x(n.end)) - 2, round(roll.pitch_to_y(n.pitch)))
    target = edge + QPoint(round(1.1 * Q * 40 / Q), 0)  # about a quarter longer
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        drag(vp(roll), edge, target)
    assert Note(n.start, n.end + Q, n.pitch) in note_of(blocker.args[0], "Melody")


def test_double_click_draws_a_note_of_the_snap_length(roll, qtbot):
    s = tune()
    show(roll, s)
    point = at(roll, 2 * BAR + 300, 72)  # an empty spot above the melody
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        QTest.mouseDClick(vp(roll), LEFT, NOMOD, point)
    drawn = set(note_of(blocker.args[0], "Melody")) - set(s.tracks[0].notes)
    assert drawn == {Note(2 * BAR + 240, 2 * BAR + 480, 72)}


def test_draw_mode_drags_out_a_note_on_the_current_track(roll, qtbot):
    s = tune()
    show(roll, s)
    roll.set_current_track("Bass")
    roll.set_draw_mode(True)
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        drag(vp(roll), at(roll, BAR + 10, 50), at(roll, BAR + Q + 10, 50))
    drawn = set(note_of(blocker.args[0], "Bass")) - set(s.track("Bass").notes)
    assert drawn == {Note(BAR, BAR + Q, 50)}


def test_click_select_then_delete(roll, qtbot):
    s = tune()
    show(roll, s)
    a, b = s.tracks[0].notes[0], s.tracks[0].notes[2]
    with qtbot.waitSignal(roll.notesSelected) as blocker:
        QTest.mouseClick(vp(roll), LEFT, NOMOD, at(roll, a.start + 200, a.pitch))
    assert blocker.args[0] == (("Melody", a),)
    QTest.mouseClick(vp(roll), LEFT, Qt.KeyboardModifier.ShiftModifier,
                     at(roll, b.start + 200, b.pitch))
    assert set(roll.selected_notes()) == {("Melody", a), ("Melody", b)}
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        QTest.keyClick(roll.view(), Qt.Key.Key_Delete)
    left = note_of(blocker.args[0], "Melody")
    assert a not in left and b not in left and len(left) == len(s.tracks[0].notes) - 2
    assert roll.selected_notes() == ()


def test_rubber_band_selects_notes(roll, qtbot):
    s = tune()
    show(roll, s)
    # melody notes 1..3 (C#4 D4 D#4) lie in ticks 480..1920 and pitches 61..63
    with qtbot.waitSignal(roll.notesSelected) as blocker:
        drag(vp(roll), at(roll, 600, 66), at(roll, 1800, 61))
    assert {n for _, n in blocker.args[0]} == set(s.tracks[0].notes[1:4])


def test_click_on_empty_spot_moves_cursor(roll, qtbot):
    show(roll, tune())
    with qtbot.waitSignal(roll.cursorMoved) as blocker:
        QTest.mouseClick(vp(roll), LEFT, NOMOD, at(roll, BAR + 700, 80))
    assert blocker.args == [BAR + 720]


def test_not_editable_allows_selection_only(roll, qtbot):
    s = tune()
    show(roll, s)
    roll.set_editable(False)
    n = s.tracks[0].notes[1]
    with qtbot.assertNotEmitted(roll.scoreEdited):
        drag(vp(roll), at(roll, n.start + 100, n.pitch), at(roll, n.start + 900, n.pitch + 3))
        QTest.keyClick(roll.view(), Qt.Key.Key_Delete)
        QTest.mouseDClick(vp(roll), LEFT, NOMOD, at(roll, 2 * BAR + 300, 80))
    assert roll.selected_notes() == (("Melody", n),)


def test_arrow_keys_transpose_selected(roll, qtbot):
    s = tune()
    show(roll, s)
    n = s.tracks[0].notes[0]
    roll.select_notes([("Melody", n)])
    with qtbot.waitSignal(roll.scoreEdited) as blocker:
        QTest.keyClick(roll.view(), Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert Note(n.start, n.end, n.pitch + 12) in note_of(blocker.args[0], "Melody")


# --- ghosts, zoom, playhead ------------------------------------------------------------
def test_ghost_notes_appear_and_clear(roll):
    s = tune()
    show(roll, s)
    ghost = Note(BAR + Q, BAR + 2 * Q, 76)
    spot = at(roll, ghost.start + Q / 2, ghost.pitch)
    before = pixel(roll, spot)
    roll.set_ghost_notes({"Melody": (ghost,)})
    assert roll.ghost_notes() == {"Melody": (ghost,)}
    during = pixel(roll, spot)
    assert during != before and during.saturation() > before.saturation()
    roll.set_ghost_notes(None)
    assert pixel(roll, spot) == before and roll.ghost_notes() == {}


def _wheel(widget, pos: QPointF, delta: int, mods) -> None:
    event = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, delta),
                        Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_ctrl_wheel_zooms_time_keeping_the_anchor(roll):
    show(roll, tune(bars=32), 40)
    roll.view().horizontalScrollBar().setValue(400)
    anchor = QPointF(300, 200)
    tick = roll.x_to_tick(anchor.x())
    zx, zy = roll.zoom()
    _wheel(vp(roll), anchor, 120, Qt.KeyboardModifier.ControlModifier)
    assert roll.zoom()[0] == pytest.approx(zx * 1.2) and roll.zoom()[1] == zy
    assert abs(roll.tick_to_x(tick) - anchor.x()) <= 1.0
    row = roll.view().y_to_row(anchor.y())
    _wheel(vp(roll), anchor, 120, Qt.KeyboardModifier.AltModifier)
    assert roll.zoom()[1] == pytest.approx(zy * 1.2)
    assert abs(roll.view().y_to_row(anchor.y()) - row) * roll.zoom()[1] <= 1.0


def test_shift_wheel_scrolls_horizontally(roll):
    show(roll, tune(bars=32), 40)
    h = roll.view().horizontalScrollBar()
    _wheel(vp(roll), QPointF(100, 100), -120, Qt.KeyboardModifier.ShiftModifier)
    assert h.value() == 120


def test_follow_playhead_scrolls(roll):
    s = tune(bars=64)
    show(roll, s, 40)
    far = 40 * BAR
    roll.set_playhead(far)
    assert roll.tick_to_x(far) > vp(roll).width()  # not following: no scroll
    assert roll.playhead() == far
    roll.set_follow_playhead(True)
    roll.set_playhead(far + Q)
    assert 0 <= roll.tick_to_x(far + Q) <= vp(roll).width()
    roll.set_playhead(-1)
    assert roll.playhead() == -1


def test_ensure_visible_and_zoom_to_fit(roll):
    s = tune(bars=40)
    show(roll, s, 40)
    roll.ensure_visible(30 * BAR)
    assert 0 <= roll.tick_to_x(30 * BAR) <= vp(roll).width()
    roll.zoom_to_fit()
    assert roll.tick_to_x(0) == pytest.approx(0, abs=1)
    assert roll.tick_to_x(s.length) <= vp(roll).width()


def test_twenty_thousand_notes_load_and_draw(roll):
    notes = tuple(Note(i * 120, i * 120 + 100, 40 + (i * 7) % 48) for i in range(20_000))
    s = Score(tracks=(Track("Piano", notes, role="piano"),))
    roll.set_score(s)
    roll.zoom_to_fit()
    image = vp(roll).grab().toImage()  # the overview: every note at once
    assert not image.isNull()
    roll.set_zoom(60, 10)
    roll.ensure_visible(1_000_000)
    assert len(roll.view().state.index) == 20_000
    assert not vp(roll).grab().toImage().isNull()
