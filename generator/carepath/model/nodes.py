"""The pathway schema, declared once as typed models; no I/O.

The same classes validate YAML input, give the rest of the pipeline its types, and produce the
JSON Schema that editors use for autocompletion (`schema/pathway.schema.json`). What each node kind
is for the rest of the pipeline (its page, words, diagram style, edges) is its row in `kinds.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from carepath.model.values import EdgeKind, Route, Urgency

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


SourceRef = Slug
"""The id of an entry in the sources register (`sources:` in a file of the shared library)."""

Strength = Literal["offer", "consider", "do-not-offer"]
"""How strongly a guideline statement speaks, in NICE's words: 'offer' (do it), 'consider' (it may help, weigh it
up), 'do-not-offer' (advises against it)."""


class SourceEntry(Strict):
    """One source in the site's register: every node and guidance statement cites it by its id, so its title,
    address and the date someone last confirmed it are written (and corrected) once."""

    id: Slug = Field(description="the id nodes cite it by, e.g. nice-ng59")
    title: Line = Field(description="the source's exact title")
    publisher: Line | None = Field(None, description="who publishes it, e.g. NICE")
    year: Annotated[int, Field(ge=1800, le=2100)] | None = Field(None, description="its year (a guideline's last update), only when the source shows one")
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"']+$", max_length=500)] | None = None
    checked: dt.date = Field(description="the date someone last confirmed the title, publisher, year and address, YYYY-MM-DD; over a year old is a warning")
    superseded_by: Slug | None = Field(None, description="the id of the source that replaces this one; citing a superseded source is a warning")


class Guidance(Strict):
    """What one guideline says about a treatment: its strength, for whom, in plain words, and its source."""

    source: SourceRef = Field(description="the id of the guideline in the sources register")
    strength: Strength = Field(description="offer, consider or do-not-offer, as the guideline words it")
    conditions: list[Ref] = Field(default_factory=list, description="the condition ids the statement is about; a do-not-offer statement may not be about a condition the treatment is listed as relevant to")
    situation: Line | None = Field(None, description="who the statement is about, in words, when no condition id says it (e.g. 'spine pain lasting 3 months or more')")
    statement: Line = Field(description="what the guideline says, in plain words a patient can read")


class PathwayContext(Strict):
    """What a shared node says to the readers of one pathway that uses it (`in: {<pathway-id>: ...}`).

    A shared page serves every pathway that uses it, so what is true for one pathway's readers only (why this
    medicine in this condition, that pathway's guideline) is kept apart and shown to them alone.
    """

    note: Text = Field("", description="Markdown shown on the page to this pathway's readers only; node: links resolve in the pathway's namespace")
    sources: list[SourceRef | Source] = Field(
        default_factory=list, description="this pathway's citations (its guideline), listed under the pathway's title: ids of the sources register"
    )
    relevant_to: list[Ref] = Field(
        default_factory=list,
        description="ids this node is relevant to for this pathway's readers (its conditions), resolved like the pathway's own references",
    )
    alternatives: list[Ref] = Field(
        default_factory=list,
        description="decision aid, a treatment's: the other options for this pathway's readers (treatment ids of this pathway or the shared library), "
        "shown with the node's own 'alternatives' on this pathway's view of the page",
    )


class NodeBase(Strict):
    id: Slug = Field(description="stable kebab-case id; it becomes the page URL and must never change silently")
    title: Line
    summary: Summary = Field(description="one or two plain-language sentences")
    body: Text = Field("", description="Markdown prose for the page")
    aliases: list[Ref] = Field(
        default_factory=list,
        description="former ids, each keeping a redirect at its old address: 'old-id' for /old-id/, '<pathway>/old-id' for /<pathway>/old-id/",
    )
    codes: list[Code] = Field(default_factory=list)
    sources: list[SourceRef | Source] = Field(
        default_factory=list, description="citations: ids of the sources register (an inline title/url/publisher/year is allowed only in a site with no register)"
    )
    contexts: dict[Slug, PathwayContext] = Field(
        default_factory=dict,
        alias="in",
        description="shared library only: per-pathway context, keyed by the id of each pathway that uses this node (AUTHORING.md)",
    )
    review: Review = Field(default_factory=Review)
    synonyms: list[Line] = Field(default_factory=list, description="other words patients use for this (lay terms, brand names); indexed for search")


class Owner(Strict):
    """Who answers for one pathway's pages: its pages show, print and export this instead of the site's publisher."""

    publisher: Line = Field(description="the organisation or team that publishes this pathway's pages; plain text")
    contact: Line | None = Field(None, description="how readers reach the publisher: an email address, an https:// address or a phone number")
    reviewer: Line | None = Field(None, description="the clinician or team that reviews this pathway's pages; only a real one")


class Pathway(NodeBase):
    """A care pathway: an ordered journey through stages."""

    stages: list[Ref] = Field(min_length=1, description="stage ids in order; the first is where the journey starts")
    red_flags: list[Ref] = Field(default_factory=list, description="indicator ids that apply at any point")
    owner: Owner | None = Field(None, description="who answers for this pathway's own pages, instead of the site's publisher (AUTHORING.md, 'Ownership')")


class Stage(NodeBase):
    """An ordered step of care."""

    pathway: Slug | None = Field(
        None,
        description="scope this stage to one pathway when it is written in a shared file: its full id becomes '<pathway>/<id>' and its URL /<pathway>/<id>/ (every node in a pathway's own folder is already local to it)",
    )

    options: list[Ref] = Field(default_factory=list, description="treatment or condition ids offered at this stage")
    escalates_to: list[Ref] = Field(default_factory=list, description="where to go when there is no improvement")
    when_to_move_on: Text | None = None
    signs_not_working: list[Line] = Field(default_factory=list)
    red_flags: list[Ref] = Field(default_factory=list, description="indicator ids to watch for in this stage")


class Condition(NodeBase):
    """A diagnosis or problem a patient may have."""

    symptoms: list[Line] = Field(default_factory=list, description="'Check if you have it': what people with it often notice, one per line")
    self_care: list[Line] = Field(default_factory=list, description="'Things you can do yourself', one per line")
    outlook: Text | None = Field(default=None, description="'How it usually goes': the usual course, without numbers the sources do not give")
    relevant_to: list[Ref] = Field(default_factory=list, description="treatment ids relevant to this condition")


UNGRADED_URGENCY = Urgency.urgent
"""How a `get_help_if` line written without an urgency is shown until its author grades it (`check` warns):
"get help today", as the one fixed sentence for every line used to say."""


class GetHelpItem(Strict):
    """One sign, during or after a treatment, that means get help: what the reader notices, and how urgently."""

    # The schema an editor uses requires `urgency`; the loader accepts a line without one (a bare string too),
    # shows it as `UNGRADED_URGENCY` and warns, so older files still load and say what to fix.
    model_config = ConfigDict(json_schema_extra={"required": ["text", "urgency"]})

    text: Line = Field(description="what the reader notices, one line")
    urgency: Urgency | None = Field(None, description="how soon to get help: emergency, urgent, soon or routine; the page shows its label and what to do")
    route: Route | None = Field(None, description="a way to get help other than the urgency's own: 'crisis' for thoughts of self-harm (a crisis line)")

    @property
    def level(self) -> Urgency:
        """The urgency the line is shown and ranked with."""
        return self.urgency or UNGRADED_URGENCY


def _graded_form(value: object) -> object:
    """A bare string is a line not yet graded: `{text: ...}` with no urgency."""
    return {"text": value} if isinstance(value, str) else value


GetHelpLine = Annotated[GetHelpItem, BeforeValidator(_graded_form)]
class Benefit(Strict):
    """How well a treatment works, as a decision aid says it: plain words, and a number only with its source."""

    words: Summary = Field(description="how well it works, in plain words with no numbers, e.g. 'Many people find it eases the pain for a few weeks.'")
    number: Line | None = Field(
        None, description="optional: the same as a plain number, e.g. 'About 6 in 10 people feel better after 6 weeks'; needs 'source'"
    )
    source: SourceRef | Source | None = Field(None, description="where the number comes from: the id of the sources register (inline only in a site with no register); required with 'number'")


class Frequency(Strict):
    """What a word such as 'rare' or 'common' in a treatment's risks means, with the source that says so."""

    word: Line = Field(description="the word as the risks use it, e.g. 'rare'")
    means: Line = Field(description="what it means in numbers, e.g. 'fewer than 1 in 1,000 people'")
    source: SourceRef | Source | None = Field(None, description="where that meaning comes from: the id of the sources register (inline only in a site with no register); required")


