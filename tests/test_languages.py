"""Languages (issue 23, item 3): translation files `<file>.<lang>.yml` beside the English, each value with a hash of
the English it translates; a language edition (`es`) holds the pathways translated into it, in its language, at
`/es/`; untranslated text is shown in English marked as such; safety text untranslated or stale fails a strict build
naming the file, the id and the field; Spanish pages are graded by the Spanish formula. The fixture
`tests/fixtures/languages` translates one of its two pathways, leaving one shared treatment untranslated."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.audit.gate import PageScorer, page_html
from carepath.audit.readability import MIN_INFLESZ, score_html
from carepath.build.cache import Cache
from carepath.cli.render import chosen_editions
from carepath.model.graph import Indicator, Treatment
from carepath.text.escape import Foreign
from carepath.translation import english_hash, field_states, load_translations, translated_kb
from carepath.words import words
from helpers_site import FIXTURES, Build, article, copy_project, elements, env

FIXTURE = FIXTURES / "languages"
TODAY = dt.date(2026, 6, 1)


def _project(root: Path) -> Path:
    return copy_project(FIXTURE, root)


def _carepath(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carepath", *args], cwd=project, env=env(), capture_output=True, text=True, check=False)


def _build(project: Path, *editions: str) -> Build:
    result = _carepath(project, "build", "--quiet", *(a for e in editions for a in ("--edition", e)))
    return Build(project, project / "site", result.returncode, result.stdout + result.stderr)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _spanish(pathway_dir: Path = FIXTURE / "pathway"):  # type: ignore[no-untyped-def]
    kb, problems = check_pathway(pathway_dir, TODAY)
    assert not [p for p in problems if p.severity == "error"], problems
    translations, found = load_translations(pathway_dir, kb)
    return kb, translations, found


# --- the files and the overlay ------------------------------------------------------------------------------------


def test_the_hash_is_of_the_english_with_its_whitespace_collapsed() -> None:
    assert english_hash("Wrist splint") == english_hash("  Wrist\n   splint ")
    assert re.fullmatch(r"[0-9a-f]{12}", english_hash("Wrist splint"))
    assert english_hash("Wrist splint") != english_hash("Wrist splints")


def test_a_translation_is_laid_over_the_english_in_a_copy() -> None:
    kb, translations, found = _spanish()
    assert found == []
    es = translated_kb(kb, translations["es"], words("es"))
    splint = es.nodes["splint"]
    assert isinstance(splint, Treatment)
    assert (splint.title, splint.get_help_if[0].text, splint.contexts["wrist-care"].note) == (
        "Férula para la muñeca",
        "Los dedos se le ponen fríos o pálidos",
        "Úsela casi todas las noches mientras le duela la muñeca.",
    )
    # What is never translated stays as the English has it; the English model itself is untouched.
    assert splint.get_help_if[0].urgency == kb.nodes["splint"].get_help_if[0].urgency  # type: ignore[attr-defined]
    assert kb.nodes["splint"].title == "Wrist splint"
    hand = es.nodes["wrist-care/numb-hand"]
    assert isinstance(hand, Indicator) and hand.action == "Mantenga la mano quieta hasta que lo vean."
    # Untranslated: the English, marked, and listed as such.
    ice = es.nodes["ice-pack"]
    assert isinstance(ice.title, Foreign) and ice.title == "Ice pack"
    assert es.untranslated == {"ice-pack": frozenset({("title",), ("summary",), ("how_it_helps",)})}
    # Only the translated pathway and what it reaches; the glossary in Spanish.
    assert sorted(p.id for p in es.pathways) == ["wrist-care"]
    assert "ankle-care" not in es.nodes and "cold-foot" not in es.nodes and "ankle-care/ankle-brace" not in es.nodes
    assert [(g.term, g.definition) for g in es.glossary] == [("férula", "Un soporte rígido que mantiene quieta una articulación.")]
    assert es.vocabulary.type_label("device") == "Férula o aparato" and es.language == "es" and es.translation_draft


def test_each_text_is_translated_untranslated_or_stale(tmp_path: Path) -> None:
    project = _project(tmp_path)
    kb, translations, _ = _spanish(project / "pathway")
    before = {(s.who, s.slot): s.status for s in field_states(kb, translations["es"])}
    assert before[("treatment 'splint'", ("title",))] == "translated"
    assert before[("treatment 'ice-pack'", ("title",))] == "untranslated"
    # The English changes after its translation: the translation is stale, and the edition shows the English.
    _edit(project / "pathway/shared/treatments.yml", "keep your wrist straight.", "keep your wrist straight and still.")
    kb, translations, _ = _spanish(project / "pathway")
    after = {(s.who, s.slot): s for s in field_states(kb, translations["es"])}
    stale = after[("treatment 'splint'", ("summary",))]
    assert stale.status == "stale" and not stale.safety
    assert str(stale.position) == "pathway/shared/treatments.es.yml:8:14"
    es = translated_kb(kb, translations["es"], words("es"))
    assert isinstance(es.nodes["splint"].summary, Foreign) and "still" in es.nodes["splint"].summary


def test_a_skeleton_text_left_as_the_english_counts_as_untranslated(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project / "pathway/shared/treatments.es.yml", "{text: Férula para la muñeca,", "{text: Wrist splint,")
    kb, translations, _ = _spanish(project / "pathway")
    states = {(s.who, s.slot): s.status for s in field_states(kb, translations["es"])}
    assert states[("treatment 'splint'", ("title",))] == "untranslated"


# --- strict: safety text is never silently English --------------------------------------------------------------


def test_a_red_flag_without_its_translation_fails_the_strict_build_naming_file_id_and_field(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project / "pathway/wrist/care.es.yml", '    summary: {text: "No siente los dedos, o se le caen las cosas todo el tiempo.", en: 36360d042f29}\n', "")
    message = "pathway/wrist/care.es.yml:11:3: warning: indicator 'wrist-care/numb-hand': field 'summary' is not translated into es"
    result = _build(project, "en-US", "es")
    assert result.returncode == 1 and message in result.output and "Traceback" not in result.output, result.output
    assert not (project / "site").exists()
    checked = _carepath(project, "check", "--strict")
    assert checked.returncode == 1 and message in checked.stdout, checked.stdout + checked.stderr
    # Without --strict it is a warning: said, and the check passes.
    assert _carepath(project, "check").returncode == 0


def test_a_whole_entry_missing_is_named_at_the_english(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project / "pathway/shared/treatments.es.yml", "    get_help_if:\n      - {text: Los dedos se le ponen fríos o pálidos, en: 872eba6e5740}\n", "")
    _edit(project / "pathway/wrist/care.es.yml", "indicators:\n", "indicators_gone:\n")
    checked = _carepath(project, "check", "--strict")
    out = checked.stdout + checked.stderr
    assert "pathway/shared/treatments.es.yml:6:3: warning: treatment 'splint': field 'get_help_if[0]' is not translated into es" in out
    # The whole entry gone (its section misspelt): each safety text is named at the English entry.
    assert "pathway/wrist/care.yml:19:9: warning: indicator 'wrist-care/numb-hand': field 'title' is not translated into es" in out
    # A key that is no section is an error of the file, named with what was meant.
    assert "pathway/wrist/care.es.yml:10:1: unknown top-level key 'indicators_gone' (did you mean 'indicators'?)" in out


def test_a_stale_safety_text_is_a_warning_naming_the_translation(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _edit(project / "pathway/wrist/care.yml", "    title: Your hand goes numb and weak", "    title: Your hand goes numb or weak")
    checked = _carepath(project, "check", "--strict")
    assert checked.returncode == 1
    assert (
        "pathway/wrist/care.es.yml:12:12: warning: indicator 'wrist-care/numb-hand': field 'title' changed in English since it was "
        "translated into es; translate it again and update its 'en' hash"
    ) in checked.stdout


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "pathway/shared/treatments.es.yml",
            "  splint:\n",
            "  splnt:\n",
            "pathway/shared/treatments.es.yml:6:3: treatment 'splnt': no such treatment in 'pathway/shared/treatments.yml' (did you mean 'splint'?)",
        ),
        (
            "pathway/shared/treatments.es.yml",
            "    body: {text:",
            "    bodyy: {text:",
            "pathway/shared/treatments.es.yml:9:5: treatment 'splint': unknown field 'bodyy' (did you mean 'body'?)",
        ),
        (
            "pathway/shared/treatments.es.yml",
            "    risks:\n",
            "    type: {text: dispositivo, en: 0123456789ab}\n    risks:\n",
            "pathway/shared/treatments.es.yml:10:5: treatment 'splint': unknown field 'type' (ids, references, codes, urgencies and sources are never translated)",
        ),
        (
            "pathway/wrist/care.es.yml",
            "      - {text: Dolor de noche, en: 9bb072d08660}\n",
            "      - {text: Dolor de noche, en: 9bb072d08660}\n      - {text: Dolor de día, en: 9bb072d08660}\n",
            "pathway/wrist/care.es.yml:20:7: condition 'wrist-care/sore-wrist': 'symptoms' has 3 items, the English 2: one translation per English item, in the same order",
        ),
        (
            "pathway/wrist/care.es.yml",
            "en: 5462aa2925f8",
            "en: 5462aa29",
            (
                "pathway/wrist/care.es.yml:6:43: stage 'wrist-care/rest-first': 'title': 'en' is '5462aa29', not the 12 hex digits of the "
                "English's hash (carepath translations --write-skeleton writes them)"
            ),
        ),
        (
            "pathway/shared/treatments.es.yml",
            "{text: Los dedos se le ponen fríos o pálidos,",
            "{text: Los dedos se le ponen fríos; llame al 911,",
            "pathway/shared/treatments.es.yml:13:9: treatment 'splint': 'get_help_if[0]' says '911'; the edition's locale profile says whom to call",
        ),
        (
            "pathway/shared/treatments.es.yml",
            "{text: Piel irritada donde roza la férula,",
            "{text: Piel irritada; vaya a la sala de emergencias,",
            "pathway/shared/treatments.es.yml:11:9: treatment 'splint': 'risks[0]' says 'sala de emergencias'",
        ),
        (
            "pathway/wrist/care.es.yml",
            "{text: Descanse la muñeca,",
            "{text: " + "Descanse la muñeca " * 20 + ",",
            "pathway/wrist/care.es.yml:6:12: stage 'wrist-care/rest-first': 'title' is 379 characters, over the limit of 300 (the English field's)",
        ),
    ],
)
def test_a_malformed_translation_is_an_error_at_its_line(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    project = _project(tmp_path)
    _edit(project / file, old, new)
    checked = _carepath(project, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert message in checked.stderr, checked.stderr


def test_a_broken_translation_fails_an_english_build_too(tmp_path: Path) -> None:
    """As `check` does: what is wrong in a translation file is found before anyone builds its language."""
    project = _project(tmp_path)
    _edit(project / "pathway/shared/treatments.es.yml", "  splint:\n", "  splnt:\n")
    built = _build(project, "en-US")
    assert built.returncode == 1 and "Traceback" not in built.output and not (project / "site").exists()
    assert "pathway/shared/treatments.es.yml:6:3: treatment 'splnt': no such treatment" in built.output


def test_a_translation_into_a_language_with_no_catalogue_is_an_error(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "pathway/shared/treatments.xx.yml").write_text("translation: {language: xx, status: draft}\n", encoding="utf-8")
    checked = _carepath(project, "check")
    assert checked.returncode == 1
    assert "pathway/shared/treatments.xx.yml:1:1: a translation into 'xx': Carepath has no words catalogue for it (carepath/words/xx.yml); it has 'es'" in checked.stderr


# --- the built edition --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The fixture built as en-US at the root and es in `es/`."""
    result = _build(_project(tmp_path_factory.mktemp("languages")), "en-US", "es")
    assert result.returncode == 0, result.output
    return result


