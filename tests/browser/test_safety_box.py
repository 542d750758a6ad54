"""The safety box on a phone, measured in Chromium (390 x 844): on a page that 2, 3 or 24 pathways share (a
fixture this module writes, `helpers_many_pathways`), the first box lists at most four signs in view and is at
most 400 px tall; at 24 pathways the page's first section starts on the first screen. Each pathway's
fold opens, with a mouse, a key or no JavaScript at all, to at most four signs of that pathway and a link to
its full list; on paper every fold prints open.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from carepath import KnowledgeBase, check_pathway
from carepath.model.graph import Indicator, Urgency
from carepath.render.pages import UNFOLDED_PLACES
from carepath.words import words
from helpers_many_pathways import emergencies_of, write_many_pathways
from helpers_site import build, node_url, resolve_href

from .conftest import AXE_TAGS, HOST, Visit, _QuietHandler

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_SIGNS = 4
MAX_BOX_PX = 400
W = words("en")

MEASURE_JS = """() => {
  const article = document.querySelector('article');
  const box = article.querySelector('.cp-gethelp, .cp-emergency-box');
  const rect = box.getBoundingClientRect();
  const first = article.querySelector('h2');
  const line = article.querySelector('.cp-emergency-line, .cp-emergency-box');
  return {
    top: Math.round(rect.top + scrollY),
    height: Math.round(rect.height),
    signs: [...box.querySelectorAll('li')].filter(li => li.checkVisibility()).length,
    heading: first ? first.textContent.trim() : null,
    heading_y: first ? Math.round(first.getBoundingClientRect().top + scrollY) : null,
    line_end: line ? Math.round(line.getBoundingClientRect().bottom + scrollY) : null,
  };
}"""
"""The first safety box of the article (its top, height and the list items in view), the article's first `h2`
(the page's first section), and where the emergency line at the top of the page ends."""


@dataclass(frozen=True)
class Site:
    base: str
    kb: KnowledgeBase
    shared: str
    """The URL of the page every pathway offers."""


@pytest.fixture(scope="module", params=[2, 3, 24], ids=lambda n: f"{n}-pathways")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    count: int = request.param
    project = write_many_pathways(tmp_path_factory.mktemp(f"many-{count}"), count)
    built = build(project)
    assert built.returncode == 0, built.output
    kb, problems = check_pathway(project / "pathway")
    assert [p for p in problems if p.severity == "error"] == []
    shared = [n for n in kb.nodes if len(kb.placements(n)) == count]
    assert len(kb.pathways) == count and len(shared) == 1, shared
    server = ThreadingHTTPServer((HOST, 0), functools.partial(_QuietHandler, directory=str(built.site)))
    thread = threading.Thread(target=server.serve_forever, name="many-pathways", daemon=True)
    thread.start()
    try:
        yield Site(f"http://{HOST}:{server.server_address[1]}/", kb, node_url(shared[0]))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def phone(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=request.param, service_workers="block")
    yield context
    context.close()


def measure(page: Page, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="load")
    found: dict[str, Any] = page.evaluate(MEASURE_JS)
    return found


def test_the_shared_pages_box_is_short_and_its_first_section_on_the_first_screen(site: Site, phone: BrowserContext) -> None:
    page = phone.new_page()
    m = measure(page, site.base + site.shared)
    count = len(site.kb.pathways)
    print(f"\n{count} pathways, {site.shared}: box at y={m['top']} px, {m['height']} px tall, {m['signs']} signs in view; "
          f"first section '{m['heading']}' at y={m['heading_y']} px; emergency line ends at y={m['line_end']} px")
    assert m["signs"] <= MAX_SIGNS
    assert m["height"] <= MAX_BOX_PX
    assert m["heading"] == W.get("treatment.body")
    assert m["heading_y"] < m["top"], "the box stands under the page's first section"
    assert m["line_end"] is not None and m["line_end"] <= PHONE["height"]
    if count > UNFOLDED_PLACES:  # up to three, the page lists its pathways and steps in full above the box
        assert m["heading_y"] < PHONE["height"]


def test_the_home_pages_emergency_box_is_one_line_and_a_link_per_pathway(site: Site, phone: BrowserContext) -> None:
    page = phone.new_page()
    m = measure(page, site.base)
    box = page.locator(".cp-emergency-box")
    hrefs = box.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert [h.split("#")[0] for h in hrefs] == [node_url(p.id) for p in site.kb.pathways_sorted()]
    assert m["signs"] <= MAX_SIGNS and m["height"] <= MAX_BOX_PX and m["heading_y"] < PHONE["height"], m
    assert W.get("emergency.any_sign") in box.inner_text()


def open_folds(page: Page) -> None:
    """Open every fold of the box as a reader would: a tap on its summary, outer fold first."""
    for summary in page.locator(".cp-gethelp summary").all():
        summary.click()


def test_each_fold_holds_its_own_pathways_signs_and_its_full_list(site: Site, phone: BrowserContext) -> None:
    page = phone.new_page()
    page.goto(site.base + site.shared)
    open_folds(page)
    kb = site.kb
    folds = page.locator(".cp-gethelp-section")
    pathways = [p.pathway for p in kb.placements(site.shared.rstrip("/"))]
    assert folds.count() == len(pathways)
    for i, pathway in enumerate(pathways):
        fold = folds.nth(i)
        summary = fold.locator("summary").inner_text()
        mine = kb.red_flags_of(pathway.id)
        assert summary.startswith(W.get("get_help.if_here_for", pathway=pathway.title)), summary
        assert W.get("get_help.emergencies", count=emergencies_of(pathway.id)) in summary
        signs = [li for li in fold.locator("li").all() if li.is_visible()]
        assert 0 < len(signs) <= MAX_SIGNS
        hrefs = fold.locator("li a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
        flagged = [(resolve_href(site.shared, h) or "").removesuffix("/") for h in hrefs]
        assert set(flagged) <= set(mine), f"{pathway.id}: another pathway's sign in its fold"
        urgencies = [kb.nodes[f].urgency for f in flagged if isinstance(kb.nodes[f], Indicator)]  # type: ignore[union-attr]
        assert urgencies == sorted(urgencies, key=list(Urgency).index)
        more = fold.locator(".cp-gethelp-more")
        assert more.locator("a").inner_text() == W.get("get_help.see_all", count=len(mine), pathway=pathway.title)
        shown_emergencies = sum(1 for u in urgencies if u == Urgency.emergency)
        if emergencies_of(pathway.id) > shown_emergencies:  # the box holds what fits; the rest are counted in words
            assert W.get("get_help.more_emergencies", count=emergencies_of(pathway.id) - shown_emergencies) in more.inner_text()
    # The first fold's link leads to its pathway's full list, where every one of its signs is.
    folds.first.locator(".cp-gethelp-more a").click()
    page.wait_for_url(f"**/{pathways[0].id}/#warning-signs")
    listed = page.locator("h2#warning-signs + p + ul > li").count()
    assert listed == len(kb.red_flags_of(pathways[0].id))


def test_a_fold_opens_from_the_keyboard(site: Site, browser: Browser) -> None:
    """A native <details>: its summary is in the tab order and Enter opens it; no script, no pointer."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.base + site.shared)
        first = page.locator(".cp-gethelp summary").first
        assert first.evaluate("s => s.tabIndex") == 0
        first.focus()
        assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        assert first.evaluate("s => s.parentElement.open")
    finally:
        context.close()


def test_the_box_has_no_accessibility_violations_closed_or_open(site: Site, browser: Browser) -> None:
    """axe-core (it runs as a script, so JavaScript is on) over the shared page, its folds closed, then open."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, service_workers="block")
    try:
        page = context.new_page()
        page.goto(site.base + site.shared)
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        closed = Visit(site.shared, None, [], [], list(Axe().run(page, options=options).response["violations"]))
        # Open the folds where they are, without scrolling: a click scrolls the page, and Material's header then
        # fades its title to the page's, which axe would read half-faded. (The folds open to a click in
        # test_each_fold_holds_its_own_pathways_signs_and_its_full_list.)
        page.evaluate("document.querySelectorAll('.cp-gethelp details').forEach(d => { d.open = true; })")
        assert page.locator(".cp-gethelp details:not([open])").count() == 0
        opened = Visit(site.shared + " (open)", None, [], [], list(Axe().run(page, options=options).response["violations"]))
        assert closed.describe_violations() + opened.describe_violations() == []
    finally:
        context.close()


def test_every_fold_prints_open(site: Site, browser: Browser) -> None:
    """Paper cannot be tapped: print.css shows what each fold holds."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(site.base + site.shared)
        signs = page.locator(".cp-gethelp details li")
        assert not any(li.is_visible() for li in signs.all())
        page.emulate_media(media="print")
        assert all(li.is_visible() for li in signs.all())
        assert signs.count() <= MAX_SIGNS * len(site.kb.pathways)
    finally:
        context.close()
