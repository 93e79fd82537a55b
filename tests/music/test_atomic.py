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


def test_written_files_get_normal_permissions(tmp_path):
    import stat

    new = tmp_path / "new.abc"
    atomic_write(new, "X:1\n")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    kept = tmp_path / "kept.abc"
    kept.write_text("old")
    kept.chmod(0o640)
    atomic_write(kept, "X:2\n")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "X:2\n"
