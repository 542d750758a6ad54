"""The patient journey and a stage's slice of it: red flags, stages, options and where each leads, as plain
HTML lists with links (no layout program, no JavaScript), each followed by its text alternative."""

from __future__ import annotations

from dataclasses import replace

from carepath.diagram.context import _Ctx, _ctx, _relations, _sorted_flags, _type_word
from carepath.diagram.links import check_diagram_links
from carepath.diagram.listing import SLICE_OPTIONS, _details, _more_options, _shown_options, _text_alternative, _text_stage
from carepath.model.graph import EdgeKind, Indicator, KnowledgeBase, Pathway, Urgency
from carepath.text.escape import html_text
from carepath.urls import DIRECTORY_URLS, Urls
from carepath.words import Words

__all__ = ["URGENCY_ICON", "journey_html", "stage_slice_html"]


URGENCY_ICON: dict[Urgency, str] = {
    Urgency.emergency: "‼",
    Urgency.urgent: "!",
    Urgency.soon: "◷",
    Urgency.routine: "○",
}
"""Urgency -> icon. The label (from the vocabulary) is always shown; the icon and the border style repeat it, so
meaning never rests on colour alone."""


def _flag_item(ctx: _Ctx, flag: Indicator, tag: str = "li") -> str:
    label, icon = ctx.urgency_label(flag.urgency), URGENCY_ICON[flag.urgency]
    u = flag.urgency.value
    here = " cp-here" if flag.id == ctx.here else ""
    goto = "".join(
        f' <span class="cp-flag-go"><span aria-hidden="true">→ </span>{ctx.edge_label(EdgeKind.refers_to)}: '
        f"{ctx.link(t)}</span>"
        for t in ctx.targets(flag.id, EdgeKind.refers_to)
    )
    return (
        f'<{tag} class="cp-flag cp-urgency-{u}{here}">'
        f'<span class="cp-urgency"><span class="cp-icon" aria-hidden="true">{icon}</span> {label}</span> '
        f'<span class="cp-flag-title">{ctx.link(flag.id, primary=True)}</span> '
        f'<span class="cp-action">{html_text(ctx.w.action(flag.urgency.value, flag.action), xml=True)}</span>{goto}</{tag}>'
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


def _stage_item(ctx: _Ctx, stage_id: str, whole_journey: bool, limit: int | None = None) -> str:
    here = " cp-here" if stage_id == ctx.here else ""
    options, hidden = _shown_options(ctx, stage_id, limit)
    items = "".join(_option_item(ctx, o) for o in options) + _more_options(ctx, stage_id, hidden, cls="cp-option cp-more")
    opts = f'<ul class="cp-options">{items}</ul>' if options else ""
    shown = ctx.pathway.red_flags if whole_journey else []  # already in the journey's red-flag box
    stage_flags = [f for f in ctx.targets(stage_id, EdgeKind.flags) if f not in shown]
    flags = _flags_box(ctx, stage_flags, ctx.w("diagram.watch_for"), " cp-stage-flags")
    nexts = ctx.targets(stage_id, EdgeKind.escalates_to)
    esc = ""
    if nexts:
        links = ", ".join(ctx.stage_link(t) for t in nexts)
        esc = (
            '<p class="cp-escalate"><span class="cp-arrow" aria-hidden="true">↓</span> '
            f'<span class="cp-rel-label">{ctx.edge_label(EdgeKind.escalates_to)}:</span> {links}</p>'
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
    limit = None if here == stage_id else SLICE_OPTIONS  # the step's own page lists every option
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
        f'<ol class="cp-stages" start="{n}">{_stage_item(ctx, stage_id, whole_journey=False, limit=limit)}</ol>'
        f"{_details(_text_stage(replace(ctx, primaries=ctx.primaries | {here or ''}), stage_id, limit), ctx.w('diagram.stage_list'), cls='cp-text-alt', tag='ol', start=n)}</div>"
    )
    check_diagram_links(out, kb, page_uri, urls)
    return out
