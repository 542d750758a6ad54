"""Ownership per pathway: a pathway's `owner:`, its own glossary and its own urgency and edge labels reach its own
pages; the shared library's pages keep the site's publisher, glossary and labels.

The fixture: a shared library and two pathway folders, `knee` (with an owner) and `hip` (without), each giving
the site term "specialist" a meaning of its own and the emergency level a label of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.audit.gate import PageScorer, as_article
from carepath.build.cache import Cache
from carepath.build.site import SitePages, build_site_pages
from carepath.model.graph import EdgeKind, KnowledgeBase, Urgency
from carepath.publish.export import export_graph
from carepath.publish.search import node_search
from carepath.settings import Settings
from carepath.validate.ownership import contact_href, contact_kind
from carepath.words import DEFAULT_EDITION, words
from helpers_pathway import check, write_pathway
from helpers_site import build, elements

SITE_TERM = "A doctor with extra training in one part of the body."
KNEE_TERM = "A doctor who looks after knees, at the knee clinic."
HIP_TERM = "A doctor who looks after hips, at the hip clinic."
A_SPLINT = "A firm support that keeps a joint still."

SHARED = {
    "shared/treatments.yml": """\
        treatments:
          - id: pills
            title: Pain pills
            summary: Tablets that ease pain for a short time.
            type: self-care
            body: Ask a specialist which pills suit you.
        """,
    "shared/indicators.yml": """\
        indicators:
          - id: numb-groin
            title: Numbness in the groin
            summary: A sign of pressure on the nerves.
            urgency: emergency
        """,
    "shared/glossary.yml": f"""\
        glossary:
          - term: specialist
            also: [specialists]
            definition: {SITE_TERM}
          - term: splint
            definition: {A_SPLINT}
        """,
}


def team(pid: str, title: str, extra: str = "") -> dict[str, str]:
    """One pathway in its own folder: a stage offering its own exercise and the shared pills, its own red flag."""
    return {
        f"{pid}/pathway.yml": f"""\
            pathways:
              - id: {pid}
                title: {title}
                summary: What to do about {title.lower()}.
                stages: [home-care]
                red_flags: [numb-groin, worse-fast]
            {extra}
            stages:
              - id: home-care
                title: {title} at home
                summary: Start here.
                options: [exercise, pills]
            treatments:
              - id: exercise
                title: {title} exercises
                summary: Moves that help.
                type: self-care
                body: If the moves do not help, see a specialist. Wear a splint at night.
            indicators:
              - id: worse-fast
                title: {title} getting worse fast
                summary: Pain that gets much worse in a day.
                urgency: urgent
                refers_to: [exercise]
            """.replace("\n            \n", "\n"),
    }


KNEE = {
    **team("knee", "Knee pain", "    owner: {publisher: Knee team, contact: knee-team@example.org, reviewer: Dr K. Example}"),
    "knee/words.yml": f"""\
        glossary:
          - term: specialist
            definition: {KNEE_TERM}
          - term: knee brace
            abbreviation: KB
            definition: A support you wear around the knee.
        vocabulary:
          urgency_labels:
            emergency: Act at once
            urgent: See a doctor today
          edge_labels:
            refers_to: {{forward: go to, backward: a knee sign that sends you here}}
        """,
}
HIP = {
    **team("hip", "Hip pain"),
    "hip/words.yml": f"""\
        glossary:
          - term: specialist
            definition: {HIP_TERM}
        vocabulary:
          urgency_labels:
            emergency: Get help at once
        """,
}
FILES = {**SHARED, **KNEE, **HIP}


def knowledge_base(tmp_path: Path, files: dict[str, str] = FILES) -> KnowledgeBase:
    kb, problems = check_pathway(write_pathway(tmp_path, files))  # type: ignore[arg-type]
    assert [str(p) for p in problems if p.severity != "note"] == []  # a draft's missing decision aids are a note
    return kb


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SitePages:
    """The fixture's pages as the build makes them: diagrams, handouts (with the site's publisher) and glossary links."""
    folder = write_pathway(tmp_path_factory.mktemp("owners"), FILES)  # type: ignore[arg-type]
    return build_site_pages(Settings(pathway_dir=folder, site_url="https://example.org/", publisher="The Site Team"))


def jsonld(page: str) -> dict[str, object]:
    front = page.split("\n---\n", 1)[0]
    line = next(line for line in front.splitlines() if line.startswith("jsonld:"))
    return json.loads(line.removeprefix("jsonld:").strip())  # type: ignore[no-any-return]


# --- the fixture checks clean: the same term and label once in each pathway is no clash ---------------------


def test_each_pathway_and_the_site_define_the_same_term_and_label_without_a_clash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, FILES)  # type: ignore[arg-type]
    assert (run.code, run.problems) == (0, [])
    kb = knowledge_base(tmp_path / "again")
    assert [g.term for g in kb.glossary_of(None)] == ["specialist", "splint"]
    assert [g.term for g in kb.glossary_of("knee")] == ["specialist", "knee brace"]
    assert [g.definition for g in kb.glossary_of("hip")] == [HIP_TERM]
    # A pathway's page reads its own entries first; the site's "specialist" gives way to the pathway's.
    assert [(g.term, scope) for g, scope in kb.page_glossary("knee")] == [("specialist", "knee"), ("knee brace", "knee"), ("splint", None)]
    assert [(g.term, scope) for g, scope in kb.page_glossary(None)] == [("specialist", None), ("splint", None)]
    assert kb.vocabulary_of("knee").urgency_label(Urgency.emergency) == "Act at once"
    assert kb.vocabulary_of("hip").urgency_label(Urgency.emergency) == "Get help at once"
    assert kb.vocabulary_of(None).urgency_label(Urgency.emergency) == words().get("vocabulary.urgency.emergency")
    assert kb.vocabulary_of("hip").edge_label(EdgeKind.refers_to, backward=True) == kb.vocabulary.edge_label(EdgeKind.refers_to, backward=True)


def test_a_new_pathway_may_redefine_a_site_term_whatever_its_folder_sorts_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The tester's case: a new pathway's folder ('aaa') sorts before the shared library; its term is its own."""
    files = {**SHARED, **team("aaa", "Ankle pain"), "aaa/glossary.yml": "glossary:\n  - {term: Specialists, definition: An ankle doctor.}\n"}
    run = check(tmp_path, capsys, files)  # type: ignore[arg-type]
    assert (run.code, run.problems) == (0, [])


