"""One `Settings` read from either form of `plugins:`, one plan of the outputs that `check` and the build share,
and one atomic writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from carepath import load_knowledge_base
from carepath.audit.manifest import project_urls
from carepath.build.plan import plan_site
from carepath.build.site import build_site_pages
from carepath.build.write import write_file, write_if_changed
from carepath.cli.render import render_docs
from carepath.problems import PathwayError
from carepath.publish.search import search_fields
from carepath.settings import ConfigError, Readability, Settings
from helpers_pathway import run_cli
from helpers_site import REPO, SITE_FIXTURE, build, copy_project

OVERVIEW_PAGE = "asthma-care/overview.md"
"""The fixture pathway's overview page, which only a site with diagrams has."""


def site_with(tmp_path: Path, plugins: object, **top: object) -> Path:
    """A copy of the fixture site whose `mkdocs.yml` has these `plugins:` (and other top-level settings)."""
    project = copy_project(SITE_FIXTURE, tmp_path / "project")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(plugins=plugins, **top)
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return project


def plugins_as(form: str, options: dict[str, object]) -> object:
    """The `plugins:` setting with `search` and carepath's `options`, as a list or as a mapping."""
    if form == "list":
        return ["search", {"carepath": options}]
    return {"search": {}, "carepath": options}


# --- Settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["list", "mapping"])
def test_both_forms_of_plugins_give_the_same_settings(tmp_path: Path, form: str) -> None:
    options = {
        "pathway_dir": "pathway",
        "diagrams": False,
        "nav_max_pathways": 3,
        "content_version": "v7",
        "readability": {"enabled": False, "max_grade": 6},
        "cache_dir": "",
    }
    project = site_with(tmp_path, plugins_as(form, options), site_author="Clinic A")
    settings = Settings.from_mkdocs_yml(project / "mkdocs.yml")
    assert settings.pathway_dir == (project / "pathway").resolve()
    assert settings.docs_dir == project.resolve() / "content"
    assert settings.custom_dir == project.resolve() / "site_overrides"
    assert (settings.diagrams, settings.nav_max_pathways, settings.content_version, settings.cache_dir) == (False, 3, "v7", "")
    assert settings.readability == Readability(enabled=False, max_grade=6.0, max_median=Readability.max_median)
    assert settings.publisher == "Clinic A"  # no `publisher` option: the site's author
    assert settings.site_url == "https://asthma.example.test/"


@pytest.mark.parametrize("form", ["list", "mapping"])
@pytest.mark.parametrize(
    "options",
    [{}, {"diagrams": False, "publisher": "Clinic B", "readability": {"max_median": 6.5}}, {"readability": {"max_grade": 6}}],
)
def test_the_plugin_and_mkdocs_yml_agree(tmp_path: Path, form: str, options: dict[str, object]) -> None:
    """The plugin's settings (from MkDocs' validated config) are those read from `mkdocs.yml` without MkDocs:
    the plugin's schema takes its defaults from `Settings`, and `site_url` ends in `/` as MkDocs makes it."""
    from mkdocs.config import load_config

    project = site_with(tmp_path, plugins_as(form, options), site_url="https://care.test/asthma")
    config = load_config(str(project / "mkdocs.yml"))
    from_mkdocs = Settings.from_mkdocs_config(config, config.plugins["carepath"].config)
    assert from_mkdocs == Settings.from_mkdocs_yml(project / "mkdocs.yml")


