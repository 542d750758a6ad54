"""What every diagram is drawn from: the pathway, the page it sits on, where the reader is, and the
words and links each box uses. Shared by the journey, the text alternative and the overview; draws nothing."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from carepath.model.graph import URGENCY_ORDER, EdgeKind, Indicator, KnowledgeBase, Node, Pathway, Urgency
from carepath.model.vocabulary import Vocabulary
from carepath.text.escape import html_text
from carepath.urls import DIRECTORY_URLS, Urls, node_uri
from carepath.words import DEFAULT_EDITION, Words, words


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
    w: Words = field(default_factory=lambda: words(DEFAULT_EDITION))
    """The words catalogue every label comes from."""

    @property
    def vocabulary(self) -> Vocabulary:
        """The words of this pathway's diagrams: its own labels over the site's (`KnowledgeBase.vocabulary_of`)."""
        return self.kb.vocabulary_of(self.pathway.id)

    def urgency_label(self, urgency: Urgency) -> str:
        """An urgency's words as diagram HTML. Labels are pathway data (`vocabulary:`), so they are escaped here,
        where every diagram takes them, never pasted."""
        return html_text(self.vocabulary.urgency_label(urgency), xml=True)

    def edge_label(self, kind: EdgeKind) -> str:
        """An edge kind's forward words as diagram HTML, capitalised to start a line: escaped, as `urgency_label`."""
        return html_text(self.vocabulary.edge_label(kind).capitalize(), xml=True)

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
        """Where a node's edges lead inside this pathway: a diagram never links into another pathway, nor follows a
        link written in another pathway's context (`in:`) on a shared node."""
        return [e.target for e in self.kb.out_edges(node_id, kind) if e.target in self.members and e.holds_in(self.pathway.id)]

    def sources(self, node_id: str, kind: EdgeKind) -> list[str]:
        return [e.source for e in self.kb.in_edges(node_id, kind) if e.source in self.members and e.holds_in(self.pathway.id)]


def _ctx(kb: KnowledgeBase, pathway: Pathway, page_uri: str, here: str | None, urls: Urls, w: Words | None) -> _Ctx:
    ctx = _Ctx(kb, pathway, page_uri, here, urls, members=frozenset(kb.members(pathway.id)), w=w or words(DEFAULT_EDITION))
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
    """The edges an option shows in words under its box, in this order, each label as HTML."""
    return (
        (EdgeKind.requires, ctx.edge_label(EdgeKind.requires)),
        (EdgeKind.returns_to, ctx.edge_label(EdgeKind.returns_to)),
        (EdgeKind.escalates_to, ctx.w("diagram.if_not_helping")),
        (EdgeKind.relevant_to, ctx.edge_label(EdgeKind.relevant_to)),
    )
