"""Regenerate only the pages whose inputs changed. Each page is rendered once with its reads of the
knowledge base recorded (which nodes, edges and placements it looked at); next time, the page is reused
while every node it read is unchanged. No dependency is guessed: what a page reads is what it depends on.

A node's state is its model, its edges in and out (not their source positions, which no page shows),
its placement on a journey, and what the site's region adds to its page. A page that walks all nodes depends on all of them; one that walks the
list of edges depends on that list (kinds and ends), plus whatever nodes it then looks up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from carepath import urls as links
from carepath.build.cache import Cache, digest
from carepath.model.graph import Edge, KnowledgeBase, Node, Pathway, Placement
from carepath.render.pages import Renderer, RenderOptions


class _Reads:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.positions: set[str] = set()
        self.everything = False
        """Walked all nodes (or looked at the whole index of edges by node)."""
        self.all_edges = False
        """Walked the list of every edge."""


class _Recorder:
    """The reads of the page being rendered now; `None` between pages."""

    reads: _Reads | None = None

    def note(self, key: object) -> None:
        if self.reads is not None and isinstance(key, str):
            self.reads.ids.add(key)

    def note_all(self) -> None:
        if self.reads is not None:
            self.reads.everything = True

    def note_edges(self) -> None:
        if self.reads is not None:
            self.reads.all_edges = True


class _RecordingDict(dict[str, Any]):
    """A dict keyed by node id that tells the recorder which ids were looked up, and when it was walked."""

    def __init__(self, data: dict[str, Any], recorder: _Recorder, positions: bool = False, prefix: str = "") -> None:
        super().__init__(data)
        self.recorder = recorder
        self.positions = positions
        self.prefix = prefix

    def _note(self, key: object) -> None:
        reads = self.recorder.reads
        if reads is not None and isinstance(key, str):
            (reads.positions if self.positions else reads.ids).add(self.prefix + key)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __iter__(self) -> Iterator[str]:
        self.recorder.note_all()
        return super().__iter__()

    def __len__(self) -> int:
        self.recorder.note_all()
        return super().__len__()

    def keys(self) -> Any:
        self.recorder.note_all()
        return super().keys()

    def values(self) -> Any:
        self.recorder.note_all()
        return super().values()

    def items(self) -> Any:
        self.recorder.note_all()
        return super().items()


MEMBERS, JOURNEY, SHORT = "\0members:", "\0journey:", "\0short:"
"""Prefixes of what a page read besides a node: a pathway's members or journey, a short stage name."""


class _RecordingKB(KnowledgeBase):
    """The knowledge base as one page sees it: the same data, every read noted. The graph queries the model
    computes once (placements, members, journeys) are answered by the real knowledge base and noted."""

    recorder: _Recorder
    all_edges: list[Edge]
    real: KnowledgeBase

    def placements(self, node_id: str) -> list[Placement]:
        self.recorder.note(node_id)  # a node's placements are part of its state
        return self.real.placements(node_id)

    def members(self, pathway_id: str) -> list[str]:
        self.recorder.note(MEMBERS + pathway_id)
        return self.real.members(pathway_id)

    def journey(self, pathway_id: str) -> tuple[str, ...]:
        self.recorder.note(JOURNEY + pathway_id)
        return self.real.journey(pathway_id)

    @property
    def edges(self) -> list[Edge]:
        self.recorder.note_edges()
        return self.all_edges

    @edges.setter
    def edges(self, value: list[Edge]) -> None:
        self.all_edges = value


def _recording_kb(kb: KnowledgeBase, recorder: _Recorder) -> KnowledgeBase:
    rec = object.__new__(_RecordingKB)
    for name, value in vars(kb).items():
        if name != "edges":
            object.__setattr__(rec, name, value)
    rec.recorder = recorder
    rec.real = kb
    rec.all_edges = kb.edges
    rec.nodes = _RecordingDict(kb.nodes, recorder)
    rec.positions = _RecordingDict(kb.positions, recorder, positions=True)
    rec.short_names = _RecordingDict(kb.short_names, recorder, prefix=SHORT)
    rec._out = _RecordingDict(kb._out, recorder)
    rec._in = _RecordingDict(kb._in, recorder)
    return rec


def _edge_text(e: Edge) -> str:
    return f"{e.kind.value} {e.source} {e.target} {e.pathway or ''}".rstrip()


