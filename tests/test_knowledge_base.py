"""A knowledge base of several pathways that share nodes: each reader stays in their own pathway.

An extra pathway is added to a copy of the shipped site: its id sorts before or after the shipped ones,
it shares three nodes (a medicine, a check-up, the surgical consultation) and has its own stages, a
treatment and a red flag. The built site must keep the two pathways apart in every page, diagram and
`pathway.json`, and a shared page must serve both.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.render.pages import Renderer, RenderOptions
from carepath.words import DEFAULT_EDITION, words
from carepath.words import words as edition_words
from helpers_pathway import check
from helpers_site import (
    Build,
    article,
    article_links,
    build,
    copy_shipped,
    elements,
    node_url,
    resolve_href,
    shipped_edition,
    text_of,
)

SHIPPED_ID = "when-pt-does-not-help"
SHARED = ("nsaids", "diagnostic-review", "surgical-consultation")


def shoulder(pid: str) -> str:
    """A small pathway from another specialty, written the way AUTHORING.md says."""
    return textwrap.dedent(f"""\
        pathways:
          - id: {pid}
            title: A stiff and sore shoulder
            summary: What to try when your shoulder hurts and is hard to move.
            stages: [{pid}-home-care, {pid}-clinic-care]
            red_flags: [{pid}-arm-goes-numb]
        stages:
          - id: {pid}-home-care
            title: Care at home
            summary: Rest the shoulder a little and take a simple pain medicine.
            options: [{pid}-arm-sling, nsaids]
            escalates_to: [{pid}-clinic-care]
          - id: {pid}-clinic-care
            title: Care at the clinic
            summary: A doctor checks your shoulder again and may send you to a surgeon.
            options: [diagnostic-review, surgical-consultation]
        treatments:
          - id: {pid}-arm-sling
            title: Arm sling
            type: device
            summary: A soft sling holds your arm still for a few days.
        indicators:
          - id: {pid}-arm-goes-numb
            title: Your arm goes numb or weak all of a sudden
            summary: This can be a sign of a stroke.
            urgency: emergency
            action: Get help now.
        """)


def own_nodes(pid: str) -> set[str]:
    """Full ids: written in the pathway's own folder, each node is local to it ('<pathway>/<id>')."""
    return {pid, f"{pid}/{pid}-home-care", f"{pid}/{pid}-clinic-care", f"{pid}/{pid}-arm-sling", f"{pid}/{pid}-arm-goes-numb"}




@pytest.fixture(scope="module", params=["aaa-shoulder", "zzz-shoulder"])
def two(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, str, set[str], set[str]]:
    pid = request.param
    project = copy_shipped(tmp_path_factory.mktemp(pid))
    (project / "pathway" / pid).mkdir()
    (project / "pathway" / pid / "pathway.yml").write_text(shoulder(pid), encoding="utf-8")
    b = build(project)
    assert b.returncode == 0, b.output
    assert b.warnings == [], b.warnings
    kb, problems = check_pathway(project / "pathway")
    assert [p for p in problems if p.severity == "error"] == []
    back = set(kb.members(SHIPPED_ID)) - set(SHARED)
    return b, pid, own_nodes(pid), back


