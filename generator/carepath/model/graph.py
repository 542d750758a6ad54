"""The pathway schema, declared once as typed models; no I/O.

The same classes validate YAML input, give the rest of the pipeline its types, and produce the
JSON Schema that editors use for autocompletion (`schema/pathway.schema.json`).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from carepath.model.values import EdgeKind as EdgeKind  # noqa: PLC0414 (re-exported: the graph is keyed by it)
from carepath.model.values import Urgency as Urgency  # noqa: PLC0414 (re-exported)
from carepath.model.vocabulary import DEFAULT as DEFAULT_VOCABULARY
from carepath.model.vocabulary import Vocabulary

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
REF_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$"
Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN, max_length=161)]
"""A reference to a node: its id, or `pathway-id/stage-id` for a stage scoped to its pathway."""
Line = Annotated[str, StringConstraints(min_length=1, max_length=300)]
"""A single plain-text line: a title, a label, a list item."""
Text = Annotated[str, StringConstraints(max_length=20_000)]
"""Markdown prose."""
Summary = Annotated[str, StringConstraints(min_length=1, max_length=400)]

CODE_SYSTEMS: dict[str, str] = {
    "icd10cm": "ICD-10-CM",
    "snomedct": "SNOMED CT",
    "rxnorm": "RxNorm",
    "loinc": "LOINC",
}
"""Code system key -> display name."""

CODE_OIDS: dict[str, str] = {
    "icd10cm": "2.16.840.1.113883.6.90",
    "snomedct": "2.16.840.1.113883.6.96",
    "rxnorm": "2.16.840.1.113883.6.88",
    "loinc": "2.16.840.1.113883.6.1",
}
"""HL7 OIDs used by Infobutton (MedlinePlus Connect style) requests."""


class Strict(BaseModel):
    """Base for every input model: unknown keys are errors, nothing is coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


URGENCY_ORDER = {u: i for i, u in enumerate(Urgency)}


class Review(Strict):
    """Clinical review metadata. A page is a draft until a named clinician has reviewed it."""

    status: Literal["draft", "reviewed"] = Field("draft", description="draft until a clinician reviews it")
    last_reviewed: dt.date | None = Field(None, description="date of the last clinical review, YYYY-MM-DD")
    next_review: dt.date | None = Field(None, description="date the page is due for review, YYYY-MM-DD")
    reviewer: Line | None = Field(None, description="the reviewing clinician, only when real")
    written: dt.date | None = Field(None, description="date the text was written or last changed, YYYY-MM-DD; shown on draft pages")


class Code(Strict):
    """A clinical code; its format is checked against the code system."""

    system: Literal["icd10cm", "snomedct", "rxnorm", "loinc"]
    code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    display: Line | None = Field(None, description="the code's official display name")


class Source(Strict):
    """A citation. Only real, checked sources belong here."""

    title: Line
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"']+$", max_length=500)] | None = None
    publisher: Line | None = None
    year: Annotated[int, Field(ge=1800, le=2100)] | None = None


class NodeBase(Strict):
    id: Slug = Field(description="stable kebab-case id; it becomes the page URL and must never change silently")
    title: Line
    summary: Summary = Field(description="one or two plain-language sentences")
    body: Text = Field("", description="Markdown prose for the page")
    aliases: list[Slug] = Field(default_factory=list, description="former ids; each keeps a redirect")
    codes: list[Code] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    review: Review = Field(default_factory=Review)
    synonyms: list[Line] = Field(default_factory=list, description="other words patients use for this (lay terms, brand names); indexed for search")


class Pathway(NodeBase):
    """A care pathway: an ordered journey through stages."""

    stages: list[Ref] = Field(min_length=1, description="stage ids in order; the first is where the journey starts")
    red_flags: list[Ref] = Field(default_factory=list, description="indicator ids that apply at any point")


class Stage(NodeBase):
    """An ordered step of care."""

    pathway: Slug | None = Field(
        None,
        description="scope this stage to one pathway: its full id becomes '<pathway>/<id>' and its URL /<pathway>/<id>/, so two pathways may each have a stage of the same id",
    )

    options: list[Ref] = Field(default_factory=list, description="treatment or condition ids offered at this stage")
    escalates_to: list[Ref] = Field(default_factory=list, description="where to go when there is no improvement")
    when_to_move_on: Text | None = None
    signs_not_working: list[Line] = Field(default_factory=list)
    red_flags: list[Ref] = Field(default_factory=list, description="indicator ids to watch for in this stage")


