"""Carepath as one plugin in someone else's Material site: `pip install`, add `carepath` under plugins, build.

The host is written from scratch here, as a hospital's docs team would have it: its own pages, its own
`generator/` folder (which must not shadow Carepath), Material with its defaults, `plugins: [search,
carepath]` and nothing copied from this repository but a pathway.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from carepath import urls
from carepath.engines import host
from carepath.text import reading
from helpers_offline import foreign_loads
from helpers_site import FIXTURES, Build, build, build_all, copy_project, resolve_href, run

HOST_PATHWAY = FIXTURES / "host" / "pathway"
SITE_URL = "https://docs.hospital-a.test/"
NODES = ["first-check", "home-care", "hot-swollen-knee", "knee-care", "knee-exam", "knee-exercises", "knee-gives-way",
         "knee-scan", "more-help", "pain-at-night", "stiff-in-the-morning"]  # fmt: skip


def host_project(root: Path, carepath: dict[str, Any], nav: list[Any] | None = None, **site: Any) -> Path:
    """A fresh Material site with two pages of its own and a `generator/` package that fails if imported."""
    copy_project(HOST_PATHWAY.parent, root, ("pathway",))
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Hospital A\n\nWelcome to our patient pages.\n", encoding="utf-8")
    (root / "docs" / "visiting.md").write_text("# Visiting\n\nSee [the knee guide](node:knee-care).\n", encoding="utf-8")
    (root / "generator").mkdir()
    (root / "generator" / "__init__.py").write_text('raise RuntimeError("the host\'s own generator package was imported")\n')
    (root / "generator" / "plugin.py").write_text('raise RuntimeError("the host\'s own generator.plugin was imported")\n')
    config: dict[str, Any] = {
        "site_name": "Hospital A",
        "site_url": SITE_URL,
        "theme": {"name": "material", "features": ["navigation.indexes"]},
        "plugins": ["search", {"carepath": {"pathway_dir": "pathway", **carepath}}],
    }
    if nav is not None:
        config["nav"] = nav
    config.update(site)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    root = tmp_path_factory.mktemp("host")
    projects = {
        "plain": host_project(root / "plain", {}),
        "prefixed": host_project(
            root / "prefixed",
            {"url_prefix": "care", "nav_section": "Care guides"},
            nav=[{"Home": "index.md"}, {"Care guides": []}, {"Visiting": "visiting.md"}],
        ),
        "section": host_project(root / "section", {"nav_section": "Knee care"}),
        "font": host_project(root / "font", {}),
        "flat": host_project(root / "flat", {"url_prefix": "care"}, use_directory_urls=False),
    }
    config = yaml.safe_load((projects["font"] / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["font"] = {"text": "Lato"}
    (projects["font"] / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dict(zip(projects, build_all(*[(p, {}) for p in projects.values()]), strict=True))


def linkcheck(site: Path) -> str:
    result = run([sys.executable, "-m", "carepath", "linkcheck", str(site)], site.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def nav_links(html: str) -> list[tuple[str, str]]:
    """(href, title) of every link in the primary sidebar, in order."""
    nav = html[html.index('class="md-sidebar md-sidebar--primary"') : html.index('class="md-sidebar md-sidebar--secondary"')]
    found = re.findall(r'<a href="([^"]*)"[^>]*>\s*(?:<span[^>]*>)?\s*([^<]*?)\s*<', nav)
    return [(href, title) for href, title in found if title]


@pytest.mark.parametrize("name", ["plain", "prefixed", "section", "flat"])
def test_host_site_builds_strictly_with_no_warnings(sites: dict[str, Build], name: str) -> None:
    b = sites[name]
    assert b.returncode == 0, b.output
    assert b.warnings == []
    assert "Traceback" not in b.output and "generator package was imported" not in b.output


def test_the_plugin_adds_the_markdown_extensions_it_needs_and_says_so_once(sites: dict[str, Build]) -> None:
    lines = [line for line in sites["plain"].output.splitlines() if "Markdown extensions" in line]
    assert lines == [f"INFO    -  {host.extensions_note(['abbr', 'admonition', 'attr_list', 'md_in_html'])}"]
    assert "<abbr title=" in sites["plain"].html("knee-scan/")


@pytest.mark.parametrize("name", ["plain", "prefixed", "section", "flat"])
def test_host_site_has_no_broken_links(sites: dict[str, Build], name: str) -> None:
    assert linkcheck(sites[name].site).startswith("ok:")


@pytest.mark.parametrize(("name", "prefix"), [("plain", ""), ("prefixed", "care/")])
def test_every_node_page_carries_its_json_ld(sites: dict[str, Build], name: str, prefix: str) -> None:
    for node_id in NODES:
        html = sites[name].html(f"{prefix}{node_id}/")
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
        assert len(scripts) == 1, node_id
        assert json.loads(scripts[0])["url"] == f"{SITE_URL}{prefix}{node_id}/"
    assert "application/ld+json" not in sites[name].html("visiting/")


@pytest.mark.parametrize("name", ["plain", "prefixed"])
def test_host_site_loads_nothing_from_another_host(sites: dict[str, Build], name: str) -> None:
    site = sites[name].site
    assert foreign_loads(site, {"docs.hospital-a.test"}) == []
    assert [p.name for p in site.rglob("*.html") if "fonts.googleapis.com" in p.read_text(encoding="utf-8")] == []
    assert "theme.font set to false" in sites[name].output


def test_a_web_font_the_host_chose_fails_the_strict_build_in_one_line(sites: dict[str, Build]) -> None:
    b = sites["font"]
    assert b.returncode == 1 and "Traceback" not in b.output
    assert b.warnings == [f"WARNING -  {host.font_decision({'text': 'Lato'})[1]}"]


@pytest.mark.parametrize(("name", "prefix"), [("plain", ""), ("prefixed", "care/")])
def test_the_404_page_links_each_pathways_warning_signs(sites: dict[str, Build], name: str, prefix: str) -> None:
    html = sites[name].html("404.html")
    assert re.search(rf'<a href="/{prefix}knee-care/#warning-signs">[^<]+</a>', html), "a link to the pathway's full list"
    assert "Hot, red and swollen knee" not in html and "Your knee gives way" not in html  # never every sign in one list
    assert f'href="/{prefix}a-z/"' in html and f'href="/{prefix}pathways/"' in html
    assert "Welcome to our patient pages" in sites[name].html("")  # the host's home page is kept


def test_url_prefix_puts_every_generated_file_under_it(sites: dict[str, Build]) -> None:
    site = sites["prefixed"].site
    assert [n for n in NODES if not (site / "care" / n / "index.html").is_file()] == []
    assert [n for n in NODES if (site / n).exists()] == []
    flat = sites["flat"].site
    assert [n for n in NODES if not (flat / "care" / f"{n}.html").is_file()] == []
    assert (flat / "care" / "knee-workout.html").is_file()
    assert sorted(p.name for p in site.iterdir()) == [
        "404.html", "assets", "care", "index.html", "search", "sitemap.xml", "sitemap.xml.gz", "visiting"
    ]  # fmt: skip
    assert (site / "care" / "assets" / "carepath" / "carepath.css").is_file()
    assert (site / "care" / "knee-workout" / "index.html").is_file()  # the redirect of a former id
    codes = json.loads((site / "care" / "codes.json").read_text(encoding="utf-8"))["systems"]["icd10cm"]["codes"]["M25.561"]
    urls_in_export = [codes["page"], *(p["url"] for p in codes["pages"])]
    assert urls_in_export == ["care/code/icd10cm/m25.561/", "care/knee-exam/"]
    assert [u for u in urls_in_export if not (site / u / "index.html").is_file()] == []
    assert 'href="../care/assets/carepath/carepath.css"' in sites["prefixed"].html("visiting/")
    assert resolve_href("visiting/", "../care/knee-care/") == "care/knee-care/"
    assert 'href="../care/knee-care/"' in sites["prefixed"].html("visiting/")  # a node: link in the host's own page


def test_nav_section_goes_into_the_hosts_own_nav(sites: dict[str, Build]) -> None:
    titles = [t for _, t in nav_links(sites["prefixed"].html(""))]
    assert titles[titles.index("Care guides") - 1] == "Home" and titles[-1] == "Visiting"
    section = titles[titles.index("Care guides") + 1 : titles.index("Visiting")]
    assert section[:2] == ["All pathways", "Care for a sore knee"] and section[-3:] == ["A to Z", "Glossary", "Clinical codes"]
    assert ("care/", "Care guides") in nav_links(sites["prefixed"].html(""))


def test_nav_section_without_a_nav_of_the_hosts_lists_its_pages_first(sites: dict[str, Build]) -> None:
    """The host's home stays the site's home; the section has no page of its own (no `url_prefix` to put the
    pathway home at) and no clinical codes index, which Material would otherwise make the section's page."""
    html = sites["section"].html("visiting/")
    assert [t for _, t in nav_links(html)] == ["Hospital A", "Visiting", "All pathways", "Care for a sore knee", "1. A first check",
                                               "2. Care at home", "3. More help", "A to Z", "Glossary"]  # fmt: skip
    nav = html[html.index('class="md-sidebar md-sidebar--primary"') :]
    assert re.search(r">\s*Visiting\s*<.*>\s*Knee care\s*<.*>\s*All pathways\s*<", nav, re.DOTALL)


