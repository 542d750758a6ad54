"""Render the validated knowledge base into Markdown pages: `{src_uri: markdown}`. Pure: no I/O.

Sorting, grouping, placement on the journey and link resolution happen here in Python; the Jinja
templates only loop and branch. Templates can be overridden per site from `site_overrides/carepath/`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from carepath import urls as links
from carepath.model.graph import (
    KINDS,
    URGENCY_ORDER,
    Condition,
    Edge,
    EdgeKind,
    GetHelpItem,
    Indicator,
    KnowledgeBase,
    Node,
    Pathway,
    Placement,
    Source,
    Stage,
    Treatment,
    Urgency,
)
from carepath.model.kinds import KindTableError
from carepath.model.regions import Region
from carepath.problems import PathwayError, Problem, Suggester, local_elsewhere
from carepath.render.contexts import (
    BenefitCell,
    BoxGroup,
    BoxLine,
    BoxSection,
    CareCard,
    Citation,
    CompareRow,
    ConditionPage,
    FrequencyLine,
    GetHelp,
    GuidanceView,
    HelpItem,
    IndicatorPage,
    Link,
    LocalView,
    NodePage,
    Offered,
    OwnerLine,
    PathwayNote,
    PathwayPage,
    PlaceOnPathway,
    PrevNext,
    ReviewDates,
    ServiceView,
    SourceGroup,
    StageOnPathway,
    StagePage,
    TreatmentPage,
)
from carepath.render.signs import PathwaySigns, page_signs, shared_own_signs
from carepath.settings import Settings
from carepath.text.anchors import AnchorLink, anchor_problems
from carepath.text.escape import html_content, html_text, json_text, md_prose, md_text, meta_text
from carepath.validate.ownership import contact_href
from carepath.words import DEFAULT_EDITION, Words, words

TEMPLATE_OVERRIDE_SUBDIR = "carepath"
"""Page templates in `site_overrides/carepath/` replace the packaged ones of the same name."""


_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def first_sentence(markdown: str) -> str:
    """The first sentence of a Markdown text's first paragraph, on one line; the whole paragraph when a cut there
    would split a link or emphasis."""
    paragraph = " ".join(markdown.strip().split("\n\n", 1)[0].split())
    m = _SENTENCE_END.search(paragraph)
    if m is None:
        return paragraph
    head = paragraph[: m.start()]
    balanced = head.count("[") == head.count("]") and head.count("(") == head.count(")") and head.count("*") % 2 == 0 and head.count("_") % 2 == 0
    return head if balanced else paragraph


def long_date(day: dt.date | None, words: Words) -> str | None:
    """'1 December 2026': no leading zero, the month in words, so no reader confuses day and month."""
    if day is None:
        return None
    return words.get("date.long", day=day.day, month=words.get(f"date.month.{day.month}"), year=day.year)


WARNING_SIGNS_ANCHOR = "warning-signs"
GET_HELP_ANCHOR = "get-help"
"""The id of a page's safety box, which the emergency line at the top of the page links to."""
"""The heading of a pathway page's full list of warning signs, which every safety box links to."""

UNFOLDED_SECTIONS = 2
"""A shared page shows up to this many pathways' folds in its safety box; beyond that they fold once more under
their count, and so does the home page's list of each pathway's warning signs (tests/browser/test_safety_box.py
measures the box on a phone)."""

UNFOLDED_PLACES = 3
"""A shared page lists up to this many pathways it is on ("Part of: ...") in full, with their steps; beyond that
the list folds under its count, so that with the folded box the page's first section still starts on a phone's
first screen."""

_DIAGRAM_SLOT = '<div class="cp-diagram" data-carepath-slot="diagram"></div>'
"""Stands in for a page's diagram (block-level HTML, like the diagram) while the glossary reads the page."""


class RenderedNode(NamedTuple):
    """A node's page and what rendering it noted for the checks made once every page is rendered."""

    text: str
    anchor_links: list[AnchorLink]
    problems: list[Problem]


@dataclass(frozen=True)
class RenderOptions:
    today: dt.date = field(default_factory=dt.date.today)
    site_url: str | None = None
    site_name: str = Settings.site_name
    publisher: str | None = None
    """Who publishes the site (`mkdocs.yml` `site_author`, or the plugin's `publisher`); printed on handouts."""
    content_version: str | None = None
    """The version of the content (the plugin's `content_version`); printed on handouts with the build date."""
    urls: links.Urls = links.DIRECTORY_URLS
    """Where the site's pages live and how they link (`Settings.urls`)."""
    overrides_dir: Path | None = None
    """The theme's `custom_dir`; page templates are looked up in its `carepath/` folder first."""
    annotate: Callable[[str, KnowledgeBase, str], str] | None = None
    """Optional last pass over each node page's Markdown (the glossary uses it to explain terms)."""
    diagrams: Any = None
    """Optional diagrams provider (the `carepath.diagram` package): journey, stage slice and overview HTML."""
    page_extras: Callable[[Renderer, str, str], dict[str, Any]] | None = None
    """Per node page: `(renderer, node_id, src_uri) -> {"front_matter": {...}, "handout": markdown}`."""
    qr: Callable[[str, str], str] | None = None
    """Makes a handout's QR code, `(text, label) -> svg`: `qr.qr_svg` when None, else the build cache's memo of it."""
    language: str = DEFAULT_EDITION
    """The words catalogue every page, diagram and handout is written from (`carepath/words/<language>.yml`)."""
    url_prefix: str = ""
    """The folder the pages are published in (the plugin's `url_prefix`): site-relative URLs in exports name it."""
    region: Region | None = None
    """The regional overlay the site is built with (the plugin's `region`): its services and notes on their nodes."""



def way_forward(kb: KnowledgeBase, node_id: str, place: Placement) -> tuple[str | None, str | None]:
    """The page before and after `node_id` on one pathway, in the order a reader goes through their care.

    The pathway's page leads to its first step; a step to the next step (its options are listed on it); an option
    of a step to the step's next option, and from its last option to the next step. A warning sign, and a page on
    no step, lead nowhere: they are reached from a page, not read in turn."""
    stages = list(place.pathway.stages)
    if node_id == place.pathway.id:
        return None, stages[0] if stages else None
    if place.stage is None or isinstance(kb.nodes[node_id], Indicator):
        return None, None
    i = stages.index(place.stage.id)
    next_stage = stages[i + 1] if i + 1 < len(stages) else None
    if node_id == place.stage.id:
        return (stages[i - 1] if i > 0 else place.pathway.id), next_stage
    # The step's options in reading order (the journey's), each placed on this step on this pathway.
    options = [n for n in place.order if n != place.stage.id and _on_step(kb, n, place)]
    j = options.index(node_id)
    return (options[j - 1] if j > 0 else place.stage.id), (options[j + 1] if j + 1 < len(options) else next_stage)


