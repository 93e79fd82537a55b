"""Every way a musician's ABC can be wrong gives an AbcSyntaxError with a plain reason
and the 1-based line:column in the text given to the reader."""

from __future__ import annotations

import pytest

from composer.music.abc import list_tunes, read_abc
from composer.music.errors import AbcSyntaxError, AbcWarning, MusicError
from composer.music.io import read_score

HEAD = "X:1\nT:t\nM:4/4\nL:1/8\nK:G\n"  # the body starts on line 6

CASES = [
    # (text, line, column, words in the reason)
    (HEAD + "AB#c d4|", 6, 3, "sharps are written ^"),
    (HEAD + "ABhc d4|", 6, 3, "unexpected letter 'h'"),
    (HEAD + 'AB"G c d4|', 6, 3, "chord symbol not closed"),
    (HEAD + "AB[CEG c4|", 6, 10, "chord not closed: add the closing ] before '|'"),
    (HEAD + "AB[CEG", 6, 3, "chord not closed"),
    (HEAD + "ABc] d4|", 6, 4, "] without a matching ["),
    (HEAD + "AB{g c4|", 6, 3, "grace notes not closed"),
    (HEAD + "AB[] c4|", 6, 3, "empty chord"),
    (HEAD + "A/0B c4|", 6, 2, "cannot divide by 0"),
    (HEAD + "A0B c4|", 6, 2, "cannot be 0"),
    (HEAD + "A2 !trill B c4|", 6, 4, "decoration not closed"),
    (HEAD + "(1ABc|", 6, 1, "tuplet (1 is not supported"),
    (HEAD + ">AB|", 6, 1, "broken rhythm"),
    (HEAD + "A><B|", 6, 3, "> or <, not both"),
    (HEAD + "c'''''''|", 6, 1, "note out of range"),
    (HEAD + "AB \\ cd|", 6, 4, "nothing may follow"),
    (HEAD + "AB:cd|", 6, 3, "unexpected ':'"),
    (HEAD + "AB [K:D c|", 6, 4, "inline field [K: not closed"),
    (HEAD + "^^^A|", 6, 1, "unknown accidental"),
    (HEAD + "^ A|", 6, 1, "accidental must be followed by a note"),
    (HEAD + "-A|", 6, 1, "a tie - must follow a note"),
    (HEAD + "AB & cd|", 6, 4, "voice overlay"),
    (HEAD + "AB\x01cd|", 6, 3, "unexpected character U+0001"),
    (HEAD + "AB é|", 6, 4, "unexpected character 'é'"),
    ("X:1\nT:t\nK:H\nABc|", 3, 3, "unknown key 'H'"),
    ("X:1\nT:t\nK:G happy\nABc|", 3, 5, "unknown mode 'happy'"),
    ("X:1\nT:t\nK:G#\nABc|", 3, 3, "more than 7 sharps"),
    ("X:1\nT:t\nM:7/x\nK:G\nABc|", 3, 3, "unknown meter '7/x'"),
    ("X:1\nT:t\nM:3/5\nK:G\nABc|", 3, 3, "bottom number"),
    ("X:1\nT:t\nL:1/0\nK:G\nABc|", 3, 3, "unit note length"),
    ("X:1\nT:t\nQ:fast\nK:G\nABc|", 3, 3, "cannot read the tempo"),
    ("X:1\nT:t\nABc|\nK:G\n", 3, 1, "music before the K: line"),
    ("X:1\nT:t\nM:4/4\n", 1, 1, "no K: line"),
    (HEAD + "z8|z8|", 6, 1, "the tune has no notes"),
    (HEAD + "Z9999|A|", 6, 1, "out of range"),
    (HEAD + "[M:5/3]A8|", 6, 4, "bottom number"),
]


@pytest.mark.parametrize("text,line,column,words", CASES,
                         ids=[c[3].split(":")[0][:30] for c in CASES])
def test_error_position_and_reason(text, line, column, words):
    with pytest.raises(AbcSyntaxError) as info:
        read_abc(text, source="tune.abc")
    e = info.value
    assert (e.line, e.column) == (line, column), str(e)
    assert words in e.reason
    assert str(e) == f"tune.abc:{line}:{column}: {e.reason}"
    assert "\n" not in str(e)


def test_positions_count_in_the_whole_multi_tune_text():
    text = "%abc-2.1\n\nX:1\nT:a\nK:C\nABc|\n\nX:2\nT:b\nK:C\nAB#c|\n"
    with pytest.raises(AbcSyntaxError) as info:
        read_abc(text, x=2)
    assert (info.value.line, info.value.column) == (11, 3)
    assert read_abc(text, x=1).notes  # the good tune still reads


@pytest.mark.parametrize("text,words", [
    ("", "the ABC text is empty"),
    ("  \n\t\n", "the ABC text is empty"),
    ("% just a comment\n%% and a directive\n", "no tune found"),
])
def test_empty_text_or_no_tune(text, words):
    with pytest.raises(AbcSyntaxError, match=words):
        read_abc(text)
    with pytest.raises(AbcSyntaxError, match=words):
        list_tunes(text)


def test_binary_file_is_rejected_before_parsing(tmp_path):
    junk = tmp_path / "junk.abc"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(AbcSyntaxError, match="binary file"):
        read_score(junk)


def test_latin1_junk_is_a_syntax_error(tmp_path):
    junk = tmp_path / "junk.abc"
    junk.write_bytes(b"X:1\nK:C\n\xff\xfe\x80abc|\n")
    with pytest.raises(AbcSyntaxError, match="3:1: unexpected character"):
        read_score(junk)


def test_errors_are_music_errors():
    assert issubclass(AbcSyntaxError, MusicError)


def test_warnings_are_plain_data_with_the_error_s_position_format():
    w = AbcWarning("a/16 lasts 7.5 ticks", 6, 3, "tune.abc", 4)
    assert not isinstance(w, BaseException)
    assert str(w) == "tune.abc:6:3: a/16 lasts 7.5 ticks"
    assert str(AbcWarning("r", 6)) == "6: r" and str(AbcWarning("r")) == "r"
    assert w == AbcWarning("a/16 lasts 7.5 ticks", 6, 3, "tune.abc", 4)  # comparable


def test_a_tune_with_an_error_has_no_warnings_only_the_error():
    with pytest.raises(AbcSyntaxError, match="6:6: sharps"):
        read_abc(HEAD + "a/16 #c7|", source="tune.abc")
