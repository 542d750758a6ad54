"""The decision-flow diagrams with JavaScript off, as a locked-down browser shows them: drawn, linked, described
in words, marked 'you are here', and narrow enough for a phone.

`page.evaluate` still works here: Playwright runs it over the DevTools protocol, which disabling the page's
scripts does not block (the page keeps Material's `no-js` class, so none of the site's own scripts ran).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from carepath import KnowledgeBase
from carepath.model.graph import EdgeKind, Pathway, Treatment

from .conftest import ROOT, knowledge_base

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
PHONE_WIDTH = 390
DRAWN = ":is(.cp-journey, .cp-slice, .cp-overview)"

# Link facts read from the page; the absolute URL comes from `a.href`, so no test code resolves paths.
LINKS_JS = """els => els.map(a => ({
    raw: a.getAttribute('href'),
    url: a.href instanceof SVGAnimatedString ? new URL(a.href.baseVal, document.baseURI).href : a.href,
    text: a.textContent.replace(/\\s+/g, ' ').trim(),
    inText: a.closest('.cp-diagram details') !== null,
    inSvg: a.closest('svg') !== null,
    current: a.getAttribute('aria-current'),
}))"""

# The words a diagram shows outside its links (and outside its text alternative and its SVG).
UNLINKED_TEXT_JS = """el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('a, details, svg').forEach(e => e.remove());
    return copy.textContent.replace(/\\s+/g, ' ');
}"""


def the_pathways(kb: KnowledgeBase) -> list[Pathway]:
    if not kb.pathways:
        pytest.fail("the shipped site has no pathway", pytrace=False)
    return kb.pathways


def words(text: str) -> str:
    return " ".join(text.split())


def stage_pages(kb: KnowledgeBase) -> list[tuple[Pathway, str]]:
    return [(pw, stage) for pw in the_pathways(kb) for stage in pw.stages]


def treatment_pages(kb: KnowledgeBase) -> list[tuple[Pathway, str]]:
    """The first treatment each stage offers: pages whose slice says 'you are here' inside the stage's box."""
    out: dict[str, tuple[Pathway, str]] = {}
    for pw, stage in stage_pages(kb):
        offered = [e.target for e in kb.out_edges(stage, EdgeKind.offers) if isinstance(kb.nodes[e.target], Treatment)]
        fresh = [t for t in offered if t not in out]
        if fresh:
            out[fresh[0]] = (pw, fresh[0])
    if not out:
        pytest.fail("no stage of the shipped site offers a treatment", pytrace=False)
    return list(out.values())


_KB = knowledge_base()
PATHWAY_IDS = [pw.id for pw in the_pathways(_KB)]
STAGE_IDS = [stage for _, stage in stage_pages(_KB)]
TREATMENT_IDS = [t for _, t in treatment_pages(_KB)]


def pathway_of(kb: KnowledgeBase, node_id: str) -> Pathway:
    for pw in the_pathways(kb):
        if node_id == pw.id or node_id in pw.stages or node_id in kb.members(pw.id):
            return pw
    raise AssertionError(f"'{node_id}' is in no pathway")


@pytest.fixture(scope="module")
def no_js(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800}, service_workers="block")
    yield ctx
    ctx.close()


@pytest.fixture
def plain(no_js: BrowserContext) -> Iterator[Page]:
    page = no_js.new_page()
    yield page
    page.close()


