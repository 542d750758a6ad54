"""A reader's ways through the site: following links, searching, and reaching a red flag by keyboard alone."""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin

import pytest
from carepath import KnowledgeBase
from carepath.audit.linkcheck import is_external, parse_page
from carepath.model.graph import Indicator, Urgency

from .conftest import PAGE_KINDS, is_local, page_of_kind

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

pytestmark = pytest.mark.browser


def emergency_pages(kb: KnowledgeBase) -> set[str]:
    return {f"{n.id}/" for n in kb.of_kind("indicator") if isinstance(n, Indicator) and n.urgency == Urgency.emergency}


HREFS = "els => els.map(a => new URL(a.getAttribute('href') ?? a.getAttribute('xlink:href'), document.baseURI).href)"
"""Resolved hrefs of a list of links, HTML or SVG (whose `.href` is not a string)."""

FOCUSED_LINK = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const raw = el.getAttribute('href') ?? el.getAttribute('xlink:href');
  const box = el.getBoundingClientRect();
  return {
    href: raw === null ? null : new URL(raw, document.baseURI).href,
    visible: box.width > 0 && box.height > 0,
    text: (el.textContent || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 60),
  };
}"""


def page_url(href: str) -> str:
    """The page a link loads: no #fragment, no `?h=` search-highlight query."""
    return urldefrag(href).url.split("?", 1)[0]


def nth_link_to(links: Locator, target: str) -> Locator:
    """The first of `links` that loads the page `target`."""
    hrefs: list[str] = links.evaluate_all(HREFS)
    index = next((i for i, h in enumerate(hrefs) if page_url(h) == target), None)
    assert index is not None, f"no link to {target} among {hrefs}"
    return links.nth(index)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_links_navigate(kind: str, kb: KnowledgeBase, page: Page, context: BrowserContext, base_url: str) -> None:
    """Every local link on the page answers 200; three of its visible links, clicked, load the page they name.

    Console errors on the pages reached are test_pages' concern; here only navigation is checked.
    """
    url = base_url + page_of_kind(kb, kind)
    page.goto(url)
    hrefs: list[str] = page.locator("a[href], a[*|href]").evaluate_all(HREFS)
    local = sorted({page_url(h) for h in hrefs if is_local(h, base_url)} - {url})
    assert local, f"no links on {url}"
    broken = [h for h in local if context.request.get(h).status != 200]
    assert broken == []

    # Links in the page's own content when it has some (the glossary may not), else any visible link.
    links = page.locator(".md-content a[href]:visible")
    if not links.count():
        links = page.locator("a[href]:visible")
    targets = list(dict.fromkeys(page_url(h) for h in links.evaluate_all(HREFS) if is_local(h, base_url) and page_url(h) != url))
    assert targets, f"no visible links to other pages on {url}"
    for target in dict.fromkeys((targets[0], targets[len(targets) // 2], targets[-1])):
        page.goto(url)
        with page.expect_navigation():
            nth_link_to(links, target).click()
        assert page_url(page.url) == target
        assert page.locator("h1").first.is_visible()


def distinctive_word(kb: KnowledgeBase, site_dir: Path) -> tuple[str, str]:
    """A word from some treatment's body that appears on as few built pages as possible: (treatment id, word)."""
    texts = {}
    for html in site_dir.rglob("index.html"):
        body = re.sub(r"<script\b.*?</script>|<[^>]+>", " ", html.read_text(encoding="utf-8"), flags=re.DOTALL)
        texts[html.parent.relative_to(site_dir).as_posix()] = unescape(body).lower()
    best: tuple[int, str, str] | None = None
    for node in kb.of_kind("treatment"):
        for word in sorted(set(re.findall(r"[a-z]{7,}", node.body.lower()))):
            if word not in texts.get(node.id, ""):
                continue
            pages = sum(word in text for text in texts.values())
            if best is None or (pages, node.id, word) < best:
                best = (pages, node.id, word)
    if best is None:
        pytest.fail("no treatment has a body with a searchable word", pytrace=False)
    return best[1], best[2]


def test_search_finds_a_treatment_by_a_word_from_its_body(kb: KnowledgeBase, site_dir: Path, page: Page, base_url: str) -> None:
    """Press `/`, type a word from the treatment's body that few other pages use, and follow the result to it."""
    treatment, word = distinctive_word(kb, site_dir)
    page.goto(base_url)
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.matches('input.md-search__input')")
    page.keyboard.type(word, delay=20)
    target = f"{base_url}{treatment}/"
    results = page.locator(f'.md-search-result a[href*="{treatment}/"]')
    results.first.wait_for(state="visible", timeout=10_000)
    with page.expect_navigation():
        nth_link_to(results, target).click()
    assert page_url(page.url) == target
    assert page.locator("h1").first.inner_text() == kb.nodes[treatment].title


def link_graph(site_dir: Path, base_url: str) -> dict[str, set[str]]:
    """Page URL -> the page URLs its `<a>` links lead to, read from the built HTML."""
    graph: dict[str, set[str]] = {}
    for html in site_dir.rglob("index.html"):
        rel = html.relative_to(site_dir).as_posix().removesuffix("index.html")
        url = base_url + rel
        graph[url] = {
            urldefrag(urljoin(url, link.url)).url
            for link in parse_page(html.read_text(encoding="utf-8")).links
            if link.tag == "a" and link.attr in ("href", "xlink:href") and not is_external(link.url)
        }
    return graph


def steps_to(targets: set[str], graph: dict[str, set[str]]) -> dict[str, int]:
    """How many links each page is from the nearest target page."""
    back: dict[str, set[str]] = {}
    for source, ends in graph.items():
        for end in ends:
            back.setdefault(end, set()).add(source)
    steps = dict.fromkeys(targets, 0)
    queue = deque(targets)
    while queue:
        here = queue.popleft()
        for source in back.get(here, ()):
            if source not in steps:
                steps[source] = steps[here] + 1
                queue.append(source)
    return steps


def test_keyboard_alone_reaches_an_emergency_red_flag_from_home(
    kb: KnowledgeBase, site_dir: Path, page: Page, base_url: str
) -> None:
    """Tab to a visible link that brings an emergency page closer, press Enter, repeat; no mouse, no URL typing."""
    targets = {base_url + p for p in emergency_pages(kb)}
    assert targets, "the shipped pathway has no emergency red flag"
    steps = steps_to(targets, link_graph(site_dir, base_url))
    assert base_url in steps, "no chain of links leads from home to an emergency red flag"

    page.goto(base_url)
    trail = [page.url]
    while page.url not in targets:
        goal = steps[page.url] - 1
        seen: list[str] = []
        for _ in range(600):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED_LINK)
            if focused is None or focused["href"] is None:
                continue
            href = page_url(focused["href"])
            seen.append(f"{focused['text']} -> {href}")
            if focused["visible"] and steps.get(href) == goal:
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                break
        else:
            pytest.fail(f"from {page.url}, Tab never reached a visible link one step closer; focused: {seen[:40]}", pytrace=False)
        assert page_url(page.url) == href
        trail.append(page.url)
        assert len(trail) <= 5, trail
    red_flag = kb.nodes[page.url.removeprefix(base_url).strip("/")]
    assert page.locator("h1").first.inner_text() == red_flag.title
