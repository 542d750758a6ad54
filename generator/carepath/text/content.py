"""Hand-written pages: resolve `node:<id>` links to relative page links. Pure; no I/O.

`[nerve block](node:diagnostic-nerve-block)` in `content/` becomes a normal relative Markdown link,
which MkDocs then validates like any other. An unknown id is a problem naming the file and line.
"""

from __future__ import annotations

import re
from functools import partial

from carepath import urls as links
from carepath.model.graph import KnowledgeBase, Position
from carepath.problems import Problem, Suggester, local_elsewhere
from carepath.text.escape import is_local, quote_target
from carepath.text.reading import code_spans

_NODE_LINK = re.compile(r"(\]\(\s*|\]:\s*|<)node:([^)\s>#]*)(#[^)\s>]*)?")


def resolve_node_links(markdown: str, src_uri: str, kb: KnowledgeBase, path: str, prefix: str = "") -> tuple[str, list[Problem]]:
    """Replace `node:` link targets in a content page; `path` names the file in problems; node pages live
    under `prefix` (the `url_prefix` option). Code is left as written."""
    problems: list[Problem] = []
    code = code_spans(markdown) if "node:" in markdown else []

    def replace(m: re.Match[str]) -> str:
        if _inside(m.start(2), code):
            return m.group(0)
        ident, anchor = m.group(2), (m.group(3) or "")[1:]
        ident = kb.resolve(ident, "") or ident
        if ident in kb.nodes:
            return m.group(1) + links.md_link(src_uri, prefix + links.node_uri(ident), anchor)
        line, column = _line_and_column(markdown, m.start(2) - len("node:"))
        options = kb.choices(ident, "")
        if options:
            problems.append(Problem(Position(path, line, column), f"node link 'node:{ident}' names {local_elsewhere(ident, options, 'node:', page=True)}"))
            return m.group(0)
        hint = Suggester(kb.names()).hint(ident, partial(kb.means, from_id=""))
        problems.append(Problem(Position(path, line, column), f"unknown node '{ident}' in a node: link{hint}"))
        return m.group(0)

    return _NODE_LINK.sub(replace, markdown), problems


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


_FOREIGN = re.compile(
    r"""!\[[^\]\n]*\]\(\s*<?(?P<md>[^)\s>]*)"""  # a Markdown image
    r"""|<(?P<tag>img|source|video|audio|iframe|embed|object|script|link|input|track)\b[^>]*?\s(?:src|srcset|poster|data|href)\s*=\s*["']?(?P<html>[^"'\s>]*)""",
    re.IGNORECASE,
)


def foreign_loads(markdown: str, path: str) -> list[Problem]:
    """Images and other embedded files a hand-written page would load from another host: the site loads
    nothing from elsewhere (no tracking pixel, no CDN). A plain link to another site is fine."""
    problems = []
    code: list[tuple[int, int]] | None = None
    for m in _FOREIGN.finditer(markdown):
        target = m.group("md") if m.group("md") is not None else m.group("html")
        if not target or is_local(target):
            continue
        code = code_spans(markdown) if code is None else code
        if not _inside(m.start(), code):
            what = "an image" if m.group("md") is not None or m.group("tag").lower() == "img" else f"a <{m.group('tag').lower()}>"
            line, column = _line_and_column(markdown, m.start())
            problems.append(
                Problem(Position(path, line, column), f"{what} from another host ({quote_target(target)}): the site loads nothing from elsewhere; copy the file into the site and link it relatively")
            )
    return problems