# --- duplicates within one scope are still errors, at the later definition in that scope ----------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "knee/zz-more.yml",
            "glossary:\n  - {term: Specialist, definition: Another knee doctor.}\n",
            "pathway/knee/zz-more.yml:2:12: glossary entry 'Specialist': 'Specialist' is already defined at pathway/knee/words.yml:2:11",
        ),
        (
            "shared/more.yml",
            "glossary:\n  - {term: splint, definition: Another support.}\n",
            "pathway/shared/more.yml:2:12: glossary entry 'splint': 'splint' is already defined at pathway/shared/glossary.yml:5:11",
        ),
        (
            "knee/zz-more.yml",
            "vocabulary:\n  urgency_labels:\n    emergency: Phone 999\n",
            "pathway/knee/zz-more.yml:3:16: vocabulary: urgency label 'emergency' is already defined at pathway/knee/words.yml:9:16",
        ),
        (
            "knee/zz-more.yml",
            "vocabulary:\n  edge_labels:\n    refers_to: {forward: head to, backward: sends you here}\n",
            "pathway/knee/zz-more.yml:3:16: vocabulary: edge label 'refers_to' is already defined at pathway/knee/words.yml:12:16",
        ),
    ],
)
def test_a_second_definition_in_the_same_scope_is_an_error_at_the_later_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    run = check(tmp_path, capsys, {**FILES, name: text})  # type: ignore[arg-type]
    assert (run.code, run.problems) == (1, [expected])