class Treatment(NodeBase):
    """Anything done for the patient: an assessment, a medicine, a procedure, a referral."""

    type: Slug = Field(description="what kind of treatment: a treatment type of the vocabulary (AUTHORING.md, 'Vocabulary'), e.g. self-care, medication, injection, surgery")
    how_it_helps: Text | None = None
    what_to_expect: Text | None = None
    risks: list[Line] = Field(default_factory=list)
    get_help_if: list[GetHelpLine] = Field(
        default_factory=list,
        description="safety-netting: signs during or after this treatment that mean get help, each with its urgency: {text: ..., urgency: emergency|urgent|soon|routine}",
    )
    relief_duration: Text | None = None
    questions: list[Line] = Field(default_factory=list, description="questions to ask your clinician")
    requires: list[Ref] = Field(default_factory=list, description="prerequisite treatment ids")
    escalates_to: list[Ref] = Field(default_factory=list, description="where to go when this does not help")
    returns_to: list[Ref] = Field(default_factory=list, description="where to go back to after this")
    relevant_to: list[Ref] = Field(default_factory=list, description="condition ids this treatment is for")
    guidance: list[Guidance] = Field(default_factory=list, description="what guidelines say about it: shown under 'What guidelines say'")
    benefit: Benefit | None = Field(None, description="decision aid: how well it works (AUTHORING.md, 'Decision aids'); required once reviewed")
    if_you_wait: Summary | None = Field(None, description="decision aid: what is likely to happen if you wait or do nothing, in plain words; required once reviewed")
    alternatives: list[Ref] = Field(
        default_factory=list,
        description="decision aid: treatment ids of the other options, resolved like other references; required once reviewed",
    )
    frequency: list[Frequency] = Field(
        default_factory=list, description="what words such as 'rare' or 'common' in its risks mean, each with its source"
    )


