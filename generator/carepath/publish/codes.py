"""What clinicians link to and print: handouts with a QR code, JSON-LD, redirects for former ids,
clinical-code pages and Infobutton lookup, `codes.json` and `pathway.json`. Pure: no MkDocs, no I/O.

`site.py` calls the four hooks (`page_extras`, `extra_pages`, `extra_assets`, `warnings`); the
`urls` command keeps `published-urls.txt`, the list of every URL the site has ever published.

Published data files:
- `codes.json` at the site root: `{"format": "carepath-codes", "version": 1, "systems": {system:
  {"name", "oid", "codes": {code: {"display", "page", "pages": [{"id", "title", "url"}]}}}}}`, every
  URL relative to the site root.
- `<pathway-id>/pathway.json` beside each pathway's page: `export.export_graph` for that pathway.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from carepath import urls as links
from carepath.model.graph import CODE_OIDS, CODE_SYSTEMS, KnowledgeBase, Position
from carepath.problems import Problem
from carepath.publish.export import dumps, export_graph
from carepath.publish.jsonld import page_jsonld
from carepath.publish.qr import qr_svg
from carepath.publish.search import EXCLUDED, node_search
from carepath.render.pages import Renderer, RenderOptions
from carepath.urls import pathway_json_uri
from carepath.words import Words
from carepath.words import words as catalogue

CODES_JSON_URI = "codes.json"
CODES_FORMAT = "carepath-codes"
CODES_VERSION = 1
LOOKUP_SCRIPT_URI = "assets/carepath/lookup.js"
NO_SITE_URL = "site_url is not set: handouts print without a QR code and pages without a canonical link"
PLACEHOLDER_HOSTS = ("example", "example.com", "example.net", "example.org")
"""Names reserved for examples (RFC 2606): a `site_url` under one of them is a placeholder, not an address."""

# --- node pages: handout and JSON-LD ---

def page_extras(renderer: Renderer, node_id: str, src_uri: str) -> dict[str, Any]:
    """Front matter (`jsonld`, search `tags` and boost) and the print-only handout block: the page's address
    and QR code, its publisher, version and date. The warning signs print with the page itself, at its top
    (the "Get help now" box), so the handout block does not repeat them.

    No `<link rel="alternate">` to `pathway.json`: Material fetches a `sitemap.xml` beside every
    alternate link (for language versions), which 404s. The code index links the data files instead.
    """
    kb, options = renderer.kb, renderer.options
    url = options.urls.canonical_url(options.site_url, src_uri)
    front_matter: dict[str, Any] = {"jsonld": page_jsonld(kb, node_id, url)}
    front_matter.update(node_search(kb, node_id, renderer.words))
    handout = (
        renderer.env.get_template("_handout.md.j2")
        .render(
            url=url or "",
            qr=(options.qr or qr_svg)(*qr_job(url, renderer.words)) if url else "",
            publisher=options.publisher or "",
            version=options.content_version or "",
            date=options.today.isoformat(),
        )
        .strip("\n")
    )
    return {"front_matter": front_matter, "handout": handout}


def qr_job(url: str, words: Words) -> tuple[str, str]:
    """What a handout's QR code is made from: `(text, accessible label)`."""
    return url, words.get("handout.qr_label", url=url)


def qr_jobs(kb: KnowledgeBase, options: RenderOptions) -> list[tuple[str, str]]:
    """The QR codes the handouts of `kb` will ask for, so they can be made ahead, side by side."""
    addresses = (options.urls.canonical_url(options.site_url, links.node_uri(n)) for n in sorted(kb.nodes))
    return [qr_job(url, catalogue(options.language)) for url in addresses if url]


# --- clinical codes ---


@dataclass(frozen=True)
class CodeEntry:
    system: str
    code: str
    display: str | None
    node_ids: tuple[str, ...]
    """Pages carrying the code, by title."""

    @property
    def uri(self) -> str:
        return links.code_uri(self.system, self.code)


def lookup_key(code: str) -> str:
    """How a code is matched in a lookup: case and ICD-10 dots do not matter ('g834' finds 'G83.4')."""
    return code.strip().upper().replace(".", "")