def test_treatment_types_stay_site_wide_wherever_they_are_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A type added in one pathway's folder is the site's: the other pathway may use it, and may not define it again."""
    types = "vocabulary:\n  treatment_types:\n    - {id: talking-therapy, label: Talking therapy}\n"
    files = {**FILES, "knee/types.yml": types, "hip/types.yml": types}
    run = check(tmp_path, capsys, files)  # type: ignore[arg-type]
    assert run.problems == [
        "pathway/knee/types.yml:3:12: vocabulary: treatment type 'talking-therapy' is already defined at pathway/hip/types.yml:3:12"
    ]


# --- the owner: validated at its file and line --------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (
            "{publisher: Knee team, contact: call us any time}",
            ("pathway/knee/pathway.yml:7:44: pathway 'knee': 'owner.contact' is 'call us any time'; write an email address "
            "(team@example.org), an https:// address or a phone number (+1 555 010 0199)"),
        ),
        (
            "{publisher: Knee team, contact: 'http://knee.example.org/'}",
            ("pathway/knee/pathway.yml:7:44: pathway 'knee': 'owner.contact' is 'http://knee.example.org/'; write an email address "
            "(team@example.org), an https:// address or a phone number (+1 555 010 0199)"),
        ),
        (
            "{publisher: '<b>Knee team</b>'}",
            "pathway/knee/pathway.yml:7:24: pathway 'knee': 'owner.publisher' holds '<'; write plain text, with no HTML",
        ),
        (
            "{publisher: Knee team, reviewer: 'Dr K <script>'}",
            "pathway/knee/pathway.yml:7:45: pathway 'knee': 'owner.reviewer' holds '<'; write plain text, with no HTML",
        ),
        ("{contact: knee-team@example.org}", "pathway/knee/pathway.yml:7:12: pathway 'knee': missing required key 'publisher'"),
        (
            "{publisher: Knee team, email: knee-team@example.org}",
            "pathway/knee/pathway.yml:7:35: pathway 'knee': unknown key 'email' (expected one of: publisher, contact, reviewer)",
        ),
    ],
)
def test_an_owner_that_cannot_be_shown_as_written_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], owner: str, expected: str
) -> None:
    files = {**SHARED, **team("knee", "Knee pain", f"    owner: {owner}")}
    run = check(tmp_path, capsys, files)  # type: ignore[arg-type]
    assert (run.code, run.problems) == (1, [expected])


@pytest.mark.parametrize(
    ("contact", "kind", "href"),
    [
        ("knee-team@example.org", "email", "mailto:knee-team@example.org"),
        ("https://example.org/knee (clinic)", None, None),
        ("https://example.org/knee(clinic)", "https", "https://example.org/knee%28clinic%29"),
        ("+44 20 7946 0000", "phone", "tel:+442079460000"),
        ("(555) 010-0199", "phone", "tel:5550100199"),
        ("999", None, None),
        ("http://example.org/", None, None),
        ("javascript:alert(1)", None, None),
        ("mailto:knee@example.org", None, None),
        ("knee@example", None, None),
    ],
)
def test_a_contact_is_an_email_address_an_https_address_or_a_phone_number(contact: str, kind: str | None, href: str | None) -> None:
    assert contact_kind(contact) == kind
    if href is not None:
        assert contact_href(contact) == href


# --- each pathway's pages show its own owner, glossary and labels; shared pages the site's ------------------


def test_a_pathway_page_names_its_owner_and_a_shared_page_keeps_the_sites_publisher(site: SitePages) -> None:
    owned = site.pages["knee/exercise.md"]
    line = "Published by Knee team. Contact: [knee\\-team@example\\.org](mailto:knee-team@example.org). Clinical reviewer for this pathway: Dr K\\. Example.\n{: .cp-owner }"
    assert line in owned and line in site.pages["knee.md"]
    # The handout heads page 1 and every printed page's margin with whoever answers for the page: the owner.
    handout = owned.split('class="cp-handout', 1)[1].split("</div>\n</div>", 1)[0]
    assert '<span class="cp-handout-source">Published by Knee team. This version is dated ' in handout
    assert '--cp-running-source: "Published by Knee team. This version is dated ' in handout
    assert "The Site Team" not in owned
    assert jsonld(owned)["publisher"] == {"@type": "Organization", "name": "Knee team", "email": "knee-team@example.org"}
    for page in ("hip/exercise.md", "pills.md", "numb-groin.md"):
        text = site.pages[page]
        assert "cp-owner" not in text and "Knee team" not in text, page
        assert "Published by The Site Team." in text, page  # the handout, as before
        assert "publisher" not in jsonld(text), page


def test_the_owner_is_exported_with_its_pathway(site: SitePages) -> None:
    knee = json.loads(site.assets["knee/pathway.json"])
    node = next(n for n in knee["nodes"] if n["id"] == "knee")
    assert node["owner"] == {"publisher": "Knee team", "contact": "knee-team@example.org", "reviewer": "Dr K. Example"}
    hip = json.loads(site.assets["hip/pathway.json"])
    assert next(n for n in hip["nodes"] if n["id"] == "hip")["owner"] is None


def test_each_pathways_pages_link_its_own_definition_and_shared_pages_the_sites(site: SitePages) -> None:
    def definition(page: str, term: str) -> str:
        """The glossary link of `term`'s first use: where it leads and its title."""
        text = site.pages[page]
        reference = next(line for line in text.splitlines() if line.startswith(f"[cp-term-{term}]:"))
        return reference.split(": ", 1)[1]

    assert definition("knee/exercise.md", "specialist") == f'glossary.md#term-specialist "{KNEE_TERM}"'
    assert definition("knee/exercise.md", "splint") == f'../glossary.md#term-splint "{A_SPLINT}"'
    assert definition("hip/exercise.md", "specialist") == f'glossary.md#term-specialist "{HIP_TERM}"'
    assert definition("pills.md", "specialist") == f'glossary.md#term-specialist "{SITE_TERM}"'
    assert "*[KB]: knee brace" not in site.pages["pills.md"]