class IncrementalRenderer(Renderer):
    """A `Renderer` whose node and overview pages come from the cache while nothing they read has changed.

    `salt` covers everything a page reads besides the knowledge base: options, templates, the glossary.
    """

    def __init__(self, kb: KnowledgeBase, options: RenderOptions, cache: Cache, salt: str) -> None:
        super().__init__(kb, options)
        self.cache = cache
        # What every page may read without a lookup that could be recorded: the site's and pathways' vocabularies, the
        # sources register (a citation is its entry, by id), whatever the renderer derives from the whole graph, and a
        # language edition's notices (which texts are shown in English, whether the translation awaits review).
        region = options.region
        translation = repr((kb.language, kb.translation_draft, sorted((n, sorted(map(repr, slots))) for n, slots in kb.untranslated.items())))
        self.salt = digest(
            salt, repr(kb.vocabulary), repr(kb.vocabularies), repr(kb.namespaces), repr(kb.sources), repr(self.several), repr(region and region.info), translation
        )
        kb.placements("")  # computed on the real graph now, so no page's reads pay for (or record) it
        self._recorder = _Recorder()
        self._real = kb
        self._recording = _recording_kb(kb, self._recorder)
        self._states: dict[str, str] = {}
        self._everything: str | None = None
        self._edges = digest(*(_edge_text(e) for e in kb.edges))

    # --- what a node is now ---

    def state(self, key: str) -> str:
        """What `key` (a node id, or a prefixed pathway query) is now, as a hash."""
        found = self._states.get(key)
        if found is None:
            kb = self._real
            if key.startswith(MEMBERS):
                found = digest(*kb.members(key.removeprefix(MEMBERS)))
            elif key.startswith(JOURNEY):
                found = digest(*kb.journey(key.removeprefix(JOURNEY)))
            elif key.startswith(SHORT):
                found = digest(*kb.short_names.get(key.removeprefix(SHORT), ["-"]))
            elif key not in kb.nodes:
                found = "absent"
            else:
                found = digest(
                    _node_text(kb.nodes[key]),
                    repr(self.options.region.local.get(key)) if self.options.region else "",
                    "\n".join(_edge_text(e) for e in kb.out_edges(key)),
                    "\n".join(_edge_text(e) for e in kb.in_edges(key)),
                    *(_placement_text(place) for place in kb.placements(key)),
                )
            self._states[key] = found
        return found

    def everything(self) -> str:
        if self._everything is None:
            kb = self._real
            self._everything = digest(*(f"{n} {self.state(n)}" for n in sorted(kb.nodes)), self._edges)
        return self._everything

    def _position(self, node_id: str) -> str:
        return str(self._real.positions.get(node_id))

    # --- pages ---

    def render_node(self, node_id: str) -> str:
        return self.page(links.node_uri(node_id), lambda: super(IncrementalRenderer, self).render_node(node_id), [node_id])

    def render_overview(self, pathway: Pathway) -> str:
        return self.page(links.overview_uri(pathway.id), lambda: super(IncrementalRenderer, self).render_overview(pathway), [pathway.id])

    def page(self, src_uri: str, render: Callable[[], str], given: Iterable[str] = (), key: str = "", what: str = "page") -> str:
        """The page from the cache while everything it read is unchanged; else rendered, its reads recorded."""
        key = self.cache.key("page", self.salt, src_uri, key)
        entry = self.cache.get_json(key)
        if entry is not None and self._still_valid(entry):
            self.cache.count(f"{what}-reused")
            return str(entry["text"])
        reads = _Reads()
        reads.ids.update(given)  # the page's own node arrives as an argument, not through a lookup
        problems = len(self.problems)
        self._recorder.reads = reads
        self.kb = self._recording
        try:
            text = render()
        finally:
            self._recorder.reads = None
            self.kb = self._real
        self.cache.count(f"{what}-rendered")
        if len(self.problems) == problems:
            entry = {
                "text": text,
                "ids": {n: self.state(n) for n in sorted(reads.ids)},
                "positions": {n: self._position(n) for n in sorted(reads.positions)},
                "everything": self.everything() if reads.everything else None,
                "edges": self._edges if reads.all_edges else None,
            }
            self.cache.put_json(key, entry)
        return text

    def _still_valid(self, entry: dict[str, Any]) -> bool:
        if entry.get("everything") is not None and entry["everything"] != self.everything():
            return False
        if entry.get("edges") is not None and entry["edges"] != self._edges:
            return False
        return all(self.state(n) == s for n, s in entry["ids"].items()) and all(
            self._position(n) == p for n, p in entry["positions"].items()
        )


def _node_text(node: Node) -> str:
    return f"{type(node).__name__} {node.model_dump_json()}"


def _placement_text(place: Placement) -> str:
    stage = _node_text(place.stage) if place.stage else "-"
    return f"{_node_text(place.pathway)}\n{stage}\n{place.step}\n{' '.join(place.order)}"
