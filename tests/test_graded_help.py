"""Graded safety-netting: each `get_help_if` line carries an urgency (and may take the crisis route), is shown
under its urgency's label with the words for what to do, ranks in the box by that urgency, and is never
introduced by one fixed sentence; and no text says a page's review status in its own words.

Unit tests use small pathways written here; the property tests read the shipped site, built for real.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.model.graph import Treatment, Urgency
from carepath.model.vocabulary import DEFAULT
from carepath.render.pages import RenderOptions, render_pages
from carepath.words import DEFAULT_EDITION, words
from helpers_pathway import NUMB_GROIN, PILLS, Run, check, journey, run_cli, write_pathway
from helpers_site import Build, article, html_pages, node_url, shared_build, shipped_edition, text_of

W = words(DEFAULT_EDITION)
SHIPPED = words(shipped_edition())
"""The words of the edition the shipped site is built as."""
OLD_SENTENCE = "Stop and get medical help right away"

PILLS_WITH_HELP = PILLS + "    risks: [An upset stomach]\n    get_help_if:\n"
"""The shared medicine with a risk, and its `get_help_if` lines to follow."""


def pills(*items: str) -> dict[str, str]:
    """A journey offering 'pills', whose `get_help_if` holds `items` (YAML flow items, one a line)."""
    lines = "".join(f"      - {item}\n" for item in items)
    return {"journey.yml": journey("pills", red_flags=("numb-groin",)), "indicators.yml": NUMB_GROIN, "treatments.yml": PILLS_WITH_HELP + lines}


def warnings_of(run: Run) -> list[str]:
    assert run.code == 0, run.err
    return [line for line in run.out.splitlines() if ": warning: " in line]


def pills_page(tmp_path: Path, *items: str) -> str:
    kb, problems = check_pathway(write_pathway(tmp_path, pills(*items)))
    assert not [p for p in problems if p.severity == "error"], problems
    return render_pages(kb, RenderOptions())["pills.md"]


def get_help_section(page: str) -> str:
    start = page.index("## " + W.get("treatment.get_help_title") + "\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end >= 0 else None]


# --- the data: graded lines, ungraded ones warned ---------------------------------------------------


def test_a_graded_line_checks_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, pills("{text: Black poo, urgency: emergency}", "{text: Thoughts of harming yourself, urgency: emergency, route: crisis}"))
    assert warnings_of(run) == []


def test_a_bare_string_warns_at_its_line_and_strict_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, pills("{text: Black poo, urgency: emergency}", "A fever"))
    assert warnings_of(run) == [
        ("pathway/treatments.yml:9:9: warning: treatment 'pills': the 'get_help_if' line 'A fever' has no urgency; grade it as "
        "'- {text: ..., urgency: ...}' with one of emergency, urgent, soon, routine (until then the page shows it as 'urgent')")
    ]
    strict = run_cli(capsys, "check", "--strict", str(tmp_path / "pathway"))
    assert strict.code == 1 and "Traceback" not in strict.err


def test_a_mapping_without_an_urgency_warns_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [warning] = warnings_of(check(tmp_path, capsys, pills("{text: A fever}")))
    assert warning.startswith("pathway/treatments.yml:8:9: warning: treatment 'pills': the 'get_help_if' line 'A fever' has no urgency")


def test_an_unknown_urgency_or_route_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, pills("{text: A fever, urgency: now}", "{text: Sad, urgency: emergency, route: hotline}"))
    assert run.code == 1
    assert run.problems == [
        "pathway/treatments.yml:8:34: treatment 'pills': 'get_help_if.0.urgency' is 'now'; expected one of: emergency, urgent, soon, routine",
        "pathway/treatments.yml:9:48: treatment 'pills': 'get_help_if.1.route' is 'hotline'; expected one of: crisis",
    ]


def test_a_crisis_route_at_a_soft_urgency_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert warnings_of(check(tmp_path, capsys, pills("{text: Thoughts of harming yourself, urgency: soon, route: crisis}"))) == [
        ("pathway/treatments.yml:8:55: warning: treatment 'pills': the 'get_help_if' line 'Thoughts of harming yourself' has "
        "'route: crisis' but urgency 'soon'; a crisis means get help now: use 'emergency'")
    ]


def test_a_line_whose_words_say_another_urgency_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert warnings_of(check(tmp_path, capsys, pills("{text: Chest pain. An emergency, urgency: urgent}"))) == [
        ("pathway/treatments.yml:8:16: warning: treatment 'pills': the 'get_help_if' line 'Chest pain. An emergency' says 'emergency', wording "
        "for 'emergency', but its urgency is 'urgent'; set the level with 'urgency:' (the page shows its label and what to do) "
        "and keep the text to what you notice")
    ]


# --- the page: each line under its urgency, with its route's words -----------------------------------


def test_lines_the_box_leaves_out_are_grouped_under_their_urgency_most_urgent_first(tmp_path: Path) -> None:
    page = pills_page(
        tmp_path,
        "{text: Numb for a week, urgency: soon}",
        "{text: A fever, urgency: urgent}",
        "{text: A bruise, urgency: routine}",
    )
    assert OLD_SENTENCE not in page
    section = get_help_section(page)
    labels = re.findall(r'cp-urgency-(\w+)">([^<]*):</strong> ([^\n]*)', section)
    assert labels == [
        ("soon", DEFAULT.urgency_label(Urgency.soon), W.get("routes.soon").replace(".", "\\.")),
        ("routine", DEFAULT.urgency_label(Urgency.routine), W.get("routes.routine").replace(".", "\\.")),
    ]
    assert section.index("- Numb for a week") < section.index("- A bruise")
    # the urgent line is in the box, under the urgent label and words, not repeated here
    assert "A fever" not in section and page.count("- A fever") == 1


def test_an_emergency_line_leads_the_box_under_the_emergency_label_and_words(tmp_path: Path) -> None:
    """The page's own emergency sign ranks with the emergency red flags, ahead of them (it is the closest), under
    the same label and the edition's route words (a red flag's own `action`, if any, follows them)."""
    page = pills_page(tmp_path, "{text: Black poo, urgency: emergency}")
    box = page[page.index('<div class="cp-gethelp') : page.index("</div>")]
    label = 'cp-urgency-emergency">' + DEFAULT.urgency_label(Urgency.emergency) + ":</strong> "
    # the red flag has no action of its own: with the same route's words, it joins the line's group
    assert box.count(label) == 1
    assert box.index(label + md_escaped(W.get("routes.emergency")) + "\n") < box.index("- Black poo") < box.index("- [Numbness in the groin]")
    assert "## " + W.get("treatment.get_help_title") not in page  # nothing left for the section


def test_a_crisis_line_shows_the_crisis_words_under_its_own_line(tmp_path: Path) -> None:
    page = pills_page(tmp_path, "{text: Black poo, urgency: emergency}", "{text: Thoughts of harming yourself, urgency: emergency, route: crisis}")
    crisis = W.get("routes.crisis")
    assert "988" in crisis
    box = page[page.index('<div class="cp-gethelp') : page.index("</div>")]
    at = box.index(md_escaped(crisis))
    assert box.index("- Thoughts of harming yourself") > at > box.index("- Black poo")


def md_escaped(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>])", r"\\\1", text)


def test_a_page_on_several_pathways_lists_the_treatments_own_signs_once_above_the_folds(tmp_path: Path) -> None:
    files = pills("{text: Black poo, urgency: emergency}")
    files["hip.yml"] = """\
        pathways:
          - {id: hip, title: Hip pain, summary: Hip care., stages: [hip-home], red_flags: [numb-groin]}
        stages:
          - {id: hip-home, title: At home, summary: Care at home., options: [pills]}
        """
    kb, _ = check_pathway(write_pathway(tmp_path, files))
    page = render_pages(kb, RenderOptions())["pills.md"]
    assert page.count("- Black poo") == 1
    assert page.index("- Black poo") < page.index("<details")


# --- review words in text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words_found"),
    [
        ("This page is a draft.", "is a draft"),
        ("It still awaits clinical review.", "awaits clinical review"),
        ("Not yet reviewed by a doctor.", "Not yet reviewed"),
    ],
)
def test_review_words_in_a_text_field_are_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words_found: str) -> None:
    files = pills("{text: Black poo, urgency: emergency}")
    files["treatments.yml"] = files["treatments.yml"].replace("summary: Pills that ease pain.", f"summary: Pills that ease pain. {text}")
    run = check(tmp_path, capsys, files)
    assert run.code == 1
    assert run.problems == [
        (f"pathway/treatments.yml:4:14: treatment 'pills': 'summary' says '{words_found}'; the page shows its review status from "
        "'review:' (AUTHORING.md, 'Review metadata'), and the text would still say it once the page is reviewed: remove it")
    ]


def test_review_words_in_a_get_help_line_and_a_glossary_entry_are_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = pills("{text: Black poo (draft text), urgency: emergency}")
    files["glossary.yml"] = "glossary:\n  - {term: Poo, definition: 'What comes out of your bottom. Under review.'}\n"
    run = check(tmp_path, capsys, files)
    assert [p.split(": ", 1)[0] + ": " + p.split(": ", 2)[1] for p in run.problems] == [
        "pathway/glossary.yml:2:12: glossary entry 'Poo'",
        "pathway/treatments.yml:8:16: treatment 'pills'",
    ]


def test_ids_and_the_review_metadata_are_not_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'therapy-review' as an id, a reviewer's name: not review words in the page's text."""
    files = pills("{text: Black poo, urgency: emergency}")
    files["treatments.yml"] = files["treatments.yml"].replace("  - id: pills\n", "  - id: pills\n    aliases: [draft-review]\n")
    assert check(tmp_path, capsys, files).code == 0


