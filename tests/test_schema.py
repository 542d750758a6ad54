"""The committed JSON Schema matches the models, and valid pathway files validate against it."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from carepath import load
from carepath.load import pathway_files
from carepath.model.graph import (
    EDGE_FIELDS,
    EDGE_TARGETS,
    KINDS,
    Code,
    GetHelpItem,
    GlossaryEntry,
    PathwayContext,
    PathwayFile,
    Review,
    Source,
)
from carepath.model.regions import NodeAddition, RegionFile, RegionInfo, Service
from carepath.model.schema import REGION_SCHEMA_PATH, SCHEMA_PATH, schema_text
from carepath.validate.graph import code_problem
from carepath.validate.routes import literal_routes
from carepath.words import DEFAULT_EDITION, editions, language_of
from helpers_pathway import REPO, VALID, run_cli

COMMITTED = REPO / SCHEMA_PATH


class _DatesAsText(yaml.SafeLoader):
    """YAML as an editor's language server sees it: dates stay strings, as JSON Schema expects."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _validator(path: str = SCHEMA_PATH) -> jsonschema.Draft7Validator:
    schema = json.loads((REPO / path).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        f"{SCHEMA_PATH} is out of date with generator/carepath/model/nodes.py; refresh it with "
        f"`.venv/bin/python -m carepath schema --out {SCHEMA_PATH}` and commit the result"
    )


def test_schema_command_writes_the_same_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema.json"
    assert run_cli(capsys, "schema", "--out", str(out)).code == 0
    assert out.read_text(encoding="utf-8") == schema_text()
    assert run_cli(capsys, "schema").out == schema_text()


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_fixture_file_validates(name: str) -> None:
    data = yaml.load(textwrap.dedent(VALID[name]), Loader=_DatesAsText)
    errors = [e.message for e in _validator().iter_errors(data)]
    assert errors == []


def test_committed_region_schema_is_up_to_date() -> None:
    assert (REPO / REGION_SCHEMA_PATH).read_text(encoding="utf-8") == schema_text(region=True), (
        f"{REGION_SCHEMA_PATH} is out of date with generator/carepath/model/regions.py; refresh it with "
        f"`.venv/bin/python -m carepath schema --region --out {REGION_SCHEMA_PATH}` and commit the result"
    )


def test_shipped_files_validate() -> None:
    """Every shipped pathway file passes the schema an editor uses, and every regional overlay file its own."""
    validators = {False: _validator(), True: _validator(REGION_SCHEMA_PATH)}
    for path in pathway_files(REPO / "pathway"):  # a translation file has no editor schema; the loader checks it
        validator = validators[path.relative_to(REPO / "pathway").parts[0] == "regions"]
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data or {})]
        assert errors == [], path


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("treatments: [{id: x, title: T, summary: S, type: Self Care}]", ["treatments", 0, "type"]),
        ("treatments: [{id: X y, title: T, summary: S, type: device}]", ["treatments", 0, "id"]),
        ("treatments: [{id: x, title: T, sumary: S, type: device}]", ["treatments", 0]),
        ("treatmens: []", []),
    ],
)
def test_schema_rejects_what_the_loader_rejects(text: str, path: list[object]) -> None:
    errors = list(_validator().iter_errors(yaml.load(text, Loader=_DatesAsText)))
    assert [list(e.absolute_path) for e in errors][:1] == [path]


# --- the authoring guide and the limits page say what the code does ---

GUIDE = (REPO / "AUTHORING.md").read_text(encoding="utf-8")


def test_guide_names_every_field() -> None:
    models = [PathwayFile, *(k.model for k in KINDS), Review, Code, Source, PathwayContext, GlossaryEntry, GetHelpItem]
    models += [RegionFile, RegionInfo, Service, NodeAddition]
    missing = sorted({f"{m.__name__}.{name}" for m in models for name, info in m.model_fields.items() if f"`{info.alias or name}`" not in GUIDE})
    assert missing == []


def test_guide_edge_table_matches_the_model() -> None:
    """Rows `| field | edge kind | on a | may point to |` cover EDGE_TARGETS exactly."""
    section = GUIDE.split("## Edges", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for field, kind, sources, targets in re.findall(r"^\| `(\w+)` \| ([\w-]+) \| ([\w, ]+) \| ([\w, ]+) \|$", section, re.MULTILINE):
        assert EDGE_FIELDS[field].value == kind
        documented |= {(kind, s, frozenset(targets.split(", "))) for s in sources.split(", ")}
    assert documented == {(k.value, s, t) for (k, s), t in EDGE_TARGETS.items()}


def _with_node_around(data: dict[str, object]) -> dict[str, object]:
    if any(key in data for key in PathwayFile.model_fields):
        return data
    return {"treatments": [{"id": "x", "title": "T", "summary": "S", "type": "device", **data}]}


def _translated_leaves(data: object) -> Iterator[dict[str, object]]:
    """Every `{text: ..., en: ...}` of a translation file."""
    if isinstance(data, dict):
        if set(data) == {"text", "en"}:
            yield data
            return
        for value in data.values():
            yield from _translated_leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from _translated_leaves(value)


@pytest.mark.parametrize("block", re.findall(r"```yaml\n(.*?)```", GUIDE, re.DOTALL))
def test_guide_yaml_examples_are_valid(block: str) -> None:
    data = yaml.safe_load(textwrap.dedent(block))
    if data is None:
        return  # only the schema comment
    assert [m.group(0) for m in literal_routes(block)] == []  # the guide's examples pass `check` too
    if isinstance(data, dict) and set(data) == {"plugins"}:  # a site's mkdocs.yml, not pathway data: a shipped edition
        options = [p["carepath"] for p in data["plugins"] if isinstance(p, dict) and "carepath" in p]
        assert options and all(o.get("edition", DEFAULT_EDITION) in editions() for o in options)
        return
    if isinstance(data, dict) and "translation" in data:  # a translation file (AUTHORING.md, "Languages"): the loader checks it
        assert data["translation"]["language"] in {language_of(e) for e in editions()}
        leaves = list(_translated_leaves(data))
        assert leaves and all(re.fullmatch(r"[0-9a-f]{12}|…", str(leaf["en"])) for leaf in leaves), leaves
        return
    if isinstance(data, dict) and "region" in data:  # a regional overlay's file (AUTHORING.md, "Regional overlays")
        RegionFile.model_validate(data)
        return
    PathwayFile.model_validate(_with_node_around(data))
    for system_code in (data.get("codes") or []) if isinstance(data, dict) else []:
        assert code_problem(Code(**system_code)) is None


def test_limits_page_states_the_numbers() -> None:
    text = (REPO / "LIMITS.md").read_text(encoding="utf-8")
    for name in ("MAX_FILE_BYTES", "MAX_VALUES_PER_FILE", "MAX_DEPTH", "MAX_FILES", "MAX_ENTRIES"):
        value = getattr(load, name)
        assert re.search(rf"\| {value:,}( |\b).*\| `{name}` \|", text), name