def _on_step(kb: KnowledgeBase, node_id: str, place: Placement) -> bool:
    """Whether `node_id` sits on `place`'s step of `place`'s pathway (and is not a warning sign)."""
    if isinstance(kb.nodes[node_id], Indicator):
        return False
    return any(p.pathway.id == place.pathway.id and p.stage is not None and place.stage is not None and p.stage.id == place.stage.id for p in kb.placements(node_id))


def sign_groups(lines: list[tuple[Urgency, str, str, BoxLine]]) -> list[BoxGroup]:
    """Signs, in order, as (urgency, label, what to do, line), under one line for each label and what to do:
    four emergency signs that each say "Call 911" take five short lines, not four long ones, and a crisis line
    among them gets its own. A group stands where its first sign stood; the signs come most urgent first, so
    the groups do too."""
    groups: dict[tuple[str, str], BoxGroup] = {}
    for urgency, label, action, line in lines:
        group = groups.setdefault((label, action), {"label": label, "urgency": urgency.value, "action": action, "lines": []})
        group["lines"].append(line)
    return list(groups.values())


class Renderer:
    def __init__(self, kb: KnowledgeBase, options: RenderOptions) -> None:
        self.kb = kb
        self.options = options
        self.several = len(kb.pathways) > 1
        """With one pathway, pages need not say which pathway they mean."""
        self.problems: list[Problem] = []
        self.anchor_links: list[AnchorLink] = []
        """`#anchor` links in prose, checked once every page is rendered."""
        self.words = words(options.language)
        self.env = _environment(options.overrides_dir, self.words)

    # --- link helpers ---

    def link(self, from_uri: str, node_id: str, with_step: bool = False, pathway: Pathway | None = None) -> Link:
        node = self.kb.nodes[node_id]
        text = node.title
        if with_step and isinstance(node, Stage):
            text = self.step_title(node_id, pathway)
        return Link(text, links.md_link(from_uri, links.node_uri(node_id)))

    def url_link(self, from_uri: str, node_id: str) -> Link:
        """`link`, for raw HTML: the URL of the node's page relative to `from_uri`'s, which MkDocs does not rewrite. The
        long lists of the site-wide pages (A to Z, clinical codes) are raw HTML: Python-Markdown reads a list of
        thousands of Markdown links about 4 times slower than the same list as HTML, and MkDocs then resolves
        each link again."""
        return Link(self.kb.nodes[node_id].title, self.options.urls.url_link(from_uri, links.node_uri(node_id)))

    def placement(self, node_id: str, pathway: Pathway | None = None) -> Placement | None:
        """The node's place on `pathway`, or its first place when no pathway is given."""
        for place in self.kb.placements(node_id):
            if pathway is None or place.pathway is pathway:
                return place
        return None

    def step_title(self, stage_id: str, pathway: Pathway | None = None) -> str:
        place = self.placement(stage_id, pathway)
        stage = self.kb.nodes[stage_id]
        if place and place.step:
            return self.words.get("page.step_of", step=place.step, steps=len(place.pathway.stages), title=stage.title)
        return stage.title

    def prose(self, node_id: str, text: str | None, from_uri: str, within: str | None = None) -> str:
        """A node's Markdown with its `node:` links made page links; `within`: the pathway whose context (`in:`)
        the text is, whose namespace its links resolve in."""
        if not text:
            return ""

        who = f"{self.kb.kind(node_id)} '{node_id}'"
        where = self.kb.positions[node_id]

        def resolve(target: str) -> str | None:
            ident, _, anchor = target.partition("#")
            ident = self.kb.resolve(ident, node_id, within) or ident
            if ident in self.kb.nodes:
                if anchor:
                    self.anchor_links.append(AnchorLink(where, who, f"node:{target}", links.node_uri(ident), anchor))
                return links.md_link(from_uri, links.node_uri(ident), anchor)
            options = self.kb.choices(ident, node_id, within)
            if options:
                self.problems.append(Problem(where, f"{who}: node link 'node:{ident}' in its text names {local_elsewhere(ident, options, 'node:')}"))
                return None
            hint = Suggester(self.kb.names()).hint(ident, partial(self.kb.means, from_id=node_id, within=within))
            self.problems.append(Problem(where, f"{who}: unknown node link 'node:{ident}' in its text{hint}"))
            return None

        def same_page(anchor: str) -> None:
            self.anchor_links.append(AnchorLink(where, who, f"#{anchor}", from_uri, anchor))

        return md_prose(text, resolve, anchor=same_page)

    # --- page parts ---

    def breadcrumb(self, node_id: str, uri: str) -> list[Link]:
        """Pathway › step › page, for a node on one pathway; a shared node names its places in `part_of`."""
        places = self.kb.placements(node_id)
        if len(places) != 1:
            return []
        place = places[0]
        crumbs = []
        if node_id != place.pathway.id:
            crumbs.append(self.link(uri, place.pathway.id))
        if place.stage and place.stage.id != node_id:
            crumbs.append(self.link(uri, place.stage.id, with_step=True, pathway=place.pathway))
        return crumbs

    def where(self, node_id: str) -> str:
        """'Step 2 of 4: Non-invasive options' for a node on one stage of one pathway, '' otherwise."""
        places = self.kb.placements(node_id)
        if len(places) == 1 and places[0].stage:
            return self.step_title(places[0].stage.id, places[0].pathway)
        return ""

    def part_of(self, node_id: str, uri: str) -> list[PlaceOnPathway]:
        """For a node on more than one pathway: each pathway and the step it is on there."""
        places = self.kb.placements(node_id)
        if len(places) < 2:
            return []
        return [
            {
                "pathway": self.link(uri, p.pathway.id),
                "step": self.link(uri, p.stage.id, with_step=True, pathway=p.pathway) if p.stage and p.stage.id != node_id else None,
            }
            for p in places
        ]

    def prev_next(self, node_id: str, uri: str) -> list[PrevNext]:
        """One row of previous/next per pathway the node is on, each labelled with its pathway when there are several.

        The one way forward through a pathway (`way_forward`): the page is the only place that says "next" (Material's
        footer row is hidden on node pages), so the article and the footer can never disagree."""
        rows: list[PrevNext] = []
        places = self.kb.placements(node_id)
        for place in places:
            before, after = way_forward(self.kb, node_id, place)
            prev = self.link(uri, before, with_step=True, pathway=place.pathway) if before else None
            nxt = self.link(uri, after, with_step=True, pathway=place.pathway) if after else None
            if prev or nxt:
                rows.append({"pathway": self.link(uri, place.pathway.id) if len(places) > 1 else None, "prev": prev, "next": nxt})
        return rows

    def backlinks(self, node_id: str, uri: str) -> list[Link]:
        """The pages that link here, each with the pathway and step it is on. Only pages of the pathways this page
        is on, or shared ones: another pathway's own page (a cross-link by full id) is not listed."""
        items = []
        vocabulary = self.kb.vocabulary_of(self.kb.scope(node_id))
        here = {p.pathway.id for p in self.kb.placements(node_id)}
        for e in self.kb.in_edges(node_id):
            if e.kind == EdgeKind.includes:
                continue
            home = self.kb.scope(e.source)
            if here and home is not None and home not in here:
                continue
            link = self.link(uri, e.source, with_step=True)
            note = vocabulary.edge_label(e.kind, backward=True)
            # A link written in one pathway's context (`in:`) is that pathway's alone.
            places = [p for p in self.kb.placements(e.source) if e.holds_in(p.pathway.id)]
            if self.several and places:
                note += " (" + "; ".join(self._place_words(e.source, p) for p in places) + ")"
            elif len(places) == 1 and places[0].stage and self.kb.kind(e.source) != "stage":
                note += f" ({self.step_title(places[0].stage.id, places[0].pathway)})"
            items.append((vocabulary.edge_label(e.kind, backward=True), link.text.casefold(), Link(link.text, link.href, note)))
        items.sort(key=lambda t: (t[0], t[1]))
        return [t[2] for t in items]

    def _place_words(self, node_id: str, place: Placement) -> str:
        """'Back pain: step 2 of 4' — which pathway, and where on it."""
        if place.stage and place.stage.id != node_id or isinstance(self.kb.nodes[node_id], Stage) and place.step:
            return self.words.get("page.pathway_step", pathway=place.pathway.title, step=place.step, steps=len(place.pathway.stages))
        return place.pathway.title

    def targets(self, node_id: str, kind: EdgeKind, uri: str) -> list[Link]:
        return [self.link(uri, e.target, with_step=True) for e in self.edges_here(node_id, kind)]

    def inline_pathway(self, node_id: str) -> str | None:
        """The one pathway a page is on, whose context (`in:`) the page reads as its own; None on a page shared by several."""
        places = self.kb.placements(node_id)
        return places[0].pathway.id if len(places) == 1 else None

    def edges_here(self, node_id: str, kind: EdgeKind) -> list[Edge]:
        """A node's edges of `kind` that its page lists as its own: its own edges, and on a page on one pathway,
        those of that pathway's context. (On a page shared by several, each context's go in its own part.)"""
        inline = self.inline_pathway(node_id)
        return [e for e in self.kb.out_edges(node_id, kind) if e.holds_in(inline)]

    def pathway_contexts(self, node_id: str, uri: str) -> list[PathwayNote]:
        """The context (`in:`) of each pathway the page is on, in the order of its placements: folded under the
        pathway's title on a page shared by several, inline on a page on one."""
        node = self.kb.nodes[node_id]
        if not node.contexts:
            return []
        places = self.kb.placements(node_id)
        folded = len(places) > 1
        out: list[PathwayNote] = []
        for place in places:
            pid = place.pathway.id
            context = node.contexts.get(pid)
            if context is None:
                continue
            related = [e for e in self.kb.out_edges(node_id, EdgeKind.relevant_to) if e.pathway == pid] if folded else []
            others = [e for e in self.kb.out_edges(node_id, EdgeKind.alternative_to) if e.pathway == pid] if folded else []
            note = self.prose(node_id, context.note, uri, within=pid)
            if note or related or others:
                out.append(
                    {
                        "pathway": self.link(uri, pid),
                        "note": note,
                        "links": [self.link(uri, e.target, with_step=True) for e in related],
                        "links_label": self.kb.vocabulary_of(pid).edge_label(EdgeKind.relevant_to).capitalize(),
                        "alternatives": [self.link(uri, e.target, with_step=True) for e in others],
                        "folded": folded,
                    }
                )
        return out

    def flag_ids(self, node_id: str) -> list[str]:
        """The red flags that apply on a node's page: its pathways' and its stages' own, without repeats."""
        node = self.kb.nodes[node_id]
        ids: list[str] = []

        def add(more: list[str]) -> None:
            ids.extend(i for i in more if i not in ids)

        if isinstance(node, Pathway):
            return self.kb.red_flags_of(node_id)
        for place in self.kb.placements(node_id):
            add([e.target for e in self.kb.out_edges(place.pathway.id, EdgeKind.flags)])
            if place.stage:
                add([e.target for e in self.kb.out_edges(place.stage.id, EdgeKind.flags)])
        return ids

    def get_help(self, node_id: str, uri: str) -> GetHelp:
        """The safety box of a page (under its first section; an emergency line at the top links to it), and the page's other warning signs, listed further down.

        The box lists at most four signs for each pathway the page is on, chosen for the page (`signs.py`),
        and links to the pathway's full list of warning signs. A page on several pathways folds each
        pathway's part under its title, so no reader meets another pathway's signs in their list. The red
        flags of the page's pathways and stages that the box leaves out are `other` (a stage page lists them),
        so every red flag a stage names is on its page.
        """
        chosen = page_signs(self.kb, node_id)
        sections = [s for s in (self.box_section(p, uri, self.kb.scope(node_id)) for p in chosen) if s["groups"]]
        # On a page on several pathways the treatment's own signs are the same for each: listed once, above the folds.
        shared = shared_own_signs(self.kb, node_id) if sections else ()
        vocabulary = self.kb.vocabulary_of(self.kb.scope(node_id))
        own = sign_groups([(s.urgency, vocabulary.urgency_label(s.urgency), self.route_words(s.own), BoxLine(link=None, text=s.own.text)) for s in shared if s.own])
        in_box = {sign.indicator for part in chosen for sign in part.shown}
        several = len(self.kb.placements(node_id)) > 1
        scope = self.kb.scope(node_id)
        other = [self.help_item(f, uri, scope, several) for f in self.flag_ids(node_id) if f not in in_box]
        other.sort(key=lambda i: (URGENCY_ORDER[i["node"].urgency], i["node"].title.casefold()))
        own_shown = sorted({sign.order for sign in [*shared, *(s for part in chosen for s in part.shown)] if sign.own is not None})
        return {"sections": sections, "folded": len(sections) > UNFOLDED_SECTIONS, "other": other, "own": own, "own_shown": own_shown}

    def help_item(self, flag_id: str, uri: str, scope: str | None, several: bool = False) -> HelpItem:
        """A red flag as a line of a list on a page of pathway `scope` (None: a shared page): its urgency in
        words, its link, what to do; with `several`, its pathways."""
        ind = self.kb.nodes[flag_id]
        assert isinstance(ind, Indicator)
        return {
            "node": ind,
            "label": self.sign_label(ind, scope),
            "link": self.link(uri, flag_id),
            "pathways": "; ".join(p.pathway.title for p in self.kb.placements(flag_id)) if several else "",
        }

    def sign_label(self, ind: Indicator, scope: str | None) -> str:
        """A sign's urgency in words on a page of pathway `scope`: a pathway's pages speak its words; a shared page
        (None) gives each pathway's own sign that pathway's words, and a shared sign the site's."""
        return self.kb.vocabulary_of(scope or self.kb.scope(ind.id)).urgency_label(ind.urgency)

    def box_section(self, signs: PathwaySigns, uri: str, scope: str | None) -> BoxSection:
        """One pathway's part of the safety box on a page of pathway `scope` (None: a shared page): its lines, and
        the link to its full list that says how many more there are; each sign's urgency as `sign_label` says it."""
        lines: list[tuple[Urgency, str, str, BoxLine]] = []
        for sign in signs.shown:
            if sign.own is not None:
                label, action = self.kb.vocabulary_of(scope).urgency_label(sign.urgency), self.route_words(sign.own)
                lines.append((sign.urgency, label, action, BoxLine(link=None, text=sign.own.text)))
            elif sign.indicator is not None:
                ind = self.kb.nodes[sign.indicator]
                assert isinstance(ind, Indicator)
                lines.append((sign.urgency, self.sign_label(ind, scope), self.words.action(ind.urgency.value, ind.action), BoxLine(link=self.link(uri, ind.id), text="")))
        groups = sign_groups(lines)
        pathway = signs.pathway
        total = len(signs.all_signs)
        return {
            "pathway": self.link(uri, pathway.id),
            "groups": groups,
            "emergencies": signs.emergencies,
            "more_emergencies": signs.more_emergencies,
            "all_signs": Link(
                # On a page of one pathway the box is that pathway's: its name would only make the line longer.
                self.words.get("get_help.see_all", count=total, pathway=pathway.title)
                if len(self.kb.placements(signs.node_id)) > 1
                else self.words.get("get_help.see_all_here", count=total),
                links.md_link(uri, links.node_uri(pathway.id), WARNING_SIGNS_ANCHOR),
            ),
            "more": signs.more,
        }

    def route_words(self, item: GetHelpItem) -> str:
        """What to do for a treatment's own sign: its route's words, else its urgency's (`routes.<route>`)."""
        return self.words.get(f"routes.{(item.route or item.level).value}")

    def get_help_lines(self, node: Treatment, shown: list[int]) -> list[BoxGroup]:
        """A treatment's own signs that the box does not list (`shown`), grouped as the box groups them: under
        their urgency's label and what to do, most urgent first, in the author's order within each."""
        vocabulary = self.kb.vocabulary_of(self.kb.scope(node.id))
        rest = sorted((item for i, item in enumerate(node.get_help_if) if i not in shown), key=lambda item: URGENCY_ORDER[item.level])
        return sign_groups([(item.level, vocabulary.urgency_label(item.level), self.route_words(item), BoxLine(link=None, text=item.text)) for item in rest])

    def warning_signs(self, pathway_id: str, uri: str) -> list[HelpItem]:
        """A pathway's full list of warning signs, most urgent first, each urgency in the order the author listed them."""
        flags = self.kb.red_flags_of(pathway_id)
        items = [self.help_item(f, uri, pathway_id) for f in flags]
        return sorted(items, key=lambda i: URGENCY_ORDER[i["node"].urgency])  # stable: the author's order within an urgency

    def care_card(self, indicator_id: str, uri: str) -> CareCard:
        ind = self.kb.nodes[indicator_id]
        assert isinstance(ind, Indicator)
        level = self.kb.vocabulary_of(self.kb.scope(indicator_id)).urgency[ind.urgency]
        admonition, label = level.admonition, level.label
        return {
            "node": ind,
            "admonition": admonition,
            "label": label,
            "link": self.link(uri, indicator_id),
            "self": uri == links.node_uri(indicator_id),
            "go_to": self.targets(indicator_id, EdgeKind.refers_to, uri),
        }

    def local(self, node_id: str) -> LocalView | None:
        """What the site's region adds to a node's page: its services there and its note; None for none."""
        region = self.options.region
        found = region.local.get(node_id) if region else None
        if region is None or found is None:
            return None
        services: list[ServiceView] = [
            {
                "anchor": f"local-{s.id}",
                "name": s.name,
                "phone": s.phone or "",
                "phone_href": contact_href(s.phone) if s.phone else "",
                "address": s.address or "",
                "opening_hours": s.opening_hours or "",
                "referral_criteria": s.referral_criteria or "",
                "note": s.note or "",
            }
            for s in found.services
        ]
        return {
            "region": region.info.title,
            "example": region.info.example,
            "summary_addition": found.summary_addition or "",
            "note": found.note or "",
            "referral_criteria": found.referral_criteria or "",
            "services": services,
        }

    def owner(self, node_id: str) -> OwnerLine | None:
        """Who answers for a page of a pathway with an `owner:`; None for the others (the site's publisher, on handouts)."""
        owner = self.kb.owner_of(self.kb.scope(node_id))
        if owner is None:
            return None
        contact = owner.contact or ""
        return {"publisher": owner.publisher, "contact": contact, "contact_href": contact_href(contact) if contact else "", "reviewer": owner.reviewer or ""}

    def review(self, node: Node) -> ReviewDates:
        """Review dates as people read them ('10 January 2026'), NHS style."""
        r = node.review
        return {
            "status": r.status,
            "last_reviewed": long_date(r.last_reviewed, self.words),
            "next_review": long_date(r.next_review, self.words),
            "written": long_date(r.written, self.words),
            "reviewer": r.reviewer,
            "due": bool(r.next_review and r.next_review < self.options.today),
        }

    def sources(self, node: Node) -> list[Citation]:
        """Citations in the order written: the title (linked when there is a URL) and 'Publisher, year'. On a
        page on one pathway, that pathway's context's (`in:`) follow the node's own."""
        inline = self.inline_pathway(node.id) if node.contexts else None
        context = node.contexts.get(inline) if inline else None
        return self.citations([*node.sources, *(context.sources if context else [])])

    def source_groups(self, node: Node) -> list[SourceGroup]:
        """On a page shared by several pathways: each pathway's context's sources, under the pathway's title."""
        if not node.contexts or self.inline_pathway(node.id):
            return []
        groups: list[SourceGroup] = []
        for place in self.kb.placements(node.id):
            context = node.contexts.get(place.pathway.id)
            if context and context.sources:
                groups.append({"pathway": place.pathway.title, "sources": self.citations(context.sources)})
        return groups

    def citations(self, sources: Iterable[str | Source]) -> list[Citation]:
        """Each citation as the page lists it; an id reads its entry in the sources register."""
        out: list[Citation] = []
        for cite in sources:
            s = self.kb.sources[cite] if isinstance(cite, str) else cite
            where = ", ".join(p for p in (s.publisher, str(s.year) if s.year else None) if p)
            out.append({"title": s.title, "url": s.url or "", "where": where})
        return out

    # --- pages ---

    def context(self, node_id: str) -> NodePage:
        """The typed context of a node's page: from its kind's builder in `PAGES`, else the common one."""
        build = PAGES.get(self.kb.kind(node_id), Renderer.node_page)
        return build(self, self.kb.nodes[node_id], links.node_uri(node_id))

    def common(self, node_id: str, uri: str, *, crumb: str | None = None, get_help: bool = True) -> dict[str, Any]:
        """The fields every node page has (`NodePage`) but its diagram, for a kind's builder to add its own to."""
        kb = self.kb
        node = kb.nodes[node_id]
        typed = kb.treatment_kind(node_id)
        help_box = self.get_help(node_id, uri) if get_help else GetHelp(sections=[], folded=False, other=[], own=[], own_shown=[])
        # The emergency line at the top links to the page's warning signs: a pathway's full list on its own page,
        # elsewhere the page's safety box.
        if isinstance(node, Pathway):
            emergency_link = "#" + WARNING_SIGNS_ANCHOR if kb.red_flags_of(node_id) else ""
        else:
            emergency_link = "#" + GET_HELP_ANCHOR if help_box["sections"] else ""
        common: dict[str, Any] = {
            "node": node,
            "kind": kb.kind(node_id),
            "kind_title": kb.kind_of(node_id).title(self.words),
            "type_title": typed.label if typed else "",
            "uri": uri,
            # Material's footer row of previous/next follows the site's navigation, not the pathway: the page's own
            # row (`prev_next`) is the one way forward.
            "front_matter": {"title": meta_text(node.title), "description": meta_text(node.summary), "hide": ["footer"]},
            "body": self.prose(node_id, node.body, uri),
            "breadcrumb": self.breadcrumb(node_id, uri),
            "crumb": node.title if crumb is None else crumb,
            "where": self.where(node_id),
            "part_of": self.part_of(node_id, uri),
            "part_of_folded": len(kb.placements(node_id)) > UNFOLDED_PLACES,
            "prevnext": self.prev_next(node_id, uri),
            "backlinks": self.backlinks(node_id, uri),
            "review": self.review(node),
            "sources": self.sources(node),
            "source_groups": self.source_groups(node),
            "contexts": self.pathway_contexts(node_id, uri),
            "get_help_anchor": GET_HELP_ANCHOR,
            "get_help": help_box,
            "emergency_link": emergency_link,
            "action_cards": [],
            "owner": self.owner(node_id),
            "local": self.local(node_id),
            "translation": {"draft": kb.translation_draft, "untranslated": node_id in kb.untranslated},
        }
        extras = self.options.page_extras(self, node_id, uri) if self.options.page_extras else {}
        common["front_matter"].update(extras.get("front_matter", {}))
        if "tags" in common["front_matter"]:
            # The search words (`tags`) are never shown: a theme that draws a page's tags (Zensical's does, with
            # no tags plugin) leaves them out, as Material without its tags plugin does anyway.
            common["front_matter"]["hide"] = [*common["front_matter"]["hide"], "tags"]
        common["handout"] = extras.get("handout", "")
        return common

    def around(self, node_id: str, uri: str) -> str:
        """The flow chart on a node's page: the stage flow around it on each pathway it is on."""
        return self._slices(node_id, None, uri) if self.options.diagrams else ""

    def node_page(self, node: Node, uri: str) -> NodePage:
        return NodePage(**self.common(node.id, uri), diagram=self.around(node.id, uri))

    def pathway_page(self, node: Pathway, uri: str) -> PathwayPage:
        kb = self.kb
        common = self.common(node.id, uri)
        stages: list[StageOnPathway] = [
            {
                "link": self.link(uri, s, with_step=True, pathway=node),
                "node": kb.nodes[s],
                "options": [self.link(uri, e.target) for e in kb.out_edges(s, EdgeKind.offers) if kb.kind(e.target) != "condition"],
                "checks_for": [self.link(uri, e.target) for e in kb.out_edges(s, EdgeKind.offers) if kb.kind(e.target) == "condition"],
                "when_to_move_on": self.prose(s, getattr(kb.nodes[s], "when_to_move_on", None), uri),
            }
            for s in node.stages
        ]
        diagrams = self.options.diagrams
        return PathwayPage(
            **common,
            stages=stages,
            warning_signs=self.warning_signs(node.id, uri),
            warning_signs_anchor=WARNING_SIGNS_ANCHOR,
            diagram=diagrams.journey_html(kb, node, uri, urls=self.options.urls, words=self.words) if diagrams else "",
            # The overview is big (every node and edge, inline SVG): it gets a page of its own, so
            # the page patients open on a phone stays light.
            overview=Link(self.words.get("overview.title"), links.md_link(uri, links.overview_uri(node.id))) if diagrams else "",
        )

    def stage_page(self, node: Stage, uri: str) -> StagePage:
        kb = self.kb
        node_id = node.id
        common = self.common(node_id, uri, crumb=self.step_title(node_id))
        offers = kb.out_edges(node_id, EdgeKind.offers)
        compared = [e.target for e in offers if isinstance(kb.nodes[e.target], Treatment)]
        offered: list[Offered] = [
            {"link": self.link(uri, e.target), "summary": kb.nodes[e.target].summary, "type": kb.type_title(e.target, self.words)} for e in offers
        ]
        return StagePage(
            **common,
            # Conditions are not options a patient picks: they are what the care team looks for.
            options=[o for e, o in zip(offers, offered) if kb.kind(e.target) != "condition"],
            checks_for=[o for e, o in zip(offers, offered) if kb.kind(e.target) == "condition"],
            when_to_move_on=self.prose(node_id, node.when_to_move_on, uri),
            next_stages=self.targets(node_id, EdgeKind.escalates_to, uri),
            previous_stages=[self.link(uri, e.source, with_step=True) for e in kb.in_edges(node_id, EdgeKind.escalates_to)],
            compare=[self.compare_row(t, uri) for t in compared],
            compare_others=self.compare_others(node_id, compared, uri),
            diagram=self._slices(node_id, node_id, uri) if self.options.diagrams else "",
        )

    def compare_others(self, stage_id: str, compared: list[str], uri: str) -> list[Link]:
        """The alternatives of a step's options that its table does not compare, each once, as the step's pathway
        sees them: a shared option's own, and those of that pathway's context (`in.<pathway>.alternatives`)."""
        places = self.kb.placements(stage_id)
        pathway = places[0].pathway.id if places else self.kb.scope(stage_id)
        others: list[str] = []
        for option in compared:
            for e in self.kb.out_edges(option, EdgeKind.alternative_to):
                if e.holds_in(pathway) and self.kb.scope(e.target) in (None, pathway) and e.target not in compared and e.target not in others:
                    others.append(e.target)
        return [self.link(uri, t) for t in others]

    COMPARE_RISKS = 2
    """Risks a step's comparison shows for each option: the first ones written; its page lists them all."""

    def compare_row(self, node_id: str, uri: str) -> CompareRow:
        node = self.kb.nodes[node_id]
        assert isinstance(node, Treatment)
        involved = first_sentence(node.what_to_expect or "")
        return {
            "link": self.link(uri, node_id),
            "type": self.kb.type_title(node_id, self.words),
            "benefit": self.benefit(node),
            "risks": node.risks[: self.COMPARE_RISKS],
            "more_risks": max(0, len(node.risks) - self.COMPARE_RISKS),
            "involved": self.prose(node_id, involved, uri) if involved else node.summary,
            "involved_markdown": bool(involved),
        }

    def benefit(self, node: Treatment) -> BenefitCell:
        """How well it works: a number only with its source (validation refuses one without)."""
        b = node.benefit
        if b is None:
            return {"words": "", "number": "", "source": None, "awaiting": True}
        source = self.citations([b.source])[0] if b.source else None
        return {"words": b.words, "number": b.number if b.number and source else "", "source": source, "awaiting": False}

    def treatment_page(self, node: Treatment, uri: str) -> TreatmentPage:
        node_id = node.id
        common = self.common(node_id, uri)
        return TreatmentPage(
            **common,
            get_help_lines=self.get_help_lines(node, common["get_help"]["own_shown"]),
            how_it_helps=self.prose(node_id, node.how_it_helps, uri),
            what_to_expect=self.prose(node_id, node.what_to_expect, uri),
            relief_duration=self.prose(node_id, node.relief_duration, uri),
            requires=self.targets(node_id, EdgeKind.requires, uri),
            escalates_to=self.targets(node_id, EdgeKind.escalates_to, uri),
            returns_to=self.targets(node_id, EdgeKind.returns_to, uri),
            conditions=self.targets(node_id, EdgeKind.relevant_to, uri),
            guidance=self.guidance(node, uri),
            benefit=self.benefit(node),
            if_you_wait=node.if_you_wait or "",
            alternatives=self.targets(node_id, EdgeKind.alternative_to, uri),
            frequencies=[
                FrequencyLine(word=f.word, means=f.means, source=self.citations([f.source])[0] if f.source else None) for f in node.frequency if f.source
            ],
            diagram=self.around(node_id, uri),
        )

    def guidance(self, node: Treatment, uri: str) -> list[GuidanceView]:
        """The treatment's guideline statements as its page shows them, each with its source from the register."""
        out: list[GuidanceView] = []
        for g in node.guidance:
            targets = [self.kb.resolve(ref, node.id) for ref in g.conditions]
            out.append(
                {
                    "strength": self.words.get(f"guidance.strength.{g.strength}"),
                    "strength_key": g.strength,
                    "statement": g.statement,
                    "conditions": [self.link(uri, t) for t in targets if t is not None],
                    "situation": g.situation or "",
                    "source": self.citations([g.source])[0],
                }
            )
        return out

    def indicator_page(self, node: Indicator, uri: str) -> IndicatorPage:
        # Its own care card says what to do, right under the title: no "get help" box, no emergency line.
        common = self.common(node.id, uri, get_help=False)
        card = self.care_card(node.id, uri)
        common["action_cards"] = [card]
        return IndicatorPage(
            **common,
            card=card,
            conditions=self.targets(node.id, EdgeKind.relevant_to, uri),
            diagram=self.around(node.id, uri),
        )

    def condition_page(self, node: Condition, uri: str) -> ConditionPage:
        common = self.common(node.id, uri)
        related = [(e.target, self.link(uri, e.target, with_step=True)) for e in self.edges_here(node.id, EdgeKind.relevant_to)]
        return ConditionPage(
            **common,
            outlook=self.prose(node.id, node.outlook, uri),
            treatments=[link for t, link in related if not self._is_check(t)],
            checks=[link for t, link in related if self._is_check(t)],
            diagram=self.around(node.id, uri),
        )

    def _slices(self, node_id: str, stage_id: str | None, uri: str) -> str:
        """The stage flow around a node, once for each pathway it is on, each headed by its pathway when there are several."""
        diagrams = self.options.diagrams
        places = [p for p in self.kb.placements(node_id) if stage_id or p.stage]
        parts = []
        for place in places:
            stage = stage_id or (place.stage.id if place.stage else "")
            html = diagrams.stage_slice_html(
                self.kb, place.pathway, stage, uri, here=node_id, urls=self.options.urls, words=self.words
            )
            if len(places) > 1:
                href = self.options.urls.url_link(uri, links.node_uri(place.pathway.id))
                link = f'<a href="{html_text(href)}">{html_text(place.pathway.title)}</a>'
                html = f'<p class="cp-slice-pathway">{self.words.get("page.in_pathway", pathway=link)}</p>\n' + html
            parts.append(html)
        return "\n".join(parts)  # no blank line: the flows sit in one raw HTML block

    def _is_check(self, node_id: str) -> bool:
        typed = self.kb.treatment_kind(node_id)
        return typed is not None and typed.visit

    def page(self, src_uri: str, render: Callable[[], str], given: Iterable[str] = (), key: str = "", what: str = "page") -> str:
        """A page's Markdown, from `render()`. `given`: node ids, and `key`: any other data, that `render`
        uses without looking them up on `self.kb`; `what` it is ('page', or 'export' for a data file).
        (`incremental.IncrementalRenderer` reuses them.)"""
        return render()

    def render_all(self, rendered: Mapping[str, RenderedNode] | None = None) -> dict[str, str]:
        """Every generated page: `{src_uri: markdown}`, in a stable order. Raises `PathwayError` on bad links in prose.

        `rendered`: node pages already made elsewhere (`render_node_noted`, in another process), by node id; each is
        put in its place, with what rendering it noted, as if it had been rendered here."""
        kb = self.kb
        pages: dict[str, str] = {}
        for node_id in sorted(kb.nodes):
            done = rendered.get(node_id) if rendered else None
            if done is None:
                pages[links.node_uri(node_id)] = self.render_node(node_id)
            else:
                pages[links.node_uri(node_id)] = done.text
                self.anchor_links += done.anchor_links
                self.problems += done.problems
        if self.options.diagrams is not None:
            for pathway in kb.pathways:
                pages[links.overview_uri(pathway.id)] = self.render_overview(pathway)
        pages[links.PATHWAYS_URI] = self.render_pathway_index()
        pages[links.HOME_URI] = self.render_home()
        pages[links.A_TO_Z_URI] = self.render_a_to_z()
        pages[links.GLOSSARY_URI] = self.render_glossary()
        for pathway in pathway_glossaries(kb):
            pages[links.glossary_uri(pathway.id)] = self.render_glossary(pathway)
        self.problems += anchor_problems(pages, self.anchor_links)
        if self.problems:
            raise PathwayError(self.problems)
        return pages

    def render_node_noted(self, node_id: str) -> RenderedNode:
        """A node's page with the problems and anchor links rendering it noted, taken off this renderer's lists (for
        `render_all` to put back in order)."""
        links_before, problems_before = len(self.anchor_links), len(self.problems)
        text = self.render_node(node_id)
        done = RenderedNode(text, self.anchor_links[links_before:], self.problems[problems_before:])
        del self.anchor_links[links_before:], self.problems[problems_before:]
        return done

    def render_node(self, node_id: str) -> str:
        page = self.context(node_id)
        variables = page.variables()
        if self.options.annotate and page.diagram:
            # The glossary links nothing inside a diagram, and reading ~35 KB of its HTML would be most of
            # the pass's work: it reads an empty element of the same kind, then the diagram goes back in.
            variables["diagram"] = _DIAGRAM_SLOT
        text = self.env.get_template(self.kb.kind_of(node_id).template).render(variables)
        if self.options.annotate:
            # The front matter is YAML, not Markdown: a glossary link inside `title:` would break it.
            head, sep, body = text.partition("\n---\n")
            if text.startswith("---\n") and sep:
                text = head + sep + self.options.annotate(body, self.kb, page.uri)
            else:
                text = self.options.annotate(text, self.kb, page.uri)
            if page.diagram:
                text = text.replace(_DIAGRAM_SLOT, page.diagram)
        return text

    def render_a_to_z(self) -> str:
        """Every node by its title, and every lay name (`synonyms:`) that is no page's title, leading to its pages."""
        uri = links.A_TO_Z_URI
        groups: dict[str, list[dict[str, Any]]] = {}

        def add(name: str, entry: dict[str, Any]) -> None:
            letter = name[:1].upper()
            groups.setdefault(letter if letter.isalpha() and letter.isascii() else "#", []).append(entry)

        for node_id, node in self.kb.nodes.items():
            add(node.title, {"link": self.url_link(uri, node_id), "kind": self.kb.type_title(node_id, self.words), "summary": node.summary, "sort": (node.title.casefold(), node_id)})
        for name, node_ids in lay_names(self.kb).items():
            see = sorted((self.url_link(uri, n) for n in node_ids), key=lambda link: link.text.casefold())
            add(name, {"name": name, "see": see, "sort": (name.casefold(), "")})
        letters: list[dict[str, Any]] = [
            {"letter": k, "anchor": "letter-" + (k.lower() if k != "#" else "other"), "entries": sorted(v, key=lambda i: i["sort"])}
            for k, v in sorted(groups.items(), key=lambda kv: (kv[0] == "#", kv[0]))
        ]
        return self.env.get_template("a-z.md.j2").render(
            letters=letters, front_matter={"title": self.words.get("a_to_z.title"), "description": self.words.get("a_to_z.description")}
        )

    def render_overview(self, pathway: Pathway) -> str:
        """A pathway's clinician overview: the whole graph drawn by a layout engine, and its text alternative."""
        uri = links.overview_uri(pathway.id)
        assert self.options.diagrams is not None
        return self.env.get_template("overview.md.j2").render(
            pathway=pathway,
            back=self.link(uri, pathway.id),
            overview=self.options.diagrams.overview_html(self.kb, pathway, uri, urls=self.options.urls, words=self.words),
            # A chart too big to lay out is written as a list only, and has no file of its own.
            svg_href=""
            if self.options.diagrams.overview_too_big(self.kb, pathway)
            else links.md_link(uri, self.options.urls.overview_svg_uri(pathway.id)),
            front_matter={"title": meta_text(self.words.get("overview.heading", pathway=pathway.title)), "description": meta_text(pathway.summary)},
        )

    def emergency_box(self, uri: str) -> dict[str, Any]:
        """The general emergency box's links: one per pathway with warning signs, to its full list of them, by
        title, folded under their count beyond `UNFOLDED_SECTIONS`. Not every pathway's signs: at 24 pathways
        that list was longer than the rest of the page."""
        emergency = [
            Link(p.title, links.md_link(uri, links.node_uri(p.id), WARNING_SIGNS_ANCHOR))
            for p in self.kb.pathways_sorted()
            if self.kb.red_flags_of(p.id)
        ]
        return {"emergency": emergency, "emergency_folded": len(emergency) > UNFOLDED_SECTIONS}

    def pathway_items(self, uri: str) -> list[dict[str, Any]]:
        return [{"link": self.link(uri, p.id), "summary": p.summary, "steps": len(p.stages)} for p in self.kb.pathways_sorted()]

    def render_pathway_index(self) -> str:
        uri = links.PATHWAYS_URI
        return self.env.get_template("pathways.md.j2").render(
            items=self.pathway_items(uri),
            **self.emergency_box(uri),
            front_matter={"title": self.words.get("pathways.title"), "description": self.words.get("pathways.description")},
        )

    def render_home(self) -> str:
        """The home page, unless the site writes its own `index.md`: every pathway and a general emergency box."""
        uri = links.HOME_URI
        return self.env.get_template("home.md.j2").render(
            site_name=self.options.site_name,
            items=self.pathway_items(uri),
            **self.emergency_box(uri),
            pathways_href=links.md_link(uri, links.PATHWAYS_URI),
            a_to_z_href=links.md_link(uri, links.A_TO_Z_URI),
            glossary_href=links.md_link(uri, links.GLOSSARY_URI),
            codes_href=links.md_link(uri, links.CODES_URI),
            lookup_href=links.md_link(uri, links.LOOKUP_URI),
            front_matter={"title": meta_text(self.options.site_name), "description": self.words.get("home.intro")},
        )

    def render_glossary(self, pathway: Pathway | None = None) -> str:
        """The site glossary, which links each pathway glossary; or one pathway's own glossary (`pathway`)."""
        uri = links.glossary_uri(pathway.id if pathway else None)
        entries = sorted(self.kb.glossary_of(pathway.id if pathway else None), key=lambda g: g.term.casefold())
        items = [{"entry": g, "anchor": links.glossary_anchor(g.term)} for g in entries]
        if pathway is None:
            title, description = self.words.get("glossary.title"), self.words.get("glossary.description")
        else:
            title = self.words.get("glossary.pathway_title", pathway=pathway.title)
            description = self.words.get("glossary.pathway_description", pathway=pathway.title)
        return self.env.get_template("glossary.md.j2").render(
            items=items,
            pathway=self.link(uri, pathway.id) if pathway else None,
            site_glossary=links.md_link(uri, links.GLOSSARY_URI),
            pathway_glossaries=[]
            if pathway
            else [Link(p.title, links.md_link(uri, links.glossary_uri(p.id))) for p in self.kb.pathways_sorted() if self.kb.glossary_of(p.id)],
            front_matter={"title": meta_text(title), "description": meta_text(description)},
        )


