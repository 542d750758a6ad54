"""Decision-flow diagrams for one pathway: the patient journey, a stage's slice, the clinician overview, and
the text alternative that goes next to each of them.

Pure: returns HTML strings (no blank lines, safe as a raw HTML block in Markdown), writes no files and
imports no MkDocs. Every link comes from `links.py` and is checked to lead to a node page before a
diagram is returned. The overview is laid out by Graphviz `dot` (the `graphviz-pure` wheel), one run
per pathway, so diagram time grows linearly with the number of pathways.

Embedding: put the returned string in a Markdown page on a line of its own with a blank line before and
after; it is one block element with no blank line inside, so Python-Markdown passes it through untouched.
Its look comes from `assets/diagram.css`.
"""

from __future__ import annotations

import html
import itertools
import os
import posixpath
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from carepath.model.graph import (
    KINDS,
    URGENCY_ORDER,
    Edge,
    EdgeKind,
    Indicator,
    KnowledgeBase,
    Node,
    Pathway,
    Stage,
    Urgency,
)
from carepath.model.vocabulary import Vocabulary
from carepath.text.escape import html_text, xml_chars
from carepath.urls import DIRECTORY_URLS, Urls, node_uri
from carepath.words import Words, words

__all__ = [
    "DOT_PROGRAM",
    "LAYOUT",
    "LINK_PARSER",
    "DiagramError",
    "check_diagram_links",
    "diagram_links",
    "journey_html",
    "overview_dot",
    "overview_html",
    "overview_too_big",
    "parse_links",
    "run_dot",
    "stage_slice_html",
    "text_alternative_html",
]

DOT_PROGRAM = "graphviz-pure"
"""The `dot` command line of the `graphviz-pure` wheel (pinned in pyproject.toml): the same bytes on every
machine, which Debian's `dot` cannot promise, so the overview's golden files hold everywhere."""

DOT_TIMEOUT_S = 120
"""A last resort only: the size limits below keep Graphviz far from it."""
MAX_OVERVIEW_NODES = 150
MAX_OVERVIEW_EDGES = 250
"""Above either, a pathway's overview is written as a list only, not laid out: Graphviz's time grows much faster
than the graph (measured on a busy 2-CPU machine: 142 nodes and 241 links about 4 s, 197 and 336 about 18 s; one
stage with 300 options 16 s, with 500 minutes). See LIMITS.md."""

URGENCY_ICON: dict[Urgency, str] = {
    Urgency.emergency: "‼",
    Urgency.urgent: "!",
    Urgency.soon: "◷",
    Urgency.routine: "○",
}
"""Urgency -> icon. The label (from the vocabulary) is always shown; the icon and the border style repeat it, so
meaning never rests on colour alone."""


class DiagramError(Exception):
    """A diagram could not be made: a link in it leads to no node page, or Graphviz failed."""


# --- text from YAML ---

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


# --- shared context ---


@dataclass
class _Ctx:
    kb: KnowledgeBase
    pathway: Pathway
    page_uri: str
    here: str | None = None
    urls: Urls = DIRECTORY_URLS
    primaries: set[str] = field(default_factory=set)
    """Nodes drawn as boxes of their own; only these carry the visible 'You are here' label."""
    members: frozenset[str] = frozenset()
    """The pathway's own nodes (`KnowledgeBase.members`)."""
    w: Words = field(default_factory=words)
    """The words catalogue every label comes from."""

    def href(self, node_id: str) -> str:
        return self.urls.url_link(self.page_uri, node_uri(node_id))

    def title(self, node_id: str) -> str:
        return self.kb.nodes[node_id].title

    def link(self, node_id: str, primary: bool = False, text: str | None = None) -> str:
        current = node_id == self.here
        attrs = f' href="{html.escape(self.href(node_id), quote=True)}"'
        if current:
            attrs += ' aria-current="page"'
        label = f"<bdi>{html_text(text if text is not None else self.title(node_id), xml=True)}</bdi>"
        out = f"<a{attrs}>{label}</a>"
        if current and (primary or self.here not in self.primaries):
            out += f' <strong class="cp-here-label"><span aria-hidden="true">◉ </span>{self.w("page.you_are_here")}</strong>'
        return out

    def step(self, stage_id: str) -> int | None:
        try:
            return self.pathway.stages.index(stage_id) + 1
        except ValueError:
            return None

    def stage_link(self, stage_id: str, primary: bool = False) -> str:
        n = self.step(stage_id)
        prefix = f'<span class="cp-step">{self.w("diagram.step", step=n)}</span> ' if n else ""
        return prefix + self.link(stage_id, primary)

    def targets(self, node_id: str, kind: EdgeKind) -> list[str]:
        """Where a node's edges lead inside this pathway: a diagram never links into another pathway."""
        return [e.target for e in self.kb.out_edges(node_id, kind) if e.target in self.members]

    def sources(self, node_id: str, kind: EdgeKind) -> list[str]:
        return [e.source for e in self.kb.in_edges(node_id, kind) if e.source in self.members]


