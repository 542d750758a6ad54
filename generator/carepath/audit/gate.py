"""The readability gate of one build: score each node page's HTML as MkDocs made it, then name every page
above the limits. No MkDocs: the plugin hands over each page's `src_uri`, HTML and title."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path
from typing import Any

from carepath import urls as links
from carepath.audit.readability import Jargon, PageScore, Report, page_path, score_html
from carepath.build.cache import Cache
from carepath.build.cached import glossary_digest
from carepath.model.graph import GlossaryEntry, KnowledgeBase
from carepath.settings import Settings
from carepath.text.glossary import GlossaryMatcher


class PageScorer:
    """`readability.score_html` keyed by the page's HTML and the glossary; the matcher is built on a miss only."""

    def __init__(self, cache: Cache, glossary: Sequence[GlossaryEntry]) -> None:
        self.cache = cache
        self.glossary = glossary
        self.key = glossary_digest(glossary)
        self._matcher: GlossaryMatcher | None = None

    def score(self, html: str, node_id: str = "", path: str = "") -> PageScore:
        def compute() -> str:
            self._matcher = self._matcher or GlossaryMatcher(self.glossary)
            return json.dumps(asdict(score_html(html, self.glossary, "", "", self._matcher)))

        data: dict[str, Any] = json.loads(self.cache.text("readability", (self.key, html), compute))
        data.update(node_id=node_id, path=path, unexplained=[Jargon(**j) for j in data["unexplained"]])
        return PageScore(**data)


@dataclass
class ReadabilityGate:
    scorer: PageScorer
    kb: KnowledgeBase
    site_dir: Path
    """The built site, whose pages the failures name."""
    settings: Settings
    scores: dict[str, PageScore]
    """By node id; under `serve --dirty` it is kept from build to build for the pages MkDocs did not re-render."""

    def score(self, src_uri: str, html: str, title: str | None) -> None:
        """Score a page if it is a node's (the page's own HTML, inside the article Material wraps it in)."""
        node_id = node_of(src_uri, self.settings.url_prefix, self.kb)
        if node_id is not None:
            path = page_path(self.site_dir / self.settings.url_prefix, node_id, self.settings.urls).as_posix()
            self.scores[node_id] = self.scorer.score(as_article(html, title), node_id, path)

    def failures(self) -> list[str]:
        """One line for each reason the gate fails, naming the page."""
        r = self.settings.readability
        scored = [self.scores[n] for n in sorted(self.kb.nodes) if n in self.scores]
        missing = [n for n in sorted(self.kb.nodes) if n not in self.scores]
        return Report(scored, r.max_grade, r.max_median, missing).failures


def node_of(src_uri: str, prefix: str, kb: KnowledgeBase) -> str | None:
    """The node whose page `src_uri` is (under `prefix`), or None for any other page."""
    own = links.unprefixed(src_uri, prefix)
    if own is None:
        return None
    node_id = own.removesuffix(".md")
    return node_id if node_id in kb.nodes and links.node_uri(node_id) == own else None


def as_article(html: str, title: str | None) -> str:
    """The page's HTML inside the article Material wraps it in, with the `<h1>` Material adds when it has none."""
    heading = "" if "<h1" in html else f"<h1>{escape(title or '', quote=False)}</h1>"
    return f'<article class="md-content__inner md-typeset">{heading}{html}</article>'
