"""The site search index as the built site ships it: patients' own words find the page, the words of the query
rank it (titles and synonyms above everything else; urgency orders only equal matches, and danger words find
the red flags), and nothing in it is a code page or a piece of a diagram. The ranking itself, in Chromium, is
tests/browser/test_patient_first.py's query table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from carepath import KnowledgeBase, load_knowledge_base
from carepath.model.graph import Indicator, Urgency
from carepath.publish.search import (
    MATERIAL_TAGS_BOOST,
    MAX_QUERY_WORDS,
    RED_FLAG_BOOST,
    SEARCH_FIELDS,
    emergency_words,
    matched_word_gain,
    search_fields,
)
from carepath.words import words
from helpers_site import Build, node_url, shared_build, shipped_edition, shipped_id

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


def test_red_flags_carry_a_boost_by_urgency_and_nothing_else_does(docs: list[dict[str, Any]], kb: KnowledgeBase) -> None:
    boosts = {page_of(d): d.get("boost") for d in docs}
    for node in kb.of_kind("indicator"):
        assert isinstance(node, Indicator)
        assert boosts[f"{node.id}/"] == RED_FLAG_BOOST[node.urgency]
    flags = {f"{n.id}/" for n in kb.of_kind("indicator")}
    assert {p: b for p, b in boosts.items() if b is not None and p not in flags} == {}


def test_urgency_orders_equal_matches_and_never_outweighs_a_word() -> None:
    """Just under 1, most urgent highest: on an equal match the answer comes before a warning sign, and the most
    urgent sign before the others; no gap is as wide as one more matched word of a query of up to 10 words."""
    ordered = [RED_FLAG_BOOST[u] for u in (Urgency.emergency, Urgency.urgent, Urgency.soon, Urgency.routine)]
    assert ordered == sorted(ordered, reverse=True) and len(set(ordered)) == 4
    assert max(ordered) < 1
    assert 1 / min(ordered) < matched_word_gain(MAX_QUERY_WORDS)
    assert MAX_QUERY_WORDS >= 10


@pytest.mark.parametrize(("words", "gain"), [(1, 5 / 2), (2, 5 / 3.25), (4, 5 / (1 + 1.75**2))])
def test_one_more_matched_word_gains_what_materials_worker_gives_it(words: int, gain: float) -> None:
    """Material's worker multiplies a page's score by 1 + (1 + matched / words) ** 2: all words against all but one."""
    assert matched_word_gain(words) == pytest.approx(gain)
    assert matched_word_gain(words) > matched_word_gain(words + 1) > 1


def test_materials_worker_still_ranks_by_the_share_of_words_matched() -> None:
    """The rule `matched_word_gain` states, read from the pinned Material's own worker source (its source map):
    a Material upgrade that changes it fails here, not in a reader's search."""
    import material

    workers = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    (source_map,) = workers.glob("search.*.min.js.map")
    sources = json.loads(source_map.read_text(encoding="utf-8"))
    search = next(text for name, text in zip(sources["sources"], sources["sourcesContent"], strict=True) if name.endswith("integrations/search/_/index.ts"))
    code = " ".join(search.split())
    assert "const boost = +!doc.parent + Object.values(terms) .filter(t => t).length / Object.keys(terms).length" in code
    assert "score: score * (1 + boost ** 2)" in code
    assert "this.add(doc, { boost: doc.boost })" in code


def test_only_an_emergency_sign_is_found_by_the_words_that_call_for_help(docs: list[dict[str, Any]], kb: KnowledgeBase) -> None:
    """The edition's emergency number and "ambulance" find the emergency signs by their tags; an urgent sign's page
    does not carry them."""
    assert emergency_words(words("en-US")) == ["911", "ambulance"]
    number = words(shipped_edition()).get("routes.emergency_number")
    assert number in emergency_words(words(shipped_edition()))
    tagged = {page_of(d) for d in docs if number in d.get("tags", [])}
    assert tagged == {f"{n.id}/" for n in kb.of_kind("indicator") if isinstance(n, Indicator) and n.urgency == Urgency.emergency}
    assert len(tagged) >= 2


def test_the_index_weighs_a_title_as_half_a_synonym(shipped: Build) -> None:
    """The plugin sets Material's `title` weight; the rest stay Material's (tags 1e6, text 1)."""
    config = json.loads((shipped.site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    assert config["fields"] == {"title": {"boost": 5e5}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}}


def test_a_sites_own_field_weights_win() -> None:
    assert search_fields({}) == {"title": {"boost": MATERIAL_TAGS_BOOST / 2}}
    assert search_fields({"title": {"boost": 7.0}, "text": {"boost": 2.0}}) == {"title": {"boost": 7.0}, "text": {"boost": 2.0}}
    assert SEARCH_FIELDS["title"]["boost"] == MATERIAL_TAGS_BOOST / 2  # search_fields hands out copies
    search_fields({})["title"]["boost"] = 1
    assert SEARCH_FIELDS["title"]["boost"] == MATERIAL_TAGS_BOOST / 2
