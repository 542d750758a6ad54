"""The second shipped pathway, carpal tunnel syndrome, in the built site: its pages and what they say, its red
flags where a reader meets them, the nodes it shares with the back-pain pathway reached from both pathways,
and none of the back-pain pathway's own nodes or red flags in it (nor the other way round)."""

from __future__ import annotations

import json
import re

import pytest
from carepath import KnowledgeBase, check_pathway
from carepath.model.graph import Indicator, Pathway, Stage
from helpers_site import REPO, Build, article, article_links, elements, node_url, resolve_href, section, shared_build, text_of

PATHWAY = "carpal-tunnel-care"
BACK = "when-pt-does-not-help"
STAGES = {
    "carpal-tunnel-care/home-care": "Care for your hand at home",
    "carpal-tunnel-care/doctor-care": "Get care from your doctor",
    "carpal-tunnel-care/surgeon-care": "Talk with a surgeon",
}
OWN = {
    "carpal-tunnel-care/carpal-tunnel-syndrome": "Carpal tunnel syndrome",
    "carpal-tunnel-care/wrist-splint": "Wrist splint worn at night",
    "carpal-tunnel-care/hand-activity-changes": "Change how you use your hands",
    "carpal-tunnel-care/hand-exercises": "Hand exercises",
    "carpal-tunnel-care/carpal-tunnel-steroid-injection": "Steroid injection into the wrist",
    "carpal-tunnel-care/carpal-tunnel-release": "Carpal tunnel release surgery",
}
def _red_flags() -> dict[str, tuple[str, str, str]]:
    """The pathway's red flags as the YAML has them (an author who adds one edits no test): id -> (urgency as the
    reader sees it, title, its words of what to do)."""
    kb, _ = check_pathway(REPO / "pathway")
    pathway = kb.nodes[PATHWAY]
    assert isinstance(pathway, Pathway)
    flags = {}
    for flag_id in pathway.red_flags:
        flag = kb.nodes[flag_id]
        assert isinstance(flag, Indicator)
        flags[flag_id] = (kb.vocabulary_of(PATHWAY).urgency_label(flag.urgency), flag.title, flag.action)
    return flags


RED_FLAGS = _red_flags()
SHARED_NEIGHBOURS = {
    "nsaids": ("carpal-tunnel-care/hand-exercises", "carpal-tunnel-care/doctor-care"),
    "diagnostic-review": ("carpal-tunnel-care/doctor-care", "nerve-conduction-study"),
    "nerve-conduction-study": ("diagnostic-review", "carpal-tunnel-care/carpal-tunnel-steroid-injection"),
    "surgical-consultation": ("carpal-tunnel-care/surgeon-care", "carpal-tunnel-care/carpal-tunnel-release"),
}
"""Shared node -> (previous, next) along the carpal tunnel journey."""
SHARED = {
    "nsaids": ("carpal-tunnel-care/home-care", "when-pt-does-not-help/non-invasive-treatments"),
    "diagnostic-review": ("carpal-tunnel-care/doctor-care", "when-pt-does-not-help/review-why-pt-did-not-help"),
    "nerve-conduction-study": ("carpal-tunnel-care/doctor-care", "when-pt-does-not-help/interventional-pain-care"),
    "surgical-consultation": ("carpal-tunnel-care/surgeon-care", "when-pt-does-not-help/surgical-opinion"),
}
"""Shared node -> (the carpal tunnel stage that offers it, the back-pain stage that offers it)."""
TITLES = {PATHWAY: "Numb or tingling hand from carpal tunnel syndrome", BACK: "Back pain and sciatica when physical therapy has not helped"}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, KnowledgeBase]:
    result = shared_build("shipped", tmp_path_factory)
    assert result.returncode == 0, result.output
    assert result.warnings == [], result.warnings
    kb, problems = check_pathway(result.project / "pathway")
    assert not [p for p in problems if p.severity == "error"]
    return result, kb


def words(html: str) -> str:
    return text_of(article(html))




def own_nodes(kb: KnowledgeBase, folder: str) -> set[str]:
    """Ids of the nodes written in `pathway/<folder>/`."""
    return {i for i, pos in kb.positions.items() if pos.path.split("/")[-2] == folder}


