"""Graphviz's SVG made fit to inline in a page (ids, links, titles, size), the key's samples cut apart, and the
chart and key cut back out of a rendered overview page as a file of its own. Edits markup only; lays nothing out."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from carepath.diagram.dot import _Dot
from carepath.diagram.errors import DiagramError

__all__ = ["overview_svg_file"]


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_S = "{" + SVG_NS + "}"
_X = "{" + XLINK_NS + "}"


_SVG_DOC = re.compile(r"<svg\b.*?</svg>", re.DOTALL)  # Graphviz escapes every '<' inside its labels


def _split_layout(svg: str, prefix: str) -> tuple[str, str]:
    """The chart and the key's samples from Graphviz's output for the overview's two graphs (`dot.KEY_GRAPH`)."""
    drawings = _SVG_DOC.findall(svg)
    if len(drawings) != 2:
        raise DiagramError(f"{prefix}: Graphviz returned {len(drawings)} SVG drawings, not the chart and its key")
    return drawings[0], drawings[1]


def _tidied(svg: str, dot: _Dot, prefix: str) -> ET.Element:
    """Graphviz's SVG as a tree with no prolog, DOCTYPE or comments (they carry a version), ids made unique on the
    page, plain `href` links and titles in words (the key's and the frames' titles dropped)."""
    start = svg.find("<svg")
    if start < 0:
        raise DiagramError(f"{prefix}: Graphviz returned no SVG")
    root = ET.fromstring(svg[start:])  # comments are dropped by the parser
    for parent in root.iter():
        for child in list(parent):
            if child.tag == _S + "title":
                own = parent.get("id", "")
                if own in dot.titles:
                    child.text = dot.titles[own]
                elif parent.get("class", "").split()[:1] in (["graph"], ["cluster"]) or own.startswith("k-"):
                    parent.remove(child)
    for el in root.iter():
        if "id" in el.attrib:
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
    return root


def _serialized(root: ET.Element, lines: bool = True) -> str:
    """The tree as XML text (every piece of text re-escaped by a real serializer): an element a line, or one line."""
    if lines:
        for el in root.iter():
            if len(el):
                el.text = (el.text or "") + "\n"
                for child in el:
                    child.tail = (child.tail or "") + "\n"
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    out = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return "\n".join(line for line in out.splitlines() if line.strip())


def _tidy_svg(svg: str, dot: _Dot, prefix: str, title: str, desc: str) -> str:
    """The chart made fit to inline (see `_tidied`), named by its title and description."""
    root = _tidied(svg, dot, prefix)
    # Natural size, in points as Graphviz drew it (10-point labels are 13.3 px at 100 % zoom): the standalone
    # file opens at this size for the browser to zoom; the page's stylesheet scales the chart to fit its column.
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
    return _serialized(root)


_PAIR = re.compile(r"(-?\d*\.?\d+),(-?\d*\.?\d+)")
_SAMPLE_MARGIN = 2.5
"""Points around a sample's outline, for its line width and arrowhead."""


def _extent(parts: list[ET.Element]) -> tuple[float, float, float, float]:
    """The box `(left, top, right, bottom)` around Graphviz's drawing of `parts`: every point of their
    polygons and paths (Graphviz writes absolute `x,y` pairs only) and the extremes of their ellipses."""
    xs: list[float] = []
    ys: list[float] = []
    for part in parts:
        for el in part.iter():
            for attr in ("points", "d"):
                for x, y in _PAIR.findall(el.get(attr, "")):
                    xs.append(float(x))
                    ys.append(float(y))
            if el.tag == _S + "ellipse":
                cx, cy, rx, ry = (float(el.get(a, "0")) for a in ("cx", "cy", "rx", "ry"))
                xs += [cx - rx, cx + rx]
                ys += [cy - ry, cy + ry]
    if not xs:
        raise DiagramError("a sample of the overview's key has nothing drawn")
    return min(xs), min(ys), max(xs), max(ys)