def open_without_js(page: Page, url: str, unfold: bool = True) -> None:
    """Open a page with JavaScript off and, as a reader would, unfold its "Where this fits" flow."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert page.locator("html.no-js").count() == 1, "Material's scripts ran: JavaScript is not off"
    if unfold:
        summaries = page.locator("details.cp-where > summary")
        for i in range(summaries.count()):
            summaries.nth(i).click()
        assert page.locator("details.cp-where:not([open])").count() == 0


@pytest.mark.parametrize("kind", ["pathway", "stage", "treatment"])
def test_where_this_fits_is_folded_until_asked_for(plain: Page, base_url: str, kb: KnowledgeBase, kind: str) -> None:
    """The flow is long: folded by default it keeps the page short; one click (no JavaScript) opens it."""
    node = {"pathway": the_pathways(kb)[0].id, "stage": STAGE_IDS[0], "treatment": TREATMENT_IDS[0]}[kind]
    open_without_js(plain, base_url + f"{node}/", unfold=False)
    where = plain.locator("details.cp-where")
    assert where.count() >= 1
    assert not plain.locator(".cp-diagram").first.is_visible()
    where.first.locator("> summary").click()
    assert plain.locator(".cp-diagram").first.is_visible()


def node_at(url: str, base_url: str, kb: KnowledgeBase) -> str:
    """The node whose page an absolute URL is; fails for any other URL."""
    path = url.split("#", 1)[0].removeprefix(base_url)
    node_id = path.removesuffix("/")
    assert url.startswith(base_url) and path == f"{node_id}/" and node_id in kb.nodes, f"{url} is not a node page"
    return node_id


def links_of(page: Page, selector: str) -> list[dict[str, Any]]:
    return page.locator(f"{selector} a[href]").evaluate_all(LINKS_JS)  # type: ignore[no-any-return]


def assert_drawn(page: Page, selector: str) -> None:
    diagram = page.locator(selector)
    assert diagram.count() == 1, selector
    assert diagram.is_visible(), f"{selector} is not visible"
    box = diagram.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"{selector} has no size: {box}"


def assert_links_are_titled_nodes(links: list[dict[str, Any]], kb: KnowledgeBase, base_url: str, where: str) -> None:
    """Every link leads to a node page and says that node's title (SVG boxes wrap titles, so only HTML links)."""
    bad = []
    for link in links:
        node_id = node_at(link["url"], base_url, kb)
        if not link["inSvg"] and link["text"] != words(kb.nodes[node_id].title):
            bad.append(f"{link['raw']}: '{link['text']}' is not the title '{kb.nodes[node_id].title}'")
    assert bad == [], where


def assert_no_title_unlinked(page: Page, selector: str, kb: KnowledgeBase, pw: Pathway) -> None:
    """A node the diagram names is a link: no title of the pathway's nodes is left in the plain text."""
    plain_text = words(page.locator(selector).evaluate(UNLINKED_TEXT_JS))
    shown = [n for n in {pw.id, *pw.stages, *kb.members(pw.id)} if words(kb.nodes[n].title) in plain_text]
    assert shown == [], f"{selector} names these without a link: {plain_text}"


def open_text_alternative(page: Page, selector: str) -> list[dict[str, Any]]:
    details = page.locator(f"{selector} > details")
    assert details.count() == 1, f"{selector} has no text alternative"
    assert details.get_attribute("open") is None, "the text alternative starts closed"
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    items = details.locator("ol.cp-text-alt > li")
    assert items.count() > 0 and items.first.is_visible()
    return links_of(page, f"{selector} > details")


def text_steps(page: Page, selector: str, kb: KnowledgeBase, base_url: str) -> list[tuple[str, list[str], set[str]]]:
    """Each top-level item of an opened text alternative: the node it starts with, the nodes its sub-items
    (options, then red flags) start with, and every node it links to."""
    items = page.locator(f"{selector} > details ol.cp-text-alt > li")
    out = []
    for i in range(items.count()):
        item = items.nth(i)
        linked = [node_at(link["url"], base_url, kb) for link in item.locator("a[href]").evaluate_all(LINKS_JS)]
        subs = item.evaluate(
            "li => [...li.querySelectorAll(':scope > ol > li')].map(x => x.querySelector('a[href]')?.href ?? '')"
        )
        out.append((linked[0] if linked else "", [node_at(url, base_url, kb) for url in subs], set(linked)))
    return out


def assert_step_in_order(kb: KnowledgeBase, stage: str, subs: list[str]) -> None:
    """A step's list names its options in the author's order, then its red flags."""
    offered = [e.target for e in kb.out_edges(stage, EdgeKind.offers)]
    flags = [e.target for e in kb.out_edges(stage, EdgeKind.flags)]
    assert subs[: len(offered)] == offered, f"step '{stage}': options"
    assert sorted(subs[len(offered) :]) == sorted(flags), f"step '{stage}': red flags"


# --- the pathway home (journey) and its clinician overview page ---


