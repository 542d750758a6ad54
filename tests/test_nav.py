"""Navigation that scales: per-pathway sections only up to a limit, the pathway index always."""

from __future__ import annotations

from pathlib import Path

import pytest
from carepath import check_pathway
from carepath import urls as links
from carepath.build.site import build_site_pages
from carepath.engines import host
from carepath.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("over", [0, 1])
def test_nav_lists_stages_only_while_pathways_are_few(over: int) -> None:
    """With as many pathways as the limit, each pathway and its stages are in the nav; with one more, none is."""
    count = len(check_pathway(ROOT / "pathway")[0].pathways)
    assert count >= 2, "the shipped knowledge base has more than one pathway"
    limit = count - over
    site = build_site_pages(Settings(pathway_dir=ROOT / "pathway", site_url="https://example.org/", diagrams=False, nav_max_pathways=limit))
    nav = host.place(site, ["index.md"], None, None).nav
    assert nav is not None
    titles = [next(iter(entry)) for entry in nav]
    assert titles[:2] == ["Home", "All pathways"]
    assert links.PATHWAYS_URI in site.in_nav and links.PATHWAYS_URI in site.pages
    for pathway in site.kb.pathways:
        stage_uris = {links.node_uri(s) for s in pathway.stages}
        if over:
            assert pathway.title not in titles
            assert not stage_uris & site.in_nav  # reached through the pathway index instead
        else:
            assert pathway.title in titles
            assert stage_uris <= site.in_nav
    leaves = {links.node_uri(n) for n in site.kb.nodes if site.kb.kind(n) not in ("pathway", "stage")}
    assert not leaves & site.in_nav


def test_pathway_index_links_every_pathway() -> None:
    site = build_site_pages(Settings(pathway_dir=ROOT / "pathway", site_url="https://example.org/", diagrams=False))
    index = site.pages[links.PATHWAYS_URI]
    for pathway in site.kb.pathways:
        assert f"]({links.node_uri(pathway.id)})" in index
