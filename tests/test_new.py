"""`carepath new` (AUTHORING.md, "Starting from a skeleton"): text appended without touching what the author
wrote, refusals in one line that write nothing, and a scripted trial: a copy of the shipped project gets a
treatment, a red flag and a pathway, passes `check --strict`, builds, and keeps every property of the shipped
pathways' tests."""

from __future__ import annotations

import difflib
import sys
import textwrap
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.cli.new import Refusal, add_to_list, append_entry
from carepath.model.graph import Indicator, Stage, Treatment
from helpers_pathway import run_cli
from helpers_shipped import assert_every_property
from helpers_site import REPO, SHIPPED_PARTS, build, copy_project, run

PROJECT_PARTS = (*SHIPPED_PARTS, "published-urls.txt", "schema")
ENTRY = "# a comment\n- id: new-one\n  title: New one\n"


def only_added(old: str, new: str) -> list[str]:
    """The lines `new` adds to `old`, asserting it removes or changes none."""
    diff = list(difflib.ndiff(old.splitlines(keepends=True), new.splitlines(keepends=True)))
    assert [d for d in diff if d.startswith("- ")] == [], "a line of the author's was changed"
    return [d[2:] for d in diff if d.startswith("+ ")]


# --- appending text ---------------------------------------------------------------------------------------------


def test_an_entry_goes_after_the_last_item_before_the_next_section() -> None:
    old = textwrap.dedent("""\
        # top comment
        treatments:
          - id: a   # why a
            title: A
            # a's own trailing comment

        # the glossary, below
        glossary:
          - term: x
        """)
    new, line = append_entry(old, "treatments", ENTRY, "f.yml")
    only_added(old, new)
    assert "    # a's own trailing comment\n\n  # a comment\n  - id: new-one\n    title: New one\n\n# the glossary, below\n" in new
    assert new.splitlines()[line - 1] == "  - id: new-one"
    assert new.index("a's own trailing comment") < new.index("new-one") < new.index("# the glossary, below")


@pytest.mark.parametrize(
    ("old", "dash"),
    [("treatments:\n- id: a\n  title: A", 0), ("x: 1\ntreatments:\n", 2), ("glossary: []\n", 2), ("# only a comment\n", 2)],
)
def test_an_entry_joins_a_list_at_its_own_indent_or_starts_the_section(old: str, dash: int) -> None:
    new, line = append_entry(old, "treatments", ENTRY, "f.yml")
    assert new.splitlines()[line - 1] == " " * dash + "- id: new-one"
    import yaml

    assert yaml.safe_load(new)["treatments"][-1] == {"id": "new-one", "title": "New one"}
    only_added(old if old.endswith("\n") else old + "\n", new)


STAGE = textwrap.dedent("""\
    stages:
      - id: s
        title: S  # keep me
        {field}
        summary: x
    """)


@pytest.mark.parametrize(
    ("field", "after"),
    [
        ("options:\n      - a   # first\n      - b", ["a", "b", "c"]),
        ("options: [a, b]", ["a", "b", "c"]),
        ("options: []", ["c"]),
        ("options:", ["c"]),
        ("title2: y", ["c"]),
    ],
)
def test_an_id_joins_a_list_in_its_own_style(field: str, after: list[str]) -> None:
    import yaml

    old = STAGE.replace("{field}", field).replace("title2: y", "")
    new = add_to_list(old, "stages", 2, "options", "c", "f.yml")
    assert yaml.safe_load(new)["stages"][0]["options"] == after
    assert "# keep me" in new and "# first" in new or "first" not in old
    if "[" not in field:
        only_added(old, new)


def test_a_list_written_as_a_flow_mapping_is_refused() -> None:
    with pytest.raises(Refusal, match=r"f.yml:2: cannot find that entry written one key a line"):
        add_to_list("stages:\n  - {id: s, title: S}\n", "stages", 2, "options", "c", "f.yml")


# --- the command on a copy of the shipped project -------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(REPO, tmp_path / "p", PROJECT_PARTS)


def new(capsys: pytest.CaptureFixture[str], project: Path, *argv: str) -> tuple[int, str, str]:
    r = run_cli(capsys, "new", *argv, "--dir", str(project / "pathway"))
    return r.code, r.out, r.err


def snapshot(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}