def _ctx(kb: KnowledgeBase, pathway: Pathway, page_uri: str, here: str | None, urls: Urls, w: Words | None) -> _Ctx:
    ctx = _Ctx(kb, pathway, page_uri, here, urls, members=frozenset(kb.members(pathway.id)), w=w or words())
    ctx.primaries = {pathway.id, *pathway.stages, *pathway.red_flags}
    for sid in pathway.stages:
        ctx.primaries.update(ctx.targets(sid, EdgeKind.offers))
        ctx.primaries.update(ctx.targets(sid, EdgeKind.flags))
    return ctx


def _sorted_flags(kb: KnowledgeBase, ids: Iterable[str]) -> list[Indicator]:
    """Most urgent first; the author's order within one urgency."""
    flags = [n for n in (kb.nodes[i] for i in ids) if isinstance(n, Indicator)]
    return sorted(flags, key=lambda f: URGENCY_ORDER[f.urgency])


def _type_word(ctx: _Ctx, node: Node) -> str:
    """What a box is, within a sentence: the page's kind line (`type_title`) in lower case, never a raw value."""
    return ctx.kb.type_title(node.id, ctx.w).lower()


def _relations(ctx: _Ctx) -> tuple[tuple[EdgeKind, str], ...]:
    """The edges an option shows in words under its box, in this order."""
    label = ctx.kb.vocabulary.edge_label
    return (
        (EdgeKind.requires, label(EdgeKind.requires).capitalize()),
        (EdgeKind.returns_to, label(EdgeKind.returns_to).capitalize()),
        (EdgeKind.escalates_to, ctx.w("diagram.if_not_helping")),
        (EdgeKind.relevant_to, label(EdgeKind.relevant_to).capitalize()),
    )


# --- links inside diagrams ---


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name in ("href", "xlink:href") and value is not None:
                    self.hrefs.append(value)


def parse_links(markup: str) -> list[str]:
    """Every link target in a diagram's HTML (including links inside its SVG), in document order."""
    parser = _Hrefs()
    parser.feed(markup)
    parser.close()
    return parser.hrefs


LINK_PARSER: ContextVar[Callable[[str], list[str]]] = ContextVar("LINK_PARSER", default=parse_links)
"""How `diagram_links` reads links: `parse_links`, or the build cache's memo of it (`carepath.build.cached`)."""
LAYOUT: ContextVar[Callable[[str, str], str] | None] = ContextVar("LAYOUT", default=None)
"""How the overview's DOT source becomes SVG: `run_dot` unless the build cache sets a memo of it."""


def diagram_links(markup: str) -> list[str]:
    """Every link target in a diagram's HTML (including links inside its SVG), in document order."""
    return LINK_PARSER.get()(markup)


def _site_path(url: str) -> str:
    return posixpath.normpath("/" + url)


