"""Everything the site needs from the pathway, in one call: pages, assets, nav, warnings. No MkDocs.

Both the MkDocs plugin and `python -m carepath render` go through `build_site_pages`, so the two
produce the same pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from carepath import diagram, load_knowledge_base
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
from carepath.build.parallel import render_node_pages
from carepath.build.plan import Plan, plan_site, stylesheet_files
from carepath.diagram.overview import overview_too_big
from carepath.diagram.svg import overview_svg_file
from carepath.load import ParseCache
from carepath.model.graph import KnowledgeBase, Position
from carepath.problems import PathwayError, Problem
from carepath.publish import site_url
from carepath.publish.codes import render_code_pages
from carepath.publish.files import extra_assets
from carepath.publish.page_extras import page_extras, qr_jobs
from carepath.render.pages import TEMPLATE_OVERRIDE_SUBDIR, Renderer, RenderOptions, nav_pages
from carepath.settings import ConfigError, Readability, Settings
from carepath.text.content import foreign_loads, resolve_node_links
from carepath.text.spelling import in_spelling, kept_phrases, respell, table
from carepath.validate.regions import region_problem
from carepath.validate.routes import file_routes, fill_routes
from carepath.validate.spelling import file_spelling
from carepath.words import DEFAULT_EDITION, DEFAULT_LANGUAGE, Words, language_of
from carepath.words import words as catalogue


@dataclass
class SitePages:
    kb: KnowledgeBase
    pages: dict[str, str]
    """Generated Markdown pages by `src_uri`."""
    assets: dict[str, bytes]
    """Static files by `src_uri` (CSS)."""
    plan: Plan
    settings: Settings
    warnings: list[Problem] = field(default_factory=list)
    absent: dict[str, frozenset[str]] = field(default_factory=dict)
    """Edition published with this one -> the URLs of this edition's pages it has no twin of (a language edition
    holds only the pathways translated into it): no `hreflang` alternate or switcher link points there."""

    @property
    def in_nav(self) -> frozenset[str]:
        return self.plan.in_nav

    @property
    def url_prefix(self) -> str:
        """The folder every page and file goes in; `pages`, `assets` and `in_nav` are by their own `src_uri`."""
        return self.settings.url_prefix

    def generated(self, content_uris: list[str]) -> dict[str, str]:
        """The generated pages that go into the site, each under the prefix: all but the home page when the
        site writes its own there."""
        prefix = self.url_prefix
        own = [o for u in content_uris if (o := links.unprefixed(u, prefix)) is not None]
        return {prefix + u: self.pages[u] for u in self.plan.generated(own)}

    def placed_assets(self) -> dict[str, bytes]:
        """The static files, each under the prefix: the pages link to them relatively, so they move together."""
        return {self.url_prefix + u: data for u, data in self.assets.items()}

    def theme_data(self) -> dict[str, Any]:
        """What theme templates that are no Markdown page (the 404 page) need, with site-relative URLs: as on the
        home page, each pathway that has warning signs, linked to its full list of them (never every pathway's
        signs in one list); the A to Z and the pathway index; and the words catalogue."""
        urls, prefix = self.settings.urls, self.url_prefix
        return {
            "emergency": [
                {"title": p.title, "url": urls.page_url(prefix + links.node_uri(p.id)) + "#warning-signs"}
                for p in self.kb.pathways_sorted()
                if self.kb.red_flags_of(p.id)
            ],
            "a_to_z": urls.page_url(prefix + links.A_TO_Z_URI),
            "pathways": urls.page_url(prefix + links.PATHWAYS_URI),
            "words": dict(self.settings.words.entries),
        }

    def nav_entries(self) -> list[Any]:
        """The generated part of a MkDocs `nav`, under the prefix: the pathway index, each pathway with its
        stages, the A–Z, the glossary and the clinical codes (home is for the caller to place)."""
        w, prefix = self.settings.words, self.url_prefix
        nav: list[Any] = [{w.get("nav.pathways"): prefix + links.PATHWAYS_URI}]
        for title, entries in nav_pages(self.kb, self.settings.nav_max_pathways):
            section: list[Any] = [prefix + entries[0][1]] + [{t: prefix + u} for t, u in entries[1:]]
            nav.append({title: section})
        nav.append({w.get("nav.a_to_z"): prefix + links.A_TO_Z_URI})
        nav.append({w.get("nav.glossary"): prefix + links.GLOSSARY_URI})
        if links.CODES_URI in self.pages:
            nav.append({w.get("nav.codes"): prefix + links.CODES_URI})
        return nav


def css_assets() -> dict[str, bytes]:
    return {uri: item.read_bytes() for uri, item in stylesheet_files().items()}


def build_site_pages(
    settings: Settings, cache: Cache | None = None, parsed: ParseCache | None = None, store: bool = True, parallel: bool = False
) -> SitePages:
    """Load, validate and render. Raises `PathwayError` with every problem on bad input.

    With a `cache`, a result for the very same inputs (pathway files, template overrides, options, date,
    generator code) is read back instead, and the costly steps of a new one reuse earlier results; the new result
    is stored whole for the next process unless `store` is False (under `mkdocs serve`, after the first build, where
    writing it would cost more than the rest of an edit). With `parsed`, files an earlier build parsed, unchanged,
    are not parsed again. With `parallel` (a one-shot build: `mkdocs build`, `render`), the node pages of a large
    site are rendered on two cores (`build.parallel`; the same pages); not under `mkdocs serve`, whose cache keeps in
    memory what this process reads.
    """
    cache = cache or Cache(None)
    overrides = settings.custom_dir / TEMPLATE_OVERRIDE_SUBDIR if settings.custom_dir else None
    # What the pages depend on: not where the hand-written pages, the cache or the readability limits are.
    inputs = repr(replace(settings, root=None, docs_dir=None, readability=Readability(), cache_dir=""))
    key = inputs_digest(inputs, settings.pathway_dir, overrides)
    found = load_result(cache, key)
    if found is not None:
        # The pages and files come back as stored; the model and the plan are read again (a small part of the
        # cost), so that the cache holds only text, never objects that would run code as they are read.
        kb, _, absent = edition_kb(load_knowledge_base(settings.pathway_dir, settings.today, parsed)[0], settings)
        kb = edition_knowledge_base(kb, settings)
        _check_region(kb, settings)
        return SitePages(kb, found["pages"], found["assets"], plan_site(kb, settings), settings, found["warnings"], absent)
    site = _build_site_pages(settings, cache, f"{inputs} {inputs_digest('', None, overrides)}", parsed, parallel)
    if store:
        store_result(cache, key, site.pages, site.assets, site.warnings)
    return site


def _build_site_pages(settings: Settings, cache: Cache, inputs: str, parsed: ParseCache | None, parallel: bool) -> SitePages:
    """The build's phases in order, each using only what the ones before it made: read and validate, plan,
    render the pages, publish the other files. The plan is what the build must write, and it is checked."""
    kb, warnings = load_knowledge_base(settings.pathway_dir, settings.today, parsed)
    # A translation is of the text as written (its hashes are), so it is laid over before an edition respells it.
    kb, translated, absent = edition_kb(kb, settings)
    kb = edition_knowledge_base(kb, settings)
    _check_region(kb, settings)
    warnings = warnings + translated
    plan = plan_site(kb, settings)
    options = render_options(settings, kb, cache)
    renderer, pages = _render_pages(kb, settings, options, cache, inputs, parallel)
    assets = _publish_files(kb, plan, options, pages, renderer, cache)
    if list(pages) != list(plan.pages) or sorted(assets) != sorted(plan.assets):
        raise AssertionError(f"the build and its plan disagree: {sorted(set(pages) ^ set(plan.pages))} {sorted(set(assets) ^ set(plan.assets))}")
    warnings = warnings + site_url.warnings(kb, options) + (diagram_notes(kb) if settings.diagrams else [])
    return SitePages(kb, pages, assets, plan, settings, warnings, absent)


def edition_kb(kb: KnowledgeBase, settings: Settings) -> tuple[KnowledgeBase, list[Problem], dict[str, frozenset[str]]]:
    """The knowledge base of the edition built: the English as loaded, or a language edition's translated copy (the
    pathways translated into it, AUTHORING.md "Languages"), with that translation's warnings; and for each edition
    published with it, the URLs of this edition's pages it has no twin of. A broken translation file fails every
    edition's build, as `check` does; `ConfigError` for a language edition with no pathway translated into it."""
    from carepath.translation import edition_pathways, load_translations, translated_kb, translation_problems

    translations, problems = load_translations(settings.pathway_dir, kb)
    if any(p.severity == "error" for p in problems):
        raise PathwayError(problems)

    def of(edition: str) -> KnowledgeBase:
        language = language_of(edition)
        if language == DEFAULT_LANGUAGE:
            return kb
        translation = translations.get(language)
        if translation is None or not edition_pathways(kb, translation):
            raise ConfigError(
                f"edition {edition!r}: no pathway is translated into {language!r}; it holds a pathway once a file of its "
                f"folder has a translation beside it ({settings.pathway_dir.name}/<pathway>/<file>.{language}.yml, AUTHORING.md \"Languages\")"
            )
        return translated_kb(kb, translation, catalogue(edition))

    own = of(settings.edition)
    warnings = translation_problems(kb, translations[language_of(settings.edition)]) if own is not kb else []
    absent: dict[str, frozenset[str]] = {}
    if len(settings.editions) > 1:
        urls, mine = settings.urls, set(plan_site(own, settings).pages)
        for edition in settings.editions:
            theirs = own if edition == settings.edition else of(edition)
            if theirs is not own:  # two English editions hold the same pages
                missing = mine - set(plan_site(theirs, replace(settings, edition=edition)).pages)
                absent[edition] = frozenset(urls.page_url(settings.url_prefix + u) for u in missing)
    return own, warnings, absent


