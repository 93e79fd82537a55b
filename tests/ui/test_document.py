"""The document: one score, its ABC text, one undo stack for typing and roll edits,
multi-tune files, errors that never lose text."""

from __future__ import annotations

import dataclasses

import pytest

from composer.music.abc import read_abc
from composer.music.errors import MusicError
from composer.music.score import Note
from composer.ui import abc_bridge
from composer.ui.document import Document
from tests.ui.conftest import UI_FIXTURES


@pytest.fixture
def doc(qapp):
    d = Document()
    d.load_text((UI_FIXTURES / "eight_bars.abc").read_text())
    return d


def transposed(score, steps=2):
    t = score.tracks[0]
    notes = [Note(n.start, n.end, n.pitch + steps, n.velocity) for n in t.notes]
    return dataclasses.replace(score, tracks=(t.with_notes(notes),) + score.tracks[1:])


def test_typing_is_parsed_after_a_pause_and_undone_in_one_step(doc, qtbot):
    original, base = doc.score, doc.text
    at = base.index("c8|]")
    typed = ["c", "c4", "c4 ", "c4 e", "c4 e4"]  # "8" deleted, then "4 e4" typed
    with qtbot.waitSignal(doc.scoreChanged, timeout=3000):
        for t in typed:
            doc.edit_text(base[:at] + t + base[at + 2:])
        assert doc.parse_pending and doc.score is original
    text = base[:at] + "c4 e4" + base[at + 2:]
    assert doc.error is None and doc.score is not original
    assert doc.score.notes[-1].pitch == 76  # the new e
    assert doc.modified
    doc.undo_stack.undo()
    assert doc.score is original and "c8|]" in doc.text
    doc.undo_stack.redo()
    assert doc.text == text and doc.score.notes[-1].pitch == 76


def test_invalid_text_keeps_the_last_valid_score_and_every_character(doc):
    original = doc.score
    broken = doc.text + "K: nonsense key here\n\"C\"c2 ]] d2|\n"
    doc.edit_text(broken)
    doc.parse_now()
    assert doc.error is not None and doc.error.line >= 9
    assert doc.score is original
    assert doc.text == broken == doc.file_text()
    with pytest.raises(MusicError, match="fix it"):
        doc.set_score(transposed(original))


def test_roll_edits_rewrite_the_text_in_one_undo_step(doc):
    original, original_text = doc.score, doc.text
    edited = transposed(original)
    doc.set_score(edited, "Transpose")
    assert doc.score is edited
    assert read_abc(doc.text).notes == edited.notes
    assert doc.undo_stack.undoText() == "Transpose"
    doc.undo_stack.undo()
    assert doc.score is original and doc.text == original_text


def test_undo_runs_through_mixed_typing_and_roll_edits(doc):
    states = [(doc.text, doc.score)]
    doc.edit_text(doc.text.replace("T:Eight Bars", "T:Nine Bars"))
    doc.parse_now()
    states.append((doc.text, doc.score))
    doc.set_score(transposed(doc.score))
    states.append((doc.text, doc.score))
    doc.edit_text(doc.text.replace("T:Nine Bars", "T:Ten Bars"))
    doc.parse_now()
    states.append((doc.text, doc.score))
    for text, score in reversed(states[:-1]):
        doc.undo_stack.undo()
        assert doc.text == text and doc.score.notes == score.notes
    for text, score in states[1:]:
        doc.undo_stack.redo()
        assert doc.text == text and doc.score.notes == score.notes


def test_multi_tune_files_edit_one_tune_and_save_them_all(qapp):
    text = (UI_FIXTURES / "two_tunes.abc").read_text()
    doc = Document()
    doc.load_text(text)
    assert doc.file_text() == text  # unchanged files come back unchanged
    assert doc.header.startswith("% Two short tunes")
    assert doc.tune_titles() == ["3: First Test Tune", "7: Second Test Tune"]
    doc.select_tune(1)
    assert doc.score.meters[0].numerator == 3 and doc.text.startswith("X:7")
    doc.set_score(transposed(doc.score, 12))
    assert abc_bridge.tune_number(doc.text) == 7  # still X:7
    saved = doc.file_text()
    first, second = abc_bridge.split_file(saved)[1]
    assert first == abc_bridge.split_file(text)[1][0]
    assert read_abc(saved, x=7).notes == doc.score.notes
    doc.undo_stack.undo()  # undo works across tune switches
    assert doc.file_text() == text