def check_diagram_links(markup: str, kb: KnowledgeBase, page_uri: str, urls: Urls = DIRECTORY_URLS) -> dict[str, str]:
    """Map each link in `markup` to the node whose page it leads to; raise `DiagramError` for any other."""
    pages: dict[str, str] | None = None

    def node_at(path: str) -> str | None:
        # A node's page path is derived from its id, so guess the id from the path and confirm it; the
        # table of every node's page is built only when a guess fails. Building it for every diagram made
        # a site's diagrams cost O(nodes²).
        nonlocal pages
        guess = path[1:].removesuffix(".html")
        if guess in kb.nodes and _site_path(urls.page_url(node_uri(guess))) == path:
            return guess
        if pages is None:
            pages = {_site_path(urls.page_url(node_uri(n))): n for n in kb.nodes}
        return pages.get(path)

    here = urls.page_url(page_uri)
    base = here if here.endswith("/") else posixpath.dirname(here)
    found: dict[str, str] = {}
    bad = []
    for href in diagram_links(markup):
        node = None
        if not re.match(r"^[a-z][a-z0-9+.-]*:|^//|#", href, re.IGNORECASE):
            node = node_at(_site_path(posixpath.join(base, href)))
        if node is None:
            bad.append(href)
        else:
            found[href] = node
    if bad:
        listed = ", ".join(f"'{b}'" for b in sorted(set(bad)))
        raise DiagramError(f"diagram on page '{page_uri}': link {listed} leads to no node page")
    return found


# --- the journey ---


def _flag_item(ctx: _Ctx, flag: Indicator, tag: str = "li") -> str:
    label, icon = ctx.kb.vocabulary.urgency_label(flag.urgency), URGENCY_ICON[flag.urgency]
    u = flag.urgency.value
    here = " cp-here" if flag.id == ctx.here else ""
    goto = "".join(
        f' <span class="cp-flag-go"><span aria-hidden="true">→ </span>{ctx.kb.vocabulary.edge_label(EdgeKind.refers_to).capitalize()}: '
        f"{ctx.link(t)}</span>"
        for t in ctx.targets(flag.id, EdgeKind.refers_to)
    )
    return (
        f'<{tag} class="cp-flag cp-urgency-{u}{here}">'
        f'<span class="cp-urgency"><span class="cp-icon" aria-hidden="true">{icon}</span> {label}</span> '
        f'<span class="cp-flag-title">{ctx.link(flag.id, primary=True)}</span> '
        f'<span class="cp-action">{html_text(flag.action, xml=True)}</span>{goto}</{tag}>'
    )


def _flags_box(ctx: _Ctx, ids: list[str], title: str, extra_class: str = "") -> str:
    flags = _sorted_flags(ctx.kb, ids)
    if not flags:
        return ""
    items = "".join(_flag_item(ctx, f) for f in flags)
    return (
        f'<div class="cp-redflags{extra_class}">'
        f'<p class="cp-redflags-title"><span aria-hidden="true">⚠ </span>{title}</p>'
        f'<ul class="cp-flag-list">{items}</ul></div>'
    )


def _option_item(ctx: _Ctx, option_id: str) -> str:
    node = ctx.kb.nodes[option_id]
    kind = ctx.kb.kind(option_id)
    rels = []
    for edge_kind, label in _relations(ctx):
        targets = ctx.targets(option_id, edge_kind)
        if targets:
            links = ", ".join(ctx.link(t) for t in targets)
            rels.append(f'<li class="cp-rel cp-rel-{edge_kind.value}"><span class="cp-rel-label">{label}:</span> {links}</li>')
    rel_html = f'<ul class="cp-relations">{"".join(rels)}</ul>' if rels else ""
    here = " cp-here" if option_id == ctx.here else ""
    return (
        f'<li class="cp-option cp-kind-{kind}{here}">{ctx.link(option_id, primary=True)} '
        f'<span class="cp-type">{html_text(_type_word(ctx, node), xml=True)}</span>{rel_html}</li>'
    )


