"""What a patient meets in Chromium: search in their own words, a readable clinician overview, handouts
that say who published them and when, a 404 page that still helps, and a code lookup without JavaScript."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
from carepath import KnowledgeBase
from carepath.model.graph import Indicator, Urgency
from carepath.publish.search import emergency_words
from carepath.words import words
from helpers_site import node_url, shipped_edition, shipped_id

from .conftest import PAGE_KINDS, SITE_URL, page_of_kind

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

MIN_LABEL_PX = 12.0
W = words("en")
EDITION = words(shipped_edition())
"""The edition the browser tests' site is built as (the shipped `mkdocs.yml`'s): its route words, number and search words."""
CALL_EMERGENCY = f"call {EDITION.get('routes.emergency_number')}"
NODE_KINDS = [k for k in PAGE_KINDS if k in ("pathway", "stage", "treatment", "condition", "indicator")]

# The rendered size of every label of an SVG chart: font size times the chart's scale on screen.
LABEL_SIZES_JS = """svg => [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const m = t.getScreenCTM();
    return {text: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
            height: t.getBoundingClientRect().height};
})"""


def search(page: Page, base_url: str, query: str) -> list[str]:
    """Type `query` into Material's search as a reader would; the result pages, best first, as site paths.

    Material searches again on every key, so the list is read once it has stopped changing: the answer to the
    whole query, not to the first few letters of it."""
    page.goto(base_url)
    page.keyboard.press("/")
    page.keyboard.type(query, delay=15)
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=10_000)
    before: list[str] = []
    for _ in range(40):
        hrefs: list[str] = page.locator(".md-search-result__item > .md-search-result__link").evaluate_all(
            "els => els.map(a => new URL(a.getAttribute('href'), document.baseURI).pathname)"
        )
        if hrefs and hrefs == before:
            break
        before = hrefs
        page.wait_for_timeout(150)
    return list(dict.fromkeys(h.lstrip("/") for h in before))


def emergency_flags(kb: KnowledgeBase) -> set[str]:
    return {f"{n.id}/" for n in kb.of_kind("indicator") if isinstance(n, Indicator) and n.urgency == Urgency.emergency}


# --- search ---


SEARCHES = [
    # (what a reader types, the page that must come first, other pages that must be in the top three, pages
    # that must not). The words decide: a warning sign that holds fewer of them waits its turn, however urgent.
    ("numb hand", "carpal-tunnel-care", [], ["saddle-numbness", "lasting-numbness-or-tingling"]),
    ("pins and needles", "carpal-tunnel-care", ["lasting-numbness-or-tingling"], []),
    ("steroid shot", "carpal-tunnel-steroid-injection", ["epidural-steroid-injection"], []),
    ("ibuprofen", "nsaids", [], []),
    ("gabapentin", "nerve-pain-medicines", [], []),
    ("sciatica", "nerve-root-irritation", ["when-pt-does-not-help"], ["back-pain-after-serious-fall-or-accident", "chest-pain-or-feeling-very-unwell"]),
    ("slipped disc", "disc-herniation", [], ["sudden-leg-weakness"]),
    # A reader looking for danger meets the warning sign first.
    ("wet myself", "loss-of-bladder-or-bowel-control", [], []),
    ("can't pee", "loss-of-bladder-or-bowel-control", [], []),
    ("fever", "fever-or-feeling-unwell", [], []),
]


@pytest.mark.parametrize(("query", "first", "top", "not_top"), SEARCHES, ids=[s[0] for s in SEARCHES])
def test_search_puts_the_page_that_answers_first(page: Page, base_url: str, query: str, first: str, top: list[str], not_top: list[str]) -> None:
    results = search(page, base_url, query)
    assert results[0] == node_url(first), results[:5]
    assert {node_url(t) for t in top} <= set(results[1:3]), results[:5]
    assert {node_url(n) for n in not_top} & set(results[:3]) == set(), results[:5]


@pytest.mark.parametrize("query", list(dict.fromkeys(["emergency", CALL_EMERGENCY, *emergency_words(EDITION)])))
def test_search_for_an_emergency_puts_the_emergency_red_flags_first(page: Page, base_url: str, kb: KnowledgeBase, query: str) -> None:
    flags = emergency_flags(kb)
    results = search(page, base_url, query)
    assert set(results[: len(flags)]) == flags, results
    assert [r for r in results if r.startswith(("code/", "lookup/"))] == []


# --- the clinician overview ---


def overview_paths(kb: KnowledgeBase) -> list[str]:
    return [f"{p.id}/overview/" for p in kb.pathways]


@pytest.mark.parametrize("width", [390, 1280])
def test_overview_key_reads_at_12px_and_the_page_does_not_scroll_sideways(
    browser: Browser, base_url: str, kb: KnowledgeBase, width: int
) -> None:
    """The chart is scaled to fit the screen (tests/browser/test_diagrams_browser.py measures it); its key is page
    text beside or under it, so it stays readable at 100 % zoom. The chart's own labels are read full size (below)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for path in overview_paths(kb):
            page.goto(base_url + path)
            sizes = page.locator(".cp-overview-key li").evaluate_all(
                "lis => lis.map(li => [li.innerText.trim(), parseFloat(getComputedStyle(li).fontSize)])"
            )
            assert len(sizes) == 13
            assert [(text, px) for text, px in sizes if px < MIN_LABEL_PX] == [], path
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width, "the page itself scrolls sideways"
            natural, shown = page.locator("svg.cp-overview-svg").evaluate("s => [s.viewBox.baseVal.width * 4 / 3, s.getBoundingClientRect().width]")
            assert shown < natural, "the chart is scaled to fit, not drawn at its natural size"
    finally:
        context.close()


