"""Each pathway as one HL7 FHIR Bundle (R4B or R5) laid out as the Clinical Practice Guidelines IG (CPG) lays out a
guideline: pathway -> strategy (a stage) -> recommendation (a red flag, or the offer of a treatment) -> activity.

Only what the YAML says: an element with no source in the pathway data is left out (FHIR.md has the table of
every field and where it lands). Plain dicts in a fixed order, so the same input gives the same bytes; no FHIR
library at run time (the tests parse every Bundle with `fhir.resources`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from carepath import urls as links
from carepath.model.graph import (
    Code,
    Condition,
    EdgeKind,
    GetHelpItem,
    Indicator,
    KnowledgeBase,
    Node,
    Owner,
    Pathway,
    Source,
    Stage,
    Treatment,
    Urgency,
)
from carepath.validate.ownership import contact_kind
from carepath.words import DEFAULT_EDITION, words

FHIR_VERSIONS = links.FHIR_VERSIONS
DEFAULT_FHIR_VERSION = "R4B"
"""The CPG IG is written against R4; R4B reads the same for every element used here."""

PLACEHOLDER_BASE = "https://site-url-not-set.invalid/"
"""The canonical base of a build without `site_url` (a local one): `.invalid` is reserved (RFC 6761) and never
resolves, so no one mistakes it for an address. `carepath export --format fhir` refuses to run without one."""

KNOWLEDGE_CAPABILITY = "http://hl7.org/fhir/StructureDefinition/cqf-knowledgeCapability"
KNOWLEDGE_LEVEL = "http://hl7.org/fhir/StructureDefinition/cqf-knowledgeRepresentationLevel"
PART_OF = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-partOf"
"""The extensions the CPG IG (STU2, `input/fsh/aliases.fsh`) uses on its knowledge artifacts."""
PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
COMMON_PROCESS = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-common-process-cs"
USAGE_CONTEXT_TYPE = "http://terminology.hl7.org/CodeSystem/usage-context-type"

CODE_SYSTEM_URIS = {
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "snomedct": "http://snomed.info/sct",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "loinc": "http://loinc.org",
}
"""A code's `system` in the YAML -> the code system's canonical URI in FHIR."""

PRIORITY = {Urgency.emergency: "stat", Urgency.urgent: "asap", Urgency.soon: "urgent", Urgency.routine: "routine"}
"""An urgency -> `action.priority` (request-priority)."""

STATUS = {"draft": "draft", "reviewed": "active"}
"""A node's `review.status` -> the artifact's `status` (publication-status)."""

PLAN_TYPES = {"pathway": "clinical-protocol", "stage": "workflow-definition", "indicator": "eca-rule", "treatment": "eca-rule"}
"""A node kind -> its PlanDefinition's `type`: the CPG's pathway, strategy and recommendation."""

ACTIVITY_KINDS = {"Drug": "MedicationRequest", "MedicalDevice": "DeviceRequest"}
"""A treatment type's schema.org type -> the kind of request its ActivityDefinition makes; any other type asks
for a service (`ServiceRequest`)."""

MAIN_ACTION = "main"
"""The id of a red flag's or a treatment's own action in its PlanDefinition; the edges' actions follow it."""

EDGE_ACTIONS = (EdgeKind.includes, EdgeKind.offers, EdgeKind.flags, EdgeKind.escalates_to, EdgeKind.requires, EdgeKind.refers_to, EdgeKind.returns_to, EdgeKind.alternative_to)
"""Edges that become an action of their source's PlanDefinition pointing at their target's. `relevant-to` (and
`offers` of a condition) become a `focus` use context instead: a condition is no FHIR artifact of its own."""

_NODE_LINK = re.compile(r"(\]\(\s*)node:([^)\s#]*)(#[^)\s]*)?")
"""A `node:` link in Markdown prose: it becomes the page's absolute address, which an EHR can follow."""

_MAX_ID = 64
_ID_OK = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_id(node_id: str) -> str:
    """A FHIR id for a node id: `/` (a pathway's own node) becomes `.`, which node ids never hold. An id over 64
    characters is cut and ends in `-` and eight upper-case hex digits of its hash, which no node id has."""
    text = node_id.replace("/", ".")
    if len(text) > _MAX_ID:
        text = text[: _MAX_ID - 9] + "-" + hashlib.sha256(node_id.encode("utf-8")).hexdigest()[:8].upper()
    assert _ID_OK.fullmatch(text), text
    return text


