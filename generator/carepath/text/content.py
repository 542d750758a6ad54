"""Hand-written pages: resolve `node:<id>` links to relative page links. Pure; no I/O.

`[nerve block](node:diagnostic-nerve-block)` in `content/` becomes a normal relative Markdown link,
which MkDocs then validates like any other. An unknown id is a problem naming the file and line.
"""

from __future__ import annotations

import re

from carepath import urls as links
from carepath.model.graph import KnowledgeBase, Position
from carepath.problems import Problem, did_you_mean
from carepath.text.escape import is_local, quote_target

_NODE_LINK = re.compile(r"(\]\(\s*|\]:\s*|<)node:([^)\s>#]*)(#[^)\s>]*)?")
_FENCE = re.compile(r"^\s*(```|~~~)")


def resolve_node_links(markdown: str, src_uri: str, kb: KnowledgeBase, path: str) -> tuple[str, list[Problem]]:
    """Replace `node:` link targets in a content page; `path` names the file in problems."""
    problems: list[Problem] = []
    out = []
    in_fence = False
    for number, line in enumerate(markdown.split("\n"), 1):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or "node:" not in line:
            out.append(line)
            continue

        def replace(m: re.Match[str], number: int = number) -> str:
            ident, anchor = m.group(2), (m.group(3) or "")[1:]
            ident = kb.resolve(ident, "") or ident
            if ident in kb.nodes:
                return m.group(1) + links.md_link(src_uri, links.node_uri(ident), anchor)
            hint = did_you_mean(ident, kb.nodes)
            problems.append(Problem(Position(path, number, m.start(2) - len("node:") + 1), f"unknown node '{ident}' in a node: link{hint}"))
            return m.group(0)

        out.append(_NODE_LINK.sub(replace, line))
    return "\n".join(out), problems


_FOREIGN = re.compile(
    r"""!\[[^\]\n]*\]\(\s*<?(?P<md>[^)\s>]*)"""  # a Markdown image
    r"""|<(?P<tag>img|source|video|audio|iframe|embed|object|script|link|input|track)\b[^>]*?\s(?:src|srcset|poster|data|href)\s*=\s*["']?(?P<html>[^"'\s>]*)""",
    re.IGNORECASE,
)


def foreign_loads(markdown: str, path: str) -> list[Problem]:
    """Images and other embedded files a hand-written page would load from another host: the site loads
    nothing from elsewhere (no tracking pixel, no CDN). A plain link to another site is fine."""
    problems = []
    in_fence = False
    for number, line in enumerate(markdown.split("\n"), 1):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        for m in _FOREIGN.finditer(line):
            target = m.group("md") if m.group("md") is not None else m.group("html")
            if target and not is_local(target):
                what = "an image" if m.group("md") is not None or m.group("tag").lower() == "img" else f"a <{m.group('tag').lower()}>"
                problems.append(
                    Problem(Position(path, number, m.start() + 1), f"{what} from another host ({quote_target(target)}): the site loads nothing from elsewhere; copy the file into the site and link it relatively")
                )
    return problems

