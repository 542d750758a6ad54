"""Every generated page, loaded once in Chromium: no console errors, no WCAG 2.2 AA violations, no other hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from carepath import KnowledgeBase

from .conftest import AXE_TAGS, PAGE_KINDS, Recorder, Visit, is_local, page_of_kind, page_paths

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_kind_has_no_accessibility_violations_on_a_phone(
    kind: str, kb: KnowledgeBase, browser: Browser, base_url: str
) -> None:
    """Patients read on phones: Material's mobile layout (drawer, no sidebars) gets the same axe rules."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        path = page_of_kind(kb, kind)
        page.goto(base_url + path)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
        visit = Visit(path, None, [], [], list(results.response["violations"]))
        assert visit.describe_violations() == []
    finally:
        context.close()
