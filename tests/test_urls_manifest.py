"""URLs never break: every URL in `published-urls.txt` answers in a fresh build, and new ones are listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from carepath.audit.manifest import MANIFEST_NAME, missing_in_site, project_urls, read_manifest
from carepath.cli.main import main
from carepath.problems import command
from test_clinical import build_project, make_project, run_build

ROOT = Path(__file__).resolve().parents[1]
HOW_TO_ADD = f"run `{command('urls', '--write')}` and commit {MANIFEST_NAME}"
"""The command names this Python, so it works as printed (test_hardening.py runs it)."""


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project built by the same command as `make site`, into a temporary folder."""
    root = tmp_path_factory.mktemp("shipped")
    project = root / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "content", "pathway", "site_overrides"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy(source, project / name)
    result = run_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


def test_every_published_url_still_answers(shipped_site: Path) -> None:
    urls = read_manifest(ROOT / MANIFEST_NAME)
    assert len(urls) > 10
    missing = missing_in_site(urls, shipped_site)
    assert missing == [], (
        f"{MANIFEST_NAME} lists URLs that this build no longer answers: {missing}. "
        "A URL once published must keep working: give the renamed node its old id under 'aliases:'."
    )


def test_every_url_the_site_publishes_is_in_the_manifest() -> None:
    new = sorted(set(project_urls(ROOT / "mkdocs.yml")) - set(read_manifest(ROOT / MANIFEST_NAME)))
    assert new == [], f"new URLs not in {MANIFEST_NAME}: {new}; {HOW_TO_ADD}"


def test_computed_urls_are_what_mkdocs_builds(tmp_path: Path) -> None:
    """`urls` works without MkDocs, so check it against a real build: every page and file, nothing more."""
    site = build_project(tmp_path)
    built = {"/" + p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("index.html")}
    built |= {"/" + p.relative_to(site).as_posix() for p in site.rglob("*.json")}
    built -= {"/search/", "/search/search_index.json"}  # the search plugin's, not ours to keep
    assert sorted(built) == project_urls(tmp_path / "project" / "mkdocs.yml")


def test_urls_write_adds_new_urls_and_keeps_old_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path)
    config = str(project / "mkdocs.yml")
    manifest = project / MANIFEST_NAME
    before = read_manifest(manifest)
    assert main(["urls", "--config", config, "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{MANIFEST_NAME}: '/genicular-nerve-ablation/' is not listed; {HOW_TO_ADD}" in err
    assert main(["urls", "--config", config, "--write"]) == 0
    after = read_manifest(manifest)
    assert set(before) < set(after) and "/genicular-nerve-ablation/" in after and "/radiofrequency-ablation/" in after
    assert main(["urls", "--config", config, "--check"]) == 0
    manifest.write_text(manifest.read_text(encoding="utf-8") + "/gone/\n", encoding="utf-8")
    assert main(["urls", "--config", config, "--check"]) == 1
    assert "'/gone/' is no longer published" in capsys.readouterr().err


def test_a_published_url_that_vanishes_fails_check_and_the_strict_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Renaming a node without keeping its old id under `aliases:` is caught by `check --strict` and the strict
    build, at the manifest's line and naming the id, not only by `urls --check`."""
    project = make_project(tmp_path)
    assert main(["urls", "--config", str(project / "mkdocs.yml"), "--write"]) == 0
    manifest = (project / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    line = manifest.index("/anti-inflammatory-pills/") + 1
    knee = project / "pathway" / "knee.yml"
    original = knee.read_text(encoding="utf-8")
    renamed = original.replace("  - id: anti-inflammatory-pills\n", "  - id: nsaid-pills\n").replace("anti-inflammatory-pills", "nsaid-pills")
    knee.write_text(renamed, encoding="utf-8")
    capsys.readouterr()
    expected = (
        f"{MANIFEST_NAME}:{line}:1: warning: '/anti-inflammatory-pills/' was published and nothing answers there any more; "
        "if the node 'anti-inflammatory-pills' was renamed or moved, give it its old id 'anti-inflammatory-pills' under 'aliases:'"
    )
    assert main(["check", "--strict", str(project / "pathway")]) == 1
    assert expected in capsys.readouterr().out.splitlines()
    result = run_build(project)
    assert result.returncode == 1 and expected in result.stdout + result.stderr
    knee.write_text(renamed.replace("  - id: nsaid-pills\n", "  - id: nsaid-pills\n    aliases: [anti-inflammatory-pills]\n"), encoding="utf-8")
    assert main(["check", "--strict", str(project / "pathway")]) == 0
    assert run_build(project).returncode == 0
