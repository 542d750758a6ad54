"""The benchmark's synthetic knowledge base is valid data and the same for the same seed. No timing here."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.model.graph import EdgeKind, Indicator, Pathway

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import synth


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("nodes", [60, 150])
def test_synthetic_pathway_loads_with_no_problems(tmp_path: Path, nodes: int) -> None:
    synth.write_project(tmp_path / "kb", nodes, seed=3)
    kb, problems = check_pathway(tmp_path / "kb" / "pathway")
    assert [str(p) for p in problems if p.severity != "note"] == []  # a note: a draft treatment without its decision aids
    assert len(kb.nodes) == nodes
    assert len(kb.pathways) == round(nodes / synth.NODES_PER_PATHWAY)
    assert kb.glossary


def test_synthetic_pathway_has_every_edge_kind_and_shared_nodes(tmp_path: Path) -> None:
    synth.write_project(tmp_path / "kb", 150, seed=3)
    kb, _ = check_pathway(tmp_path / "kb" / "pathway")
    assert {e.kind for e in kb.edges} == set(EdgeKind)
    offered_by: dict[str, set[str]] = {}
    for e in kb.edges:
        if e.kind == EdgeKind.offers:
            pathway = next(p.id for p in kb.pathways if isinstance(p, Pathway) and e.source in p.stages)
            offered_by.setdefault(e.target, set()).add(pathway)
    assert any(len(p) > 1 for p in offered_by.values()), "no node is shared by two pathways"
    urgencies = {n.urgency.value for n in kb.nodes.values() if isinstance(n, Indicator)}
    assert urgencies == {"emergency", "urgent", "soon", "routine"}
    assert {c.system for n in kb.nodes.values() for c in n.codes} == {"snomedct", "rxnorm", "loinc", "icd10cm"}


def test_synthetic_project_is_a_complete_site_folder(tmp_path: Path) -> None:
    synth.write_project(tmp_path / "kb", 60, seed=3)
    root = tmp_path / "kb"
    assert (root / "mkdocs.yml").read_text(encoding="utf-8").startswith("site_name: Carepath benchmark")
    assert "node:" in (root / "content" / "index.md").read_text(encoding="utf-8")
    assert len(list((root / "pathway").rglob("*.yml"))) > 3


def test_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path: Path) -> None:
    synth.write_project(tmp_path / "a", 90, seed=7)
    synth.write_project(tmp_path / "b", 90, seed=7)
    synth.write_project(tmp_path / "c", 90, seed=8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_too_few_nodes_is_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        synth.synthesize(8)


def _run_json(script: str, project: Path, *args: str) -> dict[str, object]:
    import json
    import os
    import subprocess

    bench = Path(__file__).resolve().parent.parent / "benchmarks"
    env = {**os.environ, "CAREPATH_TODAY": "2026-06-01", "NO_MKDOCS_2_WARNING": "1"}
    out = subprocess.run([sys.executable, str(bench / script), str(project), *args], capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_inproc_measures_the_cached_generator_and_restores_the_edit(tmp_path: Path) -> None:
    """`inproc.py` checks the cached results against a build without a cache itself, and exits 1 if they differ."""
    synth.write_project(tmp_path / "kb", 60, seed=3)
    before = _digest(tmp_path / "kb")
    result = _run_json("inproc.py", tmp_path / "kb")
    assert {"warm_generator_s", "edit_rebuild_s", "cold_cache_generator_s"} <= result.keys()
    assert isinstance(result["edit_pages_changed"], int) and 0 < result["edit_pages_changed"] < result["pages"]  # type: ignore[operator]
    assert _digest(tmp_path / "kb") == before


def test_serve_edit_splits_the_generator_from_mkdocs(tmp_path: Path) -> None:
    synth.write_project(tmp_path / "kb", 60, seed=3)
    before = _digest(tmp_path / "kb")
    result = _run_json("serve_edit.py", tmp_path / "kb")
    assert {"serve_edit_s", "serve_edit_generator_s", "serve_edit_mkdocs_s", "serve_unchanged_s"} <= result.keys()
    assert {"serve_edit_cpu_s", "serve_edit_generator_cpu_s", "serve_edit_mkdocs_cpu_s", "serve_load_avg"} <= result.keys()
    edits = result["serve_edits"]
    assert isinstance(edits, list) and len(edits) == 3  # wall, CPU, generator wall, generator CPU of each edit
    assert all(0 < gen_wall <= wall and 0 < gen_cpu <= cpu for wall, cpu, gen_wall, gen_cpu in edits), edits
    assert _digest(tmp_path / "kb") == before


def test_gen_edit_times_each_edit_and_checks_it_against_a_cold_build(tmp_path: Path) -> None:
    """`gen_edit.py --check` exits 1 if the last edit's build differs from a build from nothing."""
    synth.write_project(tmp_path / "kb", 60, seed=3)
    before = _digest(tmp_path / "kb")
    result = _run_json("gen_edit.py", tmp_path / "kb", "--edits", "2", "--check", "--split")
    steps = result["steps"]
    assert isinstance(steps, list) and [s["step"] for s in steps] == ["first", "unchanged", "title-0", "title-1", "body"]
    assert steps[1]["pages_changed"] == 0 and steps[1]["rendered"] == 0
    assert all(0 < s["pages_changed"] < s["pages"] and 0 < s["rendered"] for s in steps[2:]), steps
    assert all(0 < s["cpu_s"] and "load_knowledge_base" in s["split_cpu_s"] for s in steps), steps
    assert _digest(tmp_path / "kb") == before


