"""`check --strict` and the strict build give the same readability verdict, in the same words, at the YAML's place.

Each case is a real `mkdocs build --strict` and a real `python -m carepath check --strict` of one project: a
pathway from another specialty (a knee pathway beside the fixture's asthma one) whose summary says "X-ray".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from helpers_site import SITE_FIXTURE, build, copy_project, run

KNEE = """\
pathways:
  - id: knee-pain
    title: Knee pain
    summary: What happens when your knee hurts.
    stages: [knee-first-look]
    red_flags: [hot-swollen-knee]

stages:
  - id: knee-first-look
    title: A first look at your knee
    summary: A nurse looks at your knee and may take a picture of it.
    options: [knee-films]

treatments:
  - id: knee-films
    title: Pictures of your knee
    summary: An X-ray takes a picture of the inside of your knee.
    type: assessment

indicators:
  - id: hot-swollen-knee
    title: A hot, swollen knee and a fever
    summary: Your knee is hot, red and swollen, and you feel hot and unwell.
    urgency: emergency
    action: Get help now.
"""
"""Passes both ways: its "X-ray" is written `X\\-ray` in the page's Markdown, and the glossary must still find it."""

XRAY = """\
  - term: X-ray
    definition: A picture of the inside of your body made with a small dose of radiation.
"""

HOSTILE_NODES = """\
  - id: knee-old-films
    title: Pictures taken before
    summary: Bring the pictures of your knee you already have.
    type: education
    body: |
      Stop!X-ray pictures from before help the nurse.
  - id: knee-scan-report
    title: Your scan report
    summary: What the report of your scan says.
    type: education
    body: |
      Comprehensive musculoskeletal radiographic investigations characteristically demonstrate degenerative osteoarthritic abnormalities, subchondral sclerosis, osteophyte formation and progressive intra-articular narrowing in individuals experiencing persistent symptomatology.
"""
"""Two pages the gate rejects. The first meets "X-ray" right after `!`, where a link would be an image, so the
glossary cannot link it (an author can: a space after the `!`). The second is far above the grade limit."""


def project(tmp_path: Path, *, hostile: bool) -> Path:
    """The site fixture with the knee pathway in `pathway/knee.yml` and the term X-ray in the glossary."""
    root = copy_project(SITE_FIXTURE, tmp_path / ("hostile" if hostile else "clean"))
    knee = KNEE
    if hostile:
        knee = knee.replace("\nindicators:", HOSTILE_NODES + "\nindicators:", 1)
        knee = knee.replace("options: [knee-films]", "options: [knee-films, knee-old-films, knee-scan-report]", 1)
    (root / "pathway" / "knee.yml").write_text(knee, encoding="utf-8")
    care = root / "pathway" / "care.yml"
    care.write_text(care.read_text(encoding="utf-8").rstrip("\n") + "\n" + XRAY, encoding="utf-8")
    return root


def readability_lines(output: str) -> list[str]:
    """The readability gate's messages, without MkDocs' `WARNING -  ` in front."""
    return sorted(re.sub(r"^WARNING\s+-\s+", "", line) for line in output.splitlines() if "readability:" in line)


def check_strict(root: Path) -> tuple[int, str]:
    done = run([sys.executable, "-m", "carepath", "check", "--strict", "pathway"], root)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def where(root: Path, node_id: str) -> str:
    """`pathway/knee.yml:line:col` of a node's id, found in the file as written."""
    lines = (root / "pathway" / "knee.yml").read_text(encoding="utf-8").splitlines()
    line = lines.index(f"  - id: {node_id}") + 1
    return f"pathway/knee.yml:{line}:9"


def test_the_x_ray_summary_passes_the_strict_build_and_check_strict(tmp_path: Path) -> None:
    root = project(tmp_path, hostile=False)
    built = build(root)
    assert built.returncode == 0, built.output
    assert built.warnings == []
    code, output = check_strict(root)
    assert code == 0, output
    assert readability_lines(output) == []
    page = built.html("knee-films/")
    assert re.search(r'<a href="../glossary/#term-x-ray"[^>]*>X-ray</a> takes a picture', page), "the summary's X-ray is linked"