def plan_id(kb: KnowledgeBase, pathway_id: str, node_id: str) -> str:
    """The id of a node's PlanDefinition in one pathway's Bundle. A PlanDefinition says what the node is to that
    pathway (its context, its links), so a shared node's is scoped to the pathway: `<pathway>--<id>` (node ids
    never hold `--`), and two pathways' Bundles never give one canonical URL two contents."""
    if node_id == pathway_id or kb.scope(node_id) == pathway_id:
        return fhir_id(node_id)
    return fhir_id(f"{pathway_id}--{node_id}")


@dataclass(frozen=True)
class FhirOptions:
    base: str
    """The canonical base, ending in `/`: the site's address (with `url_prefix`), or `PLACEHOLDER_BASE`."""
    version: str = DEFAULT_FHIR_VERSION
    content_version: str | None = None
    """The site's `content_version`: every artifact's `version`."""
    publisher: str | None = None
    """The site's publisher: the shared library's ActivityDefinitions name it (a pathway's own, its owner)."""
    edition: str = DEFAULT_EDITION
    """The site's edition: a red flag's words of what to do are its route for the urgency, then the flag's own
    `action`, as on its page."""


def canonical_base(site_url: str | None) -> str:
    """The canonical base of a site's FHIR artifacts: its address as a folder, or the placeholder without one."""
    if not site_url:
        return PLACEHOLDER_BASE
    return site_url if site_url.endswith("/") else site_url + "/"


def export_fhir(kb: KnowledgeBase, pathway: Pathway, options: FhirOptions) -> dict[str, Any]:
    """One pathway's Bundle (type `collection`): its PlanDefinitions (the pathway, its stages in order, then its red
    flags and treatments by id) and its treatments' ActivityDefinitions by id. Each entry's `fullUrl` is its
    canonical URL."""
    if options.version not in FHIR_VERSIONS:
        raise ValueError(f"FHIR version {options.version!r}: one of {', '.join(FHIR_VERSIONS)}")
    return _Bundle(kb, pathway, options).bundle()