def test_overview_opens_on_its_own_at_full_size_with_working_links(page: Page, base_url: str, kb: KnowledgeBase) -> None:
    for path in overview_paths(kb):
        page.goto(base_url + path)
        with page.expect_navigation():
            page.get_by_role("link", name="Open the chart full size").click()
        assert page.url == base_url + path + "overview.svg"
        labels = page.locator("svg").first.evaluate(LABEL_SIZES_JS)
        assert min(lb["px"] for lb in labels) >= MIN_LABEL_PX
        key = [lb["text"] for lb in page.locator("g.cp-overview-key").evaluate(LABEL_SIZES_JS)]
        assert key[0] == "Key" and "if no improvement" in key, "the file has the key beside the chart"
        hrefs: list[str] = page.locator("a").evaluate_all("els => els.map(a => a.href.baseVal ?? a.getAttribute('href'))")
        pathway = path.split("/")[0]
        assert hrefs and any(urljoin(page.url, h) == base_url + pathway + "/" for h in hrefs)
        response = page.request.get(urljoin(page.url, hrefs[-1]))
        assert response.status == 200


# --- handouts ---


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_handout_prints_publisher_version_and_date(page: Page, base_url: str, kb: KnowledgeBase, kind: str) -> None:
    page.goto(base_url + page_of_kind(kb, kind))
    assert not page.locator(".cp-handout-source").is_visible(), "handout lines are for paper"
    page.emulate_media(media="print")
    source = page.locator(".cp-handout-source")
    assert source.is_visible()
    assert re.fullmatch(r"Published by The Carepath project\. This version: 0\.1 \(draft\), dated \d{4}-\d{2}-\d{2}\.", source.inner_text())
    assert page.inner_text(".cp-handout-url") == SITE_URL + page_of_kind(kb, kind)


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_printed_pages_say_what_to_do_in_an_emergency_before_the_first_section(page: Page, base_url: str, kb: KnowledgeBase, kind: str) -> None:
    """On paper, as on screen: the emergency line (a warning sign's own card) above the first section; the
    warning signs print once, open, under their heading."""
    page.goto(base_url + page_of_kind(kb, kind))
    page.emulate_media(media="print")
    first = page.locator(".cp-emergency-line, .cp-card").first
    assert first.is_visible()
    line, first_section = first.bounding_box(), page.locator("article h2").first.bounding_box()
    assert line and first_section and line["y"] < first_section["y"]
    box = page.locator("article .cp-gethelp")
    if kind not in ("pathway", "indicator"):  # a pathway's page lists every sign; a sign's page is its own card
        assert box.count() == 1 and box.is_visible()
        assert all(li.is_visible() for li in box.locator("li").all())
    assert W.get("get_help.heading") not in page.inner_text(".cp-handout")


