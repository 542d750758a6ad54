"""The text alternative: a diagram's decision flow as an ordered, nested list that reads in journey order
and links every node, shown beside each diagram in a closed `<details>`. Plain HTML; no layout."""

from __future__ import annotations

from dataclasses import replace

from carepath.diagram.context import _Ctx, _ctx, _relations, _sorted_flags, _type_word
from carepath.diagram.links import check_diagram_links
from carepath.model.graph import EdgeKind, Indicator, KnowledgeBase, Pathway
from carepath.text.escape import html_text
from carepath.urls import DIRECTORY_URLS, Urls
from carepath.words import Words

__all__ = ["text_alternative_html"]


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
    label = ctx.urgency_label(flag.urgency)
    out = f"<li>{label}: {ctx.link(flag.id)}. {html_text(ctx.w.action(flag.urgency.value, flag.action), xml=True)}"
    for kind in (EdgeKind.refers_to, EdgeKind.relevant_to):
        targets = ctx.targets(flag.id, kind)
        if targets:
            out += f" {ctx.edge_label(kind)}: {_sentence_links(ctx, targets)}."
    return out + "</li>"


SLICE_OPTIONS = 8
"""Options a stage's flow shows on another page (an option's own page): that option, then the step's first
others, and a line that says how many more the step's own page lists. Without a bound, a step with n options
would draw n options on each of its n pages: n² links to write and check."""


def _shown_options(ctx: _Ctx, stage_id: str, limit: int | None) -> tuple[list[str], int]:
    """A stage's options as a flow on this page shows them, and how many it leaves to the step's own page."""
    options = ctx.targets(stage_id, EdgeKind.offers)
    if limit is None or len(options) <= limit:
        return options, 0
    mine = [o for o in options if o == ctx.here]
    keep = set(mine + [o for o in options if o != ctx.here][: limit - len(mine)])
    return [o for o in options if o in keep], len(options) - len(keep)


def _more_options(ctx: _Ctx, stage_id: str, hidden: int, tag: str = "li", cls: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    return f"<{tag}{attrs}>{ctx.w('diagram.more_options', count=hidden, stage=ctx.link(stage_id))}</{tag}>" if hidden else ""


def _text_stage(ctx: _Ctx, stage_id: str, limit: int | None = None) -> str:
    n = ctx.step(stage_id)
    parts = ["<li>" + ctx.w("diagram.text_step", step=n, stage=ctx.link(stage_id))]
    options, hidden = _shown_options(ctx, stage_id, limit)
    if options:
        listed = "".join(_text_option(ctx, o) for o in options) + _more_options(ctx, stage_id, hidden)
        parts.append(f"{ctx.w('diagram.text_options')}<ol>{listed}</ol>")
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