def test_render_gives_stock_mkdocs_the_same_prefixed_site(sites: dict[str, Build], tmp_path: Path) -> None:
    """`python -m carepath render` places pages, nav, 404 page and JSON-LD as the plugin does."""
    project = copy_project(sites["prefixed"].project, tmp_path / "p", ("mkdocs.yml", "docs", "pathway"))
    result = run([sys.executable, "-m", "carepath", "render", "--out", "out/docs", "--mkdocs-yml", "out/mkdocs.yml"], project)
    assert result.returncode == 0, result.stderr
    stock = build(project / "out")
    assert stock.returncode == 0 and stock.warnings == [], stock.output
    pages = {p.relative_to(stock.site).as_posix() for p in stock.site.rglob("*.html")}
    assert pages == {p.relative_to(sites["prefixed"].site).as_posix() for p in sites["prefixed"].site.rglob("*.html")}
    assert 'application/ld+json' in stock.html("care/knee-exam/")
    assert '<a href="/care/knee-care/#warning-signs">' in stock.html("404.html")
    assert nav_links(stock.html("")) == nav_links(sites["prefixed"].html(""))
    assert linkcheck(stock.site).startswith("ok:")


def test_a_hand_written_page_under_the_prefix_that_a_generated_page_wants_is_refused(tmp_path: Path) -> None:
    """`check` and the build name the clash at the prefixed URL; the same page outside the prefix is fine."""
    project = host_project(tmp_path / "p", {"url_prefix": "care/"})
    (project / "docs" / "knee-exam.md").write_text("# Our own knee exam page\n", encoding="utf-8")
    (project / "docs" / "care").mkdir()
    (project / "docs" / "care" / "knee-exam.md").write_text("# Our own knee exam page\n", encoding="utf-8")
    expected = "generated page 'care/knee-exam.md' and the hand-written page 'docs/care/knee-exam.md' both want the URL '/care/knee-exam/'"
    check = run([sys.executable, "-m", "carepath", "check", "pathway"], project)
    assert check.returncode == 1 and expected in check.stderr, check.stderr
    built = build(project)
    assert built.returncode == 1 and expected in built.output and "Traceback" not in built.output
    assert "'docs/knee-exam.md'" not in check.stderr + built.output