def test_header_fields_apply_and_error_lines_count_in_the_tune(qapp):
    doc = Document()
    doc.load_text("L:1/4\n\nX:1\nT:t\nM:4/4\nK:C\nC D E F|\n")
    assert doc.error is None
    assert doc.score.notes[0].duration == 480  # L:1/4 from the file header
    doc.edit_text(doc.text.replace("C D E F|", "C D ]] F|"))
    doc.parse_now()
    assert doc.error.line == 5  # line 5 of the tune's own text


def test_a_file_that_does_not_parse_still_opens_with_its_error(qapp):
    doc = Document()
    doc.load_text("X:1\nT:t\nK:C\nC D ]] E|\n")
    assert doc.error is not None and doc.error.line == 4
    assert doc.text == "X:1\nT:t\nK:C\nC D ]] E|\n"


def test_selection_is_shared_and_only_signals_changes(doc, qtbot):
    with qtbot.waitSignal(doc.selectionChanged) as blocker:
        doc.set_selection((0, 1920))
    assert blocker.args == [0, 1920]
    with qtbot.assertNotEmitted(doc.selectionChanged):
        doc.set_selection((0, 1920))
    with qtbot.waitSignal(doc.selectionChanged) as blocker:
        doc.set_selection(None)
    assert blocker.args == [-1, -1] and doc.selection is None


def test_saving_marks_clean(doc, tmp_path):
    doc.set_score(transposed(doc.score))
    assert doc.modified
    doc.mark_saved(tmp_path / "x.abc")
    assert not doc.modified and doc.display_name() == "x.abc"


def big_score(notes: int = 1200):
    """A one-track score of ``notes`` eighth notes (over the off-thread threshold)."""
    from composer.music.score import Score, Track

    melody = [Note(i * 240, i * 240 + 240, 60 + (i * 7) % 24) for i in range(notes)]
    return Score(title="Big", tracks=(Track("Melody", tuple(melody)),)).normalized()


def test_big_scores_are_written_off_the_ui_thread(qtbot):
    from composer.ui.document import BIG_SCORE_NOTES

    score = big_score()
    assert len(score.notes) > BIG_SCORE_NOTES
    doc = Document()
    pending = []
    doc.textPendingChanged.connect(pending.append)
    with qtbot.waitSignal(doc.textReplaced, timeout=20000,
                          check_params_cb=lambda text: text != ""):
        doc.load_score(score)
        assert doc.text_pending and doc.score is score  # the roll has it at once
    assert not doc.text_pending and pending == [True, False]
    assert read_abc(doc.text).notes == score.notes

    edited = transposed(score)
    doc.set_score(edited)
    assert doc.score is edited and doc.text_pending
    doc.undo_stack.undo()  # before the text came: back to the first text
    assert doc.score is score and not doc.text_pending
    doc.undo_stack.redo()
    assert doc.text_pending
    doc.ensure_text()  # saving needs it now
    assert not doc.text_pending and read_abc(doc.text).notes == edited.notes
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    assert not doc.text_pending  # the written text was kept in the undo step
    assert doc.file_text().startswith("X:")


def test_a_roll_edit_reaches_the_text_as_a_splice_of_its_bar(qapp, fixtures):
    """Issue 12: comments, directives, decorations and untouched bars stay as written;
    undo restores the text exactly."""
    d = Document()
    d.load_text((fixtures / "edit" / "decorated.abc").read_text())
    before = d.file_text()
    score = d.score
    third = score.bars()[2]
    notes = list(score.tracks[0].notes)
    i = next(k for k, n in enumerate(notes) if n.start == third[0])
    notes[i] = dataclasses.replace(notes[i], pitch=notes[i].pitch + 2)
    rewritten = []
    d.textRewritten.connect(rewritten.append)
    d.set_score(dataclasses.replace(score, tracks=(score.tracks[0].with_notes(notes),)))
    after = d.file_text()
    kept = set(after.split("\n"))
    assert [line for line in before.split("\n") if line not in kept] == [
        line for line in before.split("\n") if line.startswith('|:"G"!trill!')]
    assert "%%pagewidth 21cm" in after and '"C""Am"cAFA' in after and not rewritten
    d.undo_stack.undo()
    assert d.file_text() == before


def test_a_change_that_cannot_be_spliced_is_told(qapp):
    d = Document()
    d.load_text("X:1\nT:One\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n")
    told = []
    d.textRewritten.connect(told.append)
    score = d.score
    d.set_score(dataclasses.replace(score, tracks=score.tracks + (
        dataclasses.replace(score.tracks[0], name="Chords", role="accompaniment"),)))
    assert told and "adds or removes a voice" in told[0] and "Undo" in told[0]