class Indicator(NodeBase):
    """A red flag or clinical sign, with how urgently it needs action."""

    urgency: Urgency
    action: Line | None = Field(
        default=None,
        description="steps to take besides the edition's route for the urgency (which says whom to call and where to go); never a phone number or a place",
    )
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
    spelling: Literal["british", "american"] | None = Field(
        None,
        description="the spelling the site's text is written in, set once in the shared library; an edition that reads the other converts it and check fails on a word of the other (AUTHORING.md, 'Editions')",
    )
    edge_labels: dict[Literal["options", "red_flags", "escalates_to", "requires", "refers_to", "returns_to", "relevant_to", "alternatives"], EdgeLabelDef] = Field(
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
    sources: list[SourceEntry] = Field(default_factory=list, description="the sources register: shared library only (pathway/shared/sources.yml)")
    vocabulary: VocabularySection | None = Field(None, description="additions to the default vocabulary; see AUTHORING.md")


Node = Pathway | Stage | Condition | Treatment | Indicator
"""Every node model; each has its row in `kinds.KINDS`, which checks at import that none is missing."""

EDGE_FIELDS: dict[str, EdgeKind] = {
    "stages": EdgeKind.includes,
    "options": EdgeKind.offers,
    "red_flags": EdgeKind.flags,
    "escalates_to": EdgeKind.escalates_to,
    "requires": EdgeKind.requires,
    "refers_to": EdgeKind.refers_to,
    "returns_to": EdgeKind.returns_to,
    "relevant_to": EdgeKind.relevant_to,
    "alternatives": EdgeKind.alternative_to,
}
"""YAML field holding references -> the edge kind it declares."""

CONTEXT_EDGE_FIELDS: tuple[str, ...] = ("relevant_to", "alternatives")
"""The fields of a pathway's context (`in:`) that declare edges, each holding for that pathway only."""
