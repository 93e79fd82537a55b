"""The piano roll: a QGraphicsView-based editor of one :class:`~composer.music.score.Score`.

Times are ticks (480 per quarter note); pitches MIDI numbers (60 = C4). ::

    from composer.ui.piano_roll import PianoRoll
    roll = PianoRoll(parent=None)
    roll.set_score(score)              # redraws; the first score is fitted into view
    roll.score() -> Score | None
    roll.set_ghost_notes(notes)        # {track name: (Note, ...)} | None: translucent take notes
    roll.set_note_marks(marks)         # [(start, end, pitch, strength)] | None: red outlines
    roll.set_selection(start, end)     # ticks; (-1, -1) or None clears (no signal)
    roll.selection() -> (start, end) | None
    roll.set_playhead(tick)            # -1 hides; cheap (repaints two thin strips)
    roll.set_follow_playhead(bool)     # scroll a page when the playhead leaves the view
    roll.set_snap(ticks)               # 0 = off; None (default) = the meter's subdivision
    roll.set_editable(bool)
    roll.zoom_to_fit(); roll.set_zoom(x_pixels_per_quarter, y_pixels_per_semitone)
    roll.ensure_visible(tick)
    roll.set_insert_mode(bool)         # the drag-continue preview says "insert" or "replace"

Signals::

    selectionChanged(int start, int end)            # bar-aligned range from the ruler; -1, -1: none
    continueRequested(int start, int end, int bars)  # handle released after `bars` >= 1 bars right
    scoreEdited(object score)                       # a new Score after a user edit
    notesSelected(object notes)                     # tuple of (track name, Note)
    cursorMoved(int tick)                           # click on the ruler or an empty spot

More: ``zoom()``, ``snap(tick)``, ``playhead()``, ``set_cursor(tick)``/``cursor_tick()``,
``set_draw_mode(bool)``, ``set_current_track(name)``/``current_track()``,
``selected_notes()``/``select_notes(pairs)``, ``ghost_notes()``, ``scroll_to_pitch(p)``,
``continue_handle_pos()`` (viewport pixels), ``continue_preview()``/``continue_label()``
(while the handle is dragged), ``tick_to_x``/``x_to_tick``/``pitch_to_y``,
``view()`` (the QGraphicsView; mouse events go to its viewport), ``ruler()``, ``keyboard()``.

Gestures: wheel scrolls (Shift+wheel: horizontally); Ctrl+wheel zooms time, Ctrl+Shift+wheel
or Alt+wheel zooms pitch, Ctrl+Alt+wheel both (the point under the mouse stays put). Click a
note to select it (Shift/Ctrl-click toggles), drag on an empty spot for a rubber band; drag
notes to move them (time and pitch, snapped), drag a note's right end to resize; double-click
(or press in draw mode) to draw a note of the snap length on the current track; Delete or
Backspace deletes; Up/Down transposes (Shift: an octave), Left/Right moves by the snap step;
Ctrl+A selects all. Drag on the ruler to select whole bars; with a range selected, drag its
handle (the orange tab in the ruler or the pill in the note area) to the right to ask for a
continuation of that many bars, counted by the engine's bar rule
(:func:`composer.generation.plan.bars_until`: replace counts the written bars, short ones
included; insert counts full bars of the meter), so the preview spans the take's ticks.

Layout: ``grid`` (bars, beats, snap; no Qt), ``note_index`` (numpy index; no Qt), ``edits``
(pure Score edits), ``state``, ``painting``/``layers``/``canvas`` (drawing), ``view``,
``tools`` (gestures), ``ruler``, ``keyboard``, ``theme``, ``widget`` (this API).
"""

from composer.ui.piano_roll.widget import PianoRoll

__all__ = ["PianoRoll"]
