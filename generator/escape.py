"""Escaping text from YAML for each place it lands: Markdown text, Markdown prose, HTML, JSON.

Plain-text fields (titles, summaries, list items, labels) never carry markup: every character that
Markdown or HTML would read is escaped. Prose fields (`body` and the longer sections) take Markdown,
but never raw HTML, attribute lists or links with a scheme other than http(s), mailto and tel.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

_MD_ESCAPABLE = re.compile(r"([\\`*_{}\[\]()#+\-.!>])")
"""Python-Markdown's backslash-escapable characters (`<` and `&` become entities instead)."""

SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")


def md_text(text: str) -> str:
    """Plain text made inert in Markdown: shown exactly as written, one line."""
    text = " ".join(str(text).split())
    text = html.escape(text, quote=False)
    return _MD_ESCAPABLE.sub(r"\\\1", text)


def html_text(text: str) -> str:
    """Plain text for an HTML element or attribute value."""
    return html.escape(" ".join(str(text).split()), quote=True)


def meta_text(text: str) -> str:
    """Plain text for what MkDocs treats as HTML: page titles, nav titles, the meta description.

    MkDocs and Material insert `page.title`, `page.meta.title`, `page.meta.description` and nav titles
    into their pages without escaping, because a title taken from a heading is already HTML.
    """
    return html.escape(" ".join(str(text).split()), quote=True)


def json_text(value: Any) -> str:
    """A JSON value safe inside HTML `<script>` and YAML front matter.

    Non-ASCII text stays literal: YAML reads `\\ud83e\\ude7a` as two lone surrogates, not one emoji.
    What YAML or HTML would misread (markup characters, line and paragraph separators, controls) is
    escaped as `\\uXXXX`.
    """
    out = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


_JSON_UNSAFE = re.compile("[<>&\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_ENTITY = re.compile(r"&(?=#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*;)")
_INLINE_LINK = re.compile(r"(\]\()(\s*)<?([^)\s>]*)>?")
_LINE_START = r"^[ \t>]*(?:(?:[*+:-]|\d{1,9}[.)])[ \t>]+)*"
"""A line's start, past quote marks and list or definition markers: where Python-Markdown's block
processors still see a block start. Each marker needs its own whitespace, so matching stays linear."""
_REF_DEF = re.compile("(" + _LINE_START + r"\[[^\[\]]*\]:[ \t]*(?:\n[ \t>]*)?)<?([^\s>]+)>?", re.MULTILINE)
"""A reference definition at the start of a line, also inside lists, quotes and definitions."""
_ABBR_DEF = re.compile("(" + _LINE_START + r")\*(?=\[[^\\]{0,500}?\][ ]?:)", re.MULTILINE)
"""`*[X]: ...` where the abbr extension reads one (its name may hold `]` and line breaks)."""
_H1 = re.compile(r"^([ \t>]*)#(?!#)", re.MULTILINE)


def md_prose(text: str, resolve: Callable[[str], str | None]) -> str:
    """Markdown prose with raw HTML, entities, attribute lists, abbreviations and unsafe links defused.

    `resolve` maps a `node:<id>` target to a relative link (or None when unknown, which the
    caller reports); any other target with a scheme outside `SAFE_SCHEMES` is replaced by `#`.
    Code blocks get no exemption: whether a fence is code depends on the site's Markdown
    extensions, so `<` and `{` are escaped everywhere.
    """
    text = "\n".join(str(text).splitlines())
    # Entities first: `&#58;` or `&Tab;` inside a link target would spell `javascript:` for the browser.
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("<", "&lt;").replace("{", "\\{").replace("}", "\\}")
    # `*[X]: ...` would re-title every X on the page, warnings and disclaimer included.
    text = _ABBR_DEF.sub(r"\1\\*", text)
    text = _H1.sub(r"\1##", text)  # the page owns its one h1
    text = _INLINE_LINK.sub(lambda m: _relink(m.group(1), m.group(2), m.group(3), resolve), text)
    text = _REF_DEF.sub(lambda m: _relink(m.group(1), "", m.group(2), resolve), text)
    return text.strip("\n")


def _relink(head: str, space: str, target: str, resolve: Callable[[str], str | None]) -> str:
    safe = _safe_target(target, resolve)
    if safe == target:
        return head + space + target
    # A replacement never starts a line: `#` there would be a heading.
    return re.sub(r"\s*\n[ \t>]*$", " ", head) + safe


def _safe_target(target: str, resolve: Callable[[str], str | None]) -> str:
    if target.startswith("node:"):
        return resolve(target[len("node:"):]) or "#"
    decoded = html.unescape(html.unescape(target))  # md_prose has already turned `&#58;` into `&amp;#58;`
    lowered = re.sub(r"[\x00-\x20\\\\]", "", decoded).lower()
    if ":" in lowered.split("/", 1)[0] and not lowered.startswith(SAFE_SCHEMES):
        return "#"
    return target
