"""The pure player against a manual clock and a recording output: what sounds
when, the playhead through repeats, pause/stop/seek, loops, tempo, auditions."""

from __future__ import annotations

import pytest

from composer.audio.player import PAUSED, PLAYING, STOPPED, ManualClock, Player, RecordingOutput
from composer.music.score import Barline, Note, Score, TempoChange, Track

Q = 480  # a quarter: 0.5 s at the default 120 qpm


def scale(n=8, **kw) -> Score:
    notes = tuple(Note(i * Q, (i + 1) * Q, 60 + i) for i in range(n))
    return Score(tracks=(Track("m", notes, "piano"),), **kw)


def make(score=None, **kw):
    clock = ManualClock(100.0)
    out = RecordingOutput(clock)
    player = Player(out, clock, lookahead=0.2, start_delay=0.0, **kw)
    player.load(score or scale())
    return player, clock, out


def run(player, clock, seconds, step=0.05):
    for _ in range(int(round(seconds / step))):
        player.pump()
        clock.advance(step)
    player.pump()


def heard(out, since=100.0):
    return [(round(a - since, 3), round(b - since, 3), p) for a, b, _, p in out.notes()]


def test_events_are_handed_over_only_lookahead_ahead():
    player, clock, out = make()
    player.play(0)
    assert [e[3] for e in out.events if e[1] == "on"] == [60]  # 0.0 <= 0.2
    clock.advance(0.35)
    player.pump()
    assert [e[3] for e in out.events if e[1] == "on"] == [60, 61]  # 0.5 <= 0.55
    assert player.state == PLAYING


def test_whole_scale_sounds_at_the_right_times_then_stops():
    player, clock, out = make()
    finished = []
    player.on_finished = lambda: finished.append(True)
    player.play(0)
    run(player, clock, 4.2)
    assert heard(out) == [(i * 0.5, (i + 1) * 0.5, 60 + i) for i in range(8)]
    assert player.state == STOPPED and finished == [True]
    assert player.position() == 0  # back where playback started


def test_playhead_in_written_ticks_through_a_repeat():
    score = scale(4, barlines=(Barline(2 * Q, "|:"), Barline(4 * Q, ":|")))
    player, clock, out = make(score)
    player.play(0)
    positions = []
    for _ in range(6):
        positions.append(player.position())
        run(player, clock, 0.5)
    assert positions == [0, Q, 2 * Q, 3 * Q, 2 * Q, 3 * Q]
    assert [p for _, _, p in heard(out)] == [60, 61, 62, 63, 62, 63]


def test_pause_resume_and_stop_return():
    player, clock, out = make()
    player.play(2 * Q)
    run(player, clock, 0.75)
    player.pause()
    assert player.state == PAUSED and player.position() == 3 * Q + Q // 2
    # the note sounding at pause is released then; nothing later sounds
    assert heard(out) == [(0.0, 0.5, 62), (0.5, 0.75, 63)]
    clock.advance(5)
    player.play()
    run(player, clock, 0.3)
    assert heard(out)[-1] == (6.0, 6.5, 64)  # resumed mid-note: the next note on time
    player.stop()
    assert player.state == STOPPED and player.position() == 2 * Q


def test_seek_while_playing_and_when_stopped():
    player, clock, out = make()
    player.seek(5 * Q)
    assert player.position() == 5 * Q
    player.play()
    run(player, clock, 0.2)
    player.seek(Q)
    run(player, clock, 0.6)
    assert [p for _, _, p in heard(out)] == [65, 61, 62]


def test_loop_a_range():
    player, clock, out = make()
    player.set_loop(2 * Q, 4 * Q)
    player.play(0)  # outside the loop: jumps into it
    run(player, clock, 2.95)
    assert heard(out) == [(i * 0.5, (i + 1) * 0.5, 62 + i % 2) for i in range(7)]
    assert player.state == PLAYING and player.position() == 3 * Q + 432
    player.set_loop(None)
    run(player, clock, 3.0)
    assert player.state == STOPPED
    with pytest.raises(ValueError):
        player.set_loop(4 * Q, 4 * Q)


def test_tempo_factor_and_tempo_map():
    score = scale(4, tempos=(TempoChange(0, 60.0), TempoChange(2 * Q, 120.0)))
    player, clock, out = make(score)
    player.set_tempo_factor(2.0)
    player.play(0)
    run(player, clock, 2.0)
    assert heard(out) == [(0.0, 0.5, 60), (0.5, 1.0, 61), (1.0, 1.25, 62), (1.25, 1.5, 63)]


def test_audition_a_take_then_back_to_the_document():
    player, clock, out = make()
    player.seek(Q)
    take = scale(8).tracks[0].with_notes(
        [Note(i * Q, (i + 1) * Q, 70 + i) for i in range(8)])
    player.audition(Score(tracks=(take,)), 4 * Q, 6 * Q)
    assert player.auditioning
    run(player, clock, 1.2)
    assert [p for _, _, p in heard(out)] == [74, 75]
    assert player.state == STOPPED and not player.auditioning
    assert player.position() == Q  # the document's playhead is back
    player.play()
    run(player, clock, 0.3)
    assert heard(out)[-1][2] == 61


def test_reloading_while_playing_keeps_the_position():
    player, clock, out = make()
    player.play(0)
    run(player, clock, 1.1)
    player.load(scale(8, tempos=(TempoChange(0, 60.0),)))  # an edit: slower
    assert player.state == PLAYING and player.position() == 2 * Q + Q // 5
    run(player, clock, 1.0)
    assert heard(out)[-1][2] == 63


def test_play_needs_a_score():
    clock = ManualClock()
    with pytest.raises(RuntimeError):
        Player(RecordingOutput(clock), clock).play()
