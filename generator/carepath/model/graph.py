"""The knowledge base: every node by id, the edges between them, and the graph queries pages and checks share
(a pathway's members, its journey, each node's placements). Built once by validation; no I/O.

The node models are in `nodes.py` and the table of node kinds in `kinds.py`; both are re-exported here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from carepath.model.kinds import EDGE_TARGETS, KINDS, Kind
from carepath.model.nodes import (
    CODE_OIDS,
    CODE_SYSTEMS,
    CONTEXT_EDGE_FIELDS,
    EDGE_FIELDS,
    REF_PATTERN,
    SLUG_PATTERN,
    UNGRADED_URGENCY,
    URGENCY_ORDER,
    Code,
    Condition,
    EdgeLabelDef,
    GetHelpItem,
    GlossaryEntry,
    Guidance,
    Indicator,
    Node,
    NodeBase,
    Owner,
    Pathway,
    PathwayContext,
    PathwayFile,
    Ref,
    Review,
    Slug,
    Source,
    SourceEntry,
    Stage,
    Treatment,
    TreatmentTypeDef,
    VocabularySection,
)
from carepath.model.values import EdgeKind, Route, Urgency
from carepath.model.vocabulary import DEFAULT as DEFAULT_VOCABULARY
from carepath.model.vocabulary import TreatmentKind, Vocabulary
from carepath.words import Words

if TYPE_CHECKING:
    from carepath.model.regions import Region

__all__ = [
    "CODE_OIDS",
    "CODE_SYSTEMS",
    "CONTEXT_EDGE_FIELDS",
    "EDGE_FIELDS",
    "EDGE_TARGETS",
    "KINDS",
    "MEMBER_EDGES",
    "REF_PATTERN",
    "SLUG_PATTERN",
    "UNGRADED_URGENCY",
    "URGENCY_ORDER",
    "Code",
    "Condition",
    "Edge",
    "EdgeKind",
    "EdgeLabelDef",
    "GetHelpItem",
    "GlossaryEntry",
    "Guidance",
    "Indicator",
    "Kind",
    "KnowledgeBase",
    "Node",
    "NodeBase",
    "Owner",
    "Pathway",
    "PathwayContext",
    "PathwayFile",
    "Placement",
    "Position",
    "Ref",
    "Review",
    "Route",
    "Slug",
    "Source",
    "SourceEntry",
    "Stage",
    "Treatment",
    "TreatmentTypeDef",
    "Urgency",
    "VocabularySection",
    "folder_of",
    "namespace_at",
]


@dataclass(frozen=True)
class Position:
    """Where a value came from: a file path relative to the pathway dir's parent, 1-based line/col."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def folder_of(path: str) -> str | None:
    """The first-level folder under the pathway folder that a file is in ('pathway/knee-pain'); None for a file at
    its top. (Paths are relative to the pathway folder's parent.)"""
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else None


def namespace_at(namespaces: dict[str, str], position: Position) -> str | None:
    """The pathway whose folder (in `namespaces`, folder -> pathway id) holds the file of `position`; None for the
    shared library. The one rule the loader, the checks and the pages all use."""
    folder = folder_of(position.path)
    return namespaces.get(folder) if folder else None


@dataclass(frozen=True)
class Edge:
    kind: EdgeKind
    source: str
    target: str
    position: Position
    pathway: str | None = None
    """The pathway whose context (`in:`) on a shared node declared this edge: it holds for that pathway's readers
    only. None for the node's own edges."""

    def holds_in(self, pathway_id: str | None) -> bool:
        """Whether the edge is part of `pathway_id`'s view of the graph: a node's own edges hold in every pathway."""
        return self.pathway is None or self.pathway == pathway_id


MEMBER_EDGES = frozenset({EdgeKind.offers, EdgeKind.flags, EdgeKind.escalates_to, EdgeKind.requires, EdgeKind.refers_to, EdgeKind.returns_to})
"""The edges that make a node part of a pathway. `relevant_to` is a cross-reference and never does:
following it from a shared node would walk into every other pathway that shares a condition."""

@dataclass(frozen=True)
class Placement:
    """One place a node has on one pathway's journey: the pathway, the stage that offers it, its step.

    A node shared by several pathways has one placement in each; pages show all of them.
    """

    pathway: Pathway
    stage: Stage | None
    step: int
    """1-based position of `stage` in the pathway's stages; 0 when the node sits on no stage."""
    order: tuple[str, ...]
    """The pathway's pages in reading order (`KnowledgeBase.journey`)."""


