"""Engraving with verovio, in a process of its own.

Verovio's ABC importer is C++ that aborts the whole process on some valid tunes
(e.g. an ``std::out_of_range`` on the first tune of the Nottingham ``ashover.abc``),
so the window never calls it in-process: it runs ``python -m
composer.ui.sheet.engraver``, which answers one JSON line per request on stdout.
If the process dies, the window reports that this tune cannot be engraved and
starts a fresh one for the next request. No Qt here.

Protocol: request ``{"id": int, "abc": str, "width": int, "raw": bool}``; reply ``{"id": int,
"svg": str}`` or ``{"id": int, "error": str}``.
"""

from __future__ import annotations

import json
import re
import sys

from composer.ui.sheet.svg import SvgError, flatten_svg

SCALE = 38
"""Verovio's zoom in percent: the staff size on screen."""


_VOLTA_THEN_SYMBOL = re.compile(r'(\[\d+(?:[,-]\d+)*)(?=")')


def for_verovio(abc: str) -> str:
    """``abc`` with the spellings verovio's importer crashes on made harmless: an
    ending bracket directly followed by a chord symbol (``[1"G"``) gets a space."""
    return _VOLTA_THEN_SYMBOL.sub(r"\1 ", abc)


class EngraveError(Exception):
    """Verovio could not engrave the text."""


_toolkit = None


def engrave(abc: str, width_px: int, scale: int = SCALE, raw: bool = False) -> str:
    """``abc`` (one tune) as flattened SVG text fitting ``width_px`` pixels (``raw``:
    verovio's SVG as it comes); raises :class:`EngraveError` with the reason. Call it
    only in the engraver process."""
    global _toolkit
    if "K:" not in abc:
        raise EngraveError("the text holds no tune (no K: line)")
    import verovio

    if _toolkit is None:
        verovio.enableLog(verovio.LOG_OFF)
        _toolkit = verovio.toolkit()
    tk = _toolkit
    tk.setOptions({
        "inputFrom": "abc",
        "pageWidth": max(int(width_px * 100 / scale), 800),
        "pageHeight": 60000,
        "adjustPageHeight": True,
        "scale": scale,
        "header": "auto",
        "footer": "none",
        "breaks": "auto",
        "pageMarginLeft": 60,
        "pageMarginRight": 60,
        "pageMarginTop": 40,
        "pageMarginBottom": 40,
    })
    if not tk.loadData(for_verovio(abc)) or tk.getPageCount() < 1:
        raise EngraveError("the engraver could not read this tune")
    svg = tk.renderToSVG(1)
    if raw:
        return svg
    try:
        return flatten_svg(svg)
    except SvgError as e:
        raise EngraveError(str(e)) from None


def answer(line: str) -> dict:
    """The reply to one request line."""
    try:
        request = json.loads(line)
        rid = int(request["id"])
        abc, width = str(request["abc"]), int(request.get("width", 800))
        raw = bool(request.get("raw", False))
    except (ValueError, KeyError, TypeError) as e:
        return {"id": -1, "error": f"bad request: {e}"}
    try:
        return {"id": rid, "svg": engrave(abc, width, raw=raw)}
    except EngraveError as e:
        return {"id": rid, "error": str(e)}


def serve(stdin=None, stdout=None) -> None:
    """Answer requests until stdin closes."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    for line in stdin:
        if line.strip():
            stdout.write(json.dumps(answer(line)) + "\n")
            stdout.flush()


if __name__ == "__main__":
    serve()