def _key_samples(svg: str, dot: _Dot, prefix: str, samples: list[str]) -> dict[str, str]:
    """Each of the key's samples (a box of a kind, or a line of an edge kind with the dot it starts from) cut
    out of Graphviz's drawing of the key as a small inline SVG of its own. The boxes share one size, as do the
    lines, so they stand in a tidy column beside their words."""
    root = _tidied(svg, dot, prefix)
    by_id = {el.get("id", ""): el for el in root.iter() if el.get("id")}
    parts: dict[str, list[ET.Element]] = {}
    for sample in samples:
        found = [by_id[i] for i in (f"{prefix}-{sample}-from", f"{prefix}-{sample}") if i in by_id]
        if not found:
            raise DiagramError(f"{prefix}: the key has no sample '{sample}'")
        parts[sample] = found
    boxes = {sample: _extent(found) for sample, found in parts.items()}
    size: dict[bool, tuple[float, float]] = {}
    for sample, (left, top, right, bottom) in boxes.items():
        line = len(parts[sample]) > 1
        w, h = size.get(line, (0.0, 0.0))
        size[line] = (max(w, right - left + 2 * _SAMPLE_MARGIN), max(h, bottom - top + 2 * _SAMPLE_MARGIN))
    out = {}
    for sample, (left, top, right, bottom) in boxes.items():
        line = len(parts[sample]) > 1
        w, h = size[line]
        # Lines start at their dot, so the dots stand in a column; boxes are centred.
        x, y = left - _SAMPLE_MARGIN if line else (left + right - w) / 2, (top + bottom - h) / 2
        el = ET.Element(
            _S + "svg",
            {
                "class": "cp-key-sample",
                "viewBox": f"{x:.2f} {y:.2f} {w:.2f} {h:.2f}",
                "width": f"{w:.2f}pt",
                "height": f"{h:.2f}pt",
                "aria-hidden": "true",
                "focusable": "false",
            },
        )
        el.extend(parts[sample])
        out[sample] = _serialized(el, lines=False)
    return out


_CANVAS_SVG = re.compile(r'<div class="cp-overview-canvas"[^>]*>\n(<svg .*?</svg>)\n</div>', re.DOTALL)
_KEY_TITLE = re.compile(r'<p class="cp-overview-key-title"[^>]*>(.*?)</p>')
_KEY_ROW = re.compile(r'<li class="cp-key-[^"]*">(<svg .*?</svg>) <span>(.*?)</span></li>')
_KEY_GAP = 18.0
"""Points between the chart and the key in the standalone file."""
_KEY_FONT = 10.0
_KEY_CHAR = 0.62 * _KEY_FONT
"""A generous width of a character of the key's words: the file has no layout engine to measure them."""


def _points(value: str | None) -> float:
    return float((value or "0").removesuffix("pt"))


def overview_svg_file(page: str) -> bytes:
    """The overview chart of a rendered overview page as a file of its own, for the browser to open full size:
    the chart as the page has it, at its natural size, and the page's key beside it, its words in SVG text."""
    found = _CANVAS_SVG.search(page)
    if found is None:
        raise DiagramError("the overview page holds no overview chart")
    ET.register_namespace("", SVG_NS)
    chart = ET.fromstring(found.group(1))
    cw, ch = _points(chart.get("width")), _points(chart.get("height"))
    chart.attrib.update({"x": "0", "y": "0", "width": f"{cw:g}", "height": f"{ch:g}"})
    key = ET.Element(_S + "g", {"class": "cp-overview-key"})
    kx, y, kw = cw + _KEY_GAP, 0.0, 0.0
    title = _KEY_TITLE.search(page)
    text = {"font-family": "Arial", "font-size": f"{_KEY_FONT:g}", "fill": "#1a1a1a"}
    if title is not None:
        words = html.unescape(title.group(1))
        ET.SubElement(key, _S + "text", {**text, "x": f"{kx:g}", "y": "14", "font-weight": "bold", "font-size": "12"}).text = words
        y, kw = 24.0, len(words) * _KEY_CHAR
    icon = 0.0
    rows = []
    for sample_text, words_text in _KEY_ROW.findall(page):
        sample = ET.fromstring(sample_text)
        rows.append((sample, html.unescape(words_text)))
        icon = max(icon, _points(sample.get("width")))
    for sample, words in rows:
        sw, sh = _points(sample.get("width")), _points(sample.get("height"))
        row = max(sh, _KEY_FONT * 1.6)
        sample.attrib.update({"x": f"{kx + (icon - sw) / 2:.2f}", "y": f"{y + (row - sh) / 2:.2f}", "width": f"{sw:g}", "height": f"{sh:g}"})
        key.append(sample)
        ET.SubElement(key, _S + "text", {**text, "x": f"{kx + icon + 6:.2f}", "y": f"{y + row / 2 + _KEY_FONT * 0.35:.2f}"}).text = words
        kw = max(kw, icon + 6 + len(words) * _KEY_CHAR)
        y += row + 4
    width, height = kx + kw + 8, max(ch, y)
    root = ET.Element(
        _S + "svg",
        {"width": f"{width:.2f}pt", "height": f"{height:.2f}pt", "viewBox": f"0 0 {width:.2f} {height:.2f}"},
    )
    name = chart.find(_S + "title")
    if name is not None:
        ET.SubElement(root, _S + "title").text = name.text
    ET.SubElement(root, _S + "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    root.extend([chart, key])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _serialized(root) + "\n").encode("utf-8")
