"""Fuzzing: any input ends in a valid model or in problems that each carry `path:line:col`, never an exception.

Quick by default; `CAREPATH_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py` for a long run.
"""

from __future__ import annotations

import html as htmllib
import os
import re
import tempfile
import textwrap
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from carepath import check_pathway
from carepath.model.graph import KINDS, Code, GlossaryEntry, PathwayFile, Review, Source
from carepath.publish.export import dumps, export_graph
from carepath.text.escape import json_text, md_prose
from helpers_pathway import VALID, journey, write_pathway
from helpers_site import elements
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import _as_mkdocs_would

EXAMPLES = int(os.environ.get("CAREPATH_FUZZ_EXAMPLES", "150"))
"""150 by default (25 before): under a minute for the whole file on a 2-core machine, which the CI budget (a 7-minute run
against a 30-minute limit) easily holds; set more for a long run."""
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=10),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MODELS = tuple(k.model for k in KINDS)
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
    assert [p for p in problems if p.severity != "note"] == []  # a note: a draft treatment without its decision aids


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


# --- Markdown bodies: link targets, images, raw HTML ---

SCHEMES = ["javascript", "JaVaScRiPt", "vbscript", "data", "tel", "file", "http", "https", "mailto"]
BREAKS = ["", "\n", "\r", "\t", "\x0b", "\x0c", "\u2028", "\u2029", " ", "\u00ad", "\u200b", "\u202e", "&#10;", "&Tab;", "&#x09;", "&#58;", "\\"]
"""What may hide inside a scheme: whitespace and controls a browser drops, invisible characters, entities, escapes."""
SAFE = {"http", "https", "mailto"}
MARKDOWN_TAGS = {"p", "a", "img", "code", "pre", "ul", "ol", "li", "blockquote", "em", "strong", "h2", "h3", "h4", "h5", "h6", "hr", "br"}
MARKDOWN_TAGS |= {"dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "abbr", "div"}
"""What Python-Markdown itself writes (`div` for admonitions); raw HTML from the body is always shown as text."""


@st.composite
def targets(draw: st.DrawFn) -> str:
    """A link target: a scheme broken up by whitespace, controls or entities, a host-relative or relative path."""
    kind = draw(st.sampled_from(["scheme", "scheme", "host", "relative", "node", "anchor", "text"]))
    if kind == "scheme":
        scheme = draw(st.sampled_from(SCHEMES))
        cut = draw(st.integers(0, len(scheme)))
        broken = scheme[:cut] + draw(st.sampled_from(BREAKS)) + scheme[cut:]
        return draw(st.sampled_from(["", " ", "\n", "<"])) + broken + draw(st.sampled_from([":", "&#58;", "&colon;", ":\n"])) + "alert(1)//x.png"
    if kind == "host":
        return draw(st.sampled_from(["//", "/\\", "\\\\", "\\/", " //"])) + "tracker.example/p.png"
    if kind == "relative":
        return draw(st.sampled_from(["pic.png", "../a-z/", "img/x.png", "a:b", "./x:y"]))
    if kind == "node":
        return "node:" + draw(st.sampled_from(["physio", "nope", "physio#what-it-is", ""]))
    if kind == "anchor":
        return "#" + draw(st.sampled_from(["what-it-is", "x"]))
    return draw(st.text(max_size=12))


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """Markdown prose made of links, images, reference definitions and raw HTML around those targets."""
    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        target = draw(targets())
        form = draw(
            st.sampled_from(
                [
                    "[x]({t})", "![x]({t})", '[x]({t} "title")', "[![i]({t})]({t})", "[r]\n\n[r]: {t}", "![x][r]\n\n[r]: {t}",
                    "![r]\n\n[r]:\n  {t}", "- item\n\n    [r]: {t}\n\n    ![r][]", "> [r]: {t}\n\n![r]", '<img src="{t}">', "<a href='{t}'>x</a>",
                    '<div markdown="1" onclick="x">![x]({t})</div>', "`[x]({t})`", "~~~\n![x]({t})\n~~~", "\\![x]({t})", "\\\\![x]({t})",
                ]
            )
        )
        pieces.append(form.format(t=target))
    return draw(st.sampled_from([" ", "\n", "\n\n"])).join(pieces)


def _scheme(url: str) -> str | None:
    """The scheme a browser reads in an attribute value: entities decoded, whitespace and controls dropped."""
    text = htmllib.unescape(url)
    text = "".join(c for c in text if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf")))
    m = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", text)
    return m.group(1).lower() if m else None


@FUZZ
@given(bodies())
def test_markdown_bodies_never_link_to_a_script_or_load_from_another_host(body: str) -> None:
    """Whatever the build is given, the page links only to relative, http(s) and mailto targets, loads images only from
    the site, and holds no raw HTML; and what `md_prose` defuses is exactly what `check` reports."""
    found: list[str] = []
    page = _as_mkdocs_would(md_prose(body, lambda target: "../physio/", found))
    for el in elements(page):
        assert el.tag in MARKDOWN_TAGS, (body, page)
        assert not [a for a in el.attrs if a.startswith("on")], (body, page)
        for attr in ("href", "src"):
            if attr in el.attrs:
                scheme = _scheme(el.attrs[attr])
                assert scheme is None or scheme in SAFE, (body, page)
        if el.tag == "img":
            assert _scheme(el.attrs["src"]) is None and not el.attrs["src"].replace("\\", "/").strip().startswith("//"), (body, page)
    assert bool(found) == bool(_prose_problems(body)), body


def _prose_problems(body: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        treatments = "treatments:\n  - id: physio\n    title: Physical therapy\n    summary: Exercises.\n    type: self-care\n    body: " + json_text(body) + "\n"
        folder = write_pathway(Path(tmp), {"journey.yml": journey("physio"), "treatments.yml": treatments})
        _, problems = check_pathway(folder)
    return [str(p) for p in problems if "'body': link target" in p.message or "'body': image" in p.message]
