"""The clinician overview page's chart: the DOT source laid out by Graphviz, the SVG tidied, the text
alternative beside it; or the list only when a pathway is over the size limits, which are kept here."""

from __future__ import annotations

from carepath.diagram.context import _Ctx, _ctx
from carepath.diagram.dot import _clean, _Dot, _overview_dot, key_entries
from carepath.diagram.graphviz import LAYOUT, run_dot
from carepath.diagram.links import check_diagram_links
from carepath.diagram.listing import _details, _text_alternative
from carepath.diagram.svg import _key_samples, _split_layout, _tidy_svg
from carepath.model.graph import KnowledgeBase, Pathway
from carepath.text.escape import html_text
from carepath.urls import DIRECTORY_URLS, Urls
from carepath.words import Words

__all__ = ["MAX_OVERVIEW_EDGES", "MAX_OVERVIEW_NODES", "overview_html", "overview_size", "overview_too_big"]


MAX_OVERVIEW_NODES = 150
MAX_OVERVIEW_EDGES = 250
"""Above either, a pathway's overview is written as a list only, not laid out: Graphviz's time grows much faster
than the graph (measured on a busy 2-CPU machine: 142 nodes and 241 links about 4 s, 197 and 336 about 18 s; one
stage with 300 options 16 s, with 500 minutes). See LIMITS.md."""


def overview_size(kb: KnowledgeBase, pathway: Pathway) -> tuple[int, int]:
    """The nodes and the links between them that a pathway's overview would lay out."""
    members = set(kb.members(pathway.id))
    return len(members), sum(1 for m in members for e in kb.out_edges(m) if e.target in members and e.holds_in(pathway.id))


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
    each node a link to its page, each edge kind with its own line style, and beside it a key in HTML. The
    text alternative follows in a closed `<details>`. Long association lines are left to that list unless `all_edges` (see
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
    chart, key = _split_layout(layout(dot.text(), f"overview of pathway '{pathway.id}'"), prefix)
    svg = _tidy_svg(chart, dot, prefix, title, desc)
    out = (
        f'<figure class="cp-diagram cp-overview cp-no-score" data-search-exclude="true" id="{prefix}">\n'
        f'<div class="cp-overview-body">\n<div class="cp-overview-canvas">\n{svg}\n</div>\n'
        f"{_key_html(ctx, key, dot, prefix, all_edges)}\n</div>\n"
        f"<figcaption>{caption}</figcaption>\n"
        f"{_details(_text_alternative(ctx), ctx.w('diagram.pathway_list'))}\n</figure>"
    )
    check_diagram_links(out, kb, page_uri, urls)
    return out


def _key_html(ctx: _Ctx, key_svg: str, dot: _Dot, prefix: str, all_edges: bool) -> str:
    """The key beside the chart: each kind of box and line Graphviz drew, as a small picture beside its words.
    In HTML, not in the chart, so it stays readable and on screen however much the chart is scaled down."""
    entries = key_entries(ctx.vocabulary, ctx.w, all_edges)
    samples = _key_samples(key_svg, dot, prefix, [e.sample for e in entries])
    rows = "\n".join(
        f'<li class="{e.classes}">{samples[e.sample]} <span>{html_text(e.words, xml=True)}</span></li>' for e in entries
    )
    return (
        f'<div class="cp-overview-key" role="group" aria-labelledby="{prefix}-key-title">\n'
        f'<p class="cp-overview-key-title" id="{prefix}-key-title">{html_text(ctx.w("diagram.key"), xml=True)}</p>\n'
        f'<ul class="cp-overview-key-list">\n{rows}\n</ul>\n</div>'
    )
