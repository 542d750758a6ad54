"""The preview's quick rebuild: under `make serve` (`mkdocs serve --dirty`), an edit of the pathway data re-renders
only the pages whose text it changed, through MkDocs' own two page steps, on the config, files, nav and theme of
the last full build.

MkDocs' `--dirty` build still does everything but the unchanged pages on every save: it loads the config and the
theme again, makes a `File` of every page (~6,000 at 3,000 nodes), builds the nav, copies the theme's files, renders
the sitemap and writes the whole search index twice. Here a save costs what the changed pages cost. Whatever else an
edit can change (a hand-written page, `mkdocs.yml`, the theme folder, which pages or files exist, which pages the
nav lists, the build date) is for MkDocs' full build, as before: `Snapshot.still_fits` says whether the last one
still holds. `_populate_page` and `_build_page` are MkDocs 1.6's own steps of a page (read, Markdown, HTML; context,
template, write), used as its `build()` uses them; MkDocs 1.x has had no release since 1.6.1.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from carepath.build.cached import workers

Stamps = dict[str, tuple[int, int]]


def stamps(paths: Iterable[str | None], leave_out: Iterable[Path] = ()) -> Stamps:
    """Every file under `paths` (files or folders) with its modification time and size, but those under `leave_out`."""
    out: Stamps = {}
    skip = tuple(str(p) + os.sep for p in leave_out)
    for top in filter(None, paths):
        for path in _walk(str(top)):
            if path.startswith(skip):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            out[path] = (st.st_mtime_ns, st.st_size)
    return out


def _walk(top: str) -> Iterator[str]:
    if os.path.isfile(top):
        yield os.path.abspath(top)
        return
    for folder, _, names in os.walk(top):
        for name in names:
            yield os.path.abspath(os.path.join(folder, name))


def watched_inputs(config: MkDocsConfig, pathway_dir: Path) -> list[str | None]:
    """What a full build reads besides the pathway data: the hand-written pages, `mkdocs.yml`, the theme folder and
    whatever else the site watches."""
    return [config.docs_dir, config.config_file_path, config.theme.custom_dir, *(w for w in config.watch if Path(w).resolve() != pathway_dir.resolve())]


@dataclass
class Snapshot:
    """What the last full build made, kept for quick rebuilds."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    host_nav: Any
    """`mkdocs.yml`'s own nav, before the plugin placed the generated pages in it."""
    content: list[str]
    """The hand-written pages, as the build found them."""
    inputs: Stamps
    """`stamps` of `watched_inputs` as the build began."""
    leave_out: tuple[Path, ...]

    def still_fits(self, pathway_dir: Path) -> bool:
        """Whether nothing but the pathway data changed since the build began."""
        return stamps(watched_inputs(self.config, pathway_dir), self.leave_out) == self.inputs

    def file(self, src_uri: str) -> File | None:
        return self.files.get_file_from_path(src_uri)


def retitle(items: list[Any], nav: list[Any]) -> bool | None:
    """Give MkDocs' nav `items` the titles of `nav` (a nav as `mkdocs.yml` writes it) where only titles differ:
    True if any changed, False if none did, None when the two differ in anything else (a full build is needed)."""
    if len(items) != len(nav):
        return None
    changed = False
    for item, entry in zip(items, nav):
        title, value = next(iter(entry.items())) if isinstance(entry, dict) and len(entry) == 1 else (None, entry)
        if isinstance(item, Section):
            if not isinstance(value, list) or title is None:
                return None
            inner = retitle(item.children, value)
            if inner is None:
                return None
            if item.title != title:
                item.title, changed = title, True
            changed = changed or inner
        elif isinstance(item, Page):
            if not isinstance(value, str) or item.file.src_uri != value:
                return None
            if title is not None and item.title != title:
                item.title, changed = title, True
        elif isinstance(item, Link):
            if not isinstance(value, str) or item.url != value:
                return None
            if title is not None and item.title != title:
                item.title, changed = title, True
        else:
            return None
    return changed


