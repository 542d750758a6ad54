"""A pathway's folder is its namespace: every node in `pathway/<p>/` is local to `<p>`, the shared library
(`pathway/shared/`, or any folder without a pathway) serves every pathway, and a short id never reaches into
another pathway's folder. So a new team's pathway can reuse every id of the others and break nothing.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.model.graph import KINDS, Pathway
from helpers_pathway import NUMB_GROIN, SHIPPED, check
from helpers_site import build, copy_shipped

SHARED = {
    "shared/treatments.yml": textwrap.dedent("""\
        treatments:
          - id: pills
            title: Pain pills
            summary: Tablets that ease pain for a short time.
            type: self-care
        """),
    "shared/indicators.yml": NUMB_GROIN,
}


def team(pid: str, title: str) -> dict[str, str]:
    """One team's pathway in its own folder, with the same local ids as every other team's."""
    return {
        f"{pid}/pathway.yml": textwrap.dedent(f"""\
            pathways:
              - id: {pid}
                title: {title}
                summary: What to do about {title.lower()}.
                stages: [self-care, clinic]
                red_flags: [numb-groin, worse-fast]
            stages:
              - id: self-care
                title: {title} at home
                summary: Start here.
                options: [exercise, pills, arthritis]
                escalates_to: [clinic]
              - id: clinic
                title: {title} at the clinic
                summary: When home care is not enough.
                options: [exercise]
                body: Go back to [home care](node:self-care) when it settles.
            treatments:
              - id: exercise
                title: {title} exercises
                summary: Moves that help.
                type: self-care
                relevant_to: [arthritis]
            conditions:
              - id: arthritis
                title: Arthritis of the {pid}
                summary: Wear of the joint.
            indicators:
              - id: worse-fast
                title: {title} getting worse fast
                summary: Pain that gets much worse in a day.
                urgency: urgent
                action: See a doctor today.
                refers_to: [exercise]
            """),
    }


def test_two_pathways_with_the_same_local_ids_each_keep_their_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {**SHARED, **team("knee", "Knee pain"), **team("hip", "Hip pain")})
    assert (run.code, run.problems) == (0, [])
    kb, _ = check_pathway(tmp_path / "pathway")
    for pid in ("knee", "hip"):
        local = {n for n in kb.nodes if n.startswith(f"{pid}/")}
        assert local == {f"{pid}/{n}" for n in ("self-care", "clinic", "exercise", "arthritis", "worse-fast")}
        assert kb.members(pid)[0] == pid
        assert set(kb.members(pid)) == {pid, *local, "pills", "numb-groin"}  # its own and the shared library's, nothing else
        pathway = kb.nodes[pid]
        assert isinstance(pathway, Pathway) and pathway.stages == [f"{pid}/self-care", f"{pid}/clinic"]
        assert [e.target for e in kb.out_edges(f"{pid}/self-care")] == [f"{pid}/exercise", "pills", f"{pid}/arthritis", f"{pid}/clinic"]
        assert [e.target for e in kb.out_edges(f"{pid}/worse-fast")] == [f"{pid}/exercise"]
    assert kb.is_shared("pills") and not kb.is_shared("knee/exercise") and not kb.is_shared("knee")
    assert kb.namespaces == {"pathway/hip": "hip", "pathway/knee": "knee"}
    assert kb.scope_at(kb.positions["hip/exercise"]) == "hip" and kb.scope_at(kb.positions["pills"]) is None


def test_local_pages_live_in_their_pathways_folder_and_links_stay_local(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from carepath.render.pages import render_pages

    check(tmp_path, capsys, {**SHARED, **team("knee", "Knee pain"), **team("hip", "Hip pain")})
    kb, _ = check_pathway(tmp_path / "pathway")
    pages = render_pages(kb)
    assert {"knee/exercise.md", "hip/exercise.md", "knee/worse-fast.md", "pills.md", "knee.md"} <= pages.keys()
    assert "](self-care.md)" in pages["knee/clinic.md"]  # node:self-care in knee's text is knee's own stage
    assert "hip/" not in pages["knee/clinic.md"] and "knee/" not in pages["hip/clinic.md"]


def test_a_short_id_never_reaches_into_another_pathways_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A shared node naming a pathway's own node by its short id is told the full id; so is another pathway."""
    files = {**SHARED, **team("knee", "Knee pain")}
    files["shared/treatments.yml"] += "    returns_to: [self-care]\n"
    files["hip/pathway.yml"] = """\
        pathways:
          - {id: hip, title: Hip pain, summary: Hip pain., stages: [hip-care], red_flags: [numb-groin]}
        stages:
          - {id: hip-care, title: Hip care, summary: S., options: [exercise]}
        """
    run = check(tmp_path, capsys, files)
    assert run.problems == [
        ("pathway/hip/pathway.yml:4:60: stage 'hip/hip-care': 'options' names 'exercise', a node of pathway 'knee'; "
        "a short id reaches only the pathway's own nodes and the shared library: write 'knee/exercise', or move the node to the shared library"),
        ("pathway/shared/treatments.yml:6:18: treatment 'pills': 'returns_to' names 'self-care', a node of pathway 'knee'; "
        "a short id reaches only the pathway's own nodes and the shared library: write 'knee/self-care', or move the node to the shared library"),
    ]
    files["hip/pathway.yml"] = files["hip/pathway.yml"].replace("options: [exercise]", "options: [knee/exercise]")
    files["shared/treatments.yml"] = files["shared/treatments.yml"].replace("[self-care]", "[knee/self-care]")
    assert check(tmp_path / "full", capsys, files).problems == []  # a full id links across on purpose


