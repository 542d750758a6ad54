"""The validated graph as versioned JSON, for other tools and for `pathway.json` in the site."""

from __future__ import annotations

import json
from typing import Any

from carepath.model.graph import CONTEXT_EDGE_FIELDS, EDGE_FIELDS, KnowledgeBase, Pathway

FORMAT = "carepath-pathway"
VERSION = 2
"""2: each `get_help_if` item is `{text, urgency, route}` (was a string)."""


def export_graph(kb: KnowledgeBase, pathway: Pathway | None = None) -> dict[str, Any]:
    """The whole knowledge base, or one pathway and its own nodes (`KnowledgeBase.members`).

    One pathway's file names only its own nodes, itself and the shared library's: a shared node's references
    into another pathway and the contexts (`in:`) of the other pathways are left out, as their edges are.
    """
    ids = sorted(kb.nodes) if pathway is None else sorted(kb.members(pathway.id))
    keep = set(ids)
    nodes = []
    for node_id in ids:
        data = kb.nodes[node_id].model_dump(mode="json", exclude_defaults=False, by_alias=True)
        if pathway is not None:
            data = _seen_from(kb, pathway.id, data)
        nodes.append({"kind": kb.kind(node_id), **data})
    edges = [
        {"kind": e.kind.value, "source": e.source, "target": e.target, **({"in": e.pathway} if e.pathway else {})}
        for e in kb.edges
        if e.source in keep and e.target in keep and (pathway is None or e.holds_in(pathway.id))
    ]
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if pathway is not None:
        out["pathway"] = pathway.id
    out["nodes"] = nodes
    out["edges"] = edges
    out["glossary"] = _glossary(kb, pathway)
    out["sources"] = _sources(kb, [kb.nodes[i] for i in ids])
    return out


def _sources(kb: KnowledgeBase, nodes: list[Any]) -> list[dict[str, Any]]:
    """The register entries the exported nodes cite by id (their contexts' and guidance statements' too), in the
    register's order, so a reader of the file can resolve every citation."""
    cited: set[str] = set()
    for node in nodes:
        cited.update(s for s in node.sources if isinstance(s, str))
        cited.update(s for c in node.contexts.values() for s in c.sources if isinstance(s, str))
        cited.update(g.source for g in getattr(node, "guidance", []))
    return [entry.model_dump(mode="json") for source_id, entry in kb.sources.items() if source_id in cited]


def _glossary(kb: KnowledgeBase, pathway: Pathway | None) -> list[dict[str, Any]]:
    """A pathway's export: the glossary its pages use, its own entries first. The whole knowledge base: every
    entry. An entry of a pathway's own glossary names the pathway (`"pathway"`)."""
    if pathway is not None:
        listed = kb.page_glossary(pathway.id)
    else:
        listed = [(g, kb.scope_at(where)) for g, where in zip(kb.glossary, kb.glossary_positions)]
    return [{**g.model_dump(mode="json"), **({"pathway": scope} if scope else {})} for g, scope in listed]


def dumps(data: dict[str, Any]) -> str:
    """Stable, byte-reproducible JSON. `ensure_ascii` keeps '</script>' and odd code points inert."""
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=True) + "\n"


def _seen_from(kb: KnowledgeBase, pathway_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A node's data as one pathway's file holds it: its references without another pathway's own nodes, and
    only that pathway's context."""

    def ours(ref: str) -> bool:
        return kb.scope(ref) in (None, pathway_id)

    out: dict[str, Any] = {name: [r for r in value if ours(r)] if name in EDGE_FIELDS else value for name, value in data.items()}
    context: dict[str, Any] | None = data["in"].get(pathway_id)
    out["in"] = {pathway_id: {**context, **{name: [r for r in context[name] if ours(r)] for name in CONTEXT_EDGE_FIELDS}}} if context else {}
    return out
