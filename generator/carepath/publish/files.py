"""The data files published beside the pages: `codes.json`, each pathway's `pathway.json` (`export.export_graph`
for that pathway, beside its page) and FHIR Bundles (`fhir.export_fhir`, R4B and R5), the redirect pages and the
lookup script. Bytes out; writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import resources

from carepath.model.graph import KnowledgeBase, Pathway
from carepath.publish.codes import CODES_JSON_URI, LOOKUP_SCRIPT_URI, codes_json
from carepath.publish.export import dumps, export_graph
from carepath.publish.fhir import FhirOptions, canonical_base, export_fhir
from carepath.publish.redirects import redirect_pages
from carepath.render.pages import RenderOptions
from carepath.urls import FHIR_VERSIONS, fhir_json_uri, pathway_json_uri
from carepath.words import words as catalogue

Exported = Callable[[str, Callable[[KnowledgeBase], str], list[str]], str]
"""How one pathway's export is made: `(src_uri, make, given)` -> its text, where `make(kb)` writes it from the
knowledge base it is handed and `given` names the nodes it uses without a lookup. `Renderer.export` reuses an
unchanged one while nothing it read has changed (`build.incremental`)."""


def _graph_json(kb: KnowledgeBase, pathway: Pathway) -> str:
    return dumps(export_graph(kb, pathway))


def _fhir_json(kb: KnowledgeBase, pathway: Pathway, options: FhirOptions) -> str:
    return dumps(export_fhir(kb, pathway, options))


def extra_assets(kb: KnowledgeBase, options: RenderOptions, exported: Exported | None = None) -> dict[str, bytes]:
    """`codes.json`, each pathway's `pathway.json` and FHIR Bundles, redirect pages and the lookup script. A build
    without `site_url` gives the Bundles the placeholder base (`fhir.PLACEHOLDER_BASE`), as its pages have no
    canonical links."""

    def export(uri: str, make: Callable[[KnowledgeBase], str], given: list[str]) -> str:
        return exported(uri, make, given) if exported else make(kb)

    out: dict[str, bytes] = {CODES_JSON_URI: dumps(codes_json(kb, options.url_prefix)).encode("utf-8")}
    for pathway in kb.pathways:
        out[pathway_json_uri(pathway.id)] = export(pathway_json_uri(pathway.id), partial(_graph_json, pathway=pathway), [pathway.id]).encode("utf-8")
        for version in FHIR_VERSIONS:
            fhir = FhirOptions(canonical_base(options.site_url), version, options.content_version, options.publisher, options.language)
            uri = fhir_json_uri(pathway.id, version)
            out[uri] = export(uri, partial(_fhir_json, pathway=pathway, options=fhir), [pathway.id]).encode("utf-8")
    out.update(redirect_pages(kb, options.urls, catalogue(options.language)))
    out[LOOKUP_SCRIPT_URI] = resources.files("carepath").joinpath("assets", "lookup.js").read_bytes()
    return out