def test_a_full_benchmark_run_prints_its_figures(tmp_path: Path) -> None:
    """`run.py --json` end to end on a small base (every phase: check, generator, builds, serve edit): it once
    crashed at the very end (`KeyError: 'baseline_cpu_s'`), so a full measurement printed nothing. The
    figures are checked for being there and consistent, never for speed."""
    import json
    import os
    import subprocess

    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    out = subprocess.run(
        [sys.executable, str(bench), "--nodes", "40", "--repeat", "1", "--json", "--workdir", str(tmp_path)],
        capture_output=True, text=True, env=env, check=False, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["nodes"] == 40
    for key in ("check_s", "build_s", "baseline_s", "warm_build_s", "serve_edit_s", "peak_mib"):
        assert isinstance(result[key], (int, float)) and result[key] > 0, key
    assert result["ratio"] == round(result["build_s"] / result["baseline_s"], 3)
    assert result["ratio_warm_cpu"] == round(result["warm_build_cpu_s"] / result["baseline_cpu_s"], 3)


def test_a_stage_with_many_options_grows_linearly() -> None:
    """No quadratic corner: an option's page draws its step with at most `SLICE_OPTIONS` options and a line
    naming how many more, so ten times the options makes about ten times the pages' text, not a hundred."""
    import big_stage
    from carepath.diagram.listing import SLICE_OPTIONS

    _, small = big_stage.measure(20)
    _, large = big_stage.measure(200)
    assert large / small < 12, (small, large)

    import re
    import tempfile

    from carepath.build.site import build_site_pages
    from carepath.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pathway"
        folder.mkdir()
        (folder / "p.yml").write_text(big_stage.big_stage(30), encoding="utf-8")
        pages = build_site_pages(Settings(pathway_dir=folder)).generated([])
    option_page = pages["t17.md"]
    flow = option_page[option_page.index('class="cp-diagram cp-slice') :]
    drawn = re.findall(r'<li class="cp-option cp-kind-treatment', flow)
    assert len(drawn) == SLICE_OPTIONS
    assert 'aria-current="page"' in flow.split('cp-option cp-more')[0]  # the page's own option is among them
    assert f"and {30 - SLICE_OPTIONS} more options: see" in flow
    assert len(re.findall(r'<li class="cp-option cp-kind-treatment', pages["one.md"])) >= 30  # the step's own page lists all
