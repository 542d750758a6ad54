"""Per-pathway context on shared nodes (`in: {<pathway-id>: {note, sources, relevant_to}}`): what a shared page
says to one pathway's readers only. Its references resolve in that pathway's namespace; its page shows each
pathway's note in that pathway's part; a pathway's `pathway.json` and diagrams never name another pathway's node.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.build.site import SitePages, build_site_pages
from carepath.model.graph import KnowledgeBase
from carepath.publish.export import export_graph
from carepath.render.pages import RenderOptions, render_pages
from carepath.settings import Settings
from carepath.urls import pathway_json_uri
from helpers_pathway import NUMB_GROIN, SHIPPED, check, write_pathway
from helpers_site import article, build, elements, text_of

PILLS = """\
    treatments:
      - id: pills
        title: Pain pills
        summary: Tablets that ease pain for a short time.
        type: self-care
        body: Take them with food.
        sources:
          - {title: Pain pills for everyone, publisher: Everyone, url: "https://example.org/all"}
        in:
          knee:
            note: For a sore knee, [rest it](node:rest) first.
            sources:
              - {title: Knee guideline, publisher: Knee society, url: "https://example.org/knee"}
            relevant_to: [arthritis]
          hip:
            note: For a sore hip, read about [arthritis](node:arthritis).
            sources:
              - {title: Hip guideline, publisher: Hip society, url: "https://example.org/hip"}
            relevant_to: [arthritis]
    """

def team(pid: str, title: str, options: str = "rest, pills, arthritis") -> str:
    """One team's pathway in its own folder, with the same local ids as the other team's."""
    return textwrap.dedent(f"""\
        pathways:
          - id: {pid}
            title: {title}
            summary: What to do about {title.lower()}.
            stages: [self-care]
            red_flags: [numb-groin]
        stages:
          - id: self-care
            title: {title} at home
            summary: Start here.
            options: [{options}]
        treatments:
          - id: rest
            title: Rest your {pid}
            summary: Take it easy for a few days.
            type: self-care
        conditions:
          - id: arthritis
            title: Arthritis of the {pid}
            summary: Wear of the joint.
        """)


def files(pills: str = PILLS) -> dict[str, str]:
    return {
        "shared/treatments.yml": pills,
        "shared/indicators.yml": NUMB_GROIN,
        "knee/pathway.yml": team("knee", "Knee pain"),
        "hip/pathway.yml": team("hip", "Hip pain"),
    }


def load(tmp_path: Path, capsys: pytest.CaptureFixture[str], given: dict[str, str]) -> KnowledgeBase:
    run = check(tmp_path, capsys, given)
    assert (run.code, run.problems) == (0, [])
    kb, _ = check_pathway(tmp_path / "pathway")
    return kb


def test_a_contexts_references_resolve_in_its_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'arthritis' in knee's context is knee's own condition, in hip's hip's; each edge is its pathway's alone."""
    kb = load(tmp_path, capsys, files())
    pills = kb.nodes["pills"]
    assert {pid: c.relevant_to for pid, c in pills.contexts.items()} == {"knee": ["knee/arthritis"], "hip": ["hip/arthritis"]}
    assert [(e.target, e.pathway) for e in kb.out_edges("pills")] == [("knee/arthritis", "knee"), ("hip/arthritis", "hip")]
    for pid, other in (("knee", "hip"), ("hip", "knee")):
        assert set(kb.members(pid)) == {pid, f"{pid}/self-care", f"{pid}/rest", f"{pid}/arthritis", "pills", "numb-groin"}
        assert not any(n.startswith(f"{other}/") for n in kb.members(pid))


def test_each_pathways_json_holds_its_own_context_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = load(tmp_path, capsys, files())
    for pid, other in (("knee", "hip"), ("hip", "knee")):
        data = export_graph(kb, kb.nodes[pid])  # type: ignore[arg-type]
        assert f'"{other}/' not in json.dumps(data) and f'"{other}"' not in json.dumps(data)
        pills = next(n for n in data["nodes"] if n["id"] == "pills")
        assert list(pills["in"]) == [pid] and pills["in"][pid]["relevant_to"] == [f"{pid}/arthritis"]
        assert {"kind": "relevant-to", "source": "pills", "target": f"{pid}/arthritis", "in": pid} in data["edges"]
    whole = export_graph(kb)
    assert list(next(n for n in whole["nodes"] if n["id"] == "pills")["in"]) == ["knee", "hip"]


