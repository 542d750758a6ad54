"""The sources register and guidance statements: unknown, superseded and stale citations, inline sources, and a
treatment listed as helping a condition its own guidance says not to offer it for."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.render.pages import RenderOptions, render_pages
from helpers_pathway import SHIPPED, check, journey

TODAY = dt.date(2026, 6, 1)

REGISTER = """\
sources:
  - id: nice-ng59
    title: 'Low back pain and sciatica in over 16s: assessment and management'
    publisher: NICE
    year: 2020
    url: https://www.nice.org.uk/guidance/ng59
    checked: 2026-05-01
  - id: old-guide
    title: An old guide
    checked: 2026-05-01
    superseded_by: nice-ng59
  - id: stale-guide
    title: A guide nobody has looked at
    checked: 2025-01-01
"""

NODES = """\
conditions:
  - id: stenosis
    title: Spinal stenosis
    summary: Narrowing of the spinal canal.
treatments:
  - id: epidural
    title: Epidural
    summary: A shot near the spine.
    type: self-care
    sources: [{cite}]
    relevant_to: [{relevant}]
    guidance:
      - source: nice-ng59
        strength: do-not-offer
        conditions: [stenosis]
        statement: A guideline advises against it for stenosis.
"""


def files(cite: str = "nice-ng59", relevant: str = "", register: str = REGISTER) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {
        "journey.yml": journey("epidural", "stenosis"),
        "nodes.yml": NODES.format(cite=cite, relevant=relevant),
    }
    if register:
        out["shared/sources.yml"] = register
    return out


def test_a_clean_register_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, files())
    assert run.code == 0, run.err


def test_unknown_source_id_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, files(cite="nice-ng95"))
    assert run.code == 1
    assert run.problems == [
        "pathway/nodes.yml:10:15: treatment 'epidural': 'sources' cites 'nice-ng95', which is not in the sources register (did you mean 'nice-ng59'?)"
    ]
    assert "Traceback" not in run.err


def test_superseded_and_stale_sources_are_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for cite, words in (
        ("old-guide", "which is superseded by 'nice-ng59'"),
        ("stale-guide", "last checked on 2025-01-01, more than a year ago"),
    ):
        run = check(tmp_path / cite, capsys, files(cite=cite))
        assert run.code == 0, run.err
        assert any(
            words in line and "warning" in line and line.startswith("pathway/nodes.yml:10:15:") for line in run.out.splitlines()
        ), run.out
        strict = check_pathway(tmp_path / cite / "pathway", TODAY)[1]
        assert any(p.severity == "warning" for p in strict)


def test_inline_source_is_a_warning_only_once_there_is_a_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inline = "{title: A book}"
    with_register = check(tmp_path / "a", capsys, files(cite=inline))
    assert "cites 'A book' inline; add it to the sources register and cite its id" in with_register.out
    without = check(tmp_path / "b", capsys, files(cite=inline, register=""))
    assert "inline" not in without.out + without.err  # (its guidance still cites an id, which needs the register)


def test_register_in_a_pathway_folder_and_duplicates_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = files()
    given["more-sources.yml"] = "sources:\n  - id: nice-ng59\n    title: Again\n    checked: 2026-01-01\n"
    run = check(tmp_path, capsys, given)
    assert run.code == 1
    assert any("source 'nice-ng59': duplicate id, already defined at" in line for line in run.problems), run.err


def test_do_not_offer_contradicting_relevant_to_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, files(relevant="stenosis"))
    assert run.code == 1
    assert run.problems == [
        (
            "pathway/nodes.yml:11:19: treatment 'epidural': 'relevant_to' of this treatment lists it as relevant to 'stenosis', "
            "but its guidance at pathway/nodes.yml:15:22 says do not offer it for 'stenosis'; remove the link, or correct the statement"
        )
    ]


def test_guidance_names_an_unknown_condition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = files()
    given["nodes.yml"] = str(given["nodes.yml"]).replace("conditions: [stenosis]", "conditions: [stenosys]")
    run = check(tmp_path, capsys, given)
    assert run.code == 1
    assert any(
        "'guidance.0.conditions' names 'stenosys', which is not a condition (did you mean 'stenosis'?)" in p for p in run.problems
    ), run.err


def test_shipped_stenosis_contradiction_fails_the_strict_check(tmp_path: Path) -> None:
    """Issue 22: the epidural was listed as helping spinal stenosis, both ways, while NG59 advises against it."""
    folder = tmp_path / "pathway"
    shutil.copytree(SHIPPED, folder)
    treatments = folder / "when-pt-does-not-help" / "treatments.yml"
    text = treatments.read_text(encoding="utf-8")
    as_shipped = "      - nerve-root-irritation\n      - disc-herniation\n      - spinal-stenosis\n    review"
    treatments.write_text(
        text.replace("      - nerve-root-irritation\n      - disc-herniation\n    review", as_shipped, 1), encoding="utf-8"
    )
    conditions = folder / "when-pt-does-not-help" / "conditions.yml"
    text = conditions.read_text(encoding="utf-8")
    conditions.write_text(
        text.replace(
            "      - mri-scan\n      - surgical-consultation",
            "      - mri-scan\n      - epidural-steroid-injection\n      - surgical-consultation",
            1,
        )
    )
    _, problems = check_pathway(folder, TODAY)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert len(errors) == 2, errors
    assert all(
        "epidural-steroid-injection" in e and "says do not offer it for 'when-pt-does-not-help/spinal-stenosis'" in e
        for e in errors
    )


def test_shipped_citations_exist_and_guidance_pages_say_so() -> None:
    kb, problems = check_pathway(SHIPPED, TODAY)
    assert not [p for p in problems if p.severity == "error"]
    assert kb.sources
    for node in kb.nodes.values():
        cited = [*node.sources, *(s for c in node.contexts.values() for s in c.sources)]
        cited += [g.source for g in getattr(node, "guidance", [])]
        for cite in cited:
            assert isinstance(cite, str) and cite in kb.sources, (node.id, cite)
    pages = render_pages(kb, RenderOptions(today=TODAY))
    with_guidance = [n.id for n in kb.of_kind("treatment") if getattr(n, "guidance", None)]
    assert with_guidance
    for node_id in with_guidance:
        page = pages[f"{node_id}.md"]
        assert "## What guidelines say" in page, node_id
        for g in kb.nodes[node_id].guidance:  # type: ignore[union-attr]
            assert kb.sources[g.source].title in page
