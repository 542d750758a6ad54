"""Every emergency and urgent red flag shows as a care card on the pathway home and on every stage page of the
shipped site: an admonition of its urgency, the urgency in words, a link to the red flag's page and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from helpers_site import Build, article, elements, links_in, node_url, resolve_href, shared_build

from generator import KnowledgeBase, check_pathway
from generator.model import Indicator, Stage, Urgency

CARD_URGENCIES = {Urgency.emergency: "Emergency", Urgency.urgent: "Urgent"}
"""The urgencies that must be a card, with the label the card shows."""


CARD = re.compile(r'<div class="[^"]*\bcp-card\b[^"]*">.*?</div>', re.DOTALL)
"""A card is an admonition of paragraphs, so it ends at its first `</div>`; a nested block would cut it short
and lose its links, which fails the checks below rather than passing them."""


@dataclass
class Card:
    classes: set[str]
    title: str
    text: str
    hrefs: list[str]


def cards_in(html: str) -> list[Card]:
    out = []
    for m in CARD.finditer(html):
        card, *inside = elements(m.group(0))
        titles = [e.text for e in inside if "admonition-title" in e.classes]
        out.append(Card(card.classes, titles[0] if titles else "", card.text, [e.attrs["href"] for e in links_in(m.group(0))]))
    return out


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, KnowledgeBase]:
    result = shared_build("shipped", tmp_path_factory)
    assert result.returncode == 0, result.output
    kb, problems = check_pathway(result.project / "pathway")
    assert not [p for p in problems if p.severity == "error"]
    return result, kb


def serious(kb: KnowledgeBase, ids: list[str]) -> list[Indicator]:
    return [n for n in (kb.nodes[i] for i in ids) if isinstance(n, Indicator) and n.urgency in CARD_URGENCIES]


def expected_cards(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Page URL -> the emergency and urgent red flags it must carry: the pathway's own on its home and on each
    of its stages, plus each stage's own."""
    out: dict[str, set[str]] = {}
    assert kb.pathways, "the shipped site has no pathway"
    for pw in kb.pathways:
        assert pw.stages, f"pathway '{pw.id}' has no stages"
        out.setdefault(node_url(pw.id), set()).update(f.id for f in serious(kb, pw.red_flags))
        for stage_id in pw.stages:
            stage = kb.nodes[stage_id]
            assert isinstance(stage, Stage)
            out.setdefault(node_url(stage_id), set()).update(f.id for f in serious(kb, [*pw.red_flags, *stage.red_flags]))
    return {url: sorted(ids) for url, ids in out.items()}


def test_the_shipped_pages_have_cards_to_check(shipped: tuple[Build, KnowledgeBase]) -> None:
    """The check below would pass on a pathway with no serious red flags; the shipped one has both kinds."""
    _, kb = shipped
    expected = expected_cards(kb)
    assert {f.urgency for ids in expected.values() for f in serious(kb, ids)} == set(CARD_URGENCIES)
    assert all(expected.values()), expected


def card_problems(html: str, url: str, want: list[str], kb: KnowledgeBase) -> list[str]:
    """What is wrong with the emergency and urgent cards of one built page; `want` is the red flags it must carry."""
    pages = {node_url(i): i for i in kb.nodes}
    problems: list[str] = []
    found: list[str] = []
    for card in cards_in(article(html)):
        urgency = next((u for u in CARD_URGENCIES if f"cp-card--{u.value}" in card.classes), None)
        if urgency is None:
            continue  # soon and routine cards are allowed, not required
        nodes = [pages.get(resolve_href(url, h) or "") for h in card.hrefs]
        flag = next((n for n in nodes if n), None)
        ind = kb.nodes[flag] if flag else None
        if not isinstance(ind, Indicator):
            problems.append(f"{url}: a {urgency.value} card does not link to a red flag first: {card.hrefs}")
            continue
        found.append(ind.id)
        where = f"{url}: card for '{ind.id}'"
        if ind.urgency != urgency:
            problems.append(f"{where}: styled {urgency.value}, but the red flag is {ind.urgency.value}")
        if "admonition" not in card.classes:
            problems.append(f"{where}: not an admonition ({sorted(card.classes)})")
        if words(card.title) != CARD_URGENCIES[ind.urgency]:
            problems.append(f"{where}: label '{words(card.title)}', expected '{CARD_URGENCIES[ind.urgency]}'")
        if words(ind.action) not in words(card.text):
            problems.append(f"{where}: no action text '{ind.action}' in '{words(card.text)}'")
    if len(found) != len(set(found)):
        problems.append(f"{url}: a red flag has more than one card: {sorted(found)}")
    if sorted(set(found)) != want:
        missing, extra = sorted(set(want) - set(found)), sorted(set(found) - set(want))
        problems.append(f"{url}: cards missing for {missing}, unexpected for {extra}")
    return problems


def test_every_serious_red_flag_is_a_care_card_on_its_pages(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    problems = []
    for url, want in expected_cards(kb).items():
        problems += card_problems(build.html(url), url, want, kb)
    assert problems == []


def test_a_missing_card_is_reported(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Drop the first card from a built stage page: the check above must name it."""
    build, kb = shipped
    url = node_url(kb.pathways[0].stages[0])
    want = expected_cards(kb)[url]
    html = build.html(url)
    start = html.rindex("<div", 0, html.index(" cp-card "))
    end = html.index("</div>", start) + len("</div>")
    dropped = cards_in(html[start:end])
    assert len(dropped) == 1 and dropped[0].hrefs, html[start:end]
    flag = resolve_href(url, dropped[0].hrefs[0])
    assert flag and flag.removesuffix("/") in want
    assert card_problems(html[:start] + html[end:], url, want, kb) == [
        f"{url}: cards missing for ['{flag.removesuffix('/')}'], unexpected for []"
    ]
