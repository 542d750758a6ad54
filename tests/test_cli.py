"""`python -m generator check|export|schema`: the summary line, the JSON export, and corrupted copies of the shipped pathway."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from carepath import check_pathway
from carepath.load import pathway_files
from carepath.model.graph import EDGE_FIELDS, KINDS, Condition, Indicator, Pathway, Stage, Treatment
from carepath.publish.export import FORMAT, VERSION
from helpers_pathway import VALID, Run, copy_shipped_or_valid, journey, run_cli, run_module, write_pathway

PROBLEM_LINE = re.compile(r"^pathway/[^:]+\.ya?ml:\d+:\d+: \S")
MODELS = {"pathway": Pathway, "stage": Stage, "condition": Condition, "treatment": Treatment, "indicator": Indicator}


def assert_clean_failure(run: Run) -> None:
    """Exit 1, every line but the count is `path:line:col: message`, and no traceback."""
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.problems, run.err
    for line in run.problems:
        assert PROBLEM_LINE.match(line), line
    assert re.fullmatch(r"\d+ errors? in the pathway data", run.err.splitlines()[-1])


def test_check_prints_one_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "check", str(write_pathway(tmp_path, VALID)))
    assert (run.code, run.err) == (0, "")
    # Before it, a note for each draft treatment still without its decision aids (tests/test_decisions.py).
    *notes, summary = run.out.splitlines()
    assert [n.split(": note: ")[1].split(":")[0] for n in notes] == ["treatment 'physio'", "treatment 'nerve-block'", "treatment 'spine-surgeon'"]
    assert summary == (
        "ok: 9 nodes (1 condition, 1 indicator, 1 pathway, 2 stages, 4 treatments); "
        "17 edges (1 alternative-to, 2 escalates-to, 2 flags, 2 includes, 4 offers, 1 refers-to, 3 relevant-to, 1 requires, 1 returns-to); "
        "1 glossary term"
    )


def _references(folder: Path) -> list[tuple[str, str, str]]:
    """Every (edge kind, source, target) written in the YAML, read independently of the loader."""
    refs = []
    for path in pathway_files(folder):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for row in KINDS:
            for node in data.get(row.section, []):
                for field, kind in EDGE_FIELDS.items():
                    refs += [(kind.value, node["id"], target) for target in node.get(field, [])]
    return sorted(refs)


def test_export_json_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, VALID)
    out = tmp_path / "graph.json"
    run = run_cli(capsys, "export", str(folder), "--format", "json", "--out", str(out))
    assert (run.code, run.out, run.err) == (0, "", "")
    graph = json.loads(out.read_text(encoding="utf-8"))
    assert (graph["format"], graph["version"]) == (FORMAT, VERSION) == ("carepath-pathway", 2)
    assert sorted((e["kind"], e["source"], e["target"]) for e in graph["edges"]) == _references(folder)
    kb, _ = check_pathway(folder)
    rebuilt = {n["id"]: MODELS[n["kind"]].model_validate({k: v for k, v in n.items() if k != "kind"}) for n in graph["nodes"]}
    assert rebuilt == kb.nodes
    assert [g["term"] for g in graph["glossary"]] == ["Radiofrequency ablation"]


def test_export_to_stdout_is_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, VALID)
    out = tmp_path / "graph.json"
    run_cli(capsys, "export", str(folder), "--out", str(out))
    assert run_cli(capsys, "export", str(folder)).out == out.read_text(encoding="utf-8")


def test_export_one_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "export", str(write_pathway(tmp_path, VALID)), "--pathway", "back-pain")
    graph = json.loads(run.out)
    assert graph["pathway"] == "back-pain"
    assert len(graph["nodes"]) == 9


def test_export_unknown_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "export", str(write_pathway(tmp_path, VALID)), "--pathway", "neck-pain")
    assert (run.code, run.err) == (1, "no pathway with id 'neck-pain'; pathways: back-pain\n")


def test_export_to_a_folder_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "graph.json"
    run = run_cli(capsys, "export", str(write_pathway(tmp_path, VALID)), "--out", str(out))
    assert (run.code, run.err) == (1, f"{out}: cannot write: No such file or directory\n")


def test_every_problem_in_every_file_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Load, schema and graph problems from three files come out together, sorted by file and line."""
    files = {
        "journey.yml": journey("physio", "rfa", "massage"),
        "treatments.yml": textwrap.dedent(
            """\
            treatments:
              - id: physio
                title: Physical therapy
                sumary: Exercises.
                type: self-care
              - id: rfa
                title: Radiofrequency ablation
                summary: Heat that quietens a nerve.
                type: procedure
                requires: [nerve-blok]
                codes: [{system: loinc, code: 24558-8}]
            """
        ),
        "a-broken.yml": "glossary: [unclosed\n",
    }
    run = check_files(tmp_path, capsys, files)
    assert_clean_failure(run)
    assert run.problems == [
        "pathway/a-broken.yml:1:11: YAML syntax error: the '[' opened here is never closed (expected ',' or ']' before line 2)",
        "pathway/journey.yml:10:28: stage 'first-line': unknown reference 'massage' in 'options'",
        "pathway/treatments.yml:4:5: treatment 'physio': unknown key 'sumary' (did you mean 'summary'?)",
        "pathway/treatments.yml:10:16: treatment 'rfa': unknown reference 'nerve-blok' in 'requires'",
        "pathway/treatments.yml:11:35: treatment 'rfa': loinc code '24558-8' fails its check digit",
    ]
    assert run.err.splitlines()[-1] == "5 errors in the pathway data"