# --- the 404 page ---


@pytest.fixture
def missing(page: Page, site_dir: Path, base_url: str) -> Iterator[Page]:
    """As a static host does: any address that has no file gets `404.html`, at that address."""
    body = (site_dir / "404.html").read_text(encoding="utf-8")
    page.route(base_url + "no/such/page/**", lambda route: route.fulfill(status=404, body=body, content_type="text/html"))
    page.goto(base_url + "no/such/page/here/")
    yield page


def test_404_offers_emergency_signs_home_and_a_to_z_from_any_depth(missing: Page, base_url: str, kb: KnowledgeBase) -> None:
    page = missing
    assert page.locator("h1").inner_text() == "We cannot find that page"
    box = page.locator(".cp-emergency-box")
    assert box.is_visible() and CALL_EMERGENCY in box.inner_text().lower()
    hrefs = box.locator("a").evaluate_all("els => els.map(a => a.href)")
    assert hrefs == [base_url + node_url(p.id) + "#warning-signs" for p in kb.pathways_sorted()], "one link per pathway, to its list"
    for name, target in [("Go to the home page", ""), ("Every topic from A to Z", "a-z/"), ("All care pathways", "pathways/")]:
        link = page.get_by_role("link", name=name)
        assert link.evaluate("a => a.href") in (base_url + target, base_url + target + ".")
        assert page.request.get(base_url + target).status == 200
    assert box.bounding_box()["y"] < page.locator("#cp-404-query").bounding_box()["y"]  # type: ignore[index]


def test_404_search_box_opens_the_site_search(missing: Page, base_url: str) -> None:
    page = missing
    page.fill("#cp-404-query", "gabapentin")
    page.get_by_role("button", name="Search").click()
    first = page.locator(".md-search-result__item > .md-search-result__link").first
    first.wait_for(state="visible", timeout=10_000)
    assert first.evaluate("a => new URL(a.getAttribute('href'), document.baseURI).pathname") == "/" + node_url("nerve-pain-medicines")