def _stage_item(ctx: _Ctx, stage_id: str, whole_journey: bool) -> str:
    here = " cp-here" if stage_id == ctx.here else ""
    options = ctx.targets(stage_id, EdgeKind.offers)
    opts = f'<ul class="cp-options">{"".join(_option_item(ctx, o) for o in options)}</ul>' if options else ""
    shown = ctx.pathway.red_flags if whole_journey else []  # already in the journey's red-flag box
    stage_flags = [f for f in ctx.targets(stage_id, EdgeKind.flags) if f not in shown]
    flags = _flags_box(ctx, stage_flags, ctx.w("diagram.watch_for"), " cp-stage-flags")
    nexts = ctx.targets(stage_id, EdgeKind.escalates_to)
    esc = ""
    if nexts:
        links = ", ".join(ctx.stage_link(t) for t in nexts)
        esc = (
            '<p class="cp-escalate"><span class="cp-arrow" aria-hidden="true">↓</span> '
            f'<span class="cp-rel-label">{ctx.kb.vocabulary.edge_label(EdgeKind.escalates_to).capitalize()}:</span> {links}</p>'
        )
    return (
        f'<li class="cp-stage{here}"><div class="cp-stage-box">'
        f'<p class="cp-stage-head">{ctx.stage_link(stage_id, primary=True)}</p>'
        f"{opts}{flags}</div>{esc}</li>"
    )


def journey_html(
    kb: KnowledgeBase, pathway: Pathway, page_uri: str, here: str | None = None, *,
    urls: Urls = DIRECTORY_URLS, words: Words | None = None,
) -> str:
    """The patient journey: red flags first, then the stages top to bottom with their options as links,
    prerequisites and return paths in words, and a 'no improvement' arrow to the next stage.
    The text alternative follows in a closed `<details>`."""
    ctx = _ctx(kb, pathway, page_uri, here, urls, words)
    flags = _flags_box(ctx, pathway.red_flags, ctx.w("diagram.get_help"), " cp-pathway-flags")
    stages = "".join(_stage_item(ctx, s, whole_journey=True) for s in pathway.stages)
    out = (
        f'<div class="cp-diagram cp-journey cp-no-score" id="cp-journey-{pathway.id}">'
        f'<p class="cp-diagram-title">{ctx.w("diagram.journey_title", pathway=ctx.link(pathway.id, primary=True))}</p>'
        f'{flags}<ol class="cp-stages">{stages}</ol>'
        f"{_details(_text_alternative(ctx), ctx.w('diagram.journey_list'))}</div>"
    )
    check_diagram_links(out, kb, page_uri, urls)
    return out


def stage_slice_html(
    kb: KnowledgeBase,
    pathway: Pathway,
    stage_id: str,
    page_uri: str,
    here: str | None = None,
    *,
    urls: Urls = DIRECTORY_URLS,
    words: Words | None = None,
) -> str:
    """One stage of the journey: what leads to it, its options, its red flags and where it escalates to."""
    if stage_id not in pathway.stages:
        raise ValueError(f"stage '{stage_id}' is not part of pathway '{pathway.id}'")
    ctx = _ctx(kb, pathway, page_uri, here, urls, words)
    n = pathway.stages.index(stage_id) + 1
    before = [s for s in ctx.sources(stage_id, EdgeKind.escalates_to) if s in pathway.stages]
    before.sort(key=pathway.stages.index)
    if before:
        links = ", ".join(ctx.stage_link(s) for s in before)
        lead = f'<p class="cp-before"><span class="cp-rel-label">{ctx.w("diagram.comes_after")}</span> {links} <span class="cp-arrow" aria-hidden="true">↓</span></p>'
    else:
        lead = f'<p class="cp-before"><span class="cp-rel-label">{ctx.w("diagram.start")}</span> {ctx.link(pathway.id)} <span class="cp-arrow" aria-hidden="true">↓</span></p>'
    out = (
        f'<div class="cp-diagram cp-slice cp-no-score" id="cp-slice-{pathway.id}-{stage_id}">{lead}'
        f'<ol class="cp-stages" start="{n}">{_stage_item(ctx, stage_id, whole_journey=False)}</ol>'
        f"{_details(_text_stage(replace(ctx, primaries=ctx.primaries | {here or ''}), stage_id), ctx.w('diagram.stage_list'), cls='cp-text-alt', tag='ol', start=n)}</div>"
    )
    check_diagram_links(out, kb, page_uri, urls)
    return out