def check_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> Run:
    return run_cli(capsys, "check", str(write_pathway(tmp_path, files)))


# --- corrupted copies of the shipped pathway, run as a user would ---


def _first_file_with_nodes(folder: Path) -> Path:
    for path in pathway_files(folder):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if any(data.get(row.section) for row in KINDS):
            return path
    raise AssertionError("no file with nodes")


def test_shipped_pathway_is_valid(tmp_path: Path) -> None:
    copy_shipped_or_valid(tmp_path)
    run = run_module("check", "pathway", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1].startswith("ok: ")


def test_corrupted_syntax(tmp_path: Path) -> None:
    target = _first_file_with_nodes(copy_shipped_or_valid(tmp_path))
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    middle = len(lines) // 2
    lines.insert(middle, "broken: [unclosed, {\n")
    target.write_text("".join(lines), encoding="utf-8")
    run = run_module("check", "pathway", cwd=tmp_path)
    assert_clean_failure(run)
    rel = target.relative_to(tmp_path).as_posix()
    assert any(p.startswith(f"{rel}:") and "YAML syntax error" in p for p in run.problems), run.err


def test_corrupted_reference(tmp_path: Path) -> None:
    """Misspell the first reference in the data; the message names it where it was written and suggests the id."""
    folder = copy_shipped_or_valid(tmp_path)
    kb, problems = check_pathway(folder)
    assert problems == [] or all(p.severity != "error" for p in problems)
    edge = min(kb.edges, key=lambda e: (e.position.path, e.position.line, e.position.col))
    path = tmp_path / edge.position.path
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = lines[edge.position.line - 1]
    col = edge.position.col - 1
    if line[col] in "'\"":
        col += 1
    # the edge holds the full id; the file may name a pathway's own node by its short id
    written = edge.target if line[col:].startswith(edge.target) else edge.target.split("/", 1)[-1]
    assert line[col : col + len(written)] == written
    misspelt = written[:-2] + written[-1] + written[-2]
    lines[edge.position.line - 1] = line[:col] + misspelt + line[col + len(written) :]
    path.write_text("".join(lines), encoding="utf-8")
    run = run_module("check", "pathway", cwd=tmp_path)
    assert_clean_failure(run)
    field = next(f for f, k in EDGE_FIELDS.items() if k == edge.kind)
    assert f"{edge.position}: {kb.kind(edge.source)} '{edge.source}': unknown reference '{misspelt}' in '{field}'" in run.err
    assert f"(did you mean '{written}'?)" in run.err


def test_duplicated_file(tmp_path: Path) -> None:
    target = _first_file_with_nodes(copy_shipped_or_valid(tmp_path))
    copy = target.with_name("zz-copy-of-" + target.name)
    shutil.copy(target, copy)
    run = run_module("check", "pathway", cwd=tmp_path)
    assert_clean_failure(run)
    rel = copy.relative_to(tmp_path).as_posix()
    assert all(p.startswith(f"{rel}:") and "duplicate id, already used by" in p for p in run.problems if "duplicate id" in p)
    assert any("duplicate id" in p for p in run.problems)