@pytest.mark.parametrize("pathway_id", PATHWAY_IDS)
def test_pathway_home_draws_journey_and_overview_page_draws_overview_without_javascript(
    plain: Page, base_url: str, kb: KnowledgeBase, pathway_id: str
) -> None:
    pw = kb.nodes[pathway_id]
    assert isinstance(pw, Pathway)
    open_without_js(plain, base_url + f"{pathway_id}/")
    assert_drawn(plain, ".cp-journey")
    assert plain.locator(".cp-overview").count() == 0  # the big overview lives on its own page
    stages = plain.locator(".cp-journey > ol.cp-stages > li.cp-stage")
    assert stages.count() == len(pw.stages)
    for i in range(stages.count()):
        assert stages.nth(i).is_visible()

    journey = [link for link in links_of(plain, ".cp-journey") if not link["inText"]]
    assert_links_are_titled_nodes(journey, kb, base_url, "journey")
    assert_no_title_unlinked(plain, ".cp-journey", kb, pw)
    must_show = {pw.id, *pw.stages, *pw.red_flags}
    for stage in pw.stages:
        must_show |= {e.target for e in kb.out_edges(stage) if e.kind in (EdgeKind.offers, EdgeKind.flags, EdgeKind.escalates_to)}
    assert must_show - {node_at(link["url"], base_url, kb) for link in journey} == set(), "the journey leaves these out"

    # The overview page draws every node the pathway reaches, each box a link to its own page.
    overview_link = plain.locator("article a[href$='overview/']")
    assert overview_link.count() == 1
    overview_link.click()
    plain.wait_for_url(base_url + f"{pathway_id}/overview/")
    for selector in (".cp-overview", ".cp-overview svg.cp-overview-svg"):
        assert_drawn(plain, selector)
    prefix = f"cp-overview-{pathway_id}-n-"
    boxes = plain.locator(".cp-overview-svg g.cp-node").evaluate_all(
        "gs => gs.map(g => [g.id, [...g.querySelectorAll('a[href]')].map(a => new URL(a.getAttribute('href'), document.baseURI).href)])"
    )
    drawn = {}
    for gid, hrefs in boxes:
        assert gid.startswith(prefix) and len(hrefs) == 1, f"overview box {gid} is not one link: {hrefs}"
        drawn[gid.removeprefix(prefix)] = node_at(hrefs[0], base_url, kb)
    assert {box: node for box, node in drawn.items() if box != node} == {}, "an overview box links to another node's page"
    assert set(kb.members(pw.id)) | set(pw.stages) == set(drawn)
    assert_links_are_titled_nodes(links_of(plain, ".cp-overview figcaption"), kb, base_url, "overview caption")


@pytest.mark.parametrize("selector", [".cp-journey", ".cp-overview"])
@pytest.mark.parametrize("pathway_id", PATHWAY_IDS)
def test_pathway_text_alternative_links_every_node_in_journey_order(
    plain: Page, base_url: str, kb: KnowledgeBase, pathway_id: str, selector: str
) -> None:
    pw = kb.nodes[pathway_id]
    assert isinstance(pw, Pathway)
    open_without_js(plain, base_url + f"{pathway_id}/" + ("overview/" if selector == ".cp-overview" else ""))
    links = open_text_alternative(plain, selector)
    assert_links_are_titled_nodes(links, kb, base_url, f"{selector} text alternative")
    linked = {node_at(link["url"], base_url, kb) for link in links}
    assert set(kb.members(pw.id)) - linked == set(), "the text alternative leaves these out"
    steps = text_steps(plain, selector, kb, base_url)
    assert [first for first, _, _ in steps[: len(pw.stages)]] == pw.stages, "one item per stage, in journey order"
    for stage, (_, subs, _) in zip(pw.stages, steps):
        assert_step_in_order(kb, stage, subs)


# --- stage and treatment pages: the slice ---


