"""Help > About names the version, the model cards' data and licences, the SoundFont's
licence and the GPL; Help > Open example tunes opens a shipped tune as a new one."""

from __future__ import annotations

import pytest

from composer import __version__
from composer.generation.registry import ModelRegistry
from composer.paths import shipped_models_dir


def test_about_names_version_gpl_model_licences_and_soundfont():
    from composer.ui.about import about_html

    models = ModelRegistry([(shipped_models_dir(), "shipped")]).list()
    assert {m.name for m in models} >= {"folk-abc", "macnet-folk", "piano-lstm"}
    text = about_html(models)
    assert f"Composer {__version__}" in text
    assert "GNU General Public License" in text and "version 3" in text
    for m in models:
        assert f"<b>{m.name}</b>" in text
        assert m.card.licence.data_licence in text
    assert "Nottingham Music Database" in text
    assert "Bernd Krueger" in text  # piano-midi.de's CC BY-SA asks for attribution
    assert "CC BY-SA" in text
    assert "GPL-3.0-or-later" in text  # the folk model's weights


def test_about_names_the_soundfont_licence():
    from composer.audio.soundfont import bundled_soundfont
    from composer.ui.about import soundfont_line

    if bundled_soundfont() is None:
        pytest.skip("pretty_midi's SoundFont is not installed")
    line = soundfont_line()
    assert "TimGM6mb.sf2" in line and "GNU GPL version 2" in line


def test_about_says_when_a_card_states_no_licence(tmp_path):
    from composer.generation.registry import ModelInfo
    from composer.nn.card import ModelCard
    from composer.ui.about import about_html

    bare = ModelInfo("bare", tmp_path, "folk-abc",
                     ModelCard(kind="folk-abc", description="A model."), 1, "user")
    text = about_html([bare], soundfont="none")
    assert "<b>bare</b>: A model." in text
    assert text.count("not stated on its card") == 3


def test_about_dialog_opens_from_the_help_menu(make_window, qtbot):
    from PySide6.QtWidgets import QTextBrowser

    w = make_window()
    w.actions_.about.trigger()
    dialog = w.findChild(QTextBrowser, "aboutText").window()
    qtbot.waitExposed(dialog)
    assert __version__ in dialog.findChild(QTextBrowser, "aboutText").toPlainText()
    dialog.close()


def test_help_menu_opens_each_example_as_a_new_tune(make_window):
    w = make_window()
    titles = [a.text() for a in w.actions_.examples]
    assert len(titles) == 3 and all(titles)
    for action in w.actions_.examples:
        action.trigger()
        assert w.document.path is None  # Save asks: the shipped file stays as it is
        assert w.document.error is None
        assert w.document.score.bars()
        assert action.text() in w.document.file_text()
