"""Emergency help on the first screen, kept short: the "Get help now" box opens the pathway home, every stage
page and every treatment and condition page on a stage, before any section. For each pathway the page is on
it lists at most four signs under what to do, every emergency sign that applies there first, and links to
the pathway's full list of warning signs, saying how many more there are (and how many of those are
emergencies). A page on several pathways folds each pathway's part under that pathway's title. A red flag's
own page shows its full care card, which does not link to itself.

What a box must hold is worked out here from the knowledge base's edges, not copied from the YAML and not
asked of the renderer's own choice (`render/signs.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from carepath import KnowledgeBase, check_pathway
from carepath.model.graph import EdgeKind, Indicator, Treatment, Urgency
from carepath.render.signs import BOX_TEXT, GROUP_TEXT
from carepath.words import words
from helpers_site import Build, article, html_pages, links_in, node_url, resolve_href, shared_build, shipped_edition, text_of

LABELS = {Urgency.emergency: "Emergency", Urgency.urgent: "Urgent"}
"""The urgencies that belong in the box, with the label each group of lines shows."""
MAX_SIGNS = 4
W = words(shipped_edition())

BOX = re.compile(r'<div class="cp-gethelp[^"]*">(.*?)</div>', re.DOTALL)
SECTION = re.compile(r'<details class="cp-gethelp-section">\s*<summary>(.*?)</summary>(.*?)</details>', re.DOTALL)
GROUP = re.compile(r'<p class="cp-gethelp-do"><strong class="[^"]*cp-urgency-(\w+)">(.*?):</strong>(.*?)</p>\s*<ul>(.*?)</ul>', re.DOTALL)
MORE = re.compile(r'<p class="cp-gethelp-more">(.*?)</p>', re.DOTALL)


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Section:
    """One pathway's part of a built box, read back from the HTML."""

    summary: str
    groups: list[tuple[str, str, str, list[str]]] = field(default_factory=list)
    """(urgency class, label, action, [each line's HTML])."""
    more: str = ""

    @property
    def lines(self) -> list[str]:
        return [line for g in self.groups for line in g[3]]


def read_box(page_html: str) -> tuple[int, list[Section]] | None:
    """Where the box starts in the article and its sections (one, unnamed, on a page of one pathway)."""
    m = BOX.search(page_html)
    if not m:
        return None
    parts = [(squash(text_of(s.group(1))), s.group(2)) for s in SECTION.finditer(m.group(1))] or [("", m.group(1))]
    sections = []
    for summary, html in parts:
        section = Section(summary)
        for g in GROUP.finditer(html):
            section.groups.append((g.group(1), squash(text_of(g.group(2))), squash(text_of(g.group(3))), re.findall(r"<li>(.*?)</li>", g.group(4), re.DOTALL)))
        more = MORE.search(html)
        section.more = more.group(1) if more else ""
        sections.append(section)
    return m.start(), sections


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, KnowledgeBase]:
    result = shared_build("shipped", tmp_path_factory)
    assert result.returncode == 0, result.output
    kb, problems = check_pathway(result.project / "pathway")
    assert not [p for p in problems if p.severity == "error"]
    return result, kb


def flags(kb: KnowledgeBase, node_id: str) -> list[str]:
    return [e.target for e in kb.out_edges(node_id, EdgeKind.flags)]


def applicable(kb: KnowledgeBase, node_id: str, pathway_id: str) -> set[str]:
    """The pathway's emergency and urgent red flags that matter on this page: the pathway's own, the page's own
    (a stage's), those of each of the pathway's stages that offers it, and those that send people here; on the
    pathway's home, all of its red flags."""
    mine = set(kb.red_flags_of(pathway_id))
    if node_id == pathway_id:
        ids = mine
    else:
        ids = set(flags(kb, pathway_id)) | set(flags(kb, node_id))
        for e in kb.in_edges(node_id, EdgeKind.offers):
            if e.source in {s.target for s in kb.out_edges(pathway_id, EdgeKind.includes)}:
                ids |= set(flags(kb, e.source))
        ids |= {e.source for e in kb.in_edges(node_id) if e.kind in (EdgeKind.refers_to, EdgeKind.relevant_to) and e.source in mine}
    return {i for i in ids & mine if isinstance(n := kb.nodes[i], Indicator) and n.urgency in LABELS}


