"""Random and mutated ABC through the reader (over 2,000 inputs): only the core's typed
errors may come out. Whatever reads is also written and read again: our own output
must always be readable."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.music.abc import list_tunes, parse_abc, score_to_abc, split_tunes
from composer.music.errors import MusicError
from tests.conftest import FIXTURES

SEEDS = [str(t) for t in split_tunes((FIXTURES / "tricky.abc").read_text())] + [
    "X:9\nT:x\nM:C|\nL:1/4\nQ:\"Allegro\" 1/2=80\nK:Bb exp _b _e clef=bass\n"
    "(3:2:4A/B/c/d/ [K:HP]A2>B [L:1/16]cd Z2|[1-3 x4 :|\n",
    "X:10\nT:y\nK:C\nV:1\nabc|\nV:2 clef=perc\nC,,2 y z`{/g}d|\n%%MIDI program 5\n",
]
ABC_CHARS = "ABCDEFGabcdefgzxZXy^_=,'/0123456789|:[]()<>-\"!+{}~.HT \t\n\\%KMLQPV&#$;?@*"
TEXT = st.text(alphabet=st.sampled_from(ABC_CHARS) | st.characters(), max_size=400)


def fuzz(n: int) -> settings:
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(text: str) -> None:
    try:
        parsed = parse_abc(text)
    except MusicError:
        pass
    else:
        # our writer writes anything the reader accepts, and it reads back the same
        # (unless one voice holds a pitch twice at once, which no voice can write)
        score = parsed.score
        again = parse_abc(score_to_abc(score)).score
        if not _same_pitch_overlaps(score):
            assert [(n.start, n.end, n.pitch) for n in again.notes] == [
                (n.start, n.end, n.pitch) for n in score.notes]
            assert sorted(again.chords) == sorted(score.chords)
        parsed.time_map.char_ticks()
        parsed.time_map.bar_spans(score)
    with contextlib.suppress(MusicError):
        list_tunes(text)


def _same_pitch_overlaps(score) -> bool:
    for track in score.tracks:
        ends: dict[int, int] = {}
        for n in track.notes:
            if ends.get(n.pitch, -1) > n.start:
                return True
            ends[n.pitch] = max(ends.get(n.pitch, -1), n.end)
    return False


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "insert"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "swap" and j < len(text):
            text = text[:i] + text[j] + text[i + 1:j] + text[i:i + 1] + text[j + 1:]
        else:
            text = text[:i] + draw(TEXT.filter(lambda s: len(s) < 8)) + text[i:]
    return text


@pytest.mark.slow
@fuzz(1500)
@given(mutated())
def test_mutated_tunes_give_only_typed_errors(text):
    check(text)


@fuzz(400)
@given(TEXT)
def test_random_text_gives_only_typed_errors(text):
    check(text)


@fuzz(300)
@given(TEXT)
def test_random_body_after_a_good_header_gives_only_typed_errors(text):
    check("X:1\nT:fuzz\nM:6/8\nL:1/8\nK:D\n" + text)