@dataclass
class KnowledgeBase:
    """The whole validated graph: every node by id, every edge, the glossary, and where each came from."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    positions: dict[str, Position] = field(default_factory=dict)
    """Node id -> position of its `id` value."""
    glossary_positions: list[Position] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=lambda: DEFAULT_VOCABULARY)
    """The default vocabulary with the site's additions (`vocabulary:` in the YAML): what shared pages speak."""
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    """A pathway's id -> the site's vocabulary with the labels its own folder sets (`vocabulary:` there); only
    for the pathways that set some. Treatment types are the site's everywhere."""
    short_names: dict[str, list[str]] = field(default_factory=dict)
    """Short id -> the full ids ('<pathway>/<id>') of the nodes local to a pathway that have it."""
    namespaces: dict[str, str] = field(default_factory=dict)
    """A pathway's folder ('pathway/knee-pain') -> the pathway's id: the nodes in its files are local to it."""
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    """The sources register: id -> entry. Nodes and guidance statements cite these ids."""
    source_positions: dict[str, Position] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    """Region id -> what its overlay (`pathway/regions/<id>/`) adds to nodes' pages; a build shows at most one."""
    spelling: str | None = None
    """The spelling its text is written in, `british` or `american` (`vocabulary: spelling:`); None when the site
    does not say, and then no edition respells it."""
    shown_spelling: str | None = None
    """The spelling its text now reads, once an edition that reads the other has respelt it
    (`text.spelling.in_spelling`); None while it is as written."""
    language: str = "en"
    """The language of every text in it: `en` as loaded; another for a language edition's copy (`translation.py`)."""
    untranslated: dict[str, frozenset[tuple[str | int, ...]]] = field(default_factory=dict)
    """In a language edition's copy: node id -> the texts of it shown in English (untranslated or stale)."""
    translation_draft: bool = False
    """In a language edition's copy: the translation awaits review (`status: draft`), which every page says."""

    def __post_init__(self) -> None:
        self._page_glossaries: dict[str | None, list[tuple[GlossaryEntry, str | None]]] = {}

    def scope(self, node_id: str) -> str | None:
        """The pathway whose own nodes a node's short references reach: its own id, or the pathway it is local to."""
        node = self.nodes.get(node_id)
        if isinstance(node, Pathway):
            return node.id
        if "/" in node_id:
            return node_id.split("/", 1)[0]
        return None

    def scope_at(self, position: Position) -> str | None:
        """The pathway whose folder holds the file of `position`; None for the shared library."""
        return namespace_at(self.namespaces, position)

    def is_shared(self, node_id: str) -> bool:
        """A node of the shared library: any pathway may use it."""
        return "/" not in node_id and not isinstance(self.nodes.get(node_id), Pathway)

    # --- what belongs to one pathway: its owner, its words, its glossary ---

    def owner_of(self, scope: str | None) -> Owner | None:
        """Who answers for the pages of pathway `scope` (`kb.scope(page)`); None: the site's publisher."""
        pathway = self.nodes.get(scope) if scope else None
        return pathway.owner if isinstance(pathway, Pathway) else None

    def vocabulary_of(self, scope: str | None) -> Vocabulary:
        """The words on the pages of pathway `scope`: its own labels over the site's; the site's for None."""
        return self.vocabularies.get(scope, self.vocabulary) if scope else self.vocabulary

    def glossary_of(self, scope: str | None) -> list[GlossaryEntry]:
        """The entries of one glossary, in the order written: a pathway's own (written in its folder), or for
        None the site glossary (the shared library and the files at the top of `pathway/`)."""
        return [entry for entry, where in zip(self.glossary, self.glossary_positions) if self.scope_at(where) == scope]

    def page_glossary(self, scope: str | None) -> list[tuple[GlossaryEntry, str | None]]:
        """The glossary the pages of pathway `scope` use, each entry with the glossary that lists it (its pathway's,
        or None for the site's): the pathway's own entries first, then the site's entries that none of them
        redefines (by term, `also` form or abbreviation). A shared page (None) uses the site glossary alone."""
        found = self._page_glossaries.get(scope)
        if found is None:
            own = [(entry, scope) for entry in self.glossary_of(scope)] if scope else []
            taken = {form for entry, _ in own for form in _forms(entry)}
            found = own + [(entry, None) for entry in self.glossary_of(None) if taken.isdisjoint(_forms(entry))]
            self._page_glossaries[scope] = found
        return found


    def resolve(self, ref: str, from_id: str, within: str | None = None) -> str | None:
        """The full id a reference written on node `from_id` means.

        A full id ('knee/self-care') means itself. A short id means the node of that name local to the
        writer's pathway, else the shared node of that name: it never reaches into another pathway's folder.
        `within`: the pathway whose context (`in:`) on a shared node the reference is written in; it resolves
        as that pathway's own references do.
        Only from a hand-written page (`from_id` "") does a short id find the one pathway's node of that name;
        None when several have it. An unknown reference comes back unchanged for the reference check to report.
        """
        if "/" in ref:
            return ref
        scope = within or self.scope(from_id)
        if scope and f"{scope}/{ref}" in self.nodes:
            return f"{scope}/{ref}"
        if ref in self.nodes or ref not in self.short_names or from_id:
            return ref
        return self.short_names[ref][0] if len(self.short_names[ref]) == 1 else None

    def choices(self, ref: str, from_id: str, within: str | None = None) -> list[str]:
        """The full ids a short reference that leads nowhere from `from_id` may have meant: other pathways' nodes of that name."""
        if "/" in ref or ref not in self.short_names or self.resolve(ref, from_id, within) in self.nodes:
            return []
        return sorted(self.short_names[ref])

    def names(self) -> list[str]:
        """Every way a reference may name a node: its full id, and a local node's short id."""
        return [*self.nodes, *(s for s in self.short_names if s not in self.nodes)]

    def means(self, name: str, from_id: str, within: str | None = None) -> bool:
        """Whether `name`, written on `from_id`, leads to one node: a suggestion must be something that works there."""
        return self.resolve(name, from_id, within) in self.nodes

    def kind(self, node_id: str) -> str:
        """The name of a node's kind: 'treatment'."""
        return KINDS.of(self.nodes[node_id]).name

    def kind_of(self, node_id: str) -> Kind:
        """A node's row in the table of kinds."""
        return KINDS.of(self.nodes[node_id])

    def of_kind(self, kind: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if KINDS.of(n).name == kind), key=lambda n: n.id)

    def treatment_kind(self, node_id: str) -> TreatmentKind | None:
        """A node's type from the vocabulary, for the nodes that have one (treatments): it names them more
        exactly than their kind does, and gives their schema.org type."""
        node = self.nodes[node_id]
        return self.vocabulary.treatment_kinds[node.type] if isinstance(node, Treatment) else None

    def type_title(self, node_id: str, catalogue: Words | None = None) -> str:
        """What a node is, in a patient's words: its type ('Injection') if it has one, else its kind ('Warning sign')."""
        typed = self.treatment_kind(node_id)
        return typed.label if typed else self.kind_of(node_id).title(catalogue)

    @property
    def pathways(self) -> list[Pathway]:
        return [n for n in self.of_kind("pathway") if isinstance(n, Pathway)]

    def out_edges(self, node_id: str, kind: EdgeKind | None = None) -> list[Edge]:
        return [e for e in self._out.get(node_id, ()) if kind is None or e.kind == kind]

    def in_edges(self, node_id: str, kind: EdgeKind | None = None) -> list[Edge]:
        return [e for e in self._in.get(node_id, ()) if kind is None or e.kind == kind]

    def index_edges(self) -> None:
        """Build the adjacency maps; called once after the edges are final."""
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        for e in self.edges:
            self._out.setdefault(e.source, []).append(e)
            self._in.setdefault(e.target, []).append(e)
        self._members: dict[str, list[str]] = {}
        self._journeys: dict[str, tuple[str, ...]] = {}
        self._placements: dict[str, list[Placement]] | None = None
        self._page_glossaries = {}

    # --- graph queries, each computed once ---

    def walk(self, pathway: Pathway, starts: list[str]) -> list[str]:
        """Node ids reached from `starts` along the pathway's own edges, in breadth-first order.

        Only `MEMBER_EDGES` are followed, and never into a stage the pathway does not list nor into another
        pathway's own node: an edge into another pathway is a cross-link, not part of this journey.
        """
        listed = set(pathway.stages)
        order: list[str] = []
        seen = set(starts)
        queue = deque(starts)
        while queue:
            node = queue.popleft()
            order.append(node)
            for e in self._out.get(node, ()):
                if e.kind not in MEMBER_EDGES or e.target in seen:
                    continue
                if e.target not in listed and (isinstance(self.nodes[e.target], (Stage, Pathway)) or self.scope(e.target) not in (None, pathway.id)):
                    continue
                seen.add(e.target)
                queue.append(e.target)
        return order

    def members(self, pathway_id: str) -> list[str]:
        """A pathway's own nodes, in breadth-first order.

        Its own: itself, its stages, their options and red flags, and what those lead to along
        `MEMBER_EDGES`. Then the nodes no pathway owns that its nodes cross-link to (a condition named
        only by a red flag's `relevant_to`, say): they join every pathway that links them. A node another
        pathway owns, or is local to, never joins through a cross-link; nor does a link written in another
        pathway's context (`in:`) on a shared node.
        """
        if not self._members:
            core: dict[str, list[str]] = {}
            for pathway in self.pathways:
                starts = [pathway.id, *(s for s in pathway.stages if s in self.nodes)]
                core[pathway.id] = self.walk(pathway, list(dict.fromkeys(starts)))
            owned = {n for nodes in core.values() for n in nodes}
            for pid, nodes in core.items():
                order = list(nodes)
                seen = set(order)
                queue = deque(order)
                while queue:
                    for e in self._out.get(queue.popleft(), ()):
                        if e.kind == EdgeKind.includes or not e.holds_in(pid) or self.scope(e.target) not in (None, pid):
                            continue
                        if e.target not in owned and e.target not in seen:
                            seen.add(e.target)
                            order.append(e.target)
                            queue.append(e.target)
                self._members[pid] = order
        return self._members[pathway_id]

    def journey(self, pathway_id: str) -> tuple[str, ...]:
        """A pathway's pages in reading order: home, each stage followed by its options, then the rest."""
        if pathway_id not in self._journeys:
            pathway = self.nodes[pathway_id]
            assert isinstance(pathway, Pathway)
            members = self.members(pathway_id)
            order: list[str] = [pathway_id]
            seen = {pathway_id}
            for stage_id in pathway.stages:
                for node_id in [stage_id] + [e.target for e in self.out_edges(stage_id, EdgeKind.offers)]:
                    if node_id not in seen:
                        seen.add(node_id)
                        order.append(node_id)
            rest = [n for n in members if n not in seen]
            rest.sort(key=lambda n: (KINDS.rank(self.kind(n)), self.nodes[n].title.casefold(), n))
            self._journeys[pathway_id] = tuple(order + rest)
        return self._journeys[pathway_id]

    def pathways_sorted(self) -> list[Pathway]:
        """Pathways by title, then id: the order every list of pathways uses, so placement never depends on ids."""
        return sorted(self.pathways, key=lambda p: (p.title.casefold(), p.id))

    def placements(self, node_id: str) -> list[Placement]:
        """Every place a node has: one per pathway it is a member of, in `pathways_sorted` order."""
        if self._placements is None:
            found: dict[str, list[Placement]] = {}
            for pathway in self.pathways_sorted():
                order = self.journey(pathway.id)
                stage_of: dict[str, tuple[Stage, int]] = {}
                for step, stage_id in enumerate(pathway.stages, 1):
                    stage = self.nodes[stage_id]
                    assert isinstance(stage, Stage)
                    stage_of.setdefault(stage_id, (stage, step))
                    for e in self.out_edges(stage_id, EdgeKind.offers):
                        stage_of.setdefault(e.target, (stage, step))
                for member in order:
                    on, step = stage_of.get(member, (None, 0))
                    found.setdefault(member, []).append(Placement(pathway, on, step, order))
            self._placements = found
        return self._placements.get(node_id, [])

    def red_flags_of(self, pathway_id: str) -> list[str]:
        """Every red flag a pathway names: its own, then each stage's, without repeats.

        Read from the resolved edges, so scoped stages and former ids count like any other reference.
        """
        ids = [e.target for e in self.out_edges(pathway_id, EdgeKind.flags)]
        for stage in self.out_edges(pathway_id, EdgeKind.includes):
            ids += [e.target for e in self.out_edges(stage.target, EdgeKind.flags) if e.target not in ids]
        return ids


def _forms(entry: GlossaryEntry) -> set[str]:
    """Every way an entry is written (term, `also` forms, abbreviation), as the glossary checks compare them."""
    return {form.casefold() for form in (entry.term, *entry.also, *([entry.abbreviation] if entry.abbreviation else []))}
