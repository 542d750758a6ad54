"""The readability gate over built pages: grades, jargon, what is left out, thresholds and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from carepath import load_knowledge_base
from carepath.audit.readability import NO_SCORE_CLASS, NoSiteError, score_html, score_site
from carepath.cli.main import main
from carepath.model.graph import GlossaryEntry, KnowledgeBase
from carepath.settings import Settings
from carepath.text.glossary import annotate
from carepath.urls import Urls

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "readability"
PATHWAY = FIXTURES / "pathway"
EASY_PAGES = ("first-steps", "rest", "nerve-block")
"""Node pages of the easy fixture site; `back-pain` is deliberately not built."""

GLOSSARY = [
    GlossaryEntry(term="nerve block", definition="A shot of numbing medicine next to a nerve.", also=["nerve blocks"]),
    GlossaryEntry(term="radiofrequency ablation", definition="Heat that stops a nerve sending pain.", abbreviation="RFA"),
]


def material_page(article: str, title: str = "Page") -> str:
    """A built page shaped like Material's, with `article` as the content."""
    shell = (FIXTURES / "shell.html").read_text(encoding="utf-8")
    return shell.replace("{title}", title).replace("{article}", article)


def article(name: str) -> str:
    return (FIXTURES / "articles" / f"{name}.html").read_text(encoding="utf-8")


