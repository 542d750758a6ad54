"""Spelling variants per edition (AUTHORING.md, "Editions"): the site's text is written in one spelling
(`vocabulary: spelling:`), an edition that reads the other converts it with the curated table
(`carepath/words/spelling.yml`), whole words in their own case, never inside code, link targets, addresses, ids or
a source's title; `check` fails at its line on a word of the other spelling."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.build.site import content_problems
from carepath.model.graph import KnowledgeBase, Treatment
from carepath.render.pages import RenderOptions, render_pages
from carepath.text.glossary import GlossaryMatcher
from carepath.text.spelling import british_to_american, in_spelling, kept_phrases, respell, table
from carepath.words import editions, words
from helpers_pathway import NUMB_GROIN, REPO, Run, check, journey, write_pathway

UK_TO_US = table("british", "american")
US_TO_UK = table("american", "british")


def _site(spelling: str, treatments: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A one-step pathway offering `pills`, written in `spelling`, with a register source and a glossary term."""
    return {
        "pathway.yml": journey("pills", red_flags=("numb-groin",)) + NUMB_GROIN,
        "treatments.yml": treatments,
        "shared.yml": f"""\
            vocabulary:
              spelling: {spelling}
            sources:
              - id: aaos-guide
                title: Guideline of the American Academy of Orthopaedic Surgeons on the programme
                publisher: American Academy of Orthopaedic Surgeons
                year: 2024
                url: https://example.org/programme
                checked: 2026-05-01
            glossary:
              - term: local anaesthetic
                definition: A medicine that numbs one part of the body.
            """,
        **(extra or {}),
    }


PILLS_UK = """\
    treatments:
      - id: pills
        title: Pain programme
        summary: A Programme of pills from the centre.
        type: self-care
        body: |
          The PROGRAMME's pills, with a local anaesthetic, as the American Academy of Orthopaedic Surgeons says.
          See [the other programme](node:numb-groin), `programme.txt` and https://example.org/programme.
        sources: [aaos-guide]
        synonyms: [pill programme]
    """


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("programme", "program"),
        ("Programme", "Program"),
        ("PROGRAMME", "PROGRAM"),
        ("the programme's aim", "the program's aim"),
        ("orthopaedic, Orthopaedics", "orthopedic, Orthopedics"),
        ("a tumour near the centre", "a tumor near the center"),
        ("paediatric anaesthetic", "pediatric anesthetic"),
        ("recognised behaviour", "recognized behavior"),
        ("advise, exercise, size, wise", "advise, exercise, size, wise"),  # no suffix rule: only listed words
        ("programmer, centred, metre", "programmer, centred, metre"),  # whole words only
        ("exercise-programme, centre-left", "exercise-programme, centre-left"),  # an id's words are kept
    ],
)
def test_british_text_is_shown_in_american_spelling_in_its_own_case(text: str, shown: str) -> None:
    assert respell(text, UK_TO_US) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Program", "Programme"),
        ("an orthopedic center", "an orthopaedic centre"),
        ("ANESTHESIA", "ANAESTHESIA"),
        ("a meter, a license, practice", "a meter, a license, practice"),  # ambiguous words are not in the table
    ],
)
def test_american_text_is_shown_in_british_spelling_in_its_own_case(text: str, shown: str) -> None:
    assert respell(text, US_TO_UK) == shown


def test_code_link_targets_addresses_html_and_kept_phrases_are_left_as_written() -> None:
    text = (
        "A programme: [the programme](node:pain-programme), `programme`, <a title=\"centre\">centre</a>, "
        "https://example.org/programme, and the Programme of the Royal Centre.\n\n```\nprogramme\n```\n"
    )
    assert respell(text, UK_TO_US, ["Programme of the Royal Centre"]) == (
        "A program: [the program](node:pain-programme), `programme`, <a title=\"centre\">center</a>, "
        "https://example.org/programme, and the Programme of the Royal Centre.\n\n```\nprogramme\n```\n"
    )


def test_the_table_is_safe_both_ways() -> None:
    """Each word has one spelling in each column, and no word is in both: converting and converting back is the
    identity, so the check and the conversion never disagree."""
    pairs = british_to_american()
    assert len(pairs) >= 40
    assert not set(pairs) & set(pairs.values())
    assert len(set(pairs.values())) == len(pairs)
    assert all(k != v and k.isalpha() and v.isalpha() for k, v in pairs.items())
    both = " ".join(pairs)
    assert respell(respell(both, UK_TO_US), US_TO_UK) == both


