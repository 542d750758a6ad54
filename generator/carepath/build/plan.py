"""The plan of the site's outputs: every generated page, static file, redirect and data file, and its URL.

Listed from the knowledge base and the settings alone, before anything is rendered, so `check`, the plugin,
`render` and `urls` ask one list which pages exist instead of each keeping its own. Reads and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from carepath import urls as links
from carepath.diagram.overview import overview_too_big
from carepath.model.graph import KnowledgeBase
from carepath.publish.codes import CODES_JSON_URI, LOOKUP_SCRIPT_URI, code_entries
from carepath.render.pages import in_nav, pathway_glossaries
from carepath.settings import Settings

ASSET_DIR = "assets/carepath"
"""Where the generator's own CSS lands in the built site."""


@dataclass(frozen=True)
class Plan:
    pages: tuple[str, ...]
    """`src_uri` of every page the generator writes (the home page too: a hand-written one replaces it)."""
    stylesheets: tuple[str, ...]
    """The generator's CSS, added to the theme's `extra_css`."""
    scripts: tuple[str, ...]
    exports: tuple[str, ...]
    """Data files: `codes.json` and each pathway's `pathway.json` and FHIR Bundles."""
    diagrams: tuple[str, ...]
    """Standalone SVG of each pathway overview that is drawn as a chart."""
    redirects: dict[str, str]
    """A static page at each former id's URL, by file, to the id of the node it sends readers to."""
    in_nav: frozenset[str]
    """Generated pages the nav lists."""
    urls: links.Urls

    @property
    def assets(self) -> tuple[str, ...]:
        """Every file that is no Markdown page, by `src_uri`."""
        return (*self.stylesheets, *self.exports, *self.redirects, *self.scripts, *self.diagrams)

    def generated(self, content: Iterable[str]) -> list[str]:
        """The generated pages that go into the site beside the hand-written `content`: all but the home
        page when the site writes its own."""
        replaced = {links.HOME_URI} & set(content)
        return [u for u in self.pages if u not in replaced]

    def published_urls(self, content: Iterable[str] = ()) -> list[str]:
        """Root-relative URLs of every page, redirect and data file the site publishes, beside the hand-written
        `content` (its pages, and its HTML and JSON files): what the published-URL manifest keeps."""
        files = [*content]
        urls = {"/" + self.urls.page_url(u) for u in [*self.pages, *files] if u.endswith(".md")}
        for uri in [*self.assets, *files]:
            if uri.endswith(".html"):
                urls.add("/" + uri.removesuffix("index.html"))
            elif uri.endswith(".json"):
                urls.add("/" + uri)
        return sorted(urls)


def stylesheet_files() -> dict[str, Traversable]:
    """The packaged stylesheets by the `src_uri` they are published at."""
    folder = resources.files("carepath").joinpath("assets")
    return {f"{ASSET_DIR}/{item.name}": item for item in sorted(folder.iterdir(), key=lambda p: p.name) if item.name.endswith(".css")}


def plan_site(kb: KnowledgeBase, settings: Settings) -> Plan:
    """Every output of a site built from `kb` with `settings`, in the order the build writes them."""
    urls = settings.urls
    pages = [links.node_uri(n) for n in sorted(kb.nodes)]
    if settings.diagrams:
        pages += [links.overview_uri(p.id) for p in kb.pathways]
    pages += [links.PATHWAYS_URI, links.HOME_URI, links.A_TO_Z_URI, links.GLOSSARY_URI]
    pages += [links.glossary_uri(p.id) for p in pathway_glossaries(kb)]
    pages += [entry.uri for entry in code_entries(kb)]
    pages += [links.CODES_URI, links.LOOKUP_URI]
    redirects = {
        urls.redirect_uri(alias): node_id for node_id in sorted(kb.nodes) for alias in kb.nodes[node_id].aliases
    }
    drawn = [p for p in kb.pathways if settings.diagrams and overview_too_big(kb, p) is None]
    nav = in_nav(kb, settings.nav_max_pathways) | {links.CODES_URI, links.HOME_URI}
    return Plan(
        pages=tuple(pages),
        stylesheets=tuple(stylesheet_files()),
        scripts=(LOOKUP_SCRIPT_URI,),
        exports=(
            CODES_JSON_URI,
            *(u for p in kb.pathways for u in (links.pathway_json_uri(p.id), *(links.fhir_json_uri(p.id, v) for v in links.FHIR_VERSIONS))),
        ),
        diagrams=tuple(urls.overview_svg_uri(p.id) for p in drawn),
        redirects=redirects,
        in_nav=frozenset(nav),
        urls=urls,
    )
