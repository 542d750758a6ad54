"""Rendered Markdown for each page kind, against golden files; and the renderer's own contracts.

Refresh the golden files with `CAREPATH_UPDATE_GOLDEN=1 pytest tests/test_render.py` and review the diff.
The pages are rendered by `render_pages` alone (no glossary, diagram or clinical passes), so a change
to the page templates or escaping shows up here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
from pathlib import Path

import pytest
import yaml
from carepath import PathwayError, check_pathway
from carepath.render.pages import RenderOptions, render_pages
from helpers_site import SITE_FIXTURE

GOLDEN = Path(__file__).resolve().parent / "golden" / "pages"
TODAY = dt.date(2026, 6, 1)
KINDS = {
    "pathway": "asthma-care.md",
    "stage": "everyday-control.md",
    "treatment": "preventer-inhaler.md",
    "condition": "allergic-asthma.md",
    "indicator": "night-cough.md",
    "a-z": "a-z.md",
    "glossary": "glossary.md",
}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    kb, _ = check_pathway(SITE_FIXTURE / "pathway", TODAY)
    return render_pages(kb, RenderOptions(today=TODAY))


@pytest.mark.parametrize("kind", list(KINDS))
def test_page_matches_golden_file(pages: dict[str, str], kind: str) -> None:
    actual = pages[KINDS[kind]]
    golden = GOLDEN / f"{kind}.md"
    if os.environ.get("CAREPATH_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with CAREPATH_UPDATE_GOLDEN=1 and review it"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"golden/pages/{kind}.md", "rendered"
            )
        )
        pytest.fail(f"{KINDS[kind]} differs from its golden file (CAREPATH_UPDATE_GOLDEN=1 refreshes it):\n{diff}", pytrace=False)


def test_every_page_kind_has_a_golden_file() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.md")) == sorted(KINDS)


def test_front_matter_is_yaml_with_html_safe_title(pages: dict[str, str]) -> None:
    for uri, markdown in pages.items():
        assert markdown.startswith("---\n"), uri
        meta = yaml.safe_load(markdown.split("\n---\n", 1)[0][4:])
        assert meta["title"] and meta["description"], uri
        assert "<" not in meta["title"] and "<" not in meta["description"], uri


def test_annotate_sees_the_markdown_but_not_the_front_matter() -> None:
    kb, _ = check_pathway(SITE_FIXTURE / "pathway", TODAY)
    seen: list[str] = []

    def annotate(markdown: str, _kb: object, uri: str) -> str:
        seen.append(markdown)
        return markdown.replace("Preventer inhaler", "ANNOTATED")

    pages = render_pages(kb, RenderOptions(today=TODAY, annotate=annotate))
    assert seen and not any(m.startswith("---") for m in seen)
    head, body = pages["preventer-inhaler.md"].split("\n---\n", 1)
    assert "ANNOTATED" not in head and "ANNOTATED" in body


def test_unknown_node_link_in_prose_names_the_node_and_its_position(tmp_path: Path) -> None:
    shutil.copytree(SITE_FIXTURE / "pathway", tmp_path / "pathway")
    path = tmp_path / "pathway" / "care.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Knowing your triggers", "See [x](node:spirometri). Knowing your triggers"),
        encoding="utf-8",
    )
    kb, problems = check_pathway(tmp_path / "pathway", TODAY)
    # `check` finds it first, at the field that holds it, as the build would.
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "node:spirometri" in text)
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"pathway/care.yml:{line}:11: condition 'allergic-asthma': unknown node link 'node:spirometri' in 'body' (did you mean 'spirometry'?)"
    ]
    # The renderer keeps its own guard for a knowledge base built some other way.
    with pytest.raises(PathwayError) as err:
        render_pages(kb, RenderOptions(today=TODAY))
    [problem] = err.value.problems
    assert str(problem) == (
        f"{kb.positions['allergic-asthma']}: condition 'allergic-asthma': unknown node link 'node:spirometri' in its text (did you mean 'spirometry'?)"
    )


def test_stage_breadcrumb_and_kind_line_give_the_step(pages: dict[str, str]) -> None:
    page = pages["everyday-control.md"]
    assert '<span aria-current="page">Step 2 of 3: Keep asthma under control</span>' in page
    assert "[Step 2 of 3: Keep asthma under control](everyday-control.md)" in pages["preventer-inhaler.md"]
