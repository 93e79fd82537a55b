import json

import pytest

from composer.training.corpus import DataError, load_splits, read_tunes, select, split_tunes

TEXT = """% file comment
X: 3
T:One
M:6/8
K:G
M:3/4
|:ABc|
def:|

X:4
T:Two
K:D
abc|

X:5
T:No key
"""


def test_tunes_split_into_header_and_body_with_ids():
    tunes = split_tunes(TEXT, "jigs")
    assert [t.id for t in tunes] == ["jigs3", "jigs4"]
    one = tunes[0]
    assert one.header == "X: 3\nT:One\nM:6/8\nK:G\n"
    assert one.body == "M:3/4\n|:ABc|\ndef:|\n"
    assert one.text.startswith("X: 3")
    assert tunes[1].body == "abc|\n"


def test_fixture_and_splits(fixtures):
    tunes = read_tunes([fixtures / "folk"])
    splits = load_splits(fixtures / "folk" / "splits.json")
    assert len(select(tunes, splits, "train")) == 6
    assert [t.id for t in select(tunes, splits, "test")] == ["mini8"]


def test_bad_data_and_splits_are_typed_errors(tmp_path, fixtures):
    with pytest.raises(DataError, match="no such file"):
        read_tunes([tmp_path / "missing.abc"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no .abc files"):
        read_tunes([tmp_path / "empty"])
    (tmp_path / "s.json").write_text(json.dumps({"train": "all"}))
    with pytest.raises(DataError, match="lists of tune ids"):
        load_splits(tmp_path / "s.json")
    tunes = read_tunes([fixtures / "folk"])
    with pytest.raises(DataError, match="no split 'dev'"):
        select(tunes, {"train": []}, "dev")
    with pytest.raises(DataError, match="not in the data"):
        select(tunes, {"train": ["reels9"]}, "train")
