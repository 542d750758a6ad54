"""The site search index as the built site ships it: patients' own words find the page, red flags rank
first, and nothing in it is a code page or a piece of a diagram."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from carepath import KnowledgeBase, load_knowledge_base
from carepath.model.graph import Indicator, Urgency
from carepath.publish.search import RED_FLAG_BOOST
from helpers_site import Build, node_url, shared_build, shipped_id

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM_SECTIONS = ("Where this fits", "Where this step fits", "Decision flow", "Linked from", "Related pages")
LAY_WORDS = [
    ("wet myself", "loss-of-bladder-or-bowel-control"),
    ("incontinence", "loss-of-bladder-or-bowel-control"),
    ("gabapentin", "nerve-pain-medicines"),
    ("sciatica", "nerve-root-irritation"),
    ("slipped disc", "disc-herniation"),
    ("Advil", "nsaids"),
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Build:
    b = shared_build("shipped", tmp_path_factory)
    assert b.returncode == 0, b.output
    return b


@pytest.fixture(scope="module")
def docs(shipped: Build) -> list[dict[str, Any]]:
    data = json.loads((shipped.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return list(data["docs"])


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(ROOT / "pathway")[0]


def page_of(doc: dict[str, Any]) -> str:
    return str(doc["location"]).split("#", 1)[0]


@pytest.mark.parametrize(("words", "node_id"), LAY_WORDS)
def test_lay_words_are_indexed_as_tags_of_their_page_only(docs: list[dict[str, Any]], kb: KnowledgeBase, words: str, node_id: str) -> None:
    """The synonym is in the YAML, and the index has it in the page's `tags`, the field Material weighs highest."""
    assert words in kb.nodes[shipped_id(node_id)].synonyms
    tagged = {page_of(d) for d in docs if words in d.get("tags", [])}
    assert tagged == {node_url(node_id)}


def test_red_flags_are_tagged_with_their_urgency_in_words(docs: list[dict[str, Any]], kb: KnowledgeBase) -> None:
    for node in kb.of_kind("indicator"):
        assert isinstance(node, Indicator)
        tags = {t for d in docs if page_of(d) == f"{node.id}/" for t in d.get("tags", [])}
        assert {kb.vocabulary.urgency[node.urgency].label, "warning sign", "red flag"} <= tags
    assert "Emergency" in {t for d in docs for t in d.get("tags", [])}


def test_synonyms_are_not_shown_on_the_page(shipped: Build) -> None:
    """Tags are for the index: without Material's tags plugin the page does not list them."""
    html = (shipped.site / "loss-of-bladder-or-bowel-control" / "index.html").read_text(encoding="utf-8")
    assert "wet myself" not in html and "md-tag" not in html


def test_no_code_page_or_lookup_in_the_index(docs: list[dict[str, Any]], shipped: Build) -> None:
    assert (shipped.site / "code" / "index.html").is_file() and (shipped.site / "lookup" / "index.html").is_file()
    assert [d["location"] for d in docs if d["location"].startswith(("code/", "lookup/"))] == []


def test_no_diagram_backlink_or_repeated_box_in_the_index(docs: list[dict[str, Any]], shipped: Build) -> None:
    """The stage flow, "Related pages" and the "Get help now" box repeat other pages' titles on every page."""
    html = (shipped.site / "nsaids" / "index.html").read_text(encoding="utf-8")
    for on_the_page in ('<details class="cp-where', "You are here", "Related pages</h2>", 'class="cp-gethelp'):
        assert on_the_page in html, on_the_page
    assert [d["location"] for d in docs if d["title"] in DIAGRAM_SECTIONS] == []
    assert [d["location"] for d in docs if "You are here" in d["text"] or "Overview of the pathway:" in d["text"]] == []
    assert [d["location"] for d in docs if "Get help now if you notice any of these" in d["text"]] == []


def test_red_flags_are_boosted_by_urgency_and_nothing_else_is(docs: list[dict[str, Any]], kb: KnowledgeBase) -> None:
    boosts = {page_of(d): d.get("boost") for d in docs}
    for node in kb.of_kind("indicator"):
        assert isinstance(node, Indicator)
        assert boosts[f"{node.id}/"] == RED_FLAG_BOOST[node.urgency]
    assert RED_FLAG_BOOST[Urgency.emergency] > RED_FLAG_BOOST[Urgency.urgent] > RED_FLAG_BOOST[Urgency.soon] > 1
    flags = {f"{n.id}/" for n in kb.of_kind("indicator")}
    assert {p: b for p, b in boosts.items() if b is not None and p not in flags} == {}