def test_a_folder_holds_one_pathway_and_the_shared_library_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**SHARED, **team("knee", "Knee pain")}
    files["knee/second.yml"] = "pathways:\n  - {id: knee-two, title: Knee two, summary: S., stages: [self-care]}\n"
    files["shared/pathway.yml"] = "pathways:\n  - {id: common, title: Common, summary: S., stages: [common-care]}\nstages:\n  - {id: common-care, title: C, summary: S.}\n"
    run = check(tmp_path, capsys, files)
    assert "pathway/knee/second.yml:2:10: pathway 'knee-two': the folder 'pathway/knee/' already holds pathway 'knee' (at pathway/knee/pathway.yml:2:9); " \
        "a pathway folder holds one pathway and its own nodes: give 'knee-two' a folder of its own" in run.problems
    assert "pathway/shared/pathway.yml:2:10: pathway 'common': 'pathway/shared/' is the shared library, which holds no pathway; " \
        "move the pathway to a folder of its own, such as 'pathway/common/'" in run.problems


def test_a_stage_in_a_pathways_folder_cannot_name_another_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**SHARED, **team("knee", "Knee pain"), **team("hip", "Hip pain")}
    files["knee/pathway.yml"] = files["knee/pathway.yml"].replace("title: Knee pain at the clinic", "title: Knee pain at the clinic\n    pathway: hip")
    run = check(tmp_path, capsys, files)
    assert run.problems[0] == (
        "pathway/knee/pathway.yml:15:14: stage 'clinic': 'pathway' is 'hip', but the file is in the folder of pathway 'knee', whose nodes "
        "are all its own; remove 'pathway:' or move the stage to the folder of 'hip'"
    )