def edition_knowledge_base(kb: KnowledgeBase, settings: Settings) -> KnowledgeBase:
    """The knowledge base as the edition shows it: its text in the edition's spelling (`edition.spelling`). A language
    edition (`es`) is left as it is: `translation.translated_kb` respelt what it shows in English, and only that."""
    if language_of(settings.edition) != DEFAULT_LANGUAGE:
        return kb
    return in_spelling(kb, settings.words.get("edition.spelling"))


def _check_region(kb: KnowledgeBase, settings: Settings) -> None:
    """One line when the site's region is written for another edition: its services are in another country."""
    problem = region_problem(kb, settings)
    if problem is not None:
        raise ConfigError(str(problem))


def render_options(settings: Settings, kb: KnowledgeBase, cache: Cache) -> RenderOptions:
    return RenderOptions(
        today=settings.today,
        site_url=links.prefixed_site_url(settings.site_url, settings.url_prefix),
        site_name=settings.site_name,
        publisher=settings.publisher,
        content_version=settings.content_version,
        urls=settings.urls,
        overrides_dir=settings.custom_dir,
        language=settings.language,
        annotate=cached_annotate(cache, settings.words),
        diagrams=diagram if settings.diagrams else None,
        page_extras=page_extras,
        qr=lambda text, label: cached_qr_svg(cache, text, label),
        url_prefix=settings.url_prefix,
        region=kb.regions.get(settings.region) if settings.region else None,
    )


