"""The rule that picks a safety box's signs (`render/signs.py`), on small knowledge bases written here: at most
four a pathway; every emergency first, the page's own signs and the closest red flags next; never another
pathway's sign; what is left out is counted, emergencies apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from carepath import KnowledgeBase, load_knowledge_base
from carepath.model.graph import Urgency
from carepath.render.pages import RenderOptions, render_pages
from carepath.render.signs import BOX_SIGNS, PathwaySigns, Relevance, page_signs, pathway_signs, shared_own_signs
from carepath.words import DEFAULT_EDITION, words

W = words(DEFAULT_EDITION)


def flag(node_id: str, urgency: str, **more: Any) -> dict[str, Any]:
    """A red flag with no action of its own: its urgency's route words say what to do."""
    return {"id": node_id, "title": f"Sign {node_id}", "summary": "A sign to act on.", "urgency": urgency, **more}


def knowledge_base(tmp_path: Path, *, pathway_flags: list[str], stage_flags: list[str], indicators: list[dict[str, Any]],
                   get_help_if: list[Any] | None = None, other: dict[str, Any] | None = None, clinic_flags: list[str] | None = None) -> KnowledgeBase:
    """One pathway ('knee') of two stages: 'home' offers the medicine 'pills' and lists `stage_flags`, 'clinic' lists `clinic_flags`."""
    data: dict[str, Any] = {
        "pathways": [{"id": "knee", "title": "Knee pain", "summary": "Knee care.", "stages": ["home", "clinic"], "red_flags": pathway_flags}],
        "stages": [
            {"id": "home", "title": "Home", "summary": "At home.", "options": ["pills"], "escalates_to": ["clinic"], "red_flags": stage_flags},
            {"id": "clinic", "title": "Clinic", "summary": "At the clinic.", "red_flags": clinic_flags or []},
        ],
        "treatments": [
            {"id": "pills", "title": "Pills", "summary": "Pain pills.", "type": "medication", "risks": ["An upset stomach"],
             "get_help_if": get_help_if or []},
        ],
        "indicators": indicators,
    }
    folder = tmp_path / "pathway"
    folder.mkdir()
    (folder / "knee.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    if other:
        (folder / "other.yml").write_text(yaml.safe_dump(other, sort_keys=False), encoding="utf-8")
    kb, _ = load_knowledge_base(folder)
    return kb


def shown(signs: PathwaySigns) -> list[str]:
    return [s.indicator or (s.own.text if s.own else "") for s in signs.shown]


def graded(urgency: str, *texts: str) -> list[dict[str, str]]:
    return [{"text": text, "urgency": urgency} for text in texts]


def test_every_emergency_comes_before_the_pages_own_urgent_signs_which_come_before_the_rest(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["far-urgent", "e1", "e2"],
        stage_flags=["near-urgent"],
        indicators=[flag("e1", "emergency"), flag("e2", "emergency"), flag("far-urgent", "urgent"), flag("near-urgent", "urgent")],
        get_help_if=graded("urgent", "Black poo", "You throw up blood", "Your lips swell"),
    )
    [signs] = page_signs(kb, "pills")
    assert shown(signs) == ["e1", "e2", "Black poo", "You throw up blood"]
    assert [s.relevance for s in signs.candidates] == [Relevance.PATHWAY] * 2 + [Relevance.OWN] * 3 + [Relevance.LISTED_HERE, Relevance.PATHWAY]
    assert (signs.emergencies, signs.more_emergencies, signs.more) == (2, 0, 2)  # the two urgent flags are on the full list only


def test_more_emergencies_than_fit_are_counted_and_the_closest_are_shown(tmp_path: Path) -> None:
    """Six emergencies: the stage's own first (though the pathway lists it last), then the pathway's in its order."""
    emergencies = [f"e{i}" for i in range(1, 7)]
    kb = knowledge_base(
        tmp_path,
        pathway_flags=emergencies,
        stage_flags=["e6", "u1"],
        indicators=[*(flag(e, "emergency") for e in emergencies), flag("u1", "urgent")],
        get_help_if=["Black poo"],
    )
    [signs] = page_signs(kb, "pills")
    assert len(signs.shown) == BOX_SIGNS == 4
    assert shown(signs) == ["e6", "e1", "e2", "e3"]
    assert (signs.emergencies, signs.more_emergencies, signs.more) == (6, 2, 3)
    assert signs.all_signs == tuple(kb.red_flags_of("knee"))


def test_the_pages_own_emergency_signs_rank_with_the_emergencies_first_its_urgent_ones_after_them(tmp_path: Path) -> None:
    """A graded line ranks by its own urgency: an emergency line leads (closest of all), an urgent one follows every
    emergency red flag, and the author's order holds within each level."""
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["e1", "u1"],
        stage_flags=[],
        indicators=[flag("e1", "emergency"), flag("u1", "urgent")],
        get_help_if=[*graded("urgent", "A fever"), *graded("emergency", "You throw up blood", "Black poo")],
    )
    [signs] = page_signs(kb, "pills")
    assert shown(signs) == ["You throw up blood", "Black poo", "e1", "A fever"]
    assert [s.urgency for s in signs.shown] == [Urgency.emergency] * 3 + [Urgency.urgent]
    assert (signs.emergencies, signs.more_emergencies) == (3, 0)


def test_the_pages_own_softer_signs_stay_out_of_the_box_and_an_ungraded_one_counts_as_urgent(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["e1"],
        stage_flags=[],
        indicators=[flag("e1", "emergency")],
        get_help_if=[*graded("soon", "Numb for a week"), *graded("routine", "A bruise"), "Not graded yet"],
    )
    [signs] = page_signs(kb, "pills")
    assert shown(signs) == ["e1", "Not graded yet"]
    assert signs.shown[1].urgency == Urgency.urgent


