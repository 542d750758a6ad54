"""Small factories for site tests: copy a project into `tmp_path`, build it with MkDocs, read the result.

Builds run `python -m mkdocs build --strict` in a subprocess, as a person would: the exit code, the
log and the absence of a traceback are part of what the tests check. `CAREPATH_TODAY` is pinned so
review-due checks do not change with the calendar.
"""

from __future__ import annotations

import functools
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE_FIXTURE = FIXTURES / "site"
HOSTILE_FIXTURE = FIXTURES / "hostile"
TODAY = "2026-06-01"
"""The pinned build date: after every fixture's `last_reviewed`, before every `next_review`."""

SHIPPED_PARTS = ("mkdocs.yml", "content", "pathway", "site_overrides")


def shipped_edition() -> str:
    """The edition the shipped site is built as: the shipped `mkdocs.yml`'s `edition` option (`CAREPATH_EDITION`
    when set, else its default), as the build reads it."""
    from carepath.settings import Settings

    return Settings.from_mkdocs_yml(REPO / "mkdocs.yml").edition


def graded_pages(count: int, mention: str, extra: str = "") -> tuple[Any, dict[str, str]]:
    """A knowledge base with one glossary term and `count` node pages as the readability gate gets them (each an
    article; `mention` of the term 0, 1 or 2 times, then `extra`), for tests of grading in a second process."""
    from carepath.model.graph import GlossaryEntry, KnowledgeBase, Position

    glossary = [GlossaryEntry(term="radiofrequency ablation", definition="Heat that calms a nerve.", abbreviation="RFA")]
    kb = KnowledgeBase(glossary=glossary, glossary_positions=[Position("pathway/glossary.yml", 2, 11)])
    pages = {
        f"node-{i}": '<article class="md-content__inner md-typeset"><h1>Page</h1>'
        f"<p>{mention * (i % 3)}{extra}Extraordinarily {i} uncomfortable nerves.</p></article>"
        for i in range(count)
    }
    return kb, pages


def copy_project(src: Path, dest: Path, parts: tuple[str, ...] | None = None) -> Path:
    """Copy a project (`mkdocs.yml`, `content/`, `pathway/`, ...) into `dest` and return `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in parts or tuple(p.name for p in src.iterdir()):
        item = src / name
        if item.is_dir():
            shutil.copytree(item, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        elif item.is_file():
            shutil.copy2(item, dest / name)
    return dest


def copy_shipped(dest: Path) -> Path:
    """The repository's own site: its mkdocs.yml, content/, pathway/ and site_overrides/."""
    return copy_project(REPO, dest, SHIPPED_PARTS)


@dataclass
class Build:
    project: Path
    site: Path
    returncode: int
    output: str
    """stdout and stderr together."""

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.output.splitlines() if re.match(r"^(WARNING|ERROR)\b", strip_ansi(line))]

    def page(self, url: str) -> Path:
        """The built file for a site-relative URL such as `preventer-inhaler/` or ``."""
        return self.site / url / "index.html" if url == "" or url.endswith("/") else self.site / url

    def html(self, url: str) -> str:
        return self.page(url).read_text(encoding="utf-8")