def _render_pages(
    kb: KnowledgeBase, settings: Settings, options: RenderOptions, cache: Cache, inputs: str, parallel: bool = False
) -> tuple[Renderer, dict[str, str]]:
    """Every generated Markdown page, and the renderer that made them (it makes the exports too, reusing unchanged
    ones as it does pages); the costly parts (QR codes, Graphviz layouts) made side by side first, and with
    `parallel` the node pages on two cores (`build.parallel`)."""
    prefill_qr(cache, qr_jobs(kb, options))
    with diagrams_through(cache):
        if settings.diagrams:
            prefill_layouts(cache, kb, settings.words)
        renderer = (
            IncrementalRenderer(kb, options, cache, digest(inputs, glossary_digest(kb.glossary), repr([kb.scope_at(p) for p in kb.glossary_positions])))
            if cache.root is not None
            else Renderer(kb, options)
        )
        pages = renderer.render_all(render_node_pages(renderer, cache) if parallel else None)
        pages.update(render_code_pages(renderer))
    return renderer, pages


def _publish_files(
    kb: KnowledgeBase, plan: Plan, options: RenderOptions, pages: dict[str, str], renderer: Renderer, cache: Cache
) -> dict[str, bytes]:
    """The files beside the pages: stylesheets, data exports, redirects, scripts, and each overview as an SVG file."""
    assets = css_assets()
    # Each export goes through `Renderer.page` as a page does: an `IncrementalRenderer` hands `make` the knowledge
    # base that records its reads, and reuses the file while nothing it read has changed.
    def exported(uri: str, make: Callable[[KnowledgeBase], str], given: list[str]) -> str:
        def render() -> str:
            return make(renderer.kb)  # the knowledge base that records what it reads, while `page` renders

        return renderer.page(uri, render, given, what="export")

    assets.update(extra_assets(kb, options, exported))
    for pathway in kb.pathways:
        svg_uri = plan.urls.overview_svg_uri(pathway.id)
        if svg_uri in plan.diagrams:
            assets[svg_uri] = cache.text("overview-svg", (pages[links.overview_uri(pathway.id)],), partial(_svg_text, pages[links.overview_uri(pathway.id)])).encode("utf-8")
    return assets


