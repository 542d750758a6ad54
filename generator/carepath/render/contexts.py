"""One typed context per kind of node page: what its template is given. Built by the renderer (`pages.py`);
no logic here. A template reads each field as a variable of the same name (`NodePage.variables`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypedDict

from carepath.model.graph import Indicator, Node


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    note: str = ""


# The parts of a page, typed dicts: templates read their keys; sorting code reads them as the templates do.


class PlaceOnPathway(TypedDict):
    """One pathway a shared node is on, and the step it is on there."""

    pathway: Link
    step: Link | None


class PrevNext(TypedDict):
    """Previous and next page along one pathway; `pathway` names it when the node is on several."""

    pathway: Link | None
    prev: Link | None
    next: Link | None


class ReviewDates(TypedDict):
    """Review dates as people read them ('10 January 2026')."""

    status: str
    last_reviewed: str | None
    next_review: str | None
    written: str | None
    reviewer: str | None
    due: bool


class Citation(TypedDict):
    title: str
    url: str
    where: str
    """'Publisher, year'."""


class GuidanceView(TypedDict):
    """One guideline statement on a treatment's page: its strength in plain words, whom it is about, what it says
    and the source it comes from."""

    strength: str
    strength_key: str
    """'offer', 'consider' or 'do-not-offer': the page styles each apart."""
    statement: str
    conditions: list[Link]
    situation: str
    source: Citation


class SourceGroup(TypedDict):
    """One pathway's sources on a page shared by several: its context's (`in:`), under the pathway's title."""

    pathway: str
    sources: list[Citation]


class PathwayNote(TypedDict):
    """What a shared node says to one pathway's readers (its context, `in:`), shown in that pathway's part of the page."""

    pathway: Link
    note: str
    """The context's note as Markdown, its `node:` links resolved in the pathway's namespace."""
    links: list[Link]
    """What the node is relevant to in this pathway; on a page on one pathway these join the page's own lists instead."""
    links_label: str
    alternatives: list[Link]
    """A treatment's other options for this pathway's readers (`in.<pathway>.alternatives`); on a page on one
    pathway they join its "Other options" instead."""
    folded: bool
    """On a page shared by several pathways, each pathway's context folds under its title; on one, it reads inline."""


class HelpItem(TypedDict):
    node: Indicator
    label: str
    link: Link
    pathways: str
    """The pathways the sign belongs to, when the page is on several; else ''."""


class ServiceView(TypedDict):
    """One local service of the region the site is built with, as its node's page lists it ('' for what it leaves out)."""

    anchor: str
    name: str
    phone: str
    phone_href: str
    """`tel:` and the number's digits."""
    address: str
    opening_hours: str
    referral_criteria: str
    note: str


class LocalView(TypedDict):
    """What the region the site is built with adds to a node's page (its overlay, `pathway/regions/<id>/`)."""

    region: str
    """The region's title."""
    example: bool
    """Made-up demonstration data: the page says so."""
    summary_addition: str
    note: str
    referral_criteria: str
    services: list[ServiceView]


class OwnerLine(TypedDict):
    """Who answers for a page of a pathway with an `owner:`, as its footer says it."""

    publisher: str
    contact: str
    contact_href: str
    """Where the contact links: `mailto:`, an https:// address or `tel:`."""
    reviewer: str


class BoxLine(TypedDict):
    """One sign in the safety box: a red flag (linked) or one of the page's own `get_help_if` lines (as written)."""

    link: Link | None
    text: str
    """A `get_help_if` line; '' for a red flag (its link says it)."""


class BoxGroup(TypedDict):
    """Signs next to each other in the box that call for the same thing, under one line saying what: four
    emergency signs that each say "Call 911" take five short lines, not four long ones."""

    label: str
    """The urgency in words ('Emergency')."""
    urgency: str
    """The urgency it is styled as: 'emergency', 'urgent', 'soon' or 'routine'."""
    action: str
    """What to do: a red flag's own `action`; for a treatment's own signs, their route's words (`routes.<route>`)."""
    lines: list[BoxLine]


class BoxSection(TypedDict):
    """The box's part for one pathway: at most four lines and the link to the pathway's full list."""

    pathway: Link
    groups: list[BoxGroup]
    emergencies: int
    """Emergency signs that apply on this page for this pathway, shown or not."""
    more_emergencies: int
    """Of those, how many the box leaves to the full list."""
    all_signs: Link
    """The full list of the pathway's warning signs; its text says how many there are."""
    more: int
    """How many signs of the full list the box does not show."""


class GetHelp(TypedDict):
    sections: list[BoxSection]
    """One per pathway the page is on: a page on one pathway shows its lines, a shared page one fold per pathway."""
    folded: bool
    """Too many pathways for their folds to fit on a phone's first screen: they go inside one fold of their own."""
    other: list[HelpItem]
    own: list[BoxGroup]
    """On a page on several pathways, the treatment's own signs, listed once above the pathways' folds; [] elsewhere
    (a page on one pathway lists them in its one part)."""
    own_shown: list[int]
    """Where in `get_help_if` the page's own lines that the box lists are: the page does not list them a second time."""


CareCard = TypedDict(
    "CareCard",
    {"node": Indicator, "admonition": str, "label": str, "link": Link, "self": bool, "go_to": list[Link]},
)
"""A red flag's card: its urgency's admonition and words, what to do, where it leads; `self` on its own page."""


class Offered(TypedDict):
    """What a stage offers, as its page lists it."""

    link: Link
    summary: str
    type: str