def test_a_treatment_is_appended_offered_at_its_step_and_listed_in_the_manifest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project)
    code, out, err = new(capsys, project, "treatment", "wrist-brace", "--pathway", "carpal-tunnel-care", "--type", "medication", "--stage", "doctor-care")
    assert (code, err) == (0, ""), err
    assert "treatment 'carpal-tunnel-care/wrist-brace' at pathway/carpal-tunnel-care/treatments.yml:" in out
    after = snapshot(project)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["pathway/carpal-tunnel-care/stages.yml", "pathway/carpal-tunnel-care/treatments.yml", "published-urls.txt"]
    for name in changed:
        only_added(before[name].decode(), after[name].decode())
    assert only_added(before["published-urls.txt"].decode(), after["published-urls.txt"].decode()) == ["/carpal-tunnel-care/wrist-brace/\n"]
    kb, problems = check_pathway(project / "pathway")
    assert [p for p in problems if p.severity != "note"] == []
    node, stage = kb.nodes["carpal-tunnel-care/wrist-brace"], kb.nodes["carpal-tunnel-care/doctor-care"]
    assert isinstance(node, Treatment) and isinstance(stage, Stage)
    assert node.review.status == "draft" and node.review.reviewer is None and node.sources == [] and node.codes == []
    assert node.risks and node.get_help_if, "a medication gets placeholders for its risks and when to get help"
    assert stage.options[-1] == "carpal-tunnel-care/wrist-brace"


def test_a_red_flag_names_its_urgency_and_no_route(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = new(capsys, project, "red-flag", "hot-swollen-hand", "--pathway", "carpal-tunnel-care", "--urgency", "urgent", "--stage", "home-care")
    assert (code, err) == (0, "")
    kb, problems = check_pathway(project / "pathway")
    assert [p for p in problems if p.severity != "note"] == []
    flag, stage = kb.nodes["carpal-tunnel-care/hot-swollen-hand"], kb.nodes["carpal-tunnel-care/home-care"]
    assert isinstance(flag, Indicator) and isinstance(stage, Stage)
    assert flag.urgency.value == "urgent" and flag.review.status == "draft"
    assert "carpal-tunnel-care/hot-swollen-hand" in stage.red_flags
    text = (project / "pathway/carpal-tunnel-care/indicators.yml").read_text(encoding="utf-8")
    added = text.split("- id: hot-swollen-hand", 1)[1].lower()
    for route in ("911", "999", "112", "a&e", "emergency department", "emergency room", "ambulance", "urgent care"):
        assert route not in added, route


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["treatment", "wrist-splint", "--pathway", "carpal-tunnel-care", "--type", "device"],
         "carepath new: pathway/carpal-tunnel-care/treatments.yml:4: treatment 'carpal-tunnel-care/wrist-splint' already has the id 'wrist-splint'; choose another id\n"),
        (["red-flag", "stroke-warning-signs", "--pathway", "carpal-tunnel-care", "--urgency", "emergency"],
         "carepath new: pathway/shared/indicators.yml:"),
        (["treatment", "Wrist Brace", "--pathway", "carpal-tunnel-care", "--type", "device"], "carepath new: 'Wrist Brace' is not a valid treatment id"),
        (["treatment", "glossary", "--pathway", "carpal-tunnel-care", "--type", "device"], "carepath new: 'glossary' is reserved"),
        (["treatment", "x", "--pathway", "carpal-tunel-care", "--type", "device"], "carepath new: no pathway 'carpal-tunel-care' (did you mean 'carpal-tunnel-care'?)"),
        (["treatment", "x", "--pathway", "carpal-tunnel-care", "--type", "devise"], "carepath new: --type 'devise' is not a treatment type (did you mean 'device'?)"),
        (["treatment", "x", "--pathway", "carpal-tunnel-care", "--type", "device", "--stage", "home"], "carepath new: pathway 'carpal-tunnel-care' has no step 'home'"),
        (["red-flag", "call-911", "--pathway", "carpal-tunnel-care", "--urgency", "emergency"], "carepath new: the title 'Call 911' names '911'"),
        (["red-flag", "x", "--pathway", "carpal-tunnel-care", "--urgency", "emergency", "--title", "Go to A&E"], "carepath new: the title 'Go to A&E' names 'A&E'"),
        (["red-flag", "urgent-hand", "--pathway", "carpal-tunnel-care", "--urgency", "soon"], "carepath new: nothing written: the new data would not pass `carepath check`:"),
        (["pathway", "carpal-tunnel-care"], "carepath new: pathway/carpal-tunnel-care/pathway.yml:3: pathway 'carpal-tunnel-care' already has the id"),
        (["pathway", "nsaids"], "carepath new: pathway/shared/treatments.yml:"),
        (["pathway", "shared"], "carepath new: 'shared' is the shared library's folder"),
        (["pathway", "Knee_Pain"], "carepath new: 'Knee_Pain' is not a valid pathway id"),
    ],
)
def test_a_bad_request_is_one_line_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    before = snapshot(project)
    code, out, err = new(capsys, project, *argv)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(message), err
    assert "Traceback" not in err
    assert snapshot(project) == before


