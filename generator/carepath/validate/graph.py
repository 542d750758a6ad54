"""Graph rules over the loaded nodes: ids, references, edge kinds, cycles, reachability, codes, dates,
the clinical safety rules of `safety.py` and the decision-aid rules of `decisions.py`.

Returns every problem at once; never raises for bad input and never reads files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache, partial

from carepath.load import Entry, Loaded
from carepath.model.graph import (
    CONTEXT_EDGE_FIELDS,
    EDGE_FIELDS,
    EDGE_TARGETS,
    Code,
    Edge,
    EdgeKind,
    KnowledgeBase,
    Position,
    Treatment,
    Urgency,
)
from carepath.model.vocabulary import DEFAULT, TreatmentKind
from carepath.problems import Problem, Suggester, did_you_mean, local_elsewhere, quote
from carepath.text.escape import md_prose
from carepath.urls import glossary_anchor
from carepath.validate.contexts import alternative_elsewhere, check_context_alternatives, check_use, context_edges, contexts_of
from carepath.validate.decisions import check_decision_aids
from carepath.validate.ownership import check_owners
from carepath.validate.regions import check_regions
from carepath.validate.routes import check_literal_routes
from carepath.validate.safety import check_safety
from carepath.validate.sources import build_register, check_citations
from carepath.validate.spelling import check_spelling
from carepath.validate.wording import check_review_words, hidden_control

RESERVED_IDS = frozenset(
    {"assets", "search", "code", "codes", "glossary", "a-z", "index", "404", "sitemap", "stylesheets", "javascripts", "lookup", "print", "pathways"}
)
"""Ids whose URLs the site itself uses."""

RESERVED_SCOPED_IDS = frozenset({"overview", "index", "pathway", "glossary"})
"""Short ids a stage scoped to a pathway may not have: the pathway's folder holds these pages and files."""

LINK_MARKS = ("](", "]:", "![")
"""Without one of these, Markdown text holds no link, reference definition or image to check."""

HIDDEN_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
"""Bidirectional embeddings, overrides and isolates: they make text display in another order than it reads."""


