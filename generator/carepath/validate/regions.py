"""Regional overlays: every region under `pathway/regions/` is checked in every `check` and build, so `check`
rejects all the build would. A region's text gets the same checks as node text (no literal route, no invisible
character, no review words); a service's phone is a phone number and never an emergency or crisis line; every node
a region names exists, and none is an emergency sign, whose page gives the edition's route alone.
Pure: returns problems at the file and line of each value, never reads files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from pydantic import BaseModel

from carepath.load import Loaded, LoadedRegion, Locate
from carepath.model.graph import Indicator, KnowledgeBase, Position, Urgency
from carepath.model.regions import REGION_FILE, Local, NodeAddition, Region, Service
from carepath.problems import Problem, Suggester, quote
from carepath.settings import Settings
from carepath.validate.ownership import contact_kind
from carepath.validate.routes import ROUTE_NUMBERS, WHY, literal_routes
from carepath.validate.wording import REVIEW_WORDS, hidden_control
from carepath.words import editions

WHERE = "(AUTHORING.md, 'Regional overlays')"
EMERGENCY_DIGITS = frozenset("".join(c for c in n if c.isdigit()) for n in ROUTE_NUMBERS)
"""A service's phone with exactly these digits is an emergency or crisis line, however it is spaced."""


def check_regions(kb: KnowledgeBase, loaded: Loaded) -> tuple[dict[str, Region], list[Problem]]:
    """Every region's problems, and the regions that have none (a region with a problem is never built)."""
    regions: dict[str, Region] = {}
    problems: list[Problem] = []
    suggest = Suggester(kb.nodes)
    for region_id, found in sorted(loaded.regions.items()):
        mine = _region_problems(kb, region_id, found, suggest)
        problems += mine
        if not mine and not found.broken:
            info, locate = found.info[0]
            regions[region_id] = Region(info, locate(), locate("edition"), _locals(found))
    return regions, problems


def _region_problems(kb: KnowledgeBase, region_id: str, found: LoadedRegion, suggest: Suggester) -> list[Problem]:
    problems: list[Problem] = []
    if not found.info:
        if not found.broken:  # a broken `region:` is reported already
            message = f"region {quote(region_id)}: no '{REGION_FILE}' with 'region:' (its id, title and edition) in this folder {WHERE}"
            problems.append(Problem(Position(found.folder, 1, 1), message))
    else:
        info, locate = found.info[0]
        if info.id != region_id:
            problems.append(Problem(locate("id"), f"region {quote(info.id)}: its id must be its folder's name, {quote(region_id)}"))
        known = editions()
        if info.edition not in known:
            problems.append(Problem(locate("edition"), f"region {quote(region_id)}: no edition {quote(info.edition)}; Carepath ships {', '.join(map(repr, known))}"))
        problems += _text_problems(f"region {quote(region_id)}", {"title": info.title}, locate)
    seen: dict[str, Position] = {}
    for service, locate in found.services:
        who = f"region {quote(region_id)}: service {quote(service.id)}"
        problems += _repeated(seen, service.id, locate, f"{who}: duplicate id, already used at {{}}")
        for j, node_id in enumerate(service.nodes):
            problems += _node_problems(kb, who, node_id, partial(locate, "nodes", j), suggest)
        problems += _phone_problems(who, service.phone, locate)
        problems += _text_problems(who, _texts(service, "id", "nodes", "phone"), locate)
    noted: dict[str, Position] = {}
    for addition, locate in found.additions:
        who = f"region {quote(region_id)}: region note on node {quote(addition.id)}"
        problems += _repeated(noted, addition.id, locate, f"{who}: the node already has a region note at {{}}; write one per node")
        problems += _node_problems(kb, who, addition.id, partial(locate, "id"), suggest)
        problems += _text_problems(who, _texts(addition, "id"), locate)
    return problems


def _repeated(seen: dict[str, Position], key: str, locate: Locate, message: str) -> list[Problem]:
    """A second entry of `key` (`message` says where the first is), noting the first."""
    first = seen.setdefault(key, locate("id"))
    return [] if first == locate("id") else [Problem(locate("id"), message.format(first))]


