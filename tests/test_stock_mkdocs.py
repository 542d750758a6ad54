"""`python -m generator render` writes a docs folder that a stock MkDocs, without Carepath, builds the same."""

from __future__ import annotations

import ast
import json
import posixpath
import re
import sys
from pathlib import Path

import pytest
import yaml
from carepath.audit.linkcheck import check_links, compare_content_links
from carepath.build.site import build_site_pages
from carepath.publish.search import search_fields
from carepath.settings import Settings
from carepath.text import raw_links as raw_links_module
from carepath.text.raw_links import folder_of_url, raw_links
from carepath.urls import page_url
from helpers_site import SITE_FIXTURE, Build, build, copy_project, run, shared_build


def render(project: Path) -> tuple[int, str]:
    result = run([sys.executable, "-m", "carepath", "render", "--out", "out/docs", "--mkdocs-yml", "out/mkdocs.yml"], project)
    return result.returncode, result.stdout + result.stderr


def page_urls(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Build:
    project = copy_project(SITE_FIXTURE, tmp_path_factory.mktemp("stock"))
    code, output = render(project)
    assert code == 0, output
    return build(project / "out")


def test_rendered_config_has_no_carepath_plugin(stock: Build) -> None:
    config = yaml.safe_load((stock.project / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["plugins"] == [{"search": {"fields": search_fields({})}}]
    assert "docs_dir" in config and "site_dir" not in config


def test_the_rendered_config_gives_mkdocs_the_raw_links_hook_which_needs_no_carepath(stock: Build) -> None:
    config = yaml.safe_load((stock.project / "mkdocs.yml").read_text(encoding="utf-8"))
    hook = Path(config["hooks"][-1])
    assert hook.parent == (stock.project / "docs" / ".carepath-hooks").resolve()
    assert hook.read_bytes() == Path(raw_links_module.__file__).read_bytes()
    tree = ast.parse(hook.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
    assert not (stock.site / ".carepath-hooks").exists()


def test_stock_search_weighs_fields_and_pages_as_the_plugin_build(stock: Build, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The title's weight (`search_fields`) and each red flag's `boost`: the stock build has no plugin to set them."""
    plugin = shared_build("fixture", tmp_path_factory)
    mine, theirs = (json.loads((b.site / "search" / "search_index.json").read_text(encoding="utf-8")) for b in (stock, plugin))
    assert mine["config"]["fields"] == theirs["config"]["fields"]
    assert mine["config"]["fields"]["title"] == search_fields({})["title"]
    boosts = {d["location"]: d.get("boost") for d in mine["docs"] if "boost" in d}
    assert boosts and boosts == {d["location"]: d.get("boost") for d in theirs["docs"] if "boost" in d}


def test_stock_mkdocs_builds_the_rendered_folder_strictly(stock: Build) -> None:
    assert stock.returncode == 0, stock.output
    assert stock.warnings == []
    assert "Traceback" not in stock.output


def test_stock_build_has_the_same_pages_as_the_plugin_build(stock: Build, tmp_path_factory: pytest.TempPathFactory) -> None:
    plugin = shared_build("fixture", tmp_path_factory)
    assert plugin.returncode == 0, plugin.output
    assert page_urls(stock.site) == page_urls(plugin.site)
    assert "preventer-inhaler/index.html" in page_urls(stock.site)


def test_stock_build_keeps_leaf_pages_out_of_the_nav(stock: Build) -> None:
    html = stock.html("everyday-control/")
    nav = html[html.index('class="md-sidebar md-sidebar--primary"') : html.index('class="md-sidebar md-sidebar--secondary"')]
    assert 'href="../step-up-care/"' in nav
    assert 'href="../preventer-inhaler/"' not in nav


def test_render_writes_nothing_when_the_pathway_is_broken(tmp_path: Path) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    care = project / "pathway" / "care.yml"
    care.write_text(
        care.read_text(encoding="utf-8").replace("returns_to: [everyday-control]", "returns_to: [nowhere]"), encoding="utf-8"
    )
    code, output = render(project)
    assert code == 1
    assert "pathway/care.yml:" in output and "unknown reference 'nowhere' in 'returns_to'" in output
    assert "Traceback" not in output
    assert not (project / "out").exists()


def test_render_writes_nothing_when_a_content_link_is_broken(tmp_path: Path) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    (project / "content" / "index.md").write_text("# Home\n\n[x](node:no-such-page)\n", encoding="utf-8")
    code, output = render(project)
    assert code == 1
    assert "content/index.md:3:" in output and "unknown node 'no-such-page'" in output
    assert not (project / "out").exists()


def raw_link_targets(markdown: str, folder: str) -> list[str]:
    """Where each relative raw HTML `href`/`src` of a page's Markdown lands, read from `folder`, with its fragment."""
    out = []
    for name, value in raw_links(markdown):
        if name == "srcset" or not value or value.startswith(("#", "/", "?")) or re.match(r"^[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
            continue
        path, _, fragment = value.partition("#")
        out.append(posixpath.normpath(posixpath.join(folder, path)) + (f"#{fragment}" if fragment else ""))
    return out


def test_stock_build_links_land_where_the_plugin_builds_do(stock: Build, tmp_path_factory: pytest.TempPathFactory) -> None:
    """MkDocs reads the rendered raw links (written from the source) through the hook `render` gives it."""
    plugin = shared_build("fixture", tmp_path_factory)
    assert check_links(stock.site) == []
    assert compare_content_links(stock.site, plugin.site) == []


def test_rendered_raw_links_read_from_the_source_land_where_the_plugin_sends_them(stock: Build) -> None:
    """Zensical reads a raw link from the Markdown source's folder: read so, every raw link of every rendered
    page lands where the same link of the plugin's page lands from its URL, on a page or file the build has."""
    site = build_site_pages(Settings.from_mkdocs_yml(stock.project.parent / "mkdocs.yml"))
    docs = stock.project / "docs"
    checked = moved = 0
    for uri, plugin_markdown in sorted(site.pages.items()):
        rendered = (docs / uri).read_text(encoding="utf-8")
        from_source = raw_link_targets(rendered, posixpath.dirname(uri))
        assert from_source == raw_link_targets(plugin_markdown, folder_of_url(page_url(uri))), uri
        for target in from_source:
            path = target.split("#")[0]
            assert (stock.site / path).is_file() or (stock.site / path / "index.html").is_file(), f"{uri}: {target}"
        checked += len(from_source)
        moved += rendered != plugin_markdown
    assert checked > 100 and moved > 10  # the fixture's stage pages link their neighbours in raw HTML


def test_every_rendered_page_with_search_words_hides_them(stock: Build) -> None:
    """A theme that draws a page's `tags` (Zensical's, with no tags plugin) leaves them out: `hide: [tags]`."""
    tagged = []
    for path in sorted((stock.project / "docs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---\n")[1]) if text.startswith("---\n") else {}
        if front.get("tags"):
            tagged.append(path.name)
            assert "tags" in front.get("hide", []), path
    assert len(tagged) >= 3
