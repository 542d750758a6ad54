"""The readability gate: score each node page's HTML, then report every page above the limits at its node's
place in the pathway files. No MkDocs: the plugin hands over each page's `src_uri`, HTML and title as MkDocs
made it; `check --strict` makes the same HTML from the generated Markdown (`check_readability`), so the two
give the same verdict in the same words."""

from __future__ import annotations

import json
import re
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from html import escape
from multiprocessing import get_context
from typing import Any

import yaml

from carepath import urls as links
from carepath.audit.readability import Jargon, PageScore, Report, score_html
from carepath.build.cache import Cache
from carepath.build.cached import glossary_digest, workers
from carepath.build.site import render_options
from carepath.diagram.overview import overview_too_big
from carepath.model.graph import GlossaryEntry, KnowledgeBase, Pathway, Position
from carepath.problems import Problem
from carepath.render.pages import Renderer
from carepath.settings import Settings
from carepath.text.glossary import GlossaryMatcher
from carepath.text.reading import render_html


class PageScorer:
    """`readability.score_html` keyed by the page's HTML (or Markdown) and its glossary, the one its glossary links
    came from (`KnowledgeBase.page_glossary`: its pathway's, then the site's); each matcher is built on a miss only."""

    def __init__(self, cache: Cache, kb: KnowledgeBase) -> None:
        self.cache = cache
        self.kb = kb
        self._glossaries: dict[str | None, tuple[str, list[GlossaryEntry]]] = {}
        self._matchers: dict[str | None, GlossaryMatcher] = {}

    def glossary(self, node_id: str) -> tuple[str | None, str]:
        """The scope of a node's page and the digest of the glossary its page uses."""
        scope = self.kb.scope(node_id) if node_id in self.kb.nodes else None
        if scope not in self._glossaries:
            entries = [entry for entry, _ in self.kb.page_glossary(scope)]
            self._glossaries[scope] = (glossary_digest(entries), entries)
        return scope, self._glossaries[scope][0]

    def score(self, html: str, node_id: str = "", path: str = "") -> PageScore:
        scope, _ = self.glossary(node_id)
        return self._load(self.cache.text("readability", self._parts(html, node_id), lambda: self._compute(html, scope)), node_id, path)

    def _parts(self, html: str, node_id: str) -> tuple[str, ...]:
        return (self.glossary(node_id)[1], self.kb.language, html)

    def key(self, html: str, node_id: str) -> str:
        """The cache key of a page's score, as `score` uses it."""
        return self.cache.key("readability", *self._parts(html, node_id))

    def cached(self, key: str, node_id: str) -> PageScore | None:
        """The score stored under `key` if the cache has it, counted as `score` counts a hit."""
        found = self.cache.get(key)
        if found is None:
            return None
        self.cache.hits += 1
        return self._load(found.decode("utf-8"), node_id, "")

    def keep(self, key: str, node_id: str, graded: str) -> PageScore:
        """A score `graded` elsewhere, stored under `key` as `score` stores a miss."""
        self.cache.misses += 1
        self.cache.put(key, graded.encode("utf-8"))
        return self._load(graded, node_id, "")

    def score_markdown(self, markdown: str, node_id: str) -> PageScore:
        """A generated page's score from its Markdown, as `check --strict` grades it: the page is made into HTML
        (`page_html`) only when the cache does not have its score yet."""
        scope, key = self.glossary(node_id)

        def compute() -> str:
            html, title = page_html(markdown)
            return self._compute(as_article(html, title), scope)

        return self._load(self.cache.text("readability-markdown", (key, self.kb.language, markdown), compute), node_id, "")

    def entries(self, scope: str | None) -> list[GlossaryEntry]:
        """The glossary of the pages of `scope` (after `glossary` named it)."""
        return self._glossaries[scope][1]

    def _compute(self, html: str, scope: str | None) -> str:
        glossary = self._glossaries[scope][1]
        matcher = self._matchers.get(scope) or self._matchers.setdefault(scope, GlossaryMatcher(glossary))
        return graded(html, glossary, matcher, self.kb.language)

    @staticmethod
    def _load(found: str, node_id: str, path: str) -> PageScore:
        data: dict[str, Any] = json.loads(found)
        data.update(node_id=node_id, path=path, unexplained=[Jargon(**j) for j in data["unexplained"]])
        return PageScore(**data)


