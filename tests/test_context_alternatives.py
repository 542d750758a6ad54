"""A shared treatment's alternatives for one pathway's readers (`in: {<pathway-id>: {alternatives: [...]}}`,
AUTHORING.md "Context for one pathway's readers" and "Decision aids"): they join the node's own `alternatives` on
that pathway's view only: its part of the shared page, its step's "Compare your options", its `pathway.json` and
FHIR Bundle. Each rule of the field with its exact `path:line:col` message."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from carepath import check_pathway
from carepath.model.graph import EdgeKind, KnowledgeBase, Pathway
from carepath.publish.export import dumps, export_graph
from carepath.publish.fhir import PLACEHOLDER_BASE, FhirOptions, export_fhir, plan_id
from carepath.render.pages import RenderOptions, render_pages
from carepath.words import words
from helpers_pathway import NUMB_GROIN, REVIEWED, Run, check

W = words("en")

SHARED = """\
    treatments:
      - id: pills
        title: Pain pills
        summary: Tablets that ease pain for a short time.
        type: self-care
        alternatives: [heat]
        in:
          knee:
            alternatives: [exercises]
          hip:
            alternatives: [exercises]
      - id: heat
        title: Heat pack
        summary: Warmth on the sore joint.
        type: self-care
    """
"""Pills: a heat pack is another option for every reader; each pathway's own exercises for its readers only."""


def team(pid: str, title: str, options: str = "pills, heat") -> str:
    """One team's pathway: a step at home offering the shared pills and heat, then a clinic with its own exercises
    (the same short ids in each team's folder)."""
    return textwrap.dedent(f"""\
        pathways:
          - id: {pid}
            title: {title}
            summary: What to do about {title.lower()}.
            stages: [self-care, clinic]
            red_flags: [numb-groin]
        stages:
          - id: self-care
            title: {title} at home
            summary: Start here.
            options: [{options}]
            escalates_to: [clinic]
          - id: clinic
            title: {title} clinic
            summary: When home care is not enough.
            options: [exercises, arthritis]
        treatments:
          - id: exercises
            title: Exercises for your {pid}
            summary: Moves that make the {pid} stronger.
            type: self-care
        conditions:
          - id: arthritis
            title: Arthritis of the {pid}
            summary: Wear of the joint.
        """)


def files(shared: str = SHARED, hip_options: str = "pills, heat") -> dict[str, str]:
    return {
        "shared/treatments.yml": shared,
        "shared/indicators.yml": NUMB_GROIN,
        "knee/pathway.yml": team("knee", "Knee pain"),
        "hip/pathway.yml": team("hip", "Hip pain", hip_options),
    }


def load(tmp_path: Path, capsys: pytest.CaptureFixture[str], given: dict[str, str]) -> KnowledgeBase:
    run = check(tmp_path, capsys, given)
    assert (run.code, run.problems) == (0, [])
    kb, _ = check_pathway(tmp_path / "pathway")
    return kb


def problems_of(tmp_path: Path, capsys: pytest.CaptureFixture[str], knee_alternatives: str) -> Run:
    return check(tmp_path, capsys, files(SHARED.replace("          knee:\n            alternatives: [exercises]", f"          knee:\n            alternatives: {knee_alternatives}")))


def between(page: str, start: str, end: str = "\n## ") -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


# --- the graph ---------------------------------------------------------------------------------------


def test_each_pathways_alternatives_resolve_in_its_namespace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'exercises' in knee's context is knee's own treatment, in hip's hip's; each edge holds for its pathway only."""
    kb = load(tmp_path, capsys, files())
    pills = kb.nodes["pills"]
    assert {pid: c.alternatives for pid, c in pills.contexts.items()} == {"knee": ["knee/exercises"], "hip": ["hip/exercises"]}
    edges = [(e.target, e.pathway) for e in kb.out_edges("pills", EdgeKind.alternative_to)]
    assert edges == [("heat", None), ("knee/exercises", "knee"), ("hip/exercises", "hip")]


def test_a_reviewed_shared_treatment_may_list_its_alternatives_per_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its contexts' `alternatives` count as the decision-aid field: no error that it has none."""
    decided = textwrap.indent(REVIEWED + "benefit: {words: It often eases the pain.}\nif_you_wait: The pain may last longer.\n", "        ")
    run = check(tmp_path, capsys, files(SHARED.replace("        alternatives: [heat]\n", decided)))
    assert (run.code, run.problems) == (0, [])
    assert "'pills'" not in run.out