def render_pages(snap: Snapshot, pages: list[Page], theme_changed: bool, kept: list[Any]) -> Callable[[], None]:
    """Render `pages` (their sources already rewritten) and write them, as MkDocs' build does; return what is left of
    the build for after the browser has the pages: the search index and the `post_build` events. `kept` is the list
    the plugin's page events append to (what the readability gate grades afterwards).

    Material's search plugin parses each page's HTML again for its index (a third of a page's cost): here it only
    records what it would read (and strips the same attributes from the page), and the index is made afterwards,
    from the last one with these pages' entries replaced (its own merge under `--dirty` replaces one page's only).
    With a second core and enough to render, a forked copy of this process renders about half of the pages
    (`_Helper`), by their size."""
    config, files, nav, env = snap.config, snap.files, snap.nav, snap.env
    search = _search(config)
    seen: list[SimpleNamespace] = []
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)

    def render(some: list[Page]) -> None:
        for page in some:
            _populate_page(page, config, files)
        for page in some:
            _build_page(page, config, doc_files, nav, env)
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)

    with _search_recorded(config, search, seen):
        if theme_changed and "404.html" in config.theme.static_templates:
            _build_theme_template("404.html", env, files, config, nav)
        mine, theirs = _shares(pages)
        helper = _Helper.start(render, theirs, seen, kept) if theirs else None
        render(mine if helper is not None else pages)
        if helper is not None and not helper.join():
            render(theirs)  # the forked copy failed before it rendered anything it could report: render them here

    def finish() -> None:
        if search is not None:
            previous = search.search_index_prev or search.search_index
            index = type(search.search_index)(**search.config)
            for page in seen:
                index.add_entry_from_context(page)
            urls = {page.url for page in pages}
            kept = [e for e in previous.entries if str(e.get("location", "")).split("#", 1)[0] not in urls]
            index.entries = kept + index.entries
            search.search_index, search.search_index_prev = index, None  # merged here already
        config.plugins.on_post_build(config=config)

    return finish


FORK_MIN_BYTES = 200_000
"""Below this much Markdown to render, one process is quicker than forking a second (a fork of a 3,000-node preview
takes about 20 ms; Python-Markdown reads about 1 MB a second)."""


def _shares(pages: list[Page]) -> tuple[list[Page], list[Page]]:
    """`pages` split in two of about the same size (largest first, each to the lighter share), for this process and a
    forked one; all in the first when there is no second core or too little to render."""
    sizes = {id(p): _size(p) for p in pages}
    if len(pages) < 2 or workers() < 2 or not hasattr(os, "fork") or sum(sizes.values()) < FORK_MIN_BYTES:
        return pages, []
    shares: tuple[list[Page], list[Page]] = ([], [])
    weights = [0, 0]
    for page in sorted(pages, key=lambda p: -sizes[id(p)]):
        lighter = 0 if weights[0] <= weights[1] else 1
        shares[lighter].append(page)
        weights[lighter] += sizes[id(page)]
    return shares


def _size(page: Page) -> int:
    try:
        return os.path.getsize(page.file.abs_src_path or "")
    except OSError:
        return 0


