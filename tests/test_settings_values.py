"""Settings and environment values are checked like the pathway data (issue 26, item 4): a bad value is one line
naming it, exit 1, never a traceback; a version is text even when YAML reads it as a number; a site may reword an
urgency level but never make it read as another level."""

from __future__ import annotations

from pathlib import Path

import pytest
from carepath.settings import version_text
from helpers_pathway import VALID, check, run_module, write_pathway


def test_a_build_date_that_is_not_a_date_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_pathway(tmp_path, VALID)
    monkeypatch.setenv("CAREPATH_TODAY", "garbage")
    run = run_module("check", str(folder), cwd=tmp_path)
    assert run.code == 1
    assert run.err == "CAREPATH_TODAY: 'garbage' is not a date; write it as YYYY-MM-DD, or leave it unset for today\n"
    monkeypatch.setenv("CAREPATH_TODAY", "2026-06-01")
    assert run_module("check", str(folder), cwd=tmp_path).code == 0


@pytest.mark.parametrize(("value", "text"), [("0.1 (draft)", "0.1 (draft)"), (2.1, "2.1"), (3, "3"), (None, None)])
def test_a_content_version_is_text_even_when_yaml_reads_a_number(value: object, text: str | None) -> None:
    assert version_text(value) == text


def test_a_content_version_that_is_no_version_is_refused() -> None:
    from carepath.settings import ConfigError

    with pytest.raises(ConfigError, match=r"^content_version: expected a version such as \"2.1\", got True$"):
        version_text(True)


def test_an_urgency_relabelled_as_another_level_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = dict(VALID)
    files["vocabulary.yml"] = "vocabulary:\n  urgency_labels:\n    emergency: Routine\n    urgent: Call your GP today\n"
    run = check(tmp_path, capsys, files)
    assert run.code == 1
    assert run.problems == [
        (
            "pathway/vocabulary.yml:3:16: vocabulary: urgency label 'emergency' is 'Routine', the word of 'routine'; "
            "a level's label may reword it, never say another level"
        )
    ]


def test_the_readme_example_content_version_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`CONTENT_VERSION=2.1 make site`, the README's own example, reads the version as text."""
    from carepath.settings import Settings

    mkdocs_yml = tmp_path / "mkdocs.yml"
    mkdocs_yml.write_text("site_name: X\nplugins:\n  - carepath:\n      content_version: !ENV [CONTENT_VERSION, '0.1']\n", encoding="utf-8")
    (tmp_path / "pathway").mkdir()
    monkeypatch.setenv("CONTENT_VERSION", "2.1")
    assert Settings.from_mkdocs_yml(mkdocs_yml).content_version == "2.1"