def expected_boxes(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Page URL -> the pathways its box has a part for: every pathway a page (not a red flag's own, nor a pathway's,
    which lists all its signs instead) is on where some serious sign applies."""
    out = {}
    for node_id in kb.nodes:
        if kb.kind(node_id) in ("indicator", "pathway"):
            continue
        pathways = [p.pathway.id for p in kb.placements(node_id) if applicable(kb, node_id, p.pathway.id)]
        if pathways:
            out[node_url(node_id)] = pathways
    return out


def box_problems(html: str, url: str, pathways: list[str], kb: KnowledgeBase) -> list[str]:
    """What is wrong with the "Get help now" box of one built page on `pathways`."""
    page = article(html)
    found = read_box(page)
    if not found:
        return [f"{url}: no 'Get help now' box"]
    start, sections = found
    problems = []
    # The emergency line opens the page, above its first section, and links to the box, under its own heading.
    first_h2, line, heading = page.find("<h2"), page.find('class="cp-emergency-line'), page.find('id="get-help"')
    if not 0 <= line < first_h2:
        problems.append(f"{url}: no emergency line above the page's first section")
    elif '<a href="#get-help">' not in page[line : page.find("</p>", line)]:
        problems.append(f"{url}: the emergency line does not link to the box")
    if not first_h2 <= heading < start:
        problems.append(f"{url}: the box is not under its own heading, under the page's first section")
    if len(sections) != len(pathways):
        return [*problems, f"{url}: {len(sections)} parts in the box for {len(pathways)} pathways"]
    pages = {node_url(i): i for i in kb.nodes}
    node_id = url.removesuffix("/")
    for section, pathway_id in zip(sections, pathways):
        pathway = kb.nodes[pathway_id]
        where = f"{url} ({pathway_id})"
        if len(pathways) > 1 and squash(W.get("get_help.if_here_for", pathway=pathway.title)) not in section.summary:
            problems.append(f"{where}: the fold is titled '{section.summary}', not by its pathway")
        if len(section.lines) > MAX_SIGNS:
            problems.append(f"{where}: {len(section.lines)} signs, more than {MAX_SIGNS}")
        shown = []
        for urgency, label, action, lines in section.groups:
            for li in lines:
                targets = [pages.get(resolve_href(url, a.attrs["href"]) or "") for a in links_in(li)]
                ind = kb.nodes.get(next((t for t in targets if t), None) or "")
                if not isinstance(ind, Indicator):
                    node = kb.nodes[node_id]
                    if isinstance(node, Treatment) and squash(text_of(li)) in (squash(i.text) for i in node.get_help_if):
                        continue  # the treatment's own "Get help if" sign
                    problems.append(f"{where}: a line is neither a red flag nor the page's own sign: {squash(text_of(li))}")
                    continue
                shown.append(ind.id)
                if ind.id not in kb.red_flags_of(pathway_id):
                    problems.append(f"{where}: '{ind.id}' is not a warning sign of this pathway")
                if (urgency, label) != (ind.urgency.value, LABELS.get(ind.urgency)):
                    problems.append(f"{where}: '{ind.id}' is under '{label}' ({urgency})")
                to_do = squash(W.action(ind.urgency.value, ind.action))
                if to_do != action:
                    problems.append(f"{where}: '{ind.id}' is under the action '{action}', not its own '{to_do}'")
        if len(shown) != len(set(shown)):
            problems.append(f"{where}: a red flag is listed twice: {sorted(shown)}")
        # Every emergency that applies is shown, or counted in words beside the link to the full list.
        emergencies = {i for i in applicable(kb, node_id, pathway_id) if kb.nodes[i].urgency == Urgency.emergency}  # type: ignore[union-attr]
        left_out = len(emergencies - set(shown))
        if left_out and squash(W.get("get_help.more_emergencies", count=left_out)) not in squash(text_of(section.more)):
            problems.append(f"{where}: {left_out} emergency signs are neither shown nor counted: {sorted(emergencies - set(shown))}")
        # What the box holds (BOX_TEXT): each line's text, and each group's label and words of what to do. The box
        # stops at the first sign that does not fit: there was room if every emergency left out would have fitted.
        text = sum(len(squash(text_of(li))) for li in section.lines) + sum(GROUP_TEXT + len(g[2]) for g in section.groups)
        room = len(section.lines) < MAX_SIGNS and text + max(len(kb.nodes[i].title) for i in emergencies - set(shown)) <= BOX_TEXT if left_out else False
        if left_out and (room or any(g[0] != Urgency.emergency.value for g in section.groups)):
            problems.append(f"{where}: emergency signs are left out while there is room, or a softer sign, in the box")
        everything = kb.red_flags_of(pathway_id)
        link = links_in(section.more)
        if len(pathways) > 1:
            want = squash(W.get("get_help.see_all", count=len(everything), pathway=pathway.title))
        else:
            want = squash(W.get("get_help.see_all_here", count=len(everything)))
        if not link or squash(link[0].text) != want or resolve_href(url, link[0].attrs["href"]) != node_url(pathway_id) or not link[0].attrs["href"].endswith("#warning-signs"):
            problems.append(f"{where}: no link '{want}' to the pathway's full list: {section.more}")
        more = len([i for i in everything if i not in shown])
        if more and squash(W.get("get_help.more", count=more)) not in squash(text_of(section.more)):
            problems.append(f"{where}: the link does not say that {more} more signs are on the full list")
    return problems


def test_the_shipped_pages_have_boxes_to_check(shipped: tuple[Build, KnowledgeBase]) -> None:
    """The check below would pass on a pathway with no serious red flags or no shared page; the shipped one
    has both urgencies, shared pages, and more emergencies on one pathway than a box shows."""
    _, kb = shipped
    expected = expected_boxes(kb)
    assert {kb.kind(url.rstrip("/")) for url in expected} == {"stage", "treatment", "condition"}
    assert any(len(p) > 1 for p in expected.values())
    serious = {kb.nodes[i].urgency for p in kb.pathways for i in applicable(kb, p.id, p.id)}  # type: ignore[union-attr]
    assert serious == set(LABELS)
    assert any(len({i for i in applicable(kb, p.id, p.id) if kb.nodes[i].urgency == Urgency.emergency}) > MAX_SIGNS for p in kb.pathways)  # type: ignore[union-attr]


def test_every_box_is_short_and_leaves_no_emergency_out_in_silence(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    problems = []
    for url, pathways in expected_boxes(kb).items():
        problems += box_problems(build.html(url), url, pathways, kb)
    assert problems == []


def test_an_emergency_dropped_from_a_box_is_reported(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Drop the first emergency line from a built stage page's box: the check above must name it."""
    build, kb = shipped
    url = node_url(kb.pathways[0].stages[0])
    pathways = expected_boxes(kb)[url]
    html = build.html(url)
    box = html.index('class="cp-gethelp')
    start = html.index("<li>", html.index("cp-urgency-emergency", box))
    end = html.index("</li>", start) + len("</li>")
    flag = resolve_href(url, links_in(html[start:end])[0].attrs["href"])
    assert flag
    problems = box_problems(html[:start] + html[end:], url, pathways, kb)
    assert [p for p in problems if "neither shown nor counted" in p] == [
        f"{url} ({pathways[0]}): 1 emergency signs are neither shown nor counted: ['{flag.removesuffix('/')}']"
    ]


def test_a_shared_page_folds_each_pathway_under_its_title(shipped: tuple[Build, KnowledgeBase]) -> None:
    """No interleaved list: one <details> per pathway, closed, its summary naming the pathway and counting its
    emergency signs, and the emergency line in view without opening anything."""
    build, kb = shipped
    shared = [n for n in kb.nodes if kb.kind(n) == "treatment" and len(kb.placements(n)) > 1]
    assert shared
    for node_id in shared:
        box = BOX.search(article(build.html(node_url(node_id))))
        assert box, node_id
        summaries = [squash(text_of(s.group(1))) for s in SECTION.finditer(box.group(1))]
        titles = [p.pathway.title for p in kb.placements(node_id)]
        assert [s.rsplit(" (", 1)[0] for s in summaries] == [W.get("get_help.if_here_for", pathway=t) for t in titles]
        assert all(re.search(r"\(\d+ emergency signs?\)$", s) for s in summaries), summaries
        assert "<details class=\"cp-gethelp-section\" open" not in box.group(1)
        outside = re.sub(r"<details.*?</details>", "", box.group(1), flags=re.DOTALL)
        # What to do in an emergency, seen without opening a fold: the line, or the treatment's own emergency signs.
        assert W.get("routes.emergency_now") in text_of(outside) or 'cp-urgency-emergency">' in outside
        # Every red flag sits in its pathway's fold; outside them only the treatment's own signs, the same for each pathway.
        node = kb.nodes[node_id]
        own = {squash(i.text) for i in node.get_help_if} if isinstance(node, Treatment) else set()
        outside_lines = [squash(text_of(li)) for li in re.findall(r"<li>(.*?)</li>", outside, re.DOTALL)]
        assert set(outside_lines) <= own and "<a " not in outside, (node_id, outside_lines)


def test_the_pathway_home_lists_every_warning_sign_at_the_anchor_the_boxes_link_to(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    pages = {node_url(i): i for i in kb.nodes}
    for pathway in kb.pathways:
        url = node_url(pathway.id)
        page = article(build.html(url))
        m = re.search(r'<h2 id="warning-signs">(.*?)</h2>(.*?)(?=<h2|<nav|<details|<div class="cp-meta)', page, re.DOTALL)
        assert m, f"{url}: no section #warning-signs"
        listed = [pages.get(resolve_href(url, a.attrs["href"]) or "") for a in links_in(m.group(2))]
        assert sorted(i for i in listed if i) == sorted(kb.red_flags_of(pathway.id)), url
        ranks = [list(Urgency).index(kb.nodes[i].urgency) for i in listed if i]  # type: ignore[union-attr]
        assert ranks == sorted(ranks), f"{url}: not most urgent first"


def count_signs(html: str, url: str, signs: set[str]) -> int:
    """Signs in a piece of a box on the page at `url`: lines that link to a red flag (one of `signs`), or that link
    nowhere (a treatment's own signs). The home page's links to each pathway's list are not signs."""
    lines = re.findall(r"<li>(.*?)</li>", html, re.DOTALL)
    return sum(1 for li in lines if not links_in(li) or any(resolve_href(url, a.attrs["href"]) in signs for a in links_in(li)))


def test_every_pages_first_safety_box_lists_at_most_four_signs(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Property over every built page, whatever its kind: the first safety box (a page's "Get help now", the
    home page's emergency box, a red flag's card) lists at most four signs in view, and at most four in each
    pathway's fold."""
    build, kb = shipped
    signs = {node_url(n.id) for n in kb.of_kind("indicator")}
    first = re.compile(r'<div class="(?:cp-gethelp|admonition [^"]*(?:cp-emergency-box|cp-card))[^"]*">(.*?)</div>', re.DOTALL)
    checked = 0
    for path in html_pages(build.site):
        html = path.read_text(encoding="utf-8")
        if '<article class="md-content__inner' not in html:
            continue  # a redirect stub
        url = path.relative_to(build.site).as_posix().removesuffix("index.html")
        m = first.search(article(html))
        if not m:
            continue
        checked += 1
        box = m.group(1)
        in_view = re.sub(r"<details.*</details>", "", box, flags=re.DOTALL)
        folds = [s.group(2) for s in SECTION.finditer(box)] or [box]

        assert count_signs(in_view, url, signs) <= MAX_SIGNS, f"{url}: {count_signs(in_view, url, signs)} signs in view"
        assert max(count_signs(f, url, signs) for f in folds) <= MAX_SIGNS, f"{url}: a fold lists more than {MAX_SIGNS} signs"
    assert checked > len(kb.nodes) // 2


def test_the_home_page_has_one_emergency_line_and_a_link_per_pathway(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    for url in ("", "pathways/"):
        page = article(build.html(url))
        box = re.search(r'<div class="admonition danger cp-emergency-box">(.*?)</div>', page, re.DOTALL)
        assert box, url
        hrefs = [a.attrs["href"] for a in links_in(box.group(1))]
        assert [resolve_href(url, h) for h in hrefs] == [node_url(p.id) for p in kb.pathways_sorted()]
        assert all(h.endswith("#warning-signs") for h in hrefs)
        assert W.get("emergency.any_sign") in text_of(box.group(1))


def test_a_red_flags_own_page_has_its_full_card_without_a_link_to_itself(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    checked = 0
    for ind in kb.of_kind("indicator"):
        assert isinstance(ind, Indicator)
        url = node_url(ind.id)
        page = article(build.html(url))
        card = re.search(r'<div class="admonition [^"]*cp-card--' + ind.urgency.value + r'[^"]*">(.*?)</div>', page, re.DOTALL)
        assert card, f"{url}: no card"
        title = squash(text_of(re.search(r'<p class="admonition-title">(.*?)</p>', card.group(1), re.DOTALL).group(1)))  # type: ignore[union-attr]
        assert title == squash(f"{kb.vocabulary.urgency_label(ind.urgency)}: {W.action(ind.urgency.value, ind.action)}"), title
        assert url not in {resolve_href(url, a.attrs["href"]) for a in links_in(card.group(1))}
        assert "cp-gethelp" not in page  # its own card says it all
        checked += 1
    assert checked >= 6