# --- the rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        pytest.param(
            "[exercise]",
            "pathway/shared/treatments.yml:9:24: treatment 'pills': unknown reference 'exercise' in 'in.knee.alternatives' (did you mean 'exercises'?)",
            id="dangling",
        ),
        pytest.param(
            "[arthritis]",
            "pathway/shared/treatments.yml:9:24: treatment 'pills': 'in.knee.alternatives' may not point to condition 'knee/arthritis'; it lists treatment ids",
            id="not-a-treatment",
        ),
        pytest.param("[pills]", "pathway/shared/treatments.yml:9:24: treatment 'pills': 'in.knee.alternatives' points to itself", id="itself"),
        pytest.param(
            "[hip/exercises]",
            "pathway/shared/treatments.yml:9:24: treatment 'pills': 'in.knee.alternatives' names 'hip/exercises', which is local to pathway 'hip'; "
            "an alternative for 'knee''s readers is a treatment of 'knee' or of the shared library",
            id="another-pathways",
        ),
        pytest.param(
            "[heat]",
            "pathway/shared/treatments.yml:9:24: treatment 'pills': 'in.knee.alternatives' lists 'heat', which 'alternatives' already lists for every pathway",
            id="already-for-every-pathway",
        ),
    ],
)
def test_a_contexts_alternative_is_checked_like_the_nodes_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, message: str
) -> None:
    run = problems_of(tmp_path, capsys, written)
    assert run.code == 1
    assert run.problems == [message]
    assert run.export_wrote is False


def test_a_short_id_only_another_pathway_has_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hip-only treatment named by its short id in knee's context: not in knee's namespace, and its full id would
    not do either (the message does not suggest it, as it does for other references)."""
    given = files(SHARED.replace("          knee:\n            alternatives: [exercises]", "          knee:\n            alternatives: [brace]"))
    brace = "  - id: brace\n    title: Hip brace\n    summary: A support for the hip.\n    type: device\n"
    given["hip/pathway.yml"] = given["hip/pathway.yml"].replace("options: [exercises, arthritis]", "options: [exercises, brace, arthritis]").replace("conditions:\n", brace + "conditions:\n")
    run = check(tmp_path, capsys, given)
    assert run.code == 1
    assert run.problems == [
        (
            "pathway/shared/treatments.yml:9:24: treatment 'pills': 'in.knee.alternatives' names 'brace', which is local to pathway 'hip'; "
            "an alternative for 'knee''s readers is a treatment of 'knee' or of the shared library"
        )
    ]


def test_a_shared_nodes_own_alternative_may_not_be_one_pathways_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pills page serves knee and hip: knee's exercises among its own alternatives would send hip's readers to a
    page of the knee pathway. It belongs in knee's context, which is where the message says to move it."""
    given = files(SHARED.replace("alternatives: [heat]", "alternatives: [heat, knee/exercises]").replace("alternatives: [exercises]\n          hip:", "alternatives: []\n          hip:"))
    run = check(tmp_path, capsys, given)
    assert run.code == 1
    assert run.problems == [
        (
            "pathway/shared/treatments.yml:6:26: treatment 'pills': 'alternatives' names 'knee/exercises', which is local to pathway 'knee'; "
            "this shared page serves every pathway that uses it, and would send the readers of the others out of theirs: "
            "list it under 'in.knee.alternatives'"
        )
    ]
    assert run.export_wrote is False
    assert check(tmp_path / "moved", capsys, files()).code == 0  # where it belongs: knee's context


def test_a_kind_without_alternatives_may_not_list_them_in_a_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = files()
    given["shared/indicators.yml"] = NUMB_GROIN + "    in:\n      knee:\n        alternatives: [exercises]\n"
    run = check(tmp_path, capsys, given)
    assert run.code == 1
    assert [p for p in run.problems if "alternatives" in p] == [
        "pathway/shared/indicators.yml:8:9: indicator 'numb-groin': 'in.knee.alternatives': an indicator has no 'alternatives' links"
    ]


# --- the pages ---------------------------------------------------------------------------------------


def test_a_shared_page_shows_each_pathways_alternatives_in_its_own_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The node's own under "Other options"; each pathway's in its fold, never the other's."""
    kb = load(tmp_path, capsys, files())
    page = render_pages(kb, RenderOptions())["pills.md"]
    own = between(page, f"## {W.get('treatment.alternatives')}")
    assert "- [Heat pack](heat.md)" in own and "exercises" not in own
    parts = dict(re.findall(r'<details class="cp-pathway-context(?: cp-screen-only)?" markdown="1">\n<summary class="cp-no-score">(.*?)</summary>\n(.*?)</details>', page, re.DOTALL))
    assert list(parts) == ["Hip pain", "Knee pain"]
    # Other options stay on screen: a part that holds nothing else, and the section made only of such parts, are
    # left off the paper (print.css hides .cp-screen-only), as the page's own "Other options" are.
    assert page.count('<details class="cp-pathway-context cp-screen-only"') == 2
    assert re.search(r"^## .*\{ \.cp-screen-only \}$", page, re.MULTILINE)
    for pid, title, other in (("hip", "Hip pain", "knee"), ("knee", "Knee pain", "hip")):
        part = parts[title]
        assert W.get("treatment.alternatives_intro") in part
        assert f"- [Exercises for your {pid}]({pid}/exercises.md)" in part
        assert f"{other}/" not in part and "Heat pack" not in part


