"""The preview's quick rebuild (`engines.mkdocs_quick`): under `make serve`, a save of the pathway data re-renders only the
pages whose text it changed, on the last full build's config, files and nav, and those pages are exactly what a clean
build makes of the same files; anything else (a page that comes or goes, a hand-written page, `mkdocs.yml`) goes
to MkDocs' full build as before.

Driven in this process as `mkdocs serve --dirty` runs the plugin (one instance across rebuilds, `on_serve` given the
server, the server calling its builder after each save), without the web server; `tests/test_serve.py` drives the
real one. The clean builds compared with are `mkdocs build` in a subprocess.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from carepath.engines import mkdocs_quick as quick
from helpers_site import SITE_FIXTURE, TODAY, build, copy_project
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.structure.files import File
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

TITLE = "    title: Preventer inhaler\n"


class Preview:
    """`mkdocs serve --dirty` of `project`, in this process."""

    def __init__(self, project: Path) -> None:
        self.project, self.site = project, project / "preview-site"
        self.full_builds = 0
        self.started = False
        self.server: Any = None

    def config(self) -> Any:
        cfg = load_config(str(self.project / "mkdocs.yml"), site_dir=str(self.site), strict=False)
        if not self.started:
            cfg.plugins.on_startup(command="serve", dirty=True)
            self.started = True
        self.plugin = cfg.plugins["carepath"]
        return cfg

    def _builder(self) -> None:  # MkDocs' own: the config loaded again, a `--dirty` build
        self.full_builds += 1
        mkdocs_build(self.config(), serve_url="http://127.0.0.1:8000/", dirty=True)

    def start(self) -> None:
        self._builder()
        cfg = self.config()
        self.server = cfg.plugins.on_serve(quick.Headless(self._builder, self.site), config=cfg, builder=self._builder)

    def save(self) -> None:
        """What the server does after a save: its builder (the plugin's), then the rest once the page is out."""
        self.server.builder()
        self.plugin.settle()
        assert gc.isenabled(), "the garbage collector the quick rebuild held off is on again"

    def stop(self) -> None:
        cfg = self.config()
        cfg.plugins.on_shutdown()
        cfg.plugins.on_startup(command="build", dirty=False)  # the next config loaded in this process builds again

    def html(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")

    def times(self) -> dict[str, int]:
        return {p.relative_to(self.site).as_posix(): p.stat().st_mtime_ns for p in self.site.rglob("*.html")}


@pytest.fixture
def preview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Preview]:
    monkeypatch.setenv("CAREPATH_TODAY", TODAY)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    p = Preview(copy_project(SITE_FIXTURE, tmp_path / "p"))
    p.start()
    try:
        yield p
    finally:
        p.stop()
        logging.getLogger("mkdocs").setLevel(logging.NOTSET)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def index(site: Path) -> list[tuple[str, str, str]]:
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    return sorted((d["location"], d["title"], d["text"]) for d in docs)


def _fork_fails() -> int:
    raise OSError("no fork here")


@pytest.mark.parametrize("processes", ["one", "two", "fork fails"])
def test_a_title_edit_rebuilds_only_the_pages_it_changed_as_a_clean_build_makes_them(
    preview: Preview, processes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process, or with half of the pages rendered by a forked copy (forced here: the fixture is too small
    for it to pay), or when the fork fails (all rendered in this process)."""
    if processes != "one":
        monkeypatch.setattr(quick, "FORK_MIN_BYTES", 0)
        monkeypatch.setattr(quick, "workers", lambda: 2)
    forks: list[int] = []
    real_fork = quick.os.fork

    def fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(quick.os, "fork", _fork_fails if processes == "fork fails" else fork)
    before = preview.times()
    edit(preview.project / "pathway" / "care.yml", TITLE, "    title: Daily preventer inhaler\n")
    preview.save()
    assert preview.full_builds == 1, "the edit was rebuilt without MkDocs' full build"
    assert len(forks) == (1 if processes == "two" else 0)
    written = {page for page, t in preview.times().items() if before.get(page) != t}
    assert "preventer-inhaler/index.html" in written
    assert 0 < len(written) < len(before), written

    clean = build(preview.project, strict=False, site_dir="clean-site")
    assert clean.returncode == 0, clean.output
    for page in sorted(written):
        assert (preview.site / page).read_bytes() == (clean.site / page).read_bytes(), f"{page} differs from a clean build's"
    for page in sorted(set(before) - written - {"404.html"}):
        mine, theirs = (preview.site / page).read_text(encoding="utf-8"), (clean.site / page).read_text(encoding="utf-8")
        assert "Daily preventer inhaler" in theirs or mine == theirs, f"{page} changed without being rebuilt"
    assert index(preview.site) == index(clean.site), "the search index holds what a clean build's does"
    assert "Daily preventer inhaler" in preview.html("preventer-inhaler/")


def test_a_broken_save_shows_its_error_and_the_next_good_one_is_quick_again(preview: Preview) -> None:
    care = preview.project / "pathway" / "care.yml"
    edit(care, TITLE, "    title: [Preventer inhaler\n")
    preview.save()
    error = (preview.site / ".carepath-build-error.html").read_text(encoding="utf-8")
    assert "pathway/care.yml:13:" in error and "YAML syntax error" in error, error
    edit(care, "    title: [Preventer inhaler\n", "    title: Preventer inhaler, daily\n")
    preview.save()
    assert not (preview.site / ".carepath-build-error.html").exists()
    assert "Preventer inhaler, daily" in preview.html("preventer-inhaler/")
    assert preview.full_builds == 1, "both saves were quick"


def test_what_a_quick_rebuild_cannot_do_goes_to_the_full_build(preview: Preview) -> None:
    about = preview.project / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nA line added during the preview.\n", encoding="utf-8")
    preview.save()
    assert preview.full_builds == 2, "a hand-written page changed: MkDocs' build"
    assert "A line added during the preview." in preview.html("about/")

    care = preview.project / "pathway" / "care.yml"
    for name in ("care.yml", "pathway.yml"):
        edit(preview.project / "pathway" / name, "biologic-injection", "biologic-shot", -1)
    preview.save()
    assert preview.full_builds == 3, "a page came and one went: MkDocs' build"
    assert (preview.site / "biologic-shot" / "index.html").exists()
    assert not (preview.site / "biologic-injection" / "index.html").exists()

    edit(care, TITLE, "    title: Preventer inhaler (daily)\n")
    preview.save()
    assert preview.full_builds == 3, "after a full build, the next edit is quick again"
    assert "Preventer inhaler (daily)" in preview.html("preventer-inhaler/")
    assert [loc for loc, _, _ in index(preview.site) if loc.startswith("biologic-shot/")]


def _page(src_uri: str, title: str | None = None) -> Page:
    file = File(src_uri, "/docs", "/site", use_directory_urls=True)
    return Page(title, file, load_config(str(SITE_FIXTURE / "mkdocs.yml")))


def test_retitle_changes_only_titles_and_refuses_any_other_difference() -> None:
    items: list[Any] = [_page("index.md", "Home"), Section("Asthma", [_page("asthma.md"), _page("asthma/step.md", "Step")])]
    assert quick.retitle(items, [{"Home": "index.md"}, {"Asthma": ["asthma.md", {"Step": "asthma/step.md"}]}]) is False
    assert quick.retitle(items, [{"Start": "index.md"}, {"Asthma care": ["asthma.md", {"First step": "asthma/step.md"}]}]) is True
    assert (items[0].title, items[1].title, items[1].children[1].title) == ("Start", "Asthma care", "First step")
    assert quick.retitle(items, [{"Start": "index.md"}, {"Asthma care": ["asthma.md"]}]) is None, "a page fewer"
    assert quick.retitle(items, [{"Start": "other.md"}, {"Asthma care": ["asthma.md", {"First step": "asthma/step.md"}]}]) is None
    assert quick.retitle(items, [{"Start": "index.md"}, {"Asthma care": "asthma.md"}]) is None, "a section became a page"


def test_stamps_see_a_changed_file_but_not_the_folders_left_out(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "docs" / "data").mkdir()
    (tmp_path / "docs" / "data" / "x.yml").write_text("x", encoding="utf-8")
    first = quick.stamps([str(tmp_path / "docs")], [tmp_path / "docs" / "data"])
    assert list(first) == [str(tmp_path / "docs" / "a.md")]
    (tmp_path / "docs" / "data" / "x.yml").write_text("changed", encoding="utf-8")
    assert quick.stamps([str(tmp_path / "docs")], [tmp_path / "docs" / "data"]) == first
    (tmp_path / "docs" / "a.md").write_text("changed", encoding="utf-8")
    assert quick.stamps([str(tmp_path / "docs")], [tmp_path / "docs" / "data"]) != first