def test_each_edition_declares_a_spelling() -> None:
    # The Spanish edition's is the spelling of what it shows in English, as the US edition's (AUTHORING.md, "Languages").
    assert {e: words(e).get("edition.spelling") for e in editions()} == {"en-GB": "british", "en-US": "american", "es": "american"}


def _checked(tmp_path: Path, files: dict[str, str]) -> KnowledgeBase:
    kb, problems = check_pathway(write_pathway(tmp_path, files))
    assert [str(p) for p in problems if p.severity == "error"] == []
    return kb


def test_an_edition_that_reads_the_other_spelling_gets_every_text_field_respelt(tmp_path: Path) -> None:
    kb = _checked(tmp_path, _site("british", PILLS_UK))
    assert in_spelling(kb, "british") is kb
    us = in_spelling(kb, "american")
    pills = us.nodes["pills"]
    assert isinstance(pills, Treatment)
    assert (pills.title, pills.summary, pills.synonyms) == ("Pain program", "A Program of pills from the center.", ["pill program"])
    assert pills.body.splitlines() == [
        "The PROGRAM's pills, with a local anesthetic, as the American Academy of Orthopaedic Surgeons says.",
        "See [the other program](node:numb-groin), `programme.txt` and https://example.org/programme.",
    ]
    assert pills.sources == ["aaos-guide"] and us.sources["aaos-guide"].title.endswith("on the programme")
    # The site's own model is unchanged: the en-GB build of the same site reads it as written.
    assert kb.nodes["pills"].title == "Pain programme"
    page = render_pages(us, RenderOptions(language="en-US"))["pills.md"]
    assert "Pain program" in page and "Pain programme" not in page
    assert "Orthopaedic Surgeons on the programme" in page  # the source's title, quoted as published


def test_a_glossary_term_matches_in_either_spelling(tmp_path: Path) -> None:
    """The respelt entry keeps its written forms among its `also`: a term links in either spelling."""
    kb = _checked(tmp_path, _site("british", PILLS_UK))
    us = in_spelling(kb, "american").glossary[0]
    assert (us.term, us.also) == ("local anesthetic", ["local anaesthetic"])
    found = GlossaryMatcher([us]).finditer("a local anesthetic, or a local anaesthetic")
    assert [m.group(0) for m in found] == ["local anesthetic", "local anaesthetic"]


def test_no_spelling_declared_means_nothing_is_checked_or_respelt(tmp_path: Path) -> None:
    files = _site("british", PILLS_UK.replace("programme", "program"))
    files["shared.yml"] = re.sub(r" *vocabulary:\n *spelling: british\n", "", files["shared.yml"])
    kb = _checked(tmp_path, files)
    assert kb.spelling is None and in_spelling(kb, "british") is kb


def test_a_word_of_the_other_spelling_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    treatments = PILLS_UK.replace("summary: A Programme", "summary: A Program").replace("synonyms: [pill programme]", "synonyms: [pill programme, tumor]")
    run = check(tmp_path, capsys, _site("british", treatments))
    assert run.code == 1
    why = "but the site is written in british spelling ('vocabulary: spelling'): write {}, which each edition shows in its own spelling (AUTHORING.md, 'Editions')"
    assert run.problems == [
        f"pathway/treatments.yml:4:14: treatment 'pills': 'summary' says 'Program', american spelling, {why.format(repr('Programme'))}",
        f"pathway/treatments.yml:10:32: treatment 'pills': 'synonyms.1' says 'tumor', american spelling, {why.format(repr('tumour'))}",
    ]
    assert run.export_wrote is False


