"""Decision aids on treatments (`validate/decisions.py`, AUTHORING.md "Decision aids"): one test per rule with the
exact `path:line:col` message; the treatment page's "How well it works", "If you wait" and "Other options"; a step
page's "Compare your options"; the export. Then the shipped site, built for real: every step page with options
compares them, row by row, and no page shows a chance as a number without its source beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.model.graph import EdgeKind, Stage, Treatment
from carepath.render.pages import RenderOptions, first_sentence, render_pages
from carepath.validate.decisions import chance_in, frequency_words
from carepath.words import words
from helpers_pathway import REVIEWED, TRIAL_SOURCE, Run, check, decision_aids, run_cli, write_pathway
from helpers_site import Build, article, elements, node_url, section, shared_build, text_of

W = words("en")

FULL = f"""\
benefit:
  words: It often eases the numbness for a while.
  number: About 7 in 10 people feel better a month later.
  source: {TRIAL_SOURCE}
if_you_wait: The numbness may stay the same or get worse.
alternatives: [splint]
frequency:
  - {{word: rare, means: 'fewer than 1 in 1,000 people', source: {TRIAL_SOURCE}}}
"""
"""Every decision-aid field of the shot, filled as a reviewed treatment needs."""


def notes_of(run: Run) -> list[str]:
    return [line for line in run.out.splitlines() if ": note: " in line]


def rendered(tmp_path: Path, files: dict[str, str]) -> dict[str, str]:
    kb, problems = check_pathway(write_pathway(tmp_path, files))
    assert [p for p in problems if p.severity == "error"] == []
    return render_pages(kb, RenderOptions())


# --- the rules -------------------------------------------------------------------------------------


def test_a_reviewed_treatment_without_decision_aids_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, decision_aids(shot=REVIEWED))
    assert run.code == 1
    assert run.problems == [
        "pathway/treatments.yml:11:79: treatment 'shot': reviewed, and its risks say 'rare' without saying what it means; add it under 'frequency' with its source",
        "pathway/treatments.yml:13:22: treatment 'shot': reviewed but has no 'alternatives'; list the other options (or write 'alternatives: []' if there is none)",
        "pathway/treatments.yml:13:22: treatment 'shot': reviewed but has no 'benefit'; say how well it works, in words and, with its source, in numbers",
        "pathway/treatments.yml:13:22: treatment 'shot': reviewed but has no 'if_you_wait'; say what is likely to happen if you wait",
    ]
    assert run.export_wrote is False


def test_a_reviewed_treatment_with_its_decision_aids_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, decision_aids(shot=REVIEWED + FULL))
    assert run.code == 0, run.err
    assert notes_of(run) == [
        ("pathway/treatments.yml:2:9: note: treatment 'splint': a draft still without 'benefit', 'if_you_wait', 'alternatives'; "
        "its review adds them (AUTHORING.md, 'Decision aids')")
    ]


def test_a_reviewed_treatment_may_say_it_has_no_alternative(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, decision_aids(shot=REVIEWED + FULL.replace("alternatives: [splint]", "alternatives: []")))
    assert run.code == 0, run.err


def test_a_draft_without_decision_aids_is_a_note_that_strict_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, decision_aids())
    run = run_cli(capsys, "check", "--strict", str(folder))
    assert run.code == 0, run.err
    assert notes_of(run) == [
        ("pathway/treatments.yml:2:9: note: treatment 'splint': a draft still without 'benefit', 'if_you_wait', 'alternatives'; "
        "its review adds them (AUTHORING.md, 'Decision aids')"),
        ("pathway/treatments.yml:7:9: note: treatment 'shot': a draft still without 'benefit', 'if_you_wait', 'alternatives'; "
        "what 'rare' in its risks means ('frequency'); its review adds them (AUTHORING.md, 'Decision aids')"),
    ]
    assert run.out.splitlines()[-1].startswith("ok: ")


def test_a_number_without_its_source_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shot = "benefit:\n  words: It often helps.\n  number: About 7 in 10 people feel better.\n"
    run = check(tmp_path, capsys, decision_aids(shot=shot))
    assert run.code == 1
    assert run.problems == [
        "pathway/treatments.yml:15:15: treatment 'shot': 'benefit.number' has no 'source'; a number is shown only with where it comes from"
    ]


REGISTER = """\
sources:
  - {id: wrist-trial, title: Wrist trial for test fixtures, publisher: Example Health, year: 2025, url: "https://example.org/wrist-trial", checked: 2026-11-01}
