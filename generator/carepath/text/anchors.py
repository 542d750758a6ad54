"""`#anchor` links in pathway prose: each must name an id on the page it leads to. Pure; no I/O.

MkDocs would catch a missing anchor too, but on the generated page; here it is reported at the node's
YAML line, and `check` finds it without a build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carepath.model.graph import Position
from carepath.problems import Problem, did_you_mean
from carepath.text.reading import front_matter_end, render_html

_ID = re.compile(r"""\s(?:id|name)=["']([^"']+)["']""")


@dataclass(frozen=True)
class AnchorLink:
    position: Position
    who: str
    """The node whose text holds the link, as messages name it: `treatment 'rfa'`."""
    written: str
    """The link as the author wrote it: `#risks` or `node:rfa#risks`."""
    page: str
    """The `src_uri` of the page the link leads to."""
    anchor: str


def page_ids(page_markdown: str) -> set[str]:
    """Every id a generated page has once rendered: headings (as MkDocs' toc names them), `{ #id }` and raw HTML ids."""
    return set(_ID.findall(render_html(page_markdown[front_matter_end(page_markdown) :])))


def anchor_problems(pages: dict[str, str], wanted: list[AnchorLink]) -> list[Problem]:
    """A problem for each link whose `#anchor` its page does not have; links to other pages are MkDocs' to check."""
    ids: dict[str, set[str]] = {}
    problems = []
    for link in wanted:
        if link.page not in pages:
            continue
        if link.page not in ids:
            ids[link.page] = page_ids(pages[link.page])
        if link.anchor not in ids[link.page]:
            hint = did_you_mean(link.anchor, ids[link.page])
            problems.append(Problem(link.position, f"{link.who}: the link '{link.written}' in its text names no '#{link.anchor}' on that page{hint}"))
    return problems
