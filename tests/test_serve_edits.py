"""Edits under `mkdocs serve`: one generator session (a cache and a parse cache kept from build to build, the whole
result stored only by the first build) gives, after every kind of edit, exactly what a cold build of the same files
gives, and re-parses, re-renders and re-exports only what the edit touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from carepath import PathwayError
from carepath import urls as links
from carepath.build.cache import Cache
from carepath.build.site import SitePages, build_site_pages
from carepath.load import ParseCache, load_pathway
from carepath.settings import Settings
from helpers_site import REPO, TODAY

PT = "when-pt-does-not-help"
TREATMENTS = f"{PT}/treatments.yml"
NEW_NODE = f"{PT}/walking-group"
WALKING_GROUP = """
  - id: walking-group
    title: Walking group
    type: self-care
    summary: A group that walks together each week.
    body: |
      A walking group meets each week to walk at an easy pace.
    relevant_to:
      - compensating-movement-pattern
    review: {status: draft, written: 2026-01-15}
"""
ALTERNATIVES = "alternatives: [home-exercise-program, exercise-and-coping-program]"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREPATH_TODAY", TODAY)


class Session:
    """The generator as the MkDocs plugin runs it under `serve`: one cache in memory and on disk, one parse cache."""

    def __init__(self, pathway: Path, folder: Path) -> None:
        self.settings = Settings(pathway_dir=pathway, site_url="https://example.org/care/")
        self.cache = Cache(folder)
        self.parsed = ParseCache()
        self.built = False

    def build(self) -> SitePages:
        self.cache.stats.clear()
        site = build_site_pages(self.settings, self.cache, self.parsed, store=not self.built)
        self.built = True
        return site

    def cold(self) -> SitePages:
        return build_site_pages(self.settings)


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in the file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_node(pathway: Path) -> None:
    replace_in(pathway / TREATMENTS, ALTERNATIVES, ALTERNATIVES.replace("]", ", walking-group]"))
    with (pathway / TREATMENTS).open("a", encoding="utf-8") as f:
        f.write(WALKING_GROUP)


def remove_node(pathway: Path) -> None:
    replace_in(pathway / TREATMENTS, ALTERNATIVES.replace("]", ", walking-group]"), ALTERNATIVES)
    replace_in(pathway / TREATMENTS, WALKING_GROUP, "")


EDITS = {
    "title": lambda p: replace_in(p / TREATMENTS, "    title: Home exercise programme\n", "    title: Exercises you do at home\n"),
    "edge removed": lambda p: replace_in(p / TREATMENTS, "    relevant_to:\n      - compensating-movement-pattern\n", ""),
    "lines shifted": lambda p: replace_in(p / TREATMENTS, "  # Step 1: find out why PT did not help\n", "  # Step 1: find out why PT did not help\n\n\n"),
    "glossary": lambda p: replace_in(
        p / "shared/glossary.yml", "definition: The moves your therapist asks you to do at home between visits.", "definition: Moves to do at home."
    ),
    "node added": add_node,
    "shared treatment": lambda p: replace_in(p / "shared/treatments.yml", "\n    title: ", "\n    title: Renamed "),
    "node removed": remove_node,
    "source": lambda p: replace_in(p / "shared/sources.yml", "publisher: NICE\n", "publisher: National Institute for Health and Care Excellence\n"),
}


def same(a: SitePages, b: SitePages) -> None:
    assert sorted(a.pages) == sorted(b.pages) and sorted(a.assets) == sorted(b.assets)
    assert [u for u in a.pages if a.pages[u] != b.pages[u]] == []
    assert [u for u in a.assets if a.assets[u] != b.assets[u]] == []
    assert a.in_nav == b.in_nav and a.warnings == b.warnings


@pytest.fixture
def pathway(tmp_path: Path) -> Path:
    dest = tmp_path / "project" / "pathway"
    shutil.copytree(REPO / "pathway", dest)
    return dest


def test_every_kind_of_edit_gives_what_a_cold_build_gives(pathway: Path, tmp_path: Path) -> None:
    """Edits one after another in one session, each compared byte for byte (pages, data files, SVG, nav, warnings)
    with a build from nothing of the same files."""
    session = Session(pathway, tmp_path / "cache")
    same(session.build(), session.cold())
    for name, change in EDITS.items():
        change(pathway)
        site = session.build()
        try:
            same(site, session.cold())
        except AssertionError as exc:
            raise AssertionError(f"after the edit '{name}': {exc}") from None


def test_an_edit_re_parses_only_its_file(pathway: Path, tmp_path: Path) -> None:
    session = Session(pathway, tmp_path / "cache")
    session.build()
    assert len(session.parsed.parsed) == len(load_pathway(pathway).files) > 2
    EDITS["title"](pathway)
    session.build()
    assert session.parsed.parsed == [f"pathway/{TREATMENTS}"]
    session.build()
    assert session.parsed.parsed == []


def test_a_title_edit_remakes_only_what_shows_it(pathway: Path, tmp_path: Path) -> None:
    """The edited node's page, the pages that link to it and the site-wide pages that list it change; every other
    page and data file is reused, and the exports of the pathway it is not in are not made again."""
    session = Session(pathway, tmp_path / "cache")
    before = session.build()
    EDITS["title"](pathway)
    after = session.build()
    changed = {u for u in after.pages if after.pages[u] != before.pages[u]}
    node = f"{PT}/home-exercise-program"
    assert links.node_uri(node) in changed and links.A_TO_Z_URI in changed
    assert "Exercises you do at home" in after.pages[links.node_uri(node)]
    assert "Exercises you do at home" in after.pages[links.A_TO_Z_URI]
    linking = {links.node_uri(e.source) for e in after.kb.in_edges(node)}
    assert linking and linking <= changed
    stats = session.cache.stats
    assert stats["page-rendered"] < len(after.pages) / 2 < stats["page-reused"], stats
    other = "carpal-tunnel-care"
    assert after.assets[links.pathway_json_uri(other)] == before.assets[links.pathway_json_uri(other)]
    assert after.assets[links.pathway_json_uri(PT)] != before.assets[links.pathway_json_uri(PT)]
    # Its own pathway's `pathway.json` and two FHIR Bundles are made again, the other pathway's three are reused.
    assert stats["export-rendered"] == stats["export-reused"] == 1 + len(links.FHIR_VERSIONS), stats


def test_a_removed_node_leaves_the_a_to_z_and_indexes(pathway: Path, tmp_path: Path) -> None:
    session = Session(pathway, tmp_path / "cache")
    add_node(pathway)
    added = session.build()
    assert links.node_uri(NEW_NODE) in added.pages and "Walking group" in added.pages[links.A_TO_Z_URI]
    assert NEW_NODE in added.assets[links.pathway_json_uri(PT)].decode("utf-8")
    remove_node(pathway)
    removed = session.build()
    assert links.node_uri(NEW_NODE) not in removed.pages
    assert "Walking group" not in removed.pages[links.A_TO_Z_URI]
    assert not any("walking-group" in text for text in removed.pages.values())
    assert not any(b"walking-group" in data for data in removed.assets.values())


def test_an_invalid_edit_is_reported_and_the_next_good_save_recovers(pathway: Path, tmp_path: Path) -> None:
    session = Session(pathway, tmp_path / "cache")
    good = session.build()
    original = (pathway / TREATMENTS).read_text(encoding="utf-8")
    replace_in(pathway / TREATMENTS, "    title: Home exercise programme\n", "    title: [Home exercise programme\n")
    with pytest.raises(PathwayError) as broken:
        session.build()
    assert f"pathway/{TREATMENTS}:" in broken.value.report() and "never closed" in broken.value.report()
    replace_in(pathway / TREATMENTS, "    title: [Home exercise programme\n", "    title: Home exercise programme\n    owner: nobody\n")
    with pytest.raises(PathwayError) as unknown:
        session.build()
    assert f"pathway/{TREATMENTS}:" in unknown.value.report() and "owner" in unknown.value.report()
    (pathway / TREATMENTS).write_text(original, encoding="utf-8")
    recovered = session.build()
    same(recovered, good)
    assert session.parsed.parsed == [f"pathway/{TREATMENTS}"]


def test_an_edited_template_override_shows_at_the_next_build(pathway: Path, tmp_path: Path) -> None:
    """Compiled templates are kept for the life of the process (`render.pages._COMPILED`): an override written,
    changed and removed between builds of one session is what each build renders."""
    overrides = tmp_path / "overrides"
    (overrides / "carepath").mkdir(parents=True)
    session = Session(pathway, tmp_path / "cache")
    session.settings = Settings(pathway_dir=pathway, site_url="https://example.org/care/", custom_dir=overrides)
    stock = session.build().pages[links.A_TO_Z_URI]
    a_to_z = (REPO / "generator/carepath/templates/a-z.md.j2").read_text(encoding="utf-8")
    for marker in ("First override", "Second override"):
        (overrides / "carepath" / "a-z.md.j2").write_text(a_to_z + f"\n{marker}\n", encoding="utf-8")
        assert session.build().pages[links.A_TO_Z_URI] == stock + f"\n{marker}\n"
    (overrides / "carepath" / "a-z.md.j2").unlink()
    assert session.build().pages[links.A_TO_Z_URI] == stock