def test_a_cross_link_by_full_id_stays_out_of_the_other_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A shared node's own `relevant_to: [knee/arthritis]` and knee's own link into hip's folder are written on
    purpose, but hip's `pathway.json`, diagrams and "Related pages" still name only hip's nodes and shared ones."""
    given = files(PILLS.replace("        body:", "        relevant_to: [knee/arthritis]\n        body:").replace("relevant_to: [arthritis]", "relevant_to: []", 1))
    given["knee/pathway.yml"] = given["knee/pathway.yml"].replace("    type: self-care\n", "    type: self-care\n    relevant_to: [hip/arthritis]\n")
    kb = load(tmp_path, capsys, given)
    assert [e.target for e in kb.out_edges("knee/rest")] == ["hip/arthritis"]
    hip = json.dumps(export_graph(kb, kb.nodes["hip"]))  # type: ignore[arg-type]
    assert '"knee' not in hip
    pages = render_pages(kb, RenderOptions())
    assert "knee/" not in pages["hip/arthritis.md"]
    assert "](../hip/arthritis.md)" in pages["knee/rest.md"]  # the link itself is kept where it was written


def test_a_shared_page_shows_each_pathways_context_in_its_own_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Folded under each pathway's title (by title: Hip, then Knee), each note's links in its own pathway;
    the sources of each pathway under its title after the node's own."""
    kb = load(tmp_path, capsys, files())
    page = render_pages(kb, RenderOptions())["pills.md"]
    parts = re.findall(r'<details class="cp-pathway-context" markdown="1">\n<summary class="cp-no-score">(.*?)</summary>\n(.*?)</details>', page, re.DOTALL)
    assert [title for title, _ in parts] == ["Hip pain", "Knee pain"]
    hip, knee = (body for _, body in parts)
    assert "For a sore hip, read about [arthritis](hip/arthritis.md)." in hip and "- [Arthritis of the hip](hip/arthritis.md)" in hip
    assert "For a sore knee, [rest it](knee/rest.md) first." in knee and "- [Arthritis of the knee](knee/arthritis.md)" in knee
    assert "knee/" not in hip and "hip/" not in knee
    assert "## Who it may help" not in page  # each pathway's conditions are in its own part
    sources = page[page.index("## Sources") :]
    assert [m for m in re.findall(r"Pain pills for everyone|For “Hip pain”:|Hip guideline|For “Knee pain”:|Knee guideline", sources)] == [
        "Pain pills for everyone", "For “Hip pain”:", "Hip guideline", "For “Knee pain”:", "Knee guideline"
    ]
    # The condition's page names the shared page as linked from its own pathway's step only.
    assert "- [Pain pills](../pills.md) — see also \\(Knee pain: step 1 of 1\\)\n\n</details>" in render_pages(kb, RenderOptions())["knee/arthritis.md"]


def test_a_page_on_one_pathway_reads_its_context_inline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only knee uses the pills: no folding, the context's conditions join the page's own list, its sources the page's."""
    given = files()
    given["hip/pathway.yml"] = team("hip", "Hip pain", options="rest, arthritis")
    given["shared/treatments.yml"] = PILLS[: PILLS.index("      hip:")]
    kb = load(tmp_path, capsys, given)
    page = render_pages(kb, RenderOptions())["pills.md"]
    assert "<details" not in page.split("## Where this fits")[0].split("## Related pages")[0] and "cp-pathway-context" not in page
    assert "## For your care pathway\n\nFor a sore knee, [rest it](knee/rest.md) first.\n" in page
    assert "## Who it may help\n\nIt is used for:\n\n- [Arthritis of the knee](knee/arthritis.md)\n" in page
    assert "For “Knee pain”:" not in page and page.index("Pain pills for everyone") < page.index("Knee guideline")


