"""The committed JSON Schema matches the models, and valid pathway files validate against it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers_pathway import REPO, VALID, run_cli

from generator.schema import SCHEMA_PATH, schema_text

COMMITTED = REPO / SCHEMA_PATH


class _DatesAsText(yaml.SafeLoader):
    """YAML as an editor's language server sees it: dates stay strings, as JSON Schema expects."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        f"{SCHEMA_PATH} is out of date with generator/model.py; refresh it with "
        f"`.venv/bin/python -m generator schema --out {SCHEMA_PATH}` and commit the result"
    )


def test_schema_command_writes_the_same_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema.json"
    assert run_cli(capsys, "schema", "--out", str(out)).code == 0
    assert out.read_text(encoding="utf-8") == schema_text()
    assert run_cli(capsys, "schema").out == schema_text()


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_fixture_file_validates(name: str) -> None:
    data = yaml.load(textwrap.dedent(VALID[name]), Loader=_DatesAsText)  # noqa: S506 - a SafeLoader subclass
    errors = [e.message for e in _validator().iter_errors(data)]
    assert errors == []


def test_shipped_files_validate() -> None:
    """Every shipped pathway file passes the schema an editor uses (none shipped yet is not a failure)."""
    validator = _validator()
    for path in sorted((REPO / "pathway").rglob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)  # noqa: S506
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data or {})]
        assert errors == [], path


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("treatments: [{id: x, title: T, summary: S, type: selfcare}]", ["treatments", 0, "type"]),
        ("treatments: [{id: X y, title: T, summary: S, type: device}]", ["treatments", 0, "id"]),
        ("treatments: [{id: x, title: T, sumary: S, type: device}]", ["treatments", 0]),
        ("treatmens: []", []),
    ],
)
def test_schema_rejects_what_the_loader_rejects(text: str, path: list[object]) -> None:
    errors = list(_validator().iter_errors(yaml.load(text, Loader=_DatesAsText)))  # noqa: S506
    assert [list(e.absolute_path) for e in errors][:1] == [path]