def test_the_defaults_the_readme_states_are_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("The Carepath plugin's options, with their defaults:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "stated.yml").write_text(block, encoding="utf-8")
    (tmp_path / "bare.yml").write_text("site_author: Your organisation\nplugins: [search, carepath]\n", encoding="utf-8")
    assert Settings.from_mkdocs_yml(tmp_path / "stated.yml") == Settings.from_mkdocs_yml(tmp_path / "bare.yml")


def test_a_bare_plugin_name_means_the_defaults(tmp_path: Path) -> None:
    project = site_with(tmp_path, ["search", "carepath"])
    settings = Settings.from_mkdocs_yml(project / "mkdocs.yml")
    assert settings.pathway_dir == (project / "pathway").resolve()
    assert (settings.diagrams, settings.readability, settings.cache_dir) == (Settings.diagrams, Readability(), Settings.cache_dir)


def test_every_bad_option_is_named_at_once(tmp_path: Path) -> None:
    project = site_with(tmp_path, {"carepath": {"diagrams": "no", "nav_max_pathways": 2.5, "readability": {"max_grade": True}}})
    with pytest.raises(ConfigError) as caught:
        Settings.from_mkdocs_yml(project / "mkdocs.yml")
    where = (project / "mkdocs.yml").as_posix()
    assert str(caught.value).splitlines() == [
        f"{where}: plugins.carepath.diagrams: expected true or false, got 'no'",
        f"{where}: plugins.carepath.nav_max_pathways: expected a whole number, got 2.5",
        f"{where}: plugins.carepath.readability.max_grade: expected a number, got True",
    ]


def test_carepath_today_pins_the_date(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAREPATH_TODAY", "2031-02-03")
    assert str(Settings(pathway_dir=tmp_path).today) == "2031-02-03"


# --- BUG 1: the mapping form of `plugins:` is read by check, urls and render --------------------------


@pytest.mark.parametrize("form", ["list", "mapping"])
@pytest.mark.parametrize("diagrams", [True, False])
def test_check_and_urls_read_the_options_in_either_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str, diagrams: bool
) -> None:
    """With diagrams, each pathway has an overview page, so a hand-written page at its URL clashes; without them it
    is just a page. Both `check` and `urls` must see the option, however `plugins:` is written."""
    project = site_with(tmp_path, plugins_as(form, {"pathway_dir": "pathway", "diagrams": diagrams}))
    assert ("/asthma-care/overview/" in project_urls(project / "mkdocs.yml")) == diagrams
    (project / "content" / "asthma-care").mkdir()
    (project / "content" / OVERVIEW_PAGE).write_text("# Our own overview\n", encoding="utf-8")
    run = run_cli(capsys, "check", str(project / "pathway"))
    clash = (
        f"content/{OVERVIEW_PAGE}:1:1: generated page '{OVERVIEW_PAGE}' and the hand-written page 'content/{OVERVIEW_PAGE}' both want the URL "
        "'/asthma-care/overview/'; rename one"
    )
    if diagrams:
        assert (run.code, run.problems) == (1, [clash])
    else:
        assert run.code == 0, run.err
        assert run.out.splitlines()[-1].startswith("ok: ")


def test_urls_leave_out_overviews_when_the_mapping_form_turns_diagrams_off(tmp_path: Path) -> None:
    on = project_urls(site_with(tmp_path / "on", {"search": {}, "carepath": {}}) / "mkdocs.yml")
    off = project_urls(site_with(tmp_path / "off", {"search": {}, "carepath": {"diagrams": False}}) / "mkdocs.yml")
    assert sorted(set(on) - set(off)) == ["/asthma-care/overview/"]
    assert set(off) < set(on)


def test_a_pathway_dir_given_in_the_mapping_form_is_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = site_with(tmp_path, {"search": {}, "carepath": {"pathway_dir": "care-data"}})
    (project / "pathway").rename(project / "care-data")
    assert "/preventer-inhaler/" in project_urls(project / "mkdocs.yml")
    (project / "content" / "spirometry.md").write_text("# Mine\n", encoding="utf-8")
    run = run_cli(capsys, "check", str(project / "care-data"))  # the mkdocs.yml beside it names this folder
    assert run.code == 1
    assert "hand-written page 'content/spirometry.md' both want the URL '/spirometry/'" in run.err


def _plugin_items(plugins: object) -> list[tuple[str, dict[str, object]]]:
    """`plugins:` in any of its three forms as (name, options) pairs."""
    items = plugins.items() if isinstance(plugins, dict) else [next(iter(p.items())) if isinstance(p, dict) else (p, {}) for p in plugins]  # type: ignore[attr-defined]
    return [(str(name), dict(options or {})) for name, options in items]


def _without_search_fields(plugins: object) -> list[tuple[str, dict[str, object]]]:
    return [(name, {k: v for k, v in options.items() if not (name == "search" and k == "fields")}) for name, options in _plugin_items(plugins)]


def _search_options(plugins: object) -> dict[str, object]:
    return next(options for name, options in _plugin_items(plugins) if name == "search")


@pytest.mark.parametrize(
    ("plugins", "kept"),
    [
        ({"search": {"lang": "en"}, "carepath": {"diagrams": False}}, {"search": {"lang": "en"}}),
        ([{"search": {"lang": "en"}}, {"carepath": {"diagrams": False}}], [{"search": {"lang": "en"}}]),
        (["search", "carepath"], ["search"]),
    ],
)
def test_render_keeps_other_plugins_options(tmp_path: Path, plugins: object, kept: object) -> None:
    project = site_with(tmp_path, plugins)
    config = render_docs(project / "mkdocs.yml", tmp_path / "out")
    # Carepath's search field weights (the red flags' boost) are given to the stock search plugin, the site's
    # own options beside them; nothing else is added or lost.
    assert _without_search_fields(config["plugins"]) == _without_search_fields(kept)
    assert _search_options(config["plugins"]).get("fields") == search_fields({})
    overview_written = (tmp_path / "out" / OVERVIEW_PAGE).is_file()
    assert overview_written == (plugins == ["search", "carepath"])  # the mapping form's `diagrams: false` is obeyed


# --- BUG 2: `check` knows every page the build writes ------------------------------------------------


@pytest.mark.parametrize(
    ("page", "url"),
    [("lookup.md", "/lookup/"), ("code/index.md", "/code/"), ("code/icd10cm/j45.909.md", "/code/icd10cm/j45.909/")],
)
def test_check_rejects_a_hand_written_page_on_a_generated_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str, url: str
) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path / "project")
    (project / "content" / page).parent.mkdir(parents=True, exist_ok=True)
    (project / "content" / page).write_text("# Our own page\n", encoding="utf-8")
    run = run_cli(capsys, "check", str(project / "pathway"))
    assert run.code == 1
    assert run.problems == [
        f"content/{page}:1:1: generated page '{page}' and the hand-written page 'content/{page}' both want the URL '{url}'; rename one"
    ]
    assert run.err.splitlines()[-1] == "1 error in the pathway data"


