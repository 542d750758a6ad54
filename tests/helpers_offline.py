"""Static privacy check of built files: every place a page, stylesheet or script would load something from another host.

Shared by the browser suite's offline test and the host-site test. `<a href>` to other sites (cited sources)
is allowed, as is the site's own canonical address; loading anything from there is not.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

LOADING_ATTRS = frozenset({"src", "href", "xlink:href", "srcset", "imagesrcset", "data", "poster", "action", "formaction"})
NAVIGATION_TAGS = frozenset({"a", "area"})
"""Tags whose href a reader follows by choice; every other URL-valued attribute loads something."""
OWN_ADDRESS_RELS = frozenset({"canonical", "alternate"})
"""`<link rel>` values that name the site's own public address instead of loading from it."""

CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
JS_URL_LITERAL = re.compile(r"""["'`](https?://[^"'`\s]*)""")

MATERIAL_FALLBACKS = {
    "unpkg.com/resize-observer-polyfill": "only for browsers without ResizeObserver (none Carepath supports)",
    "unpkg.com/mermaid": "only when a page has a Mermaid diagram (class 'mermaid'); asserted absent below",
    "api.github.com": "only with `repo_url` set (the source widget); asserted absent below",
    "${e}/api/v4": "GitLab source widget, only with `repo_url` set; asserted absent below",
    "bit.ly/2s3chxg": "a link in a console warning of the search worker, never fetched",
}
"""Remote URLs inside Material's JavaScript, each loaded only under a condition this site never meets."""


def is_foreign(url: str, own_hosts: set[str]) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") or url.strip().startswith("//"):
        return parts.netloc.lower() not in own_hosts
    return False


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str, str, str]] = []
        """(line, tag, attr, url, rel) of every URL-valued attribute outside plain links."""
        self.styles: list[tuple[int, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {k: v or "" for k, v in attrs}
        if "style" in values:
            self.styles.append((line, values["style"]))
        self._in_style = tag == "style"
        if tag in NAVIGATION_TAGS:
            return
        for name, value in values.items():
            if name in LOADING_ATTRS:
                urls = [c.strip().split(" ")[0] for c in value.split(",")] if name.endswith("srcset") else [value]
                self.found += [(line, tag, name, u, values.get("rel", "").lower()) for u in urls if u]
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append((line, tag, "refresh", values.get("content", "").partition("url=")[2], ""))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append((self.getpos()[0], data))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def foreign_loads(site: Path, own_hosts: set[str]) -> list[str]:
    """Every place a built page, stylesheet or script would load something from another host."""
    out: list[str] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if path.suffix in (".html", ".svg"):
            parser = _Loads()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            for line, tag, attr, url, rel_attr in parser.found:
                names_own_address = tag == "link" and bool(OWN_ADDRESS_RELS & set(rel_attr.split()))
                if is_foreign(url, own_hosts if names_own_address else set()):
                    out.append(f"{rel}:{line}: <{tag} {attr}> loads {url}")
            for line, css in parser.styles:
                out += [f"{rel}:{line}: inline style loads {u}" for u in _css_urls(css) if is_foreign(u, set())]
        elif path.suffix == ".css":
            out += [
                f"{rel}: loads {u}" for u in _css_urls(path.read_text(encoding="utf-8", errors="replace")) if is_foreign(u, set())
            ]
        elif path.suffix in (".js", ".mjs"):
            for url in JS_URL_LITERAL.findall(path.read_text(encoding="utf-8", errors="replace")):
                known = next((k for k in MATERIAL_FALLBACKS if k in url.lower()), None)
                if known is None and is_foreign(url, set()):
                    out.append(f"{rel}: script names {url}")
    return out


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]