PAGES: dict[str, Callable[[Renderer, Any, str], NodePage]] = {
    "pathway": Renderer.pathway_page,
    "stage": Renderer.stage_page,
    "treatment": Renderer.treatment_page,
    "condition": Renderer.condition_page,
    "indicator": Renderer.indicator_page,
}
"""Node kind -> the builder of its page's context. A kind with no builder here gets the common one (`NodePage`)."""


def check_builders(pages: dict[str, Callable[[Renderer, Any, str], NodePage]]) -> None:
    """A builder for no kind is a kind renamed or removed in the table but not here: a bug, said in one line each."""
    strays = [name for name in pages if name not in KINDS.names()]
    if strays:
        raise KindTableError([f"render/pages.py: PAGES has a builder for '{name}', which is not a kind in model/kinds.py" for name in strays])


check_builders(PAGES)


def pathway_glossaries(kb: KnowledgeBase) -> list[Pathway]:
    """The pathways with a glossary of their own (entries in their folder), by id: each gets a glossary page,
    `<pathway>/glossary/`, which the site glossary links."""
    return [p for p in kb.pathways if kb.glossary_of(p.id)]


def render_pages(kb: KnowledgeBase, options: RenderOptions | None = None) -> dict[str, str]:
    """Every generated page: `{src_uri: markdown}`, in a stable order. Raises `PathwayError` on bad links in prose."""
    return Renderer(kb, options or RenderOptions()).render_all()


