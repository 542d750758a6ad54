"""The generated site, built for real with `mkdocs build --strict`: pages, links, backlinks, journey, nav.

Two projects are built once each: the shipped one (the repository's mkdocs.yml, content/, pathway/
and site_overrides/) and a small asthma fixture that looks nothing like it.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from carepath import KnowledgeBase, check_pathway
from carepath import urls as links
from carepath.model.graph import EdgeKind, Pathway, Stage
from carepath.render.pages import RenderOptions, long_date, render_pages
from carepath.words import words
from helpers_site import (
    SITE_FIXTURE,
    Build,
    article,
    build,
    copy_project,
    elements,
    links_in,
    node_url,
    resolve_href,
    search_locations,
    section,
    shared_build,
    text_of,
)

PROJECTS = ["fixture", "shipped"]
W = words("en")
DISCLAIMER = words().get("page.disclaimer")


@pytest.fixture(scope="module", params=PROJECTS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, KnowledgeBase]:
    result = shared_build(request.param, tmp_path_factory)
    assert result.returncode == 0, result.output
    kb, problems = check_pathway(result.project / "pathway")
    assert not [p for p in problems if p.severity == "error"]
    return result, kb


@functools.cache
def _article(path: Path) -> str:
    return article(path.read_text(encoding="utf-8"))


def node_article(b: Build, node_id: str) -> str:
    return _article(b.page(node_url(node_id)))


def hrefs_to(page_url: str, html: str) -> list[str]:
    """Where each link in `html` on the page at `page_url` goes, as site-relative URLs."""
    out = []
    for a in links_in(html):
        target = resolve_href(page_url, a.attrs["href"])
        if target is not None:
            out.append(target)
    return out


def test_strict_build_passes_with_zero_warnings(built: tuple[Build, KnowledgeBase]) -> None:
    b, _ = built
    assert b.returncode == 0
    assert b.warnings == []
    assert "Traceback" not in b.output


def test_every_node_has_a_page(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    missing = [n for n in kb.nodes if not b.page(node_url(n)).is_file()]
    assert missing == []
    for extra in ("a-z/", "glossary/"):
        assert b.page(extra).is_file()


def test_every_reference_renders_as_a_working_link(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    broken = []
    for e in kb.edges:
        targets = hrefs_to(node_url(e.source), _own_links(node_article(b, e.source)))
        if node_url(e.target) not in targets:
            broken.append(f"{e.source} -{e.kind.value}-> {e.target}")
        assert b.page(node_url(e.target)).is_file()
    assert broken == []


def _own_links(html: str) -> str:
    """The page without its diagram and its 'Related pages' list, which would also link to neighbours."""
    html = "\n".join(line for line in html.split("\n") if not line.startswith('<div class="cp-diagram'))
    backlinks = section(html, "Related pages")
    if backlinks:
        html = html.replace(backlinks[: backlinks.index("</ul>")], "")
    return html


def test_linked_from_is_exactly_the_inverse_of_the_edges(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    for node_id in kb.nodes:
        expected = Counter(node_url(e.source) for e in kb.in_edges(node_id) if e.kind != EdgeKind.includes)
        html = section(node_article(b, node_id), "Related pages")
        if not expected:
            assert html is None, f"{node_id}: a 'Related pages' section with nothing to list"
            continue
        assert html is not None, f"{node_id}: no 'Related pages' section"
        html = html[: html.index("</ul>")]  # the list itself, not the prev/next links after it
        got = Counter(u for u in hrefs_to(node_url(node_id), html) if u != "glossary/")
        assert got == expected, node_id


def test_breadcrumb_says_step_n_of_m_on_stage_and_option_pages(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    checked = 0
    for node_id in kb.nodes:
        places = kb.placements(node_id)
        if len(places) != 1 or not places[0].stage:
            continue
        place = places[0]
        crumb = re.search(r'<nav[^>]*class="cp-breadcrumb[^"]*"[^>]*>(.*?)</nav>', node_article(b, node_id), re.DOTALL)
        assert crumb, f"{node_id}: no breadcrumb"
        text = text_of(crumb.group(1))
        step = f"Step {place.step} of {len(place.pathway.stages)}: "
        assert step in text, f"{node_id}: {text!r}"
        hrefs = hrefs_to(node_url(node_id), crumb.group(1))
        assert node_url(place.pathway.id) in hrefs
        if node_id != place.stage.id:
            assert node_url(place.stage.id) in hrefs
        checked += 1
    assert checked >= len([n for n in kb.nodes.values() if isinstance(n, Stage)])


def way(b: Build, kb: KnowledgeBase, node_id: str, pathway: Pathway) -> tuple[str | None, str | None]:
    """The previous and next page a page offers along `pathway` (its row for that pathway on a shared page)."""
    rows = re.findall(r'<nav aria-label="([^"]*)" class="cp-prevnext[^"]*">(.*?)</nav>', node_article(b, node_id), re.DOTALL)
    mine = [body for label, body in rows if len(rows) == 1 or html.unescape(label) == W.get("page.along", pathway=pathway.title)]
    assert len(mine) <= 1, node_id
    found = {next(iter(a.classes & {"cp-prev", "cp-next"}), ""): a for a in links_in(mine[0])} if mine else {}
    to = {k: resolve_href(node_url(node_id), a.attrs["href"]) for k, a in found.items()}
    return to.get("cp-prev"), to.get("cp-next")


def walk(b: Build, kb: KnowledgeBase, start: str, pathway: Pathway) -> list[str]:
    """The pages "next" leads through from `start` along `pathway`, until a page has no "next"."""
    pages = {node_url(n): n for n in kb.nodes}
    seen = [start]
    while (nxt := way(b, kb, seen[-1], pathway)[1]) is not None:
        assert pages[nxt] not in seen, f"{pathway.id}: 'next' comes back to {nxt}"
        seen.append(pages[nxt])
    for before, after in itertools.pairwise(seen):
        if isinstance(kb.nodes[after], Stage) and not isinstance(kb.nodes[before], Stage | Pathway):
            continue  # a step's "previous" is the step before it, not the last option of that step
        assert way(b, kb, after, pathway)[0] == node_url(before), f"{after}: 'previous' is not {before}"
    return seen


def test_next_leads_through_each_step_and_each_steps_options_lead_on_to_the_next_step(built: tuple[Build, KnowledgeBase]) -> None:
    """One way forward: from a pathway's page "next" leads through its steps in order and stops after the last
    (the options are listed on each step's page). From a step's first option, "next" goes through every option the
    step offers on that pathway, then on to the next step; "previous" always walks the same way back. A warning
    sign's page is reached from other pages, never paged through: it has no row."""
    b, kb = built
    for pathway in kb.pathways:
        assert walk(b, kb, pathway.id, pathway) == [pathway.id, *pathway.stages]
        assert way(b, kb, pathway.id, pathway)[0] is None
        for i, stage_id in enumerate(pathway.stages):
            offered = [e.target for e in kb.out_edges(stage_id, EdgeKind.offers)]
            here = [o for o in offered if any(p.pathway.id == pathway.id and p.stage and p.stage.id == stage_id for p in kb.placements(o))]
            if not here:
                continue
            first = next(o for o in kb.journey(pathway.id) if o in here)
            assert way(b, kb, first, pathway)[0] == node_url(stage_id), f"{first}: 'previous' is not its step"
            options = walk(b, kb, first, pathway)
            following = pathway.stages[i + 1 : i + 2]
            assert sorted(options[: len(here)]) == sorted(here) and options[len(here) :] == following[:1] + (
                [] if not following else pathway.stages[i + 2 :]
            ), (stage_id, options)
    for node_id in kb.nodes:
        if kb.kind(node_id) == "indicator":
            assert "cp-prevnext" not in node_article(b, node_id), f"{node_id}: a warning sign's page pages on"


def test_sections_without_data_are_left_out(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    for url in [node_url(n) for n in kb.nodes] + ["a-z/", "glossary/"]:
        html = article(b.html(url))
        assert "TODO" not in html, url
        for m in re.finditer(r"<(h[1-6])[^>]*>(.*?)</\1>", html, re.DOTALL):
            after = html[m.end() :]
            level = int(m.group(1)[1])
            nxt = re.search(rf"<h[1-{level}][\s>]|</article>", after)  # subsections count as content
            body = after[: nxt.start()] if nxt else after
            assert text_of(body) or "<img" in body or "<svg" in body, f"{url}: empty section {text_of(m.group(2))!r}"


def test_review_status_and_disclaimer_on_every_page(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    for node_id, node in kb.nodes.items():
        text = text_of(node_article(b, node_id))
        if node.review.status == "reviewed":
            assert f"Page last reviewed: {long_date(node.review.last_reviewed, words())}" in text
            assert f"Reviewed by {node.review.reviewer}." in text
            assert "Draft: awaiting clinical review" not in text
        else:
            assert "Draft: awaiting clinical review" in text, node_id
            assert "Not yet reviewed by a clinician." in text, node_id
            if node.review.written:
                assert f"Written: {long_date(node.review.written, words())}" in text, node_id
        assert DISCLAIMER in text, node_id
        assert "Due for review" not in text, node_id
    for url in ("a-z/", "glossary/"):
        assert DISCLAIMER in text_of(article(b.html(url)))


def test_nav_lists_pathways_and_stages_but_no_leaf_pages(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    leaf_id = next(n for n in sorted(kb.nodes) if not isinstance(kb.nodes[n], (Pathway, Stage)))
    html = b.html(node_url(leaf_id))
    start = html.index('class="md-sidebar md-sidebar--primary"')
    nav = html[start : html.index('class="md-sidebar md-sidebar--secondary"', start)]
    in_nav = {
        resolve_href(node_url(leaf_id), a.attrs["href"])
        for a in elements(nav)
        if a.tag == "a" and "md-nav__link" in a.classes and not a.attrs["href"].startswith("#")
    }
    for node_id, node in kb.nodes.items():
        if isinstance(node, (Pathway, Stage)):
            assert node_url(node_id) in in_nav, node_id
        else:
            assert node_url(node_id) not in in_nav, node_id
    assert {"a-z/", "glossary/"} <= in_nav


def test_search_index_has_every_node_page(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    locations = search_locations(b.site)
    assert {node_url(n) for n in kb.nodes} <= locations


# --- fixture-only checks ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    result = shared_build("fixture", tmp_path_factory)
    assert result.returncode == 0, result.output
    return result


@pytest.mark.parametrize(
    ("node_id", "absent"),
    [
        ("exercise-asthma", ["About this condition"]),
        (
            "respiratory-specialist",
            ["What it is", "Risks and side effects", "Questions to ask your care team", "What you need first", "Afterwards"],
        ),
        ("step-up-care", ["What happens at this step", "Signs it is not working", "When to move on", "What comes next"]),
        ("blue-lips", ["What this means", "What it may point to"]),
    ],
)
def test_empty_fields_leave_no_heading(fixture_site: Build, node_id: str, absent: list[str]) -> None:
    html = node_article(fixture_site, node_id)
    for heading in absent:
        assert section(html, heading) is None, heading


def test_filled_fields_get_their_heading(fixture_site: Build) -> None:
    html = node_article(fixture_site, "preventer-inhaler")
    for heading in (
        "What it is",
        "How it helps",
        "What to expect",
        "Risks and side effects",
        "How long relief lasts",
        "What you need first",
        "Next step if it does not help",
        "Questions to ask your care team",
    ):
        assert section(html, heading) is not None, heading
    assert "Thrush in the mouth" in text_of(section(html, "Risks and side effects") or "")


def test_reviewed_page_names_reviewer_and_dates(fixture_site: Build) -> None:
    text = text_of(node_article(fixture_site, "asthma-care"))
    assert "Page last reviewed: 10 January 2026 Next review due: 10 January 2027 Reviewed by Dr Ada Fixture." in text


def test_node_link_in_pathway_prose_is_a_working_link(fixture_site: Build) -> None:
    html = node_article(fixture_site, "asthma-care")
    assert "preventer-inhaler/" in hrefs_to("asthma-care/", html)


def _set_next_review(project: Path, node_id: str, date: str) -> None:
    care = project / "pathway" / "care.yml"
    text = care.read_text(encoding="utf-8")
    anchor = f"  - id: {node_id}\n"
    assert anchor in text
    care.write_text(text.replace(anchor, f"{anchor}    review: {{status: draft, next_review: {date}}}\n"), encoding="utf-8")


def test_page_past_its_review_date_fails_the_strict_build_naming_it(tmp_path: Path) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    _set_next_review(project, "spirometry", "2026-03-01")
    _, problems = check_pathway(project / "pathway", dt.date(2026, 6, 1))
    due = [str(p) for p in problems if p.severity == "warning"]
    assert due == [
        f"pathway/care.yml:{due[0].split(':')[1]}:{due[0].split(':')[2]}: warning: treatment 'spirometry': due for review since 2026-03-01"
    ]

    strict = build(project)
    assert strict.returncode == 1
    assert any(due[0] in w for w in strict.warnings), strict.output
    assert "Traceback" not in strict.output

    # MkDocs writes every page before strict mode aborts the build, so the notice can be read there.
    text = text_of(node_article(strict, "spirometry"))
    assert "Due for review" in text
    assert "due for a clinical review on 1 March 2026" in text
    assert "Due for review" not in text_of(node_article(strict, "preventer-inhaler"))


def test_review_due_only_after_the_date(tmp_path: Path) -> None:
    """A page is due the day after its `next_review`, not on it."""
    project = copy_project(SITE_FIXTURE, tmp_path / "p", ("pathway",))
    _set_next_review(project, "spirometry", "2026-06-01")
    kb, _ = check_pathway(project / "pathway")
    on_the_day = render_pages(kb, RenderOptions(today=dt.date(2026, 6, 1)))["spirometry.md"]
    day_after = render_pages(kb, RenderOptions(today=dt.date(2026, 6, 2)))["spirometry.md"]
    assert "Due for review" not in on_the_day
    assert "Due for review" in day_after


def test_a_to_z_links_every_node_and_the_glossary_every_term(built: tuple[Build, KnowledgeBase]) -> None:
    b, kb = built
    a_z = article(b.html("a-z/"))
    by_title = [resolve_href("a-z/", h) for h in re.findall(r'<li><a href="([^"]+)"', a_z)]  # a lay name's entry starts with the name
    assert Counter(by_title) == Counter(node_url(n) for n in kb.nodes)
    assert {u for u in hrefs_to("a-z/", a_z) if u != "a-z/" and u != "glossary/"} == {node_url(n) for n in kb.nodes}
    glossary = article(b.html("glossary/"))
    ids = {e.attrs["id"] for e in elements(glossary) if "id" in e.attrs}
    for entry in kb.glossary:
        assert links.glossary_anchor(entry.term) in ids, entry.term


@pytest.mark.parametrize(("name", "answers"), [("Sciatica", ["nerve-root-irritation"]), ("Slipped disc", ["disc-herniation"]), ("Ibuprofen", ["nsaids"])])
def test_a_to_z_leads_from_a_lay_name_to_the_page_that_answers_it(name: str, answers: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Patients' own words (`synonyms:`) are A–Z entries too: "Sciatica: see Nerve root irritation", under S."""
    b = shared_build("shipped", tmp_path_factory)
    a_z = article(b.html("a-z/"))
    letter = section(a_z, name[0])
    assert letter is not None, f"no letter {name[0]} in the A–Z"
    entry = re.search(rf"<li>{re.escape(name)}: see (.*?)</li>", letter)
    assert entry, f"no A–Z entry '{name}' under {name[0]}"
    assert [resolve_href("a-z/", h) for h in re.findall(r'href="([^"]+)"', entry.group(1))] == [node_url(a) for a in answers]


def test_a_to_z_lists_every_lay_name_once_but_not_one_that_is_a_title(tmp_path_factory: pytest.TempPathFactory) -> None:
    b = shared_build("shipped", tmp_path_factory)
    kb, _ = check_pathway(b.project / "pathway")
    names = [html.unescape(n) for n in re.findall(r"<li>([^<]+): see ", article(b.html("a-z/")))]
    titles = {n.title.casefold() for n in kb.nodes.values()}
    synonyms = {s.casefold() for n in kb.nodes.values() for s in n.synonyms}
    assert sorted(n.casefold() for n in names) == sorted(synonyms - titles)
    assert len(names) > 100