def _svg_text(page: str) -> str:
    return overview_svg_file(page).decode("utf-8")


def diagram_notes(kb: KnowledgeBase) -> list[Problem]:
    """A note for each pathway whose overview is too big to lay out, so it is written as a list only."""
    out = []
    for pathway in kb.pathways:
        why = overview_too_big(kb, pathway)
        if why:
            out.append(Problem(kb.positions[pathway.id], why, "note"))
    return out


def content_problems(
    markdown: str, src_uri: str, kb: KnowledgeBase, path: str, prefix: str = "", words: Words | None = None
) -> tuple[str, list[Problem]]:
    """Resolve `node:` links in a hand-written page (node pages under `prefix`), fill its `{{ routes.<name> }}`
    from the edition's profile (`words`) and show it in the spelling `kb` is shown in; report them, anything it would
    load from another host, any emergency number or route it writes itself and any word of the other spelling."""
    text, problems = resolve_node_links(markdown, src_uri, kb, path, prefix)
    text, unknown = fill_routes(text, words or catalogue(DEFAULT_EDITION), path)
    if kb.spelling is not None and kb.shown_spelling not in (None, kb.spelling):
        text = respell(text, table(kb.spelling, kb.shown_spelling), kept_phrases(kb))
    return text, problems + unknown + foreign_loads(markdown, path) + file_routes(markdown, path) + file_spelling(markdown, path, kb.spelling)


def url_clashes(generated: list[str], content: list[str], docs_name: str, urls: links.Urls = links.DIRECTORY_URLS) -> list[Problem]:
    """Generated pages whose URL a hand-written page already takes, each at that page's file, naming both."""
    taken = {urls.page_url(u): u for u in content if u.endswith(".md")}
    out = []
    for uri in sorted(generated):
        other = taken.get(urls.page_url(uri))
        if other is not None:
            message = f"generated page '{uri}' and the hand-written page '{docs_name}/{other}' both want the URL '/{urls.page_url(uri)}'; rename one"
            out.append(Problem(Position(f"{docs_name}/{other}", 1, 1), message))
    return out


def file_clashes(plan: Plan, content: list[str], docs_name: str, prefix: str = "") -> list[Problem]:
    """Messages for generated files (stylesheets, scripts, data files, overview charts) that a hand-written file at
    the same path (under `prefix`) would be silently replaced by. (Redirects are `alias_clashes`, which names the alias.)"""
    redirects = set(plan.redirects)
    taken = set(content)
    return [
        Problem(
            Position(f"{docs_name}/{prefix}{u}", 1, 1),
            f"generated file '{prefix}{u}' and the hand-written file '{docs_name}/{prefix}{u}' have the same path; rename or move the hand-written one",
        )
        for u in sorted(plan.assets)
        if prefix + u in taken and u not in redirects
    ]


def alias_clashes(
    kb: KnowledgeBase, content: list[str], docs_name: str, urls: links.Urls = links.DIRECTORY_URLS, prefix: str = ""
) -> list[Problem]:
    """Former ids (aliases) whose redirect would land where a hand-written page or file already is: one of the two
    would silently be lost."""
    taken = {urls.page_url(u): u for u in content if u.endswith(".md")}
    taken.update({u: u for u in content if not u.endswith(".md")})
    out = []
    for node_id in sorted(kb.nodes):
        for alias in kb.nodes[node_id].aliases:
            url = urls.page_url(prefix + links.node_uri(alias))
            other = taken.get(url) or taken.get(prefix + urls.redirect_uri(alias))
            if other is not None:
                out.append(
                    Problem(
                        kb.positions[node_id],
                        f"{kb.kind(node_id)} '{node_id}': alias '{alias}' would redirect from '/{url}', the URL of the hand-written "
                        f"'{docs_name}/{other}'; rename that page or drop the alias",
                    )
                )
    return out

