"""Colours of the roll, light or dark after the application's palette."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

ROLE_COLORS_LIGHT = {
    "melody": "#3b78d8",
    "accompaniment": "#25998a",
    "bass": "#d9822b",
    "piano": "#8a59c4",
    "drums": "#768090",
    "other": "#c2477f",
}
ROLE_COLORS_DARK = {
    "melody": "#5b9af0",
    "accompaniment": "#3cbfae",
    "bass": "#f0a050",
    "piano": "#ac84e6",
    "drums": "#98a2b2",
    "other": "#e06aa0",
}


@dataclass(frozen=True)
class Theme:
    """Every colour the roll paints with."""

    dark: bool
    white_row: QColor
    black_row: QColor
    row_line: QColor
    octave_line: QColor
    bar_line: QColor
    beat_line: QColor
    sub_line: QColor
    past_end: QColor
    ruler_bg: QColor
    ruler_text: QColor
    ruler_tick: QColor
    chord_fill: QColor
    chord_edge: QColor
    chord_text: QColor
    key_white: QColor
    key_black: QColor
    key_edge: QColor
    key_label: QColor
    range_fill: QColor
    range_edge: QColor
    playhead: QColor
    cursor: QColor
    handle: QColor
    handle_text: QColor
    replace_fill: QColor
    insert_fill: QColor
    rubber_fill: QColor
    rubber_edge: QColor
    selected_edge: QColor
    role_colors: dict

    def role_color(self, role: str, repeat: int = 0) -> QColor:
        """The colour of a track with ``role``; the ``repeat``-th further track of the
        same role gets a shifted hue so that tracks stay apart."""
        base = QColor(self.role_colors.get(role, self.role_colors["other"]))
        if repeat:
            h, s, v, a = base.getHsv()
            base = QColor.fromHsv((h + 28 * repeat) % 360, s, max(60, v - 18 * (repeat % 2)), a)
        return base


def _c(text: str, alpha: int = 255) -> QColor:
    c = QColor(text)
    c.setAlpha(alpha)
    return c


def theme_for(palette: QPalette) -> Theme:
    """A light theme on a light palette, a dark one on a dark palette; the
    selection colours come from the palette's highlight."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    hl = palette.color(QPalette.ColorRole.Highlight)
    common = {
        "range_fill": _c(hl.name(), 38),
        "range_edge": _c(hl.name(), 220),
        "rubber_fill": _c(hl.name(), 40),
        "rubber_edge": _c(hl.name(), 200),
    }
    if dark:
        return Theme(
            dark=True, white_row=_c("#24272d"), black_row=_c("#1d1f24"),
            row_line=_c("#2a2d34"), octave_line=_c("#3a3e47"), bar_line=_c("#6c7280"),
            beat_line=_c("#3d414b"), sub_line=_c("#2e3139"), past_end=_c("#000000", 60),
            ruler_bg=_c("#2b2e35"), ruler_text=_c("#d7dae0"), ruler_tick=_c("#7d8390"),
            chord_fill=_c("#353a46"), chord_edge=_c("#4b5262"), chord_text=_c("#e3e6ec"),
            key_white=_c("#d9dbe0"), key_black=_c("#202227"), key_edge=_c("#8a8f99"),
            key_label=_c("#4a4f59"), playhead=_c("#ff5252"), cursor=_c("#64b5f6"),
            handle=_c("#f0a030"), handle_text=_c("#1b1d21"), replace_fill=_c("#f0a030", 50),
            insert_fill=_c("#4caf50", 50), selected_edge=_c("#ffffff"),
            role_colors=ROLE_COLORS_DARK, **common,
        )
    return Theme(
        dark=False, white_row=_c("#fbfbfd"), black_row=_c("#eef0f4"),
        row_line=_c("#e8eaef"), octave_line=_c("#cfd3db"), bar_line=_c("#8d94a1"),
        beat_line=_c("#c8cdd6"), sub_line=_c("#e2e5eb"), past_end=_c("#5a6070", 22),
        ruler_bg=_c("#f1f2f5"), ruler_text=_c("#363b45"), ruler_tick=_c("#9aa0ac"),
        chord_fill=_c("#e6ebf5"), chord_edge=_c("#b4bfd6"), chord_text=_c("#27304a"),
        key_white=_c("#ffffff"), key_black=_c("#2b2e35"), key_edge=_c("#c3c7cf"),
        key_label=_c("#6b717d"), playhead=_c("#e53935"), cursor=_c("#1e88e5"),
        handle=_c("#f08c00"), handle_text=_c("#ffffff"), replace_fill=_c("#f08c00", 40),
        insert_fill=_c("#2e9d4a", 40), selected_edge=_c("#1b1d22"),
        role_colors=ROLE_COLORS_LIGHT, **common,
    )
