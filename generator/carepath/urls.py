"""The only place that decides where a page lives and how one page links to another.

A node's page is derived from its id alone, so renaming a kind or moving a node between files never
moves its URL. Pages, diagrams, exports and redirects all ask this module.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin

HOME_URI = "index.md"
"""Generated unless the site's docs_dir has its own `index.md`, which then wins."""
A_TO_Z_URI = "a-z.md"
GLOSSARY_URI = "glossary.md"
PATHWAYS_URI = "pathways.md"
CODES_URI = "code/index.md"
LOOKUP_URI = "lookup.md"


def node_uri(node_id: str) -> str:
    """The `src_uri` (docs-relative Markdown path) of a node's page."""
    return f"{node_id}.md"


def glossary_uri(pathway_id: str | None = None) -> str:
    """The `src_uri` of a glossary page: a pathway's own, beneath the pathway's URL, or the site's (None)."""
    return f"{pathway_id}/{GLOSSARY_URI}" if pathway_id else GLOSSARY_URI


def overview_uri(pathway_id: str) -> str:
    """The `src_uri` of a pathway's clinician overview page, beneath the pathway's own URL."""
    return f"{pathway_id}/overview.md"


def overview_svg_uri(pathway_id: str, use_directory_urls: bool = True) -> str:
    """The standalone SVG of a pathway's overview, in the folder its page's URL ends in, so the chart's
    relative links work the same from the file as from the page."""
    url = page_url(overview_uri(pathway_id), use_directory_urls)
    base = url if url.endswith("/") else posixpath.dirname(url) + "/"
    return base + "overview.svg"


def code_uri(system: str, code: str) -> str:
    """The `src_uri` of the page for one clinical code."""
    return f"code/{system}/{code.lower()}.md"


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The site-relative URL MkDocs gives a page: `rfa.md` -> `rfa/`, `index.md` -> ``."""
    stem, _ = posixpath.splitext(src_uri)
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relpath(path: str, start: str) -> str:
    """`posixpath.relpath(path, start)`, for the site-relative paths this module makes, without its cost.

    `posixpath.relpath` makes both paths absolute against the working folder first; a build computes tens of
    thousands of links, and under `mkdocs serve` every edit computes them again. Two clean relative paths (no empty,
    `.` or `..` part, no leading `/`; a trailing `/` is dropped, as it does) are compared part by part instead;
    anything else is handed to it.
    """
    there = _parts(path)
    here = [] if start == "." else _parts(start)
    if there is None or here is None:
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(there, here):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."


def _parts(path: str) -> list[str] | None:
    """The parts of a clean relative path, or None."""
    parts = path[:-1].split("/") if path.endswith("/") else path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return None
    return parts


def md_link(from_uri: str, to_uri: str, anchor: str = "") -> str:
    """A relative link between two Markdown sources, as MkDocs resolves and validates them."""
    rel = relpath(to_uri, posixpath.dirname(from_uri) or ".")
    return rel + (f"#{anchor}" if anchor else "")


@functools.lru_cache(maxsize=1 << 17)
def url_link(from_uri: str, to_uri: str, anchor: str = "", use_directory_urls: bool = True) -> str:
    """A relative URL between two built pages, for raw HTML and SVG that MkDocs does not rewrite. Remembered: the
    site-wide lists link every page from the same few pages, again at each edit under `mkdocs serve`."""
    here = page_url(from_uri, use_directory_urls)
    there = page_url(to_uri, use_directory_urls)
    base = posixpath.dirname(here.rstrip("/")) if not use_directory_urls else here.rstrip("/")
    rel = relpath(there or ".", base or ".")
    if rel == ".":
        rel = "./"
    elif (there == "" or there.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{anchor}" if anchor else "")


def slugify(text: str) -> str:
    """A URL fragment for free text (glossary terms): lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "term"


def glossary_anchor(term: str) -> str:
    """The `#anchor` of a term on the glossary page."""
    return "term-" + slugify(term)


def canonical_url(site_url: str | None, src_uri: str, use_directory_urls: bool = True) -> str | None:
    """The absolute address of a page, as MkDocs writes it in `<link rel="canonical">`."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, page_url(src_uri, use_directory_urls))


def pathway_json_uri(pathway_id: str) -> str:
    """`pathway.json` sits in the folder of the pathway's page, whatever `use_directory_urls` says."""
    return page_url(node_uri(pathway_id), True) + "pathway.json"


