"""Help > About: the version, the licence, what each model was trained on and under which
licences, and the SoundFont's licence. :func:`about_html` is plain text work (tested
without a window); :func:`show_about` shows it."""

from __future__ import annotations

import html

from composer import __version__

SOUNDFONTS = {
    "TimGM6mb.sf2": "TimGM6mb by Tim Brechbill (2004) and David Bolton (2010), "
                    "GNU GPL version 2; shipped inside pretty_midi",
    "FluidR3_GM.sf2": "FluidR3 GM by Frank Wen, MIT licence (from your system)",
}
"""Known SoundFonts by file name -> who made them and their licence."""

LIBRARIES = ("Qt and PySide6 (LGPL-3.0), PyTorch (BSD-3-Clause), music21 (BSD-3-Clause), "
             "verovio (LGPL-3.0), FluidSynth (LGPL-2.1), pretty_midi and mido (MIT), "
             "safetensors (Apache-2.0), NumPy (BSD-3-Clause)")


def _model_lines(info) -> list[str]:
    """One model's entry: name, what it does, its data and the licences on its card."""
    from dataclasses import asdict

    licence = asdict(info.card.licence) if info.card is not None else {}
    licence = {k: v for k, v in licence.items() if v}
    e = html.escape
    out = [f"<b>{e(info.name)}</b>: {e(info.description.split('. ')[0].rstrip('.'))}."]
    if info.problem:
        out.append(f"<i>{e(info.problem)}</i>")
    out.append(f"Trained on: {e(str(licence.get('data', 'not stated on its card')))}.")
    if licence.get("extra_data"):
        out.append(f"Also: {e(str(licence['extra_data']))}.")
    out.append(f"Data licence: {e(str(licence.get('data_licence', 'not stated on its card')))}.")
    if licence.get("attribution"):
        out.append(f"Attribution: {e(str(licence['attribution']))}.")
    out.append("Weights licence: "
               f"{e(str(licence.get('weights_licence', 'not stated on its card')))}.")
    return out


def soundfont_line() -> str:
    """The SoundFont Composer plays with, and its licence as far as we know it."""
    from composer.audio.errors import SoundFontError
    from composer.audio.soundfont import find_soundfont

    try:
        path = find_soundfont()
    except SoundFontError as e:
        return html.escape(str(e))
    known = SOUNDFONTS.get(path.name)
    what = known or "see the licence that came with it"
    return f"{html.escape(path.name)}: {html.escape(what)}."


def about_html(models, soundfont: str | None = None) -> str:
    """The About text for ``models`` (:class:`~composer.generation.registry.ModelInfo`
    records); ``soundfont`` replaces the SoundFont line (tests)."""
    parts = [
        f"<h3>Composer {html.escape(__version__)}</h3>",
        "<p>Write music together with a neural network: select bars, drag the handle, "
        "pick a take. Everything runs offline on your computer.</p>",
        "<p>Composer is free software: you can redistribute it and/or modify it under the "
        "terms of the GNU General Public License (GPL), version 3 or (at your option) any "
        "later version. It comes with NO WARRANTY.</p>",
        "<p><b>Models</b></p>",
    ]
    if not models:
        parts.append("<p>No model is installed.</p>")
    for info in models:
        parts.append("<p>" + "<br>".join(_model_lines(info)) + "</p>")
    sf = soundfont if soundfont is not None else soundfont_line()
    parts.append(f"<p><b>SoundFont</b><br>{sf}</p>")
    parts.append(f"<p><b>Built with</b><br>{html.escape(LIBRARIES)}.</p>")
    return "".join(parts)


def show_about(parent, registry) -> None:
    """The About dialog, scrollable (the model cards make it long)."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

    from composer.ui.icons import icon

    dialog = QDialog(parent)
    dialog.setObjectName("aboutDialog")
    dialog.setWindowTitle("About Composer")
    dialog.setWindowIcon(icon("composer"))
    text = QTextBrowser()
    text.setObjectName("aboutText")
    text.setOpenExternalLinks(True)
    text.setHtml(about_html(registry.list()))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(560, 520)
    dialog.open()
