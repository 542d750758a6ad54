"""The sources register and what cites it: unknown, superseded and stale citations, guidance statements, and a
treatment listed as helping a condition its own guidance says not to offer it for. Returns problems; no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from carepath.load import Entry, Loaded
from carepath.model.graph import EdgeKind, KnowledgeBase, Position, Source, Treatment
from carepath.problems import Problem, did_you_mean

STALE_AFTER = dt.timedelta(days=365)
"""A citation confirmed longer ago than this is due to be checked again."""


def build_register(kb: KnowledgeBase, loaded: Loaded) -> list[Problem]:
    """Fill `kb.sources` from every `sources:` section. The register is the site's, one set of ids: the shared
    library holds most of it, and a pathway's team keeps the sources only its pathway cites in its own folder, so
    adding a pathway never edits another team's file. Each id is defined once, wherever it is."""
    problems: list[Problem] = []
    for entry, where in loaded.sources:
        if entry.id in kb.sources:
            problems.append(
                Problem(where, f"source '{entry.id}': duplicate id, already defined at {kb.source_positions[entry.id]}")
            )
            continue
        kb.sources[entry.id] = entry
        kb.source_positions[entry.id] = where
    for source_id, entry in kb.sources.items():
        later = entry.superseded_by
        if later is not None and later not in kb.sources and later not in loaded.broken_ids:
            hint = did_you_mean(later, kb.sources)
            problems.append(
                Problem(
                    kb.source_positions[source_id],
                    f"source '{source_id}': 'superseded_by' names '{later}', which is not in the sources register{hint}",
                )
            )
    return problems


def check_citations(kb: KnowledgeBase, entry_of: Mapping[str, Entry], loaded: Loaded, today: dt.date) -> list[Problem]:
    """Every citation of every node, its contexts and its guidance statements, and the guidance rule."""
    problems: list[Problem] = []
    for node_id, node in sorted(kb.nodes.items()):
        entry = entry_of[node_id]
        who = f"{entry.kind} '{node_id}'"
        cited: list[tuple[str | Source, tuple[str | int, ...]]] = [(s, ("sources", i)) for i, s in enumerate(node.sources)]
        for pathway_id, context in node.contexts.items():
            cited += [(s, ("in", pathway_id, "sources", i)) for i, s in enumerate(context.sources)]
        if isinstance(node, Treatment):  # the decision aids' numbers (validate/decisions.py)
            if node.benefit and node.benefit.source:
                cited.append((node.benefit.source, ("benefit", "source")))
            cited += [(f.source, ("frequency", i, "source")) for i, f in enumerate(node.frequency) if f.source]
        for cite, loc in cited:
            field = ".".join(str(p) for p in loc[:-1])
            problems += _check_cite(kb, loaded, today, who, field, cite, entry.locate(*loc))
        if isinstance(node, Treatment):
            problems += _check_guidance(kb, loaded, today, node, entry, who)
    return problems


def _check_cite(
    kb: KnowledgeBase, loaded: Loaded, today: dt.date, who: str, field: str, cite: str | Source, where: Position
) -> list[Problem]:
    if isinstance(cite, Source):
        if not kb.sources:
            return []  # a site with no register may still cite inline
        message = f"{who}: '{field}' cites '{cite.title}' inline; add it to the sources register and cite its id"
        return [Problem(where, message, "warning")]
    entry = kb.sources.get(cite)
    if entry is None:
        if cite in loaded.broken_ids:
            return []
        hint = did_you_mean(cite, kb.sources)
        return [Problem(where, f"{who}: '{field}' cites '{cite}', which is not in the sources register{hint}")]
    problems = []
    if entry.superseded_by:
        problems.append(
            Problem(
                where,
                f"{who}: '{field}' cites '{cite}', which is superseded by '{entry.superseded_by}'; cite the newer source",
                "warning",
            )
        )
    if today - entry.checked > STALE_AFTER:
        message = (
            f"{who}: '{field}' cites '{cite}', last checked on {entry.checked.isoformat()}, more than a year ago; "
            f"confirm its title, publisher, year and address and update 'checked' at {kb.source_positions[cite]}"
        )
        problems.append(Problem(where, message, "warning"))
    return problems


def _check_guidance(kb: KnowledgeBase, loaded: Loaded, today: dt.date, node: Treatment, entry: Entry, who: str) -> list[Problem]:
    problems: list[Problem] = []
    not_for: dict[str, Position] = {}
    for i, g in enumerate(node.guidance):
        problems += _check_cite(kb, loaded, today, who, f"guidance.{i}.source", g.source, entry.locate("guidance", i, "source"))
        if not g.conditions and not g.situation:
            problems.append(
                Problem(
                    entry.locate("guidance", i),
                    f"{who}: 'guidance.{i}' says neither 'conditions' nor 'situation'; say whom the statement is about",
                )
            )
        for j, ref in enumerate(g.conditions):
            where = entry.locate("guidance", i, "conditions", j)
            target = kb.resolve(ref, node.id)
            if target is None or target not in kb.nodes:
                if ref not in loaded.broken_ids:
                    hint = did_you_mean(ref, [n.id for n in kb.of_kind("condition")])
                    problems.append(
                        Problem(where, f"{who}: 'guidance.{i}.conditions' names '{ref}', which is not a condition{hint}")
                    )
                continue
            if kb.kind(target) != "condition":
                problems.append(
                    Problem(where, f"{who}: 'guidance.{i}.conditions' names {kb.kind(target)} '{target}'; list condition ids")
                )
                continue
            if g.strength == "do-not-offer":
                not_for.setdefault(target, where)
    if not_for:
        problems += _contradictions(kb, node, who, not_for)
    return problems


def _contradictions(kb: KnowledgeBase, node: Treatment, who: str, not_for: dict[str, Position]) -> list[Problem]:
    """A treatment listed as helping a condition (`relevant_to` on either end, a pathway's context's too) that one of
    its own do-not-offer statements names: the page would say both."""
    problems = []
    links = [(e.target, e) for e in kb.out_edges(node.id, EdgeKind.relevant_to)]
    links += [(e.source, e) for e in kb.in_edges(node.id, EdgeKind.relevant_to)]
    seen: set[tuple[str, Position]] = set()
    for condition_id, edge in links:
        statement = not_for.get(condition_id)
        if statement is None or (condition_id, edge.position) in seen:
            continue
        seen.add((condition_id, edge.position))
        where = f"in.{edge.pathway}.relevant_to" if edge.pathway else "relevant_to"
        listed = f"'{where}' of {'this treatment' if edge.source == node.id else f'condition {edge.source!r}'}"
        message = (
            f"{who}: {listed} lists it as relevant to '{condition_id}', but its guidance at {statement} says do not offer it "
            f"for '{condition_id}'; remove the link, or correct the statement"
        )
        problems.append(Problem(edge.position, message))
    return problems
