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


def json_text(value: Any) -> str:
    """A JSON value safe inside HTML `<script>` and YAML front matter."""
    out = json.dumps(value, ensure_ascii=True, sort_keys=False)
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_INLINE_LINK = re.compile(r"(\]\()\s*<?([^)\s>]*)>?")
_REF_DEF = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)<?(\S+?)>?(\s|$)", re.M)
_FENCE = re.compile(r"^(\s*)(```|~~~)")


def md_prose(text: str, resolve: Callable[[str], str | None]) -> str:
    """Markdown prose with raw HTML, attribute lists and unsafe links defused.

    `resolve` maps a `node:<id>` target to a relative link (or None when unknown, which the
    caller reports); any other target with a scheme outside `SAFE_SCHEMES` is replaced by `#`.
    """
    out_lines = []
    in_fence = False
    for line in str(text).splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            out_lines.append(line)
            continue
        if in_fence:
            out_lines.append(line)
            continue
        line = line.replace("<", "&lt;").replace("{", "\\{").replace("}", "\\}")
        if line.startswith("# "):
            line = "#" + line  # the page owns its one h1
        line = _INLINE_LINK.sub(lambda m: m.group(1) + _safe_target(m.group(2), resolve), line)
        line = _REF_DEF.sub(lambda m: m.group(1) + _safe_target(m.group(2), resolve) + m.group(3), line)
        out_lines.append(line)
    return "\n".join(out_lines).strip("\n")


def _safe_target(target: str, resolve: Callable[[str], str | None]) -> str:
    if target.startswith("node:"):
        return resolve(target[len("node:"):]) or "#"
    lowered = re.sub(r"[\x00-\x20]", "", target).lower()
    if ":" in lowered.split("/", 1)[0] and not lowered.startswith(SAFE_SCHEMES):
        return "#"
    return target
