"""Clinical safety: one test per rule in `safety.py` (the exact `path:line:col` warning `check` prints),
and the shipped site, built for real, read as a patient would: the red flags, the get-help lists, the
sources and the review lines are on the pages and in the search index.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from carepath import check_pathway
from carepath.model.graph import Indicator, Treatment, Urgency
from carepath.model.vocabulary import DEFAULT, TreatmentKind
from carepath.validate.safety import is_risky, urgency_conflict
from helpers_pathway import NUMB_GROIN, PILLS, SHIPPED, VALID, Run, check, journey, run_cli, write_pathway
from helpers_site import Build, article, article_links, node_url, section, shared_build, shipped_id, text_of

PHYSIO = PILLS.replace("pills", "physio").replace("medication", "self-care")


def warnings_of(run: Run) -> list[str]:
    """`check` passed (exit 0) and printed these warning lines."""
    assert run.code == 0, run.err
    return [line for line in run.out.splitlines() if ": warning: " in line]


def safe_journey(*options: str) -> dict[str, str]:
    return {"journey.yml": journey(*options, red_flags=("numb-groin",)), "indicators.yml": NUMB_GROIN}


# --- one test per rule ---------------------------------------------------------------------------


def test_a_pathway_without_an_emergency_red_flag_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    urgent = NUMB_GROIN.replace("urgency: emergency", "urgency: urgent")
    files = {"journey.yml": journey("physio", red_flags=("numb-groin",)), "indicators.yml": urgent, "treatments.yml": PHYSIO}
    assert warnings_of(check(tmp_path, capsys, files)) == [
        ("pathway/journey.yml:2:9: warning: pathway 'back-pain': no emergency red flag; list an indicator with 'urgency: emergency' "
        "under the pathway's 'red_flags' (or a stage's) so every page says when to call for help")
    ]


def test_a_stage_red_flag_counts_for_its_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**safe_journey("physio"), "treatments.yml": PHYSIO}
    assert warnings_of(check(tmp_path, capsys, files)) == []


def test_a_risky_treatment_without_risks_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**safe_journey("pills"), "treatments.yml": PILLS + "    get_help_if: [{text: Black poo, urgency: emergency}]\n"}
    assert warnings_of(check(tmp_path, capsys, files)) == [
        "pathway/treatments.yml:2:9: warning: treatment 'pills': a treatment of type 'medication' needs 'risks', including rare serious ones"
    ]


def test_a_risky_treatment_without_get_help_if_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**safe_journey("pills"), "treatments.yml": PILLS + "    risks: [Upset stomach]\n"}
    assert warnings_of(check(tmp_path, capsys, files)) == [
        ("pathway/treatments.yml:2:9: warning: treatment 'pills': a treatment of type 'medication' needs 'get_help_if', "
        "the signs that mean get help during or after it")
    ]


@pytest.mark.parametrize("kind", ["self-care", "assessment", "topical", "device", "referral"])
def test_treatments_that_are_not_risky_need_no_get_help_list(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    files = {**safe_journey("pills"), "treatments.yml": PILLS.replace("medication", kind)}
    assert warnings_of(check(tmp_path, capsys, files)) == []


def test_risky_types_come_from_the_vocabulary() -> None:
    assert {k.id for k in DEFAULT.treatment_kinds.values() if k.risky} == {"medication", "injection", "procedure", "surgery"}
    kb, _ = check_pathway(Path(__file__).resolve().parent.parent / "pathway")
    nsaids, mri = kb.nodes[shipped_id("nsaids")], kb.nodes[shipped_id("mri-scan")]
    assert isinstance(nsaids, Treatment) and isinstance(mri, Treatment)
    assert is_risky(kb, nsaids) and not is_risky(kb, mri)
    kb.vocabulary = DEFAULT.extended([TreatmentKind("assessment", "Check-up or test", risky=True)])
    assert is_risky(kb, mri), "a site can mark a type risky in its vocabulary"


def test_urgency_said_in_an_indicator_text_must_match_its_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    soon = NUMB_GROIN + textwrap.indent(
        textwrap.dedent(
            """\
            - id: stiff-back
              title: Stiff back in the morning
              summary: Stiffness that eases as you move.
              urgency: soon
              action: This is urgent, see your doctor.
            """
        ),
        "  ",
    )
    files = {"journey.yml": journey("physio", red_flags=("numb-groin", "stiff-back")), "indicators.yml": soon, "treatments.yml": PHYSIO}
    assert warnings_of(check(tmp_path, capsys, files)) == [
        ("pathway/indicators.yml:10:13: warning: indicator 'stiff-back': 'action' says 'urgent', wording for 'emergency' or 'urgent', but its urgency is "
        "'soon'; set the level with 'urgency:' (the page shows its label) and keep the text to what to do")
    ]


@pytest.mark.parametrize(
    ("text", "urgency", "conflict"),
    [
        ("Call 911 or your local emergency number now.", Urgency.emergency, None),
        ("Call 911 now.", Urgency.urgent, "911"),
        ("Get urgent care today.", Urgency.urgent, None),
        ("Get urgent help now.", Urgency.emergency, None),
        ("Get urgent care today.", Urgency.soon, "urgent"),
        ("Go to urgent care or an emergency department today.", Urgency.urgent, None),  # a place, not a level
        ("Go to the emergency department now.", Urgency.emergency, None),
        ("Go to A&E.", Urgency.soon, "A&E"),
        ("Call your doctor as soon as you can.", Urgency.soon, None),
        ("An emergencyroom", Urgency.soon, None),  # whole words only
        ("Ring for help now.", Urgency.routine, None),
    ],
)
def test_urgency_conflict(text: str, urgency: Urgency, conflict: str | None) -> None:
    found = urgency_conflict(text, urgency)
    assert (found[0] if found else None) == conflict


def test_a_site_urgency_label_counts_as_urgency_wording() -> None:
    vocabulary = DEFAULT.extended(urgency_labels={Urgency.urgent: "Same day"})
    found = urgency_conflict("Get a same day visit.", Urgency.soon, vocabulary)
    assert found == ("same day", frozenset({Urgency.urgent}))


def test_a_reviewed_treatment_without_sources_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reviewed = "    review:\n      status: reviewed\n      reviewer: Dr A. Example\n      last_reviewed: 2025-01-10\n"
    decided = "    benefit: {words: It often helps.}\n    if_you_wait: The pain may stay the same.\n    alternatives: []\n"
    files = {**safe_journey("physio"), "treatments.yml": PHYSIO + reviewed + decided}
    assert warnings_of(check(tmp_path, capsys, files)) == [
        "pathway/treatments.yml:7:15: warning: treatment 'physio': reviewed but has no 'sources'; cite where its content comes from"
    ]


def test_check_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, {"journey.yml": journey("pills"), "treatments.yml": PILLS + "    risks: [Upset stomach]\n    get_help_if: [{text: Black poo, urgency: emergency}]\n"})
    plain = run_cli(capsys, "check", str(folder))
    strict = run_cli(capsys, "check", "--strict", str(folder))
    assert plain.code == 0 and strict.code == 1
    assert strict.err.splitlines()[-1] == "1 warning in the pathway data, which --strict treats as errors"
    assert "Traceback" not in strict.err
    ok = run_cli(capsys, "check", "--strict", str(write_pathway(tmp_path / "valid", VALID)))
    assert ok.code == 0, ok.out + ok.err


def test_the_shipped_pathway_passes_every_safety_rule() -> None:
    _, problems = check_pathway(Path(__file__).resolve().parent.parent / "pathway")
    assert [str(p) for p in problems if p.severity != "note"] == []  # a note (a draft's decision aids) informs only


# --- the shipped site, built ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Build:
    b = shared_build("shipped", tmp_path_factory)
    assert b.returncode == 0, b.output
    return b


def page_text(b: Build, node_id: str) -> str:
    """The article's visible text; glossary terms are elements of their own, so no space before punctuation."""
    return re.sub(r" ([,.;:])", r"\1", text_of(article(b.html(node_url(node_id)))))


