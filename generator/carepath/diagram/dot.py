"""The clinician overview written in Graphviz's DOT language: a box per node with the stages as frames,
a line style per edge kind, and a key. Writes the source only; `graphviz.py` lays it out."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from carepath.diagram.context import _Ctx, _ctx, _sorted_flags, _type_word
from carepath.model.graph import KINDS, Edge, EdgeKind, Indicator, KnowledgeBase, Pathway, Stage, Urgency
from carepath.model.vocabulary import Vocabulary
from carepath.text.escape import html_text, xml_chars
from carepath.urls import DIRECTORY_URLS, Urls
from carepath.words import Words

__all__ = ["INK", "KEY_GRAPH", "OPTIONS_PER_ROW", "KeyEntry", "key_entries", "overview_dot"]


def _clean(text: str) -> str:
    """One line of plain text that XML can carry: whitespace collapsed, then `xml_chars`."""
    return xml_chars(" ".join(str(text).split()))


def _dot_quoted(text: str) -> str:
    """A DOT quoted string (for escString attributes such as `tooltip` and `URL`)."""
    return '"' + _clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_html(text: str) -> str:
    """Text inside a DOT HTML-like label: `<`, `>`, `&` and quotes become entities, so no character can
    end the label or the statement; backslashes are doubled because Graphviz still expands `\\N`, `\\G`
    and friends inside HTML-like labels, after decoding entities."""
    return html_text(text, xml=True).replace("\\", "\\\\")


INK = "#1a1a1a"
OPTIONS_PER_ROW = 4
_FONT = "Arial"

_URGENCY_ATTRS: dict[Urgency, dict[str, str]] = {
    Urgency.emergency: {"style": "filled,bold", "penwidth": "3.5"},
    Urgency.urgent: {"style": "filled,bold", "penwidth": "2"},
    Urgency.soon: {"style": "filled,dashed", "penwidth": "1.5"},
    Urgency.routine: {"style": "filled,dotted", "penwidth": "1.5"},
}

_EDGE_ATTRS: dict[EdgeKind, dict[str, str]] = {
    EdgeKind.includes: {"style": "dotted", "color": "#595959", "arrowhead": "none"},
    EdgeKind.offers: {"style": "solid", "color": "#4d4d4d", "arrowsize": "0.6"},
    EdgeKind.flags: {"style": "dotted", "color": "#9b1c1c", "arrowhead": "odiamond", "constraint": "false"},
    EdgeKind.escalates_to: {"style": "bold", "color": INK, "penwidth": "2.2"},
    EdgeKind.requires: {"style": "dashed", "color": "#1f4e8c", "arrowtail": "empty", "dir": "back"},
    EdgeKind.refers_to: {"style": "bold", "color": "#9b1c1c"},
    EdgeKind.returns_to: {"style": "dashed", "color": "#2d6a2d", "arrowhead": "vee", "constraint": "false"},
    EdgeKind.relevant_to: {"style": "dotted", "color": "#595959", "arrowhead": "none", "constraint": "false"},
    EdgeKind.alternative_to: {"style": "dashed", "color": "#595959", "arrowhead": "odot", "constraint": "false"},
}
"""Edge kind -> Graphviz attributes: line style and arrowhead. Every colour is at least 4.5:1 on white, and
no two kinds differ by colour alone."""

_LABELLED = frozenset({EdgeKind.escalates_to, EdgeKind.requires, EdgeKind.refers_to, EdgeKind.returns_to})
"""The decision edges, labelled in words on the graph; the others are told apart by line style and the key
(labelling every 'offers' edge of a 500-node pathway would bury the graph)."""


def _attrs(values: dict[str, str]) -> str:
    parts = []
    for key in sorted(values):
        value = values[key]
        parts.append(f"{key}={value}" if value.startswith("<") else f"{key}={_dot_quoted(value)}")
    return "[" + ", ".join(parts) + "]"


def _wrapped(text: str, width: int = 26, lines: int = 4) -> str:
    """A title as HTML-label lines: wrapped, at most `lines` lines, the rest cut with an ellipsis."""
    text = _clean(text)
    rows = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = rows[-1][: width - 1] + "…"
    return "<BR/>".join(_dot_html(r) for r in rows)


@dataclass
class _Dot:
    lines: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    """SVG element id -> the tooltip text for its `<title>`."""

    def add(self, line: str, indent: int = 1) -> None:
        self.lines.append("  " * indent + line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _node_stmt(ctx: _Ctx, dot: _Dot, node_id: str, indent: int) -> None:
    node = ctx.kb.nodes[node_id]
    kind = ctx.kb.kind_of(node_id)
    attrs = dict(kind.diagram)
    head = _dot_html(_type_word(ctx, node))
    if isinstance(node, Indicator):
        attrs.update(_URGENCY_ATTRS[node.urgency])
        head = f"<B>{_dot_html(ctx.vocabulary.urgency_label(node.urgency).upper())}</B> {head}"
    elif isinstance(node, Stage) and ctx.step(node_id):
        head = f"<B>{_dot_html(ctx.w('diagram.step', step=ctx.step(node_id)))}</B>"
    label = f'<{head}<BR/><FONT POINT-SIZE="12">{_wrapped(node.title)}</FONT>>'
    attrs.update(
        {
            "label": label,
            "URL": ctx.href(node_id),
            "id": f"n-{node_id}",
            "class": f"cp-node cp-kind-{kind.name}",
        }
    )
    dot.titles[f"n-{node_id}"] = f"{kind.title(ctx.w)}: {_clean(node.title)}"
    dot.add(f"{_dot_quoted(node_id)} {_attrs(attrs)};", indent)


def overview_dot(
    kb: KnowledgeBase, pathway: Pathway, page_uri: str, *,
    urls: Urls = DIRECTORY_URLS, all_edges: bool = False, words: Words | None = None,
) -> str:
    """The Graphviz source of the overview (for debugging and for the golden files): the chart, then its key."""
    return _overview_dot(_ctx(kb, pathway, page_uri, None, urls, words), all_edges).text()


def _overview_dot(ctx: _Ctx, all_edges: bool = False) -> _Dot:
    kb, pathway = ctx.kb, ctx.pathway
    dot = _Dot()
    dot.add(f"digraph {_dot_quoted(pathway.id)} {{", 0)
    dot.add(
        f'graph [rankdir="TB", fontname="{_FONT}", fontsize="12", fontcolor="{INK}", nodesep="0.5", ranksep="0.4", '
        'newrank="true", bgcolor="#ffffff", pad="0.15", outputorder="edgesfirst"];'
    )
    dot.add(f'node [fontname="{_FONT}", fontsize="10", fontcolor="{INK}", color="{INK}", penwidth="1.2", margin="0.12,0.06"];')
    dot.add(f'edge [fontname="{_FONT}", fontsize="10", fontcolor="{INK}", arrowsize="0.8"];')

    members = set(kb.members(pathway.id))
    placed: set[str] = set()

    _node_stmt(ctx, dot, pathway.id, 1)
    placed.add(pathway.id)

    flags = [f.id for f in _sorted_flags(kb, pathway.red_flags)]
    if flags:
        dot.add('subgraph "cluster_red_flags" {')
        dot.add(
            f'id="c-red-flags"; label=<<B>{_dot_html(ctx.w("diagram.red_flags"))}</B> {_dot_html(ctx.w("diagram.at_any_step"))}>; style="rounded,dashed"; color="#9b1c1c"; fontcolor="{INK}";',
            2,
        )
        for f in flags:
            _node_stmt(ctx, dot, f, 2)
            placed.add(f)
        dot.add("}")

    cluster_members: dict[str, list[str]] = {}
    for n, sid in enumerate(pathway.stages, start=1):
        inside = [sid]
        for t in ctx.targets(sid, EdgeKind.offers) + [f.id for f in _sorted_flags(kb, ctx.targets(sid, EdgeKind.flags))]:
            if t not in placed and t not in inside:
                inside.append(t)
        dot.add(f'subgraph "cluster_s_{sid}" {{')
        dot.add(f'id="c-{sid}"; label=<{_dot_html(ctx.w("diagram.step", step=n))}>; labeljust="l"; style="rounded"; color="#6b6b6b"; fontcolor="{INK}";', 2)
        for m in inside:
            _node_stmt(ctx, dot, m, 2)
            placed.add(m)
        dot.add(f'"exit:{sid}" [shape="point", width="0.01", height="0.01", style="invis", label=""];', 2)
        dot.add("}")
        cluster_members[sid] = inside

    for node_id in sorted(members - placed):
        _node_stmt(ctx, dot, node_id, 1)

    clustered = {m for inside in cluster_members.values() for m in inside}
    cluster_of = {m: sid for sid, inside in cluster_members.items() for m in inside} | {f: "red-flags" for f in flags}
    # The pathway's red flags sit in rows above step 1.
    for a, b in zip(flags, flags[OPTIONS_PER_ROW:]):
        dot.add(f'{_dot_quoted(a)} -> {_dot_quoted(b)} [style="invis"];')
    for f in flags[:OPTIONS_PER_ROW]:
        dot.add(f'{_dot_quoted(pathway.id)} -> {_dot_quoted(f)} [style="invis"];')
    for f in flags[-OPTIONS_PER_ROW:]:
        dot.add(f'{_dot_quoted(f)} -> {_dot_quoted(pathway.stages[0])} [style="invis"];')
    # Stack the stages: everything in a stage sits above its exit point, and each exit above the next stage.
    for i, sid in enumerate(pathway.stages):
        # Only the bottom row needs a link to the exit: the rows are chained above it.
        for m in cluster_members[sid][-OPTIONS_PER_ROW:]:
            dot.add(f'{_dot_quoted(m)} -> "exit:{sid}" [style="invis", weight="2"];')
        # Wrap a stage's options into rows, so a stage with many options grows down the page, not across it.
        inner = cluster_members[sid][1:]
        for a, b in zip(inner, inner[OPTIONS_PER_ROW:]):
            dot.add(f'{_dot_quoted(a)} -> {_dot_quoted(b)} [style="invis"];')
        if i + 1 < len(pathway.stages) and pathway.stages[i + 1] not in ctx.targets(sid, EdgeKind.escalates_to):
            dot.add(f'"exit:{sid}" -> {_dot_quoted(pathway.stages[i + 1])} [style="invis"];')

    edges = sorted(
        (e for e in kb.edges if e.source in members and e.target in members and e.holds_in(pathway.id)),
        key=lambda e: (e.source, list(EdgeKind).index(e.kind), e.target),
    )
    declared = {(e.source, e.kind, e.target) for e in edges}
    for e in edges:
        both = e.kind == EdgeKind.relevant_to and (e.target, e.kind, e.source) in declared
        if both and e.target < e.source:
            continue  # 'related to' declared from both ends is one undirected line
        if not all_edges and not _drawn(e, pathway, cluster_of):
            continue
        attrs = dict(_EDGE_ATTRS[e.kind])
        eid = f"e-{e.source}-{e.kind.value}-{e.target}"
        attrs.update({"id": eid, "class": f"cp-edge cp-edge-{e.kind.value}"})
        if e.kind in _LABELLED:
            # An external label is placed after layout: an ordinary edge label becomes a node of its own,
            # doubling the ranks and tripling dot's time on a 500-node pathway.
            attrs["xlabel"] = f"<{_dot_html(ctx.vocabulary.edge_label(e.kind))}>"
            attrs["fontcolor"] = attrs["color"]
        src = _dot_quoted(e.source)
        if e.kind == EdgeKind.includes and e.target != pathway.stages[0] and not all_edges:
            # Later stages are shown as part of the pathway by their numbered 'Step N' frames; a line from the
            # pathway to each of them would cross the whole graph.
            attrs.update({"style": "invis", "constraint": "false"})
        if e.kind == EdgeKind.refers_to and e.target in clustered:
            attrs["constraint"] = "false"  # keeps the red flags together above the journey
        if e.kind == EdgeKind.escalates_to and e.source in cluster_members:
            src = f'"exit:{e.source}"'
        arrow = "↔" if both else "→"
        dot.titles[eid] = f"{_clean(ctx.title(e.source))} {arrow} {_clean(ctx.vocabulary.edge_label(e.kind))} {arrow} {_clean(ctx.title(e.target))}"
        if e.kind == EdgeKind.requires:
            # Laid out from the prerequisite down to the treatment (what comes first sits higher), with the
            # arrowhead still at the prerequisite: 'needs first'.
            dot.add(f"{_dot_quoted(e.target)} -> {src} {_attrs(attrs)};")
        else:
            dot.add(f"{src} -> {_dot_quoted(e.target)} {_attrs(attrs)};")

    dot.add("}", 0)
    _key(dot, all_edges)
    return dot


def _drawn(e: Edge, pathway: Pathway, cluster_of: dict[str, str]) -> bool:
    """Whether an edge is drawn as a line in the default overview.

    The decision edges always are. The associative ones are drawn only where they stay short: a 'related to'
    link inside one frame, and a stage's red flag that is not already in the pathway's red-flag frame. Drawn
    across the graph they bury the decision flow (the shipped pathway has 33 of them); every one of them is
    still written out in the text alternative and on both nodes' pages.
    """
    if e.kind == EdgeKind.alternative_to:
        return False  # the options of one step, side by side: the step page's "Compare your options" table says it
    if e.kind == EdgeKind.relevant_to:
        return e.source in cluster_of and cluster_of.get(e.source) == cluster_of.get(e.target)
    if e.kind == EdgeKind.flags and e.source != pathway.id:
        return e.target not in pathway.red_flags
    return True


@dataclass(frozen=True)
class KeyEntry:
    """One line of the overview's key: the id of its sample in the key's layout, its classes and its words."""

    sample: str
    classes: str
    words: str


def key_entries(vocabulary: Vocabulary, w: Words, all_edges: bool = False) -> list[KeyEntry]:
    """What the key explains, in order: each kind of box, then each kind of line."""
    out = [KeyEntry(f"k-{row.name}", f"cp-key-kind cp-kind-{row.name}", row.title(w)) for row in KINDS]
    for kind in _key_kinds(all_edges):
        label = vocabulary.edge_label(kind) + ("" if all_edges or kind != EdgeKind.relevant_to else " " + w("diagram.within_a_step"))
        out.append(KeyEntry(f"k-{kind.value}", f"cp-key-edge cp-edge-{kind.value}", label))
    return out


KEY_GRAPH = "key"
"""The name of the second graph in the overview's DOT source: the key's samples, laid out by the same run."""


def _key_kinds(all_edges: bool) -> list[EdgeKind]:
    """The edge kinds the key explains: those the chart can draw (`_drawn`: never 'other options' by default)."""
    return [k for k in EdgeKind if all_edges or k != EdgeKind.alternative_to]


def _key(dot: _Dot, all_edges: bool = False) -> None:
    """The key's samples as a graph of their own, after the chart's, so one run of Graphviz draws both: a box of
    each kind, without words, and a short line of each edge kind from a dot. The page sets them beside their
    words in HTML (`svg.py` cuts them apart), so the key stays readable, and on screen, however big the chart."""
    dot.add(f"digraph {_dot_quoted(KEY_GRAPH)} {{", 0)
    dot.add('graph [rankdir="LR", nodesep="0.2", ranksep="0.3", bgcolor="#ffffff", pad="0.1"];')
    dot.add(f'node [color="{INK}", penwidth="1.2", label="", fixedsize="true", width="0.5", height="0.25"];')
    dot.add('edge [arrowsize="0.8"];')
    for row in KINDS:
        attrs = dict(row.diagram)
        attrs.update({"id": f"k-{row.name}", "class": f"cp-legend-node cp-kind-{row.name}"})
        dot.add(f'"key:{row.name}" {_attrs(attrs)};')
    for kind in _key_kinds(all_edges):
        a, b = f"key:{kind.value}:from", f"key:{kind.value}:to"
        dot.add(f'"{a}" [shape="point", width="0.05", height="0.05", color="{INK}", id="k-{kind.value}-from"];')
        dot.add(f'"{b}" [shape="point", width="0.01", height="0.01", style="invis", id="k-{kind.value}-to"];')
        attrs = {k: v for k, v in _EDGE_ATTRS[kind].items() if k not in ("constraint", "dir", "arrowtail")}
        if "arrowtail" in _EDGE_ATTRS[kind]:
            attrs["arrowhead"] = _EDGE_ATTRS[kind]["arrowtail"]
        attrs.update({"id": f"k-{kind.value}", "class": f"cp-legend-edge cp-edge-{kind.value}"})
        dot.add(f'"{a}" -> "{b}" {_attrs(attrs)};')
    dot.add("}", 0)