@pytest.mark.parametrize("stage_id", STAGE_IDS)
def test_stage_page_draws_its_slice_and_marks_it_here(plain: Page, base_url: str, kb: KnowledgeBase, stage_id: str) -> None:
    pw = pathway_of(kb, stage_id)
    url = base_url + f"{stage_id}/"
    open_without_js(plain, url)
    assert_drawn(plain, ".cp-slice")
    visual = [link for link in links_of(plain, ".cp-slice") if not link["inText"]]
    assert_links_are_titled_nodes(visual, kb, base_url, "slice")
    assert_no_title_unlinked(plain, ".cp-slice", kb, pw)
    assert {link["url"] for link in visual if link["current"] == "page"} == {url}
    assert plain.locator(".cp-slice li.cp-stage.cp-here .cp-here-label").is_visible()

    links = open_text_alternative(plain, ".cp-slice")
    assert_links_are_titled_nodes(links, kb, base_url, "slice text alternative")
    [(first, subs, linked)] = text_steps(plain, ".cp-slice", kb, base_url)
    assert first == stage_id
    assert_step_in_order(kb, stage_id, subs)
    escalates = {e.target for e in kb.out_edges(stage_id, EdgeKind.escalates_to)}
    assert escalates - linked == set(), "the step's list does not say where to go next"
    assert plain.locator(f".cp-slice > details ol.cp-text-alt[start='{pw.stages.index(stage_id) + 1}']").count() == 1


@pytest.mark.parametrize("treatment_id", TREATMENT_IDS)
def test_treatment_page_slice_marks_you_are_here(plain: Page, base_url: str, kb: KnowledgeBase, treatment_id: str) -> None:
    """The slice of the treatment's pathway marks it; a page shared by several pathways has one slice for each."""
    url = base_url + f"{treatment_id}/"
    open_without_js(plain, url)
    assert plain.locator(".cp-slice").count() == len([p for p in kb.placements(treatment_id) if p.stage])
    pw = pathway_of(kb, treatment_id)
    stage = next(s for s in pw.stages if treatment_id in {e.target for e in kb.out_edges(s, EdgeKind.offers)})
    selector = f'[id="cp-slice-{pw.id}-{stage}"]'
    assert_drawn(plain, selector)
    links = links_of(plain, selector)
    current = [link for link in links if link["current"] == "page"]
    assert current and all(link["url"] == url for link in current), current
    assert any(not link["inText"] for link in current), "the drawn slice does not mark this page"
    assert [link for link in links if link["url"] == url and link["current"] != "page"] == []
    here = plain.locator(f"{selector} li.cp-option.cp-here")
    assert here.count() == 1
    assert words(here.locator("a[aria-current=page]").first.inner_text()) == words(kb.nodes[treatment_id].title)
    label = here.locator(".cp-here-label")
    assert label.is_visible() and words(label.inner_text()).endswith("You are here")


# --- every diagram link, clicked ---


def diagram_pages(kb: KnowledgeBase) -> list[str]:
    pw = the_pathways(kb)[0]
    stage = pw.stages[min(1, len(pw.stages) - 1)]
    return [f"{pw.id}/", f"{pw.id}/overview/", f"{stage}/", f"{TREATMENT_IDS[0]}/"]


# Where each drawn link is, is it the topmost thing there? That is what a click needs; checking every link in
# one call keeps the test quick, and a few real clicks below show that a click then opens the page.
COVERED_JS = """links => links.filter(a => !a.closest('.cp-diagram details')).flatMap(a => {
    a.scrollIntoView({block: 'center', behavior: 'instant'});
    const r = a.getClientRects()[0];
    const hit = r && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit && a.contains(hit) ? [] : [`${a.getAttribute('href')}: ${hit ? 'under ' + hit.outerHTML.slice(0, 80) : 'not drawn'}`];
})"""


