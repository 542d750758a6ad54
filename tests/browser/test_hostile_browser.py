"""The hostile-text fixture in Chromium: no payload runs (no dialog opens, no uncaught error from one)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from helpers_site import html_pages, shared_build

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
