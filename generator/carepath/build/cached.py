"""The build's costly steps through the cache (`cache.py`): QR codes, diagram link checks, Graphviz layouts,
glossary annotation, readability scores, and the whole generator result. Wraps the entry points of
`qr`, `diagram`, `glossary` and `readability`; never changes what they return.

Each step is keyed on its exact input (the QR text, the diagram markup, the DOT source, the page text),
never on a guess of what it depends on. The pool helpers only fill the cache ahead of the render; a
result they did not foresee is simply computed in line, so the output is the same with any number of
workers, with a cold cache, a warm one, or none.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from carepath import urls as links
from carepath.build.cache import Cache, digest
from carepath.diagram.dot import overview_dot
from carepath.diagram.graphviz import LAYOUT, run_dot
from carepath.diagram.links import LINK_PARSER, parse_links
from carepath.diagram.overview import overview_too_big
from carepath.load import source_files, walk_files
from carepath.model.graph import GlossaryEntry, KnowledgeBase, Position
from carepath.problems import Problem
from carepath.publish.qr import qr_svg
from carepath.text.glossary import GlossaryMatcher
from carepath.text.glossary import annotate as annotate_glossary
from carepath.words import Words

POOL_MIN_JOBS = 24
"""Below this many uncached QR codes the work stays in this process: starting workers costs more."""


def workers() -> int:
    """Processes to use: every core this process may run on, at most 2 (the build machines have 2)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 2))


# --- QR codes --------------------------------------------------------------------------------------


def _qr_job(job: tuple[str, str]) -> str:
    return qr_svg(*job)


def cached_qr_svg(cache: Cache, text: str, label: str) -> str:
    return cache.text("qr", (text, label), lambda: qr_svg(text, label))