def test_every_diagram_link_opens_its_node_page(no_js: BrowserContext, plain: Page, base_url: str, kb: KnowledgeBase) -> None:
    """Every drawn link can be clicked where it is drawn; the first of each diagram is clicked; every distinct
    target, drawn or in a text alternative, opens a page whose <h1> is that node's title."""
    wrong: list[str] = []
    targets: dict[str, str] = {}  # url -> where it was linked from
    clicked: dict[str, str] = {}  # diagram id -> url the click opened
    for path in diagram_pages(kb):
        open_without_js(plain, base_url + path)
        for diagram in plain.locator(DRAWN).evaluate_all("ds => ds.map(d => d.id)"):
            by_id = f'[id="{diagram}"]'  # a scoped stage puts a "/" in the id, which `#id` cannot select
            links = links_of(plain, by_id)
            assert links, f"{path}#{diagram}: no links"
            for link in links:
                targets.setdefault(link["url"], f"{path}#{diagram}")
            wrong += [f"{path}#{diagram}: {c}" for c in plain.locator(f"{by_id} a[href]").evaluate_all(COVERED_JS)]
            first = next(link for link in links if not link["inText"] and link["url"] != plain.url)
            # With Ctrl the link opens in a new tab, so the diagram page is not loaded again for the next one.
            with no_js.expect_page() as opening:
                plain.locator(f'{by_id} a[href="{first["raw"]}"]').first.click(modifiers=["ControlOrMeta"])
            tab = opening.value
            tab.wait_for_load_state("domcontentloaded")
            clicked[diagram] = tab.url
            tab.close()
            if tab.url != first["url"]:
                wrong.append(f"{path}#{diagram}: clicking '{first['raw']}' opened {tab.url}")
    for url, source in sorted(targets.items()):
        node_id = node_at(url, base_url, kb)
        response = plain.goto(url, wait_until="domcontentloaded")
        assert response is not None and response.status == 200, url
        h1 = words(plain.locator("article h1").inner_text())
        if h1 != words(kb.nodes[node_id].title):
            wrong.append(f"{source} -> {url}: h1 '{h1}', expected '{kb.nodes[node_id].title}'")
    assert wrong == []
    assert len(clicked) == len(diagram_pages(kb)), clicked  # one diagram a page
    assert set(kb.members(the_pathways(kb)[0].id)) <= {node_at(url, base_url, kb) for url in targets}


# --- on a phone ---