class BenefitCell(TypedDict):
    """How well a treatment works, as its page and a step's comparison show it: words, a number only beside its
    source, or `awaiting` (a draft with nothing reviewed to say: the page says so, never a made-up number)."""

    words: str
    number: str
    source: Citation | None
    awaiting: bool


class FrequencyLine(TypedDict):
    """What a word in the risks ('rare') means, with its source."""

    word: str
    means: str
    source: Citation | None


class CompareRow(TypedDict):
    """One option in a step's "Compare your options" table (Option Grid style)."""

    link: Link
    type: str
    """What it is: its type in words ('Injection')."""
    benefit: BenefitCell
    risks: list[str]
    """Its first one or two risks, as written; more are on its page."""
    more_risks: int
    involved: str
    """What is involved: the first sentence of `what_to_expect` (Markdown, links resolved), else its summary."""
    involved_markdown: bool


class StageOnPathway(TypedDict):
    """A stage as its pathway's page lists it."""

    link: Link
    node: Node
    options: list[Link]
    checks_for: list[Link]
    when_to_move_on: str


class TranslationNotice(TypedDict):
    draft: bool
    untranslated: bool


@dataclass(frozen=True, kw_only=True)
class NodePage:
    """What every node page has. A kind with nothing more to show renders from this alone."""

    node: Node
    kind: str
    kind_title: str
    """The kind in a patient's words: 'Warning sign'."""
    type_title: str
    """A treatment's type in a patient's words ('Injection'); '' for the other kinds."""
    uri: str
    front_matter: dict[str, Any]
    body: str
    """The node's prose as Markdown, its `node:` links resolved."""
    breadcrumb: list[Link]
    crumb: str
    """The page's own last step of the breadcrumb."""
    where: str
    part_of: list[PlaceOnPathway]
    part_of_folded: bool
    """On more pathways than fit the first screen of a phone: the list is folded under its count."""
    prevnext: list[PrevNext]
    backlinks: list[Link]
    review: ReviewDates
    sources: list[Citation]
    """The node's own sources; on a page on one pathway, that pathway's context's too."""
    source_groups: list[SourceGroup]
    """On a page shared by several pathways: each pathway's context's sources, under its title."""
    contexts: list[PathwayNote]
    """The context (`in:`) of each pathway the page is on that has one, in the order of its placements."""
    get_help: GetHelp
    get_help_anchor: str
    """The safety box's id: the emergency line at the top of the page links to it."""
    emergency_link: str
    """Where the emergency line at the top of the page links ('#get-help', or a pathway's '#warning-signs'); '' for
    no line (a warning sign's page, whose own card says what to do)."""
    action_cards: list[CareCard]
    """The cards shown right under the title: a warning sign's own (what to do first); none on other pages."""
    owner: OwnerLine | None
    """Who answers for the page, when its pathway names an owner; None: the site's publisher (on the handout)."""
    local: LocalView | None
    """What the site's region adds to the page (its services, a note); None without a region or when it adds nothing."""
    translation: TranslationNotice
    """In a language edition: whether the page shows English where a translation is missing, and whether the
    translation awaits review; both false on an English page."""
    handout: str
    diagram: str
    """The page's flow chart as raw HTML; '' without diagrams."""
    overview: Link | str = ""
    """The link to the clinicians' overview of a pathway; '' elsewhere."""

    def variables(self) -> dict[str, Any]:
        """The template's variables: each field under its own name, as it is (`dataclasses.asdict` would copy
        the models and links into dicts)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class PathwayPage(NodePage):
    stages: list[StageOnPathway]
    """Each stage in order: its link, node, options, what the care team checks for, and when to move on."""
    warning_signs: list[HelpItem]
    """Every warning sign of the pathway, most urgent first: the full list each page's safety box links to."""
    warning_signs_anchor: str


@dataclass(frozen=True, kw_only=True)
class StagePage(NodePage):
    options: list[Offered]
    """The treatments offered: link, summary and type in words."""
    checks_for: list[Offered]
    """The conditions offered: not options a patient picks, but what the care team looks for."""
    when_to_move_on: str
    next_stages: list[Link]
    previous_stages: list[Link]
    compare: list[CompareRow]
    """The treatments offered, side by side: what each is, how well it works, its main risks, what is involved."""
    compare_others: list[Link]
    """The other options of the treatments compared (their `alternatives`, the stage's pathway's context's too)
    that the step does not offer, in the order they are listed: named after the table, to weigh up as well."""


@dataclass(frozen=True, kw_only=True)
class TreatmentPage(NodePage):
    get_help_lines: list[BoxGroup]
    """'Get help if': the treatment's own `get_help_if` lines that the box does not list, under their urgency and
    what to do, most urgent first."""
    how_it_helps: str
    what_to_expect: str
    relief_duration: str
    requires: list[Link]
    escalates_to: list[Link]
    returns_to: list[Link]
    conditions: list[Link]
    guidance: list[GuidanceView]
    """'What guidelines say': every statement in the order written, so where two sources disagree both show."""
    benefit: BenefitCell
    if_you_wait: str
    alternatives: list[Link]
    frequencies: list[FrequencyLine]


@dataclass(frozen=True, kw_only=True)
class ConditionPage(NodePage):
    outlook: str
    """'How it usually goes', as Markdown with its `node:` links resolved; '' when the entry has none."""
    treatments: list[Link]
    checks: list[Link]
    """The tests and visits (treatment types marked `visit`), listed apart."""


@dataclass(frozen=True, kw_only=True)
class IndicatorPage(NodePage):
    card: CareCard
    conditions: list[Link]
