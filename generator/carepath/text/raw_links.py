"""Relative links in raw HTML, between the two ways an engine reads them: from the page's URL (MkDocs leaves raw
HTML as written, so the browser resolves it from the page's address) or from the Markdown source's folder
(Zensical rewrites every `href`, `src` and `srcset` of a page's HTML as if it were source-relative, as it does a
Markdown link). `render --out` writes raw links source-relative, and gives a stock MkDocs this file as a hook
that turns them back into page-relative ones, so both engines publish the same addresses.

This file runs on its own as a MkDocs hook (`render` copies it beside the docs): standard library only.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any

REWRITTEN = (b"href", b"srcset", b"src")
"""The attributes Zensical rewrites, in any case and either quote: not `xlink:href`, `data-href`, `data` or `poster`."""
_SPACE = b" \t\n\r\f"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def folder_of_url(url: str) -> str:
    """The folder a page's URL resolves relative links from: `a/b/` -> `a/b`, `a/b.html` -> `a`, `` -> ``."""
    return url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)


@functools.lru_cache(maxsize=65536)  # a site's pages link the same few hundred places from a few hundred folders
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
    target = [p for p in from_dir.split("/") if p]
    for step in path.split("/"):
        if step == ".." and target and target[-1] != "..":
            target.pop()
        elif step == "..":
            target.append("..")  # above the site's root: kept, as the browser would not
        elif step not in ("", "."):
            target.append(step)
    base = [p for p in to_dir.split("/") if p]
    same = 0
    while same < min(len(target), len(base)) and target[same] == base[same]:
        same += 1
    rel = "/".join([".."] * (len(base) - same) + target[same:])
    if not rel:
        rel = "./"
    elif folder:
        rel += "/"
    return rel + rest


def raw_links(markdown: str) -> list[tuple[str, str]]:
    """Each `(attribute, value)` of the attributes Zensical rewrites, in order (`srcset` whole)."""
    data = markdown.encode("utf-8")
    return [(name.decode(), data[start:end].decode("utf-8")) for name, start, end in _attributes(data)]


def _attributes(data: bytes) -> list[tuple[bytes, int, int]]:
    """`(name, start, end)` of the value of every attribute in `REWRITTEN`. Found with `bytes.find` on an ASCII
    lower-cased copy (the same length, unlike `str.lower`), as a regular expression took a second on 20 MB."""
    low = data.lower()
    found = []
    for needle in (b"href", b"src"):
        at = low.find(needle)
        while at >= 0:
            found.append(at)
            at = low.find(needle, at + len(needle))
    out = []
    last = 0
    for at in sorted(found):
        if at < last or at == 0 or low[at - 1] not in _SPACE:
            continue
        name = next(n for n in REWRITTEN if low.startswith(n, at))
        i = at + len(name)
        while i < len(low) and low[i] in _SPACE:
            i += 1
        if i >= len(low) or low[i] != ord("="):
            continue
        i += 1
        while i < len(low) and low[i] in _SPACE:
            i += 1
        if i >= len(low) or low[i] not in b"\"'":
            continue
        end = low.find(low[i : i + 1], i + 1)
        if end < 0:
            continue
        out.append((name, i + 1, end))
        last = end
    return out


def _rewrite(html: str, from_dir: str, to_dir: str) -> str:
    if from_dir == to_dir:
        return html
    data = html.encode("utf-8")
    parts = []
    last = 0
    for name, start, end in _attributes(data):
        value = data[start:end].decode("utf-8")
        if name == b"srcset":
            candidates = [c.strip().split(" ", 1) for c in value.split(",")]
            new = ", ".join(" ".join([rebase(c[0], from_dir, to_dir), *c[1:]]) for c in candidates if c[0])
        else:
            new = rebase(value, from_dir, to_dir)
        if new != value:
            parts += [data[last:start], new.encode("utf-8")]
            last = end
    return html if not parts else b"".join([*parts, data[last:]]).decode("utf-8")


def to_source_relative(markdown: str, src_uri: str, url: str) -> str:
    """The raw HTML links of a page's Markdown, written from its URL `url`, rewritten from its source `src_uri`."""
    return _rewrite(markdown, folder_of_url(url), posixpath.dirname(src_uri))


def to_page_relative(markdown: str, src_uri: str, url: str) -> str:
    """The inverse of `to_source_relative`: what a stock MkDocs, which leaves raw HTML alone, must be given."""
    return _rewrite(markdown, posixpath.dirname(src_uri), folder_of_url(url))


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """MkDocs hook: read the page's raw HTML links from its source, as Zensical does."""
    return to_page_relative(markdown, page.file.src_uri, page.url)