def test_the_shipped_yaml_is_the_pathway_this_file_describes() -> None:
    """Guards the constants above: the knowledge base holds exactly this pathway, these stages and these flags."""
    kb, problems = check_pathway(REPO / "pathway")
    assert not [p for p in problems if p.severity == "error"], problems
    pathway = kb.nodes[PATHWAY]
    assert isinstance(pathway, Pathway)
    assert pathway.title == TITLES[PATHWAY]
    assert pathway.stages == list(STAGES)
    assert sorted(pathway.red_flags) == sorted(RED_FLAGS)
    assert any(isinstance(n, Indicator) and n.urgency.value == "emergency" for n in (kb.nodes[i] for i in RED_FLAGS))
    assert own_nodes(kb, PATHWAY) == {PATHWAY, *STAGES, *OWN, *RED_FLAGS} - own_nodes(kb, "shared")
    assert "stroke-warning-signs" in own_nodes(kb, "shared")
    for node_id, (ours, theirs) in SHARED.items():
        assert node_id in own_nodes(kb, "shared")
        for stage_id in (ours, theirs):
            stage = kb.nodes[stage_id]
            assert isinstance(stage, Stage) and node_id in stage.options, (stage_id, node_id)
    assert all(n.review.status == "draft" for n in (kb.nodes[i] for i in own_nodes(kb, PATHWAY)))


