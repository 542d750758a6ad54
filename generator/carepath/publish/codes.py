"""Clinical codes: a page per code, the code index, the Infobutton lookup page and its map, and `codes.json`.
Pure: no MkDocs, no I/O; every code comes from the nodes, none is made up here.

`codes.json` at the site root: `{"format": "carepath-codes", "version": 1, "systems": {system: {"name", "oid",
"codes": {code: {"display", "page", "pages": [{"id", "title", "url"}]}}}}}`, every URL relative to the site root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carepath import urls as links
from carepath.model.graph import CODE_OIDS, CODE_SYSTEMS, KnowledgeBase
from carepath.publish.search import EXCLUDED
from carepath.render.pages import Renderer
from carepath.urls import pathway_json_uri

CODES_JSON_URI = "codes.json"
CODES_FORMAT = "carepath-codes"
CODES_VERSION = 1
LOOKUP_SCRIPT_URI = "assets/carepath/lookup.js"


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


def code_systems(kb: KnowledgeBase, renderer: Renderer, from_uri: str, entries: list[CodeEntry] | None = None) -> list[dict[str, Any]]:
    """The code index as the `_code_list` partial wants it, with links relative to `from_uri`; `entries` are
    `code_entries(kb)` when the caller has them."""
    systems: dict[str, dict[str, Any]] = {}
    for entry in code_entries(kb) if entries is None else entries:
        system = systems.setdefault(entry.system, {"name": CODE_SYSTEMS[entry.system], "codes": []})
        system["codes"].append(
            {
                "code": entry.code,
                "display": entry.display,
                "href": renderer.options.urls.url_link(from_uri, entry.uri),
                "pages": [renderer.url_link(from_uri, n) for n in entry.node_ids],
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


def lookup_map(kb: KnowledgeBase, urls: links.Urls, entries: list[CodeEntry] | None = None) -> dict[str, dict[str, str]]:
    """OID (and system key) -> lookup key -> where to send the reader, relative to the lookup page.

    A code on one page goes straight to that page; a code on several goes to its code page.
    """
    out: dict[str, dict[str, str]] = {}
    for entry in code_entries(kb) if entries is None else entries:
        target = links.node_uri(entry.node_ids[0]) if len(entry.node_ids) == 1 else entry.uri
        href = urls.url_link(links.LOOKUP_URI, target)
        for key in (CODE_OIDS[entry.system], entry.system):
            out.setdefault(key, {})[lookup_key(entry.code)] = href
    return out


def render_code_pages(renderer: Renderer) -> dict[str, str]:
    """A page per clinical code, the code index and the lookup page."""
    kb, options = renderer.kb, renderer.options
    env = renderer.env
    pages: dict[str, str] = {}
    entries = code_entries(kb)  # once: each list below walks every node
    for entry in entries:
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
    fhir_files = [
        {"text": f"{p.title}: FHIR {v}", "href": links.md_link(links.CODES_URI, links.fhir_json_uri(p.id, v)), "release": v}
        for p in kb.pathways
        for v in links.FHIR_VERSIONS
    ]
    pages[links.CODES_URI] = env.get_template("codes.md.j2").render(
        front_matter={"title": renderer.words.get("codes.title"), "description": renderer.words.get("codes.description"), "search": EXCLUDED},
        systems=code_systems(kb, renderer, links.CODES_URI, entries),
        codes_json_href=links.md_link(links.CODES_URI, CODES_JSON_URI),
        lookup_href=links.md_link(links.CODES_URI, links.LOOKUP_URI),
        data_files=data_files,
        fhir_files=fhir_files,
    )
    example = ""
    if entries:
        example = f"?mainSearchCriteria.v.cs={CODE_OIDS[entries[0].system]}&mainSearchCriteria.v.c={entries[0].code}"
    pages[links.LOOKUP_URI] = env.get_template("lookup.md.j2").render(
        front_matter={
            "title": renderer.words.get("lookup.title"),
            "description": renderer.words.get("lookup.description"),
            "search": EXCLUDED,
        },
        systems=code_systems(kb, renderer, links.LOOKUP_URI, entries),
        oids=[{"name": CODE_SYSTEMS[s], "oid": CODE_OIDS[s]} for s in CODE_SYSTEMS],
        example=example,
        lookup_map=lookup_map(kb, options.urls, entries),
        script_href=options.urls.asset_href(links.LOOKUP_URI, LOOKUP_SCRIPT_URI),
        index_href=links.md_link(links.LOOKUP_URI, links.CODES_URI),
    )
    return pages