"""


def test_a_number_cites_the_sources_register_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shot = "benefit:\n  words: It often helps.\n  number: About 7 in 10 people feel better.\n  source: wrist-trail\n"
    run = check(tmp_path / "bad", capsys, {**decision_aids(shot=shot), "sources.yml": REGISTER})
    assert run.problems == [
        "pathway/treatments.yml:16:15: treatment 'shot': 'benefit' cites 'wrist-trail', which is not in the sources register (did you mean 'wrist-trial'?)"
    ]
    page = rendered(tmp_path / "good", {**decision_aids(shot=shot.replace("wrist-trail", "wrist-trial")), "sources.yml": REGISTER})["shot.md"]
    assert "About 7 in 10 people feel better\\. <span class=\"cp-cite\">(Source: <a href=\"https://example.org/wrist-trial\">Wrist trial for test fixtures</a>, Example Health, 2025)</span>" in page


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        (
            "benefit:\n  words: ",
            "It helps 6 in 10 people.",
            "pathway/treatments.yml:14:14: treatment 'shot': 'benefit.words' gives a number ('6 in 10'); keep the words plain and put the number in 'benefit.number' with its 'source'",
        ),
        (
            "if_you_wait: ",
            "One in three people get worse.",
            "pathway/treatments.yml:13:18: treatment 'shot': 'if_you_wait' gives a number ('One in three'), which has no source on the page; say it in plain words",
        ),
        (
            "if_you_wait: ",
            "It gets better for 40% of people.",
            "pathway/treatments.yml:13:18: treatment 'shot': 'if_you_wait' gives a number ('0%'), which has no source on the page; say it in plain words",
        ),
    ],
)
def test_a_chance_in_plain_words_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, text: str, message: str) -> None:
    run = check(tmp_path, capsys, decision_aids(shot=field + text + "\n"))
    assert run.code == 1
    assert run.problems == [message]


def test_a_frequency_without_its_source_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, decision_aids(shot="frequency:\n  - {word: rare, means: fewer than 1 in 1000 people}\n"))
    assert run.code == 1
    assert run.problems == [
        "pathway/treatments.yml:14:29: treatment 'shot': 'frequency' says what 'rare' means with no 'source'; cite where that number comes from"
    ]


def test_alternatives_are_references_checked_like_any_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, decision_aids(shot="alternatives: [splnt, numb-groin]\n"))
    assert run.code == 1
    assert run.problems == [
        "pathway/treatments.yml:13:20: treatment 'shot': unknown reference 'splnt' in 'alternatives' (did you mean 'splint'?)",
        "pathway/treatments.yml:13:27: treatment 'shot': 'alternatives' may not point to indicator 'numb-groin'; it lists treatment ids",
    ]


def test_alternatives_resolve_in_the_pathway_namespace(tmp_path: Path) -> None:
    """A short id means the pathway's own node first, then the shared one: never another pathway's."""
    files = {f"knee/{name}": text for name, text in decision_aids(shot="alternatives: [splint, shared-pills]\n").items()}
    files["knee/journey.yml"] = files["knee/journey.yml"].replace("id: back-pain", "id: knee")
    files["shared/pills.yml"] = "treatments:\n  - id: shared-pills\n    title: Pills\n    summary: Pills for pain.\n    type: self-care\n"
    files["knee/journey.yml"] = files["knee/journey.yml"].replace("options: [splint, shot]", "options: [splint, shot, shared-pills]")
    kb, problems = check_pathway(write_pathway(tmp_path, files))
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert sorted(e.target for e in kb.out_edges("knee/shot", EdgeKind.alternative_to)) == ["knee/splint", "shared-pills"]
    shot = kb.nodes["knee/shot"]
    assert isinstance(shot, Treatment) and shot.alternatives == ["knee/splint", "shared-pills"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("About 6 in 10 people", "6 in 10"),
        ("one in every ten", "one in every ten"),
        ("fewer than 1 in 1,000 people", "1 in 1,000"),
        ("3 out of 4", "3 out of 4"),
        ("60 percent", "60 percent"),
        ("It takes 6 weeks to help, in 2 visits", None),
        ("Step 2 of 4", None),
    ],
)
def test_chance_in_finds_numbers_a_reader_could_act_on(text: str, found: str | None) -> None:
    assert chance_in(text) == found


def test_frequency_words_read_the_ly_forms_as_the_word() -> None:
    assert frequency_words("Very rarely, a stroke; rare bleeding; a common headache") == ["very rare", "rare", "common"]


def test_first_sentence_keeps_a_link_whole() -> None:
    assert first_sentence("Wear it at night. It helps.\n\nMore.") == "Wear it at night."
    assert first_sentence("See [the note. Really](node:x) first. Then more.") == "See [the note. Really](node:x) first. Then more."


# --- the pages -------------------------------------------------------------------------------------


def test_treatment_page_shows_how_well_it_works_with_its_source(tmp_path: Path) -> None:
    page = rendered(tmp_path, decision_aids(shot=REVIEWED + FULL))["shot.md"]
    benefit = page.split(f"## {W.get('treatment.benefit')}", 1)[1].split("\n## ", 1)[0]
    assert "It often eases the numbness for a while\\." in benefit
    # The number sits right beside its source, linked.
    assert re.search(r"About 7 in 10 people feel better a month later\\\. <span class=\"cp-cite\">\(Source: "
                     r"<a href=\"https://example\.org/wrist-trial\">Wrist trial for test fixtures</a>, Example Health, 2025\)</span>", benefit)
    assert f"## {W.get('treatment.if_you_wait')}" in page and "The numbness may stay the same or get worse\\." in page
    others = page.split(f"## {W.get('treatment.alternatives')}", 1)[1].split("\n## ", 1)[0]
    assert "- [Wrist splint](splint.md)" in others
    assert "**rare**: fewer than 1 in 1,000 people <span class=\"cp-cite\">(Source: " in page


def test_a_draft_without_benefit_says_it_awaits_clinical_review(tmp_path: Path) -> None:
    page = rendered(tmp_path, decision_aids())["splint.md"]
    benefit = page.split(f"## {W.get('treatment.benefit')}", 1)[1].split("\n## ", 1)[0]
    assert W.get("decision.awaiting") in benefit
    assert not re.search(r"\d", benefit)
    assert f"## {W.get('treatment.if_you_wait')}" not in page and f"## {W.get('treatment.alternatives')}" not in page


def test_step_page_compares_its_options_row_by_row(tmp_path: Path) -> None:
    page = rendered(tmp_path, decision_aids(shot=REVIEWED + FULL))["first-line.md"]
    table = page.split(f"## {W.get('stage.compare')}", 1)[1].split("</table>", 1)[0]
    rows = table.split('<tr role="row" class="cp-compare-row"')[1:]
    assert len(rows) == 2
    splint, shot = rows
    assert "[Wrist splint](splint.md)" in splint and "Brace or device" in splint
    assert W.get("stage.compare_awaiting") in splint and W.get("stage.compare_no_risks") in splint
    assert "Wear it while you sleep." in splint and "It should feel snug" not in splint  # its first sentence
    assert "[Steroid shot](shot.md)" in shot and "Injection" in shot
    assert "About 7 in 10 people feel better a month later\\." in shot and "Wrist trial for test fixtures</a>, Example Health, 2025" in shot
    # The first two risks, and how many more its page lists.
    assert "Soreness for a day or two" in shot and "Thinner skin where the needle went in" in shot and "which is rare" not in shot
    assert W.get("stage.compare_more_risks", count=1) in shot
    assert "A shot of steroid medicine into the wrist\\." in shot  # no what_to_expect: its summary says what it involves


def test_export_holds_the_decision_aids_and_their_edges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, decision_aids(shot=REVIEWED + FULL))
    out = tmp_path / "pathway.json"
    assert run_cli(capsys, "export", str(folder), "--out", str(out)).code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    shot = next(n for n in data["nodes"] if n["id"] == "shot")
    assert shot["benefit"]["number"] == "About 7 in 10 people feel better a month later."
    assert shot["benefit"]["source"]["publisher"] == "Example Health"
    assert shot["if_you_wait"] and shot["alternatives"] == ["splint"] and shot["frequency"][0]["word"] == "rare"
    assert {"kind": "alternative-to", "source": "shot", "target": "splint"} in data["edges"]


# --- the shipped site --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return shared_build("shipped", tmp_path_factory)


def test_every_shipped_step_with_options_compares_them(shipped: Build) -> None:
    """Property: a step page with treatments to choose from has the table, with one row per option, in order."""
    kb, _ = check_pathway(Path(__file__).resolve().parent.parent / "pathway")
    steps = 0
    for stage in kb.of_kind("stage"):
        assert isinstance(stage, Stage)
        options = [e.target for e in kb.out_edges(stage.id, EdgeKind.offers) if isinstance(kb.nodes[e.target], Treatment)]
        html = article(shipped.html(node_url(stage.id)))
        tables = [e for e in elements(html) if e.tag == "table" and "cp-compare" in e.classes]
        if not options:
            assert tables == [], stage.id
            continue
        steps += 1
        assert len(tables) == 1, f"{stage.id}: no 'Compare your options' table"
        part = section(html, W.get("stage.compare"))
        assert part is not None, stage.id
        heads = re.findall(r'<th[^>]*class="cp-compare-option"[^>]*><a [^>]*>(.*?)</a>', part, re.DOTALL)
        # Compared without spaces: `text_of` puts one around each element (the abbreviation in 'RFA').
        assert [re.sub(r"\s", "", text_of(h)) for h in heads] == [re.sub(r"\s", "", kb.nodes[o].title) for o in options], stage.id
    assert steps >= 5


DECISION_PARTS = ("how-well-it-works", "if-you-wait", "compare-your-options")


def test_no_shipped_page_shows_a_chance_without_its_source(shipped: Build) -> None:
    """Property: wherever a page says a chance as a number ('6 in 10', '1 in 1,000', '40%'), a source is cited right
    beside it; and no draft's "How well it works" shows a number at all."""
    kb, _ = check_pathway(Path(__file__).resolve().parent.parent / "pathway")
    for node_id in sorted(kb.nodes):
        html = article(shipped.html(node_url(node_id)))
        # A source's own title is quoted as published ("Zacin 0.025%"): it is the citation, not a chance it says.
        cited = re.sub(r'<ul class="cp-sources[^"]*">.*?</ul>', "", html, flags=re.DOTALL)
        for block in re.findall(r"<(?:p|li|td)\b[^>]*>(.*?)</(?:p|li|td)>", cited, re.DOTALL):
            said = chance_in(text_of(block))
            if said:
                assert 'class="cp-cite"' in block, f"{node_id}: {said!r} is shown with no source beside it"
        node = kb.nodes[node_id]
        if isinstance(node, Treatment) and node.benefit is None:
            part = section(html, W.get("treatment.benefit")) or ""
            assert W.get("decision.awaiting") in text_of(part), node_id
            assert not re.search(r"\d", text_of(part)), node_id