def test_each_pathway_with_terms_of_its_own_has_a_glossary_page_the_site_glossary_links(site: SitePages) -> None:
    assert [u for u in site.plan.pages if u.endswith("glossary.md")] == ["glossary.md", "hip/glossary.md", "knee/glossary.md"]
    knee = site.pages["knee/glossary.md"]
    assert "# Glossary: Knee pain" in knee
    assert "### knee brace (KB) { #term-knee-brace }" in knee and f"### specialist {{ #term-specialist }}\n\n{KNEE_TERM.replace('.', chr(92) + '.')}" in knee
    assert "splint" not in knee and "[glossary of the whole site](../glossary.md)" in knee and "[Knee pain](../knee.md)" in knee
    home = site.pages["glossary.md"]
    assert "- [Hip pain](hip/glossary.md)\n- [Knee pain](knee/glossary.md)" in home
    assert "knee brace" not in home and "### splint { #term-splint }" in home


def test_each_pathways_pages_label_its_signs_in_its_words_and_shared_pages_in_the_sites(site: SitePages) -> None:
    emergency, urgent = words().get("vocabulary.urgency.emergency"), words().get("vocabulary.urgency.urgent")
    assert {emergency, urgent}.isdisjoint({"Act at once", "See a doctor today", "Get help at once"})

    def labels(page: str) -> list[str]:
        """The labels of the "Get help now" box, in order (each pathway's fold by title, its emergency sign first)."""
        box = site.pages[page].split('class="cp-gethelp ', 1)[1].split("</div>", 1)[0]
        return [line.split(">", 1)[1].split(":</strong", 1)[0] for line in box.splitlines() if line.startswith('<strong class="cp-gethelp-label')]

    assert labels("knee/exercise.md") == ["Act at once", "See a doctor today"]  # the shared sign too: the box is knee's
    assert labels("hip/exercise.md") == ["Get help at once", urgent]
    # The shared page is on both pathways, a fold each (hip, knee): the shared sign in the site's words, each
    # pathway's own sign in its own.
    assert labels("pills.md") == [emergency, urgent, emergency, "See a doctor today"]
    # A sign's own card: the shared sign in the site's words, the knee's own sign in the knee's.
    route = words(DEFAULT_EDITION).get("routes.emergency").replace(".", "\\.")
    card = site.pages["numb-groin.md"]
    assert f'cp-card--emergency "{emergency}: {route}"' in card and "Act at once" not in card and "Get help at once" not in card
    urgent_route = words(DEFAULT_EDITION).get("routes.urgent").replace(".", "\\.")
    assert f'cp-card--urgent "See a doctor today: {urgent_route}"' in site.pages["knee/worse-fast.md"]
    # The diagrams of a pathway speak its words, on its own pages and in its part of a shared page.
    icon = 'class="cp-urgency"><span class="cp-icon" aria-hidden="true">‼</span> '
    assert icon + "Act at once" in site.pages["knee.md"] and icon + emergency not in site.pages["knee.md"]
    assert icon + "Get help at once" in site.pages["hip.md"]
    # Edge labels too: the knee's backlink words on its own pages only.
    assert "a knee sign that sends you here" in site.pages["knee/exercise.md"]
    assert "a knee sign that sends you here" not in site.pages["hip/exercise.md"]


