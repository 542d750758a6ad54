"""Building editions (issue 23, item 4): `carepath build --edition NAME` builds one, over the site's option; several
make one site, the first at the root (its URLs unchanged) and each other in its own folder (`en-us/`), every page
linking its twin in each by `hreflang` and by a visible line; each edition's canonical links, sitemap and search
index are its own. Two small builds of the fixture site, shared by the module."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from carepath.cli.main import main
from carepath.cli.render import chosen_editions
from carepath.settings import EDITION_VARIABLE, EDITIONS_VARIABLE, ConfigError, Settings
from carepath.urls import edition_href
from helpers_site import REPO, SITE_FIXTURE, Build, copy_project, elements, env, html_pages, resolve_href, search_locations

SITE_URL = "https://asthma.example.test/"
NUMBER = re.compile(r"(?<![\w.,#/:-])(911|999)(?![\w]|[.,/:-]\d)")


def _project(root: Path) -> Path:
    """The fixture site, its own edition en-GB (the plugin's option), so that `--edition en-US` overrides it."""
    project = copy_project(SITE_FIXTURE, root)
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("pathway_dir: pathway", "pathway_dir: pathway\n      edition: en-GB"), encoding="utf-8")
    return project


def _build(project: Path, *editions: str) -> Build:
    args = [sys.executable, "-m", "carepath", "build", "--quiet", *(a for e in editions for a in ("--edition", e))]
    result = subprocess.run(args, cwd=project, env=env(), capture_output=True, text=True, check=False)
    return Build(project, project / "site", result.returncode, result.stdout + result.stderr)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build]:
    """`--edition en-US` alone, and `--edition all` (en-GB, the site's own, at the root; en-US in `en-us/`)."""
    one, both = _project(tmp_path_factory.mktemp("one")), _project(tmp_path_factory.mktemp("both"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        us, together = pool.map(lambda job: _build(*job), [(one, "en-US"), (both, "all")])
    assert us.returncode == 0, us.output
    assert together.returncode == 0, together.output
    return us, together


def _pages(site: Path, without: str | None = None) -> dict[str, str]:
    """Site-relative path -> HTML of every page under `site`, leaving out the folder `without`."""
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in html_pages(site)
        if without is None or not p.relative_to(site).as_posix().startswith(without)
    }


def _numbers(pages: dict[str, str]) -> set[str]:
    return {n for html in pages.values() for n in NUMBER.findall(html)}


def test_one_edition_over_the_sites_own_says_only_its_own_numbers(builds: tuple[Build, Build]) -> None:
    us, _ = builds
    pages = _pages(us.site)
    assert _numbers(pages) == {"911"}
    assert "built the site into" in us.output and "as en-US" in us.output
    assert not (us.site / "en-us").exists()
    assert not [p for p, html in pages.items() if 'hreflang="' in html or "cp-editions" in html], "a site of one edition links no other"
    assert f'<link rel="canonical" href="{SITE_URL}spirometry/">' in us.html("spirometry/")


def test_each_edition_of_a_site_of_two_says_only_its_own_numbers(builds: tuple[Build, Build]) -> None:
    _, both = builds
    assert "en-GB: /" in both.output and "en-US: /en-us/" in both.output
    assert _numbers(_pages(both.site, without="en-us/")) == {"999"}
    assert _numbers(_pages(both.site / "en-us")) == {"911"}


def test_every_edition_has_the_same_page_paths_under_its_folder(builds: tuple[Build, Build]) -> None:
    us, both = builds
    root = set(_pages(both.site, without="en-us/"))
    assert root == set(_pages(both.site / "en-us")) == set(_pages(us.site))


def _alternates(html: str) -> dict[str, str]:
    return {e.attrs["hreflang"] or "": e.attrs["href"] or "" for e in elements(html) if e.tag == "link" and e.attrs.get("rel") == "alternate"}


def test_every_page_of_every_edition_has_hreflang_alternates_to_existing_twins(builds: tuple[Build, Build]) -> None:
    _, both = builds
    checked = 0
    for path, html in _pages(both.site).items():
        if path.endswith("404.html") or 'http-equiv="refresh"' in html:
            continue  # the 404 page and a former id's redirect are no pages of the edition
        url = path.removesuffix("index.html")
        here = url.removeprefix("en-us/")
        assert _alternates(html) == {
            "en-GB": SITE_URL + here,
            "en-US": SITE_URL + "en-us/" + here,
            "x-default": SITE_URL + here,
        }, path
        for href in _alternates(html).values():
            target = both.site / href.removeprefix(SITE_URL)
            assert (target / "index.html" if href.endswith("/") else target).is_file(), (path, href)
        canonical = [e.attrs["href"] for e in elements(html) if e.tag == "link" and e.attrs.get("rel") == "canonical"]
        assert canonical == [SITE_URL + url], path
        checked += 1
    assert checked > 40


def test_the_switcher_links_the_other_editions_page_by_name(builds: tuple[Build, Build]) -> None:
    _, both = builds
    gb, us = both.html("spirometry/"), both.html("en-us/spirometry/")
    cases = (
        (gb, "spirometry/", "the UK", "the US", "../en-us/spirometry/", "en-us/spirometry/"),
        (us, "en-us/spirometry/", "the US", "the UK", "../../spirometry/", "spirometry/"),
    )
    for html, url, own, other, href, twin in cases:
        nav = re.search(r'<nav class="cp-editions" aria-label="Editions">(.*?)</nav>', html, re.DOTALL)
        assert nav, "a visible line under the page's text"
        assert f'aria-current="page" lang="{"en-GB" if own == "the UK" else "en-US"}">{own}</strong>' in nav.group(1)
        [link] = [e for e in elements(nav.group(1)) if e.tag == "a"]
        assert link.attrs["href"] == href and link.text.strip() == other
        assert resolve_href(url, href) == twin
    assert gb.index("cp-editions") < gb.index("</article>"), "inside the page's own text area, before the footer"


def test_each_editions_sitemap_and_search_index_hold_only_its_own_pages(builds: tuple[Build, Build]) -> None:
    _, both = builds
    root_map = (both.site / "sitemap.xml").read_text(encoding="utf-8")
    us_map = (both.site / "en-us" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}spirometry/</loc>" in root_map and "/en-us/" not in root_map
    us_locs = re.findall(r"<loc>(.*?)</loc>", us_map)
    assert us_locs and all(loc.startswith(SITE_URL + "en-us/") for loc in us_locs)
    root_search, us_search = search_locations(both.site), search_locations(both.site / "en-us")
    assert "spirometry/" in root_search and root_search == us_search, "locations relative to each edition's own root"
    us_index = json.loads((both.site / "en-us" / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = " ".join(d["text"] for d in us_index["docs"])
    assert "911" in texts and not NUMBER.search(texts.replace("911", ""))


def test_each_editions_404_page_and_handout_qr_codes_name_its_own_address(builds: tuple[Build, Build]) -> None:
    _, both = builds
    assert "911" in (both.site / "en-us" / "404.html").read_text(encoding="utf-8")
    assert "999" in (both.site / "404.html").read_text(encoding="utf-8")
    assert f"{SITE_URL}en-us/spirometry/" in both.html("en-us/spirometry/"), "the handout's printed address"
    assert f"{SITE_URL}en-us/" not in both.html("spirometry/").replace(f'hreflang="en-US" href="{SITE_URL}en-us/spirometry/"', "")


def test_the_site_of_two_editions_passes_the_link_check(builds: tuple[Build, Build]) -> None:
    _, both = builds
    result = subprocess.run([sys.executable, "-m", "carepath", "linkcheck", "site"], cwd=both.project, env=env(), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _site(tmp_path: Path) -> Path:
    return _project(tmp_path / "p") / "mkdocs.yml"


@pytest.mark.parametrize("asked", [["fr-FR"], ["en-GB", "fr-FR"], ["en-GB,xx"]])
def test_an_unknown_edition_is_one_line_naming_the_shipped_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], asked: list[str]
) -> None:
    config = _site(tmp_path)
    code = main(["build", "--config", str(config), "--site-dir", str(tmp_path / "site"), *(a for e in asked for a in ("--edition", e))])
    err = capsys.readouterr().err
    assert code == 1
    bad = "fr-FR" if "fr-FR" in asked[-1] else "xx"
    assert err == f"--edition: no edition '{bad}'; Carepath ships 'en-GB', 'en-US', 'es', or 'all'\n"
    assert not (tmp_path / "site").exists()


def test_an_edition_asked_for_twice_is_one_line() -> None:
    assert chosen_editions(["en-GB", "en-GB"], "en-GB") == ([], "--edition: 'en-GB' asked for more than once")
    assert chosen_editions(None, "en-GB") == ([], None)
    assert chosen_editions(["all"], "en-US") == (["en-US", "en-GB"], None)
    assert chosen_editions(["en-US en-GB"], "en-GB") == (["en-US", "en-GB"], None)


def test_the_build_environment_chooses_the_edition_and_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _site(tmp_path)
    monkeypatch.setenv(EDITION_VARIABLE, "en-US")
    monkeypatch.setenv(EDITIONS_VARIABLE, "en-GB en-US")
    settings = Settings.from_mkdocs_yml(config)
    assert (settings.edition, settings.editions, settings.edition_prefix) == ("en-US", ("en-GB", "en-US"), "en-us/")
    assert (settings.site_url, settings.site_root_url) == (SITE_URL + "en-us/", SITE_URL)
    monkeypatch.setenv(EDITION_VARIABLE, "en-GB")
    assert (Settings.from_mkdocs_yml(config).site_url, Settings.from_mkdocs_yml(config).edition_prefix) == (SITE_URL, "")
    monkeypatch.setenv(EDITIONS_VARIABLE, "en-GB fr-FR")
    with pytest.raises(ConfigError, match=rf"^{EDITIONS_VARIABLE}: no edition 'fr-FR'; Carepath ships 'en-GB', 'en-US', 'es'$"):
        Settings.from_mkdocs_yml(config)


@pytest.mark.parametrize(
    ("url", "here", "there", "href"),
    [
        ("rfa/", "", "en-us/", "../en-us/rfa/"),
        ("rfa/", "en-us/", "", "../../rfa/"),
        ("", "", "en-us/", "en-us/"),
        ("", "en-us/", "", "../"),
        ("", "en-us/", "en-us/", "./"),
        ("rfa.html", "", "en-us/", "en-us/rfa.html"),
        ("code/snomed/1.html", "en-us/", "", "../../../code/snomed/1.html"),
    ],
)
def test_a_link_to_the_same_page_in_another_edition(url: str, here: str, there: str, href: str) -> None:
    assert edition_href(url, here, there) == href
    assert edition_href(url, here, there, SITE_URL) == SITE_URL + there + url


@pytest.mark.parametrize("edition", ["en-GB", "en-US"])
def test_the_default_editions_urls_are_unchanged_in_a_site_of_several(edition: str) -> None:
    """`urls --check` of the shipped site passes for each edition of a site of both: each has the same page paths."""
    extra = {EDITION_VARIABLE: edition, EDITIONS_VARIABLE: "en-GB en-US"}
    result = subprocess.run(
        [sys.executable, "-m", "carepath", "urls", "--check"], cwd=REPO, env=env(**extra), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