def test_binary_junk_appended(tmp_path: Path) -> None:
    target = _first_file_with_nodes(copy_shipped_or_valid(tmp_path))
    with target.open("ab") as f:
        f.write(b"\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    run = run_module("check", "pathway", cwd=tmp_path)
    assert_clean_failure(run)
    rel = target.relative_to(tmp_path).as_posix()
    assert len(run.problems) == 1
    assert re.fullmatch(rf"{re.escape(rel)}:\d+:1: bytes that are not UTF-8 text \(byte 0x89\); save the file as UTF-8", run.problems[0])


def test_export_of_corrupted_data_writes_nothing(tmp_path: Path) -> None:
    target = _first_file_with_nodes(copy_shipped_or_valid(tmp_path))
    with target.open("a", encoding="utf-8") as f:
        f.write("\nnot_a_section: []\n")
    run = run_module("export", "pathway", "--format", "json", "--out", "graph.json", cwd=tmp_path)
    assert_clean_failure(run)
    assert "unknown top-level key 'not_a_section'" in run.err
    assert not (tmp_path / "graph.json").exists()


# --- the command-line gaps of issue 27 ----------------------------------------------------------------------


BROKEN_REFERENCE = {**VALID, "pathway.yml": VALID["pathway.yml"].replace("stages: [first-line, second-line]", "stages: [first-line, secnd-line]")}


def test_check_format_json_lists_every_problem_with_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, BROKEN_REFERENCE)
    run = run_cli(capsys, "check", "--format", "json", str(folder))
    assert run.code == 1 and run.err == ""
    report = json.loads(run.out)
    assert report["ok"] is False
    [problem] = [p for p in report["problems"] if p["severity"] == "error"]
    assert set(problem) == {"file", "line", "column", "severity", "message"}
    assert (problem["file"], problem["line"], problem["column"]) == ("pathway/pathway.yml", 6, 26)
    assert "unknown reference 'secnd-line'" in problem["message"]


def test_check_format_json_of_a_valid_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "check", "--format", "json", str(write_pathway(tmp_path, VALID)))
    assert run.code == 0
    assert json.loads(run.out)["ok"] is True


def test_check_format_github_annotates_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "check", "--format", "github", str(write_pathway(tmp_path, BROKEN_REFERENCE)))
    assert run.code == 1
    [line] = [x for x in run.out.splitlines() if x.startswith("::error ")]
    assert line.startswith("::error file=pathway/pathway.yml,line=6,col=26::")
    assert "pathway/pathway.yml:6:26:" in run.err, "the text lines stay for the log"


@pytest.mark.parametrize(
    ("command", "option", "words"),
    [("export", "dir", "the pathway folder"), ("build", "--site-dir", "the folder to build into"), ("build", "--config", "the site's mkdocs.yml")],
)
def test_every_argument_has_help(command: str, option: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli(capsys, command, "--help")
    text = " ".join(capsys.readouterr().out.split())
    assert re.search(rf"{re.escape(option)}( [A-Z_]+)? {re.escape(words)}", text), text


def test_build_with_a_missing_config_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nosuch.yml"
    run = run_cli(capsys, "build", "--config", str(missing), "--site-dir", str(tmp_path / "site"))
    assert run.code == 1
    assert run.err == f"{missing}: cannot be read (No such file or directory)\n"
    assert run.out == "" and not (tmp_path / "site").exists()


def test_urls_check_with_a_missing_manifest_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpers_site import SITE_FIXTURE

    missing = tmp_path / "none.txt"
    run = run_cli(capsys, "urls", "--config", str(SITE_FIXTURE / "mkdocs.yml"), "--check", "--manifest", str(missing))
    assert run.code == 1
    assert len(run.err.splitlines()) == 1, run.err
    assert run.err.startswith(f"{missing}: no such manifest file; create it with `") and "urls --write" in run.err


def test_render_into_the_docs_folder_suggests_a_docs_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpers_site import SITE_FIXTURE, copy_project

    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    run = run_cli(capsys, "render", "--config", str(project / "mkdocs.yml"), "--out", str(project / "content"))
    assert run.code == 1
    assert run.err.startswith(f"--out {project / 'content'}: is or contains the hand-written pages (docs_dir)")
    assert "such as 'rendered-docs'" in run.err and "'site'" not in run.err