def validate(loaded: Loaded, today: dt.date | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Build the knowledge base from loaded entries and check every graph rule."""
    problems: list[Problem] = list(loaded.problems)
    kb = KnowledgeBase()
    aliases: dict[str, tuple[str, Position]] = {}
    entry_of: dict[str, Entry] = {}

    kb.namespaces = dict(loaded.namespaces)
    scoped: list[Entry] = []
    for entry in loaded.entries:
        node = entry.node
        if entry.scope:
            # A node local to its pathway: its full id (and so its URL) is '<pathway>/<id>'.
            if node.id in RESERVED_SCOPED_IDS:
                problems.append(Problem(entry.position, f"{entry.kind} '{entry.full_id}': the id '{node.id}' is reserved inside a pathway's folder; choose another"))
            node = node.model_copy(update={"id": entry.full_id})
            scoped.append(entry)
        label = f"{entry.kind} '{node.id}'"
        if node.id in kb.nodes:
            first = kb.positions[node.id]
            problems.append(Problem(entry.position, f"{label}: duplicate id, already used by the {kb.kind(node.id)} at {first}"))
            continue
        if node.id in RESERVED_IDS:
            problems.append(Problem(entry.position, f"{label}: the id '{node.id}' is reserved for the site's own pages; choose another"))
        kb.nodes[node.id] = node
        kb.positions[node.id] = entry.position
        entry_of[node.id] = entry
        for name, positions in entry.field_positions.items():
            for target, where in zip(getattr(node, name), positions):
                kb.edges.append(Edge(EDGE_FIELDS[name], node.id, target, where))

    for entry in scoped:
        scope = entry.scope
        if scope in kb.nodes and kb.kind(scope) == "pathway":
            continue
        hint = did_you_mean(str(scope), [p.id for p in kb.pathways])
        problems.append(Problem(entry.locate("pathway"), f"{entry.kind} '{entry.full_id}': 'pathway' is '{scope}', which is not the id of a pathway{hint}"))

    for entry in loaded.entries:
        found = kb.nodes.get(entry.full_id)
        if found is None or entry_of.get(found.id) is not entry:
            continue
        for alias in found.aliases:
            if alias in RESERVED_IDS:
                problems.append(
                    Problem(entry.position, f"{entry.kind} '{found.id}': alias '{alias}' is a URL the site itself uses; no redirect can live there")
                )
            elif alias in kb.nodes:
                problems.append(
                    Problem(entry.position, f"{entry.kind} '{found.id}': alias '{alias}' collides with the id of {kb.kind(alias)} '{alias}' at {kb.positions[alias]}")
                )
            elif alias in aliases:
                other, where = aliases[alias]
                problems.append(Problem(entry.position, f"{entry.kind} '{found.id}': alias '{alias}' is also an alias of '{other}' at {where}"))
            else:
                aliases[alias] = (found.id, entry.position)

    edges, in_problems = context_edges(kb, entry_of)
    kb.edges += edges
    problems += in_problems
    problems += _build_vocabulary(kb, loaded)
    problems += _check_types(kb, entry_of)
    problems += build_register(kb, loaded)

    for term_entry, where in loaded.glossary:
        kb.glossary.append(term_entry)
        kb.glossary_positions.append(where)

    elsewhere, resolve_problems = _resolve_local(kb)
    problems += resolve_problems
    guessed: dict[str, str] = {}
    problems += _check_references(kb, aliases, loaded.broken_ids | elsewhere, guessed)
    # A former id or a typo is reported above, but still means its node: following it avoids a cascade of
    # "unreachable" (one typo, one problem).
    follow = guessed | {alias: target for alias, (target, _) in aliases.items()}
    kb.edges = [replace(e, target=follow[e.target]) if e.target in follow and e.target not in kb.nodes else e for e in kb.edges]
    for pathway in kb.pathways:
        if any(s in follow and s not in kb.nodes for s in pathway.stages):
            stages = [follow[s] if s in follow and s not in kb.nodes else s for s in pathway.stages]
            kb.nodes[pathway.id] = pathway.model_copy(update={"stages": stages})
    kb.edges = [e for e in kb.edges if e.target in kb.nodes]
    kb.index_edges()
    problems += check_context_alternatives(kb)
    cycles = _check_cycles(kb, EdgeKind.escalates_to, "escalation cycle", "escalation must always lead forward")
    problems += cycles
    problems += _check_cycles(kb, EdgeKind.requires, "prerequisite cycle", "nothing could ever be started")
    if not loaded.incomplete:
        # With a node missing, "unreachable" would only guess: the missing node may be the link.
        problems += _check_reachability(kb)
        problems += check_use(kb, entry_of)
        if not cycles:  # a cycle goes backwards somewhere by definition: one message is enough
            problems += _check_stage_order(kb)
        if not kb.pathways and not problems:
            problems.append(Problem(Position(loaded.folder, 1, 1), "no pathway in these files; add one under 'pathways:'"))
    problems += _check_node_links(kb, entry_of, loaded.broken_ids)
    problems += _check_codes(kb, entry_of)
    problems += _check_reviews(kb, entry_of, today or dt.date.today())
    problems += check_citations(kb, entry_of, loaded, today or dt.date.today())
    problems += check_safety(kb, entry_of, graph_complete=not loaded.incomplete)
    problems += check_decision_aids(kb, entry_of)
    problems += _check_glossary(kb)
    problems += check_owners(kb, entry_of)
    problems += _check_text(kb, entry_of, loaded)
    problems += _check_prose(kb, entry_of)
    problems += check_review_words(kb, entry_of, loaded)
    problems += check_literal_routes(kb, entry_of, loaded)
    problems += check_spelling(kb, entry_of, loaded)
    kb.regions, in_regions = check_regions(kb, loaded)
    problems += in_regions
    return kb, problems


def _resolve_local(kb: KnowledgeBase) -> tuple[set[str], list[Problem]]:
    """Point each reference at its node: the pathway's own node first, then the shared library's. A short id
    never reaches into another pathway's folder: such a reference is reported with the full ids it may mean.
    Rewrites the edges and the nodes' reference fields to full ids."""
    short: dict[str, list[str]] = {}
    for full in kb.nodes:
        if "/" in full:
            short.setdefault(full.split("/", 1)[1], []).append(full)
    kb.short_names = short
    if not short:
        return set(), []
    problems = []
    elsewhere: set[str] = set()
    resolved: dict[tuple[str, str | None, str], str] = {}
    edges = []
    for e in kb.edges:
        target = kb.resolve(e.target, e.source, e.pathway) or e.target
        options = kb.choices(e.target, e.source, e.pathway) if target not in kb.nodes else []
        if options:
            if e.kind == EdgeKind.alternative_to and e.pathway:
                problems.append(Problem(e.position, f"{_label(kb, e.source)}: {alternative_elsewhere(e.pathway, e.target, options)}"))
            else:
                problems.append(Problem(e.position, f"{_label(kb, e.source)}: '{_field(e)}' names {local_elsewhere(e.target, options)}"))
            elsewhere.add(e.target)
        resolved[(e.source, e.pathway, e.target)] = target
        edges.append(replace(e, target=target) if target != e.target else e)
    kb.edges = edges
    for node_id, node in list(kb.nodes.items()):
        update: dict[str, object] = {}
        fields = type(node).model_fields  # asking a model for a field it lacks costs far more than this
        for name in EDGE_FIELDS:
            refs = getattr(node, name) if name in fields else None
            if refs and any(resolved.get((node_id, None, r), r) != r for r in refs):
                update[name] = [resolved.get((node_id, None, r), r) for r in refs]
        if any(resolved.get((node_id, pid, r), r) != r for pid, c in node.contexts.items() for name in CONTEXT_EDGE_FIELDS for r in getattr(c, name)):
            update["contexts"] = {
                pid: c.model_copy(update={name: [resolved.get((node_id, pid, r), r) for r in getattr(c, name)] for name in CONTEXT_EDGE_FIELDS})
                for pid, c in node.contexts.items()
            }
        if update:
            kb.nodes[node_id] = node.model_copy(update=update)
    return elsewhere, problems


_FIELD_OF = {kind: name for name, kind in EDGE_FIELDS.items()}


def _field(e: Edge) -> str:
    """The field an edge was written in, as messages name it: 'requires', or 'in.<pathway>.relevant_to' (or
    'in.<pathway>.alternatives') for a context's."""
    return f"in.{e.pathway}.{_FIELD_OF[e.kind]}" if e.pathway else _FIELD_OF[e.kind]


PROSE_FIELDS = ("body", "when_to_move_on", "how_it_helps", "what_to_expect", "relief_duration", "outlook")
"""The Markdown fields of a node, where `node:` links may appear."""


def _prose(kb: KnowledgeBase, node_id: str) -> list[tuple[tuple[str, ...], str, str | None]]:
    """A node's Markdown texts: (where in its entry, text, the pathway its links resolve in). A context's note
    (`in.<pathway>.note`) links like that pathway's own text."""
    node = kb.nodes[node_id]
    fields = type(node).model_fields
    texts: list[tuple[tuple[str, ...], str, str | None]] = [((name,), getattr(node, name) or "", None) for name in PROSE_FIELDS if name in fields]
    texts += [(("in", pid, "note"), context.note, pid) for pid, context in contexts_of(kb, node_id)]
    return [t for t in texts if t[1]]


def _check_node_links(kb: KnowledgeBase, entry_of: dict[str, Entry], broken: set[str]) -> list[Problem]:
    """Every `node:<id>` link in a node's text leads to a node: found here, with the pages' own parser,
    so `check` rejects what the build would. A link to a node whose file failed to load is not reported again."""
    problems = []
    suggest = Suggester(kb.names())
    for node_id in sorted(kb.nodes):
        for loc, text, within in _prose(kb, node_id):
            if "node:" not in text:
                continue
            # Were every link to resolve, the text would be read with the same calls as the last time: only a text
            # with a link that leads nowhere is read again, to report it.
            if all((kb.resolve(t.partition("#")[0], node_id, within) or t.partition("#")[0]) in kb.nodes for t in _node_targets(text)):
                continue
            bad: list[str] = []
            name = ".".join(loc)

            def resolve(target: str, bad: list[str] = bad, node_id: str = node_id, within: str | None = within) -> str | None:
                ident = target.partition("#")[0]
                ident = kb.resolve(ident, node_id, within) or ident
                if ident in kb.nodes or ident in broken:  # a node whose file is unreadable is reported there, once
                    return "#"
                bad.append(ident)
                return None

            md_prose(text, resolve)
            for ident in (b for b in bad if b not in broken):
                where, who = entry_of[node_id].locate(*loc), _label(kb, node_id)
                options = kb.choices(ident, node_id, within)
                if options:
                    problems.append(Problem(where, f"{who}: node link 'node:{ident}' in '{name}' names {local_elsewhere(ident, options, 'node:')}"))
                    continue
                hint = suggest.hint(ident, partial(kb.means, from_id=node_id, within=within))
                problems.append(Problem(where, f"{who}: unknown node link 'node:{ident}' in '{name}'{hint}"))
    return problems


@lru_cache(maxsize=1 << 16)
def _node_targets(text: str) -> tuple[str, ...]:
    """The `node:` link targets of one Markdown text, as `md_prose` hands them to its resolver when each resolves.
    Remembered by text, as `_defused` is."""
    found: list[str] = []

    def note(target: str) -> str:
        found.append(target)
        return "#"

    md_prose(text, note)
    return tuple(found)


def _says_another_level(level: Urgency, label: str) -> Urgency | None:
    """The other urgency level whose default word a relabelled level's label starts with ('Routine' for
    emergency): a site may reword a level, never make it read as another. None when it does not."""
    first = re.split(r"[^\w]+", label.strip().casefold(), maxsplit=1)[0]
    for other, meaning in DEFAULT.urgency.items():
        if other != level and first == meaning.label.casefold():
            return other
    return None


def _build_vocabulary(kb: KnowledgeBase, loaded: Loaded) -> list[Problem]:
    """The default vocabulary plus every file's additions; a word defined twice in one scope is an error.

    Treatment types are the site's wherever they are written. Urgency and edge labels belong to the scope of
    their file: in a pathway's folder they relabel that pathway's pages (`kb.vocabularies`), elsewhere the site's.
    """
    problems = []
    kinds: dict[str, tuple[TreatmentKind, Position]] = {}
    urgency: dict[str | None, dict[Urgency, tuple[str, Position]]] = {}
    edges: dict[str | None, dict[EdgeKind, tuple[tuple[str, str], Position]]] = {}
    spelling_at: Position | None = None
    for section, locate in loaded.vocabularies:
        scope = loaded.scope_at(locate())
        if section.spelling is not None:
            where = locate("spelling")
            if scope is not None:
                problems.append(Problem(where, f"vocabulary: 'spelling' is the whole site's (shared pages serve every pathway): set it in a file of the shared library, not in pathway '{scope}'"))
            elif spelling_at is not None:
                problems.append(Problem(where, f"vocabulary: 'spelling' is already set at {spelling_at}"))
            else:
                kb.spelling, spelling_at = section.spelling, where
        for i, t in enumerate(section.treatment_types):
            where = locate("treatment_types", i, "id")
            if t.id in kinds:
                problems.append(Problem(where, f"vocabulary: treatment type '{t.id}' is already defined at {kinds[t.id][1]}"))
                continue
            kinds[t.id] = (TreatmentKind(t.id, t.label, t.risky, t.schema_org, t.visit), where)
        labels = urgency.setdefault(scope, {})
        for u, label in section.urgency_labels.items():
            where = locate("urgency_labels", u.value)
            if u in labels:
                problems.append(Problem(where, f"vocabulary: urgency label '{u.value}' is already defined at {labels[u][1]}"))
                continue
            said = _says_another_level(u, label)
            if said is not None:
                problems.append(
                    Problem(where, f"vocabulary: urgency label '{u.value}' is {quote(label)}, the word of '{said.value}'; a level's label may reword it, never say another level")
                )
            labels[u] = (label, where)
        arrows = edges.setdefault(scope, {})
        for name, words in section.edge_labels.items():
            where = locate("edge_labels", name)
            kind = EDGE_FIELDS[name]
            if kind in arrows:
                problems.append(Problem(where, f"vocabulary: edge label '{name}' is already defined at {arrows[kind][1]}"))
                continue
            arrows[kind] = ((words.forward, words.backward), where)

    def words_of(scope: str | None) -> tuple[dict[Urgency, str], dict[EdgeKind, tuple[str, str]]]:
        return {u: v for u, (v, _) in urgency.get(scope, {}).items()}, {k: v for k, (v, _) in edges.get(scope, {}).items()}

    kb.vocabulary = DEFAULT.extended([k for k, _ in kinds.values()], *words_of(None))
    for scope in sorted(s for s in urgency.keys() | edges.keys() if s is not None):
        if urgency[scope] or edges[scope]:
            kb.vocabularies[scope] = kb.vocabulary.extended([], *words_of(scope))
    return problems


def _check_types(kb: KnowledgeBase, entry_of: dict[str, Entry]) -> list[Problem]:
    problems = []
    known = kb.vocabulary.treatment_kinds
    for node_id, node in sorted(kb.nodes.items()):
        if isinstance(node, Treatment) and node.type not in known:
            hint = did_you_mean(node.type, known)
            problems.append(
                Problem(
                    entry_of[node_id].locate("type"),
                    f"treatment '{node_id}': 'type' is {quote(node.type)}{hint}; expected one of: {', '.join(known)} "
                    "(or add it under 'vocabulary: treatment_types:')",
                )
            )
    return problems


def _label(kb: KnowledgeBase, node_id: str) -> str:
    return f"{kb.kind(node_id)} '{node_id}'"


def _check_references(
    kb: KnowledgeBase, aliases: dict[str, tuple[str, Position]], broken: set[str], guessed: dict[str, str] | None = None
) -> list[Problem]:
    """`guessed` receives each unknown id that is close to a real one, mapped to it (a typo, most likely)."""
    problems = []
    seen: set[tuple[str, EdgeKind, str, str | None]] = set()
    suggest = Suggester(kb.names())
    for e in kb.edges:
        who = _label(kb, e.source)
        field = _field(e)
        if e.target not in kb.nodes:
            if e.target in broken:
                continue
            if e.target in aliases:
                new = aliases[e.target][0]
                problems.append(Problem(e.position, f"{who}: '{field}' uses the former id '{e.target}'; use '{new}'"))
            else:
                hint = suggest.hint(e.target, partial(kb.means, from_id=e.source, within=e.pathway))
                problems.append(Problem(e.position, f"{who}: unknown reference '{e.target}' in '{field}'{hint}"))
                if hint and guessed is not None:  # a pathway's own stage is named by its short id: follow its full id
                    guessed.setdefault(e.target, kb.resolve(hint.split("'")[1], e.source, e.pathway) or hint.split("'")[1])
            continue
        if e.pathway and (e.source, e.kind, e.target, None) in seen:
            # A context's edges come after the node's own, which hold for every pathway already.
            problems.append(Problem(e.position, f"{who}: '{field}' lists '{e.target}', which '{_FIELD_OF[e.kind]}' already lists for every pathway"))
            continue
        if (e.source, e.kind, e.target, e.pathway) in seen:
            problems.append(Problem(e.position, f"{who}: '{field}' lists '{e.target}' more than once"))
            continue
        seen.add((e.source, e.kind, e.target, e.pathway))
        if e.target == e.source:
            problems.append(Problem(e.position, f"{who}: '{field}' points to itself"))
            continue
        allowed = EDGE_TARGETS[(e.kind, kb.kind(e.source))]
        target_kind = kb.kind(e.target)
        if target_kind not in allowed:
            problems.append(
                Problem(
                    e.position,
                    f"{who}: '{field}' may not point to {target_kind} '{e.target}'; it lists {' or '.join(sorted(allowed))} ids",
                )
            )
    return problems


_BACK_TO_A_STAGE = "(a treatment that sends people back to an earlier stage uses 'returns_to')"
"""AUTHORING.md's rule for going back: a stage only escalates forward; a treatment's `returns_to` goes back."""


def _check_cycles(kb: KnowledgeBase, kind: EdgeKind, what: str, why: str) -> list[Problem]:
    """Report each cycle once, at the edge that closes it; a loop of stages at the edge that leads back to an earlier stage."""
    problems = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(kb.nodes):
        if start in state:
            continue
        path: list[str] = []
        stack: list[tuple[str, list[Edge]]] = [(start, kb.out_edges(start, kind))]
        state[start] = 1
        path.append(start)
        while stack:
            node, edges = stack[-1]
            if not edges:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            edge = edges.pop(0)
            nxt = edge.target
            if nxt == node:
                continue  # a self-reference is reported by the reference check
            if state.get(nxt) == 1:
                loop = [repr(n) for n in path[path.index(nxt):] + [nxt]]
                if len(loop) > 8:  # one line, however long the loop
                    loop = loop[:3] + [f"… ({len(loop) - 6} more)"] + loop[-3:]
                hint, at, source = "", edge, node
                if kind is EdgeKind.escalates_to and kb.kind(node) == "stage" and kb.kind(nxt) == "stage":
                    # A loop of stages goes back to an earlier stage somewhere: report it at that edge, with the rule.
                    hint = f" {_BACK_TO_A_STAGE}"
                    cycle = path[path.index(nxt):] + [nxt]
                    back = _backward_edge(kb, list(itertools.pairwise(cycle)))
                    if back is not None:
                        at, source = back, back.source
                problems.append(Problem(at.position, f"{_label(kb, source)}: {what} {' → '.join(loop)}; {why}{hint}"))
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, kb.out_edges(nxt, kind)))
    return problems


