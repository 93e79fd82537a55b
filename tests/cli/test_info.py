"""``composer info``: the tunes of a file as a table or JSON; unreadable input is one
line on stderr and exit status 2."""

from __future__ import annotations

import json

from composer.cli.main import main
from tests.conftest import FIXTURES

TRICKY = FIXTURES / "tricky.abc"


def test_table(capsys):
    assert main(["info", str(TRICKY)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "X:", "meter", "key", "bars", "title"]
    assert len(lines) == 7
    assert lines[4].split() == ["4", "4", "2/4", "A", "minor", "9", "Repeats", "and", "Endings"]


def test_json(capsys):
    assert main(["info", str(TRICKY), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["x"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0] == {"index": 1, "x": 1, "title": "Pickup, Triplets and Ties",
                       "meter": "6/8", "key": "G", "bars": 9, "line": 4, "error": None}


def test_a_broken_tune_is_listed_with_its_error(tmp_path, capsys):
    src = tmp_path / "some.abc"
    src.write_text("X:1\nT:good\nK:G\nGABc|\n\nX:2\nT:bad\nK:G\nGA#c|\n")
    assert main(["info", str(src)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[-1] == "good"
    assert "?" in out[2] and "cannot read: some.abc:9:3: sharps are written ^" in out[2]


def test_nothing_readable_is_an_error(tmp_path, capsys):
    src = tmp_path / "bad.abc"
    src.write_text("X:1\nT:t\nK:H\nabc|\n")
    assert main(["info", str(src)]) == 2
    err = capsys.readouterr().err
    assert err == "composer info: bad.abc:3:3: " + err.split(": ", 2)[2]
    assert "unknown key 'H'" in err and err.count("\n") == 1


def test_empty_and_missing_files(tmp_path, capsys):
    empty = tmp_path / "empty.abc"
    empty.write_text("")
    assert main(["info", str(empty)]) == 2
    assert "the ABC text is empty" in capsys.readouterr().err
    assert main(["info", str(tmp_path / "nope.abc")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_musicxml_is_one_tune(capsys):
    assert main(["info", str(FIXTURES / "little.musicxml"), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["title"], row["meter"], row["key"], row["bars"]) == ("Little Test", "3/4",
                                                                     "G", 4)
