"""Which warning signs a page's safety box shows: at most `BOX_SIGNS` for each pathway the page is on, chosen
for that page. Pure: reads the knowledge base, renders nothing (`pages.py` turns the choice into words).

A long box hides the page under it: on a shared page every pathway's signs, sorted by urgency, made dozens of
lines that a reader of one pathway mostly had no use for. So each pathway gets its own short list, and a
link to the full list of its warning signs, which says how many more there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from carepath.model.graph import URGENCY_ORDER, EdgeKind, GetHelpItem, Indicator, KnowledgeBase, Pathway, Treatment, Urgency

BOX_SIGNS = 4
"""The most signs a pathway's part of the box lists: four short lines stay on a phone's first screen."""

BOX_TEXT = 260
"""The most characters a pathway's part of the box holds (the first sign always fits): each sign's text, and the
words of what to do each time a sign calls for something else than the one before it. Four short lines under
one action, or fewer under several, keep the box under 400 px on a 390 px phone. A sign left out is in the full
list, which the box links to, saying how many more there are (and how many of them are emergencies)."""

GROUP_TEXT = 12
"""What a new group's label ('Urgent:') counts for, besides its words of what to do."""

ROUTE_TEXT = 45
"""What the words of a sign's route (its urgency's, or a crisis line: 'Call 911 or your local emergency number now.',
from the edition's profile) count for; a red flag's own `action` is read after them and counts too."""

SHARED_OWN_SIGNS = 2
"""On a page on several pathways, the most of the treatment's own signs listed above the pathways' folds: the
folds must still show on a phone's first screens; the rest are under "Get help if" further down."""

BOX_URGENCIES = frozenset({Urgency.emergency, Urgency.urgent})
"""Signs that mean "get help now". Softer ones are for the care team and are listed further down the page."""


class Relevance(IntEnum):
    """How closely a sign belongs to the page, closest first."""

    OWN = 0
    """One of the page's own `get_help_if` lines (a treatment's)."""
    POINTS_HERE = 1
    """A red flag that sends people to this page (`refers_to`), or that may point to this condition (`relevant_to`)."""
    LISTED_HERE = 2
    """A red flag the page itself lists, or a stage that offers it does."""
    PATHWAY = 3
    """A red flag of the whole pathway (its own `red_flags`)."""
    ELSEWHERE = 4
    """A red flag another stage of the pathway lists: a candidate on the pathway's own page only."""


@dataclass(frozen=True)
class Sign:
    """One candidate line of a box: a red flag (`indicator`) or one of the page's own `get_help_if` lines (`own`,
    whose `order` is its place in the list); each ranks by its own urgency."""

    urgency: Urgency
    relevance: Relevance
    order: int
    """Where the author put it in the list it was found in: the author's own ranking breaks ties."""
    indicator: str | None = None
    own: GetHelpItem | None = None

    @property
    def rank(self) -> tuple[bool, int, int, int]:
        """Every emergency first, closest first among them; then the rest, closest first, then most urgent.

        Emergencies lead so that none is left out while a softer sign is shown: when more than `BOX_SIGNS`
        emergencies apply, the box says how many more there are.
        """
        return (self.urgency != Urgency.emergency, self.relevance, URGENCY_ORDER[self.urgency], self.order)


@dataclass(frozen=True)
class PathwaySigns:
    """The box's part for one pathway a page is on."""

    pathway: Pathway
    node_id: str
    """The page the signs are chosen for."""
    candidates: tuple[Sign, ...]
    """Every sign that would belong in the box, ranked (`Sign.rank`)."""
    shown: tuple[Sign, ...]
    """The first `BOX_SIGNS` candidates: what the box lists."""
    all_signs: tuple[str, ...]
    """The pathway's full list of warning signs (`KnowledgeBase.red_flags_of`), which the box links to."""

    @property
    def emergencies(self) -> int:
        """Emergency signs that apply on this page for this pathway."""
        return sum(1 for s in self.candidates if s.urgency == Urgency.emergency)

    @property
    def more_emergencies(self) -> int:
        """Emergency signs that apply here but did not fit: the link must say so."""
        return self.emergencies - sum(1 for s in self.shown if s.urgency == Urgency.emergency)

    @property
    def more(self) -> int:
        """Signs of the full list that the box does not show."""
        shown = {s.indicator for s in self.shown}
        return sum(1 for i in self.all_signs if i not in shown)


