"""Fuzzing: any input ends in a valid model or in problems that each carry `path:line:col`, never an exception.

Quick by default; `CAREPATH_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py` for a long run.
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from helpers_pathway import VALID, write_pathway
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import check_pathway
from generator.export import dumps, export_graph
from generator.model import KIND_OF_CLASS, Code, GlossaryEntry, PathwayFile, Review, Source

EXAMPLES = int(os.environ.get("CAREPATH_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=10),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MODELS = tuple(KIND_OF_CLASS)
PROBLEM = re.compile(r"pathway(/[^\n]+\.ya?ml)?:(\d+):(\d+): [^\n]+")

FIELD_NAMES = sorted(
    {name for model in (PathwayFile, GlossaryEntry, Review, Code, Source, *MODELS) for name in model.model_fields}
)
IDS = [
    "back-pain",
    "first-line",
    "second-line",
    "physio",
    "nerve-block",
    "rfa",
    "spine-surgeon",
    "sciatica",
    "cauda-equina",
    "glossary",
    "Bad Id",
]
WORDS = [
    "self-care",
    "procedure",
    "emergency",
    "urgent",
    "icd10cm",
    "snomedct",
    "loinc",
    "rxnorm",
    "24558-9",
    "M54.5",
    "reviewed",
    "draft",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(IDS + WORDS),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), children, max_size=6),
    ),
    max_leaves=30,
)
documents = st.dictionaries(
    st.sampled_from([*PathwayFile.model_fields, "other"]), st.one_of(st.lists(values, max_size=4), values), max_size=4
)


def assert_handled(files: dict[str, str | bytes]) -> None:
    """Check the files: no exception, and every problem points into a file that exists, at a line it has."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = write_pathway(root, files)
        kb, problems = check_pathway(folder)
        for p in problems:
            text = str(p)
            match = PROBLEM.fullmatch(text)
            assert match, text
            if match.group(1):
                lines = (root / p.position.path).read_bytes().count(b"\n") + 1
                assert 1 <= p.position.line <= lines, text
                assert p.position.col >= 1, text
        if not any(p.severity == "error" for p in problems):
            dumps(export_graph(kb))


def _valid_texts() -> dict[str, str]:
    return {name: textwrap.dedent(text) for name, text in VALID.items()}


@FUZZ
@given(documents)
def test_random_documents(document: dict[str, Any]) -> None:
    files: dict[str, str | bytes] = {
        **_valid_texts(),
        "random.yml": yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
    }
    assert_handled(files)


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_random_text(text: str) -> None:
    assert_handled({**_valid_texts(), "random.yml": text})


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(raw: bytes) -> None:
    assert_handled({**_valid_texts(), "random.yml": raw})