def env(today: str = TODAY, **extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out.update(CAREPATH_TODAY=today, NO_MKDOCS_2_WARNING="1", NO_COLOR="1", PYTHONWARNINGS="ignore")
    out.pop("CAREPATH_UPDATE_GOLDEN", None)
    out.update(extra)
    return out


def run(args: list[str], cwd: Path, today: str = TODAY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env(today), capture_output=True, text=True, check=False)


def build(project: Path, *, today: str = TODAY, strict: bool = True, config: str = "mkdocs.yml", site_dir: str = "site") -> Build:
    """`mkdocs build` the project into `project/site_dir`."""
    args = [sys.executable, "-m", "mkdocs", "build", "--clean", "-f", config, "-d", site_dir]
    args.append("--strict" if strict else "--no-strict")
    result = run(args, project, today)
    return Build(project, project / site_dir, result.returncode, strip_ansi(result.stdout + result.stderr))


def build_all(*jobs: tuple[Path, dict[str, object]]) -> list[Build]:
    """Several `build(project, **kwargs)` at once, in threads: each is a subprocess."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(build, project, **kwargs) for project, kwargs in jobs]  # type: ignore[arg-type]
        return [f.result() for f in futures]


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


_SHARED: dict[str, Build] = {}


def shared_build(name: str, tmp_path_factory: object) -> Build:
    """Build `fixture`, `shipped` or `hostile` once per test session; modules share the result.

    Treat the returned site as read-only.
    """
    if name not in _SHARED:
        root = tmp_path_factory.mktemp(f"shared-{name}")  # type: ignore[attr-defined]
        if name == "shipped":
            project = copy_shipped(root)
        else:
            project = copy_project({"fixture": SITE_FIXTURE, "hostile": HOSTILE_FIXTURE}[name], root)
        _SHARED[name] = build(project)
    return _SHARED[name]


# --- reading built pages ---------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    classes: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    """Every element with its attributes and its text, plus the raw text of the `<article>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        el = Element(tag, a, classes=set(a.get("class", "").split()))
        self.elements.append(el)
        if tag not in {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "area", "base", "col", "embed", "track"}:
            self.open.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append(Element(tag, a, classes=set(a.get("class", "").split())))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for el in self.open:
            el.text += data


def elements(html: str) -> list[Element]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def article(html: str) -> str:
    """The page content Material renders inside `<article class="md-content__inner ...">`."""
    start = html.index('<article class="md-content__inner')
    end = html.index("</article>", start)
    return html[start : end + len("</article>")]


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed."""
    parts: list[str] = []

    class P(HTMLParser):
        skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skip += 1

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style") and self.skip:
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip:
                parts.append(data)

    p = P(convert_charrefs=True)
    p.feed(html)
    p.close()
    return " ".join(" ".join(parts).split())


def resolve_href(page_url: str, href: str) -> str | None:
    """The site-relative URL a relative `href` on the page at `page_url` points to; None if external."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith("//"):
        return None
    path = href.split("#", 1)[0]
    if not path:
        return page_url
    joined = posixpath.normpath(posixpath.join(page_url or ".", path))
    if joined == ".":
        return ""
    return joined + ("/" if path.endswith(("/", "..")) else "")


def shipped_id(short: str) -> str:
    """The full id of the shipped node of this name: a pathway's own node is '<pathway>/<id>', a shared one
    its plain id. Tests of the shipped content name a node by what it is, whichever folder holds it."""
    known = _shipped_names()
    if "/" in short or short not in known:
        return short
    return known[short]


@functools.cache
def _shipped_names() -> dict[str, str]:
    from carepath import check_pathway

    kb, _ = check_pathway(REPO / "pathway")
    names = {full.split("/", 1)[-1]: full for full in kb.nodes if "/" in full and len(kb.short_names.get(full.split("/", 1)[-1], [])) == 1}
    return {**names, **{n: n for n in kb.nodes}}


def node_url(node_id: str) -> str:
    """The site-relative URL of a node's page; a short id of a shipped pathway's own node means that node."""
    return f"{shipped_id(node_id)}/"


def article_links(build: Build, url: str) -> set[str]:
    """Site-relative URLs the article of a built page links to."""
    out = set()
    for a in links_in(article(build.html(url))):
        target = resolve_href(url, a.attrs["href"])
        if target is not None:
            out.add(target)
    return out


def links_in(html: str) -> list[Element]:
    return [e for e in elements(html) if e.tag == "a" and "href" in e.attrs]


def section(article_html: str, heading: str) -> str | None:
    """The HTML between an `<h2>` with this text and the next `<h2>` (or the article's end)."""
    m = re.search(r"<h2[^>]*>\s*" + re.escape(heading) + r"\s*</h2>", article_html)
    if not m:
        return None
    nxt = re.search(r"<h2[\s>]", article_html[m.end() :])
    return article_html[m.end() : m.end() + nxt.start()] if nxt else article_html[m.end() :]


def html_pages(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


def search_locations(site: Path) -> set[str]:
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {d["location"].split("#", 1)[0] for d in data["docs"]}