def own_signs(kb: KnowledgeBase, node_id: str) -> list[Sign]:
    """A treatment's own `get_help_if` lines that mean get help now, each at its own urgency, in the author's order."""
    node = kb.nodes[node_id]
    lines = node.get_help_if if isinstance(node, Treatment) else []
    return [Sign(item.level, Relevance.OWN, i, own=item) for i, item in enumerate(lines) if item.level in BOX_URGENCIES]


def shared_own_signs(kb: KnowledgeBase, node_id: str, limit: int = BOX_SIGNS) -> tuple[Sign, ...]:
    """On a page on several pathways, the treatment's own signs the box lists once, above the pathways' folds
    (the same for every pathway, they would otherwise be in each fold); none on a page on one pathway."""
    if len(kb.placements(node_id)) < 2:
        return ()
    return _fit(kb, tuple(sorted(own_signs(kb, node_id), key=lambda s: s.rank)), min(limit, SHARED_OWN_SIGNS))


def pathway_signs(kb: KnowledgeBase, node_id: str, pathway: Pathway, limit: int = BOX_SIGNS, own: bool = True) -> PathwaySigns:
    """The signs a page shows for one pathway it is on, and what it leaves to the full list; with `own`, the
    treatment's own signs among them."""
    all_signs = kb.red_flags_of(pathway.id)
    in_pathway = set(all_signs)
    stages = [e.target for e in kb.out_edges(pathway.id, EdgeKind.includes)]
    offered_by = {e.source for e in kb.in_edges(node_id, EdgeKind.offers)}
    found: dict[str, Sign] = {}

    def add(ids: list[str], relevance: Relevance) -> None:
        for order, flag_id in enumerate(ids):
            ind = kb.nodes[flag_id]
            if flag_id in found or flag_id not in in_pathway or not isinstance(ind, Indicator) or ind.urgency not in BOX_URGENCIES:
                continue
            found[flag_id] = Sign(ind.urgency, relevance, order, indicator=flag_id)

    pointing = [e.source for e in kb.in_edges(node_id, EdgeKind.refers_to)]
    pointing += [e.source for e in kb.in_edges(node_id, EdgeKind.relevant_to) if isinstance(kb.nodes[e.source], Indicator)]
    add(pointing, Relevance.POINTS_HERE)
    listed = [e.target for e in kb.out_edges(node_id, EdgeKind.flags)]
    for stage in stages:
        if stage in offered_by:
            listed += [e.target for e in kb.out_edges(stage, EdgeKind.flags)]
    add(listed, Relevance.LISTED_HERE)
    add([e.target for e in kb.out_edges(pathway.id, EdgeKind.flags)], Relevance.PATHWAY)
    if node_id == pathway.id:
        add(all_signs, Relevance.ELSEWHERE)

    candidates = tuple(sorted([*(own_signs(kb, node_id) if own else []), *found.values()], key=lambda s: s.rank))
    return PathwaySigns(pathway, node_id, candidates, _fit(kb, candidates, limit), tuple(all_signs))


def _fit(kb: KnowledgeBase, candidates: tuple[Sign, ...], limit: int) -> tuple[Sign, ...]:
    """The first candidates, at most `limit` and `BOX_TEXT` characters, the first one whatever its length."""
    shown: list[Sign] = []
    used = 0
    group: tuple[Urgency, str] | None = None
    for sign in candidates[:limit]:
        node = kb.nodes[sign.indicator] if sign.indicator else None
        action = (node.action or "") if isinstance(node, Indicator) else ""
        size = len(node.title) if node else len(sign.own.text) if sign.own else 0
        # A new group costs its label and words, unless the sign joins the one before: same urgency, and the same
        # words (an own sign's are its urgency's route, which red flags of that urgency mostly say too).
        joins = group is not None and group[0] == sign.urgency and (group[1] == action or not group[1] or not action)
        if not joins:
            size += GROUP_TEXT + ROUTE_TEXT + len(action)
        if shown and used + size > BOX_TEXT:
            break
        shown.append(sign)
        used += size
        group = (sign.urgency, action)
    return tuple(shown)


def page_signs(kb: KnowledgeBase, node_id: str, limit: int = BOX_SIGNS) -> list[PathwaySigns]:
    """One `PathwaySigns` for each pathway the page is on, in the order pathways are always listed (by title). On a
    page on several, the treatment's own signs are in none of them (`shared_own_signs`)."""
    places = kb.placements(node_id)
    return [pathway_signs(kb, node_id, place.pathway, limit, own=len(places) < 2) for place in places]
