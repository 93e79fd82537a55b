"""Make verovio's SVG drawable by QtSvg (SVG Tiny 1.2). Pure Python, no Qt.

Verovio writes one outer ``<svg>`` in pixels holding an inner
``<svg class="definition-scale" viewBox=...>`` in its own units; QtSvg draws nested
``<svg>`` elements blank. Chord-symbol and lyric texts are ``<text font-size="0px">``
around nested ``<tspan>`` elements that carry the real size, which QtSvg renders at
size 0. And CSS hides placeholder shapes by class, which QtSvg ignores. So:

* each inner ``<svg>`` becomes a ``<g transform=...>`` mapping its viewBox onto its
  viewport (the scale is uniform: verovio keeps the aspect ratio);
* each ``<text>`` gets the position, font size, style and weight its ``<tspan>``s give
  and that text directly (nested spans flattened);
* ``class="... placeholder ..."`` groups and empty texts are removed,
  ``currentColor`` is resolved.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_SVG = f"{{{SVG_NS}}}svg"
_G = f"{{{SVG_NS}}}g"
_TEXT = f"{{{SVG_NS}}}text"
_TSPAN = f"{{{SVG_NS}}}tspan"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TEXT_ATTRIBUTES = ("font-size", "font-style", "font-weight", "font-family", "text-anchor",
                    "x", "y")


class SvgError(ValueError):
    """SVG text that is not well-formed XML."""


def _length(value: str | None, default: float = 0.0) -> float:
    """A length attribute in user units (``"840px"`` -> 840.0)."""
    if not value:
        return default
    m = _NUMBER.match(value.strip())
    return float(m.group()) if m else default


def _inner_transform(el: ET.Element, parent_width: float, parent_height: float) -> str:
    """The transform that maps an inner svg's viewBox onto its viewport."""
    x, y = _length(el.get("x")), _length(el.get("y"))
    width = _length(el.get("width"), parent_width)
    height = _length(el.get("height"), parent_height)
    box = [float(v) for v in _NUMBER.findall(el.get("viewBox", ""))]
    parts = []
    if x or y:
        parts.append(f"translate({x:g},{y:g})")
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        scale = min(width / box[2], height / box[3]) if width and height else 1.0
        parts.append(f"scale({scale:g})")
        if box[0] or box[1]:
            parts.append(f"translate({-box[0]:g},{-box[1]:g})")
    return " ".join(parts)


def _flatten_text(text: ET.Element) -> None:
    spans = [s for s in text.iter(_TSPAN)]
    if not spans:
        return
    content = "".join(text.itertext()).strip()
    for span in spans:  # outer to inner: inner values win
        for name in _TEXT_ATTRIBUTES:
            if span.get(name):
                text.set(name, span.get(name))
    for child in list(text):
        text.remove(child)
    text.text = content


def _drop_placeholders(parent: ET.Element) -> None:
    for child in list(parent):
        if "placeholder" in (child.get("class") or "").split():
            parent.remove(child)
        else:
            _drop_placeholders(child)


def flatten_svg(svg: str, color: str = "black") -> str:
    """``svg`` (verovio's output) rewritten so QtSvg draws it like a browser does.

    Raises :class:`SvgError` if ``svg`` is not well-formed XML.
    """
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as e:
        raise SvgError(f"the engraver's SVG is not well-formed: {e}") from None
    width, height = _length(root.get("width")), _length(root.get("height"))
    if root.get("viewBox") is None and width and height:
        root.set("viewBox", f"0 0 {width:g} {height:g}")
    _drop_placeholders(root)
    stack = [root]
    while stack:
        parent = stack.pop()
        for child in list(parent):
            if child.tag == _SVG:
                group = ET.Element(_G)
                transform = _inner_transform(child, width, height)
                if transform:
                    group.set("transform", transform)
                for name in ("class", "color", "font-family", "id"):
                    if child.get(name):
                        group.set(name, child.get(name))
                group.extend(list(child))
                index = list(parent).index(child)
                parent.remove(child)
                parent.insert(index, group)
                child = group
            if child.tag == _TEXT:
                if "".join(child.itertext()).strip():
                    _flatten_text(child)
                else:  # an empty text (verovio's tempo marks): QtSvg warns on its 0px
                    parent.remove(child)
            else:
                stack.append(child)
    out = ET.tostring(root, encoding="unicode")
    return out.replace("currentColor", color)