def test_a_url_prefix_that_is_no_folder_stops_the_build_in_one_line(tmp_path: Path) -> None:
    b = build(host_project(tmp_path / "p", {"url_prefix": "../care"}))
    assert b.returncode == 1 and "Traceback" not in b.output
    assert [line for line in b.output.splitlines() if "url_prefix" in line] == [
        (
            "ERROR   -  Config value 'plugins': Plugin 'carepath' option 'url_prefix': url_prefix '../care': '..' cannot be a "
            "folder of the site (letters, digits, '.', '-' and '_' only)"
        )
    ]


# --- the decisions, without a build -----------------------------------------------------------------


def test_only_the_missing_extensions_are_added() -> None:
    assert host.missing_extensions(["markdown.extensions.abbr", "admonition", "toc", "tables"]) == ["attr_list", "md_in_html"]
    assert host.missing_extensions(list(host.REQUIRED_EXTENSIONS)) == []


@pytest.mark.parametrize(
    ("font", "turn_off", "warns"),
    [({"text": "Roboto", "code": "Roboto Mono"}, True, False), (False, False, False), ({"text": "Lato"}, False, True)],
)
def test_web_fonts_are_turned_off_or_named(font: object, turn_off: bool, warns: bool) -> None:
    off, warning = host.font_decision(font)
    assert off is turn_off and (warning is not None) is warns
    if warning:
        assert "\n" not in warning and "Lato" in warning and "theme.font: false" in warning