def search_docs(b: Build) -> list[dict[str, Any]]:
    data = json.loads((b.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return list(data["docs"])


@pytest.mark.parametrize(
    ("word", "node_id", "on_page"),
    [
        ("fever", "fever-or-feeling-unwell", True),
        ("cancer", "signs-of-cancer", True),
        ("gabapentin", "nerve-pain-medicines", True),
        ("wet myself", "loss-of-bladder-or-bowel-control", False),  # a synonym: searchable, not shown
    ],
)
def test_patient_words_are_in_the_search_index(shipped: Build, word: str, node_id: str, on_page: bool) -> None:
    assert (word in page_text(shipped, node_id).lower()) == on_page
    hits = {
        d["location"].split("#", 1)[0]
        for d in search_docs(shipped)
        if word in " ".join([d["title"], d["text"], *d.get("tags", [])]).lower()
    }
    assert node_url(node_id) in hits


def _pathway_red_flags() -> list[tuple[str, str, str]]:
    """(pathway, red flag, its urgency's label) for every red flag a shipped pathway lists, read from the YAML."""
    kb, _ = check_pathway(SHIPPED)
    return [
        (p.id, flag_id, kb.vocabulary_of(p.id).urgency_label(flag.urgency))
        for p in kb.pathways
        for flag_id in p.red_flags
        if isinstance(flag := kb.nodes[flag_id], Indicator)
    ]


@pytest.mark.parametrize(("pathway_id", "node_id", "label"), _pathway_red_flags())
def test_each_red_flag_shows_its_urgency_on_its_page_and_the_pathway_home(shipped: Build, pathway_id: str, node_id: str, label: str) -> None:
    card = re.search(r'<div class="admonition [^"]*cp-card[^"]*">\s*<p class="admonition-title">([^<]*)</p>', article(shipped.html(node_url(node_id))))
    assert card and card.group(1).startswith(f"{label}: "), card and card.group(1)
    assert node_url(node_id) in article_links(shipped, node_url(pathway_id))


def test_the_unstable_fracture_flag_is_not_soon(shipped: Build) -> None:
    """In the pathway's full list of warning signs (which every "Get help now" box links to), the unstable-bone
    sign is labelled Urgent."""
    signs = re.findall(r'<li><strong>([^<]*):</strong> <a href="[^"]*">([^<]*)</a>', section(article(shipped.html(node_url("when-pt-does-not-help"))), "All warning signs") or "")
    assert [label for label, title in signs if "not stable" in title] == ["Urgent"]


def test_the_old_red_flag_url_redirects(shipped: Build) -> None:
    html = shipped.html("scan-shows-pressed-nerve-or-unstable-bone/")
    assert f'url=../{node_url("scan-shows-badly-pressed-nerve")}' in html


def test_the_nsaid_page_says_who_should_not_take_them_and_when_to_get_help(shipped: Build) -> None:
    page = article(shipped.html(node_url("nsaids")))
    # Each sign once: in the "When to get help" box, or, when the box is full, under "Get help if".
    items = [text_of(li) for li in re.findall(r"<li>(.*?)</li>", page, re.DOTALL)]
    assert items.count("Your poo is black, or looks like tar") == 1
    assert items.count("You throw up blood, or something that looks like coffee grounds") == 1
    text = text_of(page)
    assert "Ask a doctor or pharmacist before you take them if you" in text and "Have had a stomach ulcer" in text


@pytest.mark.parametrize("node_id", ["epidural-steroid-injection", "facet-joint-injection", "diagnostic-nerve-block", "trigger-point-injections"])
def test_injection_pages_say_get_help_for_a_fever(shipped: Build, node_id: str) -> None:
    page = article(shipped.html(node_url(node_id)))
    signs = (section(page, "When to get help") or "") + (section(page, "Get help if") or "")
    assert "fever" in text_of(signs)


def test_every_risky_treatment_page_has_risks_and_a_get_help_list(shipped: Build) -> None:
    kb, _ = check_pathway(shipped.project / "pathway")
    risky = [n for n in kb.of_kind("treatment") if isinstance(n, Treatment) and is_risky(kb, n)]
    assert {"nsaids", "nerve-pain-medicines", "epidural-steroid-injection", "radiofrequency-ablation"} <= {n.id.rsplit("/", 1)[-1] for n in risky}
    for node in risky:
        page = article(shipped.html(node_url(node.id)))
        assert section(page, "Risks and side effects"), node.id
        items = [" ".join(text_of(li).split()) for li in re.findall(r"<li>(.*?)</li>", page, re.DOTALL)]
        for line in node.get_help_if:  # each once: in the box or under "Get help if"
            assert items.count(" ".join(line.text.split())) == 1, (node.id, line.text)


def test_sources_are_listed_with_title_publisher_year_and_link(shipped: Build) -> None:
    sources = section(article(shipped.html(node_url("radiofrequency-ablation"))), "Sources")
    assert sources is not None
    assert '<a href="https://www.nice.org.uk/guidance/ng59">Low back pain and sciatica in over 16s: assessment and management</a>. NICE, 2020.' in sources


def test_a_page_without_sources_has_no_sources_heading(shipped: Build) -> None:
    assert section(article(shipped.html(node_url("physical-therapy-second-opinion"))), "Sources") is None


def test_draft_pages_say_not_yet_reviewed_with_the_date_written(shipped: Build) -> None:
    text = page_text(shipped, "nsaids")
    assert "Not yet reviewed by a clinician. Written: 1 December 2026" in text


def test_guideline_discordant_statements_are_gone_and_named(shipped: Build) -> None:
    mri = page_text(shipped, "mri-scan")
    assert "exact cause" not in mri and "A scan does not always explain pain." in mri
    assert "cannot be fixed without surgery" not in page_text(shipped, "scan-shows-badly-pressed-nerve")
    assert "Many herniated discs, even large ones, shrink on their own" in page_text(shipped, "disc-herniation")
    assert "For back pain and sciatica, guidance advises against them." in page_text(shipped, "nerve-pain-medicines")
    assert "Some guidelines advise against these for low back pain." in page_text(shipped, "braces-and-orthotics")
    assert "advises an epidural only for sciatica (leg pain from the back) that is recent and severe" in page_text(shipped, "epidural-steroid-injection")
    assert "RFA only after a nerve block test that eased the pain" in page_text(shipped, "radiofrequency-ablation")
    assert "Exercise and coping programme" in page_text(shipped, "non-invasive-treatments")
