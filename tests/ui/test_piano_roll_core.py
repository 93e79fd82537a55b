"""The piano roll's Qt-free parts: the bar/beat/snap grid, the note index, the edits."""

from __future__ import annotations

from composer.music.score import Barline, MeterChange, Note, Score, Track
from composer.ui.piano_roll.edits import (
    add_note,
    clamp_move,
    delete_notes,
    move_notes,
    new_note,
    resize_notes,
)
from composer.ui.piano_roll.grid import TimeGrid, subdivision
from composer.ui.piano_roll.note_index import NoteIndex

Q = 480


def pickup_jig() -> Score:
    """6/8 with a one-eighth pickup and four written bars."""
    bars = tuple(Barline(240 + i * 1440) for i in range(5))
    return Score(tracks=(Track("m", (Note(0, 240, 62), Note(240, 720, 64))),),
                 meters=(MeterChange(0, 6, 8),), barlines=bars)


def test_subdivision_follows_the_meter():
    assert subdivision(MeterChange(0, 4, 4)) == 240
    assert subdivision(MeterChange(0, 6, 8)) == 240
    assert subdivision(MeterChange(0, 2, 2)) == 480
    assert subdivision(MeterChange(0, 12, 16)) == 120


def test_grid_keeps_the_pickup_and_extends_with_the_meter():
    g = TimeGrid(pickup_jig())
    assert g.pickup
    assert g.bar_span(0) == (0, 240)
    assert g.bar_span(1) == (240, 1680)
    assert g.bar_number(0) == 0 and g.bar_number(1) == 1
    # far past the written bars, the 6/8 meter goes on
    assert g.bar_span(40) == (240 + 39 * 1440, 240 + 40 * 1440)
    assert g.bar_index(240 + 39 * 1440 + 5) == 40


def test_grid_follows_meter_changes():
    s = Score(meters=(MeterChange(0, 4, 4), MeterChange(2 * 1920, 3, 4)))
    g = TimeGrid(s)
    assert g.bar_span(1) == (1920, 3840)
    assert g.bar_span(2) == (3840, 3840 + 1440)
    assert g.default_step(4000) == 240
    bars, beats, subs = g.lines(0, 3840 + 1440, beat_min=1, sub_min=1, sub_step=240)
    assert bars == [0, 1920, 3840, 5280]
    assert 3840 + 480 in beats and 3840 + 960 in beats
    assert 3840 + 240 in subs and 3840 + 480 not in subs


def test_lines_leave_out_dense_beats_and_subdivisions():
    g = TimeGrid(Score())
    bars, beats, subs = g.lines(0, 1920, beat_min=600, sub_min=300, sub_step=240)
    assert bars == [0, 1920] and beats == [] and subs == []


def test_bar_range_covers_touched_bars():
    g = TimeGrid(Score())
    assert g.bar_range(100, 100) == (0, 1920)
    assert g.bar_range(2000, 7000) == (1920, 7680)
    assert g.bar_range(7000, 2000) == (1920, 7680)


def test_bars_after_counts_whole_bars_in_4_4_and_6_8():
    g = TimeGrid(Score())
    assert g.bars_after(1920, 1920 + 4 * 1920) == (4, 1920 * 5)
    assert g.bars_after(1920, 1920 + 4 * 1920 - 1) == (3, 1920 * 4)
    assert g.bars_after(1920, 1900) == (0, 1920)
    j = TimeGrid(pickup_jig())
    start = 240 + 2 * 1440
    assert j.bars_after(start, start + 4 * 1440 + 10) == (4, start + 4 * 1440)


