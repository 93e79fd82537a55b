"""The sheet view: verovio's SVG made drawable by QtSvg, engraved off the UI thread."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from composer.ui.sheet.engraver import EngraveError, answer, for_verovio
from composer.ui.sheet.svg import SVG_NS, SvgError, flatten_svg
from composer.ui.sheet.view import Engraver, SheetView
from tests.ui.conftest import EXAMPLES

NESTED = f"""<svg xmlns="{SVG_NS}" width="200px" height="100px">
  <svg class="definition-scale" viewBox="0 0 2000 1000" color="black">
    <g class="placeholder"><ellipse cx="5" cy="5" rx="9" ry="9"/></g>
    <rect x="100" y="100" width="800" height="400" style="stroke:currentColor"/>
    <text font-size="0px"><tspan x="1000" y="800" text-anchor="middle">
      <tspan font-size="405px">Em</tspan></tspan></text>
    <g class="tempo"><text x="1" y="2" font-size="0px" /></g>
  </svg>
</svg>"""


def dark_pixels(svg: str, width: int = 400) -> int:
    r = QSvgRenderer(QByteArray(svg.encode()))
    size = r.defaultSize()
    img = QImage(width, max(1, width * size.height() // max(size.width(), 1)),
                 QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    r.render(p)
    p.end()
    return sum(1 for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)
               if QColor(img.pixel(x, y)).lightness() < 128)


def test_inner_svg_becomes_a_scaled_group_and_texts_are_flattened():
    root = ET.fromstring(flatten_svg(NESTED))
    assert not root.findall(f".//{{{SVG_NS}}}svg")
    group = root.find(f"{{{SVG_NS}}}g")
    assert group.get("transform") == "scale(0.1)"
    assert group.get("class") == "definition-scale"
    assert not root.findall(f".//{{{SVG_NS}}}ellipse")  # placeholders dropped
    texts = root.findall(f".//{{{SVG_NS}}}text")
    assert len(texts) == 1  # the empty one is gone
    text = texts[0]
    assert text.text == "Em" and not list(text)
    assert (text.get("font-size"), text.get("x"), text.get("text-anchor")) == (
        "405px", "1000", "middle")
    assert "currentColor" not in flatten_svg(NESTED)


def test_not_xml_is_a_typed_error():
    with pytest.raises(SvgError, match="not well-formed"):
        flatten_svg("<svg><g></svg>")


# Verovio's ABC importer aborts the process on an ending followed by a chord symbol.
VOLTA_SYMBOL = 'X:1\nT:t\nM:3/4\nL:1/4\nK:G\nd2 B|A2 e|[1"G"G2 e:|[2,3"D"G2 z||\n'


def engrave_in_process(qtbot, abc: str, width: int = 900, raw: bool = False):
    """Engrave through the engraver process (verovio never runs in the test process);
    ``raw`` asks for verovio's SVG as it comes."""
    engraver = Engraver()
    with qtbot.waitSignal(engraver.done, timeout=20000) as blocker:
        engraver.request(1, abc, width, raw=raw)
    engraver.close()
    return blocker.args[1], blocker.args[2]


def test_verovio_output_draws_only_once_flattened(qtbot):
    tune = (EXAMPLES / "willow-waltz.abc").read_text()
    svg, error = engrave_in_process(qtbot, tune)
    assert error == ""
    assert dark_pixels(svg) > 150  # the flattened drawing has notes and staves
    raw, error = engrave_in_process(qtbot, tune, raw=True)
    assert error == "" and raw.count("<svg") == 2
    assert dark_pixels(raw) < 50  # QtSvg draws verovio's own nested SVG blank


def test_spellings_verovio_crashes_on_are_rewritten(qtbot):
    assert for_verovio(VOLTA_SYMBOL).count('[1 "G"') == 1
    assert for_verovio(VOLTA_SYMBOL).count('[2,3 "D"') == 1
    svg, error = engrave_in_process(qtbot, VOLTA_SYMBOL)
    assert error == "" and "<svg" in svg


def test_bad_requests_and_texts_get_errors_not_crashes():
    assert "bad request" in answer("{not json")["error"]
    assert "no tune" in answer('{"id": 3, "abc": "", "width": 500}')["error"]
    with pytest.raises(EngraveError):
        from composer.ui.sheet.engraver import engrave

        engrave("just words", 500)


def test_a_dying_engraver_is_reported_and_replaced(qtbot):
    engraver = Engraver()
    replies = []
    engraver.done.connect(lambda *a: replies.append(a))
    engraver.request(1, VOLTA_SYMBOL, 600)
    engraver._process.kill()
    qtbot.waitUntil(lambda: len(replies) == 1, timeout=10000)
    assert replies[0][0] == 1 and "crashed" in replies[0][2]
    engraver.request(2, VOLTA_SYMBOL, 600)
    qtbot.waitUntil(lambda: len(replies) == 2, timeout=20000)
    assert replies[1][0] == 2 and replies[1][2] == "" and "<svg" in replies[1][1]
    engraver.close()


def test_sheet_view_engraves_the_document_and_keeps_it_on_errors(qtbot):
    from composer.ui.document import Document

    doc = Document()
    view = SheetView(doc)
    qtbot.addWidget(view)
    view.resize(700, 300)
    with qtbot.waitSignal(view.engraved, timeout=10000):
        view.show()
    first = view.svg
    assert "<g" in first and view.canvas.renderer is not None
    doc.load_text((EXAMPLES / "willow-waltz.abc").read_text())
    qtbot.waitUntil(lambda: view.svg != first, timeout=10000)
    good = view.svg
    doc.edit_text(doc.text + "|]] q@#\n")
    doc.parse_now()
    assert doc.error is not None
    view.engrave_now()
    assert view.note.isVisibleTo(view) and view.svg == good
    view.close_engraver()
