"""The Spanish edition in Chromium (issue 23, item 3): the languages fixture built as en-US at the root and es in
`es/`, served on 127.0.0.1. Every Spanish page says its language, passes axe-core, asks nothing of another host; a
Spanish word finds its page through Material's search in Spanish; English text left untranslated is read as English."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers_site import FIXTURES, copy_project, env

from .conftest import Visit, is_local, serve, visits_in_new_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def spanish_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(FIXTURES / "languages", tmp_path_factory.mktemp("languages-browser"))
    args = [sys.executable, "-m", "carepath", "build", "--quiet", "--edition", "en-US", "--edition", "es"]
    result = subprocess.run(args, cwd=project, env=env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"building the languages fixture failed:\n{result.stdout}{result.stderr}", pytrace=False)
    return project / "site"


@pytest.fixture(scope="module")
def spanish_url(spanish_site: Path) -> Iterator[str]:
    with serve(spanish_site) as url:
        yield url


@pytest.fixture(scope="module")
def spanish_visits(browser: Browser, spanish_url: str, spanish_site: Path) -> Iterator[dict[str, Visit]]:
    """Every page of the site (both editions) loaded once with axe-core run on it."""
    with visits_in_new_context(browser, spanish_url, spanish_site, viewport={"width": 1280, "height": 800}) as found:
        yield found


SITE_URL = "https://wrist.example.test/"
"""The fixture's `site_url`. Material's script fetches `sitemap.xml` beside the address of each `<link rel=alternate>`
(its language selector's map of twins), which `hreflang` wants absolute, under `site_url`: on the published site
its own host, here another one, whose load fails. Those fetches are told apart, and only those."""


def _alternate_sitemap(url: str) -> bool:
    return url.startswith(SITE_URL) and url.endswith("/sitemap.xml")


def test_every_spanish_page_loads_clean_and_asks_no_other_host(spanish_visits: dict[str, Visit], spanish_url: str) -> None:
    spanish = {path: v for path, v in spanish_visits.items() if path.startswith("es/")}
    assert len(spanish) >= 10 and "es/splint/" in spanish and "es/ice-pack/" in spanish
    for path, visit in spanish.items():
        failed = [e for e in visit.errors if e.startswith("failed (") and _alternate_sitemap(e.rsplit(" ", 1)[-1])]
        said = [e for e in visit.errors if e == "console error: Failed to load resource: net::ERR_NAME_NOT_RESOLVED"]  # Chromium's line for each
        assert visit.status == 200 and [e for e in visit.errors if e not in failed + said] == [] and len(said) <= len(failed), path
        assert visit.describe_violations() == [], path
        assert [url for url in visit.requests if not is_local(url, spanish_url) and not _alternate_sitemap(url)] == [], path


def test_a_spanish_page_says_its_language_and_marks_english(page: Page, spanish_url: str) -> None:
    page.goto(spanish_url + "es/ice-pack/")
    assert page.evaluate("() => document.documentElement.lang") == "es"
    # The untranslated title is English inside a Spanish page, for a screen reader to read as English.
    assert page.locator("h1 [lang=en]").inner_text() == "Ice pack"
    assert page.locator("h2", has_text="Cuándo pedir ayuda").count() == 1


def test_spanish_search_finds_a_page_by_a_spanish_word(page: Page, spanish_url: str) -> None:
    """Press `/`, type a word only the Spanish text has, and follow the result to its Spanish page."""
    page.goto(spanish_url + "es/")
    page.keyboard.press("/")
    page.keyboard.type("férula", delay=20)
    results = page.locator('.md-search-result a[href*="splint/"]')
    results.first.wait_for(state="visible", timeout=10_000)
    with page.expect_navigation():
        results.first.click()
    assert page.url.split("?")[0].split("#")[0] == spanish_url + "es/splint/"
    assert page.locator("h1").first.inner_text() == "Férula para la muñeca"


def test_the_switcher_takes_a_reader_to_the_twin(page: Page, spanish_url: str) -> None:
    page.goto(spanish_url + "es/splint/")
    with page.expect_navigation():
        page.locator("nav.cp-editions a[hreflang=en-US]").click()
    assert page.url == spanish_url + "splint/"
    assert page.evaluate("() => document.documentElement.lang") == "en-US"