def test_a_page_on_one_pathway_lists_its_alternatives_with_the_nodes_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = SHARED.replace("          hip:\n            alternatives: [exercises]\n", "")
    kb = load(tmp_path, capsys, files(shared, hip_options="heat"))
    page = render_pages(kb, RenderOptions())["pills.md"]
    own = between(page, f"## {W.get('treatment.alternatives')}")
    assert re.findall(r"- \[(.*?)\]\((.*?)\)", own) == [("Heat pack", "heat.md"), ("Exercises for your knee", "knee/exercises.md")]
    assert "cp-pathway-context" not in page


def test_a_steps_comparison_names_its_pathways_alternatives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After the table: the alternatives of the options compared that the step does not offer, its pathway's only.
    The heat pack is a row of the table already, so it is not named again."""
    kb = load(tmp_path, capsys, files())
    pages = render_pages(kb, RenderOptions())
    for pid, other in (("knee", "hip"), ("hip", "knee")):
        compare = between(pages[f"{pid}/self-care.md"], f"## {W.get('stage.compare')}")
        table, after = compare.split("</table>", 1)
        assert len(table.split('<tr role="row" class="cp-compare-row"')) == 3  # pills and heat
        assert W.get("stage.compare_others") in after
        assert re.findall(r"- \[(.*?)\]\((.*?)\)", after) == [(f"Exercises for your {pid}", "exercises.md")]
        assert other not in after


def test_a_step_whose_options_have_no_other_alternative_names_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = load(tmp_path, capsys, files(SHARED.replace("alternatives: [exercises]", "alternatives: []")))
    page = render_pages(kb, RenderOptions())["knee/self-care.md"]
    assert W.get("stage.compare_others") not in page


# --- the exports -------------------------------------------------------------------------------------


def test_each_pathways_json_holds_its_own_alternatives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = load(tmp_path, capsys, files())
    for pid, other in (("knee", "hip"), ("hip", "knee")):
        pathway = kb.nodes[pid]
        assert isinstance(pathway, Pathway)
        data = export_graph(kb, pathway)
        pills = next(n for n in data["nodes"] if n["id"] == "pills")
        assert pills["alternatives"] == ["heat"]
        assert list(pills["in"]) == [pid] and pills["in"][pid]["alternatives"] == [f"{pid}/exercises"]
        mine = [e for e in data["edges"] if e["kind"] == "alternative-to" and e["source"] == "pills"]
        assert mine == [
            {"kind": "alternative-to", "source": "pills", "target": "heat"},
            {"kind": "alternative-to", "source": "pills", "target": f"{pid}/exercises", "in": pid},
        ]
        assert f'"{other}/' not in json.dumps(data)


def fhir_bundle(kb: KnowledgeBase, pid: str) -> dict[str, Any]:
    pathway = kb.nodes[pid]
    assert isinstance(pathway, Pathway)
    return json.loads(dumps(export_fhir(kb, pathway, FhirOptions(base=PLACEHOLDER_BASE))))


def test_each_pathways_fhir_bundle_holds_its_own_alternatives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pills' PlanDefinition in a pathway's Bundle has an `alternative-to` action for the heat pack and for that
    pathway's exercises, none for the other pathway's."""
    kb = load(tmp_path, capsys, files())
    for pid, other in (("knee", "hip"), ("hip", "knee")):
        plans = [e["resource"] for e in fhir_bundle(kb, pid)["entry"] if e["resource"]["resourceType"] == "PlanDefinition"]
        pills = next(p for p in plans if p["id"] == plan_id(kb, pid, "pills"))
        ids = [a["id"] for a in pills["action"] if a["id"].startswith("alternative-to.")]
        assert ids == [f"alternative-to.{plan_id(kb, pid, 'heat')}", f"alternative-to.{plan_id(kb, pid, f'{pid}/exercises')}"]
        assert plan_id(kb, other, f"{other}/exercises") not in json.dumps(pills)
