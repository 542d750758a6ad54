"""Per-pathway context on shared nodes (`in: {<pathway-id>: {note, sources, relevant_to, alternatives}}`): the
edges a context declares, and its rules. Only a shared node has contexts, each for a pathway that uses it; what a context names
resolves in that pathway's namespace (`validate/graph.py` resolves and checks the edges with the others).

Returns problems, never raises for bad input and never reads files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from carepath.load import Entry
from carepath.model.graph import (
    CONTEXT_EDGE_FIELDS,
    EDGE_FIELDS,
    EDGE_TARGETS,
    Edge,
    EdgeKind,
    KnowledgeBase,
    Pathway,
    PathwayContext,
)
from carepath.problems import Problem, did_you_mean, quote


def contexts_of(kb: KnowledgeBase, node_id: str) -> Iterator[tuple[str, PathwayContext]]:
    """A node's contexts that mean something: those of a shared node, each for a pathway of the knowledge base.
    (The others are reported by `context_edges`, once.)"""
    node = kb.nodes[node_id]
    if not node.contexts or not kb.is_shared(node_id):
        return
    for pid, context in node.contexts.items():
        if isinstance(kb.nodes.get(pid), Pathway):
            yield pid, context


def context_edges(kb: KnowledgeBase, entry_of: Mapping[str, Entry]) -> tuple[list[Edge], list[Problem]]:
    """The `relevant_to` and `alternatives` edges every context declares, each marked with its pathway, and the
    problems of `in:` itself: on a node that is not shared, for an id that is no pathway, a field its kind has not."""
    edges: list[Edge] = []
    problems: list[Problem] = []
    pathways = [p.id for p in kb.pathways]
    for node_id, node in sorted(kb.nodes.items()):
        if not node.contexts:
            continue
        entry, kind = entry_of[node_id], kb.kind(node_id)
        who = f"{kind} '{node_id}'"
        if isinstance(node, Pathway):
            problems.append(
                Problem(entry.locate("in", key=True), f"{who}: 'in' is for nodes of the shared library, which several pathways use; a pathway's own words go in its 'body'")
            )
            continue
        if not kb.is_shared(node_id):
            problems.append(
                Problem(
                    entry.locate("in", key=True),
                    f"{who}: 'in' is for nodes of the shared library, which several pathways use; this {kind} is local to pathway "
                    f"{quote(kb.scope(node_id))}, its only pathway: write what its readers need in its own fields",
                )
            )
            continue
        for pid, context in node.contexts.items():
            if pid not in pathways:
                problems.append(
                    Problem(entry.locate("in", pid, key=True), f"{who}: 'in' has a context for {quote(pid)}, which is not the id of a pathway{did_you_mean(pid, pathways)}")
                )
                continue
            for name in CONTEXT_EDGE_FIELDS:
                refs: list[str] = getattr(context, name)
                if refs and (EDGE_FIELDS[name], kind) not in EDGE_TARGETS:
                    problems.append(Problem(entry.locate("in", pid, name, key=True), f"{who}: 'in.{pid}.{name}': {'an' if kind[0] in 'aeiou' else 'a'} {kind} has no {quote(name)} links"))
                    continue
                edges += [Edge(EDGE_FIELDS[name], node_id, target, entry.locate("in", pid, name, j), pathway=pid) for j, target in enumerate(refs)]
    return edges, problems


def check_context_alternatives(kb: KnowledgeBase) -> list[Problem]:
    """An alternative in one pathway's context is that pathway's own treatment or a shared one: its readers are
    offered it as another option, so another pathway's own node (named by its full id) has no place there. A shared
    node's own alternatives are offered to the readers of every pathway that uses it, so none is one pathway's own:
    the others' readers would be sent out of their pathway."""
    problems = []
    for e in kb.edges:
        if e.kind != EdgeKind.alternative_to or e.target not in kb.nodes:
            continue
        home = kb.scope(e.target)
        if e.pathway is None and home is not None and kb.is_shared(e.source):
            problems.append(Problem(e.position, f"{kb.kind(e.source)} '{e.source}': {own_alternative_elsewhere(e.target, home)}"))
        elif e.pathway is not None and home is not None and home != e.pathway:
            problems.append(Problem(e.position, f"{kb.kind(e.source)} '{e.source}': {alternative_elsewhere(e.pathway, e.target, [e.target])}"))
    return problems


def own_alternative_elsewhere(target: str, home: str) -> str:
    """What to say of a shared node's own alternative that is local to pathway `home`."""
    return (
        f"'alternatives' names {quote(target)}, which is local to pathway {quote(home)}; this shared page serves every pathway "
        f"that uses it, and would send the readers of the others out of theirs: list it under 'in.{home}.alternatives'"
    )


def alternative_elsewhere(pathway_id: str, written: str, found: list[str]) -> str:
    """What to say of an alternative in `pathway_id`'s context that is (`found`, full ids) local to other pathways:
    unlike other references, writing its full id would not do."""
    homes = ", ".join(quote(f.split("/", 1)[0]) for f in found)
    return (
        f"'in.{pathway_id}.alternatives' names {quote(written)}, which is local to pathway{'s' if len(found) > 1 else ''} {homes}; "
        f"an alternative for {quote(pathway_id)}'s readers is a treatment of {quote(pathway_id)} or of the shared library"
    )


def check_use(kb: KnowledgeBase, entry_of: Mapping[str, Entry]) -> list[Problem]:
    """A context is for a pathway that uses the node: one for a pathway that does not would never be shown.
    Checked only once the graph is complete: until then, the node that uses it may be the one that failed to load."""
    problems = []
    for node_id in sorted(kb.nodes):
        for pid, _ in contexts_of(kb, node_id):
            if node_id in kb.members(pid):
                continue
            kind = kb.kind(node_id)
            problems.append(
                Problem(
                    entry_of[node_id].locate("in", pid, key=True),
                    f"{kind} '{node_id}': 'in' has a context for pathway {quote(pid)}, which does not use this {kind} "
                    f"(no stage, option, red flag or link of {quote(pid)} leads to it); use it in that pathway, or remove its context",
                )
            )
    return problems
