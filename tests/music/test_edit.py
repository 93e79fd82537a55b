import dataclasses

from composer.music.edit import clear_range, crop, insert_time, paste
from composer.music.score import (
    Barline,
    ChordSymbol,
    KeyChange,
    MeterChange,
    Note,
    Score,
    Track,
    Volta,
)

Q = 480
BAR = 4 * Q


def tune():
    """Four bars of quarter notes C D E F ..., a held note across bars 2-3, chords per bar."""
    mel = [Note(i * Q, (i + 1) * Q, 60 + i) for i in range(7)]
    mel.append(Note(7 * Q, 9 * Q, 72))  # crosses the bar line at 8Q
    mel += [Note(9 * Q + i * Q, 10 * Q + i * Q, 65) for i in range(7)]
    acc = [Note(b * BAR, (b + 1) * BAR, 48) for b in range(4)]
    return Score(
        title="t",
        tracks=(Track("melody", tuple(mel)), Track("bass", tuple(acc), role="bass")),
        chords=tuple(ChordSymbol(b * BAR, "CGFC"[b]) for b in range(4)),
        meters=(MeterChange(0, 4, 4),),
        keys=(KeyChange(0, "C"), KeyChange(2 * BAR, "G")),
        barlines=tuple(Barline(b * BAR) for b in range(1, 4)) + (Barline(4 * BAR, "|]"),),
        voltas=(Volta(3 * BAR, 4 * BAR, (1,)),),
    )


def test_crop_starts_at_zero_with_state_in_force():
    s = crop(tune(), 2 * BAR, 4 * BAR)
    assert s.keys[0] == KeyChange(0, "G")
    assert s.length == 2 * BAR
    mel = s.track("melody").notes
    assert mel[0] == Note(0, Q, 72)  # the held note is clipped to the passage
    assert s.chords[0] == ChordSymbol(0, "F")
    assert [b.tick for b in s.barlines] == [BAR, 2 * BAR]
    assert s.voltas == (Volta(BAR, 2 * BAR, (1,)),)


def test_crop_repeats_sounding_chord_at_zero():
    s = crop(tune(), BAR + Q, 2 * BAR)
    assert s.chords == (ChordSymbol(0, "G"),)


def test_clear_range_only_named_tracks():
    s = clear_range(tune(), BAR, 2 * BAR, ["melody"])
    assert all(not BAR <= n.start < 2 * BAR for n in s.track("melody").notes)
    assert len(s.track("bass").notes) == 4
    assert all(not BAR <= c.start < 2 * BAR for c in s.chords)


def test_clear_range_shortens_crossing_note():
    s = clear_range(tune(), 8 * Q, 12 * Q, ["melody"])
    held = [n for n in s.track("melody").notes if n.pitch == 72]
    assert held == [Note(7 * Q, 8 * Q, 72)]


def test_insert_time_moves_everything_after():
    t = tune()
    s = insert_time(t, 2 * BAR, BAR)
    assert s.keys[1].tick == 3 * BAR
    assert s.barlines[-1] == Barline(5 * BAR, "|]")
    assert s.voltas == (Volta(4 * BAR, 5 * BAR, (1,)),)
    assert s.length == t.length + BAR
    # nothing sounds in the gap; a note that sounded across it is split around it
    gap = [n for tr in s.tracks for n in tr.notes if n.start < 3 * BAR and n.end > 2 * BAR]
    assert gap == []
    held = [n for n in t.track("melody").notes if n.start < 2 * BAR < n.end]
    for n in held:
        assert Note(n.start, 2 * BAR, n.pitch) in s.track("melody").notes
        assert Note(3 * BAR, n.end + BAR, n.pitch) in s.track("melody").notes


def test_a_bar_line_at_the_gap_closes_the_bar_before_it_and_opens_the_music_after():
    t = dataclasses.replace(tune(), barlines=(Barline(BAR, "|"), Barline(2 * BAR, ":|:"),
                                              Barline(4 * BAR, "|]")))
    s = insert_time(t, 2 * BAR, BAR)
    assert [(b.tick, b.kind) for b in s.barlines] == [
        (BAR, "|"), (2 * BAR, ":|"), (3 * BAR, "|:"), (5 * BAR, "|]")]
    assert s.bar_starts(s.length)[:4] == [0, BAR, 2 * BAR, 3 * BAR]


def test_paste_past_the_end_moves_the_final_barline():
    t = tune()
    new = {"melody": [Note(4 * BAR + i * Q, 4 * BAR + (i + 1) * Q, 67) for i in range(8)]}
    s = paste(t, new, [ChordSymbol(4 * BAR, "G")], start=4 * BAR, end=6 * BAR,
              bar_ticks=[5 * BAR, 6 * BAR])
    assert [(b.tick, b.kind) for b in s.barlines][-3:] == [(4 * BAR, "|"), (5 * BAR, "|"),
                                                           (6 * BAR, "|]")]
    assert s.length == 6 * BAR
    assert len(s.track("melody").notes) == len(t.track("melody").notes) + 8
    assert s.chords[-1] == ChordSymbol(4 * BAR, "G")


def test_paste_replaces_what_was_there():
    t = tune()
    new = {"melody": [Note(BAR, 2 * BAR, 50)]}
    s = paste(t, new, start=BAR, end=2 * BAR, bar_ticks=[2 * BAR])
    inside = [n for n in s.track("melody").notes if BAR <= n.start < 2 * BAR]
    assert inside == [Note(BAR, 2 * BAR, 50)]
    assert s.track("bass").notes == t.track("bass").notes
    assert [b.tick for b in s.barlines] == [b.tick for b in t.barlines]


def test_paste_new_track():
    s = paste(tune(), {"accompaniment": [Note(0, Q, 40)]}, start=0, end=BAR)
    assert s.track("accompaniment").role == "accompaniment"


def test_clear_range_keeps_what_sounds_after_it():
    """A note tied over the end of a replaced range keeps the part after it (issue 12:
    nothing outside the edit changes)."""
    s = clear_range(tune(), 6 * Q, 8 * Q, ["melody"])
    held = [n for n in s.track("melody").notes if n.pitch == 72]
    assert held == [Note(8 * Q, 9 * Q, 72)]