def test_a_pathways_own_sign_is_found_by_its_own_label(site: SitePages) -> None:
    assert node_search(site.kb, "knee/worse-fast", words(DEFAULT_EDITION))["tags"][0] == "See a doctor today"
    assert node_search(site.kb, "hip/worse-fast", words(DEFAULT_EDITION))["tags"][0] == words().get("vocabulary.urgency.urgent")
    assert node_search(site.kb, "numb-groin", words(DEFAULT_EDITION))["tags"][0] == words().get("vocabulary.urgency.emergency")


def test_a_pathways_export_holds_its_own_glossary_then_the_sites(tmp_path: Path) -> None:
    kb = knowledge_base(tmp_path)
    knee = kb.nodes["knee"]
    assert [(g["term"], g.get("pathway")) for g in export_graph(kb, knee)["glossary"]] == [  # type: ignore[arg-type]
        ("specialist", "knee"),
        ("knee brace", "knee"),
        ("splint", None),
    ]
    everything = [(g["term"], g.get("pathway")) for g in export_graph(kb)["glossary"]]
    assert sorted(everything, key=str) == sorted(
        [("specialist", "hip"), ("specialist", "knee"), ("knee brace", "knee"), ("specialist", None), ("splint", None)], key=str
    )


def test_the_readability_gate_reads_each_page_with_its_own_glossary(tmp_path: Path) -> None:
    """A word only the knee glossary defines is jargon to explain on a knee page, and no term at all elsewhere."""
    kb = knowledge_base(tmp_path)
    scorer = PageScorer(Cache(None), kb)
    html = as_article("<p>Wear your knee brace when you walk.</p>", "Title")
    assert [j.word for j in scorer.score(html, "knee/exercise").unexplained] == ["knee brace"]
    assert scorer.score(html, "hip/exercise").unexplained == []
    assert scorer.score(html, "pills").unexplained == []


# --- a real build ----------------------------------------------------------------------------------------


MKDOCS_YML = """\
site_name: Ownership (test fixture)
site_url: https://owners.example.test/
site_author: The Site Team
docs_dir: content
strict: true

theme:
  name: material
  font: false

plugins:
  - search
  - carepath:
      pathway_dir: pathway

markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: false
"""