class _Helper:
    """A forked copy of the preview that renders and writes some of the pages, and sends back over a pipe what the
    preview keeps of them (the search plugin's records and the plugin's `kept` entries)."""

    def __init__(self, pid: int, fd: int, seen: list[SimpleNamespace], kept: list[Any]) -> None:
        self.pid, self.fd, self.seen, self.kept = pid, fd, seen, kept

    @classmethod
    def start(cls, render: Callable[[list[Page]], None], pages: list[Page], seen: list[SimpleNamespace], kept: list[Any]) -> _Helper | None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return None
        if pid:
            os.close(write)
            return cls(pid, read, seen, kept)
        os.close(read)  # in the forked copy from here on; it never returns
        code, before = 0, (len(seen), len(kept))
        try:
            render(pages)
            answer = json.dumps(["ok", [_record_data(r) for r in seen[before[0] :]], kept[before[1] :]]).encode("utf-8")
        except BaseException as exc:  # noqa: BLE001 - said to the preview, which fails the rebuild with it
            answer, code = json.dumps(["error", f"{type(exc).__name__}: {exc}", None]).encode("utf-8"), 1
        try:
            with os.fdopen(write, "wb") as out:
                out.write(answer)
        finally:
            os._exit(code)

    def join(self) -> bool:
        """Take the forked copy's answer: True when it rendered its pages, False when it died before it could say
        anything (nothing of it to keep). An error it reports is raised here, as the page's own would have been."""
        with os.fdopen(self.fd, "rb") as answer:
            data = answer.read()
        os.waitpid(self.pid, 0)
        try:
            status, first, second = json.loads(data)
        except ValueError:  # an empty or cut answer: it died (killed, out of memory)
            return False
        if status != "ok":
            raise RuntimeError(first)
        self.seen.extend(_record(r) for r in first)
        self.kept.extend(tuple(k) for k in second)
        return True


_META = ("search", "tags", "title")
"""What Material's search index reads of a page's front matter."""


def _record_data(record: SimpleNamespace) -> dict[str, Any]:
    """A search record (`_search_recorded`) as JSON data: no format that runs code crosses the pipe."""
    meta = {k: record.meta[k] for k in _META if k in record.meta}
    return {"meta": meta, "content": record.content, "toc": [_anchor_data(a) for a in record.toc], "url": record.url, "title": record.title}


def _record(data: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**{**data, "toc": TableOfContents([_anchor(a) for a in data["toc"]])})


def _anchor_data(anchor: AnchorLink) -> dict[str, Any]:
    return {"title": anchor.title, "id": anchor.id, "level": anchor.level, "children": [_anchor_data(c) for c in anchor.children]}


def _anchor(data: dict[str, Any]) -> AnchorLink:
    anchor = AnchorLink(data["title"], data["id"], data["level"])
    anchor.children = [_anchor(c) for c in data["children"]]
    return anchor


_DATA_SEARCH = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
"""The attributes Material's search plugin strips from a page's HTML as it indexes it (`on_page_context`)."""


@contextmanager
def _search_recorded(config: MkDocsConfig, search: Any, seen: list[SimpleNamespace]) -> Iterator[None]:
    """While inside, Material's search plugin's `on_page_context` is replaced by a record of what it reads of the page
    (`add_entry_from_context`: meta, content, toc, url, title) and the same change to the page's HTML."""
    events = config.plugins.events["page_context"]
    own = [i for i, e in enumerate(events) if getattr(e, "__self__", None) is search] if search is not None else []

    def record(context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        seen.append(SimpleNamespace(meta=page.meta, content=page.content, toc=page.toc, url=page.url, title=page.title))
        page.content = _DATA_SEARCH.sub("", page.content or "")
        return None

    saved = {i: events[i] for i in own}
    for i in own:
        events[i] = record
    try:
        yield
    finally:
        for i, e in saved.items():
            events[i] = e


def _search(config: MkDocsConfig) -> Any:
    """Material's search plugin when the site uses it (the only search plugin whose index this knows), else None."""
    plugin: Any = config.plugins.get("material/search")
    if plugin is None or not all(hasattr(plugin, a) for a in ("search_index", "search_index_prev", "is_dirty")):
        return None
    return plugin if getattr(plugin.config, "enabled", True) else None


class Headless:
    """What the plugin's `on_serve` uses of MkDocs' preview server (`LiveReloadServer`), serving nothing: for running
    the preview's rebuilds in a process of one's own (`benchmarks/serve_edit.py`, the tests), as the server's watcher
    would run them after each save: `headless.builder()`."""

    def __init__(self, builder: Callable[[], None], root: Path) -> None:
        self.builder, self.root, self.mount_path = builder, str(root), "/"
        self.app: Any = None

    def watch(self, path: str) -> None:
        """Nothing watches: the caller runs `builder` after each save."""

    def get_app(self) -> Any:
        return self.app

    def set_app(self, app: Any) -> None:
        self.app = app
