"""The table of node kinds: every row whole, every piece it names used by the pipeline, and a missing piece
stopped at import with one line that names it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import jinja2
import pytest
from carepath import check_pathway
from carepath.diagram.dot import KeyEntry, key_entries, overview_dot
from carepath.model.graph import KINDS, Kind, KnowledgeBase, NodeBase
from carepath.model.kinds import WORD_KEYS, Kinds, KindTableError, table_problems
from carepath.publish.jsonld import page_jsonld
from carepath.render import pages as render
from carepath.render.contexts import NodePage
from carepath.render.pages import Renderer, RenderOptions
from carepath.words import Words, words
from helpers_site import SITE_FIXTURE
from jinja2 import meta

TODAY = dt.date(2026, 6, 1)
ROWS = KINDS.rows


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    kb, problems = check_pathway(SITE_FIXTURE / "pathway", TODAY)
    assert [p for p in problems if p.severity == "error"] == []
    return kb


def _first_of(kb: KnowledgeBase, kind: Kind) -> str:
    found = kb.of_kind(kind.name)
    assert found, f"the site fixture has no {kind.name}: add one, so its page and box are tested"
    return found[0].id


def test_the_shipped_table_is_whole() -> None:
    assert table_problems(ROWS) == []
    render.check_builders(render.PAGES)


@pytest.mark.parametrize("kind", ROWS, ids=lambda k: k.name)
def test_every_kind_has_every_piece(kind: Kind) -> None:
    """Each piece a row names is there: the words, a template, a box shape, edges that name kinds."""
    assert all(words().get(f"kind.{kind.name}.{part}").strip() for part in WORD_KEYS)
    assert (Path(render.__file__).parent.parent / "templates" / kind.template).is_file()
    assert kind.diagram["shape"]
    assert KINDS[kind.name] is kind and KINDS.of_section(kind.section) is kind
    for targets in kind.edges.values():
        assert targets and all(KINDS[t] for t in targets)


@pytest.mark.parametrize("kind", ROWS, ids=lambda k: k.name)
def test_every_kind_reaches_its_page_its_box_and_its_json_ld(kb: KnowledgeBase, kind: Kind) -> None:
    """A node of each kind is rendered with its own template and words, drawn with its own style, typed in JSON-LD."""
    node_id = _first_of(kb, kind)
    assert kb.kind_of(node_id) is kind
    renderer = Renderer(kb, RenderOptions(today=TODAY))
    page = renderer.context(node_id)
    assert (page.kind, page.kind_title) == (kind.name, kind.title())
    assert f'<p class="cp-kind cp-no-score">{kind.title()}' in renderer.render_node(node_id)

    pathway = kb.placements(node_id)[0].pathway
    dot = overview_dot(kb, pathway, "overview.md")
    box = next(line for line in dot.splitlines() if f'id="n-{node_id}"' in line)
    assert f'shape="{kind.diagram["shape"]}"' in box and f"cp-kind-{kind.name}" in box
    assert re.search(rf'"key:{kind.name}" \[.*shape="{re.escape(kind.diagram["shape"])}"', dot)  # its sample in the key
    assert KeyEntry(f"k-{kind.name}", f"cp-key-kind cp-kind-{kind.name}", kind.title()) in key_entries(kb.vocabulary, words())

    about = page_jsonld(kb, node_id, None)["about"]["@type"]
    typed = kb.treatment_kind(node_id)
    assert about == (typed.schema_org if typed else kind.schema_org)


def _reads(env: jinja2.Environment, name: str, seen: set[str]) -> tuple[set[str], set[str]]:
    """The variables a template and the templates it includes read, and the names their `with` blocks set."""
    if name in seen:
        return set(), set()
    seen.add(name)
    assert env.loader is not None
    tree = env.parse(env.loader.get_source(env, name)[0])
    reads = set(meta.find_undeclared_variables(tree))
    sets = {t.name for w in tree.find_all(jinja2.nodes.With) for t in w.targets if isinstance(t, jinja2.nodes.Name)}
    for included in meta.find_referenced_templates(tree):
        assert included is not None
        more_reads, more_sets = _reads(env, included, seen)
        reads, sets = reads | more_reads, sets | more_sets
    return reads, sets


@pytest.mark.parametrize("kind", ROWS, ids=lambda k: k.name)
def test_every_kind_template_reads_only_what_its_context_has(kb: KnowledgeBase, kind: Kind) -> None:
    """A template that reads a variable its kind's context lacks would fail only on a page of that kind."""
    renderer = Renderer(kb, RenderOptions(today=TODAY))
    given = set(renderer.context(_first_of(kb, kind)).variables())
    reads, sets = _reads(renderer.env, kind.template, set())
    assert reads - sets - set(renderer.env.globals) - given == set()