def test_each_pathway_json_holds_only_its_own_nodes(two: tuple[Build, str, set[str], set[str]]) -> None:
    b, pid, mine, back = two
    data = json.loads((b.site / pid / "pathway.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == mine | set(SHARED)
    assert all(e["source"] in mine | set(SHARED) and e["target"] in mine | set(SHARED) for e in data["edges"])
    shipped = json.loads((b.site / SHIPPED_ID / "pathway.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in shipped["nodes"]} & mine == set()
    assert {n["id"] for n in shipped["nodes"]} >= back


def test_overviews_and_flows_never_reach_into_the_other_pathway(two: tuple[Build, str, set[str], set[str]]) -> None:
    b, pid, mine, back = two
    mine_urls = {node_url(n) for n in mine}
    back_urls = {node_url(n) for n in back}
    for url in [f"{pid}/overview/", node_url(pid), *(node_url(n) for n in mine)]:
        assert article_links(b, url) & back_urls == set(), url
    for url in [f"{SHIPPED_ID}/overview/", *(node_url(n) for n in back)]:
        assert article_links(b, url) & mine_urls == set(), url


def test_stage_pages_show_only_their_own_pathways_red_flags(two: tuple[Build, str, set[str], set[str]]) -> None:
    b, pid, _mine, _back = two
    page = article(b.html(node_url(f"{pid}/{pid}-home-care")))
    assert "Your arm goes numb or weak all of a sudden" in text_of(page)
    for flag in ("loss-of-bladder-or-bowel-control", "saddle-numbness", "sudden-leg-weakness"):
        assert node_url(flag) not in article_links(b, node_url(f"{pid}/{pid}-home-care")), flag
    shipped_stage = node_url("non-invasive-treatments")
    assert node_url(f"{pid}/{pid}-arm-goes-numb") not in article_links(b, shipped_stage)


def test_a_shared_page_names_both_pathways_and_steps_with_a_row_each(two: tuple[Build, str, set[str], set[str]]) -> None:
    b, pid, _, _ = two
    url = node_url("nsaids")
    page = article(b.html(url))
    part = re.search(r'<div class="cp-part-of[^"]*">(.*?)</div>', page, re.DOTALL)
    assert part, "no 'Part of' line"
    words = text_of(part.group(1))
    # Pathways by title, whatever their ids: "A stiff...", then the shipped "Back pain and sciatica..." and "Numb or tingling..."
    assert re.search(
        r"Part of: A stiff and sore shoulder — Step 1 of 2: Care at home ?; "
        r"Back pain and sciatica when physical therapy has not helped — Step 2 of 4: [^;]*; "
        r"Numb or tingling hand from carpal tunnel syndrome — Step 1 of 3: Care for your hand at home",
        words,
    ), words
    targets = article_links(b, url)
    assert {node_url(pid), node_url(f"{pid}/{pid}-home-care"), node_url(SHIPPED_ID), node_url("non-invasive-treatments")} <= targets
    rows = [e for e in elements(page) if e.tag == "nav" and "cp-prevnext" in e.classes]
    assert [r.attrs["aria-label"] for r in rows] == [
        "Along A stiff and sore shoulder",
        "Along Back pain and sciatica when physical therapy has not helped",
        "Along Numb or tingling hand from carpal tunnel syndrome",
    ]
    # The breadcrumb of a single pathway would be wrong for the other reader: a shared page has none.
    assert 'class="cp-breadcrumb' not in page
    # The stage flow is drawn once per pathway, each headed by its pathway.
    assert len(re.findall(r"In A stiff and sore shoulder ?:", text_of(page))) == 2  # flow heading and prev/next row
    assert len(re.findall(r"In Back pain and sciatica when physical therapy has not helped ?:", text_of(page))) == 2
    assert len(re.findall(r"In Numb or tingling hand from carpal tunnel syndrome ?:", text_of(page))) == 2


def test_backlinks_say_which_pathway(two: tuple[Build, str, set[str], set[str]]) -> None:
    b, _pid, _, _ = two
    page = article(b.html(node_url("surgical-consultation")))
    linked = text_of(page[page.index("Related pages") :])
    assert "(A stiff and sore shoulder: step 2 of 2)" in linked
    assert "(Back pain and sciatica when physical therapy has not helped: step 4 of 4)" in linked


def test_placement_does_not_depend_on_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same knowledge base under two ids places the shared nodes the same way (by title)."""
    got = []
    for pid in ("aaa-shoulder", "zzz-shoulder"):
        root = tmp_path / pid
        run = check(root, capsys, {"shoulder.yml": shoulder(pid)})
        assert run.code == 1  # the shared nodes are not in this small folder
        project = copy_shipped(tmp_path / f"{pid}/{pid}-p")
        (project / "pathway" / "extra.yml").write_text(shoulder(pid), encoding="utf-8")
        kb, problems = check_pathway(project / "pathway")
        assert [p for p in problems if p.severity == "error"] == []
        got.append([(p.pathway.title, p.step) for p in kb.placements("nsaids")])
    assert got[0] == got[1] == [
        ("A stiff and sore shoulder", 1),
        ("Back pain and sciatica when physical therapy has not helped", 2),
        ("Numb or tingling hand from carpal tunnel syndrome", 1),
    ]


# --- vocabularies are data ---------------------------------------------------------------------------

VOCAB = """\
vocabulary:
  treatment_types:
    - {id: talking-therapy, label: Talking therapy, risky: false, schema_org: MedicalTherapy}
  urgency_labels:
    emergency: Act at once
  edge_labels:
    requires: {forward: do this first, backward: comes first for}
"""


def test_a_site_adds_a_treatment_type_and_relabels_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from carepath.diagram.journey import stage_slice_html
    from carepath.render.pages import render_pages
    from helpers_pathway import journey

    treatments = """\
treatments:
  - {id: cbt, title: CBT, summary: Talking with a therapist., type: talking-therapy}
  - {id: pills, title: Pills, summary: Tablets., type: medication, requires: [cbt]}
"""
    run = check(tmp_path, capsys, {"journey.yml": journey("cbt", "pills", red_flags=("bad",)), "t.yml": treatments, "v.yml": VOCAB,
                                   "i.yml": "indicators:\n  - {id: bad, title: Bad, summary: S., urgency: emergency}\n"})
    assert (run.code, run.problems) == (0, [])
    kb, _ = check_pathway(tmp_path / "pathway")
    pages = render_pages(kb)
    assert "Talking therapy" in pages["cbt.md"]
    assert "talking-therapy" not in pages["cbt.md"].split("\n---\n", 1)[1]  # never the raw value
    assert "Act at once:</strong>" in pages["first-line.md"]  # the get-help line's label
    assert '"Act at once: ' + words(DEFAULT_EDITION).get("routes.emergency").replace(".", "\\.") in pages["bad.md"]  # the red flag's own card
    assert "comes first for" in pages["cbt.md"]  # the backlink from 'pills'
    html = stage_slice_html(kb, kb.pathways[0], "first-line", "first-line.md")
    assert "talking therapy" in html and "Do this first:" in html


def test_unknown_and_twice_defined_vocabulary_words_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpers_pathway import journey

    treatments = "treatments:\n  - {id: cbt, title: CBT, summary: Talking., type: talking-therapi}\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("cbt"), "t.yml": treatments, "v.yml": VOCAB, "w.yml": VOCAB})
    assert run.code == 1
    assert run.problems == [
        ("pathway/t.yml:2:52: treatment 'cbt': 'type' is 'talking-therapi' (did you mean 'talking-therapy'?); expected one of: "
        "assessment, self-care, education, medication, topical, device, injection, procedure, surgery, referral, emergency-care, "
        "talking-therapy (or add it under 'vocabulary: treatment_types:')"),
        "pathway/w.yml:3:12: vocabulary: treatment type 'talking-therapy' is already defined at pathway/v.yml:3:12",
        "pathway/w.yml:5:16: vocabulary: urgency label 'emergency' is already defined at pathway/v.yml:5:16",
        "pathway/w.yml:7:15: vocabulary: edge label 'requires' is already defined at pathway/v.yml:7:15",
    ]


def test_generated_home_lists_every_pathway_with_a_general_emergency_box(two: tuple[Build, str, set[str], set[str]]) -> None:
    """One emergency line, then a link per pathway to its full list of warning signs, by title; never a list of
    every pathway's signs."""
    b, pid, _, _ = two
    home = article(b.html(""))
    words = text_of(home)
    assert words.index(f"Emergency: call {edition_words(shipped_edition()).get('routes.emergency_number')}") < words.index("Care pathways")
    box = re.search(r'<div class="admonition danger cp-emergency-box">(.*?)</div>', home, re.DOTALL)
    assert box, "no emergency box"
    hrefs = re.findall(r'<a href="([^"]+)">', box.group(1))
    assert [resolve_href("", h) for h in hrefs] == [node_url(pid), node_url(SHIPPED_ID), node_url("carpal-tunnel-care")]  # by title
    assert all(h.endswith("#warning-signs") for h in hrefs)
    assert "A stiff and sore shoulder" in text_of(box.group(1))
    sign = node_url(f"{pid}/{pid}-arm-goes-numb")
    assert sign not in article_links(b, "")  # the signs are on each pathway's own page
    assert sign in article_links(b, node_url(pid))
    listed = re.findall(r"<strong><a href=\"([^\"]+)\">", home)
    assert [resolve_href("", h) for h in listed] == [node_url(pid), node_url(SHIPPED_ID), node_url("carpal-tunnel-care")]  # by title
    index = article(b.html("pathways/"))
    assert 'cp-emergency-box' in index and node_url(pid) in article_links(b, "pathways/")


def test_the_emergency_box_links_each_pathway_not_its_signs_even_signs_that_share_a_title(tmp_path: Path) -> None:
    """Two pathways' signs called the same cannot be mixed up on the home page: it names pathways, each linking
    to its own list of warning signs, and no sign at all."""
    project = copy_shipped(tmp_path / "p")
    same = shoulder("shoulder").replace("Your arm goes numb or weak all of a sudden", "New loss of bladder or bowel control")
    (project / "pathway" / "shoulder").mkdir()
    (project / "pathway" / "shoulder" / "pathway.yml").write_text(same, encoding="utf-8")
    kb, problems = check_pathway(project / "pathway")
    assert [p for p in problems if p.severity == "error"] == []
    box = Renderer(kb, RenderOptions()).emergency_box("index.md")
    assert [(e.text, e.href) for e in box["emergency"]] == [
        ("A stiff and sore shoulder", "shoulder.md#warning-signs"),
        ("Back pain and sciatica when physical therapy has not helped", "when-pt-does-not-help.md#warning-signs"),
        ("Numb or tingling hand from carpal tunnel syndrome", "carpal-tunnel-care.md#warning-signs"),
    ]
    assert box["emergency_folded"]  # three pathways: the links fold under their count


# --- scoped ids --------------------------------------------------------------------------------------

SCOPED = """\
pathways:
  - id: knee
    title: Knee pain
    summary: Knee pain.
    stages: [self-care, surgical-opinion]
  - id: hip
    title: Hip pain
    summary: Hip pain.
    stages: [self-care, surgical-opinion]
stages:
  - {id: self-care, pathway: knee, title: Knee self-care, summary: S., options: [rest], escalates_to: [surgical-opinion]}
  - {id: surgical-opinion, pathway: knee, title: Knee surgeon, summary: S., options: [surgeon], aliases: [knee-surgeon]}
  - {id: self-care, pathway: hip, title: Hip self-care, summary: S., options: [rest], escalates_to: [surgical-opinion]}
  - {id: surgical-opinion, pathway: hip, title: Hip surgeon, summary: S., options: [surgeon]}
treatments:
  - {id: rest, title: Rest, summary: S., type: self-care}
  - {id: surgeon, title: Surgeon visit, summary: S., type: referral, returns_to: [self-care]}
"""


def test_two_pathways_each_have_a_stage_of_the_same_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from carepath import urls as links
    from carepath.render.pages import render_pages

    run = check(tmp_path, capsys, {"p.yml": SCOPED})
    # 'surgeon' is shared: its 'returns_to: [self-care]' could mean either pathway's stage.
    assert run.problems == [
        ("pathway/p.yml:17:83: treatment 'surgeon': 'returns_to' names 'self-care', a node of several pathways ('hip', 'knee'); "
        "a short id reaches only the pathway's own nodes and the shared library: write one of 'hip/self-care', 'knee/self-care', "
        "or move the node to the shared library")
    ]
    run = check(tmp_path / "b", capsys, {"p.yml": SCOPED.replace("returns_to: [self-care]", "returns_to: [knee/self-care]")})
    assert (run.code, run.problems) == (0, [])
    kb, _ = check_pathway(tmp_path / "b" / "pathway")
    knee, hip = kb.nodes["knee"], kb.nodes["hip"]
    assert knee.stages == ["knee/self-care", "knee/surgical-opinion"]  # type: ignore[union-attr]
    assert hip.stages == ["hip/self-care", "hip/surgical-opinion"]  # type: ignore[union-attr]
    assert kb.out_edges("hip/self-care")[-1].target == "hip/surgical-opinion"  # local first
    assert links.page_url(links.node_uri("knee/surgical-opinion")) == "knee/surgical-opinion/"
    pages = render_pages(kb)
    assert {"knee/self-care.md", "knee/surgical-opinion.md", "hip/self-care.md", "hip/surgical-opinion.md"} <= pages.keys()
    assert "](../knee.md)" in pages["knee/surgical-opinion.md"]  # breadcrumb back to its pathway


def test_a_scoped_stage_needs_a_real_pathway_and_a_free_short_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SCOPED.replace("returns_to: [self-care]", "returns_to: [knee/self-care]").replace(
        "{id: surgical-opinion, pathway: hip,", "{id: overview, pathway: hips,"
    ).replace("stages: [self-care, surgical-opinion]\nstages", "stages: [self-care, overview]\nstages")
    run = check(tmp_path, capsys, {"p.yml": text})
    assert run.code == 1
    assert "pathway/p.yml:14:10: stage 'hips/overview': the id 'overview' is reserved inside a pathway's folder; choose another" in run.problems
    assert "pathway/p.yml:14:29: stage 'hips/overview': 'pathway' is 'hips', which is not the id of a pathway (did you mean 'hip'?)" in run.problems


def test_scoped_stages_build_with_working_urls_and_redirects(tmp_path: Path) -> None:
    project = copy_shipped(tmp_path / "p")
    (project / "pathway" / "scoped.yml").write_text(
        SCOPED.replace("returns_to: [self-care]", "returns_to: [knee/self-care]")
        .replace("summary: S.", "summary: A short plain summary.")
        # the safety rules ask every pathway for an emergency red flag: borrow the shipped one
        .replace("stages: [self-care, surgical-opinion]", "stages: [self-care, surgical-opinion]\n    red_flags: [when-pt-does-not-help/loss-of-bladder-or-bowel-control]"),
        encoding="utf-8",
    )
    b = build(project)
    assert b.returncode == 0, b.output
    assert "Knee surgeon" in b.html("knee/surgical-opinion/") and "Hip surgeon" in b.html("hip/surgical-opinion/")
    assert "Talk with a surgeon" in b.html(node_url("surgical-opinion"))  # the shipped pathway's own stage
    redirect = b.html("knee-surgeon/")
    assert 'content="0; url=../knee/surgical-opinion/"' in redirect


def test_an_ambiguous_node_link_lists_every_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`node:self-care` in a shared node's text or a hand-written page could be either pathway's stage: the
    message names both, as for a reference, not a did-you-mean of one of them."""
    import yaml
    from carepath.problems import PathwayError
    from carepath.render.pages import render_pages
    from helpers_pathway import run_cli, write_pathway

    text = SCOPED.replace("returns_to: [self-care]", "returns_to: [knee/self-care]").replace(
        "  - {id: rest, title: Rest, summary: S., type: self-care}\n",
        "  - id: rest\n    title: Rest\n    summary: S.\n    type: self-care\n    body: Rest, then go back to [self-care](node:self-care).\n",
    )
    run = check(tmp_path, capsys, {"p.yml": text})
    assert run.problems == [
        ("pathway/p.yml:20:11: treatment 'rest': node link 'node:self-care' in 'body' names 'self-care', a node of several pathways "
        "('hip', 'knee'); a short id reaches only the pathway's own nodes and the shared library: write one of 'node:hip/self-care', "
        "'node:knee/self-care', or move the node to the shared library")
    ]
    kb, _ = check_pathway(tmp_path / "pathway")
    with pytest.raises(PathwayError) as err:  # the renderer's own guard says the same
        render_pages(kb)
    assert [str(p) for p in err.value.problems] == [
        (f"{kb.positions['rest']}: treatment 'rest': node link 'node:self-care' in its text names 'self-care', a node of several "
        "pathways ('hip', 'knee'); a short id reaches only the pathway's own nodes and the shared library: write one of "
        "'node:hip/self-care', 'node:knee/self-care', or move the node to the shared library")
    ]
    folder = write_pathway(tmp_path / "site", {"p.yml": text.replace("(node:self-care)", "(node:knee/self-care)")})
    config = {"site_name": "T", "docs_dir": "content", "plugins": [{"carepath": {"pathway_dir": "pathway"}}]}
    (tmp_path / "site" / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "site" / "content").mkdir()
    (tmp_path / "site" / "content" / "about.md").write_text("# About\n\nStart with [self-care](node:self-care).\n", encoding="utf-8")
    run = run_cli(capsys, "check", str(folder))
    assert run.problems == [
        ("content/about.md:3:24: node link 'node:self-care' names 'self-care', a node of several pathways ('hip', 'knee'); "
        "write one of 'node:hip/self-care', 'node:knee/self-care'")
    ]


LOCAL_TYPOS = """\
pathways:
  - id: carpal-tunnel-care
    title: Carpal tunnel
    summary: Carpal tunnel.
    stages: [home-care, doctor-care]
stages:
  - {id: home-care, pathway: carpal-tunnel-care, title: Home care, summary: S., options: [splint], escalates_to: [docter-care]}
  - {id: doctor-care, pathway: carpal-tunnel-care, title: Doctor care, summary: S., options: [splint]}
treatments:
  - {id: splint, title: Wrist splint, summary: S., type: device, returns_to: [home-cair]}
"""


def test_a_typo_of_a_local_stage_id_gets_a_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The suggestion is the short id, which works where it is written: in the stage's own pathway. A shared
    node reaches a pathway's own stage only by its full id, so no short id is offered there."""
    run = check(tmp_path, capsys, {"p.yml": LOCAL_TYPOS})
    assert run.problems == [
        "pathway/p.yml:7:115: stage 'carpal-tunnel-care/home-care': unknown reference 'docter-care' in 'escalates_to' (did you mean 'doctor-care'?)",
        "pathway/p.yml:10:79: treatment 'splint': unknown reference 'home-cair' in 'returns_to'",
    ]
    # With a second pathway's 'home-care', the short id would be ambiguous from a shared treatment: no suggestion of it.
    other = "  - {id: home-care, pathway: wrist, title: Home care, summary: S., options: [splint]}\n"
    second = LOCAL_TYPOS.replace("stages:\n", "  - {id: wrist, title: Wrist, summary: Wrist., stages: [home-care]}\nstages:\n" + other, 1)
    run = check(tmp_path / "b", capsys, {"p.yml": second})
    assert "pathway/p.yml:12:79: treatment 'splint': unknown reference 'home-cair' in 'returns_to'" in run.problems
