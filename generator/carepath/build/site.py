"""Everything the site needs from the pathway, in one call: pages, assets, nav, warnings. No MkDocs.

Both the MkDocs plugin and `python -m carepath render` go through `build_site_pages`, so the two
produce the same pages.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from carepath import load_knowledge_base
from carepath import urls as links
from carepath.build.cache import Cache, digest
from carepath.build.cached import (
    cached_annotate,
    cached_qr_svg,
    diagrams_through,
    glossary_digest,
    inputs_digest,
    load_result,
    prefill_layouts,
    prefill_qr,
    store_result,
)
from carepath.build.incremental import IncrementalRenderer
from carepath.diagram import draw as diagram
from carepath.model.graph import Indicator, KnowledgeBase, Urgency
from carepath.problems import Problem
from carepath.publish import clinical
from carepath.render.pages import NAV_MAX_PATHWAYS, TEMPLATE_OVERRIDE_SUBDIR, Renderer, RenderOptions, in_nav, nav_pages
from carepath.text.content import foreign_loads, resolve_node_links
from carepath.words import DEFAULT_LANGUAGE, Words, words

ASSET_DIR = "assets/carepath"
"""Where the generator's own CSS lands in the built site."""


def today() -> dt.date:
    """The build's date for review-due checks; `CAREPATH_TODAY=YYYY-MM-DD` pins it (tests, rebuilds)."""
    pinned = os.environ.get("CAREPATH_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


@dataclass(frozen=True)
class SiteOptions:
    pathway_dir: Path
    site_url: str | None = None
    use_directory_urls: bool = True
    overrides_dir: Path | None = None
    diagrams: bool = True
    nav_max_pathways: int = NAV_MAX_PATHWAYS
    site_name: str = "Carepath"
    publisher: str | None = None
    content_version: str | None = None
    language: str = DEFAULT_LANGUAGE


@dataclass
class SitePages:
    kb: KnowledgeBase
    pages: dict[str, str]
    """Generated Markdown pages by `src_uri`."""
    assets: dict[str, bytes]
    """Static files by `src_uri` (CSS)."""
    in_nav: set[str]
    warnings: list[Problem] = field(default_factory=list)
    nav_max_pathways: int = NAV_MAX_PATHWAYS
    words: Words = field(default_factory=words)

    def generated(self, content_uris: list[str]) -> dict[str, str]:
        """The generated pages that go into the site: all but the home page when the site writes its own."""
        if links.HOME_URI in content_uris:
            return {u: t for u, t in self.pages.items() if u != links.HOME_URI}
        return self.pages

    def theme_data(self, use_directory_urls: bool = True) -> dict[str, Any]:
        """What theme templates that are no Markdown page (the 404 page) need, with site-relative URLs:
        every emergency red flag by title, the A to Z and the pathway index; and the words catalogue."""
        signs = [n for n in self.kb.of_kind("indicator") if isinstance(n, Indicator) and n.urgency == Urgency.emergency]
        return {
            "emergency": [
                {"title": n.title, "url": links.page_url(links.node_uri(n.id), use_directory_urls)}
                for n in sorted(signs, key=lambda n: (n.title.casefold(), n.id))
            ],
            "a_to_z": links.page_url(links.A_TO_Z_URI, use_directory_urls),
            "pathways": links.page_url(links.PATHWAYS_URI, use_directory_urls),
            "words": dict(self.words.entries),
        }

    def nav(self, content_uris: list[str]) -> list[Any]:
        """A MkDocs `nav`: home, each pathway with its stages, the A–Z and glossary, other pages."""
        w = self.words
        nav: list[Any] = [{w.get("nav.home"): links.HOME_URI}]
        rest = [u for u in content_uris if u != links.HOME_URI]
        nav.append({w.get("nav.pathways"): links.PATHWAYS_URI})
        for title, entries in nav_pages(self.kb, self.nav_max_pathways):
            section: list[Any] = [entries[0][1]] + [{t: u} for t, u in entries[1:]]
            nav.append({title: section})
        nav.append({w.get("nav.a_to_z"): links.A_TO_Z_URI})
        nav.append({w.get("nav.glossary"): links.GLOSSARY_URI})
        if links.CODES_URI in self.pages:
            nav.append({w.get("nav.codes"): links.CODES_URI})
        nav.extend(rest)
        return nav


def css_assets() -> dict[str, bytes]:
    out = {}
    for item in sorted(resources.files("carepath").joinpath("assets").iterdir(), key=lambda p: p.name):
        if item.name.endswith(".css"):
            out[f"{ASSET_DIR}/{item.name}"] = item.read_bytes()
    return out


def build_site_pages(options: SiteOptions, cache: Cache | None = None) -> SitePages:
    """Load, validate and render. Raises `PathwayError` with every problem on bad input.

    With a `cache`, a result for the very same inputs (pathway files, template overrides, options, date,
    generator code) is read back instead, and the costly steps of a new one reuse earlier results.
    """
    cache = cache or Cache(None)
    overrides = options.overrides_dir / TEMPLATE_OVERRIDE_SUBDIR if options.overrides_dir else None
    key = inputs_digest(f"{options!r} {today().isoformat()}", [options.pathway_dir, overrides])
    found = load_result(cache, key)
    if isinstance(found, SitePages):
        return found
    settings = f"{options!r} {today().isoformat()} {inputs_digest('', [overrides])}"
    site = _build_site_pages(options, cache, settings)
    store_result(cache, key, site)
    return site


def _build_site_pages(options: SiteOptions, cache: Cache, settings: str) -> SitePages:
    kb, warnings = load_knowledge_base(options.pathway_dir, today())
    render_options = RenderOptions(
        today=today(),
        site_url=options.site_url,
        site_name=options.site_name,
        publisher=options.publisher,
        content_version=options.content_version,
        language=options.language,
        use_directory_urls=options.use_directory_urls,
        overrides_dir=options.overrides_dir,
        annotate=cached_annotate(cache, kb.glossary, words(options.language)),
        diagrams=diagram if options.diagrams else None,
        page_extras=clinical.page_extras,
        qr=lambda text, label: cached_qr_svg(cache, text, label),
    )
    prefill_qr(cache, clinical.qr_jobs(kb, render_options))
    with diagrams_through(cache):
        if options.diagrams:
            prefill_layouts(cache, kb, words(options.language))
        renderer = (
            IncrementalRenderer(kb, render_options, cache, digest(settings, glossary_digest(kb.glossary)))
            if cache.root is not None
            else Renderer(kb, render_options)
        )
        pages = renderer.render_all()
        pages.update(clinical.extra_pages(renderer))
    assets = css_assets()
    assets.update(clinical.extra_assets(kb, render_options))
    if options.diagrams:
        for pathway in kb.pathways:
            if diagram.overview_too_big(kb, pathway) is None:
                svg_uri = links.overview_svg_uri(pathway.id, options.use_directory_urls)
                assets[svg_uri] = diagram.overview_svg_file(pages[links.overview_uri(pathway.id)])
    warnings = warnings + clinical.warnings(kb, render_options) + (diagram_notes(kb) if options.diagrams else [])
    nav_uris = in_nav(kb, options.nav_max_pathways) | ({links.CODES_URI} & pages.keys()) | {links.HOME_URI}
    return SitePages(kb, pages, assets, nav_uris, warnings, options.nav_max_pathways, words(options.language))


def diagram_notes(kb: KnowledgeBase) -> list[Problem]:
    """A note for each pathway whose overview is too big to lay out, so it is written as a list only."""
    out = []
    for pathway in kb.pathways:
        why = diagram.overview_too_big(kb, pathway)
        if why:
            out.append(Problem(kb.positions[pathway.id], why, "note"))
    return out


def content_problems(markdown: str, src_uri: str, kb: KnowledgeBase, path: str) -> tuple[str, list[Problem]]:
    """Resolve `node:` links in a hand-written page; report them, and anything it would load from another host."""
    text, problems = resolve_node_links(markdown, src_uri, kb, path)
    return text, problems + foreign_loads(markdown, path)


def url_clashes(generated: list[str], content: list[str], docs_name: str, use_directory_urls: bool = True) -> list[str]:
    """Messages for generated pages whose URL a hand-written page already takes, naming both."""
    taken = {links.page_url(u, use_directory_urls): u for u in content if u.endswith(".md")}
    out = []
    for uri in sorted(generated):
        other = taken.get(links.page_url(uri, use_directory_urls))
        if other is not None:
            out.append(f"generated page '{uri}' and the hand-written page '{docs_name}/{other}' both want the URL '/{links.page_url(uri, use_directory_urls)}'; rename one")
    return out


def alias_clashes(kb: KnowledgeBase, content: list[str], docs_name: str, use_directory_urls: bool = True) -> list[Problem]:
    """Former ids (aliases) whose redirect would land where a hand-written page or file already is: one of the two
    would silently be lost."""
    taken = {links.page_url(u, use_directory_urls): u for u in content if u.endswith(".md")}
    taken.update({u: u for u in content if not u.endswith(".md")})
    out = []
    for node_id in sorted(kb.nodes):
        for alias in kb.nodes[node_id].aliases:
            url = links.page_url(links.node_uri(alias), use_directory_urls)
            other = taken.get(url) or taken.get(links.redirect_uri(alias, use_directory_urls))
            if other is not None:
                out.append(
                    Problem(
                        kb.positions[node_id],
                        f"{kb.kind(node_id)} '{node_id}': alias '{alias}' would redirect from '/{url}', the URL of the hand-written "
                        f"'{docs_name}/{other}'; rename that page or drop the alias",
                    )
                )
    return out

