"""Graphviz's SVG made fit to inline in a page (ids, links, titles, size), and cut back out of a rendered
overview page as a file of its own. Edits markup only; lays nothing out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from carepath.diagram.dot import _Dot
from carepath.diagram.errors import DiagramError

__all__ = ["overview_svg_file"]


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_S = "{" + SVG_NS + "}"
_X = "{" + XLINK_NS + "}"


def _tidy_svg(svg: str, dot: _Dot, prefix: str, title: str, desc: str) -> str:
    """Graphviz's SVG made fit to inline: no prolog, DOCTYPE or comments (they carry a version), ids made
    unique on the page, plain `href` links, titles in words, scaled to the container, and every piece of text
    re-escaped by a real XML serializer."""
    start = svg.find("<svg")
    if start < 0:
        raise DiagramError(f"{prefix}: Graphviz returned no SVG")
    root = ET.fromstring(svg[start:])  # comments are dropped by the parser
    # Natural size: Graphviz's points are CSS points, so 10-point labels are 13.3 px tall at 100 % zoom.
    # Squeezed into a phone's column they were 2 to 4 px; the canvas scrolls sideways instead, and the
    # standalone SVG file opens at this size for the browser to zoom.
    for side in ("width", "height"):
        size = root.attrib.pop(side, "").removesuffix("pt")
        if size:
            root.set(side, f"{size}pt")
    # role="group", not "img": an img role hides the links inside the SVG from assistive technology
    # (axe's nested-interactive rule); the group keeps its title and description as its name.
    root.set("role", "group")
    root.set("class", "cp-overview-svg")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    t = ET.Element(_S + "title", {"id": f"{prefix}-title"})
    t.text = title
    d = ET.Element(_S + "desc", {"id": f"{prefix}-desc"})
    d.text = desc
    root.insert(0, d)
    root.insert(0, t)
    for parent in root.iter():
        for child in list(parent):
            if child.tag == _S + "title" and child is not t:
                own = parent.get("id", "")
                if own in dot.titles:
                    child.text = dot.titles[own]
                elif parent.get("class", "").split()[:1] in (["graph"], ["cluster"]) or own.startswith("k-"):
                    parent.remove(child)
    for el in root.iter():
        if el is not t and el is not d and "id" in el.attrib:
            el.set("id", f"{prefix}-{el.attrib['id']}")
        href = el.attrib.pop(_X + "href", None)
        if href is not None:
            el.set("href", href)
        el.attrib.pop(_X + "title", None)
        el.attrib.pop("target", None)
        if el.tail is not None and not el.tail.strip():
            el.tail = None
        if el.text is not None and not el.text.strip() and len(el):
            el.text = None
    for el in root.iter():
        if len(el):
            el.text = (el.text or "") + "\n"
            for child in el:
                child.tail = (child.tail or "") + "\n"
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    out = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return "\n".join(line for line in out.splitlines() if line.strip())


_CANVAS_SVG = re.compile(r'<div class="cp-overview-canvas"[^>]*>\n(<svg .*?</svg>)\n</div>', re.DOTALL)


def overview_svg_file(page: str) -> bytes:
    """The overview chart of a rendered overview page as a file of its own, for the browser to open full size."""
    found = _CANVAS_SVG.search(page)
    if found is None:
        raise DiagramError("the overview page holds no overview chart")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + found.group(1) + "\n").encode("utf-8")
