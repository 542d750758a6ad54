"""Every generated page, loaded in Chromium at 1280 and 390 px: no console errors, no WCAG 2.2 AA violations,
no target under 24 px, no other hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from carepath import KnowledgeBase

from .conftest import SMALL_TARGETS_JS, Recorder, Visit, is_local, page_paths

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def visit_of(visits: dict[str, Visit], page_path: str) -> Visit:
    if page_path not in visits:
        pytest.fail(f"'{page_path}index.html' is missing from the built site", pytrace=False)
    return visits[page_path]


def test_page_loads_without_console_errors(page_path: str, visits: dict[str, Visit]) -> None:
    visit = visit_of(visits, page_path)
    assert visit.status == 200
    assert visit.errors == []


def test_page_has_no_accessibility_violations(page_path: str, visits: dict[str, Visit]) -> None:
    """axe-core with the WCAG 2.0/2.1 A and AA and WCAG 2.2 AA rules; stock Material is fixed in CSS, not exempted."""
    assert visit_of(visits, page_path).describe_violations() == []


def test_page_targets_are_at_least_24_px(page_path: str, visits: dict[str, Visit], phone_visits: dict[str, Visit]) -> None:
    """WCAG 2.5.8 by size, at 1280 and 390 px: every target but a link in a sentence is 24 x 24 px or more."""
    small = {"1280 px": visit_of(visits, page_path).small_targets, "390 px": visit_of(phone_visits, page_path).small_targets}
    assert small == {"1280 px": [], "390 px": []}


def test_the_target_measure_finds_a_small_target_but_not_a_link_in_a_sentence(page: Page, base_url: str) -> None:
    """The size check above could pass by measuring nothing; show what it reports and what it leaves to axe."""
    page.goto(base_url)
    page.evaluate(
        """() => document.querySelector("article").insertAdjacentHTML("beforeend",
            '<p style="font-size:12px"><a href="#x" id="lone">X</a></p>'
            + '<p style="font-size:12px">Read <a href="#y" id="inline">Y</a> first.</p>')"""
    )
    small = page.evaluate(SMALL_TARGETS_JS)
    assert [line for line in small if '"X"' in line] != []
    assert [line for line in small if '"Y"' in line] == []


def test_page_requests_nothing_from_other_hosts(page_path: str, visits: dict[str, Visit], base_url: str) -> None:
    visit = visit_of(visits, page_path)
    assert base_url + page_path in visit.requests  # the recorder sees the page itself, so it would see the rest
    assert [url for url in visit.requests if not is_local(url, base_url)] == []


def test_every_other_built_page_is_clean(visits: dict[str, Visit], kb: KnowledgeBase, base_url: str) -> None:
    """Pages beyond the node pages (404, clinician lookups) get the same three checks; redirect stubs are checked in tests/test_redirects.py."""
    problems = []
    for path in sorted(set(visits) - set(page_paths(kb))):
        visit = visits[path]
        if visit.status != 200:
            problems.append(f"{path}: HTTP {visit.status}")
        problems += [f"{path}: {e}" for e in visit.errors]
        problems += visit.describe_violations()
        problems += [f"{path}: target {target}" for target in visit.small_targets]
        problems += [f"{path}: requested {url}" for url in visit.requests if not is_local(url, base_url)]
    assert problems == []


def test_the_recorder_catches_a_request_to_another_host(page: Page, recorder: Recorder, base_url: str) -> None:
    """The privacy checks above could pass by recording nothing; show that a foreign request is seen."""
    page.goto(base_url)
    at, _ = recorder.mark()
    with page.expect_request("http://tracker.invalid/pixel.gif"):
        page.evaluate(
            "() => { const img = new Image(); img.src = 'http://tracker.invalid/pixel.gif'; document.body.append(img); }"
        )
    assert "http://tracker.invalid/pixel.gif" in recorder.requests[at:]
    assert not is_local("http://tracker.invalid/pixel.gif", base_url)


def test_page_has_no_accessibility_violations_on_a_phone(page_path: str, phone_visits: dict[str, Visit]) -> None:
    """Patients read on phones: Material's mobile layout (drawer, no sidebars) gets the same axe rules."""
    visit = visit_of(phone_visits, page_path)
    assert visit.status == 200
    assert visit.describe_violations() == []


def test_every_other_built_page_is_clean_on_a_phone(phone_visits: dict[str, Visit], kb: KnowledgeBase) -> None:
    """The 404 page and the clinician lookups get the same axe rules and target sizes on a phone."""
    others = sorted(set(phone_visits) - set(page_paths(kb)))
    assert "404.html" in others  # the set the loop reads is not empty
    problems = [f"{path}: HTTP {phone_visits[path].status}" for path in others if phone_visits[path].status != 200]
    problems += [line for path in others for line in phone_visits[path].describe_violations()]
    problems += [f"{path}: target {target}" for path in others for target in phone_visits[path].small_targets]
    assert problems == []
