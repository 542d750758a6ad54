"""Raw HTML links between the two readings: from the page's URL (MkDocs, the browser) and from the Markdown
source's folder (Zensical). The source-relative values are what Zensical 0.0.73 was seen to publish right:
in `a/b.md` (URL `a/b/`) it turned `href="../c/"` into `../../c/` and `href="./"` into `.././` (the folder
`a/`, not the page), and left `xlink:href`, `data`, `#x`, `?q`, `/abs/` and other hosts alone."""

from __future__ import annotations

import posixpath

import pytest
from carepath.text.raw_links import folder_of_url, on_page_markdown, rebase, to_page_relative, to_source_relative

RELEASE = ("carpal-tunnel-care/carpal-tunnel-release.md", "carpal-tunnel-care/carpal-tunnel-release/")


def read_from(folder: str, value: str) -> str:
    """Where a relative link lands, read from `folder` (the browser's and Zensical's resolution, without the fragment)."""
    return posixpath.normpath(posixpath.join(folder, value.split("#")[0])) if value.split("#")[0] else folder


@pytest.mark.parametrize(
    ("page_relative", "source_relative"),
    [
        ("../doctor-care/", "doctor-care/"),
        ("./", "carpal-tunnel-release/"),
        ("../../nsaids/#how-to-take", "../nsaids/#how-to-take"),
        ("../", "./"),
        ("../../", "../"),
        ("overview.svg", "carpal-tunnel-release/overview.svg"),
        ("../../assets/carepath/lookup.js", "../assets/carepath/lookup.js"),
    ],
)
def test_a_page_relative_link_becomes_the_source_relative_link_to_the_same_place(page_relative: str, source_relative: str) -> None:
    src_uri, url = RELEASE
    assert rebase(page_relative, folder_of_url(url), posixpath.dirname(src_uri)) == source_relative
    assert read_from(posixpath.dirname(src_uri), source_relative) == read_from(folder_of_url(url), page_relative)


@pytest.mark.parametrize("value", ["#get-help", "?q=1", "/carpal-tunnel-care/", "https://www.nhs.uk/", "mailto:a@b.c", "//cdn.example/x.js", ""])
def test_links_no_engine_rewrites_are_kept(value: str) -> None:
    markdown = f'<a href="{value}">x</a>'
    assert to_source_relative(markdown, *RELEASE) == markdown


def test_only_the_attributes_zensical_rewrites_are_rewritten() -> None:
    markdown = (
        '<a href="../x/">a</a><img src="../p.svg" srcset="../p.svg 1x, ../q.svg 2x"><A HREF=\'../y/\'>b</A>'
        '<a xlink:href="../x/">c</a><a data-href="../x/">d</a><object data="../p.svg"></object>'
    )
    assert to_source_relative(markdown, *RELEASE) == (
        '<a href="x/">a</a><img src="p.svg" srcset="p.svg 1x, q.svg 2x"><A HREF=\'y/\'>b</A>'
        '<a xlink:href="../x/">c</a><a data-href="../x/">d</a><object data="../p.svg"></object>'
    )


@pytest.mark.parametrize(("src_uri", "url"), [("index.md", ""), ("code/index.md", "code/"), ("a/b.md", "a/b.html"), ("about.md", "about.html")])
def test_where_the_source_folder_is_the_url_folder_nothing_changes(src_uri: str, url: str) -> None:
    """Index pages, and every page with `use_directory_urls: false`: both readings already agree."""
    markdown = '<a href="../x/">a</a> <a href="./">b</a> <img src="p.svg">'
    assert to_source_relative(markdown, src_uri, url) == markdown


def test_the_hook_gives_mkdocs_back_what_render_wrote_from_the_page() -> None:
    class File:
        src_uri = RELEASE[0]

    class Page:
        file = File()
        url = RELEASE[1]

    markdown = '<p><a href="../doctor-care/">a</a> <a href="./">b</a> <a href="../../nsaids/#x">c</a> <a href="#y">d</a></p>'
    written = to_source_relative(markdown, *RELEASE)
    assert written != markdown
    assert on_page_markdown(written, page=Page(), config={}, files=[]) == markdown
    assert to_page_relative(written, *RELEASE) == markdown