FHIR_VERSIONS = ("R4B", "R5")
"""The FHIR releases a pathway's Bundle is published in (`publish/fhir.py`)."""


def fhir_json_uri(pathway_id: str, version: str) -> str:
    """A pathway's FHIR Bundle sits beside its `pathway.json`: `<pathway>/fhir-r4b.json`, `<pathway>/fhir-r5.json`."""
    return page_url(node_uri(pathway_id), True) + f"fhir-{version.lower()}.json"


def redirect_uri(alias: str, use_directory_urls: bool = True) -> str:
    """The file that answers at a former id's URL."""
    url = page_url(node_uri(alias), use_directory_urls)
    return url + "index.html" if url.endswith("/") else url


def asset_href(from_uri: str, asset_uri: str, use_directory_urls: bool = True) -> str:
    """A relative URL from a built page to a static file, for raw HTML that MkDocs does not rewrite."""
    here = page_url(from_uri, use_directory_urls)
    base = here.rstrip("/") if use_directory_urls else posixpath.dirname(here)
    return relpath(asset_uri, base or ".")


@dataclass(frozen=True)
class Urls:
    """Where the pages of one site live and how they link, by its `use_directory_urls`: built once from the
    settings and handed around, so no caller passes `use_directory_urls` itself. (The functions above take it
    for callers with no site, such as tests.)"""

    use_directory_urls: bool

    def page_url(self, src_uri: str) -> str:
        return page_url(src_uri, self.use_directory_urls)

    def url_link(self, from_uri: str, to_uri: str, anchor: str = "") -> str:
        return url_link(from_uri, to_uri, anchor, self.use_directory_urls)

    def asset_href(self, from_uri: str, asset_uri: str) -> str:
        return asset_href(from_uri, asset_uri, self.use_directory_urls)

    def overview_svg_uri(self, pathway_id: str) -> str:
        return overview_svg_uri(pathway_id, self.use_directory_urls)

    def redirect_uri(self, alias: str) -> str:
        return redirect_uri(alias, self.use_directory_urls)

    def canonical_url(self, site_url: str | None, src_uri: str) -> str | None:
        return canonical_url(site_url, src_uri, self.use_directory_urls)

    def built_file(self, url: str) -> str:
        """The file in the built site that answers at a site-relative page URL."""
        return url + "index.html" if self.use_directory_urls else url


DIRECTORY_URLS = Urls(use_directory_urls=True)
"""MkDocs' default: each page in a folder of its own (`rfa/`)."""


_PREFIX_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def url_prefix(value: str) -> str:
    """The `url_prefix` option as the folder every generated file goes in: `care`, `/care/` -> `care/`.

    `ValueError` names the part that cannot be a folder of the site (`..`, a space, a `?`).
    """
    parts = [p for p in value.strip().split("/") if p]
    for part in parts:
        if not _PREFIX_PART.fullmatch(part):
            raise ValueError(f"url_prefix '{value}': '{part}' cannot be a folder of the site (letters, digits, '.', '-' and '_' only)")
    return "".join(p + "/" for p in parts)


def unprefixed(src_uri: str, prefix: str) -> str | None:
    """The generator's own `src_uri` of a file the plugin put under `prefix`; None when it is not under it."""
    return src_uri[len(prefix) :] if src_uri.startswith(prefix) else None


def prefixed_site_url(site_url: str | None, prefix: str) -> str | None:
    """The address the generated pages live at: the site's own, plus the prefix, so canonical links, QR codes
    and redirects made from it name the prefixed URLs."""
    if not site_url or not prefix:
        return site_url
    return (site_url if site_url.endswith("/") else site_url + "/") + prefix


def edition_href(url: str, here: str, there: str, site_url: str | None = None) -> str:
    """The link from the page at site-relative `url` of the edition in folder `here` (`` or `en-us/`) to the same
    page of the edition in folder `there`: absolute under the site's shared `site_url` when it has one (as
    `hreflang` alternates must be), else relative."""
    target = there + url
    if site_url:
        return (site_url if site_url.endswith("/") else site_url + "/") + target
    current = here + url
    rel = posixpath.relpath(target or ".", current[: current.rfind("/") + 1] or ".")
    if target == "" or target.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return rel