def test_broken_data_is_named_and_left_alone(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stages = project / "pathway/carpal-tunnel-care/stages.yml"
    stages.write_text(stages.read_text(encoding="utf-8") + "  - id: [oops\n", encoding="utf-8")
    before = snapshot(project)
    code, _, err = new(capsys, project, "treatment", "x", "--pathway", "carpal-tunnel-care", "--type", "device")
    assert code == 1 and err.startswith("carepath new: pathway/carpal-tunnel-care/stages.yml:") and "fix the pathway data first" in err
    assert snapshot(project) == before


def test_the_help_documents_every_argument(capsys: pytest.CaptureFixture[str]) -> None:
    for kind, options in (("pathway", ("NAME", "--stages", "--red-flag", "--title", "--dir")), ("treatment", ("ID", "--pathway", "--type", "--stage")), ("red-flag", ("ID", "--pathway", "--urgency", "--stage"))):
        with pytest.raises(SystemExit):
            run_cli(capsys, "new", kind, "--help")
        text = capsys.readouterr().out
        for option in options:
            assert option in text, (kind, option)
    guide = (REPO / "AUTHORING.md").read_text(encoding="utf-8")
    for usage in ("new pathway NAME", "new treatment ID --pathway NAME --type TYPE", "new red-flag ID --pathway NAME --urgency LEVEL"):
        assert usage in guide


# --- the scripted trial ----------------------------------------------------------------------------------------------


def test_an_author_adds_a_treatment_a_red_flag_and_a_pathway_then_checks_and_builds(tmp_path: Path) -> None:
    """As an author would, with no Python edit: three `carepath new` commands, `check --strict` (`make check`), one
    strict build, and the shipped pathways' properties hold for every pathway of the result, the new one too."""
    project = copy_project(REPO, tmp_path / "p", PROJECT_PARTS)
    carepath = [sys.executable, "-m", "carepath"]
    for argv in (
        ["new", "treatment", "wrist-brace", "--pathway", "carpal-tunnel-care", "--type", "device", "--stage", "home-care"],
        ["new", "treatment", "pain-patch", "--pathway", "when-pt-does-not-help", "--type", "medication"],
        ["new", "red-flag", "foot-turns-cold", "--pathway", "when-pt-does-not-help", "--urgency", "emergency"],
        ["new", "pathway", "knee-pain", "--stages", "home-care,doctor-care"],
        ["new", "treatment", "ice-pack", "--pathway", "knee-pain", "--type", "self-care", "--stage", "home-care"],
        ["new", "red-flag", "knee-gives-way", "--pathway", "knee-pain", "--urgency", "soon", "--stage", "doctor-care"],
    ):
        result = run([*carepath, *argv], project)
        assert result.returncode == 0 and result.stderr == "", (argv, result.stderr)
    check = run([*carepath, "check", "--strict", "pathway"], project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.splitlines()[-1].startswith("ok: ")
    built = build(project)
    assert built.returncode == 0, built.output
    assert built.warnings == [], built.warnings
    kb, _ = check_pathway(project / "pathway")
    assert {"knee-pain", "knee-pain/ice-pack", "carpal-tunnel-care/wrist-brace", "when-pt-does-not-help/pain-patch"} <= set(kb.nodes)
    assert_every_property(built, kb)
    # A red flag on a pathway translated into Spanish waits for its translation: the strict check names it.
    result = run([*carepath, "new", "red-flag", "hand-turns-cold", "--pathway", "carpal-tunnel-care", "--urgency", "emergency"], project)
    assert result.returncode == 0, result.stderr
    check = run([*carepath, "check", "--strict", "pathway"], project)
    assert check.returncode == 1
    assert "indicator 'carpal-tunnel-care/hand-turns-cold': field 'title' is not translated into es" in check.stdout + check.stderr
