"""Emergency help on the first screen: every emergency and urgent red flag of a page's pathway (and stage) is
a line of the "Get help now" box that opens the pathway home, every stage page and every treatment and
condition page on a stage, before any section; each line gives the urgency in words, a link to the red
flag's page and what to do. A red flag's own page shows its full care card, which does not link to itself.
"""

from __future__ import annotations

import re

import pytest
from carepath import KnowledgeBase, check_pathway
from carepath.model.graph import Indicator, Urgency
from helpers_site import Build, article, elements, links_in, node_url, resolve_href, shared_build, text_of

LABELS = {Urgency.emergency: "Emergency", Urgency.urgent: "Urgent"}
"""The urgencies that must be in the box, with the label each line shows."""

BOX = re.compile(r'<div class="cp-gethelp[^"]*">(.*?)</div>', re.DOTALL)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, KnowledgeBase]:
    result = shared_build("shipped", tmp_path_factory)
    assert result.returncode == 0, result.output
    kb, problems = check_pathway(result.project / "pathway")
    assert not [p for p in problems if p.severity == "error"]
    return result, kb


def serious(kb: KnowledgeBase, ids: list[str]) -> list[str]:
    return [i for i in ids if isinstance(n := kb.nodes[i], Indicator) and n.urgency in LABELS]


def expected_lines(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Page URL -> the emergency and urgent red flags its box must list: the pathway's own (all of them on its
    home), plus the stage's own on a stage page and on the pages of what that stage offers."""
    out: dict[str, set[str]] = {}
    assert kb.pathways, "the shipped site has no pathway"
    for node_id in kb.nodes:
        if kb.kind(node_id) == "indicator":
            continue
        want = out.setdefault(node_url(node_id), set())
        if kb.kind(node_id) == "pathway":
            want.update(serious(kb, kb.red_flags_of(node_id)))
        for place in kb.placements(node_id):
            if kb.kind(node_id) == "pathway":
                break
            want.update(serious(kb, place.pathway.red_flags))
            if place.stage:
                want.update(serious(kb, place.stage.red_flags))
    return {url: sorted(ids) for url, ids in out.items() if ids}


def box_problems(html: str, url: str, want: list[str], kb: KnowledgeBase) -> list[str]:
    """What is wrong with the "Get help now" box of one built page."""
    page = article(html)
    m = BOX.search(page)
    if not m:
        return [f"{url}: no 'Get help now' box"]
    problems = []
    first_h2 = page.find("<h2")
    if first_h2 != -1 and first_h2 < m.start():
        problems.append(f"{url}: the box comes after a section; it must open the page")
    pages = {node_url(i): i for i in kb.nodes}
    found = []
    for li in re.findall(r"<li>(.*?)</li>", m.group(1), re.DOTALL):
        targets = [pages.get(resolve_href(url, a.attrs["href"]) or "") for a in links_in(li)]
        flag = next((t for t in targets if t), None)
        ind = kb.nodes.get(flag or "")
        if not isinstance(ind, Indicator):
            problems.append(f"{url}: a line does not link to a red flag: {words(text_of(li))}")
            continue
        found.append(ind.id)
        line = words(text_of(li))
        if not line.startswith(f"{LABELS[ind.urgency]}:"):
            problems.append(f"{url}: line for '{ind.id}' starts '{line[:20]}', expected '{LABELS[ind.urgency]}:'")
        if words(ind.action) not in line:
            problems.append(f"{url}: line for '{ind.id}' lacks its action '{ind.action}'")
        label = [e for e in elements(li) if e.tag == "strong"]
        if not label or f"cp-urgency-{ind.urgency.value}" not in label[0].classes:
            problems.append(f"{url}: line for '{ind.id}' does not mark its urgency")
    if len(found) != len(set(found)):
        problems.append(f"{url}: a red flag is listed twice: {sorted(found)}")
    if sorted(set(found)) != want:
        problems.append(f"{url}: lines missing for {sorted(set(want) - set(found))}, unexpected for {sorted(set(found) - set(want))}")
    return problems


def test_the_shipped_pages_have_lines_to_check(shipped: tuple[Build, KnowledgeBase]) -> None:
    """The check below would pass on a pathway with no serious red flags; the shipped one has both kinds, on
    every page kind that carries the box."""
    _, kb = shipped
    expected = expected_lines(kb)
    assert {kb.nodes[i].urgency for ids in expected.values() for i in ids} == set(LABELS)  # type: ignore[union-attr]
    kinds = {kb.kind(url.rstrip("/")) for url in expected}
    assert kinds == {"pathway", "stage", "treatment", "condition"}


def test_every_serious_red_flag_is_in_the_first_screen_box(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    problems = []
    for url, want in expected_lines(kb).items():
        problems += box_problems(build.html(url), url, want, kb)
    assert problems == []


def test_a_missing_line_is_reported(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Drop the first line from a built stage page's box: the check above must name it."""
    build, kb = shipped
    url = node_url(kb.pathways[0].stages[0])
    want = expected_lines(kb)[url]
    html = build.html(url)
    start = html.index("<li>", html.index('class="cp-gethelp'))
    end = html.index("</li>", start) + len("</li>")
    flag = resolve_href(url, links_in(html[start:end])[0].attrs["href"])
    assert flag and flag.removesuffix("/") in want
    assert box_problems(html[:start] + html[end:], url, want, kb) == [
        f"{url}: lines missing for ['{flag.removesuffix('/')}'], unexpected for []"
    ]


def test_a_red_flags_own_page_has_its_full_card_without_a_link_to_itself(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    checked = 0
    for ind in kb.of_kind("indicator"):
        assert isinstance(ind, Indicator)
        url = node_url(ind.id)
        page = article(build.html(url))
        card = re.search(r'<div class="admonition [^"]*cp-card--' + ind.urgency.value + r'[^"]*">(.*?)</div>', page, re.DOTALL)
        assert card, f"{url}: no card"
        title = words(text_of(re.search(r'<p class="admonition-title">(.*?)</p>', card.group(1), re.DOTALL).group(1)))  # type: ignore[union-attr]
        assert title == words(f"{kb.vocabulary.urgency_label(ind.urgency)}: {ind.action}"), title
        assert url not in {resolve_href(url, a.attrs["href"]) for a in links_in(card.group(1))}
        assert "cp-gethelp" not in page  # its own card says it all
        checked += 1
    assert checked >= 6
