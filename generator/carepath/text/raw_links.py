"""Relative links in raw HTML, between the two ways an engine reads them: from the page's URL (MkDocs leaves raw
HTML as written, so the browser resolves it from the page's address) or from the Markdown source's folder
(Zensical rewrites every `href`, `src` and `srcset` of a page's HTML as if it were source-relative, as it does a
Markdown link). `render --out` writes raw links source-relative, and gives a stock MkDocs this file as a hook
that turns them back into page-relative ones, so both engines publish the same addresses.

This file runs on its own as a MkDocs hook (`render` copies it beside the docs): standard library only.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

RAW_LINK = re.compile(r"(?<![\w:.-])(href|src|srcset)(\s*=\s*)(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
"""An attribute Zensical rewrites (any case, either quote; not `xlink:href`, `data-href`, `data`, `poster`)."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ROOT = "/_/"
"""A stand-in root, so `posixpath.relpath` never resolves against the process's working directory."""


def folder_of_url(url: str) -> str:
    """The folder a page's URL resolves relative links from: `a/b/` -> `a/b`, `a/b.html` -> `a`, `` -> ``."""
    return url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)


def rebase(value: str, from_dir: str, to_dir: str) -> str:
    """A relative URL that means, read from `to_dir`, what `value` means read from `from_dir`. Absolute URLs,
    other hosts, `#fragment`, `?query` and empty values are returned as they are."""
    if not value or value.startswith(("/", "#", "?")) or _SCHEME.match(value):
        return value
    cut = min((i for i in (value.find("#"), value.find("?")) if i >= 0), default=len(value))
    path, rest = value[:cut], value[cut:]
    if not path:
        return value
    folder = path.endswith("/") or path.rsplit("/", 1)[-1] in (".", "..")
    target = posixpath.normpath(posixpath.join(_ROOT + from_dir, path))
    rel = posixpath.relpath(target, posixpath.normpath(_ROOT + to_dir))
    if rel == ".":
        rel = "./"
    elif folder and not rel.endswith("/"):
        rel += "/"
    return rel + rest


def _rewrite(html: str, from_dir: str, to_dir: str) -> str:
    if from_dir == to_dir:
        return html

    def one(m: re.Match[str]) -> str:
        quote, value = m.group(3)[0], m.group(3)[1:-1]
        if m.group(1).lower() == "srcset":
            parts = [c.strip().split(" ", 1) for c in value.split(",")]
            value = ", ".join(" ".join([rebase(p[0], from_dir, to_dir), *p[1:]]) for p in parts if p[0])
        else:
            value = rebase(value, from_dir, to_dir)
        return f"{m.group(1)}{m.group(2)}{quote}{value}{quote}"

    return RAW_LINK.sub(one, html)


def to_source_relative(markdown: str, src_uri: str, url: str) -> str:
    """The raw HTML links of a page's Markdown, written from its URL `url`, rewritten from its source `src_uri`."""
    return _rewrite(markdown, folder_of_url(url), posixpath.dirname(src_uri))


def to_page_relative(markdown: str, src_uri: str, url: str) -> str:
    """The inverse of `to_source_relative`: what a stock MkDocs, which leaves raw HTML alone, must be given."""
    return _rewrite(markdown, posixpath.dirname(src_uri), folder_of_url(url))


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """MkDocs hook: read the page's raw HTML links from its source, as Zensical does."""
    return to_page_relative(markdown, page.file.src_uri, page.url)