def test_404_search_box_without_javascript_leads_to_the_a_to_z(browser: Browser, site_dir: Path, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        body = (site_dir / "404.html").read_text(encoding="utf-8")
        page.route(base_url + "gone/**", lambda route: route.fulfill(status=404, body=body, content_type="text/html"))
        page.goto(base_url + "gone/deep/")
        page.fill("#cp-404-query", "bladder")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        assert page.url.startswith(base_url + "a-z/?q=bladder")
        assert page.locator("h1").inner_text() == "A to Z of topics"
    finally:
        context.close()


# --- code lookup without JavaScript ---


@pytest.fixture
def no_js(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


def test_lookup_without_javascript_links_every_code_the_site_knows(no_js: BrowserContext, base_url: str, site_dir: Path) -> None:
    codes = json.loads((site_dir / "codes.json").read_text(encoding="utf-8"))["systems"]
    known = {(s, c): base_url + entry["page"] for s, system in codes.items() for c, entry in system["codes"].items()}
    assert known, "the shipped site has codes"
    page = no_js.new_page()
    page.goto(base_url + "lookup/")
    assert "not running JavaScript" in page.inner_text("article")
    listed = set(page.locator("article li > a").evaluate_all("els => els.map(a => a.href)"))
    assert set(known.values()) <= listed
    for url in known.values():
        assert page.request.get(url).status == 200
    # The form still submits; without a script the reader lands on the same list.
    page.select_option("#cp-lookup-system", label="RxNorm")
    page.fill("#cp-lookup-code", "6387")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the page for this code").click()
    assert page.url == base_url + "lookup/?mainSearchCriteria.v.cs=2.16.840.1.113883.6.88&mainSearchCriteria.v.c=6387"
    assert page.locator("article li > a", has_text="6387").is_visible()


def test_lookup_form_with_javascript_opens_the_codes_page(page: Page, base_url: str, kb: KnowledgeBase) -> None:
    page.goto(base_url + "lookup/")
    page.select_option("#cp-lookup-system", label="RxNorm")
    page.fill("#cp-lookup-code", "6387")
    page.get_by_role("button", name="Open the page for this code").click()
    page.wait_for_url(base_url + node_url("topical-lidocaine"))
    assert page.locator("h1").first.inner_text() == kb.nodes[shipped_id("topical-lidocaine")].title


# --- the first screen of every page ---

PHONE = {"width": 390, "height": 844}
MAX_BOX_PX = 400

FIRST_SCREEN_JS = """() => {
  const a = document.querySelector('article');
  const top = e => e ? Math.round(e.getBoundingClientRect().top + scrollY) : null;
  const bottom = e => e ? Math.round(e.getBoundingClientRect().bottom + scrollY) : null;
  const line = a.querySelector('.cp-emergency-line, .cp-card');
  const box = a.querySelector('.cp-gethelp');
  const review = a.querySelector('.cp-review');
  return {
    heading: top(a.querySelector('h2')),
    line: bottom(line),
    line_is_card: !!(line && line.classList.contains('cp-card')),
    href: line && line.querySelector('a') ? line.querySelector('a').getAttribute('href') : null,
    box: box ? Math.round(box.getBoundingClientRect().height) : null,
    review: top(review),
    headings: [...a.querySelectorAll('h2')].map(h => h.textContent.trim()),
    prevnext: a.querySelectorAll('.cp-prevnext a').length,
    footer: [...document.querySelectorAll('.md-footer__link')].filter(l => l.checkVisibility()).length,
  };
}"""
"""Where a page's first content heading starts, where its emergency line (or a warning sign's own card) ends,
how tall its safety box is, and what else the five-second test looks at."""


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, service_workers="block")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_every_page_says_what_it_is_and_what_to_do_on_the_first_phone_screen(phone: Page, base_url: str, kb: KnowledgeBase, kind: str) -> None:
    """Every shipped page of the kind, on a 390 x 844 phone: its first section starts on the first screen, the
    emergency line (on a warning sign's page, its card: what to do) ends on it, the safety box is at most 400 px
    tall, and no section heading appears twice. A warning sign's page has no previous/next; no node page shows
    Material's footer row beside its own."""
    seen = []
    for node in kb.of_kind(kind):
        phone.goto(base_url + node_url(node.id), wait_until="load")
        m = phone.evaluate(FIRST_SCREEN_JS)
        seen.append(f"{node.id}: heading y={m['heading']}, emergency line ends y={m['line']}, box {m['box']} px")
        assert m["heading"] is not None and m["heading"] <= PHONE["height"], seen[-1]
        assert m["line"] is not None and m["line"] <= PHONE["height"], seen[-1]
        assert m["box"] is None or m["box"] <= MAX_BOX_PX, seen[-1]
        assert len(m["headings"]) == len(set(m["headings"])), m["headings"]
        assert m["footer"] == 0, f"{node.id}: Material's footer row shows beside the page's own"
        if kind == "indicator":
            assert m["line_is_card"] and m["prevnext"] == 0, node.id
            assert m["review"] is None or m["review"] > m["line"], f"{node.id}: the draft notice stands above what to do"
        else:
            assert m["href"] in ("#get-help", "#warning-signs"), m["href"]
            target = phone.locator(m["href"])
            assert target.count() == 1, f"{node.id}: the emergency line links to {m['href']}, which is not on the page"
    print("\n" + "\n".join(seen))