def test_every_page_of_the_pathway_is_built_with_its_title(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, _ = shipped
    pages = {PATHWAY: TITLES[PATHWAY], **STAGES, **OWN, **{i: t for i, (_, t, _) in RED_FLAGS.items()}}
    for node_id, title in pages.items():
        h1 = [e.text for e in elements(article(build.html(node_url(node_id)))) if e.tag == "h1"]
        assert [" ".join(t.split()) for t in h1] == [title], node_id


def test_the_pathway_home_lists_its_steps_in_order(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, _ = shipped
    text = words(build.html(node_url(PATHWAY)))
    steps = [text.find(f"Step {n} of 3: {title}") for n, title in enumerate(STAGES.values(), start=1)]
    assert -1 not in steps and steps == sorted(steps), steps
    assert {node_url(s) for s in STAGES} <= article_links(build, node_url(PATHWAY))


@pytest.mark.parametrize("stage_id", list(STAGES))
def test_every_emergency_and_urgent_sign_is_on_every_step(shipped: tuple[Build, KnowledgeBase], stage_id: str) -> None:
    """Every step shows each emergency and urgent red flag of the pathway, linked to its page, with its urgency and
    what to do: in the box when it fits, else under "More warning signs"."""
    build, kb = shipped
    url = node_url(stage_id)
    text, targets = " ".join(words(build.html(url)).split()), article_links(build, url)
    for flag_id, (label, title, action) in RED_FLAGS.items():
        flag = kb.nodes[flag_id]
        assert isinstance(flag, Indicator)
        if flag.urgency.value not in ("emergency", "urgent"):
            continue
        assert node_url(flag_id) in targets, (stage_id, flag_id)
        in_box = re.search(rf"{label}: ((?:(?!Emergency:|Urgent:).){{0,300}}?){re.escape(title)}", text)
        listed = re.search(rf"{label}\s*:\s*{re.escape(title)}\s*\.\s*{re.escape(' '.join(action.split()))}", text)
        assert listed or (in_box and " ".join(action.split()) in in_box.group(1)), (stage_id, flag_id)


def test_each_red_flag_page_says_how_urgent_and_what_to_do(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    for flag_id, (label, _, action) in RED_FLAGS.items():
        flag = kb.nodes[flag_id]
        assert isinstance(flag, Indicator)
        text = words(build.html(node_url(flag_id)))
        assert label in text and action in flag.action and flag.action in text, flag_id
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


@pytest.mark.parametrize("node_id", list(SHARED))
def test_a_shared_page_is_reached_from_both_pathways(shipped: tuple[Build, KnowledgeBase], node_id: str) -> None:
    """The stage of each pathway that offers the node links to its one page, and that page names both pathways."""
    build, _ = shipped
    for stage_id in SHARED[node_id]:
        assert node_url(node_id) in article_links(build, node_url(stage_id)), (stage_id, node_id)
    text = words(build.html(node_url(node_id)))
    for title in TITLES.values():
        assert title in text, (node_id, title)


def prev_next_rows(build: Build, url: str) -> dict[str, tuple[str | None, str | None]]:
    """A shared page's previous/next rows: pathway page URL -> (previous URL, next URL)."""
    rows: dict[str, list[str | None]] = {}
    row: list[str | None] | None = None
    for el in elements(article(build.html(url))):
        if "cp-prevnext-pathway" in el.classes:
            row = []
        elif el.tag == "a" and row is not None and not row:
            row.append(resolve_href(url, el.attrs["href"]))  # the pathway the row is for
            rows[row[0] or ""] = row
            row += [None, None]
        elif el.tag == "a" and row and el.classes & {"cp-prev", "cp-next"}:
            row[1 if "cp-prev" in el.classes else 2] = resolve_href(url, el.attrs["href"])
    return {k: (v[1], v[2]) for k, v in rows.items()}


@pytest.mark.parametrize("node_id", list(SHARED))
def test_a_shared_page_has_a_previous_and_next_row_for_this_pathway(shipped: tuple[Build, KnowledgeBase], node_id: str) -> None:
    build, _ = shipped
    rows = prev_next_rows(build, node_url(node_id))
    assert set(rows) == {node_url(PATHWAY), node_url(BACK)}, rows
    prev, nxt = SHARED_NEIGHBOURS[node_id]
    assert rows[node_url(PATHWAY)] == (node_url(prev), node_url(nxt))


def test_shared_pages_read_right_from_the_hand(shipped: tuple[Build, KnowledgeBase]) -> None:
    """Reworded to serve both pathways: no 'the doctor who sent you to PT' on a page a hand patient reaches."""
    build, _ = shipped
    review = words(build.html(node_url("diagnostic-review")))
    assert "Tell your doctor that your treatment is not helping." in review
    assert "sent you to PT" not in review
    consult = words(build.html(node_url("surgical-consultation")))
    assert "A visit with a surgeon who treats your kind of problem." in consult
    assert "hand surgeon" in consult


def test_no_page_of_one_pathway_shows_the_other_pathways_own_nodes(shipped: tuple[Build, KnowledgeBase]) -> None:
    """The pathway home, overview and stage pages of each pathway link to none of the other pathway's own nodes,
    and show none of its red flags."""
    build, kb = shipped
    carpal, back = own_nodes(kb, PATHWAY), own_nodes(kb, BACK) - set(SHARED)
    back_flags = [n.title for n in (kb.nodes[i] for i in back) if isinstance(n, Indicator)]
    for pathway_id, theirs, their_flags in ((PATHWAY, back, back_flags), (BACK, carpal, [t for _, t, _ in RED_FLAGS.values()])):
        pathway = kb.nodes[pathway_id]
        assert isinstance(pathway, Pathway)
        for url in [node_url(pathway_id), f"{pathway_id}/overview/", *(node_url(s) for s in pathway.stages)]:
            leaked = {t for t in article_links(build, url) if t.removesuffix("/") in theirs}
            assert leaked == set(), url
            text = words(build.html(url))
            assert [t for t in their_flags if t in text] == [], url


def test_each_pathway_json_holds_only_its_own_and_shared_nodes(shipped: tuple[Build, KnowledgeBase]) -> None:
    build, kb = shipped
    carpal, back = own_nodes(kb, PATHWAY), own_nodes(kb, BACK)
    ids = {}
    for pathway_id in (PATHWAY, BACK):
        data = json.loads((build.site / pathway_id / "pathway.json").read_text(encoding="utf-8"))
        assert data["pathway"] == pathway_id
        ids[pathway_id] = {n["id"] for n in data["nodes"]}
    shared = own_nodes(kb, "shared")
    assert ids[PATHWAY] == carpal | set(SHARED) | {"stroke-warning-signs"}
    assert ids[BACK] & carpal == set()
    assert ids[BACK] >= set(SHARED)
    assert ids[PATHWAY] & back == set()
    assert all("/" not in i or i.startswith(f"{p}/") for p in ids for i in ids[p] if i not in shared)