def test_a_strict_build_shows_each_pathways_owner_definitions_and_labels(tmp_path: Path) -> None:
    write_pathway(tmp_path, FILES)  # type: ignore[arg-type]
    (tmp_path / "content").mkdir()
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    done = build(tmp_path)
    assert done.returncode == 0, done.output
    knee = (done.site / "knee" / "exercise" / "index.html").read_text(encoding="utf-8")
    owner = [e for e in elements(knee) if e.tag == "p" and "cp-owner" in e.attrs.get("class", "")]
    assert len(owner) == 1
    assert '<a href="mailto:knee-team@example.org">knee-team@example.org</a>' in knee
    assert f'href="../glossary/#term-specialist" title="{KNEE_TERM}"' in knee
    assert f'href="../../glossary/#term-splint" title="{A_SPLINT}"' in knee
    pills = (done.site / "pills" / "index.html").read_text(encoding="utf-8")
    assert f'href="../glossary/#term-specialist" title="{SITE_TERM}"' in pills and "cp-owner" not in pills
    assert (done.site / "knee" / "glossary" / "index.html").is_file() and (done.site / "hip" / "glossary" / "index.html").is_file()
    script = knee.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(script)["publisher"] == {"@type": "Organization", "name": "Knee team", "email": "knee-team@example.org"}



def test_the_build_cache_knows_whose_glossary_and_labels_a_page_reads(tmp_path: Path) -> None:
    """Moving a term or a label from a pathway's folder to the shared library changes that pathway's pages: a cached
    build gives what a build without the cache gives."""
    folder = write_pathway(tmp_path, FILES)  # type: ignore[arg-type]
    settings = Settings(pathway_dir=folder, site_url="https://example.org/")
    cache = tmp_path / "cache"
    build_site_pages(settings, Cache(cache))
    words_file = folder / "knee" / "words.yml"
    (folder / "shared" / "knee-words.yml").write_text(
        words_file.read_text(encoding="utf-8").replace("term: specialist", "term: knee specialist"), encoding="utf-8"
    )
    words_file.unlink()
    cached, plain = build_site_pages(settings, Cache(cache)), build_site_pages(settings)
    assert cached.pages == plain.pages and cached.assets == plain.assets
    # The knee's labels are the site's now: the hip's pages take the urgent one (the hip has its own emergency label).
    assert "See a doctor today:</strong>" in cached.pages["hip/exercise.md"] and "Get help at once:</strong>" in cached.pages["hip/exercise.md"]
    assert "Act at once:</strong>" in cached.pages["pills.md"] and "knee/glossary.md" not in cached.pages


def test_a_signs_wording_is_checked_against_the_labels_it_is_shown_with(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The knee labels the urgent level "See a doctor today": a knee sign of urgency 'soon' may not say so; a hip
    sign may (its labels are the hip's), and a shared sign may not (knee pages show it in knee words)."""
    soon = "  - {id: stiff, title: Stiffness, summary: A stiff joint., urgency: soon, action: See a doctor today.}\n"
    files = {**FILES, "knee/stiff.yml": "indicators:\n" + soon, "hip/stiff.yml": "indicators:\n" + soon, "shared/stiff.yml": "indicators:\n" + soon}
    for folder in ("knee", "hip"):
        files[f"{folder}/pathway.yml"] = files[f"{folder}/pathway.yml"].replace("red_flags: [numb-groin, worse-fast]", "red_flags: [numb-groin, worse-fast, stiff, shared-stiff]")
    files["shared/stiff.yml"] = files["shared/stiff.yml"].replace("id: stiff,", "id: shared-stiff,")
    warning = (
        "warning: indicator '{id}': 'action' says 'See a doctor today', wording for 'urgent', but its urgency is 'soon'; "
        "set the level with 'urgency:' (the page shows its label) and keep the text to what to do"
    )
    run = check(tmp_path, capsys, files)  # type: ignore[arg-type]
    assert run.code == 0
    assert [line for line in run.out.splitlines() if ": warning: " in line] == [
        "pathway/knee/stiff.yml:2:83: " + warning.format(id="knee/stiff"),
        "pathway/shared/stiff.yml:2:90: " + warning.format(id="shared-stiff"),
    ]
