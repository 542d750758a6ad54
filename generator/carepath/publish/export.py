"""The validated graph as versioned JSON, for other tools and for `pathway.json` in the site."""

from __future__ import annotations

import json
from typing import Any

from carepath.model.graph import KnowledgeBase, Pathway

FORMAT = "carepath-pathway"
VERSION = 1


def export_graph(kb: KnowledgeBase, pathway: Pathway | None = None) -> dict[str, Any]:
    """The whole knowledge base, or one pathway and its own nodes (`KnowledgeBase.members`)."""
    ids = sorted(kb.nodes) if pathway is None else sorted(kb.members(pathway.id))
    keep = set(ids)
    nodes = []
    for node_id in ids:
        node = kb.nodes[node_id]
        data = node.model_dump(mode="json", exclude_defaults=False)
        nodes.append({"kind": kb.kind(node_id), **data})
    edges = [
        {"kind": e.kind.value, "source": e.source, "target": e.target}
        for e in kb.edges
        if e.source in keep and e.target in keep
    ]
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if pathway is not None:
        out["pathway"] = pathway.id
    out["nodes"] = nodes
    out["edges"] = edges
    out["glossary"] = _glossary(kb, pathway)
    return out


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