def test_the_built_page_folds_each_pathways_note_under_its_title(tmp_path: Path) -> None:
    """A real strict build: each note is a native <details> whose content is HTML, not Markdown source."""
    project = tmp_path / "p"
    write_pathway(project, files())
    (project / "content").mkdir()
    (project / "mkdocs.yml").write_text(
        textwrap.dedent("""\
            site_name: Contexts
            docs_dir: content
            theme: {name: material, font: false}
            plugins:
              - search
              - carepath:
                  pathway_dir: pathway
                  readability: {enabled: false}
            """),
        encoding="utf-8",
    )
    b = build(project)
    assert b.returncode == 0, b.output
    html = article(b.html("pills/"))
    folded = [e for e in elements(html) if e.tag == "details" and "cp-pathway-context" in e.classes]
    assert [text_of(e.text).split(" ", 2)[:2] for e in folded] == [["Hip", "pain"], ["Knee", "pain"]]
    assert 'href="../knee/rest/"' in html and 'href="../hip/arthritis/"' in html and "](node:" not in html


CASES = [
    (
        "a local node",
        {"knee/pathway.yml": team("knee", "Knee pain") + "    in:\n      knee: {note: Hello.}\n"},
        ("pathway/knee/pathway.yml:21:5: condition 'knee/arthritis': 'in' is for nodes of the shared library, which several pathways use; "
        "this condition is local to pathway 'knee', its only pathway: write what its readers need in its own fields"),
    ),
    (
        "a pathway",
        {"knee/pathway.yml": team("knee", "Knee pain").replace("    red_flags: [numb-groin]\n", "    red_flags: [numb-groin]\n    in: {knee: {note: Hi.}}\n")},
        ("pathway/knee/pathway.yml:7:5: pathway 'knee': 'in' is for nodes of the shared library, which several pathways use; "
        "a pathway's own words go in its 'body'"),
    ),
    (
        "not a pathway",
        {"shared/treatments.yml": PILLS.replace("      hip:", "      hipp:")},
        "pathway/shared/treatments.yml:15:7: treatment 'pills': 'in' has a context for 'hipp', which is not the id of a pathway (did you mean 'hip'?)",
    ),
    (
        "a pathway that does not use it",
        {"hip/pathway.yml": team("hip", "Hip pain", options="rest, arthritis")},
        ("pathway/shared/treatments.yml:15:7: treatment 'pills': 'in' has a context for pathway 'hip', which does not use this treatment "
        "(no stage, option, red flag or link of 'hip' leads to it); use it in that pathway, or remove its context"),
    ),
    (
        "an unknown reference",
        {"shared/treatments.yml": PILLS.replace("relevant_to: [arthritis]", "relevant_to: [arthritiss]", 1)},
        "pathway/shared/treatments.yml:14:23: treatment 'pills': unknown reference 'arthritiss' in 'in.knee.relevant_to' (did you mean 'arthritis'?)",
    ),
    (
        "another pathway's node",
        {
            "shared/treatments.yml": PILLS.replace("relevant_to: [arthritis]", "relevant_to: [hip-only]", 1),
            "hip/pathway.yml": team("hip", "Hip pain", options="rest, pills, arthritis, hip-only"),
            "hip/more.yml": "conditions:\n  - {id: hip-only, title: Only hips, summary: S.}\n",
        },
        ("pathway/shared/treatments.yml:14:23: treatment 'pills': 'in.knee.relevant_to' names 'hip-only', a node of pathway 'hip'; a short id "
        "reaches only the pathway's own nodes and the shared library: write 'hip/hip-only', or move the node to the shared library"),
    ),
    (
        "an unknown node link in a note",
        {"shared/treatments.yml": PILLS.replace("(node:rest)", "(node:restt)")},
        "pathway/shared/treatments.yml:11:15: treatment 'pills': unknown node link 'node:restt' in 'in.knee.note' (did you mean 'rest'?)",
    ),
    (
        "what the node lists for every pathway",
        {"shared/treatments.yml": PILLS.replace("        body:", "        relevant_to: [shared-pain]\n        body:").replace(
            "relevant_to: [arthritis]", "relevant_to: [arthritis, shared-pain]", 1
        ).rstrip() + "\n    conditions:\n      - {id: shared-pain, title: Pain, summary: S.}\n"},
        "pathway/shared/treatments.yml:15:34: treatment 'pills': 'in.knee.relevant_to' lists 'shared-pain', which 'relevant_to' already lists for every pathway",
    ),
    (
        "a misspelt key in a context",
        {"shared/treatments.yml": PILLS.replace("            note: For a sore knee", "            notes: For a sore knee")},
        "pathway/shared/treatments.yml:11:9: treatment 'pills': unknown key 'notes' (did you mean 'note'?)",
    ),
    (
        "a misspelt 'in'",
        {"shared/treatments.yml": PILLS.replace("        in:\n", "        inn:\n")},
        "pathway/shared/treatments.yml:9:5: treatment 'pills': unknown key 'inn' (did you mean 'in'?)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_problem_of_a_context_names_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, dict[str, str], str]) -> None:
    _, changed, message = case
    run = check(tmp_path, capsys, {**files(), **changed})
    assert run.code == 1
    assert message in run.problems, "\n".join(run.problems)


def test_a_stages_context_cannot_list_relevant_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = files()
    given["shared/stages.yml"] = "stages:\n  - id: common\n    title: Common\n    summary: S.\n    in:\n      knee:\n        relevant_to: [arthritis]\n"
    given["knee/pathway.yml"] = given["knee/pathway.yml"].replace("stages: [self-care]", "stages: [self-care, common]").replace(
        "    options: [rest, pills, arthritis]", "    options: [rest, pills, arthritis]\n    escalates_to: [common]"
    )
    run = check(tmp_path, capsys, given)
    assert run.problems == ["pathway/shared/stages.yml:7:9: stage 'common': 'in.knee.relevant_to': a stage has no 'relevant_to' links"]


# --- the shipped site: properties, never lists of its ids ---------------------------------------------------


def _named(value: object, kb: KnowledgeBase, pathways: set[str]) -> list[str]:
    """Every string in a JSON value (keys too) that names a node, a pathway or a node in a pathway's folder."""
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in [*_named(k, kb, pathways), *_named(v, kb, pathways)]]
    if isinstance(value, list):
        return [n for v in value for n in _named(v, kb, pathways)]
    if isinstance(value, str) and (value in kb.nodes or value in pathways or value.split("/", 1)[0] in pathways and "/" in value):
        return [value]
    return []


@pytest.fixture(scope="module")
def shipped() -> SitePages:
    return build_site_pages(Settings(pathway_dir=SHIPPED, diagrams=True))


def test_each_shipped_pathway_json_names_only_its_own_nodes_and_the_shared_library(shipped: SitePages) -> None:
    """In nodes, edges and every nested list or mapping (a shared node's `relevant_to`, its contexts): the pathway
    itself, its own nodes ('<p>/...') and shared nodes, never another pathway's."""
    kb = shipped.kb
    pathways = {p.id for p in kb.pathways}
    assert len(pathways) > 1
    shared_seen = False
    for pid in sorted(pathways):
        data = json.loads(shipped.assets[pathway_json_uri(pid)])
        named = _named({k: v for k, v in data.items() if k != "glossary"}, kb, pathways)
        assert [n for n in named if not (n == pid or n.startswith(f"{pid}/") or kb.is_shared(n))] == [], pid
        assert any(n.startswith(f"{pid}/") for n in named)
        shared_seen = shared_seen or any(kb.is_shared(n) for n in named)
        for node in data["nodes"]:
            assert set(node["in"]) <= {pid}, node["id"]
        assert {e.get("in", pid) for e in data["edges"]} <= {pid}
    assert shared_seen


def test_no_shipped_page_of_one_pathway_names_another_pathways_nodes(shipped: SitePages) -> None:
    """A pathway's own pages (its home, overview, stages and nodes: text, diagrams, "Related pages") and its part of
    each shared page (its context) link nothing in another pathway's folder."""
    pathways = {p.id for p in shipped.kb.pathways}
    checked = 0
    for pid in sorted(pathways):
        others = [f"{q}/" for q in pathways - {pid}]
        for uri, text in shipped.pages.items():
            if uri == f"{pid}.md" or uri.startswith(f"{pid}/"):
                checked += 1
                assert not [q for q in others if q in text], uri
    assert checked > len(pathways)
    parts = 0
    for uri, text in shipped.pages.items():
        for title, body in re.findall(r'<details class="cp-pathway-context" markdown="1">\n<summary class="cp-no-score">(.*?)</summary>\n(.*?)</details>', text, re.DOTALL):
            pid = next(p.id for p in shipped.kb.pathways if p.title == title)
            parts += 1
            assert not [q for q in pathways - {pid} if f"{q}/" in body], (uri, title)
    assert parts > 0
