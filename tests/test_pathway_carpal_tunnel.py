"""The shipped pathways in the built site, carpal tunnel syndrome first: their pages and what they say, their red
flags where a reader meets them, the nodes they share reached from each, and no pathway's own nodes or red flags
in another. Every list (steps, nodes, red flags, previous/next) is read from the YAML at test time
(`helpers_shipped.py`), so adding a treatment, a red flag or a step needs no edit here."""

from __future__ import annotations

import pytest
from carepath import KnowledgeBase, check_pathway
from helpers_shipped import (
    assert_each_red_flag_page_says_how_urgent_and_what_to_do,
    assert_every_emergency_and_urgent_sign_is_on_the_step,
    assert_every_page_has_its_title,
    assert_no_page_shows_another_pathways_own_nodes,
    assert_previous_and_next_follow_the_yaml,
    assert_shared_pages_are_reached_from_every_pathway,
    assert_the_home_lists_its_steps_in_order,
    assert_the_pathway_is_well_formed,
    assert_the_pathway_json_holds_only_its_own_and_shared_nodes,
    own_nodes,
    shared_offered,
    words,
)
from helpers_site import REPO, Build, article, article_links, node_url, section, shared_build

PATHWAY = "carpal-tunnel-care"
SHIPPED, _ = check_pathway(REPO / "pathway")
PATHWAYS = [p.id for p in SHIPPED.pathways]
STEPS = [(p.id, s) for p in SHIPPED.pathways for s in p.stages]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, KnowledgeBase]:
    result = shared_build("shipped", tmp_path_factory)
    assert result.returncode == 0, result.output
    assert result.warnings == [], result.warnings
    kb, problems = check_pathway(result.project / "pathway")
    assert not [p for p in problems if p.severity == "error"]
    return result, kb


def test_the_shipped_data_has_the_pathways_these_tests_read() -> None:
    """The carpal tunnel pathway and the back-pain one are shipped, sharing nodes from the shared library: the
    properties below would hold vacuously otherwise."""
    kb, problems = check_pathway(REPO / "pathway")
    assert not [p for p in problems if p.severity == "error"], problems
    assert PATHWAY in PATHWAYS and len(PATHWAYS) >= 2
    assert "stroke-warning-signs" in own_nodes(kb, "shared")
    assert shared_offered(kb), "no shared node is offered by two pathways"
    for pathway_id in PATHWAYS:
        assert_the_pathway_is_well_formed(kb, pathway_id)


@pytest.mark.parametrize("pathway_id", PATHWAYS)
def test_every_page_of_the_pathway_is_built_with_its_title(shipped: tuple[Build, KnowledgeBase], pathway_id: str) -> None:
    assert_every_page_has_its_title(*shipped, pathway_id)


@pytest.mark.parametrize("pathway_id", PATHWAYS)
def test_the_pathway_home_lists_its_steps_in_order(shipped: tuple[Build, KnowledgeBase], pathway_id: str) -> None:
    assert_the_home_lists_its_steps_in_order(*shipped, pathway_id)


@pytest.mark.parametrize(("pathway_id", "stage_id"), STEPS)
def test_every_emergency_and_urgent_sign_is_on_every_step(shipped: tuple[Build, KnowledgeBase], pathway_id: str, stage_id: str) -> None:
    assert_every_emergency_and_urgent_sign_is_on_the_step(*shipped, pathway_id, stage_id)


@pytest.mark.parametrize("pathway_id", PATHWAYS)
def test_each_red_flag_page_says_how_urgent_and_what_to_do(shipped: tuple[Build, KnowledgeBase], pathway_id: str) -> None:
    assert_each_red_flag_page_says_how_urgent_and_what_to_do(*shipped, pathway_id)


def test_the_stroke_page_names_its_signs(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, _ = shipped
    stroke = words(build.html(node_url("stroke-warning-signs")))
    for sign in ("Trouble speaking", "Trouble seeing", "Do not drive yourself"):
        assert sign in stroke


def test_the_pathway_home_points_sudden_numbness_to_the_stroke_page(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Carpal tunnel numbness comes on slowly; the home says sudden numbness is different and links the emergency.
    The site's home page links the pathway's list of warning signs, which links it too."""
    build, _ = shipped
    text = words(build.html(node_url(PATHWAY)))
    assert "Numbness that comes on suddenly is not carpal tunnel syndrome." in text
    assert node_url("stroke-warning-signs") in article_links(build, node_url(PATHWAY))
    warning_signs = section(article(build.html(node_url(PATHWAY))), "All warning signs")
    assert warning_signs and 'href="../stroke-warning-signs/"' in warning_signs
    assert f'href="{node_url(PATHWAY)}#warning-signs"' in article(build.html(""))


def test_a_shared_page_is_reached_from_every_pathway_that_offers_it(shipped: tuple[Build, KnowledgeBase]) -> None:
    """The stage of each pathway that offers a shared node links to its one page, and that page names each pathway."""
    assert_shared_pages_are_reached_from_every_pathway(*shipped)


@pytest.mark.parametrize("pathway_id", PATHWAYS)
def test_previous_and_next_follow_the_steps_and_options_of_the_yaml(shipped: tuple[Build, KnowledgeBase], pathway_id: str) -> None:
    """On shared pages too: each page's row for this pathway."""
    assert_previous_and_next_follow_the_yaml(*shipped, pathway_id)


def test_shared_pages_read_right_from_the_hand(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Reworded to serve both pathways: no 'the doctor who sent you to PT' on a page a hand patient reaches."""
    build, _ = shipped
    review = words(build.html(node_url("diagnostic-review")))
    assert "Tell your doctor that your treatment is not helping." in review
    assert "sent you to PT" not in review
    consult = words(build.html(node_url("surgical-consultation")))
    assert "A visit with a surgeon who treats your kind of problem." in consult
    assert "hand surgeon" in consult


@pytest.mark.parametrize("pathway_id", PATHWAYS)
def test_no_page_of_one_pathway_shows_the_other_pathways_own_nodes(shipped: tuple[Build, KnowledgeBase], pathway_id: str) -> None:
    assert_no_page_shows_another_pathways_own_nodes(*shipped, pathway_id)


@pytest.mark.parametrize("pathway_id", PATHWAYS)
def test_each_pathway_json_holds_only_its_own_and_shared_nodes(shipped: tuple[Build, KnowledgeBase], pathway_id: str) -> None:
    assert_the_pathway_json_holds_only_its_own_and_shared_nodes(*shipped, pathway_id)