def test_a_sign_that_sends_people_to_the_page_comes_before_one_the_stage_lists(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["e1", "sends-here"],
        stage_flags=["stage-urgent"],
        indicators=[flag("e1", "emergency"), flag("stage-urgent", "urgent"), flag("sends-here", "urgent", refers_to=["pills"])],
    )
    [signs] = page_signs(kb, "pills")
    assert shown(signs) == ["e1", "sends-here", "stage-urgent"]
    assert [s.relevance for s in signs.shown] == [Relevance.PATHWAY, Relevance.POINTS_HERE, Relevance.LISTED_HERE]


def test_among_equals_the_authors_order_decides_not_the_title_or_id(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["e1", "zz-urgent", "aa-urgent", "mm-urgent"],
        stage_flags=[],
        indicators=[flag("e1", "emergency"), flag("aa-urgent", "urgent"), flag("mm-urgent", "urgent"), flag("zz-urgent", "urgent")],
    )
    [signs] = page_signs(kb, "pills")
    assert shown(signs) == ["e1", "zz-urgent", "aa-urgent", "mm-urgent"]


def test_softer_signs_are_never_in_the_box_but_are_on_the_full_list(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["e1"],
        stage_flags=["soon-sign", "routine-sign"],
        indicators=[flag("e1", "emergency"), flag("soon-sign", "soon", refers_to=["pills"]), flag("routine-sign", "routine")],
    )
    [signs] = page_signs(kb, "pills")
    assert shown(signs) == ["e1"]
    assert {s.urgency for s in signs.candidates} == {Urgency.emergency}
    assert signs.more == 2 and signs.all_signs == ("e1", "soon-sign", "routine-sign")


def test_the_pathway_page_draws_on_every_stage_and_a_stage_page_on_its_own(tmp_path: Path) -> None:
    """The pathway's home: the signs of every stage count (after its own). A stage's page, and what it offers:
    their own and the pathway's, never another stage's."""
    kb = knowledge_base(
        tmp_path,
        pathway_flags=["e1"],
        stage_flags=["u-home"],
        clinic_flags=["u-clinic"],
        indicators=[flag("e1", "emergency"), flag("u-home", "urgent"), flag("u-clinic", "urgent")],
    )
    knee = kb.nodes["knee"]
    assert shown(pathway_signs(kb, "knee", knee)) == ["e1", "u-home", "u-clinic"]  # type: ignore[arg-type]
    assert shown(pathway_signs(kb, "clinic", knee)) == ["e1", "u-clinic"]  # type: ignore[arg-type]
    assert shown(pathway_signs(kb, "home", knee)) == ["e1", "u-home"]  # type: ignore[arg-type]
    assert shown(pathway_signs(kb, "pills", knee)) == ["e1", "u-home"]  # type: ignore[arg-type]


def test_on_a_shared_page_each_pathway_gets_only_its_own_signs(tmp_path: Path) -> None:
    """'hip' offers the same pills; its emergency sends people to them. The knee part of the box never shows
    it, and the hip part never shows the knee's."""
    hip = {
        "pathways": [{"id": "hip", "title": "Hip pain", "summary": "Hip care.", "stages": ["hip-home"], "red_flags": ["hip-e"]}],
        "stages": [{"id": "hip-home", "title": "Home", "summary": "At home.", "options": ["pills"]}],
        "indicators": [flag("hip-e", "emergency", refers_to=["pills"])],
    }
    kb = knowledge_base(tmp_path, pathway_flags=["knee-e"], stage_flags=[], indicators=[flag("knee-e", "emergency")],
                        get_help_if=["Black poo"], other=hip)
    parts = page_signs(kb, "pills")
    assert [p.pathway.id for p in parts] == ["hip", "knee"]  # by title
    # The page's own sign is the same for both: listed once, above the folds, in neither part.
    assert [shown(p) for p in parts] == [["hip-e"], ["knee-e"]]
    assert [s.own.text for s in shared_own_signs(kb, "pills") if s.own] == ["Black poo"]
    assert [p.candidates[0].relevance for p in parts] == [Relevance.POINTS_HERE, Relevance.PATHWAY]


def test_a_shared_page_renders_one_closed_fold_per_pathway_and_a_page_of_one_a_plain_box(tmp_path: Path) -> None:
    hip = {
        "pathways": [{"id": "hip", "title": "Hip pain", "summary": "Hip care.", "stages": ["hip-home"], "red_flags": ["hip-e"]}],
        "stages": [{"id": "hip-home", "title": "Home", "summary": "At home.", "options": ["pills"]}],
        "indicators": [flag("hip-e", "emergency")],
    }
    kb = knowledge_base(tmp_path, pathway_flags=["knee-e"], stage_flags=[], indicators=[flag("knee-e", "emergency")], other=hip)
    pages = render_pages(kb, RenderOptions())
    pills = pages["pills.md"]
    assert pills.count('<details class="cp-gethelp-section" markdown="1">') == 2
    assert "Warning signs if you are here for Hip pain <span class=\"cp-gethelp-count\">(1 emergency sign)</span>" in pills
    assert pills.index("Hip pain <span") < pills.index("Knee pain <span")
    assert "[See the warning sign for Knee pain](knee.md#warning-signs)" in pills
    home = pages["home.md"]
    assert "<details" not in home and W.get("get_help.see_all_here", count=1) in home
    assert "## All warning signs { #warning-signs }" in pages["knee.md"]