def graded(html: str, glossary: list[GlossaryEntry], matcher: GlossaryMatcher, language: str) -> str:
    """A page's score as the cache stores it."""
    return json.dumps(asdict(score_html(html, glossary, "", "", matcher, language)))


@dataclass
class ReadabilityGate:
    scorer: PageScorer
    kb: KnowledgeBase
    settings: Settings
    scores: dict[str, PageScore]
    """By node id; under `serve --dirty` it is kept from build to build for the pages MkDocs did not re-render."""

    worker: ScoringWorker | None = None
    """Set, the pages the cache has no score for are graded in a second process (`ScoringWorker`)."""

    def score(self, src_uri: str, html: str, title: str | None) -> None:
        """Score a page if it is a node's (the page's own HTML, inside the article Material wraps it in)."""
        node_id = node_of(src_uri, self.settings.url_prefix, self.kb)
        if node_id is None:
            return
        if self.worker is None:
            self.scores[node_id] = self.scorer.score(as_article(html, title), node_id)
        else:
            self.worker.score(as_article(html, title), node_id, self.scores)

    def finish(self) -> None:
        """Wait for the pages still being graded in the second process, and end it."""
        if self.worker is not None:
            self.worker.finish(self.scores)

    def problems(self) -> list[Problem]:
        """A warning for each reason the gate fails, at the place in the pathway files of the node whose page it is.

        Never at the built page: a build writes into a temporary folder that is gone by the time anyone reads the
        message, and the YAML is what the author edits. Data-wide reasons (the median) are at the pathway folder.
        """
        self.finish()
        r = self.settings.readability
        scored = [self.scores[n] for n in sorted(self.kb.nodes) if n in self.scores]
        gate = "readability" if self.kb.language == "en" else f"readability ({self.kb.language})"
        report = Report(scored, r.max_grade, r.max_median)
        folder = Position(self.settings.pathway_dir.name, 1, 1)
        if self.kb.nodes and not scored:
            return [Problem(folder, f"{gate}: no node page was scored; is the site built from this pathway?", "warning")]
        out = [
            Problem(self.kb.positions[page.node_id], f"{gate}: {self.kb.kind(page.node_id)} '{page.node_id}': {reason}", "warning")
            for page in scored
            for reason in report.page_failures(page)
        ]
        median = report.median_failure()
        if median:
            out.append(Problem(folder, f"{gate}: {median}", "warning"))
        return out


_GLOSSARIES: dict[str, tuple[list[GlossaryEntry], GlossaryMatcher]] = {}
"""In a `ScoringWorker`'s process, each glossary it has been sent, with its matcher, by its digest."""


def _grade(html: str, key: str, glossary: list[GlossaryEntry] | None, language: str) -> str:
    """Grade a page with the glossary of digest `key`, sent with the first page that uses it."""
    if glossary is not None:
        _GLOSSARIES[key] = (glossary, GlossaryMatcher(glossary))
    entries, matcher = _GLOSSARIES[key]
    return graded(html, entries, matcher, language)


def _started() -> None:
    """Nothing: submitted so that the pool forks its process now. Its grading dictionaries are loaded at the first page
    it grades: a warm build grades none, and loading them ahead cost it about a second of CPU."""


def scoring_pool() -> ProcessPoolExecutor | None:
    """A `ScoringWorker`'s process, started now (None on one core): forked before the generator runs, it is as small
    as this process is then (a fork's memory is counted from its parent's at the fork; forked at the first page, it
    was the build's peak)."""
    if workers() < 2:
        return None
    pool = ProcessPoolExecutor(1, mp_context=get_context("fork"))
    pool.submit(_started)
    return pool