# --- text alternative ---


def _sentence_links(ctx: _Ctx, ids: list[str]) -> str:
    return ", ".join(ctx.link(i) for i in ids)


def _text_option(ctx: _Ctx, option_id: str) -> str:
    parts = [f"{ctx.link(option_id)} ({html_text(_type_word(ctx, ctx.kb.nodes[option_id]), xml=True)})."]
    for edge_kind, label in _relations(ctx):
        targets = ctx.targets(option_id, edge_kind)
        if targets:
            parts.append(f"{label}: {_sentence_links(ctx, targets)}.")
    return "<li>" + " ".join(parts) + "</li>"


def _text_flag(ctx: _Ctx, flag: Indicator) -> str:
    label = ctx.kb.vocabulary.urgency_label(flag.urgency)
    out = f"<li>{label}: {ctx.link(flag.id)}. {html_text(flag.action, xml=True)}"
    for kind in (EdgeKind.refers_to, EdgeKind.relevant_to):
        targets = ctx.targets(flag.id, kind)
        if targets:
            out += f" {ctx.kb.vocabulary.edge_label(kind).capitalize()}: {_sentence_links(ctx, targets)}."
    return out + "</li>"


def _text_stage(ctx: _Ctx, stage_id: str) -> str:
    n = ctx.step(stage_id)
    parts = ["<li>" + ctx.w("diagram.text_step", step=n, stage=ctx.link(stage_id))]
    options = ctx.targets(stage_id, EdgeKind.offers)
    if options:
        parts.append(f"{ctx.w('diagram.text_options')}<ol>{''.join(_text_option(ctx, o) for o in options)}</ol>")
    flags = _sorted_flags(ctx.kb, ctx.targets(stage_id, EdgeKind.flags))
    if flags:
        parts.append(f"{ctx.w('diagram.text_watch_for')}<ol>{''.join(_text_flag(ctx, f) for f in flags)}</ol>")
    nexts = ctx.targets(stage_id, EdgeKind.escalates_to)
    if nexts:
        stages = ", ".join(ctx.w("diagram.text_next", step=ctx.step(t), stage=ctx.link(t)) if ctx.step(t) else ctx.link(t) for t in nexts)
        parts.append(ctx.w("diagram.text_no_improvement", stages=stages))
    else:
        parts.append(ctx.w("diagram.text_last_step"))
    return " ".join(parts) + "</li>"


def _text_alternative(ctx: _Ctx) -> str:
    if ctx.here:  # the visual diagram carries the 'You are here' label; links here keep aria-current
        ctx = replace(ctx, primaries=ctx.primaries | {ctx.here})
    items = [_text_stage(ctx, s) for s in ctx.pathway.stages]
    flags = _sorted_flags(ctx.kb, ctx.pathway.red_flags)
    if flags:
        items.append(
            f"<li>{ctx.w('diagram.text_red_flags')}<ol>{''.join(_text_flag(ctx, f) for f in flags)}</ol></li>"
        )
    said = set(ctx.pathway.stages) | {ctx.pathway.id}
    body = "".join(items)
    said |= set(_linked_ids(ctx, body))
    rest = [n for n in ctx.kb.members(ctx.pathway.id) if n not in said]
    if rest:
        items.append(
            f"<li>{ctx.w('diagram.text_also')}<ol>{''.join(f'<li>{ctx.link(n)} ({html_text(_type_word(ctx, ctx.kb.nodes[n]), xml=True)})</li>' for n in rest)}</ol></li>"
        )
    return (
        f'<p class="cp-text-alt-lead">{ctx.w("diagram.text_lead", pathway=ctx.link(ctx.pathway.id))}</p><ol class="cp-text-alt">{"".join(items)}</ol>'
    )


def _linked_ids(ctx: _Ctx, markup: str) -> list[str]:
    return list(check_diagram_links(markup, ctx.kb, ctx.page_uri, ctx.urls).values())


def _details(inner: str, summary: str, cls: str = "", tag: str = "", start: int = 0) -> str:
    if tag:
        inner = f'<{tag} class="{cls}" start="{start}">{inner}</{tag}>'
    return f'<details class="cp-text-alt-details"><summary>{summary}</summary>{inner}</details>'