def code_entries(kb: KnowledgeBase) -> list[CodeEntry]:
    """Every code on any node, in code-system order then code order, with the nodes that carry it."""
    found: dict[tuple[str, str], list[str]] = {}
    display: dict[tuple[str, str], str] = {}
    for node_id in sorted(kb.nodes):
        for c in kb.nodes[node_id].codes:
            found.setdefault((c.system, c.code), []).append(node_id)
            if c.display:
                display.setdefault((c.system, c.code), c.display)
    order = list(CODE_SYSTEMS)
    return [
        CodeEntry(system, code, display.get((system, code)), tuple(sorted(ids, key=lambda i: (kb.nodes[i].title.casefold(), i))))
        for (system, code), ids in sorted(found.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))
    ]


def code_systems(kb: KnowledgeBase, renderer: Renderer, from_uri: str) -> list[dict[str, Any]]:
    """The code index as the `_code_list` partial wants it, with links relative to `from_uri`."""
    systems: dict[str, dict[str, Any]] = {}
    for entry in code_entries(kb):
        system = systems.setdefault(entry.system, {"name": CODE_SYSTEMS[entry.system], "codes": []})
        system["codes"].append(
            {
                "code": entry.code,
                "display": entry.display,
                "href": links.md_link(from_uri, entry.uri),
                "pages": [renderer.link(from_uri, n) for n in entry.node_ids],
            }
        )
    return list(systems.values())


def code_label(entry: CodeEntry) -> str:
    return f"{CODE_SYSTEMS[entry.system]} {entry.code}" + (f": {entry.display}" if entry.display else "")


def codes_json(kb: KnowledgeBase, prefix: str = "") -> dict[str, Any]:
    """Every code with its pages, by site-relative URL (under `prefix`, the folder the pages live in)."""
    systems: dict[str, Any] = {}
    for entry in code_entries(kb):
        system = systems.setdefault(
            entry.system, {"name": CODE_SYSTEMS[entry.system], "oid": CODE_OIDS[entry.system], "codes": {}}
        )
        system["codes"][entry.code] = {
            "display": entry.display,
            "page": links.page_url(prefix + entry.uri),
            "pages": [{"id": n, "title": kb.nodes[n].title, "url": links.page_url(prefix + links.node_uri(n))} for n in entry.node_ids],
        }
    return {"format": CODES_FORMAT, "version": CODES_VERSION, "systems": systems}


def lookup_map(kb: KnowledgeBase, urls: links.Urls) -> dict[str, dict[str, str]]:
    """OID (and system key) -> lookup key -> where to send the reader, relative to the lookup page.

    A code on one page goes straight to that page; a code on several goes to its code page.
    """
    out: dict[str, dict[str, str]] = {}
    for entry in code_entries(kb):
        target = links.node_uri(entry.node_ids[0]) if len(entry.node_ids) == 1 else entry.uri
        href = urls.url_link(links.LOOKUP_URI, target)
        for key in (CODE_OIDS[entry.system], entry.system):
            out.setdefault(key, {})[lookup_key(entry.code)] = href
    return out


def render_code_pages(renderer: Renderer) -> dict[str, str]:
    kb, options = renderer.kb, renderer.options
    env = renderer.env
    pages: dict[str, str] = {}
    for entry in code_entries(kb):
        uri = entry.uri

        def render(entry: CodeEntry = entry, uri: str = uri) -> str:
            return env.get_template("code.md.j2").render(
                front_matter={
                    "title": code_label(entry),
                    "description": renderer.words.get("code.description", system=CODE_SYSTEMS[entry.system], code=entry.code),
                    "search": EXCLUDED,
                },
                system_name=CODE_SYSTEMS[entry.system],
                entry=entry,
                pages=[
                    {"link": renderer.link(uri, n), "summary": kb.nodes[n].summary, "kind": kb.type_title(n, renderer.words)}
                    for n in entry.node_ids
                ],
                index_href=links.md_link(uri, links.CODES_URI),
                lookup_href=links.md_link(uri, links.LOOKUP_URI),
            )

        pages[uri] = renderer.page(uri, render, entry.node_ids, repr(entry))
    data_files = [
        {"text": f"{p.title}: pathway.json", "href": links.md_link(links.CODES_URI, pathway_json_uri(p.id))} for p in kb.pathways
    ]
    pages[links.CODES_URI] = env.get_template("codes.md.j2").render(
        front_matter={"title": renderer.words.get("codes.title"), "description": renderer.words.get("codes.description"), "search": EXCLUDED},
        systems=code_systems(kb, renderer, links.CODES_URI),
        codes_json_href=links.md_link(links.CODES_URI, CODES_JSON_URI),
        lookup_href=links.md_link(links.CODES_URI, links.LOOKUP_URI),
        data_files=data_files,
    )
    entries = code_entries(kb)
    example = ""
    if entries:
        example = f"?mainSearchCriteria.v.cs={CODE_OIDS[entries[0].system]}&mainSearchCriteria.v.c={entries[0].code}"
    pages[links.LOOKUP_URI] = env.get_template("lookup.md.j2").render(
        front_matter={
            "title": renderer.words.get("lookup.title"),
            "description": renderer.words.get("lookup.description"),
            "search": EXCLUDED,
        },
        systems=code_systems(kb, renderer, links.LOOKUP_URI),
        oids=[{"name": CODE_SYSTEMS[s], "oid": CODE_OIDS[s]} for s in CODE_SYSTEMS],
        example=example,
        lookup_map=lookup_map(kb, options.urls),
        script_href=options.urls.asset_href(links.LOOKUP_URI, LOOKUP_SCRIPT_URI),
        index_href=links.md_link(links.LOOKUP_URI, links.CODES_URI),
    )
    return pages