def test_spanish_pages_say_their_language_and_speak_it(built: Build) -> None:
    for url in ("es/", "es/splint/", "es/wrist-care/numb-hand/", "es/glossary/", "es/404.html"):
        assert '<html lang="es"' in built.html(url)[:2000], url
    page = built.html("es/splint/")
    # Carepath's chrome from the Spanish catalogue, Material's from its own Spanish (theme.language).
    assert "Cuándo pedir ayuda" in page and "Llame al 911 o a su número local de emergencias ahora." in page
    assert 'placeholder="Búsqueda"' in page and 'aria-label="Búsqueda"' in page
    assert "Traducción: falta la revisión" in page  # the translation is a draft
    home = built.html("es/")
    assert "Guías de atención" in home and "Cuidado de una muñeca adolorida" in home
    # English pages are as they were.
    assert '<html lang="en-US"' in built.html("splint/")[:2000] and "When to get help" in built.html("splint/")


def test_spanish_search_is_in_spanish_and_holds_only_the_edition(built: Build) -> None:
    index = json.loads((built.site / "es/search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["es"]
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert "splint/" in locations and "wrist-care/numb-hand/" in locations
    assert not any(loc.startswith(("ankle-care", "cold-foot")) for loc in locations)
    english = json.loads((built.site / "search/search_index.json").read_text(encoding="utf-8"))
    assert english["config"]["lang"] == ["en"]


def test_untranslated_text_is_english_marked_with_a_notice(built: Build) -> None:
    page = article(built.html("es/ice-pack/"))
    marked = [e for e in elements(page) if e.attrs.get("lang") == "en"]
    assert {e.tag for e in marked} >= {"span", "div"}
    assert "Esta parte aún no está traducida; se muestra en inglés." in page
    assert "Partes de esta página aún no están traducidas y se muestran en inglés." in page
    # A fully translated page marks only what it shows of another page: the untranslated title in its "next page" link.
    splint = [e for e in elements(article(built.html("es/splint/"))) if e.attrs.get("lang") == "en"]
    assert [e.tag for e in splint] == ["span"] and "Página siguiente:" in article(built.html("es/splint/"))
    # A hand-written page, which has no translation, is shown in English under the notice.
    about = article(built.html("es/about/"))
    assert '<h1 id="about-this-site" lang="en">' in about and '<div class="cp-untranslated" lang="en">' in about


def test_hreflang_and_the_switcher_link_only_twins_that_exist(built: Build) -> None:
    def alternates(url: str) -> dict[str, str]:
        return {e.attrs["hreflang"]: e.attrs["href"] for e in elements(built.html(url)) if e.tag == "link" and e.attrs.get("rel") == "alternate"}

    assert alternates("es/splint/") == {
        "en-US": "https://wrist.example.test/splint/",
        "es": "https://wrist.example.test/es/splint/",
        "x-default": "https://wrist.example.test/splint/",
    }
    assert alternates("splint/")["es"] == "https://wrist.example.test/es/splint/"
    # The ankle pathway is not translated: no Spanish twin, so no alternate and no switcher on its pages.
    assert alternates("ankle-care/") == {} and 'class="cp-editions"' not in built.html("ankle-care/")
    assert not (built.site / "es/ankle-care").exists()
    switcher = next(e for e in elements(built.html("es/splint/")) if e.tag == "nav" and "cp-editions" in e.attrs.get("class", ""))
    assert switcher.attrs["aria-label"] == "Ediciones"


def test_spanish_glossary_terms_are_linked_and_english_ones_are_not(built: Build) -> None:
    page = article(built.html("es/splint/"))
    assert re.search(r'<a href="../glossary/#term-ferula" title="Un soporte rígido que mantiene quieta una articulación.">férula</a>', page)
    assert "#term-splint" not in page


# --- readability by the language's formula --------------------------------------------------------------------


def test_a_spanish_page_is_graded_by_szigriszt_pazos() -> None:
    easy = '<article class="md-content__inner md-typeset"><h1>Férula</h1><p>Use la férula de noche. Le ayuda a dormir.</p></article>'
    score = score_html(easy, [], language="es")
    assert score.inflesz is not None and score.inflesz >= MIN_INFLESZ and score.fk_grade == 0.0
    hard = (
        '<article class="md-content__inner md-typeset"><h1>Descompresión</h1><p>La intervención quirúrgica de descompresión '
        "del ligamento transverso del carpo se realiza habitualmente bajo anestesia locorregional ambulatoria, con recuperación "
        "funcional progresiva e individualizada según la evolución clínica postoperatoria.</p></article>"
    )
    assert (score_html(hard, [], language="es").inflesz or 0) < MIN_INFLESZ
    assert score_html(easy, []).inflesz is None  # English pages keep their grades
    kb, translations, _ = _spanish()
    es = translated_kb(kb, translations["es"], words("es"))
    assert PageScorer(Cache(None), es).score(easy, "splint").inflesz == score.inflesz


def test_a_hard_spanish_page_fails_check_strict_by_the_spanish_formula(tmp_path: Path) -> None:
    project = _project(tmp_path)
    hard = (
        "La intervención quirúrgica de descompresión del ligamento transverso del carpo se realiza habitualmente bajo anestesia "
        "locorregional ambulatoria y con recuperación funcional progresiva e individualizada según la evolución clínica postoperatoria."
    )
    _edit(project / "pathway/shared/treatments.es.yml", "{text: Una férula que usa de noche para mantener la muñeca recta.,", f"{{text: {hard},")
    _edit(project / "pathway/shared/treatments.es.yml", "{text: La usa **todas las noches** durante unas semanas.,", f"{{text: {hard} {hard},")
    checked = _carepath(project, "check", "--strict")
    assert checked.returncode == 1
    assert re.search(r"pathway/shared/treatments\.yml:2:9: warning: readability \(es\): treatment 'splint': Szigriszt-Pazos score \d+\.\d is below 55", checked.stdout), checked.stdout


# --- which editions a build makes ----------------------------------------------------------------------------


def test_all_leaves_out_a_language_nothing_is_translated_into() -> None:
    assert chosen_editions(["all"], "en-US") == (["en-US", "en-GB"], None)
    assert chosen_editions(["all"], "en-US", frozenset({"es"})) == (["en-US", "en-GB", "es"], None)
    chosen, problem = chosen_editions(["en-US", "es"], "en-US")
    assert chosen == [] and problem is not None and problem.startswith("--edition: 'es': no pathway is translated into 'es' yet")


def test_check_counts_each_language_and_translations_lists_what_is_missing(tmp_path: Path) -> None:
    project = _project(tmp_path)
    checked = _carepath(project, "check")
    assert checked.returncode == 0
    assert "es: 1 pathway (wrist-care): 21 translated, 3 untranslated, 0 stale" in checked.stdout
    listed = _carepath(project, "translations", "--lang", "es", "--missing")
    assert listed.returncode == 0
    assert "pathway/shared/treatments.yml:14:9: untranslated: treatment 'ice-pack': field 'how_it_helps' is not translated into es" in listed.stdout
    assert listed.stdout.rstrip().endswith("es: 21 translated, 3 untranslated, 0 stale")


def test_the_skeleton_adds_what_is_missing_and_keeps_what_is_translated(tmp_path: Path) -> None:
    project = _project(tmp_path)
    written = _carepath(project, "translations", "--lang", "es", "--write-skeleton")
    assert written.returncode == 0, written.stderr
    text = (project / "pathway/shared/treatments.es.yml").read_text(encoding="utf-8")
    assert "Férula para la muñeca" in text and f"text: Ice pack\n      en: {english_hash('Ice pack')}" in text
    kb, translations, found = _spanish(project / "pathway")
    assert found == []
    states = [s.status for s in field_states(kb, translations["es"])]
    assert states.count("translated") == 21 and states.count("untranslated") == 3  # the English copied in is not a translation


def test_a_cached_rebuild_follows_the_translation_status(tmp_path: Path) -> None:
    """The notices are the edition's, not a node's: a page the cache holds is made again when they change."""
    from dataclasses import replace

    from carepath.build.site import build_site_pages
    from carepath.settings import Settings

    project = _project(tmp_path / "project")
    settings = replace(Settings.from_mkdocs_yml(project / "mkdocs.yml"), edition="es", today=TODAY)
    cache = tmp_path / "cache"
    first = build_site_pages(settings, Cache(cache))
    assert "Traducción: falta la revisión" in first.pages["splint.md"]
    for path in (project / "pathway").rglob("*.es.yml"):
        _edit(path, "  status: draft\n", "  status: reviewed\n  reviewer: Dra. Prueba Fixture\n  last_reviewed: 2026-05-01\n")
    again = build_site_pages(settings, Cache(cache))
    assert "Traducción: falta la revisión" not in again.pages["splint.md"]


def test_translated_text_is_escaped_where_it_lands(tmp_path: Path) -> None:
    """A translation's text goes through the same escaping as the English: markup in it is shown, never run."""
    from dataclasses import replace

    from carepath.build.site import build_site_pages
    from carepath.settings import Settings

    project = _project(tmp_path / "project")
    es_file = project / "pathway/shared/treatments.es.yml"
    _edit(es_file, "{text: Férula para la muñeca,", '{text: "Férula <img src=x onerror=alert(1)>",')
    _edit(es_file, "{text: La usa **todas las noches** durante unas semanas.,", '{text: "Vea [esto](javascript:alert(1)) <script>alert(1)</script>",')
    _edit(project / "pathway/shared/glossary.es.yml", "{text: Un soporte rígido que mantiene quieta una articulación.,", '{text: "Un soporte \\" onmouseover=alert(1) x=\\"",')
    settings = replace(Settings.from_mkdocs_yml(project / "mkdocs.yml"), edition="es", today=TODAY)
    page = build_site_pages(settings, Cache(None)).pages["splint.md"]
    assert "<img" not in page and "<script" not in page and "javascript:" not in page
    assert "# Férula &lt;img src=x onerror=alert\\(1\\)&gt;" in page
    assert "Vea [esto](#)" in page and "&lt;script>" in page
    # The Spanish definition lands in the glossary link's title: an attribute value, never an attribute of its own.
    html, _ = page_html(page)
    assert 'title="Un soporte &quot; onmouseover=alert(1) x=&quot;"' in html
    assert not [e for e in elements(html) if "onmouseover" in e.attrs]


def test_a_one_word_synonym_may_be_the_same_in_both_languages(tmp_path: Path) -> None:
    """A brand name or an abbreviation is not left untranslated by being the same; a sentence is."""
    project = _project(tmp_path)
    _edit(project / "pathway/shared/treatments.yml", "    type: device\n", "    type: device\n    synonyms: [Futuro, night brace]\n")
    _edit(
        project / "pathway/shared/treatments.es.yml",
        "    risks:\n",
        f"    synonyms:\n      - {{text: Futuro, en: {english_hash('Futuro')}}}\n      - {{text: night brace, en: {english_hash('night brace')}}}\n    risks:\n",
    )
    kb, translations, found = _spanish(project / "pathway")
    assert found == []
    states = {s.slot: s.status for s in field_states(kb, translations["es"]) if s.who == "treatment 'splint'"}
    assert (states[("synonyms", 0)], states[("synonyms", 1)]) == ("translated", "untranslated")


def test_english_shown_in_the_spanish_edition_is_in_its_us_spelling(tmp_path: Path) -> None:
    """A site written in British spelling: what the Spanish edition (for readers in the US) shows in English reads as
    the US edition would, and the translation's hashes, of the text as written, still match."""
    project = _project(tmp_path)
    (project / "pathway/shared/vocabulary.yml").write_text("vocabulary:\n  spelling: british\n", encoding="utf-8")
    _edit(project / "pathway/shared/treatments.yml", "    how_it_helps: The cold calms the swelling.", "    how_it_helps: The cold calms the swelling and its colour.")
    kb, translations, _ = _spanish(project / "pathway")
    es = translated_kb(kb, translations["es"], words("es"))
    helps = es.nodes["ice-pack"].how_it_helps  # type: ignore[union-attr]
    assert isinstance(helps, Foreign) and helps == "The cold calms the swelling and its color."
    assert es.nodes["splint"].title == "Férula para la muñeca" and "splint" not in es.untranslated
