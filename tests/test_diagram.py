"""Decision-flow diagrams: structure, links, escaping, determinism and golden files.

Refresh the golden files with `CAREPATH_UPDATE_GOLDEN=1 pytest tests/test_diagram.py` and review the diff.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from carepath import check_pathway, load_knowledge_base
from carepath.diagram.dot import overview_dot
from carepath.diagram.errors import DiagramError
from carepath.diagram.graphviz import run_dot
from carepath.diagram.journey import journey_html, stage_slice_html
from carepath.diagram.links import check_diagram_links, diagram_links
from carepath.diagram.listing import text_alternative_html
from carepath.diagram.overview import overview_html
from carepath.diagram.svg import overview_svg_file
from carepath.model.graph import EdgeKind, KnowledgeBase, Pathway
from carepath.urls import Urls, node_uri, url_link
from carepath.words import DEFAULT_EDITION
from carepath.words import words as edition_words

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "diagram"
GOLDEN = HERE / "golden" / "diagrams"
SHIPPED = HERE.parent / "pathway"
SVG = "{http://www.w3.org/2000/svg}"
UPDATE = os.environ.get("CAREPATH_UPDATE_GOLDEN") == "1"
ROUTES = edition_words(DEFAULT_EDITION)
"""The default edition's route words, read before a sign's own action."""

JOURNEY_ORDER = [
    "review", "physio-review", "modified-exercise",
    "conservative", "pain-medicine", "knee-brace", "steroid-injection", "knee-osteoarthritis",
    "interventional", "nerve-block", "rfa",
    "surgical", "surgical-consult",
]  # fmt: skip


# --- helpers ---


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    kb, _ = load_knowledge_base(FIXTURES / "pathway")
    return kb


@pytest.fixture(scope="module")
def hostile() -> KnowledgeBase:
    """Titles with a bell and bidirectional overrides: `check` refuses them, but the diagrams must stay safe
    even when the library is called without validation, so the knowledge base is taken despite those errors."""
    kb, problems = check_pathway(FIXTURES / "hostile" / "pathway")
    errors = [p.message for p in problems if p.severity == "error"]
    assert errors == [
        "stage 'second': 'title' contains the invisible character U+0007 (a control character), which can change how the text reads; remove it",
        "treatment 'rtl': 'title' contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE), which can change how the text reads; remove it",
    ]
    return kb


def pathway_of(kb: KnowledgeBase) -> Pathway:
    return kb.pathways[0]


def tree(markup: str) -> ET.Element:
    """Parse a diagram as XML: the diagrams are well-formed, which also proves nothing broke out of a tag."""
    return ET.fromstring(f"<root>{markup}</root>")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def links(el: ET.Element) -> list[tuple[str, str]]:
    """(href, text) of every link under `el`, in document order."""
    return [(a.attrib["href"], "".join(a.itertext())) for a in el.iter() if local(a.tag) == "a"]


def href(page: str, node_id: str) -> str:
    return url_link(page, node_uri(node_id))


def by_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if cls in el.get("class", "").split()]


def only(items: list[ET.Element]) -> ET.Element:
    assert len(items) == 1, items
    return items[0]


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; create it with CAREPATH_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), text.splitlines(), f"golden/{name}", "rendered", lineterm="", n=2)
        )
        pytest.fail(f"{name} differs from its golden file (CAREPATH_UPDATE_GOLDEN=1 refreshes it):\n{diff[:6000]}")


def golden_text(html: str) -> str:
    """One element per line, so a golden diff shows what changed."""
    return re.sub(r"(<(?:li|ol|ul|p|div|details|summary|figure)\b)", r"\n\1", html).lstrip("\n") + "\n"


def all_diagrams(kb: KnowledgeBase, pathway: Pathway) -> dict[str, str]:
    """Every diagram of a pathway, as the page renderer would ask for them."""
    out = {
        "journey": journey_html(kb, pathway, node_uri(pathway.id)),
        "overview": overview_html(kb, pathway, node_uri(pathway.id)),
        "text": text_alternative_html(kb, pathway, node_uri(pathway.id)),
    }
    for stage_id in pathway.stages:  # a scoped stage's short id is unique in its pathway, whose folder holds the files
        out[f"slice-{stage_id.rsplit('/', 1)[-1]}"] = stage_slice_html(kb, pathway, stage_id, node_uri(stage_id), here=stage_id)
    return out


# --- the journey ---


def test_journey_links_every_stage_option_red_flag_and_action(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    page = "knee-pain.md"
    got = dict(links(tree(journey_html(kb, p, page))))
    expected = {p.id, *JOURNEY_ORDER, "hot-swollen-knee", "cannot-bear-weight", "night-pain", "emergency-care", "urgent-gp"}
    for node_id in expected:
        assert got.get(href(page, node_id)) == kb.nodes[node_id].title, node_id
    assert href(page, "rfa") == "../rfa/"


def test_journey_stages_in_order_with_no_improvement_arrows(kb: KnowledgeBase) -> None:
    root = tree(journey_html(kb, pathway_of(kb), "knee-pain.md"))
    stages = by_class(root, "cp-stage")
    assert [links(s)[0][0] for s in stages] == ["../review/", "../conservative/", "../interventional/", "../surgical/"]
    for stage, nxt in zip(stages, ["conservative", "interventional", "surgical", None]):
        arrows = by_class(stage, "cp-escalate")
        if nxt is None:
            assert arrows == []
            continue
        arrow = only(arrows)
        assert "If no improvement:" in "".join(arrow.itertext())
        assert links(arrow) == [(f"../{nxt}/", kb.nodes[nxt].title)]
        assert only([s for s in arrow.iter() if s.get("aria-hidden") == "true"]).text == "↓"


def test_journey_options_show_prerequisites_and_return_paths_in_words(kb: KnowledgeBase) -> None:
    root = tree(journey_html(kb, pathway_of(kb), "knee-pain.md"))
    options = {links(li)[0][0]: li for li in by_class(root, "cp-option")}
    rfa = options["../rfa/"]
    requires = only(by_class(rfa, "cp-rel-requires"))
    assert "".join(requires.itertext()).startswith("Do this first:")
    assert links(requires) == [("../nerve-block/", "Genicular nerve block")]
    assert links(only(by_class(rfa, "cp-rel-escalates-to"))) == [("../surgical/", "Talking about surgery")]
    back = only(by_class(options["../steroid-injection/"], "cp-rel-returns-to"))
    assert "".join(back.itertext()).startswith("Afterwards, back to:")
    assert links(back) == [("../modified-exercise/", "Modified exercise programme")]
    assert by_class(options["../pain-medicine/"], "cp-relations") == []
    assert "cp-kind-condition" in options["../knee-osteoarthritis/"].get("class", "")


def test_journey_red_flags_box_links_to_the_action_with_urgency_in_words(kb: KnowledgeBase) -> None:
    root = tree(journey_html(kb, pathway_of(kb), "knee-pain.md"))
    box = only(by_class(root, "cp-pathway-flags"))
    flags = by_class(box, "cp-flag")
    assert [f.get("class") for f in flags] == ["cp-flag cp-urgency-emergency", "cp-flag cp-urgency-urgent"]
    first, second = flags
    assert "".join(only(by_class(first, "cp-urgency")).itertext()) == "‼ Emergency"
    assert "".join(only(by_class(second, "cp-urgency")).itertext()) == "! Urgent"
    assert links(first) == [
        ("../hot-swollen-knee/", "Hot, swollen knee with fever"),
        ("../emergency-care/", "Hospital visit"),
    ]
    assert links(only(by_class(second, "cp-flag-go"))) == [("../urgent-gp/", "Urgent GP appointment")]
    assert ROUTES.get("routes.emergency") in "".join(first.itertext())
    stage_flag = only(by_class(root, "cp-stage-flags"))
    assert "".join(only(by_class(stage_flag, "cp-urgency")).itertext()) == "◷ Soon"


@pytest.mark.parametrize("here", ["rfa", "review", "hot-swollen-knee", "modified-exercise"])
def test_journey_marks_you_are_here_once(kb: KnowledgeBase, here: str) -> None:
    html = journey_html(kb, pathway_of(kb), node_uri(here), here=here)
    root = tree(html)
    labels = by_class(root, "cp-here-label")
    assert len(labels) == 1
    assert "".join(labels[0].itertext()) == "◉ You are here"
    marked = only(by_class(root, "cp-here"))
    assert links(marked)[0] == ("./", kb.nodes[here].title)
    current = [a for a in root.iter() if a.get("aria-current") == "page"]
    assert current and all(a.get("href") == "./" for a in current)


def test_journey_marks_a_node_only_mentioned_in_passing(kb: KnowledgeBase) -> None:
    root = tree(journey_html(kb, pathway_of(kb), "emergency-care.md", here="emergency-care"))
    assert len(by_class(root, "cp-here-label")) == 1
    assert by_class(root, "cp-here") == []


def test_diagrams_have_no_blank_lines_and_no_script(kb: KnowledgeBase) -> None:
    for name, html in all_diagrams(kb, pathway_of(kb)).items():
        assert "\n\n" not in html and not re.search(r"\n\s*\n", html), name
        assert "<script" not in html.lower(), name


# --- stage slices ---


def test_stage_slice_shows_what_comes_before_the_stage_and_where_it_escalates(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    root = tree(stage_slice_html(kb, p, "interventional", "interventional.md", here="interventional"))
    before = only(by_class(root, "cp-before"))
    assert "Comes after:" in "".join(before.itertext())
    assert links(before) == [("../conservative/", "Other non-surgical care")]
    stages = only(by_class(root, "cp-stages"))
    assert stages.get("start") == "3"
    assert [h for h, _ in links(only(by_class(stages, "cp-options")))] == [
        "../nerve-block/",
        "../rfa/",
        "../nerve-block/",
        "../surgical/",
        "../knee-osteoarthritis/",
    ]
    assert links(only(by_class(root, "cp-escalate"))) == [("../surgical/", "Talking about surgery")]
    assert "cp-here" in only(by_class(root, "cp-stage")).get("class", "")


def test_first_stage_slice_starts_at_the_pathway(kb: KnowledgeBase) -> None:
    root = tree(stage_slice_html(kb, pathway_of(kb), "review", "physio-review.md", here="physio-review"))
    before = only(by_class(root, "cp-before"))
    assert "Start of the journey:" in "".join(before.itertext())
    assert links(before) == [("../knee-pain/", "Knee pain that does not settle")]
    assert links(only(by_class(root, "cp-here")))[0] == ("./", "Physiotherapy review")


def test_stage_slice_refuses_a_stage_of_another_pathway(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="stage 'rfa' is not part of pathway 'knee-pain'"):
        stage_slice_html(kb, pathway_of(kb), "rfa", "rfa.md")


# --- text alternative ---


def test_text_alternative_links_every_node_in_journey_order(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    page = "knee-pain.md"
    root = tree(text_alternative_html(kb, p, page))
    order = []
    for h, _ in links(root):
        if h not in order:
            order.append(h)
    every = {href(page, n) for n in set(kb.members(p.id)) | set(p.stages)}
    assert set(order) == every
    journey = [href(page, n) for n in JOURNEY_ORDER]
    assert [h for h in order if h in journey] == journey
    red_flags = [
        li for li in root.iter() if local(li.tag) == "li" and "".join(li.itertext()).startswith("Red flags, at any step")
    ]
    assert [h for h, _ in links(only(red_flags))] == [
        "../hot-swollen-knee/",
        "../emergency-care/",
        "../septic-arthritis/",
        "../cannot-bear-weight/",
        "../urgent-gp/",
    ]


def test_text_alternative_is_a_nested_ordered_list_with_words_for_every_relation(kb: KnowledgeBase) -> None:
    root = tree(text_alternative_html(kb, pathway_of(kb), "knee-pain.md"))
    top = only([el for el in root.iter() if local(el.tag) == "ol" and el.get("class") == "cp-text-alt"])
    items = [li for li in top if local(li.tag) == "li"]
    assert len(items) == 5  # four stages, then the red flags
    text = ["".join(li.itertext()) for li in items]
    assert text[0].startswith("Step 1: Review what has been tried. Options:")
    assert "If there is no improvement, go to step 2, Other non-surgical care." in text[0]
    assert (
        "Radiofrequency ablation (procedure). Do this first: Genicular nerve block. If this does not help: Talking about surgery."
        in text[2]
    )
    assert "Steroid injection (injection). Afterwards, back to: Modified exercise programme." in text[1]
    assert f"Soon: Pain that wakes you every night. {ROUTES.get('routes.soon')} Go to: Urgent GP appointment." in text[1]
    assert text[3].endswith("This is the last step.")
    assert f"Emergency: Hot, swollen knee with fever. {ROUTES.get('routes.emergency')} Go to: Hospital visit." in text[4]
    assert any(local(el.tag) == "ol" for li in items[:3] for el in li)


def test_journey_and_overview_carry_the_text_alternative(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    text = text_alternative_html(kb, p, "knee-pain.md")
    inner = text.removeprefix('<div class="cp-text-alt-block">').removesuffix("</div>")
    for html in (journey_html(kb, p, "knee-pain.md"), overview_html(kb, p, "knee-pain.md")):
        details = only([el for el in tree(html).iter() if local(el.tag) == "details"])
        assert details.get("open") is None
        assert inner in html


# --- overview ---


def test_overview_svg_is_accessible_and_keeps_its_natural_size(kb: KnowledgeBase) -> None:
    """Points as CSS points: the chart says how big Graphviz drew it (10-point labels are 13.3 px), which is the size
    the standalone file opens at; the page's stylesheet scales it to fit the column."""
    html = overview_html(kb, pathway_of(kb), "knee-pain.md")
    for junk in ("<?xml", "<!DOCTYPE", "<!--", "xlink:", "graphviz version", "Generated by"):
        assert junk not in html
    root = tree(html)
    svg = only(by_class(root, "cp-overview-svg"))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "group"  # links inside stay reachable; an img role would hide them
    view = [float(n) for n in svg.get("viewBox", "").split()]
    size = [float(svg.get(side, "").removesuffix("pt")) for side in ("width", "height")]
    assert len(view) == 4 and size == view[2:] and svg.get("width", "").endswith("pt")
    assert min(float(el.get("font-size", "99")) for el in svg.iter() if local(el.tag) == "text") >= 9  # 9 pt = 12 px
    canvas = only(by_class(root, "cp-overview-canvas"))
    assert list(canvas) == [svg]
    assert canvas.get("tabindex") is None, "the chart fits its column: nothing to scroll, so no stop for the keyboard"
    title, desc = list(svg)[:2]
    assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
    assert title.text == "Overview of the pathway: Knee pain that does not settle"
    assert desc.text and "20" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_overview_svg_file_is_the_chart_and_key_of_the_page(kb: KnowledgeBase) -> None:
    """The standalone file holds the page's chart, links and all (it sits in the page's folder, so its links work as
    they are), at its natural size, with the page's key beside it in SVG text."""
    html = overview_html(kb, pathway_of(kb), "knee-pain/overview.md")
    data = overview_svg_file(f"# Overview\n\n{html}\n").decode("utf-8")
    assert data.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ')
    root = ET.fromstring(data.split("\n", 1)[1])  # a well-formed SVG document
    page_chart = only(by_class(tree(html), "cp-overview-svg"))
    chart = only(by_class(root, "cp-overview-svg"))
    assert links(chart) == links(page_chart) and len(links(chart)) == len(kb.members(pathway_of(kb).id))
    assert chart.get("viewBox") == page_chart.get("viewBox")
    assert (chart.get("width"), chart.get("height")) == tuple(page_chart.get(s, "").removesuffix("pt") for s in ("width", "height"))
    width, height = (float(root.get(side, "").removesuffix("pt")) for side in ("width", "height"))
    assert root.get("viewBox") == f"0 0 {width:.2f} {height:.2f}" and root.get("width", "").endswith("pt")
    assert width > float(chart.get("width", "")), "the key sits beside the chart"
    key = only(by_class(root, "cp-overview-key"))
    words = ["".join(t.itertext()) for t in key.iter(f"{SVG}text")]
    page_key = only(by_class(tree(html), "cp-overview-key"))
    assert words == ["Key", *("".join(span.itertext()) for span in page_key.iter("span"))]
    assert len([s for s in key.iter(f"{SVG}svg") if "cp-key-sample" in s.get("class", "")]) == len(words) - 1
    with pytest.raises(DiagramError):
        overview_svg_file("# no chart here\n")