def test_a_renamed_local_node_keeps_a_redirect_at_its_old_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An alias is a former full id: bare for a site-wide address, '<pathway>/<id>' for one inside a folder."""
    from carepath.publish.redirects import redirect_pages

    files = {**SHARED, **team("knee", "Knee pain")}
    files["knee/pathway.yml"] = files["knee/pathway.yml"].replace("  - id: exercise\n", "  - id: exercise\n    aliases: [knee-exercise, knee/moves]\n")
    assert check(tmp_path, capsys, files).problems == []
    kb, _ = check_pathway(tmp_path / "pathway")
    found = {k: v.decode() for k, v in redirect_pages(kb).items()}
    assert set(found) == {"knee-exercise/index.html", "knee/moves/index.html"}
    assert 'url=../knee/exercise/"' in found["knee-exercise/index.html"]
    assert 'url=../exercise/"' in found["knee/moves/index.html"]


def own_ids(kb_nodes: dict[str, object], pathway_id: str) -> dict[str, str]:
    """Short id -> kind of every node local to a shipped pathway."""
    return {n.split("/", 1)[1]: KINDS.of(kb_nodes[n]).name for n in kb_nodes if n.startswith(f"{pathway_id}/")}  # type: ignore[arg-type]


def colliding_pathway(pid: str, taken: dict[str, str], shared: dict[str, str]) -> str:
    """A pathway whose local ids are every local id of the shipped pathways, each of the same kind, and which
    uses every shared node of the shipped library that a stage may offer."""
    by_kind: dict[str, list[str]] = {}
    for short, kind in sorted(taken.items()):
        by_kind.setdefault(kind, []).append(short)
    stages = by_kind.get("stage", [])
    options = by_kind.get("treatment", []) + by_kind.get("condition", [])
    flags = by_kind.get("indicator", [])
    shared_options = [i for i, k in shared.items() if k in ("treatment", "condition")]
    emergency = [i for i, k in shared.items() if k == "indicator"]
    out = [
        "pathways:",
        f"  - id: {pid}",
        f"    title: Colliding pathway {pid}",
        "    summary: A pathway whose ids collide with every id of the others.",
        f"    stages: [{', '.join(stages)}]",
        f"    red_flags: [{', '.join(flags + emergency)}]",
        "stages:",
    ]
    for i, stage in enumerate(stages):
        out += [f"  - id: {stage}", f"    title: Step {stage}", "    summary: A step.", f"    options: [{', '.join(options + shared_options)}]"]
        if i + 1 < len(stages):
            out.append(f"    escalates_to: [{stages[i + 1]}]")
    out.append("treatments:")
    out += [f"  - {{id: {t}, title: Local {t}, summary: A local one., type: self-care}}" for t in by_kind.get("treatment", [])]
    out.append("conditions:")
    out += [f"  - {{id: {c}, title: Local {c}, summary: A local one.}}" for c in by_kind.get("condition", [])]
    out.append("indicators:")
    out += [
        f"  - {{id: {f}, title: Local {f}, summary: A local one., urgency: soon, action: See your doctor this week.}}" for f in flags
    ]
    return "\n".join(out) + "\n"


def test_new_pathways_reusing_every_shipped_local_id_leave_the_shipped_files_valid(tmp_path: Path) -> None:
    """Item 1's promise: two pathways copied in whose local ids are every local id of the shipped pathways
    (of every kind) change nothing about the shipped files: no problem is reported in any of them, and the
    shipped pathways keep exactly their nodes and edges."""
    before, problems = check_pathway(SHIPPED)
    assert [p for p in problems if p.severity == "error"] == []
    taken: dict[str, str] = {}
    for pathway in before.pathways:
        taken.update(own_ids(before.nodes, pathway.id))  # type: ignore[arg-type]
    assert {"stage", "treatment", "condition", "indicator"} <= set(taken.values())
    shared = {n: before.kind(n) for n in before.nodes if before.is_shared(n)}
    project = tmp_path / "p"
    shutil.copytree(SHIPPED, project / "pathway")
    for pid in ("zz-colliding-one", "aa-colliding-two"):
        (project / "pathway" / pid).mkdir()
        (project / "pathway" / pid / "pathway.yml").write_text(colliding_pathway(pid, taken, shared), encoding="utf-8")
    after, problems = check_pathway(project / "pathway")
    shipped_files = {str(p.relative_to(SHIPPED.parent)) for p in SHIPPED.rglob("*.yml")}
    assert [str(p) for p in problems if p.position.path in shipped_files and p.severity != "note"] == []
    assert [str(p) for p in problems if p.severity == "error"] == []
    for pathway in before.pathways:
        assert after.members(pathway.id) == before.members(pathway.id)
        mine = set(before.members(pathway.id))
        assert {(e.kind, e.source, e.target) for e in after.edges if e.source in mine} == {
            (e.kind, e.source, e.target) for e in before.edges if e.source in mine
        }
    for pid in ("zz-colliding-one", "aa-colliding-two"):
        assert all(n == pid or n.startswith(f"{pid}/") or after.is_shared(n) for n in after.members(pid))


def test_the_shipped_site_builds_with_two_colliding_pathways(tmp_path: Path) -> None:
    """The same, built for real with `strict: true`: every old address still answers."""
    before, _ = check_pathway(SHIPPED)
    taken: dict[str, str] = {}
    for pathway in before.pathways:
        taken.update(own_ids(before.nodes, pathway.id))  # type: ignore[arg-type]
    shared = {n: before.kind(n) for n in before.nodes if before.is_shared(n)}
    project = copy_shipped(tmp_path / "p")
    folder = project / "pathway" / "colliding"
    folder.mkdir()
    text = colliding_pathway("colliding", taken, shared)
    (folder / "pathway.yml").write_text(textwrap.dedent(text), encoding="utf-8")
    b = build(project, strict=False)
    assert b.returncode == 0, b.output
    listed = [line for line in (SHIPPED.parent / "published-urls.txt").read_text(encoding="utf-8").splitlines() if line.startswith("/")]
    for url in listed:
        path = url.lstrip("/")
        target = b.site / (path + "index.html" if path.endswith("/") or not path else path)
        assert target.is_file(), url
    assert (b.site / "colliding" / next(iter(sorted(taken))) / "index.html").is_file()