def phone_context(browser: Browser, js: bool) -> BrowserContext:
    return browser.new_context(
        java_script_enabled=js,
        viewport={"width": PHONE_WIDTH, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
        service_workers="block",
    )


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[BrowserContext]:
    ctx = phone_context(browser, js=False)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def phone_js(browser: Browser) -> Iterator[BrowserContext]:
    ctx = phone_context(browser, js=True)
    yield ctx
    ctx.close()


PHONE_PAGES = (
    [(f"{p}/", f"journey-{PHONE_WIDTH}px-{p}") for p in PATHWAY_IDS]
    + [(f"{s}/", f"slice-{PHONE_WIDTH}px-{s}") for s in STAGE_IDS]
    + [(f"{p}/overview/", f"overview-{PHONE_WIDTH}px-{p}") for p in PATHWAY_IDS]
)

# Under is_mobile, Chromium widens the layout viewport to fit content that sticks out, so
# `window.innerWidth` grows with the overflow and `scrollWidth <= innerWidth` cannot fail; hence the
# fixed PHONE_WIDTH, and `clientWidth` as a check that the viewport really is that wide.
WIDTHS_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# What ends past the right edge (the left one is where Material parks its closed drawer).
OVERFLOW_JS = """([selector, width]) => [...document.querySelectorAll(selector)].flatMap(d => [d, ...d.querySelectorAll('*')])
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && r.right > width + 0.5)
    .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''} ${Math.round(r.left)}..${Math.round(r.right)}`)"""


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize(("path", "shot"), PHONE_PAGES, ids=[shot for _, shot in PHONE_PAGES])
def test_diagram_fits_a_phone_without_javascript(phone: BrowserContext, base_url: str, path: str, shot: str) -> None:
    """Screenshots go to test-artifacts/ for a person to look at; the boxes are what the test checks."""
    page = phone.new_page()
    try:
        open_without_js(page, base_url + path)
        drawn = page.locator(DRAWN)
        assert drawn.count() >= 1
        for i in range(drawn.count()):
            box = drawn.nth(i).bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, f"diagram {i} is {box}"
        assert page.evaluate(OVERFLOW_JS, [DRAWN, PHONE_WIDTH]) == []
        ARTIFACTS.mkdir(exist_ok=True)
        png = page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
        # The page's own size, which must be the whole of what the screenshot shows.
        size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert list(png_size(png)) == size, "the screenshot is not of the whole page"
    finally:
        page.close()


@pytest.mark.parametrize("path", [path for path, _ in PHONE_PAGES], ids=[shot for _, shot in PHONE_PAGES])
def test_page_does_not_scroll_sideways_on_a_phone(phone_js: BrowserContext, base_url: str, path: str) -> None:
    """With Material's scripts running, as most readers have them (for the page without them, see below)."""
    page = phone_js.new_page()
    try:
        page.goto(base_url + path)
        assert page.locator("html.js").count() == 1
        assert page.evaluate(WIDTHS_JS) == [PHONE_WIDTH, PHONE_WIDTH]
    finally:
        page.close()


HEADER_TOPIC = ".md-header__topic[data-md-component=header-topic]"


def test_page_does_not_scroll_sideways_on_a_phone_without_javascript(phone: BrowserContext, base_url: str) -> None:
    """Nothing sticks out, the header included.

    Without JavaScript Material hides the header's search button, so the header title gets wider, and its
    second, invisible topic (opacity 0, shifted 25px right until the reader scrolls) used to end past the
    right edge whenever the page title was long; the plugin's accessibility.css (generator/carepath/assets/) clips it.
    """
    page = phone.new_page()
    header: dict[str, int] = {}
    try:
        for path, _ in PHONE_PAGES:
            open_without_js(page, base_url + path)
            scroll, client = page.evaluate(WIDTHS_JS)
            assert client == PHONE_WIDTH
            assert page.evaluate(OVERFLOW_JS, [".md-container", PHONE_WIDTH]) == [], path
            if scroll > PHONE_WIDTH:
                box = page.locator(HEADER_TOPIC).bounding_box()
                assert box and abs(box["x"] + box["width"] - scroll) <= 1, f"{path}: {scroll}px wide, not from the header"
                header[path] = scroll
    finally:
        page.close()
    assert header == {}, f"{HEADER_TOPIC} makes these pages wider than {PHONE_WIDTH}px without JavaScript"


# --- the clinician overview: all of the chart at once, its key beside or under it ---

SCREENS = {"desktop": (1280, 800), "phone": (PHONE_WIDTH, 844)}
OVERVIEW_BOXES_JS = """() => {
    const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const svg = document.querySelector('svg.cp-overview-svg');
    return {chart: box(svg), key: box(document.querySelector('.cp-overview-key')),
            natural: svg.viewBox.baseVal.width * 4 / 3, width: document.documentElement.clientWidth, height: innerHeight};
}"""


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("pathway_id", PATHWAY_IDS)
def test_overview_chart_fits_the_screen_with_its_key_in_view(browser: Browser, base_url: str, pathway_id: str, screen: str) -> None:
    """Without JavaScript: the whole chart inside the screen's width and no taller than the screen, so one look
    takes all of it in; the key beside it on a desktop, directly under it on a phone, within the first two screens."""
    width, height = SCREENS[screen]
    ctx = phone_context(browser, js=False) if screen == "phone" else browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": height}, service_workers="block"
    )
    try:
        page = ctx.new_page()
        open_without_js(page, base_url + f"{pathway_id}/overview/", unfold=False)
        m = page.evaluate(OVERVIEW_BOXES_JS)
        chart, key = m["chart"], m["key"]
        assert m["width"] == width
        assert 0 <= chart["left"] and chart["right"] <= width, f"the chart spans {chart['left']:.0f}..{chart['right']:.0f} px"
        assert chart["bottom"] - chart["top"] <= height, "the chart is taller than the screen"
        assert 0 <= key["left"] and key["right"] <= width, f"the key spans {key['left']:.0f}..{key['right']:.0f} px"
        assert key["bottom"] <= 2 * height, f"the key ends {key['bottom']:.0f} px down"
        if screen == "desktop":
            assert key["left"] >= chart["right"] and key["top"] < chart["bottom"], "the key is not beside the chart"
        else:
            assert 0 <= key["top"] - chart["bottom"] <= 40, "the key is not directly under the chart"
        page.locator(".cp-overview-key").scroll_into_view_if_needed()
        assert page.locator(".cp-overview-key li").last.is_visible()
        print(
            f"{pathway_id} at {width}x{height}: chart {chart['left']:.0f}..{chart['right']:.0f} x {chart['top']:.0f}..{chart['bottom']:.0f} px "
            f"({(chart['right'] - chart['left']) / m['natural']:.0%} of its natural width), "
            f"key {key['left']:.0f}..{key['right']:.0f} x {key['top']:.0f}..{key['bottom']:.0f} px"
        )
    finally:
        ctx.close()