def test_overview_links_every_node_with_its_shape(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    svg = tree(overview_html(kb, p, "knee-pain.md"))
    members = set(kb.members(p.id)) | set(p.stages)
    shapes = {"pathway": "polygon", "stage": "polygon", "treatment": "path", "condition": "ellipse", "indicator": "polygon"}
    for node_id in members:
        g = only([el for el in svg.iter() if el.get("id") == f"cp-overview-knee-pain-n-{node_id}"])
        kind = kb.kind(node_id)
        assert f"cp-kind-{kind}" in g.get("class", "")
        assert links(g) == [(href("knee-pain.md", node_id), "".join(g.find(f".//{SVG}a").itertext()))]  # type: ignore[union-attr]
        assert kb.nodes[node_id].title.split()[0] in "".join(g.itertext())
        assert any(local(el.tag) == shapes[kind] for el in g.iter())
        assert g.find(f"{SVG}title").text.endswith(kb.nodes[node_id].title)  # type: ignore[union-attr]


def test_overview_draws_each_edge_kind_with_its_own_style_and_words(kb: KnowledgeBase) -> None:
    svg = tree(overview_html(kb, pathway_of(kb), "knee-pain.md"))
    edges = [el for el in svg.iter() if "cp-edge" in el.get("class", "").split()]
    seen = {c.removeprefix("cp-edge-") for el in edges for c in el.get("class", "").split() if c.startswith("cp-edge-")}
    # 'Other options' (alternatives) is never drawn by default: the step page's comparison says it.
    assert seen == {k.value for k in EdgeKind} - {EdgeKind.alternative_to.value}
    by_kind: dict[str, list[ET.Element]] = {}
    for el in edges:
        by_kind.setdefault(el.get("class", "").split()[-1].removeprefix("cp-edge-"), []).append(el)
    expected = {
        "escalates-to": "if no improvement",
        "requires": "do this first",
        "returns-to": "afterwards, back to",
        "refers-to": "go to",
    }
    for kind, words in expected.items():
        assert all(words in "".join(t.text or "" for t in el.iter(f"{SVG}text")) for el in by_kind[kind]), kind
    dashes = {k: {p.get("stroke-dasharray") for el in v for p in el.iter(f"{SVG}path")} for k, v in by_kind.items()}
    assert dashes["requires"] != dashes["escalates-to"] and dashes["relevant-to"] != dashes["offers"]
    esc = only([el for el in edges if el.get("id") == "cp-overview-knee-pain-e-rfa-escalates-to-surgical"])
    assert esc.find(f"{SVG}title").text == "Radiofrequency ablation → if no improvement → Talking about surgery"  # type: ignore[union-attr]


def test_overview_has_a_key_and_groups_stages(kb: KnowledgeBase) -> None:
    """The key is HTML beside the chart: each kind's box and each edge kind's line, drawn by Graphviz as in the chart,
    with its words as page text, so it stays readable however small the chart is drawn."""
    html = overview_html(kb, pathway_of(kb), "knee-pain.md")
    root = tree(html)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(i and i.startswith("cp-overview-knee-pain") for i in ids)
    body = only(by_class(root, "cp-overview-body"))
    assert [el.get("class") for el in body] == ["cp-overview-canvas", "cp-overview-key"]
    key = only(by_class(root, "cp-overview-key"))
    title = only(by_class(key, "cp-overview-key-title"))
    assert (title.text, key.get("role"), key.get("aria-labelledby")) == ("Key", "group", title.get("id"))
    rows = list(key.iter("li"))
    assert ["".join(li.itertext()).strip() for li in rows] == [
        "Care pathway", "Stage of care", "Treatment", "Condition", "Warning sign",
        "includes", "offers", "watch for", "if no improvement", "do this first", "go to", "afterwards, back to",
        "see also (within a step)",
    ]  # fmt: skip
    chart = only(by_class(root, "cp-overview-svg"))
    for li in rows:
        sample = only([el for el in li if local(el.tag) == "svg"])
        assert (sample.get("class"), sample.get("aria-hidden")) == ("cp-key-sample", "true")
        kind = li.get("class", "").split()[1]  # cp-kind-treatment, cp-edge-offers
        drawn = only([g for g in sample if local(g.tag) == "g" and kind in g.get("class", "").split()])
        shapes = [local(el.tag) for el in drawn.iter()][1:]
        assert shapes, f"{kind}: the sample draws nothing"
        if kind.startswith("cp-kind-"):  # the same outline as that kind's boxes in the chart
            box = next(g for g in chart.iter() if kind in g.get("class", "").split() and "cp-node" in g.get("class", "").split())
            assert shapes == [local(el.tag) for el in box.iter() if local(el.tag) in ("polygon", "path", "ellipse", "polyline")][: len(shapes)]
            assert [el.get("stroke") for el in drawn.iter()][1:] == [el.get("stroke") for el in box.iter() if local(el.tag) in shapes][: len(shapes)]
        _, _, w, h = (float(n) for n in sample.get("viewBox", "").split())
        assert w > 0 and h > 0 and sample.get("width") == f"{w:.2f}pt"
    assert "Key" not in "".join(chart.itertext()), "the key is no longer drawn inside the chart"
    clusters = [el.get("id") for el in root.iter() if el.get("class") == "cluster"]
    assert [c for c in clusters if c and c.removeprefix("cp-overview-knee-pain-c-") in pathway_of(kb).stages] == [
        f"cp-overview-knee-pain-c-{s}" for s in pathway_of(kb).stages
    ]


def test_overview_runs_graphviz_once_per_pathway(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = subprocess.run

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting)
    overview_html(kb, pathway_of(kb), "knee-pain.md")
    assert len(calls) == 1


def test_graphviz_failure_is_a_clear_error() -> None:
    with pytest.raises(DiagramError, match=r"overview of pathway 'x': Graphviz failed \(exit 1\)"):
        run_dot("digraph { a -> }", "overview of pathway 'x'")


# --- links ---


def test_every_link_in_every_diagram_leads_to_a_node_page(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    for name, html in all_diagrams(kb, p).items():
        page = node_uri(p.id) if name in ("journey", "overview", "text") else node_uri(name.removeprefix("slice-"))
        found = check_diagram_links(html, kb, page)
        assert set(found) == set(diagram_links(html)) and found, name


def test_a_link_to_no_page_is_refused(kb: KnowledgeBase) -> None:
    html = journey_html(kb, pathway_of(kb), "knee-pain.md").replace('href="../rfa/"', 'href="../rfaa/"', 1)
    with pytest.raises(DiagramError, match=r"diagram on page 'knee-pain.md': link '../rfaa/' leads to no node page"):
        check_diagram_links(html, kb, "knee-pain.md")
    for bad in ("https://example.org/", "javascript:alert(1)", "#top", "//evil/"):
        with pytest.raises(DiagramError):
            check_diagram_links(f'<a href="{bad}">x</a>', kb, "knee-pain.md")


def test_diagram_links_reads_html_and_svg_links() -> None:
    assert diagram_links('<p><a href="../a/">a</a></p><svg><a xlink:href="../b/"><text>b</text></a><a href="c/"/></svg>') == [
        "../a/",
        "../b/",
        "c/",
    ]


FILE_URLS = Urls(use_directory_urls=False)
"""A site built with `use_directory_urls: false` (pages as `rfa.html`)."""


def test_links_follow_use_directory_urls(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    for html in (
        journey_html(kb, p, "knee-pain.md", urls=FILE_URLS),
        overview_html(kb, p, "knee-pain.md", urls=FILE_URLS),
    ):
        assert "rfa.html" in diagram_links(html)
        check_diagram_links(html, kb, "knee-pain.md", FILE_URLS)


# --- hostile text ---


def test_hostile_titles_stay_text_everywhere(hostile: KnowledgeBase) -> None:
    """Every HTML link's text reads back as the title exactly (whitespace collapsed, control characters dropped)."""
    p = pathway_of(hostile)
    titles = {n.id: " ".join(n.title.split()).replace("\x07", "") for n in hostile.nodes.values()}
    for name, html in all_diagrams(hostile, p).items():
        lowered = html.lower()
        assert "<script" not in lowered and "<img" not in lowered and "<b>" not in lowered and "<!--" not in lowered, name
        assert "\x07" not in html and "\n\n" not in html, name
        page = node_uri(p.id) if not name.startswith("slice-") else node_uri(name.removeprefix("slice-"))
        targets = check_diagram_links(html, hostile, page)
        root = tree(html)  # well-formed: no title closed a tag or an attribute
        html_links = [(a.attrib["href"], "".join(a.itertext())) for a in root.iter("a")]  # not the SVG's, which wrap
        assert html_links
        for h, text in html_links:
            assert text == titles[targets[h]], (name, h)


def test_hostile_overview_is_valid_svg_and_valid_dot(hostile: KnowledgeBase) -> None:
    p = pathway_of(hostile)
    dot = overview_dot(hostile, p, "hostile.md")
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script" in dot
    assert [line for line in dot.splitlines() if "digraph" in line.split("label=")[0]] == ['digraph "hostile" {', 'digraph "key" {']
    html = overview_html(hostile, p, "hostile.md")
    svg = only(by_class(tree(html), "cp-overview-svg"))
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert '"><script>alert(1)</script' in texts  # drawn as text (wrapped), escaped in the markup
    assert 'a" -&gt; b' not in texts and 'a" -> b [label="x"]; } digraph {' in texts
    assert "مرحبا" in texts and "🦵🏽" in texts
    assert sorted(
        g.get("id", "").removeprefix("cp-overview-hostile-n-") for g in svg.iter() if "cp-node" in g.get("class", "")
    ) == sorted(set(hostile.members(p.id)) | set(p.stages))
    backslash = only([g for g in svg.iter() if g.get("id") == "cp-overview-hostile-n-backslash"])
    assert "C:\\path\\N\\G\\L \\ trailing\\" in "".join(t.text or "" for t in backslash.iter(f"{SVG}text"))


def test_a_thousand_character_title_is_cut_in_the_graph_and_whole_in_the_text(hostile: KnowledgeBase) -> None:
    kb = KnowledgeBase(nodes=dict(hostile.nodes), edges=list(hostile.edges), positions=dict(hostile.positions))
    kb.index_edges()
    title = "Ω" + "word " * 199 + "end"
    kb.nodes["long"] = kb.nodes["long"].model_copy(update={"title": title})
    p = pathway_of(kb)
    html = overview_html(kb, p, "hostile.md")
    node = only([g for g in tree(html).iter() if g.get("id") == "cp-overview-hostile-n-long"])
    drawn = [t.text or "" for t in node.iter(f"{SVG}text")]
    assert len(drawn) <= 5 and drawn[-1].endswith("…") and sum(map(len, drawn)) < 150
    assert node.find(f"{SVG}title").text == f"Treatment: {title}"  # type: ignore[union-attr]
    assert title in journey_html(kb, p, "hostile.md")


# --- determinism and golden files ---


def test_rendering_twice_gives_identical_bytes(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    assert all_diagrams(kb, p) == all_diagrams(kb, p)


def test_fixture_diagrams_match_golden_files(kb: KnowledgeBase) -> None:
    p = pathway_of(kb)
    for name, html in all_diagrams(kb, p).items():
        assert_golden(f"{p.id}/{name}.html", golden_text(html) if name != "overview" else html + "\n")
    assert_golden(f"{p.id}/journey-here-rfa.html", golden_text(journey_html(kb, p, "rfa.md", here="rfa")))
    assert_golden(f"{p.id}/overview.dot", overview_dot(kb, p, "knee-pain.md"))


def test_hostile_diagrams_match_golden_files(hostile: KnowledgeBase) -> None:
    p = pathway_of(hostile)
    for name, html in all_diagrams(hostile, p).items():
        assert_golden(f"hostile/{name}.html", golden_text(html) if name != "overview" else html + "\n")
    assert_golden("hostile/overview.dot", overview_dot(hostile, p, "hostile.md"))


def test_shipped_pathway_diagrams_are_whole_and_stable() -> None:
    """The shipped pathways' diagrams, checked by property, not pinned (golden files are for fixtures the tests own:
    an author who adds a treatment must not have to refresh a test file): each renders to the same bytes twice,
    parses, and its written-out list names every step and every option of every step."""
    kb, _ = load_knowledge_base(SHIPPED)
    assert kb.pathways
    for p in kb.pathways:
        diagrams = all_diagrams(kb, p)
        assert diagrams == all_diagrams(kb, p), p.id
        for name, html in diagrams.items():
            assert tree(html) is not None, (p.id, name)
        listed = " ".join("".join(tree(diagrams["text"]).itertext()).split())
        for stage_id in p.stages:
            assert " ".join(kb.nodes[stage_id].title.split()) in listed, (p.id, stage_id)
            for e in kb.out_edges(stage_id, EdgeKind.offers):
                assert " ".join(kb.nodes[e.target].title.split()) in listed, (p.id, stage_id, e.target)


def test_overview_keeps_long_association_lines_for_the_list(kb: KnowledgeBase) -> None:
    """A 'related to' across frames and a stage's copy of a pathway-wide red flag are not drawn by default."""
    p = pathway_of(kb)

    def edge_ids(html: str) -> set[str]:
        return {
            el.get("id", "").removeprefix("cp-overview-knee-pain-e-")
            for el in tree(html).iter()
            if "cp-edge" in el.get("class", "").split()
        }

    default = overview_html(kb, p, "knee-pain.md")
    full = overview_html(kb, p, "knee-pain.md", all_edges=True)
    left_out = {"rfa-relevant-to-knee-osteoarthritis", "conservative-flags-hot-swollen-knee", "knee-pain-includes-surgical"}
    assert not left_out & edge_ids(default)
    assert left_out <= edge_ids(full)
    assert "knee-osteoarthritis-relevant-to-steroid-injection" in edge_ids(default)  # inside one frame: drawn once
    assert "steroid-injection-relevant-to-knee-osteoarthritis" not in edge_ids(full)
    text = "".join(only([el for el in tree(default).iter() if local(el.tag) == "details"]).itertext())
    assert (
        "Radiofrequency ablation (procedure). Do this first: Genicular nerve block. If this does not help: Talking about surgery. See also: Knee osteoarthritis."
        in text
    )
    assert "links between conditions and treatments in different steps are in the list below" in default
    assert "in the list below" not in full


def test_the_stylesheet_styles_what_carries_meaning(kb: KnowledgeBase) -> None:
    """Urgency, 'you are here' and the arrows must not lose their look to a renamed class."""
    css = (HERE.parent / "generator" / "carepath" / "assets" / "diagram.css").read_text(encoding="utf-8")
    html = journey_html(kb, pathway_of(kb), "rfa.md", here="rfa") + overview_html(kb, pathway_of(kb), "knee-pain.md")
    used = set(re.findall(r'class="([^"]+)"', html))
    classes = {c for value in used for c in value.split()}
    meaningful = {
        "cp-urgency-emergency", "cp-urgency-urgent", "cp-urgency-soon", "cp-urgency-routine", "cp-here", "cp-here-label",
        "cp-redflags", "cp-escalate", "cp-before", "cp-stage-box", "cp-options", "cp-option", "cp-text-alt", "cp-overview-svg",
    }  # fmt: skip
    assert meaningful - {"cp-urgency-routine", "cp-before"} <= classes
    for cls in meaningful:
        assert re.search(rf"\.{cls}\b", css), cls
    assert "@media print" in css
