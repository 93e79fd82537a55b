import os

import pytest

from composer.music.atomic import atomic_write
from composer.music.errors import ScoreWriteError


def test_atomic_write_replaces_whole_file(tmp_path):
    p = tmp_path / "a.abc"
    p.write_text("old")
    atomic_write(p, "new text")
    assert p.read_text() == "new text"
    assert os.listdir(tmp_path) == ["a.abc"]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ScoreWriteError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "a.abc", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_folder(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(ScoreWriteError):
            atomic_write(d / "a.abc", "x")
    finally:
        d.chmod(0o700)