def test_the_edge_table_comes_from_the_rows() -> None:
    from carepath.model.graph import EDGE_FIELDS, EDGE_TARGETS

    assert {(kind, source) for kind, source in EDGE_TARGETS} == {(EDGE_FIELDS[f], k.name) for k in ROWS for f in k.edges}


class Device(NodeBase):
    """A node model nobody gave a row."""


def _without(key: str) -> Words:
    catalogue = words()
    return Words(catalogue.language, {k: v for k, v in catalogue.entries.items() if k != key})


def _swap(name: str, **changes: object) -> tuple[Kind, ...]:
    return tuple(replace(k, **changes) if k.name == name else k for k in ROWS)


MISSING = {
    "template": (
        lambda: Kinds(_swap("condition", template="nowhere.md.j2")),
        "model/kinds.py: kind 'condition': no page template 'nowhere.md.j2' in carepath/templates/",
    ),
    "words": (
        lambda: Kinds(ROWS, catalogue=_without("kind.indicator.title")),
        "model/kinds.py: kind 'indicator': no words 'kind.indicator.title' in words/en.yml",
    ),
    "diagram style": (
        lambda: Kinds(_swap("stage", diagram={})),
        "model/kinds.py: kind 'stage': no diagram style (the Graphviz 'shape' of its boxes)",
    ),
    "model class": (
        lambda: Kinds(ROWS, models=[*(k.model for k in ROWS), Device]),
        "model/kinds.py: model Device has no row in the table of node kinds",
    ),
    "schema.org type": (
        lambda: Kinds(_swap("condition", schema_org=None)),
        "model/kinds.py: kind 'condition': no schema.org type (only a treatment's comes from its vocabulary type)",
    ),
    "edge field": (
        lambda: Kinds(_swap("condition", edges={})),
        "model/kinds.py: kind 'condition': reference field 'relevant_to' of Condition is not in its edges",
    ),
    "edge target": (
        lambda: Kinds(_swap("condition", edges={"relevant_to": frozenset({"medicine"})})),
        "model/kinds.py: kind 'condition': 'relevant_to' may point to 'medicine', which is not a kind",
    ),
    "section": (
        lambda: Kinds(_swap("condition", section="diagnoses")),
        "model/kinds.py: kind 'condition': pathway files have no section 'diagnoses' listing Condition (`PathwayFile` in model/nodes.py)",
    ),
}


@pytest.mark.parametrize("piece", MISSING)
def test_a_missing_piece_is_one_line(piece: str) -> None:
    build, message = MISSING[piece]
    with pytest.raises(KindTableError) as caught:
        build()
    assert str(caught.value) == message


def test_every_missing_piece_of_a_row_is_named_at_once() -> None:
    row = Kind("device", Device, section="devices", template="treatment.md.j2", edges={}, diagram={"shape": "box"}, schema_org="MedicalDevice")
    with pytest.raises(KindTableError) as caught:
        Kinds([*ROWS, row])
    assert caught.value.problems == [
        "model/kinds.py: kind 'device': model Device is not one of the node models (`Node` in model/nodes.py)",
        "model/kinds.py: kind 'device': pathway files have no section 'devices' listing Device (`PathwayFile` in model/nodes.py)",
        "model/kinds.py: kind 'device': no words 'kind.device.title' in words/en.yml",
    ]


def test_a_page_builder_for_no_kind_is_named() -> None:
    with pytest.raises(KindTableError) as caught:
        render.check_builders({**render.PAGES, "device": Renderer.node_page})
    assert str(caught.value) == "render/pages.py: PAGES has a builder for 'device', which is not a kind in model/kinds.py"


def test_a_kind_without_a_builder_renders_from_the_common_context(kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new kind needs no builder: its template reads the fields every node page has."""
    (tmp_path / "carepath").mkdir()
    (tmp_path / "carepath" / "condition.md.j2").write_text('{% include "_top.md.j2" %}{{ body }}\n{% include "_bottom.md.j2" %}', encoding="utf-8")
    monkeypatch.setattr(render, "PAGES", {k: v for k, v in render.PAGES.items() if k != "condition"})
    node_id = _first_of(kb, KINDS["condition"])
    renderer = Renderer(kb, RenderOptions(today=TODAY, overrides_dir=tmp_path))
    page = renderer.context(node_id)
    assert type(page) is NodePage
    text = renderer.render_node(node_id)
    assert f"# {kb.nodes[node_id].title}\n" in text
    assert '<p class="cp-kind cp-no-score">Condition' in text
