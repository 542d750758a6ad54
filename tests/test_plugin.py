"""The MkDocs plugin: bad input stops the build with one clean message; content links; template overrides."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_site import SITE_FIXTURE, Build, article, build_all, copy_project, env, links_in, resolve_href, shared_build, text_of


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    """Copies of the fixture, each with one thing changed, built at once."""
    root = tmp_path_factory.mktemp("variants")
    projects: dict[str, Path] = {}

    p = projects["broken"] = copy_project(SITE_FIXTURE, root / "broken")
    care = p / "pathway" / "care.yml"
    text = care.read_text(encoding="utf-8")
    text = text.replace("requires: [inhaler-technique-check]", "requires: [inhaler-tecnique-check]")
    text = text.replace("refers_to: [everyday-control]", "refers_to: [every-control]")
    care.write_text(text, encoding="utf-8")

    p = projects["clash"] = copy_project(SITE_FIXTURE, root / "clash")
    (p / "content" / "spirometry.md").write_text("# My own spirometry page\n", encoding="utf-8")

    p = projects["unknown-link"] = copy_project(SITE_FIXTURE, root / "unknown-link")
    about = p / "content" / "about.md"
    # Front matter: MkDocs hands the plugin the page without it, but the line named is the file's.
    about.write_text(
        "---\ntitle: About\n---\n\n" + about.read_text(encoding="utf-8") + "\nSee also [x](node:unknown-id).\n", encoding="utf-8"
    )

    p = projects["override"] = copy_project(SITE_FIXTURE, root / "override")
    (p / "site_overrides" / "carepath").mkdir(parents=True)
    (p / "site_overrides" / "carepath" / "treatment.md.j2").write_text(
        '{% include "_top.md.j2" %}\n'
        "This is our own page for {{ node.title | md }}.\n"
        "{: .site-treatment-marker }\n\n"
        "{% if body %}{{ body }}\n\n{% endif %}\n"
        "{% if how_it_helps %}\n## How it helps\n\n{{ how_it_helps }}\n\n{% endif %}\n"
        '{% include "_bottom.md.j2" %}\n',
        encoding="utf-8",
    )
    # Material's search fields: the site's own weight kept; Carepath's title weight whichever plugin comes first.
    p = projects["own-search-fields"] = copy_project(SITE_FIXTURE, root / "own-search-fields")
    config = p / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - search\n", "  - search:\n      fields:\n        title: {boost: 7}\n"), encoding="utf-8")
    p = projects["carepath-first"] = copy_project(SITE_FIXTURE, root / "carepath-first")
    config = p / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("  - search\n", "")
    config.write_text(text.replace("      pathway_dir: pathway\n", "      pathway_dir: pathway\n  - search\n"), encoding="utf-8")
    names = list(projects)
    return dict(zip(names, build_all(*[(projects[n], {}) for n in names]), strict=True))


def check_output(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carepath", "check", "pathway"],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        check=False,
    )


def test_pathway_problems_abort_with_the_same_messages_as_check(variants: dict[str, Build]) -> None:
    b = variants["broken"]
    check = check_output(b.project)
    assert check.returncode == 1
    expected = [line for line in check.stderr.splitlines() if line.startswith("pathway/")]
    assert expected == [
        (
            "pathway/care.yml:26:16: treatment 'preventer-inhaler': unknown reference 'inhaler-tecnique-check' in 'requires' "
            "(did you mean 'inhaler-technique-check'?)"
        ),
        (
            "pathway/care.yml:79:17: indicator 'reliever-use-often': unknown reference 'every-control' in 'refers_to' "
            "(did you mean 'everyday-control'?)"
        ),
    ]
    assert b.returncode == 1
    assert "Traceback" not in b.output
    for line in expected:
        assert b.output.count(line) == 1, b.output
    assert "2 errors in the pathway data" in b.output
    assert len(b.warnings) == 1, b.output  # one ERROR entry carrying every problem
    assert not (b.site / "index.html").exists()


def test_url_clash_with_a_hand_written_page_names_both(variants: dict[str, Build]) -> None:
    b = variants["clash"]
    assert b.returncode == 1
    assert "Traceback" not in b.output
    assert (
        "generated page 'spirometry.md' and the hand-written page 'content/spirometry.md' both want the URL '/spirometry/'; rename one"
        in b.output
    )


def test_unknown_node_link_in_content_fails_naming_file_and_line(variants: dict[str, Build]) -> None:
    b = variants["unknown-link"]
    assert b.returncode == 1
    assert "Traceback" not in b.output
    lines = (b.project / "content" / "about.md").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "node:unknown-id" in text)
    assert line == len(lines) > 5
    assert any(
        f"content/about.md:{line}:14: unknown node 'unknown-id'" in w and "unknown node 'unknown-id'" in w for w in b.warnings
    ), b.output


def test_valid_node_links_in_content_become_working_links(tmp_path_factory: pytest.TempPathFactory) -> None:
    b = shared_build("fixture", tmp_path_factory)
    assert b.returncode == 0, b.output
    home = article(b.html(""))
    targets = {a.attrs["href"]: resolve_href("", a.attrs["href"]) for a in links_in(home)}
    assert targets["asthma-care/"] == "asthma-care/"
    assert targets["preventer-inhaler/#how-it-helps"] == "preventer-inhaler/"
    assert 'id="how-it-helps"' in b.html("preventer-inhaler/")
    assert "node:" not in home
    about = article(b.html("about/"))
    assert "../inhaler-technique-check/" in [a.attrs["href"] for a in links_in(about)]


def test_site_template_overrides_the_packaged_one(variants: dict[str, Build]) -> None:
    b = variants["override"]
    assert b.returncode == 0, b.output
    treatment = article(b.html("preventer-inhaler/"))
    assert "site-treatment-marker" in treatment
    assert "This is our own page for Preventer inhaler." in text_of(treatment)
    assert "Risks and side effects" not in text_of(treatment)  # the packaged template's sections are gone
    assert "Draft: awaiting clinical review" in text_of(treatment)  # packaged partials still serve it
    condition = article(b.html("allergic-asthma/"))
    assert "site-treatment-marker" not in condition
    assert "About this condition" in text_of(condition)


@pytest.mark.parametrize(("variant", "title"), [("own-search-fields", 7.0), ("carepath-first", 5e5)])
def test_the_plugin_weighs_titles_for_search_unless_the_site_does(variants: dict[str, Build], variant: str, title: float) -> None:
    b = variants[variant]
    assert b.returncode == 0, b.output
    fields = json.loads((b.site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]["fields"]
    assert fields == {"title": {"boost": title}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}}


def test_serve_watches_the_pathway_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.config import load_config

    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    monkeypatch.setenv("CAREPATH_TODAY", "2026-06-01")
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["carepath"]
    plugin._on_config(config)  # on_config is two handlers (MkDocs runs each at its priority): this one builds the pages

    class Server:  # the part of MkDocs' LiveReloadServer the plugin uses
        root, mount_path = str(tmp_path / "site"), "/"

        def __init__(self) -> None:
            self.watched: list[str] = []
            self.builder = self.app = None

        def watch(self, path: str) -> None:
            self.watched.append(path)

        def get_app(self) -> object:
            return self.app

        def set_app(self, app: object) -> None:
            self.app = app

    server = Server()
    assert plugin.on_serve(server, config=config, builder=None) is server
    assert [Path(p) for p in server.watched] == [(project / "pathway").resolve()]
    assert callable(server.builder) and callable(server.app), "a failed build is shown, not waited on (tests/test_serve.py)"