def prefill_qr(cache: Cache, jobs: Iterable[tuple[str, str]]) -> None:
    """Make the QR codes for `(text, label)` jobs not yet cached, in a process pool when there are many."""
    todo = sorted({job for job in jobs if not cache.has("qr", *job)})
    n = workers()
    if len(todo) < POOL_MIN_JOBS or n < 2:
        return  # made in line by `cached_qr_svg`, one at a time
    with ProcessPoolExecutor(n, mp_context=get_context("fork")) as pool:
        for job, svg in zip(todo, pool.map(_qr_job, todo, chunksize=max(1, len(todo) // (n * 8))), strict=True):
            cache.put(cache.key("qr", *job), svg.encode("utf-8"))
            cache.misses += 1


# --- diagrams --------------------------------------------------------------------------------------


def _cached_links(cache: Cache) -> Callable[[str], list[str]]:
    def parse(markup: str) -> list[str]:
        return json.loads(cache.text("diagram-links", (markup,), lambda: json.dumps(parse_links(markup))))  # type: ignore[no-any-return]

    return parse


def _cached_layout(cache: Cache) -> Callable[[str, str], str]:
    def layout(source: str, what: str) -> str:
        return cache.text("dot", (source,), lambda: run_dot(source, what))

    return layout


@contextmanager
def diagrams_through(cache: Cache) -> Iterator[None]:
    """Within this block, diagram link checks and Graphviz layouts go through `cache`."""
    t1 = LINK_PARSER.set(_cached_links(cache))
    t2 = LAYOUT.set(_cached_layout(cache))
    try:
        yield
    finally:
        LAYOUT.reset(t2)
        LINK_PARSER.reset(t1)


def prefill_layouts(cache: Cache, kb: KnowledgeBase, words: Words) -> None:
    """Lay out every pathway's overview not yet cached, Graphviz runs side by side (they are processes)."""
    if workers() < 2:
        return
    jobs = []
    for pathway in (p for p in kb.pathways if not overview_too_big(kb, p)):
        source = overview_dot(kb, pathway, links.overview_uri(pathway.id), words=words)
        if not cache.has("dot", source):
            jobs.append((source, f"overview of pathway '{pathway.id}'"))
        else:
            # A warm cache: after an edit, at most a few layouts are missing (the edited pathway's may come first),
            # and the pages that are reused never ask for theirs, so drawing every DOT source here would cost more
            # than it saves.
            return
    if len(jobs) < 2:
        return

    def run(job: tuple[str, str]) -> tuple[str, str]:
        return job[0], run_dot(*job)

    with ThreadPoolExecutor(workers()) as pool:
        for source, svg in pool.map(run, jobs):
            cache.put(cache.key("dot", source), svg.encode("utf-8"))
            cache.misses += 1


# --- glossary --------------------------------------------------------------------------------


def glossary_digest(glossary: Sequence[GlossaryEntry]) -> str:
    return digest(json.dumps([g.model_dump(mode="json") for g in glossary], sort_keys=True, ensure_ascii=False))


def cached_annotate(cache: Cache, words: Words) -> Callable[[str, KnowledgeBase, str], str]:
    """`glossary.annotate` for the renderer's `annotate` hook, with the glossary of the page's pathway
    (`KnowledgeBase.page_glossary`), keyed by the page text, its URI, that glossary and the language."""
    glossaries: dict[str | None, tuple[str, list[GlossaryEntry], dict[str, str]]] = {}
    matchers: dict[str | None, GlossaryMatcher] = {}

    def annotate(markdown: str, kb: KnowledgeBase, uri: str) -> str:
        scope = kb.scope(uri.removesuffix(".md"))  # a node page's `src_uri` is its id and '.md' (`urls.node_uri`)
        if scope not in glossaries:
            pairs = kb.page_glossary(scope)
            listed_on = {entry.term: links.glossary_uri(where) for entry, where in pairs}
            entries = [entry for entry, _ in pairs]
            glossaries[scope] = (digest(glossary_digest(entries), json.dumps(listed_on, sort_keys=True), words.language), entries, listed_on)
        key, glossary, listed_on = glossaries[scope]

        def compute() -> str:
            matcher = matchers.get(scope) or matchers.setdefault(scope, GlossaryMatcher(glossary))
            return annotate_glossary(markdown, glossary, uri, matcher, words, listed_on)

        return cache.text("glossary", (key, uri, markdown), compute)

    return annotate


# --- the whole generator result --------------------------------------------------------------------


def inputs_digest(settings: str, pathway_dir: Path | None, overrides: Path | None) -> str:
    """A hash of `settings` and of every file (path and bytes) the generator reads: the pathway files and translations
    (`load.source_files`) and the template overrides (`load.walk_files`), links to folders followed in both."""
    parts: list[str | bytes] = [settings]
    for folder, files in ((pathway_dir, source_files), (overrides, walk_files)):
        if folder is None or not folder.is_dir():
            parts.append(f"no folder {folder}")
            continue
        for path in files(folder):
            parts.append(path.relative_to(folder).as_posix())
            try:
                parts.append(path.read_bytes())
            except OSError as exc:  # the loader reports it; the key only has to differ from a readable file's
                parts.append(f"unreadable: {exc.strerror or exc}")
    return digest(*parts)


def load_result(cache: Cache, key: str) -> dict[str, Any] | None:
    """The generator's output stored under `key` (`store_result`): its pages, files and warnings, or None.

    JSON, checked by `Cache.get` against its key; an entry that does not read as one is a miss."""
    found = cache.get(cache.key("site", key))
    cache.memory.pop(cache.key("site", key), None)  # large; the caller keeps the result itself
    if found is None:
        return None
    try:
        data = json.loads(found)
        result = {
            "pages": {str(uri): str(text) for uri, text in data["pages"].items()},
            "assets": {str(uri): base64.b64decode(text, validate=True) for uri, text in data["assets"].items()},
            "warnings": [
                Problem(Position(str(w["path"]), int(w["line"]), int(w["col"])), str(w["message"]), w["severity"])
                for w in data["warnings"]
                if w["severity"] in ("error", "warning", "note")
            ],
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        cache.rejected += 1
        return None
    cache.hits += 1
    return result


def store_result(cache: Cache, key: str, pages: dict[str, str], assets: dict[str, bytes], warnings: list[Problem]) -> None:
    if cache.root is None:
        return
    # The same JSON as `json.dumps` of the whole, made a page at a time as UTF-8: one text of the whole site (two
    # or four bytes a character once any page has a character beyond Latin-1) and its encoded copy were the peak
    # of a cold build's memory.
    def members(items: Iterable[tuple[str, str]]) -> list[bytes]:
        return [(f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}").encode() for k, v in items]

    warned = [
        {"path": w.position.path, "line": w.position.line, "col": w.position.col, "message": w.message, "severity": w.severity} for w in warnings
    ]
    def listed(items: list[bytes]) -> list[bytes]:
        return [part for i, item in enumerate(items) for part in ((b", ", item) if i else (item,))]

    parts = [b'{"pages": {', *listed(members(pages.items())), b'}, "assets": {']
    parts += listed(members((uri, base64.b64encode(raw).decode("ascii")) for uri, raw in assets.items()))
    parts += [b'}, "warnings": ', json.dumps(warned, ensure_ascii=False).encode("utf-8"), b"}"]
    # Written in its parts, as one file: a joined copy of the whole was the peak of a cold build's memory.
    cache.put_parts(cache.key("site", key), tuple(parts))
    cache.memory.pop(cache.key("site", key), None)
