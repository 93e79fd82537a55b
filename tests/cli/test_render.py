"""``composer render IN OUT.wav``: offline, atomic, one-line errors."""

from __future__ import annotations

import wave

import pytest

from composer.cli.main import main
from composer.music.midi import midi_bytes
from composer.music.score import Barline, ChordSymbol, MeterChange, Note, Score, TempoChange, Track

Q = 480


@pytest.fixture
def tune_mid(tmp_path):
    """Two bars of 3/4 at 120 qpm with chords, the second bar repeated: 4.5 s."""
    notes = tuple(Note(i * Q, (i + 1) * Q, 67 + i) for i in range(6))
    score = Score(tracks=(Track("Melody", notes, "melody"),),
                  chords=(ChordSymbol(0, "G"), ChordSymbol(3 * Q, "D")),
                  meters=(MeterChange(0, 3, 4),), tempos=(TempoChange(0, 120.0),),
                  barlines=(Barline(3 * Q, "|:"), Barline(6 * Q, ":|")))
    path = tmp_path / "tune.mid"
    path.write_bytes(midi_bytes(score))
    return path


@pytest.fixture
def audio_ok():
    from composer.audio.realtime import probe_audio

    status = probe_audio(open_device=False)
    if not status.can_render:
        pytest.skip(f"audio unavailable here: {status.message}")
    return status


def test_render_writes_a_wav(tune_mid, tmp_path, audio_ok, capsys):
    out = tmp_path / "tune.wav"
    assert main(["render", str(tune_mid), str(out), "--sample-rate", "22050"]) == 0
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 22050)
        assert w.getnframes() / 22050 == pytest.approx(4.5 + 1.0)  # music + release tail
    assert capsys.readouterr().err == ""
    assert main(["render", str(tune_mid), str(out), "--tempo", "1.5", "--no-chords",
                 "--soundfont", str(audio_ok.soundfont)]) == 0
    with wave.open(str(out)) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(3.0 + 1.0)


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--soundfont", "/no/such/font.sf2"], "SoundFont /no/such/font.sf2 does not exist"),
        (["--tempo", "9"], "--tempo 9.0: use 0.25 to 4"),
        (["--sample-rate", "100"], "--sample-rate 100"),
    ],
)
def test_bad_options_give_one_line(tune_mid, tmp_path, capsys, extra, words, audio_ok):
    out = tmp_path / "x.wav"
    assert main(["render", str(tune_mid), str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("composer render: ") and words in err and err.count("\n") == 1
    assert not out.exists()


def test_bad_input_and_output(tmp_path, tune_mid, capsys):
    assert main(["render", str(tune_mid), str(tmp_path / "x.mp3")]) == 2
    assert "must be a .wav file" in capsys.readouterr().err
    broken = tmp_path / "broken.mid"
    broken.write_bytes(tune_mid.read_bytes()[:40])
    assert main(["render", str(broken), str(tmp_path / "x.wav")]) == 2
    err = capsys.readouterr().err
    assert "truncated" in err and err.count("\n") == 1
    assert main(["render", str(tmp_path / "none.mid"), str(tmp_path / "x.wav")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


def test_unwritable_output_leaves_nothing(tune_mid, tmp_path, capsys, audio_ok):
    assert main(["render", str(tune_mid), str(tmp_path / "missing" / "x.wav")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tune.mid"]