def _backward_edge(kb: KnowledgeBase, steps: list[tuple[str, str]]) -> Edge | None:
    """The first `escalates_to` among `steps` that leads to a stage a pathway lists no later than its source."""
    for pathway in kb.pathways:
        order = {s: i for i, s in enumerate(pathway.stages)}
        for source, target in steps:
            if source in order and target in order and order[target] <= order[source]:
                return next((e for e in kb.out_edges(source, EdgeKind.escalates_to) if e.target == target), None)
    return None


def _check_reachability(kb: KnowledgeBase) -> list[Problem]:
    """Every listed stage is reached from the first; every other node from some pathway's journey.

    Membership follows `KnowledgeBase.members`: a node no pathway owns that is cross-linked from one
    (`relevant_to`) belongs to the pathways that link it, so it is not unreachable.
    """
    problems = []
    reached: set[str] = set()
    for pathway in kb.pathways:
        reached.update(kb.members(pathway.id))
        first = pathway.stages[0]
        got = set(kb.walk(pathway, [pathway.id, first]))
        for edge in kb.out_edges(pathway.id, EdgeKind.includes):
            if edge.target not in got:
                problems.append(
                    Problem(
                        edge.position,
                        f"pathway '{pathway.id}': stage '{edge.target}' cannot be reached from the first stage '{first}' "
                        "(add it to the 'escalates_to' of an earlier stage)",
                    )
                )
    for node_id in sorted(kb.nodes):
        if node_id not in reached and kb.kind(node_id) not in ("pathway", "stage"):
            problems.append(
                Problem(kb.positions[node_id], f"{_label(kb, node_id)}: unreachable: no pathway's journey leads to it (link it from a stage or another node)")
            )
        elif node_id not in reached and kb.kind(node_id) == "stage" and not kb.in_edges(node_id, EdgeKind.includes):
            problems.append(Problem(kb.positions[node_id], f"{_label(kb, node_id)}: unreachable: no pathway lists this stage"))
    return problems


