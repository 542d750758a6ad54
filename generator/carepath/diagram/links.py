"""The links inside a diagram: read from its HTML and SVG, and checked to lead to a node page before the
diagram is returned. Reads markup only; never builds a link (`urls.py` does)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from contextvars import ContextVar
from html.parser import HTMLParser

from carepath.diagram.errors import DiagramError
from carepath.model.graph import KnowledgeBase
from carepath.urls import DIRECTORY_URLS, Urls, node_uri

__all__ = ["LINK_PARSER", "check_diagram_links", "diagram_links", "parse_links"]


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name in ("href", "xlink:href") and value is not None:
                    self.hrefs.append(value)


def parse_links(markup: str) -> list[str]:
    """Every link target in a diagram's HTML (including links inside its SVG), in document order."""
    parser = _Hrefs()
    parser.feed(markup)
    parser.close()
    return parser.hrefs


LINK_PARSER: ContextVar[Callable[[str], list[str]]] = ContextVar("LINK_PARSER", default=parse_links)
"""How `diagram_links` reads links: `parse_links`, or the build cache's memo of it (`carepath.build.cached`)."""


def diagram_links(markup: str) -> list[str]:
    """Every link target in a diagram's HTML (including links inside its SVG), in document order."""
    return LINK_PARSER.get()(markup)


def _site_path(url: str) -> str:
    return posixpath.normpath("/" + url)


def check_diagram_links(markup: str, kb: KnowledgeBase, page_uri: str, urls: Urls = DIRECTORY_URLS) -> dict[str, str]:
    """Map each link in `markup` to the node whose page it leads to; raise `DiagramError` for any other."""
    pages: dict[str, str] | None = None

    def node_at(path: str) -> str | None:
        # A node's page path is derived from its id, so guess the id from the path and confirm it; the
        # table of every node's page is built only when a guess fails. Building it for every diagram made
        # a site's diagrams cost O(nodes²).
        nonlocal pages
        guess = path[1:].removesuffix(".html")
        if guess in kb.nodes and _site_path(urls.page_url(node_uri(guess))) == path:
            return guess
        if pages is None:
            pages = {_site_path(urls.page_url(node_uri(n))): n for n in kb.nodes}
        return pages.get(path)

    here = urls.page_url(page_uri)
    base = here if here.endswith("/") else posixpath.dirname(here)
    found: dict[str, str] = {}
    bad = []
    for href in diagram_links(markup):
        node = None
        if not re.match(r"^[a-z][a-z0-9+.-]*:|^//|#", href, re.IGNORECASE):
            node = node_at(_site_path(posixpath.join(base, href)))
        if node is None:
            bad.append(href)
        else:
            found[href] = node
    if bad:
        listed = ", ".join(f"'{b}'" for b in sorted(set(bad)))
        raise DiagramError(f"diagram on page '{page_uri}': link {listed} leads to no node page")
    return found