def build_site(root: Path, pages: dict[str, str]) -> Path:
    """Write `{node_id: article fixture name}` as a built site under `root/site`."""
    site = root / "site"
    for node_id, name in pages.items():
        path = site / node_id / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(material_page(article(name), node_id), encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    kb, _ = load_knowledge_base(PATHWAY)
    return kb


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carepath", "readability", *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


# --- whole sites -----------------------------------------------------------------------------------


def test_easy_site_passes(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = build_site(tmp_path, {p: p for p in EASY_PAGES})
    report = score_site(site, kb)
    assert report.failures == []
    assert [p.node_id for p in report.pages] == sorted(EASY_PAGES)
    assert report.missing == ["back-pain"]
    assert all(0 < p.fk_grade <= 7 and p.words > 20 for p in report.pages)


def test_hard_page_fails_the_gate_and_is_named(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = build_site(tmp_path, {"first-steps": "first-steps", "rest": "hard", "nerve-block": "nerve-block"})
    report = score_site(site, kb)
    hard = next(p for p in report.pages if p.node_id == "rest")
    assert hard.fk_grade > 15
    assert hard.smog > 15
    assert any(f.startswith(f"{site.as_posix()}/rest/index.html: Flesch-Kincaid grade") for f in report.failures)
    assert "epidemiological" in hard.long_words


def test_median_over_the_limit_fails(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = build_site(tmp_path, {p: p for p in EASY_PAGES})
    report = score_site(site, kb, max_grade=20, max_median=0)
    assert len(report.failures) == 1
    assert report.failures[0].startswith("median Flesch-Kincaid grade")
    assert "over 3 pages is above the limit of 0" in report.failures[0]


def test_missing_site_is_a_clear_error(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(NoSiteError, match=r"no built site at .*/site/; run make site first"):
        score_site(tmp_path / "site", kb)


def test_site_without_node_pages_fails(tmp_path: Path, kb: KnowledgeBase) -> None:
    (tmp_path / "site").mkdir()
    report = score_site(tmp_path / "site", kb)
    assert report.failures == ["no node pages found in the built site; is it built from this pathway?"]


def test_page_without_material_article_fails(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = build_site(tmp_path, {"rest": "rest"})
    (site / "rest" / "index.html").write_text("<html><body><p>Plain page.</p></body></html>", encoding="utf-8")
    report = score_site(site, kb)
    assert report.failures == [
        f'{site.as_posix()}/rest/index.html: no <article class="md-content__inner"> found; is this a Material page?'
    ]


# --- what is read ----------------------------------------------------------------------------------


def test_only_article_prose_is_scored() -> None:
    """Header, sidebar nav, footer, tables, code, nav and cp-no-score chrome add nothing to the score."""
    full = score_html(material_page(article("nerve-block")), GLOSSARY)
    prose_only = score_html(
        material_page(
            """<h1>Nerve block</h1>
<p>A <a href="../glossary/#term-nerve-block">nerve block</a> is a shot that numbs a nerve for a few hours.</p>
<h2>What it is</h2>
<p>The doctor puts a thin needle near the nerve.
The shot numbs the nerve.
If your pain goes away for a few hours, that nerve is the cause.
Nerve blocks do not hurt much.</p>
<h2>How long it lasts</h2>
<p>The shot wears off in a few hours. You can go home the same day.</p>
<h2>Questions to ask</h2>
<ul><li>Who will do the shot?</li><li>Can I drive home after?</li></ul>"""
        ),
        GLOSSARY,
    )
    assert (full.words, full.fk_grade, full.smog) == (prose_only.words, prose_only.fk_grade, prose_only.smog)
    assert full.unexplained == []
    assert full.long_words == []


def test_excluded_class_name() -> None:
    assert NO_SCORE_CLASS == "cp-no-score"
    page = material_page('<p>Walk a bit.</p><div class="note cp-no-score"><p>Electroencephalography (EEG).</p></div>')
    score = score_html(page, GLOSSARY)
    assert (score.words, score.unexplained, score.long_words) == (3, [], [])


def test_headings_and_list_items_end_sentences() -> None:
    """A heading or list item without a full stop does not run into the next sentence."""
    bare = score_html(material_page("<h2>Tips</h2><ul><li>Wear flat shoes</li><li>Use a heat pad</li></ul>"), GLOSSARY)
    stopped = score_html(material_page("<h2>Tips.</h2><ul><li>Wear flat shoes.</li><li>Use a heat pad.</li></ul>"), GLOSSARY)
    assert bare.fk_grade == stopped.fk_grade
    assert bare.words == stopped.words == 8


def test_nested_list_text_is_counted_once() -> None:
    score = score_html(material_page("<ul><li><p>Walk each day.</p><ul><li>Start slow.</li></ul></li></ul>"), GLOSSARY)
    assert score.words == 5


# --- jargon ----------------------------------------------------------------------------------------


def test_unexplained_abbreviation_is_jargon() -> None:
    score = score_html(material_page(article("unexplained-abbreviation")), GLOSSARY, "rest", "site/rest/index.html")
    assert [(j.word, j.kind) for j in score.unexplained] == [("MRI", "abbreviation")]
    assert "MRI scan" in score.unexplained[0].context


def test_unexplained_abbreviation_fails_the_gate(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = build_site(tmp_path, {"rest": "unexplained-abbreviation"})
    report = score_site(site, kb)
    assert len(report.failures) == 1
    assert report.failures[0].startswith(f"{site.as_posix()}/rest/index.html: abbreviation 'MRI' has no <abbr> explanation")


def test_jargon_hints_say_what_would_fix_it() -> None:
    score = score_html(material_page("<p>Ask about an MRI.</p><div><ol><li>RFA (procedure)</li></ol></div>"), GLOSSARY)
    assert [(j.word, j.hint) for j in score.unexplained] == [
        ("MRI", "write it out, or add it to the glossary with an `abbreviation:`"),
        (
            "RFA",
            "it is in the glossary, but the abbr extension does not reach raw HTML: write it as Markdown or use <abbr title>",
        ),
    ]


def test_abbreviations_cannot_game_the_grade() -> None:
    """Short capitals lower the grade, so every one must be explained on the page."""
    score = score_html(material_page("<p>See the GP for a CT or an ECG.</p>"), GLOSSARY)
    assert [j.word for j in score.unexplained] == ["GP", "CT", "ECG"]


def test_abbreviation_explained_anywhere_on_the_page() -> None:
    page = material_page('<p>An ECG is quick.</p><p>The <abbr title="electrocardiogram">ECG</abbr> checks your heart.</p>')
    assert score_html(page, GLOSSARY).unexplained == []


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        ('<p>A <a href="../glossary/#term-nerve-block">nerve block</a> numbs. The nerve block wears off.</p>', []),
        ("<p>A nerve block numbs.</p>", ["nerve block"]),
        ('<p>A nerve block numbs.</p><p>A <a href="../glossary/#term-nerve-block">nerve block</a> again.</p>', ["nerve block"]),
        ('<p>Read about <a href="../nerve-block/">nerve blocks</a>.</p>', []),
        ('<h2>Nerve block</h2><p>A <a href="../glossary/#term-nerve-block">nerve block</a> numbs.</p>', []),
        (
            '<p>A <a href="../glossary/#term-nerve-block">nerve block</a> numbs. Radiofrequency ablation heats.</p>',
            ["radiofrequency ablation"],
        ),
        ('<p><a href="../glossary/index.html#term-nerve-block">Nerve blocks</a> numb. So does a nerve block.</p>', []),
        ('<p>Some have <abbr title="radiofrequency ablation">RFA</abbr>. Radiofrequency ablation uses heat.</p>', []),
        ('<div class="cp-no-score"><p>A nerve block.</p></div><p>Plain words.</p>', []),
        ("<table><tr><td>nerve block</td></tr></table>", ["nerve block"]),
    ],
)
def test_glossary_term_first_use_must_be_explained(body: str, flagged: list[str]) -> None:
    score = score_html(material_page(body), GLOSSARY)
    assert [j.word.lower() for j in score.unexplained if j.kind == "term"] == flagged


def test_long_words_are_listed_not_gated(tmp_path: Path, kb: KnowledgeBase) -> None:
    page = material_page(
        "<p>Your physiotherapy helps. Ask about electromyography and radiofrequency ablation. "
        '<a href="../x/">Polysyllabic link</a> text.</p>'
    )
    score = score_html(page, GLOSSARY)
    assert score.long_words == ["electromyography"]


def test_annotated_markdown_passes_the_jargon_check() -> None:
    """What `annotate` writes is exactly what the gate accepts, once Markdown has built it."""
    source = (
        "# Radiofrequency ablation\n\nRFA stops pain. Radiofrequency ablation uses heat.\n\n"
        "- A nerve block comes first.\n- Nerve blocks are quick.\n\n"
        '<div class="cp-meta cp-no-score" markdown="1">\nNot medical advice about a nerve block.\n</div>\n'
    )
    text = annotate(source, GLOSSARY, "rfa.md")
    html = markdown.markdown(text, extensions=["abbr", "attr_list", "md_in_html", "admonition", "tables", "toc"])
    html = html.replace('href="glossary.md#', 'href="../glossary/#')
    assert score_html(material_page(html), GLOSSARY).unexplained == []
    assert [j.word for j in score_html(material_page(html.replace("<abbr", "<span")), GLOSSARY).unexplained] == ["RFA"]


# --- configuration and command line ----------------------------------------------------------------


def test_thresholds_from_mkdocs_yml(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: T\nsite_url: !ENV [SITE_URL_FOR_TEST, 'https://x.invalid/']\n"
        "extra:\n  thing: !relative $config_dir\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n  - search\n  - carepath:\n      readability:\n        max_grade: 6.5\n        max_median: 5\n",
        encoding="utf-8",
    )
    settings = Settings.from_mkdocs_yml(config)
    assert (settings.readability.max_grade, settings.readability.max_median, settings.use_directory_urls) == (6.5, 5.0, True)
    assert settings.site_url == "https://x.invalid/"


def test_thresholds_from_the_mapping_form_of_plugins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`plugins:` as a mapping (a form MkDocs accepts) is read like the list form."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"plugins:\n  search: {{}}\n  carepath:\n    pathway_dir: {PATHWAY.as_posix()}\n    readability:\n      max_grade: 1\n",
        encoding="utf-8",
    )
    assert Settings.from_mkdocs_yml(config).readability.max_grade == 1.0
    site = build_site(tmp_path / "built", {p: p for p in EASY_PAGES})
    args = ["readability", "--site-dir", str(site), "--config", str(config)]  # the pathway folder named in mkdocs.yml
    assert main(args) == 1
    assert "above the limit of 1;" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plugins: [carepath\n", "mkdocs.yml:2:1: not valid YAML (expected ',' or ']', but got '<stream end>')"),
        ("- a list\n", "mkdocs.yml: expected a mapping of settings, got list"),
        (
            "plugins:\n  - carepath:\n      readability: 7\n",
            "mkdocs.yml: plugins.carepath.readability: expected a mapping, got 7",
        ),
    ],
)
def test_unreadable_mkdocs_yml_is_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    assert main(["readability", "--site-dir", str(tmp_path), "--pathway-dir", str(PATHWAY), "--config", str(config)]) == 1
    assert capsys.readouterr().err == f"{tmp_path.as_posix()}/{message}\n"


def test_cli_flags_override_mkdocs_yml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build_site(tmp_path, {p: p for p in EASY_PAGES})
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - carepath:\n      readability:\n        max_grade: 1\n", encoding="utf-8")
    args = ["readability", "--site-dir", str(site), "--pathway-dir", str(PATHWAY), "--config", str(config)]
    assert main(args) == 1
    assert "above the limit of 1;" in capsys.readouterr().err
    assert main([*args, "--max-grade", "8"]) == 0


def test_cli_rejects_a_bad_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - carepath:\n      readability:\n        max_grade: high\n", encoding="utf-8")
    assert main(["readability", "--site-dir", str(tmp_path), "--pathway-dir", str(PATHWAY), "--config", str(config)]) == 1
    assert "plugins.carepath.readability.max_grade: expected a number, got 'high'" in capsys.readouterr().err


def test_cli_prints_the_table_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build_site(tmp_path, {p: p for p in EASY_PAGES})
    args = ["readability", "--site-dir", str(site), "--pathway-dir", str(PATHWAY), "--config", str(tmp_path / "none.yml")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["page", "FK", "grade", "SMOG", "words", "unexplained", "jargon"]
    assert [line.split()[0] for line in out.splitlines()[2:5]] == sorted(EASY_PAGES)
    assert "not built, so not scored: back-pain" in out


def test_cli_subprocess_exit_codes(tmp_path: Path) -> None:
    """A hard page exits 1 naming it; no site exits 1 with one clear line; never a traceback."""
    build_site(tmp_path, {"first-steps": "first-steps", "rest": "hard"})
    common = ("--pathway-dir", str(PATHWAY), "--config", str(tmp_path / "none.yml"))

    bad = run_cli(*common, "--json", cwd=tmp_path)
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert lines[0].startswith("site/rest/index.html: Flesch-Kincaid grade ")
    assert lines[1].startswith("median Flesch-Kincaid grade ")
    assert lines[2:] == ["readability gate failed: 2 problems"]
    assert json.loads(bad.stdout)["ok"] is False

    missing = run_cli("--site-dir", "nowhere", *common, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "no built site at nowhere/; run make site first"

    for result in (bad, missing):
        assert "Traceback" not in result.stderr + result.stdout


def test_pages_without_directory_urls(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "rest.html").write_text(material_page(article("rest")), encoding="utf-8")
    report = score_site(site, kb, urls=Urls(use_directory_urls=False))
    assert [(p.node_id, p.path) for p in report.pages] == [("rest", f"{site.as_posix()}/rest.html")]
    assert report.ok