def _slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside parsed YAML."""
    found = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _slots(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _slots(v, path + (i,))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _mutate_structure(data: st.DataObject, files: dict[str, str | bytes]) -> None:
    name = data.draw(st.sampled_from(sorted(n for n, t in files.items() if isinstance(t, str))))
    parsed = yaml.safe_load(files[name])
    if not isinstance(parsed, (dict, list)) or not _slots(parsed):
        return
    path = data.draw(st.sampled_from(_slots(parsed)))
    parent = _parent(parsed, path)
    op = data.draw(st.sampled_from(["delete", "swap", "rename-id", "wrap"]))
    if op == "delete":
        del parent[path[-1]]
    elif op == "swap":
        parent[path[-1]] = data.draw(values)
    elif op == "wrap":
        parent[path[-1]] = [parent[path[-1]]]
    else:
        ids = [p for p in _slots(parsed) if p[-1] == "id"]
        if ids:
            where = data.draw(st.sampled_from(ids))
            _parent(parsed, where)["id"] = data.draw(st.one_of(st.sampled_from(IDS), st.text(max_size=12)))
    files[name] = yaml.safe_dump(parsed, allow_unicode=True, sort_keys=False)


def _mutate_text(data: st.DataObject, files: dict[str, str | bytes]) -> None:
    name = data.draw(st.sampled_from(sorted(files)))
    content = files[name]
    raw = content.encode("utf-8") if isinstance(content, str) else content
    op = data.draw(st.sampled_from(["truncate", "duplicate", "insert-bytes", "replace-char", "delete-line"]))
    at = data.draw(st.integers(0, len(raw)))
    if op == "truncate":
        files[name] = raw[:at]
    elif op == "duplicate":
        files["copy-" + name] = content
    elif op == "insert-bytes":
        files[name] = raw[:at] + data.draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif op == "replace-char":
        files[name] = (
            raw[:at]
            + data.draw(st.sampled_from([b":", b"-", b"[", b"{", b"'", b'"', b"&a", b"*a", b"\t", b" ", b"\n", b"!!"]))
            + raw[at + 1 :]
        )
    else:
        lines = raw.splitlines(keepends=True)
        if lines:
            del lines[data.draw(st.integers(0, len(lines) - 1))]
        files[name] = b"".join(lines)


@FUZZ
@given(st.data())
def test_mutations_of_a_valid_pathway(data: st.DataObject) -> None:
    files: dict[str, str | bytes] = dict(_valid_texts())
    for _ in range(data.draw(st.integers(1, 3))):
        mutate = data.draw(st.sampled_from([_mutate_structure, _mutate_text]))
        mutate(data, files)
    assert_handled(files)


def test_the_unmutated_fixture_is_valid() -> None:
    """The fuzz tests start from a valid pathway, so their mutations are what is being tested."""
    with tempfile.TemporaryDirectory() as tmp:
        _, problems = check_pathway(write_pathway(Path(tmp), VALID))
    assert problems == []


POOL = ["a", "b", "c", "d", "e", "f", "g", "glossary"]
REF_FIELDS = {
    "pathways": ["stages", "red_flags"],
    "stages": ["options", "escalates_to", "red_flags"],
    "conditions": ["relevant_to"],
    "treatments": ["requires", "escalates_to", "returns_to", "relevant_to"],
    "indicators": ["refers_to", "relevant_to"],
}
REQUIRED = {
    "pathways": {},
    "stages": {},
    "conditions": {},
    "treatments": {"type": "procedure"},
    "indicators": {"urgency": "urgent", "action": "Call us."},
}
codes = st.lists(
    st.builds(
        lambda s, c: {"system": s, "code": c},
        st.sampled_from(["icd10cm", "snomedct", "rxnorm", "loinc"]),
        st.one_of(
            st.sampled_from(["M54.5", "279039007", "5640", "24558-9", "24558-8", "0"]),
            st.text("0123456789.-AMX", min_size=1, max_size=9),
        ),
    ),
    max_size=2,
)


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    """Schema-valid nodes whose references, aliases, codes and reviews are random: the graph rules' input."""
    data: dict[str, Any] = {}
    for section, fields in REF_FIELDS.items():
        nodes = []
        for node_id in draw(st.lists(st.sampled_from(POOL), max_size=4)):
            node: dict[str, Any] = {"id": node_id, "title": "T", "summary": "S", **REQUIRED[section]}
            for field in fields:
                refs = draw(st.lists(st.sampled_from(POOL + ["zz"]), max_size=3))
                if refs or field == "stages":
                    node[field] = refs or ["a"]
            node["aliases"] = draw(st.lists(st.sampled_from(POOL + ["old"]), max_size=2))
            node["codes"] = draw(codes)
            node["review"] = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "status": st.sampled_from(["draft", "reviewed"]),
                        "reviewer": st.just("Dr A"),
                        "last_reviewed": st.dates().map(str),
                        "next_review": st.dates().map(str),
                    },
                )
            )
            nodes.append(node)
        data[section] = nodes
    data["glossary"] = draw(
        st.lists(
            st.builds(
                lambda t, a: {"term": t, "definition": "D", "abbreviation": a},
                st.sampled_from(["RFA", "MRI", "rfa"]),
                st.sampled_from(["RFA", "MRI"]),
            ),
            max_size=3,
        )
    )
    return data


@FUZZ
@given(graphs(), st.integers(1, 3))
def test_random_graphs(graph: dict[str, Any], parts: int) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(parts):
        part = {section: nodes[i::parts] for section, nodes in graph.items()}
        files[f"part{i}.yml"] = yaml.safe_dump(part, allow_unicode=True, sort_keys=False)
    assert_handled(files)