class Condition(NodeBase):
    """A diagnosis or problem a patient may have."""

    relevant_to: list[Ref] = Field(default_factory=list, description="treatment ids relevant to this condition")


class Treatment(NodeBase):
    """Anything done for the patient: an assessment, a medicine, a procedure, a referral."""

    type: Slug = Field(description="what kind of treatment: a treatment type of the vocabulary (AUTHORING.md, 'Vocabulary'), e.g. self-care, medication, injection, surgery")
    how_it_helps: Text | None = None
    what_to_expect: Text | None = None
    risks: list[Line] = Field(default_factory=list)
    get_help_if: list[Line] = Field(default_factory=list, description="safety-netting: signs after or during this treatment that mean get help, one per line")
    relief_duration: Text | None = None
    questions: list[Line] = Field(default_factory=list, description="questions to ask your clinician")
    requires: list[Ref] = Field(default_factory=list, description="prerequisite treatment ids")
    escalates_to: list[Ref] = Field(default_factory=list, description="where to go when this does not help")
    returns_to: list[Ref] = Field(default_factory=list, description="where to go back to after this")
    relevant_to: list[Ref] = Field(default_factory=list, description="condition ids this treatment is for")


class Indicator(NodeBase):
    """A red flag or clinical sign, with how urgently it needs action."""

    urgency: Urgency
    action: Line = Field(description="what to do, in plain words")
    refers_to: list[Ref] = Field(default_factory=list, description="treatment ids (a consult) this calls for")
    relevant_to: list[Ref] = Field(default_factory=list, description="condition ids this sign may point to")


class GlossaryEntry(Strict):
    term: Line
    definition: Summary
    abbreviation: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    also: list[Line] = Field(default_factory=list, description="other forms of the term (plurals, spellings)")


class TreatmentTypeDef(Strict):
    """A treatment type a site adds to the default vocabulary (or new words for a default one)."""

    id: Slug
    label: Line = Field(description="what a patient reads, e.g. 'Talking therapy'")
    risky: bool = Field(False, description="true if it can cause harm: its treatments must then list risks and get_help_if")
    visit: bool = Field(False, description="true for a test or a visit rather than a treatment: condition pages list these apart")
    schema_org: Literal["MedicalTherapy", "Drug", "DiagnosticProcedure", "TherapeuticProcedure", "SurgicalProcedure", "MedicalDevice"] = "MedicalTherapy"


class EdgeLabelDef(Strict):
    forward: Line = Field(description="read from the node that declares the edge, e.g. 'if no improvement'")
    backward: Line = Field(description="read from the node it points to, e.g. 'leads here if it does not help'")


class VocabularySection(Strict):
    """A site's additions to the default vocabulary (`carepath/model/vocabulary.py`)."""

    treatment_types: list[TreatmentTypeDef] = Field(default_factory=list)
    urgency_labels: dict[Urgency, Line] = Field(default_factory=dict, description="new words for an urgency level, e.g. {emergency: Call 999}")
    edge_labels: dict[Literal["options", "red_flags", "escalates_to", "requires", "refers_to", "returns_to", "relevant_to"], EdgeLabelDef] = Field(
        default_factory=dict
    )


class PathwayFile(Strict):
    """One YAML file under `pathway/`. Files may be split however authors like."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        json_schema_extra={"$id": "https://carepath.invalid/schema/pathway.schema.json"},
    )

    pathways: list[Pathway] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    treatments: list[Treatment] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    vocabulary: VocabularySection | None = Field(None, description="additions to the default vocabulary; see AUTHORING.md")


Node = Pathway | Stage | Condition | Treatment | Indicator

KIND_OF_SECTION: dict[str, str] = {
    "pathways": "pathway",
    "stages": "stage",
    "conditions": "condition",
    "treatments": "treatment",
    "indicators": "indicator",
}
"""Top-level YAML key -> node kind."""

KIND_OF_CLASS: dict[type, str] = {
    Pathway: "pathway",
    Stage: "stage",
    Condition: "condition",
    Treatment: "treatment",
    Indicator: "indicator",
}


EDGE_FIELDS: dict[str, EdgeKind] = {
    "stages": EdgeKind.includes,
    "options": EdgeKind.offers,
    "red_flags": EdgeKind.flags,
    "escalates_to": EdgeKind.escalates_to,
    "requires": EdgeKind.requires,
    "refers_to": EdgeKind.refers_to,
    "returns_to": EdgeKind.returns_to,
    "relevant_to": EdgeKind.relevant_to,
}
"""YAML field holding references -> the edge kind it declares."""

EDGE_TARGETS: dict[tuple[EdgeKind, str], frozenset[str]] = {
    (EdgeKind.includes, "pathway"): frozenset({"stage"}),
    (EdgeKind.flags, "pathway"): frozenset({"indicator"}),
    (EdgeKind.flags, "stage"): frozenset({"indicator"}),
    (EdgeKind.offers, "stage"): frozenset({"treatment", "condition"}),
    (EdgeKind.escalates_to, "stage"): frozenset({"stage"}),
    (EdgeKind.escalates_to, "treatment"): frozenset({"treatment", "stage"}),
    (EdgeKind.requires, "treatment"): frozenset({"treatment"}),
    (EdgeKind.refers_to, "indicator"): frozenset({"treatment", "stage"}),
    (EdgeKind.returns_to, "treatment"): frozenset({"treatment", "stage"}),
    (EdgeKind.relevant_to, "treatment"): frozenset({"condition"}),
    (EdgeKind.relevant_to, "indicator"): frozenset({"condition"}),
    (EdgeKind.relevant_to, "condition"): frozenset({"treatment"}),
}
"""Which node kinds each edge kind may connect: (edge kind, source kind) -> allowed target kinds.

