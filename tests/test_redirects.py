"""A renamed node keeps its old URL: a static redirect page answers there, on any host."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from carepath.audit.manifest import missing_in_site, read_manifest
from test_clinical import build_project, make_project, read, run_build

FIXTURE_MANIFEST = Path(__file__).resolve().parent / "fixtures" / "clinical" / "project" / "published-urls.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("redirects"))


def redirect_target(html: str) -> str:
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert refresh, html
    return refresh.group(1)


def test_old_url_redirects_to_the_renamed_page(site: Path) -> None:
    html = read(site, "radiofrequency-ablation/index.html")
    target = redirect_target(html)
    assert target == "../genicular-nerve-ablation/", "relative, so the redirect works on any host"
    assert f'<link rel="canonical" href="{target}">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert f'<a href="{target}">' in html, "a plain link for browsers that ignore meta refresh"
    landed = posixpath.normpath(posixpath.join("radiofrequency-ablation/", target))
    assert (site / landed / "index.html").is_file()
    assert "<h1" in read(site, f"{landed}/index.html")


def test_redirect_page_escapes_the_title(site: Path) -> None:
    html = read(site, "radiofrequency-ablation/index.html")
    assert "<script" not in html
    assert "Genicular nerve ablation &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_redirect_pages_without_directory_urls(tmp_path: Path) -> None:
    """A site built with `use_directory_urls: false` from the start (its manifest would list `.html` URLs)."""
    project = make_project(tmp_path, {"use_directory_urls: true": "use_directory_urls: false"})
    (project / "published-urls.txt").unlink()
    result = run_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "site"
    assert redirect_target(read(site, "radiofrequency-ablation.html")) == "genicular-nerve-ablation.html"
    assert (site / "genicular-nerve-ablation.html").is_file()


def test_every_url_the_fixture_published_before_the_rename_still_answers(site: Path) -> None:
    urls = read_manifest(FIXTURE_MANIFEST)
    assert "/radiofrequency-ablation/" in urls
    assert missing_in_site(urls, site) == []


def test_a_url_with_neither_page_nor_redirect_is_reported(site: Path) -> None:
    assert missing_in_site(["/", "/knee-care/", "/gone/", "/knee-care/pathway.json", "/gone.json"], site) == [
        "/gone/",
        "/gone.json",
    ]


def test_switching_to_file_urls_breaks_every_published_url_and_the_strict_build_says_so(tmp_path: Path) -> None:
    """Turning `use_directory_urls` off moves every page (`/x/` becomes `/x.html`): the manifest catches it."""
    project = make_project(tmp_path, {"use_directory_urls: true": "use_directory_urls: false"})
    result = run_build(project)
    assert result.returncode == 1
    assert "published-urls.txt:" in result.stdout + result.stderr and "was published and nothing answers there any more" in result.stdout + result.stderr