def test_check_strict_rejects_what_the_strict_build_rejects_in_the_same_words(tmp_path: Path) -> None:
    root = project(tmp_path, hostile=True)
    built = build(root)
    code, output = check_strict(root)
    assert built.returncode == 1 and code == 1, built.output + output
    from_build, from_check = readability_lines(built.output), readability_lines(output)
    assert from_build == from_check
    assert from_check == [
        (
            f"{where(root, 'knee-old-films')}: warning: readability: treatment 'knee-old-films': glossary term 'X-ray' is not "
            "explained where it is first used (link its first use to the glossary; annotate() does this for Markdown, not for "
            "raw HTML): “Stop!X-ray pictures from before help the nurse.”"
        ),
        (
            f"{where(root, 'knee-scan-report')}: warning: readability: treatment 'knee-scan-report': Flesch-Kincaid grade "
            f"{grade(from_check)} is above the limit of 8; use shorter sentences and shorter words"
        ),
    ]
    assert not any(".site-building" in line or str(root) in line for line in from_build), "no message names a built file"
    assert output.rstrip().endswith("2 warnings in the pathway data, which --strict treats as errors")


def grade(lines: list[str]) -> str:
    found = [m.group(1) for line in lines if (m := re.search(r"Flesch-Kincaid grade ([0-9.]+) is above", line))]
    assert len(found) == 1, lines
    assert float(found[0]) > 8
    return found[0]


# --- the parts ----------------------------------------------------------------------------------------


def test_check_grades_pages_exactly_as_the_build_writes_them(tmp_path: Path) -> None:
    """Leaving out the handouts and the drawing of the diagrams (page chrome the gate skips) changes no score."""
    from dataclasses import replace

    from carepath.audit.gate import as_article, graded_pages, page_html
    from carepath.audit.readability import score_html
    from carepath.build.cache import Cache
    from carepath.build.site import build_site_pages
    from carepath.settings import Settings
    from carepath.urls import node_uri

    root = project(tmp_path, hostile=True)
    settings = replace(Settings.from_mkdocs_yml(root / "mkdocs.yml"), site_url="https://knee.example.test/")
    site = build_site_pages(settings)
    graded = graded_pages(site.kb, settings, Cache(None))
    assert sorted(graded) == sorted(site.kb.nodes)
    for node_id, markdown in graded.items():
        built = site.pages[node_uri(node_id)]
        assert len(markdown) < len(built), node_id  # no handout, no diagram: there is less to grade
        scores = [score_html(as_article(*page_html(page)), site.kb.glossary) for page in (built, markdown)]
        assert scores[0] == scores[1], node_id


def test_gate_problems_are_at_the_node_and_the_median_at_the_pathway_folder(tmp_path: Path) -> None:
    from carepath import load_knowledge_base
    from carepath.audit.gate import PageScorer, ReadabilityGate
    from carepath.audit.readability import Jargon, PageScore
    from carepath.build.cache import Cache
    from carepath.settings import Settings

    root = project(tmp_path, hostile=False)
    settings = Settings.from_mkdocs_yml(root / "mkdocs.yml")
    kb, _ = load_knowledge_base(settings.pathway_dir, settings.today)
    scorer = PageScorer(Cache(None), kb)
    jargon = Jargon("X-ray", "term", "An X-ray takes a picture", "a hint")
    scores = {n: PageScore(n, "", 9.0 if n == "knee-films" else 7.5, 0.0, 10, [jargon] if n == "knee-films" else []) for n in kb.nodes}
    problems = [str(p) for p in ReadabilityGate(scorer, kb, settings, scores).problems()]
    assert problems == [
        (
            f"{where(root, 'knee-films')}: warning: readability: treatment 'knee-films': Flesch-Kincaid grade 9.0 is above the "
            "limit of 8; use shorter sentences and shorter words"
        ),
        (
            f"{where(root, 'knee-films')}: warning: readability: treatment 'knee-films': glossary term 'X-ray' is not explained "
            "where it is first used (a hint): “An X-ray takes a picture”"
        ),
        f"pathway:1:1: warning: readability: median Flesch-Kincaid grade 7.5 over {len(kb.nodes)} pages is above the limit of 7",
    ]
    assert [str(p) for p in ReadabilityGate(scorer, kb, settings, {}).problems()] == [
        "pathway:1:1: warning: readability: no node page was scored; is the site built from this pathway?"
    ]
