"""``composer convert`` with ABC (and MusicXML) in or out: exit codes, one-line errors,
and never a half-written or stray output file."""

from __future__ import annotations

import json

import pytest

from composer.cli.main import main
from composer.music.abc import read_abc
from composer.music.io import read_score
from composer.music.repeats import expand_repeats
from tests.conftest import FIXTURES

TRICKY = FIXTURES / "tricky.abc"


def notes(score):
    return [[(n.start, n.end, n.pitch) for n in t.notes] for t in score.tracks]


def test_abc_to_abc_by_x_and_by_index(tmp_path, capsys):
    out = tmp_path / "four.abc"
    assert main(["convert", str(TRICKY), str(out), "--tune", "4"]) == 0
    assert capsys.readouterr().err == ""
    want = read_abc(TRICKY.read_text(), x=4)
    got = read_abc(out.read_text())
    assert notes(got) == notes(want) and got.voltas == want.voltas
    assert main(["convert", str(TRICKY), str(out), "--index", "5"]) == 0
    assert read_abc(out.read_text()).title == "Two Voices"


def test_abc_to_abc_copies_the_tune_as_written(tmp_path, fixtures):
    """Issue 12: nothing was asked to change, so every character of the tune stays (the
    file header too: it holds defaults for the tune)."""
    src = fixtures / "edit" / "decorated.abc"
    out = tmp_path / "copy.abc"
    assert main(["convert", str(src), str(out)]) == 0
    text = src.read_text()
    assert out.read_text() == text


def test_abc_to_midi_expands_repeats_and_back(tmp_path):
    mid, again = tmp_path / "t.mid", tmp_path / "again.abc"
    assert main(["convert", str(TRICKY), str(mid), "--tune", "4"]) == 0
    want = expand_repeats(read_abc(TRICKY.read_text(), x=4))
    assert notes(read_score(mid)) == notes(want)
    assert main(["convert", str(mid), str(again)]) == 0
    assert notes(read_abc(again.read_text())) == notes(want)


def test_musicxml_to_abc(tmp_path):
    out = tmp_path / "little.abc"
    assert main(["convert", str(FIXTURES / "little.musicxml"), str(out)]) == 0
    back = read_abc(out.read_text())
    assert notes(back) == notes(read_score(FIXTURES / "little.musicxml"))
    assert back.title == "Little Test"


def _bad_inputs(tmp_path):
    return {
        "empty": (b"", "the ABC text is empty"),
        "binary": (bytes(range(256)), "binary file"),
        "unknown key": (b"X:1\nT:t\nK:H\nabc|\n", "bad.abc:3:3: unknown key 'H'"),
        "syntax": (b"X:1\nT:t\nK:G\nab#c|\n", "bad.abc:4:3: sharps are written ^"),
        "no tune": (b"% only a comment\n", "no tune found"),
        "no notes": (b"X:1\nT:t\nK:G\nz4|\n", "the tune has no notes"),
    }


@pytest.mark.parametrize("case", ["empty", "binary", "unknown key", "syntax", "no tune",
                                  "no notes"])
def test_bad_abc_gives_one_line_and_no_output(tmp_path, capsys, case):
    data, words = _bad_inputs(tmp_path)[case]
    src, out = tmp_path / "bad.abc", tmp_path / "out.mid"
    src.write_bytes(data)
    assert main(["convert", str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("composer convert: ") and words in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.abc"]


@pytest.mark.parametrize("args,words", [
    (["--tune", "99"], "no tune with X:99"),
    (["--index", "99"], "no tune number 99"),
])
def test_tune_out_of_range(tmp_path, capsys, args, words):
    out = tmp_path / "out.abc"
    assert main(["convert", str(TRICKY), str(out), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not out.exists()


def test_failed_conversion_leaves_an_existing_output_untouched(tmp_path, capsys):
    src, out = tmp_path / "bad.abc", tmp_path / "out.abc"
    src.write_text("X:1\nK:C\nA[CE c|\n")
    out.write_text("the old file\n")
    assert main(["convert", str(src), str(out)]) == 2
    assert "chord not closed" in capsys.readouterr().err
    assert out.read_text() == "the old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.abc", "out.abc"]


@pytest.mark.parametrize("target,words", [
    ("missing-folder/out.abc", "does not exist"),
    ("folder.abc", "it is a folder"),
])
def test_unwritable_output(tmp_path, capsys, target, words):
    (tmp_path / "folder.abc").mkdir()
    out = tmp_path / target
    assert main(["convert", str(TRICKY), str(out)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.abc"]


def test_unknown_formats(tmp_path, capsys):
    assert main(["convert", str(TRICKY), str(tmp_path / "out.pdf")]) == 2
    assert "unknown format .pdf" in capsys.readouterr().err
    odd = tmp_path / "tune.txt"
    odd.write_text(TRICKY.read_text())
    assert main(["convert", str(odd), str(tmp_path / "out.abc")]) == 2
    assert "unknown format .txt" in capsys.readouterr().err


# --- warnings (issue 12): one line each on stderr, and the command succeeds ----------------
OFF_TICKS = "X:1\nT:t\nM:4/4\nL:1/16\nK:G\nA4 a/16 b/16 c15|\n"  # 1/256 notes: 7.5 ticks


def test_a_length_off_the_ticks_is_a_warning_line_and_the_conversion_succeeds(tmp_path,
                                                                              capsys):
    src, out = tmp_path / "odd.abc", tmp_path / "odd.mid"
    src.write_text(OFF_TICKS)
    assert main(["convert", str(src), str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 2 and captured.out == ""
    assert lines[0].startswith(f"warning: {src}:6:4: a/16 lasts 7.5 ticks (1/256 of a whole "
                               "note) at L:1/16")
    assert lines[0].endswith("it is rounded to 8 ticks: write a/8 or change L:")
    assert lines[1].startswith(f"warning: {src}:6:9: b/16 lasts 7.5 ticks")
    assert "Traceback" not in captured.err
    assert [n.duration for n in read_score(out).notes][1:3] == [8, 7]


def test_info_prints_the_warnings_of_each_tune_and_succeeds(tmp_path, capsys):
    src = tmp_path / "two.abc"
    src.write_text(OFF_TICKS + "\n" + OFF_TICKS.replace("X:1", "X:2").replace("b/16", "b/8"))
    assert main(["info", str(src), "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 2  # stdout stays JSON
    assert [line.split(": ")[1] for line in captured.err.splitlines()] == [
        f"{src}:6:4", f"{src}:6:9", f"{src}:13:4"]


def test_a_clean_tune_prints_no_warning(tmp_path, capsys):
    out = tmp_path / "t.mid"
    assert main(["convert", str(TRICKY), str(out), "--tune", "4"]) == 0
    assert capsys.readouterr().err == ""


def test_read_input_is_read_score_with_warnings_on_stderr(tmp_path, capsys):
    from composer.cli.reading import read_input

    src = tmp_path / "odd.abc"
    src.write_text(OFF_TICKS)
    assert read_input(src) == read_score(src)
    assert capsys.readouterr().err.count("\nwarning: ") == 1  # two lines
    assert read_input(FIXTURES / "little.musicxml") == read_score(FIXTURES / "little.musicxml")
    assert capsys.readouterr().err == ""