def text_alternative_html(
    kb: KnowledgeBase, pathway: Pathway, page_uri: str, *, urls: Urls = DIRECTORY_URLS, words: Words | None = None
) -> str:
    """The decision flow as an ordered, nested list that reads in journey order and links every node."""
    ctx = _ctx(kb, pathway, page_uri, None, urls, words)
    out = f'<div class="cp-text-alt-block">{_text_alternative(ctx)}</div>'
    check_diagram_links(out, kb, page_uri, urls)
    return out


# --- the clinician overview ---

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
        head = f"<B>{_dot_html(ctx.kb.vocabulary.urgency_label(node.urgency).upper())}</B> {head}"
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
    """The Graphviz source of the overview (for debugging and for the golden files)."""
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
        (e for e in kb.edges if e.source in members and e.target in members),
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
            attrs["xlabel"] = f"<{_dot_html(ctx.kb.vocabulary.edge_label(e.kind))}>"
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
        dot.titles[eid] = f"{_clean(ctx.title(e.source))} {arrow} {ctx.kb.vocabulary.edge_label(e.kind)} {arrow} {_clean(ctx.title(e.target))}"
        if e.kind == EdgeKind.requires:
            # Laid out from the prerequisite down to the treatment (what comes first sits higher), with the
            # arrowhead still at the prerequisite: 'needs first'.
            dot.add(f"{_dot_quoted(e.target)} -> {src} {_attrs(attrs)};")
        else:
            dot.add(f"{src} -> {_dot_quoted(e.target)} {_attrs(attrs)};")

    _legend(dot, pathway.id, all_edges, ctx.kb.vocabulary, ctx.w)
    dot.add("}", 0)
    return dot


def _drawn(e: Edge, pathway: Pathway, cluster_of: dict[str, str]) -> bool:
    """Whether an edge is drawn as a line in the default overview.

    The decision edges always are. The associative ones are drawn only where they stay short: a 'related to'
    link inside one frame, and a stage's red flag that is not already in the pathway's red-flag frame. Drawn
    across the graph they bury the decision flow (the shipped pathway has 33 of them); every one of them is
    still written out in the text alternative and on both nodes' pages.
    """
    if e.kind == EdgeKind.relevant_to:
        return e.source in cluster_of and cluster_of.get(e.source) == cluster_of.get(e.target)
    if e.kind == EdgeKind.flags and e.source != pathway.id:
        return e.target not in pathway.red_flags
    return True


def _legend(dot: _Dot, top: str, all_edges: bool, vocabulary: Vocabulary, w: Words) -> None:
    """A key drawn with the same shapes and lines as the graph, placed beside the pathway node."""
    dot.add('subgraph "cluster_legend" {')
    dot.add(f'id="c-legend"; label=<<B>{_dot_html(w("diagram.key"))}</B>>; style="rounded"; color="#6b6b6b"; fontcolor="{INK}"; class="cp-legend";', 2)
    kinds = [k.name for k in KINDS]
    for row in KINDS:
        attrs = dict(row.diagram)
        attrs.update({"label": f"<{_dot_html(row.title(w))}>", "id": f"k-{row.name}", "class": f"cp-legend-node cp-kind-{row.name}"})
        dot.add(f'"key:{row.name}" {_attrs(attrs)};', 2)
    for a, b in itertools.pairwise(kinds):
        dot.add(f'"key:{a}" -> "key:{b}" [style="invis"];', 2)
    previous = f"key:{kinds[-1]}"
    for kind in EdgeKind:
        a, b = f"key:{kind.value}:from", f"key:{kind.value}:to"
        dot.add(f'{{ rank="same"; "{a}"; "{b}"; }}', 2)
        dot.add(f'"{a}" [shape="point", width="0.05", color="{INK}", id="k-{kind.value}-from", label=""];', 2)
        label = vocabulary.edge_label(kind) + ("" if all_edges or kind != EdgeKind.relevant_to else " " + w("diagram.within_a_step"))
        dot.add(f'"{b}" [shape="plaintext", margin="0", id="k-{kind.value}-words", label=<{_dot_html(label)}>];', 2)
        attrs = {k: v for k, v in _EDGE_ATTRS[kind].items() if k not in ("constraint", "dir", "arrowtail")}
        if "arrowtail" in _EDGE_ATTRS[kind]:
            attrs["arrowhead"] = _EDGE_ATTRS[kind]["arrowtail"]
        attrs.update({"id": f"k-{kind.value}", "class": f"cp-legend-edge cp-edge-{kind.value}", "minlen": "2"})
        dot.add(f'"{a}" -> "{b}" {_attrs(attrs)};', 2)
        dot.add(f'"{previous}" -> "{a}" [style="invis"];', 2)
        previous = a
    dot.add("}")
    dot.add(f'{_dot_quoted(top)} -> "key:pathway" [style="invis"];')