# --- the shipped site, built for real ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Build:
    b = shared_build("shipped", tmp_path_factory)
    assert b.returncode == 0, b.output
    return b


def test_no_page_prints_the_old_fixed_sentence(shipped: Build) -> None:
    found = [str(p.relative_to(shipped.site)) for p in html_pages(shipped.site) if OLD_SENTENCE in p.read_text(encoding="utf-8")]
    assert found == []


LABEL_OR_LINE = re.compile(r'<strong class="cp-gethelp-label cp-urgency-(\w+)">([^<]*):</strong>([^<\n]*)|<li>(.*?)</li>', re.DOTALL)


def test_every_shipped_get_help_line_is_once_on_its_page_under_its_urgency(shipped: Build) -> None:
    kb, _ = check_pathway(shipped.project / "pathway")
    treatments = [n for n in kb.of_kind("treatment") if isinstance(n, Treatment) and n.get_help_if]
    assert treatments
    problems = []
    for node in treatments:
        vocabulary = kb.vocabulary_of(kb.scope(node.id))
        under: dict[str, list[tuple[str, str, str]]] = {}
        current = ("", "", "")
        for m in LABEL_OR_LINE.finditer(article(shipped.html(node_url(node.id)))):
            if m.group(1):
                current = (m.group(1), html.unescape(m.group(2)), " ".join(html.unescape(m.group(3)).split()))
            else:
                under.setdefault(" ".join(text_of(m.group(4)).split()), []).append(current)
        for item in node.get_help_if:
            assert item.urgency is not None, (node.id, item.text)  # every shipped line is graded
            found = under.get(" ".join(item.text.split()), [])
            words_for = SHIPPED.get(f"routes.{(item.route or item.urgency).value}")
            if found != [(item.urgency.value, vocabulary.urgency_label(item.urgency), words_for)]:
                problems.append(f"{node.id}: {item.text!r} is under {found}")
    assert problems == []


def test_the_self_harm_line_takes_the_crisis_route(shipped: Build) -> None:
    page = text_of(article(shipped.html(node_url("when-pt-does-not-help/nerve-pain-medicines"))))
    crisis = SHIPPED.get("routes.crisis")
    assert f"{crisis} You have thoughts of harming yourself" in " ".join(page.split())