def test_a_hand_written_file_on_a_generated_files_path_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The build would silently replace `content/codes.json` with the generated one: `check`, `render` and the build
    refuse it, naming both."""
    project = copy_project(SITE_FIXTURE, tmp_path / "project")
    (project / "content" / "codes.json").write_text('{"mine": true}\n', encoding="utf-8")
    message = "generated file 'codes.json' and the hand-written file 'content/codes.json' have the same path; rename or move the hand-written one"
    run = run_cli(capsys, "check", str(project / "pathway"))
    assert (run.code, run.problems) == (1, [f"content/codes.json:1:1: {message}"])
    with pytest.raises(PathwayError, match="have the same path"):
        render_docs(project / "mkdocs.yml", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    built = build(project)
    assert built.returncode == 1
    assert message in built.output


def test_check_and_the_build_agree_on_a_hand_written_lookup_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path / "project")
    (project / "content" / "lookup.md").write_text("# Our own lookup\n", encoding="utf-8")
    assert run_cli(capsys, "check", str(project / "pathway")).code == 1
    built = build(project)
    assert built.returncode == 1
    assert "hand-written page 'content/lookup.md' both want the URL '/lookup/'" in built.output


# --- the plan -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("diagrams", [True, False])
@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_the_plan_lists_exactly_what_the_build_writes(diagrams: bool, use_directory_urls: bool) -> None:
    settings = Settings(pathway_dir=SITE_FIXTURE / "pathway", diagrams=diagrams, use_directory_urls=use_directory_urls)
    site = build_site_pages(settings)
    kb, _ = load_knowledge_base(settings.pathway_dir, settings.today)
    plan = plan_site(kb, settings)
    assert list(site.pages) == list(plan.pages)
    assert sorted(site.assets) == sorted(plan.assets)
    assert ("lookup.md" in plan.pages, "code/index.md" in plan.pages, OVERVIEW_PAGE in plan.pages) == (True, True, diagrams)
    assert "index.md" not in plan.generated(["index.md", "about.md"])
    assert "index.md" in plan.generated(["about.md"])


# --- the writer ---------------------------------------------------------------------------------------


def test_write_file_replaces_whole_files_and_leaves_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.txt"
    write_file(target, "first")
    write_file(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.rglob("*")] == ["a", "b.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # readable by a web server, like any file written plainly


def test_write_file_into_a_missing_folder_fails_without_parents(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_file(tmp_path / "missing" / "x.json", "{}", parents=False)
    assert list(tmp_path.iterdir()) == []


def test_write_if_changed_keeps_an_unchanged_file(tmp_path: Path) -> None:
    target = tmp_path / "page.md"
    assert write_if_changed(target, b"text")
    os.utime(target, (1, 1))
    assert not write_if_changed(target, b"text")
    assert target.stat().st_mtime == 1
    assert write_if_changed(target, b"new")
    assert target.read_bytes() == b"new"


# --- one place each -----------------------------------------------------------------------------------

PACKAGE = REPO / "generator" / "carepath"


def test_only_settings_and_urls_know_use_directory_urls() -> None:
    """Everything else asks a `Urls` (from `Settings.urls`) instead of passing the flag by hand."""
    knowing = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if "use_directory_urls" in p.read_text(encoding="utf-8"))
    assert knowing == ["settings.py", "urls.py"]


def test_only_settings_reads_the_environment() -> None:
    """Configuration comes from `Settings`; `cli/render.py` only hands its environment on to the MkDocs it runs, and
    `cli/serve.py` only silences MkDocs' own notice about its next version (NO_MKDOCS_2_WARNING) for the preview."""
    reading = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if "os.environ" in p.read_text(encoding="utf-8"))
    assert reading == ["cli/render.py", "cli/serve.py", "settings.py"]
