"""The hostile-text fixture in Chromium: no payload runs (no dialog opens, no uncaught error from one), from any
text field, vocabulary word (urgency and edge labels, treatment types), text setting (publisher, content
version, nav section) or setting the theme shows (site name, description, author, copyright, repository name,
`extra`, palette), on any page, the 404 page included, and each of them is on the page as the text its author wrote."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from carepath import check_pathway
from carepath.model.graph import EdgeKind, Urgency
from carepath.settings import Settings, load_mkdocs_yml
from helpers_site import HOSTILE_FIXTURE, TODAY, html_pages, shared_build

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    b = shared_build("hostile", tmp_path_factory)
    assert b.returncode == 0, b.output
    paths = [p.relative_to(b.site).as_posix().removesuffix("index.html") for p in html_pages(b.site)]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(b.site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", paths
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_no_hostile_payload_runs_in_a_browser(browser: Browser, hostile_url: tuple[str, list[str]]) -> None:
    base, paths = hostile_url
    assert len(paths) > 10
    dialogs: list[str] = []
    errors: list[str] = []
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        for path in paths:
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(50)  # let a failed <img onerror> fire, had one got through
            for link in page.locator("article a[href='#']").all()[:5]:
                link.click()
        assert dialogs == []
        assert errors == []
    finally:
        context.close()


def test_hostile_words_and_settings_are_text_in_a_browser(browser: Browser, hostile_url: tuple[str, list[str]]) -> None:
    """The words the checks above walked past really are on the pages, shown as text: the payloads were there to run."""
    base, _ = hostile_url
    kb, _ = check_pathway(HOSTILE_FIXTURE / "pathway", dt.date.fromisoformat(TODAY))
    settings = Settings.from_mkdocs_yml(HOSTILE_FIXTURE / "mkdocs.yml")
    v = kb.vocabulary
    words = [v.urgency_label(Urgency.emergency), v.urgency_label(Urgency.soon), v.edge_label(EdgeKind.escalates_to).capitalize()]
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.goto(base + "h-path/", wait_until="load")
        shown = page.locator("article").text_content() or ""
        for word in words:
            assert word.split(" <img")[0] in shown, word  # as far as its first payload: `<script>alert(1)</script>` as text
        assert page.locator("article script").count() == 0 and page.locator("article img[src='x']").count() == 0
        assert settings.nav_section and settings.nav_section.split(" \"")[0] in page.locator("nav.md-nav--primary").first.inner_text()
        page.goto(base + "h-treat/", wait_until="load")
        handout = page.locator(".cp-handout").first.text_content() or ""
        assert settings.publisher and settings.publisher.split(" \"")[0] in handout
        data = load_mkdocs_yml(HOSTILE_FIXTURE / "mkdocs.yml")
        for url in ("h-treat/", "404.html"):
            page.goto(base + url, wait_until="load")
            assert data["site_name"] in (page.locator(".md-header__topic").first.text_content() or "")
            assert data["copyright"].replace("&copy;", "©") in (page.locator(".md-copyright__highlight").text_content() or "")
            assert page.locator("script:not([src]):not([type])").evaluate_all("els => els.some(e => e.textContent.includes('alert'))") is False
    finally:
        context.close()