def _texts(entry: BaseModel, *skip: str) -> dict[str, str]:
    """An entry's text fields by name, but `skip`."""
    return {k: v for k, v in entry.model_dump().items() if k not in skip and isinstance(v, str)}


def _node_problems(kb: KnowledgeBase, who: str, node_id: str, where: Callable[[], Position], suggest: Suggester) -> list[Problem]:
    node = kb.nodes.get(node_id)
    if node is None:
        full = kb.short_names.get(node_id, [])
        hint = f" (did you mean {quote(full[0])}? a region names a pathway's node by its full id)" if len(full) == 1 else suggest.hint(node_id)
        return [Problem(where(), f"{who}: no node {quote(node_id)}{hint}")]
    if isinstance(node, Indicator) and node.urgency == Urgency.emergency:
        return [
            Problem(
                where(),
                f"{who}: {quote(node_id)} is an emergency sign, whose page gives only the edition's emergency route; "
                f"attach local services and notes to the treatment or step they serve {WHERE}",
            )
        ]
    return []


def _phone_problems(who: str, phone: str | None, locate: Locate) -> list[Problem]:
    if phone is None:
        return []
    digits = "".join(c for c in phone if c.isdigit())
    if digits in EMERGENCY_DIGITS or next(literal_routes(phone), None) is not None:
        message = (
            f"{who}: 'phone' is {quote(phone)}, an emergency or crisis number; a local service gives its own number, "
            f"and the edition's profile gives the emergency and crisis routes {WHERE}"
        )
        return [Problem(locate("phone"), message)]
    if contact_kind(phone) != "phone":
        return [Problem(locate("phone"), f"{who}: 'phone' is {quote(phone)}; write a phone number (digits, spaces, brackets, dots and hyphens, maybe a leading '+')")]
    return []


def _text_problems(who: str, texts: dict[str, str], locate: Locate) -> list[Problem]:
    """The checks node text gets: no emergency number or route, no invisible character, no review words."""
    problems = []
    for name, text in texts.items():
        for why in _text_faults(text):
            problems.append(Problem(locate(name), f"{who}: {quote(name)} {why}"))
    return problems


def _text_faults(text: str) -> Iterator[str]:
    route = next(literal_routes(text), None)
    if route is not None:
        yield f"says {quote(route.group(0))}; {WHY}"
    hidden = hidden_control(text)
    if hidden:
        yield hidden
    review = REVIEW_WORDS.search(text)
    if review is not None:
        yield f"says {quote(review.group(0))}; a page shows its review status from its node's 'review:': remove it"


def _locals(found: LoadedRegion) -> dict[str, Local]:
    """Node id -> what the region adds to its page: its services in the order written, and its note."""
    services: dict[str, list[Service]] = {}
    for service, _ in found.services:
        for node_id in dict.fromkeys(service.nodes):
            services.setdefault(node_id, []).append(service)
    notes: dict[str, NodeAddition] = {addition.id: addition for addition, _ in found.additions}
    out = {}
    for node_id in sorted(services.keys() | notes.keys()):
        note = notes.get(node_id)
        out[node_id] = Local(
            services=tuple(services.get(node_id, ())),
            note=note.note if note else None,
            summary_addition=note.summary_addition if note else None,
            referral_criteria=note.referral_criteria if note else None,
        )
    return out


def region_problem(kb: KnowledgeBase, settings: Settings) -> Problem | None:
    """Why the site cannot be built with its `region` option: the region has problems of its own (reported with
    them), or it is written for another edition than the site's. None when it can, or no region is chosen."""
    if settings.region is None:
        return None
    region = kb.regions.get(settings.region)
    if region is None:
        return None  # its own problems say why; `Settings` has already refused a region with no folder
    if region.info.edition != settings.edition:
        return Problem(
            region.edition_position,
            f"region {quote(region.info.id)} is written for edition {quote(region.info.edition)}, but the site builds "
            f"{quote(settings.edition)} (plugins.carepath.edition); build it as {quote(region.info.edition)} or choose another region",
        )
    return None