# --- redirects for former ids ---

REDIRECT_PAGE = """\
<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{moved}</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="{href}">
<meta http-equiv="refresh" content="0; url={href}">
</head>
<body>
<p>{moved_to}</p>
</body>
</html>
"""


def redirect_pages(kb: KnowledgeBase, urls: links.Urls = links.DIRECTORY_URLS, words: Words | None = None) -> dict[str, bytes]:
    """A static page at each alias's URL sending the reader to the node's page, by relative URL."""
    words = words or catalogue()
    out: dict[str, bytes] = {}
    for node_id in sorted(kb.nodes):
        node = kb.nodes[node_id]
        for alias in node.aliases:
            href = urls.url_link(links.node_uri(alias), links.node_uri(node_id))
            title, href = html.escape(node.title), html.escape(href, quote=True)
            page = REDIRECT_PAGE.format(
                language=words.language,
                moved=words.get("redirect.title", title=title),
                moved_to=words.get("redirect.body", link=f'<a href="{href}">{title}</a>'),
                href=href,
            )
            out[urls.redirect_uri(alias)] = page.encode("utf-8")
    return out


# --- the hooks site.py calls ---


def extra_pages(renderer: Renderer) -> dict[str, str]:
    """A page per clinical code, the code index and the lookup page."""
    return render_code_pages(renderer)


def extra_assets(kb: KnowledgeBase, options: RenderOptions) -> dict[str, bytes]:
    """`codes.json`, each pathway's `pathway.json`, redirect pages and the lookup script."""
    out: dict[str, bytes] = {CODES_JSON_URI: dumps(codes_json(kb, options.url_prefix)).encode("utf-8")}
    for pathway in kb.pathways:
        out[pathway_json_uri(pathway.id)] = dumps(export_graph(kb, pathway)).encode("utf-8")
    out.update(redirect_pages(kb, options.urls, catalogue(options.language)))
    out[LOOKUP_SCRIPT_URI] = resources.files("carepath").joinpath("assets", "lookup.js").read_bytes()
    return out


def is_placeholder(site_url: str) -> bool:
    """Whether `site_url` names an example host (`example.org`, `carepath.example.com`, `x.example`)."""
    host = (urlsplit(site_url).hostname or "").rstrip(".").lower()
    return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)


def placeholder_message(site_url: str) -> str:
    return (
        f"site_url '{site_url}' is a placeholder: handouts would print QR codes and addresses that lead nowhere; "
        "set site_url (or the SITE_URL environment variable) to the address the site is published at"
    )


def warnings(kb: KnowledgeBase, options: RenderOptions) -> list[Problem]:
    """No `site_url` is a note (a local build: no QR codes, no canonical links); a placeholder one is a warning.

    (An alias on a URL the site itself uses is an error in validation.)
    """
    if not options.site_url:
        return [Problem(Position("mkdocs.yml", 1, 1), NO_SITE_URL, "note")]
    if is_placeholder(options.site_url):
        return [Problem(Position("mkdocs.yml", 1, 1), placeholder_message(options.site_url), "warning")]
    return []