def test_snap_inside_bars_and_in_the_pickup():
    g = TimeGrid(Score())
    assert g.snap(130, 240) == 240
    assert g.snap(110, 240) == 0
    assert g.snap(470, 240, "floor") == 240
    assert g.snap(1234, 0) == 1234
    j = TimeGrid(pickup_jig())
    # the pickup's beats are counted back from its end; bar 1 starts at 240
    assert j.snap(240 + 250, 240) == 480
    assert j.snap(240 + 1440 + 100, 1440) == 1680
    # a step that does not divide the bar still lands on the bar line
    assert TimeGrid(Score(meters=(MeterChange(0, 5, 8),))).snap(1150, 480) == 1200


def test_index_query_and_hit():
    a = (Note(0, 480, 60), Note(480, 960, 62), Note(0, 9600, 40))
    b = (Note(0, 480, 60, 100),)
    idx = NoteIndex([a, b])
    assert len(idx) == 4 and idx.track_count == 2
    shown = idx.query(500, 600)
    assert sorted(idx.notes[i] for i in shown) == [Note(0, 9600, 40), Note(480, 960, 62)]
    assert list(idx.query(500, 600, 61, 70)) == [i for i in shown if idx.notes[i].pitch == 62]
    # topmost track wins, and a point query finds a long note that started early
    assert idx.ref(idx.hit(100, 60)) == (1, Note(0, 480, 60, 100))
    assert idx.ref(idx.hit(5000, 40)) == (0, Note(0, 9600, 40))
    assert idx.hit(5000, 41) == -1
    assert idx.hit(485, 60, tolerance=10) >= 0  # near the end, within tolerance
    assert len(idx.positions_of([(0, Note(480, 960, 62)), (1, Note(0, 1, 1))])) == 1


def test_index_of_nothing():
    idx = NoteIndex([])
    assert len(idx) == 0 and idx.hit(0, 60) == -1 and len(idx.query(0, 100)) == 0


def two_tracks() -> Score:
    return Score(tracks=(Track("m", (Note(0, 480, 60), Note(480, 960, 62), Note(480, 960, 62))),
                         Track("b", (Note(0, 1920, 40),), role="bass")), end_tick=1920)


def test_move_notes_and_clamp():
    s = two_tracks()
    new, refs = move_notes(s, [(0, Note(0, 480, 60))], 240, 2)
    assert new.tracks[0].notes[0] == Note(240, 720, 62)
    assert refs == [(0, Note(240, 720, 62))]
    assert new.tracks[1] == s.tracks[1]
    assert clamp_move([(0, Note(100, 200, 126))], -500, 5) == (-100, 1)
    moved, _ = move_notes(s, [(1, Note(0, 1920, 40))], 960, 0)
    assert moved.end_tick == 2880  # the explicit end grows to hold the moved note


def test_duplicates_are_moved_and_deleted_one_at_a_time():
    s = two_tracks()
    new, _ = move_notes(s, [(0, Note(480, 960, 62))], 0, 1)
    assert sorted(new.tracks[0].notes) == [Note(0, 480, 60), Note(480, 960, 62), Note(480, 960, 63)]
    gone = delete_notes(s, [(0, Note(480, 960, 62)), (0, Note(0, 480, 60))])
    assert gone.tracks[0].notes == (Note(480, 960, 62),)


def test_resize_keeps_a_minimum_length():
    s = two_tracks()
    new, refs = resize_notes(s, [(0, Note(0, 480, 60))], -1000, min_length=240)
    assert refs == [(0, Note(0, 240, 60))]
    longer, _ = resize_notes(s, [(0, Note(0, 480, 60))], 480)
    assert longer.tracks[0].notes[0] == Note(0, 960, 60)


def test_add_note_to_a_track_or_a_new_one():
    s = two_tracks()
    new, ref = add_note(s, 1, Note(1920, 2400, 43))
    assert ref == (1, Note(1920, 2400, 43)) and new.tracks[1].notes[-1] == Note(1920, 2400, 43)
    empty, ref = add_note(Score(), None, new_note(-5, -1, 200, 0))
    assert empty.tracks[0].name == "Melody" and empty.tracks[0].role == "melody"
    assert ref[1] == Note(0, 1, 127, 1)
