"""Static privacy check of the built files: nothing a page loads may come from another host.

No browser needed: this reads the HTML, CSS and JavaScript the build wrote. `<a href>` to other sites
(cited sources) is allowed, as is the site's own canonical address; loading anything from there is not.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from carepath import KnowledgeBase
from helpers_offline import foreign_loads, is_foreign

from .conftest import SITE_URL


def own_hosts() -> set[str]:
    """The host the session's build is published at (conftest sets `SITE_URL`)."""
    return {urlsplit(SITE_URL).netloc.lower()}


def test_built_site_loads_nothing_from_other_hosts(site_dir: Path) -> None:
    assert foreign_loads(site_dir, own_hosts()) == []


def test_material_remote_fallbacks_stay_switched_off(site_dir: Path) -> None:
    """Material's bundle can fetch Mermaid and repository facts from other hosts; no page may trigger that."""
    pages = {p.relative_to(site_dir).as_posix(): p.read_text(encoding="utf-8") for p in site_dir.rglob("*.html")}
    assert [rel for rel, html in pages.items() if re.search(r"""class="[^"]*\bmermaid\b""", html)] == []
    assert [rel for rel, html in pages.items() if 'data-md-component="source"' in html] == []


def test_every_node_has_its_page(site_dir: Path, kb: KnowledgeBase) -> None:
    assert [node_id for node_id in sorted(kb.nodes) if not (site_dir / node_id / "index.html").is_file()] == []
    assert (site_dir / "a-z" / "index.html").is_file()
    assert (site_dir / "glossary" / "index.html").is_file()


PLANTED = {
    "index.html": """<!doctype html><html><head>
<link rel="canonical" href="https://carepath.example.org/">
<link rel="stylesheet" href="https://fonts.example.com/css">
<script src="//cdn.example.com/x.js"></script>
<style>body { background: url("https://img.example.com/bg.png") }</style>
</head><body>
<a href="https://pubmed.example.gov/123">a cited source is fine</a>
<img src="assets/ok.png" alt=""><img srcset="ok.png 1x, https://img.example.com/2x.png 2x" alt="">
<iframe src="https://video.example.com/embed"></iframe>
<svg><image href="https://img.example.com/i.svg"/><a href="https://example.org/">ok</a></svg>
<link rel="canonical" href="https://elsewhere.example.net/">
</body></html>""",
    "assets/site.css": "@import 'https://fonts.example.com/a.css'; .x { background: url(data:image/png;base64,AAAA) }",
    "assets/app.js": "fetch('https://analytics.example.com/hit'); const ns = 'https://unpkg.com/mermaid@11/dist/mermaid.min.js';",
}


def test_the_static_check_catches_planted_loads(tmp_path: Path) -> None:
    for rel, text in PLANTED.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    assert foreign_loads(tmp_path, {"carepath.example.org"}) == [
        "assets/app.js: script names https://analytics.example.com/hit",
        "assets/site.css: loads https://fonts.example.com/a.css",
        "index.html:3: <link href> loads https://fonts.example.com/css",
        "index.html:4: <script src> loads //cdn.example.com/x.js",
        "index.html:8: <img srcset> loads https://img.example.com/2x.png",
        "index.html:9: <iframe src> loads https://video.example.com/embed",
        "index.html:10: <image href> loads https://img.example.com/i.svg",
        "index.html:11: <link href> loads https://elsewhere.example.net/",
        "index.html:5: inline style loads https://img.example.com/bg.png",
    ]


@pytest.mark.parametrize("url", ["https://carepath.example.org/x/", "../x/", "#top", "data:image/png;base64,AA", "mailto:a@b.c"])
def test_own_and_relative_urls_are_not_foreign(url: str) -> None:
    assert not is_foreign(url, {"carepath.example.org"})