NAV_MAX_PATHWAYS = Settings.nav_max_pathways


def lay_names(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Each lay name of the A–Z (a node's `synonyms:`, first letter raised) and the ids of the nodes it names,
    once however it is spelled; a name that is some page's title is left to that page's own entry."""
    titles = {node.title.casefold() for node in kb.nodes.values()}
    names: dict[str, tuple[str, list[str]]] = {}
    for node_id, node in kb.nodes.items():
        for synonym in node.synonyms:
            key = synonym.casefold()
            if key in titles:
                continue
            node_ids = names.setdefault(key, (synonym[:1].upper() + synonym[1:], []))[1]
            if node_id not in node_ids:
                node_ids.append(node_id)
    return dict(names.values())


def nav_pages(kb: KnowledgeBase, max_pathways: int = NAV_MAX_PATHWAYS) -> list[tuple[str, list[tuple[str, str]]]]:
    """The pathway part of the nav: each pathway with its stages in order. Leaf pages stay out of the nav.

    Returns `[(pathway title, [(title, src_uri), ...]), ...]` with titles HTML-escaped, as MkDocs
    inserts nav titles unescaped; the first entry of each section is the pathway's own page (a section
    index page under Material's `navigation.indexes`). Empty when there are more than `max_pathways`.
    """
    pathways = sorted(kb.pathways, key=lambda p: (p.title.casefold(), p.id))
    if len(pathways) > max_pathways:
        return []
    sections = []
    for pathway in pathways:
        entries = [(meta_text(pathway.title), links.node_uri(pathway.id))]
        for i, stage_id in enumerate(pathway.stages, 1):
            stage = kb.nodes[stage_id]
            places = kb.placements(stage_id)
            if places and places[0].pathway is not pathway:
                continue  # a shared stage lives in the nav of its primary pathway only
            entries.append((meta_text(f"{i}. {stage.title}"), links.node_uri(stage_id)))
        sections.append((meta_text(pathway.title), entries))
    return sections


def in_nav(kb: KnowledgeBase, max_pathways: int = NAV_MAX_PATHWAYS) -> set[str]:
    """`src_uri`s of generated pages that appear in the nav."""
    uris = {uri for _, entries in nav_pages(kb, max_pathways) for _, uri in entries}
    return uris | {links.PATHWAYS_URI, links.A_TO_Z_URI, links.GLOSSARY_URI}


class _CompiledTemplates(jinja2.BytecodeCache):
    """Each template's compiled code, in memory for the life of the process, under Jinja's own key (the template's
    name and file) and checked by Jinja against the checksum of its source: under `mkdocs serve`, every rebuild makes
    a new environment, and compiling the templates again was about 6% of an edit's time. Nothing is written."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self.code.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)  # reset by Jinja when the source's checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def _environment(overrides_dir: Path | None, words: Words) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides_dir is not None and (overrides_dir / TEMPLATE_OVERRIDE_SUBDIR).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(overrides_dir / TEMPLATE_OVERRIDE_SUBDIR)))
    loaders.append(jinja2.PackageLoader("carepath", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown output: each value is escaped by the filter for where it lands
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    env.filters["md"] = md_text
    env.filters["h"] = html_text
    env.filters["ht"] = html_content
    env.filters["json"] = json_text
    env.filters["meta"] = meta_text
    # Every string a reader sees comes from the catalogue: `{{ w("key", name=value | md) }}`, its values escaped
    # by the caller for where they land. A missing key raises `WordsError`, never renders as nothing.
    env.globals["w"] = words.get
    # What to do for a red flag: the edition's route for its urgency, then its own `action` (`Words.action`).
    env.globals["action"] = lambda node: words.action(node.urgency.value, node.action)
    return env