@dataclass
class ScoringWorker:
    """Grades pages in a second process while MkDocs renders the next ones in this one: on a cold build the gate
    is about a fifth of the CPU time, and the two do not wait for each other. This process still looks each page
    up in the cache first and stores what comes back, so the cache and the scores are the same as in line.

    The process is the one `scoring_pool` started, or else forked at the first page the cache has no score for
    (none on a warm build). It is sent each page's HTML, and each glossary with the first page that uses it. Pages
    in flight are held by their cache key only, never their HTML, so memory does not grow with the site.
    """

    scorer: PageScorer
    pool: ProcessPoolExecutor | None = None
    pending: deque[tuple[str, str, Future[str]]] = field(default_factory=deque)
    sent: set[str] = field(default_factory=set)
    """The digests of the glossaries the process has been sent."""

    def score(self, html: str, node_id: str, scores: dict[str, PageScore]) -> None:
        key = self.scorer.key(html, node_id)
        found = self.scorer.cached(key, node_id)
        if found is not None:
            scores[node_id] = found
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(1, mp_context=get_context("fork"))
        scope, glossary = self.scorer.glossary(node_id)
        entries = None if glossary in self.sent else self.scorer.entries(scope)
        self.sent.add(glossary)
        self.pending.append((key, node_id, self.pool.submit(_grade, html, glossary, entries, self.scorer.kb.language)))
        while self.pending and self.pending[0][2].done():
            self._take(scores)

    def _take(self, scores: dict[str, PageScore]) -> None:
        key, node_id, graded = self.pending.popleft()
        scores[node_id] = self.scorer.keep(key, node_id, graded.result())

    def finish(self, scores: dict[str, PageScore]) -> None:
        while self.pending:
            self._take(scores)
        self.close()

    def close(self) -> None:
        """End the process (waiting for nothing still pending: a failed build drops what it had)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.pending.clear()
        self.sent.clear()


def scoring_worker(scorer: PageScorer, serving: bool, pool: ProcessPoolExecutor | None = None) -> ScoringWorker | None:
    """A `ScoringWorker` for a build on a machine with a second core, in `pool` (`scoring_pool`) if given; None (grade
    in line) under `mkdocs serve`, which re-renders a few pages an edit, or on one core."""
    if serving or workers() < 2:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        return None
    return ScoringWorker(scorer, pool)


def check_readability(kb: KnowledgeBase, settings: Settings, cache: Cache | None = None) -> list[Problem]:
    """The readability gate without MkDocs, for `check --strict`: each node page rendered as the build renders it,
    made into HTML by Python-Markdown with the extensions the pages are written for, scored by the same gate.

    Only what the score depends on is made: no handouts (with a QR code each) and no diagrams, which are page
    chrome the gate skips (`cp-no-score`); each diagram is an empty one, since whether a page has one changes
    what else it shows. `cache` (the build's, say) keeps the annotated pages and the scores for the next run.
    """
    if not settings.readability.enabled or not kb.nodes:
        return []
    cache = cache or Cache(None)
    scorer = PageScorer(cache, kb)
    scores = {node_id: scorer.score_markdown(markdown, node_id) for node_id, markdown in graded_pages(kb, settings, cache).items()}
    return ReadabilityGate(scorer, kb, settings, scores).problems()


def graded_pages(kb: KnowledgeBase, settings: Settings, cache: Cache) -> dict[str, str]:
    """Each node page's Markdown by node id, as `check_readability` grades it: as the build writes it, but with
    no handout and every diagram empty."""
    options = replace(render_options(settings, kb, cache), page_extras=None, diagrams=_Undrawn() if settings.diagrams else None)
    renderer = Renderer(kb, options)
    return {node_id: renderer.render_node(node_id) for node_id in sorted(kb.nodes)}


class _Undrawn:
    """`carepath.diagram` with every diagram left empty: the same page around it, none of the drawing."""

    EMPTY = '<div class="cp-diagram cp-no-score"></div>'

    def journey_html(self, *args: Any, **kwargs: Any) -> str:
        return self.EMPTY

    def stage_slice_html(self, *args: Any, **kwargs: Any) -> str:
        return self.EMPTY

    def overview_html(self, *args: Any, **kwargs: Any) -> str:
        return self.EMPTY

    def overview_too_big(self, kb: KnowledgeBase, pathway: Pathway) -> str | None:
        return overview_too_big(kb, pathway)


_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
"""YAML front matter as MkDocs finds it (`mkdocs.utils.meta`)."""


def page_html(markdown: str) -> tuple[str, str | None]:
    """A generated page's HTML as MkDocs makes it, without MkDocs: its front matter taken off and the rest
    converted with the Markdown extensions the pages are written for; and its title from the front matter."""
    m = _FRONT_MATTER.match(markdown)
    html = render_html(markdown[m.end() :] if m else markdown)
    title = None
    if m and "<h1" not in html:  # the title matters only to a page without a heading of its own (`as_article`)
        meta = yaml.safe_load(m.group(1))
        title = str(meta["title"]) if isinstance(meta, dict) and meta.get("title") is not None else None
    return html, title


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