def test_nav_section_joins_a_section_the_host_already_has() -> None:
    nav = host.site_nav([{"A to Z": "care/a-z.md"}], ["index.md"], [{"Care": [{"Ours": "ours.md"}]}, "index.md"], "Care", "care/", "Home")
    assert nav == [{"Care": [{"Ours": "ours.md"}, "care/index.md", {"A to Z": "care/a-z.md"}]}, "index.md"]


def test_without_nav_section_a_hosts_own_nav_is_kept() -> None:
    assert host.site_nav([{"A to Z": "a-z.md"}], ["index.md"], ["index.md"], None, "", "Home") is None
    nav = host.site_nav([{"A to Z": "a-z.md"}], ["index.md", "x/y.md"], None, None, "", "Start")
    assert nav == [{"Start": "index.md"}, {"A to Z": "a-z.md"}, "x/y.md"]


@pytest.mark.parametrize(("value", "prefix"), [("", ""), ("care", "care/"), ("/care/", "care/"), ("a/b-c", "a/b-c/")])
def test_url_prefix_is_a_folder(value: str, prefix: str) -> None:
    assert urls.url_prefix(value) == prefix


@pytest.mark.parametrize("value", ["../care", "care pages", "care?x"])
def test_a_url_prefix_that_is_no_folder_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"url_prefix '{value}':")):
        urls.url_prefix(value)


def test_json_ld_cannot_close_its_script_element() -> None:
    script = host.jsonld_script({"jsonld": {"name": "</script><b>&'"}})
    assert script == '<script type="application/ld+json">{"name": "\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u0027"}</script>'


def test_json_ld_goes_at_the_end_of_the_head_once() -> None:
    meta = {"jsonld": {"@type": "MedicalWebPage"}}
    html = host.with_jsonld("<html><head><title>x</title></head><body></body></html>", meta)
    assert html == '<html><head><title>x</title>  <script type="application/ld+json">{"@type": "MedicalWebPage"}</script>\n  </head><body></body></html>'
    assert host.with_jsonld(html, meta) == html
    assert host.with_jsonld(html, {}) == html


def test_the_extensions_the_plugin_adds_are_ones_the_glossary_reads_pages_with() -> None:
    """The glossary reads each page with `reading.EXTENSIONS`: it must know every extension a page is written for."""
    assert set(host.REQUIRED_EXTENSIONS) <= set(reading.EXTENSIONS)