def _check_stage_order(kb: KnowledgeBase) -> list[Problem]:
    """A pathway lists its stages in the order a patient meets them, so escalation only ever goes forward."""
    problems = []
    for pathway in kb.pathways:
        step = {s: i for i, s in enumerate(pathway.stages, 1)}
        for stage_id in pathway.stages:
            for e in kb.out_edges(stage_id, EdgeKind.escalates_to):
                if e.target in step and step[e.target] <= step[stage_id]:
                    problems.append(
                        Problem(
                            e.position,
                            f"stage '{stage_id}': 'escalates_to' leads back from step {step[stage_id]} to step {step[e.target]} "
                            f"'{e.target}' of pathway '{pathway.id}'; list the stages in the order they escalate "
                            f"{_BACK_TO_A_STAGE}",
                        )
                    )
    return problems


# --- clinical codes ---

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_ok(digits: str) -> bool:
    """SNOMED CT identifiers end in a Verhoeff check digit."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def loinc_ok(code: str) -> bool:
    """LOINC codes end in a mod-10 check digit after the hyphen."""
    body, check = code.split("-")
    digits = [int(d) for d in body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return (10 - total % 10) % 10 == int(check)


CODE_RULES: dict[str, tuple[re.Pattern[str], str, Callable[[str], bool] | None]] = {
    "icd10cm": (
        re.compile(r"^[A-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$"),
        "a letter, a digit, a digit (or A or B), then an optional dot and up to 4 more, like 'M54.16'",
        None,
    ),
    "snomedct": (re.compile(r"^[1-9][0-9]{5,17}$"), "6 to 18 digits, like '279039007'", verhoeff_ok),
    "rxnorm": (re.compile(r"^[1-9][0-9]{0,7}$"), "a number of up to 8 digits, like '5640'", None),
    "loinc": (re.compile(r"^[1-9][0-9]{0,5}-[0-9]$"), "digits, a hyphen and a check digit, like '24558-9'", loinc_ok),
}


def code_problem(code: Code) -> str | None:
    pattern, shape, check = CODE_RULES[code.system]
    if not pattern.match(code.code):
        return f"{code.system} code {quote(code.code)} is malformed; expected {shape}"
    if check and not check(code.code):
        return f"{code.system} code {quote(code.code)} fails its check digit"
    return None


def _check_codes(kb: KnowledgeBase, entry_of: dict[str, Entry]) -> list[Problem]:
    problems = []
    for node_id, node in sorted(kb.nodes.items()):
        seen = set()
        for i, code in enumerate(node.codes):
            where = entry_of[node_id].locate("codes", i, "code")
            msg = code_problem(code)
            if msg:
                problems.append(Problem(where, f"{_label(kb, node_id)}: {msg}"))
            if (code.system, code.code) in seen:
                problems.append(Problem(where, f"{_label(kb, node_id)}: {code.system} code {quote(code.code)} is listed twice"))
            seen.add((code.system, code.code))
    return problems


def _check_reviews(kb: KnowledgeBase, entry_of: dict[str, Entry], today: dt.date) -> list[Problem]:
    problems = []
    for node_id, node in sorted(kb.nodes.items()):
        r = node.review
        who = _label(kb, node_id)
        entry = entry_of[node_id]
        if r.last_reviewed and r.next_review and r.next_review < r.last_reviewed:
            problems.append(
                Problem(entry.locate("review", "next_review"), f"{who}: next_review {r.next_review} is before last_reviewed {r.last_reviewed}")
            )
        if r.status == "reviewed" and not (r.reviewer and r.last_reviewed):
            problems.append(
                Problem(entry.locate("review", "status"), f"{who}: status 'reviewed' needs a real 'reviewer' and a 'last_reviewed' date")
            )
        if r.last_reviewed and r.last_reviewed > today:
            problems.append(Problem(entry.locate("review", "last_reviewed"), f"{who}: last_reviewed {r.last_reviewed} is in the future"))
        if r.next_review and r.next_review < today:
            problems.append(Problem(entry.locate("review", "next_review"), f"{who}: due for review since {r.next_review}", "warning"))
    return problems


def _check_glossary(kb: KnowledgeBase) -> list[Problem]:
    """A word is defined once per glossary: the site's, or one pathway's (entries in its folder). Two pathways may
    each define it, and a pathway may redefine a site term for its own pages (`KnowledgeBase.page_glossary`)."""
    problems = []
    scopes: dict[str | None, tuple[dict[str, Position], dict[str, tuple[str, Position]]]] = {}
    for entry, where in zip(kb.glossary, kb.glossary_positions):
        seen, anchors = scopes.setdefault(kb.scope_at(where), ({}, {}))
        mine: set[str] = set()
        term_reported = entry.term.casefold() in seen
        for word in [entry.term, *entry.also, *([entry.abbreviation] if entry.abbreviation else [])]:
            key = word.casefold()
            if key in mine:
                continue  # an abbreviation may equal its term ('MRI'); only other entries clash
            mine.add(key)
            if key in seen:
                problems.append(Problem(where, f"glossary entry {quote(entry.term)}: {quote(word)} is already defined at {seen[key]}"))
            else:
                seen[key] = where
        anchor = glossary_anchor(entry.term)
        if anchor in anchors and not term_reported:
            other, at = anchors[anchor]
            problems.append(
                Problem(
                    where,
                    f"glossary entry {quote(entry.term)}: its link '#{anchor}' is the same as that of {quote(other)} at {at}; "
                    "terms must differ in more than punctuation, case or accents",
                )
            )
        anchors.setdefault(anchor, (entry.term, where))
    return problems


def _check_text(kb: KnowledgeBase, entry_of: dict[str, Entry], loaded: Loaded) -> list[Problem]:
    """Control characters and bidirectional overrides: invisible, they make a title or label read differently."""
    problems = []
    for node_id, node in sorted(kb.nodes.items()):
        for loc, text in _strings(node.model_dump(mode="json", by_alias=True)):
            bad = hidden_control(text)
            if bad:
                name = ".".join(str(p) for p in loc)
                problems.append(Problem(entry_of[node_id].locate(*loc), f"{_label(kb, node_id)}: '{name}' {bad}"))
    for term, where in loaded.glossary:
        for loc, text in _strings(term.model_dump(mode="json")):
            bad = hidden_control(text)
            if bad:
                name = ".".join(str(p) for p in loc)
                problems.append(Problem(where, f"glossary entry {quote(term.term)}: '{name}' {bad}"))
    return problems


def _strings(value: object, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(loc, value)]
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _strings(v, loc + (k,))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _strings(v, loc + (i,))]
    return []


def _check_prose(kb: KnowledgeBase, entry_of: dict[str, Entry]) -> list[Problem]:
    """What the build would defuse in Markdown fields: link targets with an unsafe scheme, images from elsewhere.
    (`node:` links are `_check_node_links`'.)"""
    problems = []
    for node_id in sorted(kb.nodes):
        for loc, text, _ in _prose(kb, node_id):
            if not any(mark in text for mark in LINK_MARKS):
                continue
            problems += [Problem(entry_of[node_id].locate(*loc), f"{_label(kb, node_id)}: '{'.'.join(loc)}': {message}") for message in _defused(text)]
    return problems


@lru_cache(maxsize=1 << 16)
def _defused(text: str) -> tuple[str, ...]:
    """What the build would defuse in one Markdown text. Remembered by text: under `mkdocs serve` every text is
    checked again after each edit, and almost all are the same."""
    found: list[str] = []
    md_prose(text, lambda target: "#", found)
    return tuple(found)


def counts(kb: KnowledgeBase) -> tuple[dict[str, int], dict[str, int]]:
    """Node counts per kind and edge counts per kind, for the one-line summary."""
    nodes: dict[str, int] = {}
    for node_id in kb.nodes:
        k = kb.kind(node_id)
        nodes[k] = nodes.get(k, 0) + 1
    edges: dict[str, int] = {}
    for e in kb.edges:
        edges[e.kind.value] = edges.get(e.kind.value, 0) + 1
    return nodes, edges