def dot_command() -> str:
    """The path of the `graphviz-pure` program: the one installed beside this Python first, then PATH."""
    names = [DOT_PROGRAM + (".exe" if os.name == "nt" else "")]
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which(DOT_PROGRAM)
    if found:
        return found
    raise DiagramError(
        f"the Graphviz layout program '{DOT_PROGRAM}' was not found; it comes with carepath's dependencies "
        "(pip install graphviz-pure==0.2.2)"
    )


def run_dot(source: str, what: str) -> str:
    """Lay out `source` with Graphviz `dot`; `what` names it in an error."""
    try:
        proc = subprocess.run(
            [dot_command(), "-Tsvg"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DiagramError(f"{what}: Graphviz did not finish in {DOT_TIMEOUT_S} s; set 'diagrams: false' for the carepath plugin") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise DiagramError(f"{what}: Graphviz failed (exit {proc.returncode}): {err}")
    return proc.stdout.decode("utf-8")


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_S = "{" + SVG_NS + "}"
_X = "{" + XLINK_NS + "}"


def _tidy_svg(svg: str, dot: _Dot, prefix: str, title: str, desc: str) -> str:
    """Graphviz's SVG made fit to inline: no prolog, DOCTYPE or comments (they carry a version), ids made
    unique on the page, plain `href` links, titles in words, scaled to the container, and every piece of text
    re-escaped by a real XML serializer."""
    start = svg.find("<svg")
    if start < 0:
        raise DiagramError(f"{prefix}: Graphviz returned no SVG")
    root = ET.fromstring(svg[start:])  # comments are dropped by the parser
    # Natural size: Graphviz's points are CSS points, so 10-point labels are 13.3 px tall at 100 % zoom.
    # Squeezed into a phone's column they were 2 to 4 px; the canvas scrolls sideways instead, and the
    # standalone SVG file opens at this size for the browser to zoom.
    for side in ("width", "height"):
        size = root.attrib.pop(side, "").removesuffix("pt")
        if size:
            root.set(side, f"{size}pt")
    # role="group", not "img": an img role hides the links inside the SVG from assistive technology
    # (axe's nested-interactive rule); the group keeps its title and description as its name.
    root.set("role", "group")
    root.set("class", "cp-overview-svg")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    t = ET.Element(_S + "title", {"id": f"{prefix}-title"})
    t.text = title
    d = ET.Element(_S + "desc", {"id": f"{prefix}-desc"})
    d.text = desc
    root.insert(0, d)
    root.insert(0, t)
    for parent in root.iter():
        for child in list(parent):
            if child.tag == _S + "title" and child is not t:
                own = parent.get("id", "")
                if own in dot.titles:
                    child.text = dot.titles[own]
                elif parent.get("class", "").split()[:1] in (["graph"], ["cluster"]) or own.startswith("k-"):
                    parent.remove(child)
    for el in root.iter():
        if el is not t and el is not d and "id" in el.attrib:
            el.set("id", f"{prefix}-{el.attrib['id']}")
        href = el.attrib.pop(_X + "href", None)
        if href is not None:
            el.set("href", href)
        el.attrib.pop(_X + "title", None)
        el.attrib.pop("target", None)
        if el.tail is not None and not el.tail.strip():
            el.tail = None
        if el.text is not None and not el.text.strip() and len(el):
            el.text = None
    for el in root.iter():
        if len(el):
            el.text = (el.text or "") + "\n"
            for child in el:
                child.tail = (child.tail or "") + "\n"
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    out = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return "\n".join(line for line in out.splitlines() if line.strip())


_CANVAS_SVG = re.compile(r'<div class="cp-overview-canvas"[^>]*>\n(<svg .*?</svg>)\n</div>', re.DOTALL)


def overview_svg_file(page: str) -> bytes:
    """The overview chart of a rendered overview page as a file of its own, for the browser to open full size."""
    found = _CANVAS_SVG.search(page)
    if found is None:
        raise DiagramError("the overview page holds no overview chart")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + found.group(1) + "\n").encode("utf-8")


def overview_size(kb: KnowledgeBase, pathway: Pathway) -> tuple[int, int]:
    """The nodes and the links between them that a pathway's overview would lay out."""
    members = set(kb.members(pathway.id))
    return len(members), sum(1 for m in members for e in kb.out_edges(m) if e.target in members)


def overview_too_big(kb: KnowledgeBase, pathway: Pathway) -> str | None:
    """Why a pathway's overview is written as a list only, or None when Graphviz draws it."""
    nodes, edges = overview_size(kb, pathway)
    if nodes <= MAX_OVERVIEW_NODES and edges <= MAX_OVERVIEW_EDGES:
        return None
    return (
        f"pathway '{pathway.id}': its overview for clinicians has {nodes} nodes and {edges} links, over the limit of "
        f"{MAX_OVERVIEW_NODES} nodes or {MAX_OVERVIEW_EDGES} links that is drawn as a chart; it is shown as a list only"
    )


def overview_html(
    kb: KnowledgeBase, pathway: Pathway, page_uri: str, *,
    urls: Urls = DIRECTORY_URLS, all_edges: bool = False, words: Words | None = None,
) -> str:
    """The clinician overview: every node of the pathway, laid out by Graphviz `dot` with the stages as frames,
    each node a link to its page, each edge kind with its own line style, and a key. The text alternative
    follows in a closed `<details>`. Long association lines are left to that list unless `all_edges` (see
    `_drawn`)."""
    ctx = _ctx(kb, pathway, page_uri, None, urls, words)
    prefix = f"cp-overview-{pathway.id}"
    if overview_too_big(kb, pathway):
        out = (
            f'<figure class="cp-diagram cp-overview cp-no-score" id="{prefix}">\n'
            f"<figcaption>{ctx.w('diagram.too_big', pathway=ctx.link(pathway.id))}</figcaption>\n"
            f"{_text_alternative(ctx)}\n</figure>"
        )
        check_diagram_links(out, kb, page_uri, urls)
        return out
    dot = _overview_dot(ctx, all_edges)
    nodes = len(kb.members(pathway.id))
    title = ctx.w("diagram.overview_title", pathway=_clean(pathway.title))
    desc = ctx.w("diagram.overview_desc", nodes=nodes, steps=len(pathway.stages))
    link = ctx.link(pathway.id)
    caption = ctx.w("diagram.overview_caption_all", pathway=link) if all_edges else ctx.w("diagram.overview_caption", pathway=link)
    layout = LAYOUT.get() or run_dot
    svg = _tidy_svg(layout(dot.text(), f"overview of pathway '{pathway.id}'"), dot, prefix, title, desc)
    out = (
        f'<figure class="cp-diagram cp-overview cp-no-score" data-search-exclude="true" id="{prefix}">\n'
        f'<div class="cp-overview-canvas" role="region" tabindex="0" aria-label="{ctx.w("diagram.overview_canvas")}">\n{svg}\n</div>\n'
        f"<figcaption>{caption}</figcaption>\n"
        f"{_details(_text_alternative(ctx), ctx.w('diagram.pathway_list'))}\n</figure>"
    )
    check_diagram_links(out, kb, page_uri, urls)
    return out