class _Bundle:
    def __init__(self, kb: KnowledgeBase, pathway: Pathway, options: FhirOptions) -> None:
        self.kb = kb
        self.pathway = pathway
        self.options = options
        self.r5 = options.version == "R5"
        self.members = kb.members(pathway.id)
        keep = set(self.members)
        self.edges = [e for e in kb.edges if e.source in keep and e.target in keep and e.holds_in(pathway.id)]

    # --- the Bundle ---

    def bundle(self) -> dict[str, Any]:
        stages = [s for s in self.pathway.stages if s in self.members]
        rest = sorted(
            (n for n in self.members if isinstance(self.kb.nodes[n], (Indicator, Treatment)) or (isinstance(self.kb.nodes[n], Stage) and n not in stages)),
            key=lambda n: plan_id(self.kb, self.pathway.id, n),
        )
        plans = [self.plan_definition(n) for n in [self.pathway.id, *stages, *rest]]
        treatments = sorted((n for n in self.members if isinstance(self.kb.nodes[n], Treatment)), key=fhir_id)
        resources = plans + [self.activity_definition(n) for n in treatments]
        return {
            "resourceType": "Bundle",
            "id": fhir_id(self.pathway.id),
            "type": "collection",
            "entry": [{"fullUrl": self.url(r["resourceType"], r["id"]), "resource": r} for r in resources],
        }

    def url(self, resource_type: str, resource_id: str) -> str:
        return f"{self.options.base}{resource_type}/{resource_id}"

    def plan_url(self, node_id: str) -> str:
        return self.url("PlanDefinition", plan_id(self.kb, self.pathway.id, node_id))

    # --- what every artifact has ---

    def artifact(self, resource_type: str, resource_id: str, node: Node) -> dict[str, Any]:
        """`resourceType` to `title`: what every artifact opens with."""
        out: dict[str, Any] = {
            "resourceType": resource_type,
            "id": resource_id,
            "extension": [
                {"url": KNOWLEDGE_CAPABILITY, "valueCode": "computable"},
                {"url": KNOWLEDGE_LEVEL, "valueCode": "semi-structured"},
            ],
            "url": self.url(resource_type, resource_id),
        }
        if self.options.content_version:
            out["version"] = self.options.content_version
        out["title"] = node.title
        return out

    def lifecycle(self, out: dict[str, Any], node: Node, owner: Owner | None, publisher: str | None) -> None:
        """`status`, `date`, `publisher` and `contact`, set on `out` after its `type` (FHIR's element order)."""
        review = node.review
        out["status"] = STATUS[review.status]
        if review.written:
            out["date"] = review.written.isoformat()
        name = owner.publisher if owner else publisher
        if name:
            out["publisher"] = name
        if owner and owner.contact and (kind := contact_kind(owner.contact)):
            system = {"email": "email", "https": "url", "phone": "phone"}[kind]
            out["contact"] = [{"name": owner.publisher, "telecom": [{"system": system, "value": owner.contact}]}]

    def review(self, out: dict[str, Any], node: Node, owner: Owner | None, citations: list[dict[str, Any]], synonyms: bool = True) -> None:
        """`lastReviewDate` to `relatedArtifact`: the review, the synonyms (`topic`), the reviewers and the sources."""
        review = node.review
        if review.last_reviewed:
            out["lastReviewDate"] = review.last_reviewed.isoformat()
        if review.last_reviewed or review.next_review:
            period = {"start": review.last_reviewed.isoformat()} if review.last_reviewed else {}
            if review.next_review:
                period["end"] = review.next_review.isoformat()
            out["effectivePeriod"] = period
        if synonyms and node.synonyms:
            out["topic"] = [{"text": s} for s in node.synonyms]
        reviewers = [r for r in (review.reviewer if review.status == "reviewed" else None, owner.reviewer if owner else None) if r]
        if reviewers:
            out["reviewer"] = [{"name": r} for r in dict.fromkeys(reviewers)]
        if citations:
            out["relatedArtifact"] = citations

    # --- the artifacts ---

    def owner(self, node_id: str) -> Owner | None:
        """The pathway's owner answers for its own nodes; a shared node's ActivityDefinition keeps the site's publisher."""
        return self.kb.owner_of(self.kb.scope(node_id))

    def plan_definition(self, node_id: str) -> dict[str, Any]:
        node = self.kb.nodes[node_id]
        kind = self.kb.kind(node_id)
        owner = self.pathway.owner
        out = self.artifact("PlanDefinition", plan_id(self.kb, self.pathway.id, node_id), node)
        if node_id != self.pathway.id:
            out["extension"].append({"url": PART_OF, "valueCanonical": self.plan_url(self.pathway.id)})
        out["type"] = {"coding": [{"system": PLAN_TYPE, "code": PLAN_TYPES[kind]}]}
        self.lifecycle(out, node, owner, None)
        context = node.contexts.get(self.pathway.id)
        note = self.prose(context.note, node_id, self.pathway.id) if context else ""
        out["description"] = "\n\n".join(t.strip() for t in (node.summary, self.prose(node.body, node_id), note) if t.strip())
        focus = self.focus(node_id, node)
        if focus:
            out["useContext"] = focus
        if isinstance(node, Stage) and node.when_to_move_on:
            out["usage"] = self.prose(node.when_to_move_on, node_id)
        notes = [self.note("signs_not_working", t) for t in getattr(node, "signs_not_working", [])]
        self.review(out, node, owner, self.citations([*node.sources, *(context.sources if context else [])]) + notes)
        actions = self.main_actions(node_id, node) + self.edge_actions(node_id)
        if actions:
            out["action"] = actions
        return out

    def activity_definition(self, node_id: str) -> dict[str, Any]:
        """What a treatment is, the same in every pathway's Bundle: its own fields only, never a pathway's context."""
        node = self.kb.nodes[node_id]
        assert isinstance(node, Treatment)
        owner = self.owner(node_id)
        out = self.artifact("ActivityDefinition", fhir_id(node_id), node)
        self.lifecycle(out, node, owner, self.options.publisher)
        out["description"] = "\n\n".join(t.strip() for t in (node.summary, self.prose(node.body, node_id)) if t.strip())
        if node.how_it_helps:
            out["purpose"] = self.prose(node.how_it_helps, node_id)
        if node.what_to_expect:
            out["usage"] = self.prose(node.what_to_expect, node_id)
        self.review(out, node, owner, self.citations(node.sources))
        typed = self.kb.vocabulary.treatment_kinds[node.type]
        out["kind"] = ACTIVITY_KINDS.get(typed.schema_org, "ServiceRequest")
        if node.codes:
            out["code"] = self.concept(node.codes, node.title)
        return out

    # --- actions ---

    def main_actions(self, node_id: str, node: Node) -> list[dict[str, Any]]:
        """A red flag's own action (what to do, how urgently) and a treatment's (its activity, with what to weigh
        and when to get help); none for a pathway or a stage, whose actions are their edges."""
        if isinstance(node, Indicator):
            return [
                {
                    "id": MAIN_ACTION,
                    "title": node.title,
                    "description": words(self.options.edition).action(node.urgency.value, node.action),
                    **self.process_code("triage"),
                    **({"reason": [self.concept(node.codes, node.title)]} if node.codes else {}),
                    "priority": PRIORITY[node.urgency],
                }
            ]
        if isinstance(node, Treatment):
            action: dict[str, Any] = {"id": MAIN_ACTION, "title": node.title, "description": node.summary, **self.process_code("guideline-based-care")}
            documentation = self.treatment_notes(node)
            if documentation:
                action["documentation"] = documentation
            action["definitionCanonical"] = self.url("ActivityDefinition", fhir_id(node_id))
            signs = [self.get_help(item) for item in node.get_help_if]
            if signs:
                action["action"] = signs
            return [action]
        return []

    def treatment_notes(self, node: Treatment) -> list[dict[str, Any]]:
        """What a reader weighs, as the action's `documentation`, each labelled with its YAML field."""
        notes = [self.note("risks", r) for r in node.risks]
        if node.benefit:
            notes.append(self.note("benefit.words", node.benefit.words))
            if node.benefit.number:
                notes.append(self.note("benefit.number", node.benefit.number, node.benefit.source))
        if node.if_you_wait:
            notes.append(self.note("if_you_wait", node.if_you_wait))
        notes += [self.note(f"frequency.{f.word}", f.means, f.source) for f in node.frequency]
        notes += [self.note("questions", q) for q in node.questions]
        for g in node.guidance:
            situation = [self.kb.nodes[c].title for c in (self.kb.resolve(c, node.id) for c in g.conditions) if c in self.kb.nodes]
            situation += [g.situation] if g.situation else []
            artifact = {"type": "justification", "label": f"guidance.{g.strength}", "display": g.statement}
            citation = "; ".join([*situation, self.citation_text(g.source)])
            artifact["citation"] = citation
            notes.append(artifact)
        return notes

    def get_help(self, item: GetHelpItem) -> dict[str, Any]:
        """A `get_help_if` line: a sign during or after the treatment, and how urgently it needs help (no priority
        for a line its author has not graded yet: `check` warns, and the export does not guess)."""
        action: dict[str, Any] = {"title": item.text}
        if item.route:
            action["code"] = {"text": f"route: {item.route.value}"} if self.r5 else [{"text": f"route: {item.route.value}"}]
        if item.urgency:
            action["priority"] = PRIORITY[item.urgency]
        return action

    def edge_actions(self, node_id: str) -> list[dict[str, Any]]:
        """One action per edge from the node to a stage, red flag or treatment of the pathway, in the order the YAML
        lists them, pointing at the target's PlanDefinition. Its id names the edge kind and the target."""
        actions = []
        main = isinstance(self.kb.nodes[node_id], (Indicator, Treatment))
        for edge in self.edges:
            target = self.kb.nodes[edge.target]
            if edge.source != node_id or edge.kind not in EDGE_ACTIONS or isinstance(target, Condition):
                continue
            action: dict[str, Any] = {
                "id": f"{edge.kind.value}.{plan_id(self.kb, self.pathway.id, edge.target)}",
                "title": target.title,
                "description": target.summary,
                **self.process_code("triage" if edge.kind == EdgeKind.flags else "guideline-based-care"),
            }
            if isinstance(target, Indicator):
                action["priority"] = PRIORITY[target.urgency]
            if main and edge.kind in (EdgeKind.escalates_to, EdgeKind.returns_to):
                action["relatedAction"] = [self.related(MAIN_ACTION, "after-end")]
            elif main and edge.kind == EdgeKind.requires:
                action["relatedAction"] = [self.related(MAIN_ACTION, "before-start")]
            action["definitionCanonical"] = self.plan_url(edge.target)
            actions.append(action)
        return actions

    def related(self, target: str, relationship: str) -> dict[str, Any]:
        """`relatedAction`: R5 renamed `actionId` to `targetId`."""
        return {"targetId" if self.r5 else "actionId": target, "relationship": relationship}

    def process_code(self, code: str) -> dict[str, Any]:
        """An action's CPG common-process code (R4B `code` is a list, R5 one concept)."""
        concept = {"coding": [{"system": COMMON_PROCESS, "code": code}]}
        return {"code": concept if self.r5 else [concept]}

    def prose(self, markdown: str, node_id: str, within: str | None = None) -> str:
        """Markdown as written, its `node:` links made the pages' absolute addresses (validation made sure each leads
        to a node)."""

        def absolute(m: re.Match[str]) -> str:
            target = self.kb.resolve(m.group(2), node_id, within)
            if target not in self.kb.nodes:
                return m.group(0)
            return m.group(1) + self.options.base + links.page_url(links.node_uri(target)) + (m.group(3) or "")

        return _NODE_LINK.sub(absolute, markdown) if "node:" in markdown else markdown

    # --- conditions, codes and sources ---

    def focus(self, node_id: str, node: Node) -> list[dict[str, Any]]:
        """`useContext` of kind `focus`: the node's own codes (a pathway, a stage, a red flag), then each condition it
        is linked with (`relevant_to` either way, a stage's condition `options`), as the condition's codes and title."""
        contexts = []
        if node.codes and not isinstance(node, Treatment):
            contexts.append(self.concept(node.codes, node.title))
        linked = [e.target for e in self.edges if e.source == node_id and isinstance(self.kb.nodes[e.target], Condition)]
        linked += [e.source for e in self.edges if e.target == node_id and e.kind == EdgeKind.relevant_to and isinstance(self.kb.nodes[e.source], Condition)]
        for condition_id in dict.fromkeys(linked):
            condition = self.kb.nodes[condition_id]
            contexts.append(self.concept(condition.codes, condition.title))
        return [{"code": {"system": USAGE_CONTEXT_TYPE, "code": "focus"}, "valueCodeableConcept": c} for c in contexts]

    @staticmethod
    def concept(codes: Iterable[Code], text: str) -> dict[str, Any]:
        coding = [{"system": CODE_SYSTEM_URIS[c.system], "code": c.code, **({"display": c.display} if c.display else {})} for c in codes]
        return {**({"coding": coding} if coding else {}), "text": text}

    def note(self, label: str, text: str, source: str | Source | None = None) -> dict[str, Any]:
        out = {"type": "documentation", "label": label, "display": text}
        if source is not None:
            out["citation"] = self.citation_text(source)
        return out

    def citations(self, sources: Iterable[str | Source]) -> list[dict[str, Any]]:
        """Each source cited, once, as a `citation` artifact: the register's id as its label, its title, publisher
        and year, and its address (R5 keeps it in `document.url`)."""
        out = []
        for ref in dict.fromkeys(s if isinstance(s, str) else s.model_dump_json() for s in sources):
            source = self.source(ref)
            artifact: dict[str, Any] = {"type": "citation"}
            if source is None:
                artifact["label"] = ref
                out.append(artifact)
                continue
            if not ref.startswith("{"):
                artifact["label"] = ref
            artifact["display"] = source.title
            byline = ", ".join(str(x) for x in (source.publisher, source.year) if x)
            if byline:
                artifact["citation"] = byline
            if source.url:
                if self.r5:
                    artifact["document"] = {"url": source.url}
                else:
                    artifact["url"] = source.url
            out.append(artifact)
        return out

    def source(self, ref: str) -> Source | None:
        """A citation: a register entry by id, or an inline source (kept as its JSON); None for an id the register
        lacks, which only a site without a register can have."""
        if ref.startswith("{"):
            return Source.model_validate_json(ref)
        entry = self.kb.sources.get(ref)
        return Source(title=entry.title, url=entry.url, publisher=entry.publisher, year=entry.year) if entry else None

    def citation_text(self, source: str | Source) -> str:
        """A source in words, for a note that cites it: its title, publisher and year (the id if the register lacks it)."""
        found = self.source(source) if isinstance(source, str) else source
        if found is None:
            return str(source)
        return ", ".join(str(x) for x in (found.title, found.publisher, found.year) if x)