The source side is enforced by the models (a field exists only on the kinds that may declare it);
the target side is checked in validation, once every id is known.
"""

@dataclass(frozen=True)
class Position:
    """Where a value came from: a file path relative to the pathway dir's parent, 1-based line/col."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Edge:
    kind: EdgeKind
    source: str
    target: str
    position: Position


MEMBER_EDGES = frozenset({EdgeKind.offers, EdgeKind.flags, EdgeKind.escalates_to, EdgeKind.requires, EdgeKind.refers_to, EdgeKind.returns_to})
"""The edges that make a node part of a pathway. `relevant_to` is a cross-reference and never does:
following it from a shared node would walk into every other pathway that shares a condition."""

KIND_RANK = {"pathway": 0, "stage": 1, "treatment": 2, "condition": 3, "indicator": 4}


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
    """The default vocabulary with the site's additions (`vocabulary:` in the YAML)."""
    short_names: dict[str, list[str]] = field(default_factory=dict)
    """Short id -> the full ids ('<pathway>/<id>') of the stages scoped to a pathway that have it."""

    def scope(self, node_id: str) -> str | None:
        """The pathway whose names a node's references try first: its own id, or a scoped stage's pathway."""
        node = self.nodes.get(node_id)
        if isinstance(node, Pathway):
            return node.id
        if isinstance(node, Stage) and node.pathway:
            return node.pathway
        return None

    def resolve(self, ref: str, from_id: str, short: dict[str, list[str]] | None = None) -> str | None:
        """The full id a reference written on node `from_id` means; None when it is ambiguous.

        Local first (the pathway's own scoped stage), then a global id, then the only scoped stage of
        that name. An unknown reference comes back unchanged for the reference check to report.
        """
        short = self.short_names if short is None else short
        if "/" in ref:
            return ref
        scope = self.scope(from_id)
        if scope and f"{scope}/{ref}" in self.nodes:
            return f"{scope}/{ref}"
        if ref in self.nodes or ref not in short:
            return ref
        return short[ref][0] if len(short[ref]) == 1 else None

    def kind(self, node_id: str) -> str:
        return KIND_OF_CLASS[type(self.nodes[node_id])]

    def of_kind(self, kind: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if KIND_OF_CLASS[type(n)] == kind), key=lambda n: n.id)

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

    # --- graph queries, each computed once ---

    def walk(self, pathway: Pathway, starts: list[str]) -> list[str]:
        """Node ids reached from `starts` along the pathway's own edges, in breadth-first order.

        Only `MEMBER_EDGES` are followed, and never into a stage the pathway does not list: an edge into
        another pathway's stage is a cross-link, not part of this journey.
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
                if isinstance(self.nodes[e.target], (Stage, Pathway)) and e.target not in listed:
                    continue
                seen.add(e.target)
                queue.append(e.target)
        return order

    def members(self, pathway_id: str) -> list[str]:
        """A pathway's own nodes, in breadth-first order.

        Its own: itself, its stages, their options and red flags, and what those lead to along
        `MEMBER_EDGES`. Then the nodes no pathway owns that its nodes cross-link to (a condition named
        only by a red flag's `relevant_to`, say): they join every pathway that links them. A node another
        pathway owns never joins through a cross-link.
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
                        if e.kind != EdgeKind.includes and e.target not in owned and e.target not in seen:
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
            rest.sort(key=lambda n: (KIND_RANK[self.kind(n)], self.nodes[n].title.casefold(), n))
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