def test_an_american_site_is_checked_the_other_way_and_a_quoted_title_is_exempt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The body names the publisher and quotes a source title, both in British spelling, written as published."""
    treatments = PILLS_UK.replace("Pain programme", "Pain program").replace("A Programme of pills from the centre", "A Program of pills")
    treatments = treatments.replace("The PROGRAMME's pills, with a local anaesthetic,", "The pills' colour,").replace("[pill programme]", "[pills]")
    files = _site("american", treatments)
    files["shared.yml"] = files["shared.yml"].replace("local anaesthetic", "local anesthetic")
    run = check(tmp_path, capsys, files)
    said = [re.search(r"treatment 'pills': 'body' says '(\w+)', british spelling, but the site is written in american", p) for p in run.problems]
    assert [m.group(1) if m else None for m in said] == ["colour", "programme"]
    assert all(p.startswith("pathway/treatments.yml:6:11: ") for p in run.problems), run.problems  # the body's line, like every wording check


def test_spelling_is_the_sites_own_set_once_in_the_shared_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = {
        "spelling-again.yml": "vocabulary:\n  spelling: american\n",
        "back-pain/more.yml": "vocabulary:\n  spelling: british\n",
    }
    files = _site("british", PILLS_UK, extra)
    files["pathway.yml"] = ""
    files["back-pain/pathway.yml"] = journey("pills", red_flags=("numb-groin",)) + NUMB_GROIN
    files["treatments.yml"] = PILLS_UK
    run: Run = check(tmp_path, capsys, files)
    assert "pathway/spelling-again.yml:2:13: vocabulary: 'spelling' is already set at pathway/shared.yml:2:13" in run.problems
    assert any(
        p.startswith("pathway/back-pain/more.yml:2:13: vocabulary: 'spelling' is the whole site's") and "not in pathway 'back-pain'" in p for p in run.problems
    )


def test_a_hand_written_page_is_checked_at_its_line_and_respelt(tmp_path: Path) -> None:
    kb = _checked(tmp_path, _site("british", PILLS_UK))
    page = "---\ntitle: centre\n---\n# About\n\nOur programme.\n\nA [centre](https://example.org/center/) and a program.\n"
    text, problems = content_problems(page, "about.md", kb, "content/about.md", words=words("en-GB"))
    assert text == page
    assert [str(p) for p in problems] == [
        (
            "content/about.md:8:47: says 'program', american spelling, but the site is written in british spelling "
            "('vocabulary: spelling'): write 'programme', which each edition shows in its own spelling (AUTHORING.md, 'Editions')"
        )
    ]
    text, _ = content_problems(page.replace("a program", "a programme"), "about.md", in_spelling(kb, "american"), "content/about.md", words=words("en-US"))
    assert text == "---\ntitle: centre\n---\n# About\n\nOur program.\n\nA [center](https://example.org/center/) and a program.\n"


# --- the shipped site ------------------------------------------------------------------------------


def _column_words(pairs: dict[str, str], american: bool) -> re.Pattern[str]:
    column = pairs.values() if american else pairs.keys()
    return re.compile(r"\b(?:" + "|".join(sorted(column, key=len, reverse=True)) + r")\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    kb, problems = check_pathway(REPO / "pathway")
    assert [str(p) for p in problems if p.severity == "error"] == []
    return kb


def test_the_shipped_site_is_written_in_british_spelling(shipped: KnowledgeBase) -> None:
    assert shipped.spelling == "british"


@pytest.mark.parametrize(("edition", "american"), [("en-GB", True), ("en-US", False)])
def test_no_shipped_page_shows_a_word_of_the_other_editions_spelling(shipped: KnowledgeBase, edition: str, american: bool) -> None:
    """Every generated page of each edition, as its model is respelt: the en-GB pages hold no word of the table's
    American column, the en-US pages none of its British one, but in a source's title or publisher."""
    kb = in_spelling(shipped, words(edition).get("edition.spelling"))
    pages = render_pages(kb, RenderOptions(language=edition))
    other = _column_words(british_to_american(), american)
    kept = [*kept_phrases(kb), *(html.escape(p, quote=False) for p in kept_phrases(kb))]
    found: dict[str, set[str]] = {}
    ids = sorted({part for i in kb.nodes for part in (i, i.rsplit("/", 1)[-1])}, key=len, reverse=True)
    not_words = re.compile(r"https?://\S+|(?<![\w-])(?:" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])")
    found: dict[str, set[str]] = {}
    for uri, markdown in pages.items():
        for phrase in kept:
            markdown = markdown.replace(phrase, "")
        markdown = not_words.sub("", markdown)  # ids and addresses are never respelt: they are the pages' URLs
        for m in other.finditer(markdown):
            found.setdefault(m.group(0), set()).add(uri)
    assert found == {}
    own = re.compile(r"\bprogramme\b" if american else r"\bprogram\b", re.IGNORECASE)
    assert sum(len(own.findall(p)) for p in pages.values()) > 10  # the scan reads text that has the words
