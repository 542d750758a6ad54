"""Issue 20's check with pathways nobody on the shipped team wrote: the shipped project plus two new
pathways from other specialties (`tests/fixtures/more-pathways/<pathway-id>/`: knee pain from
osteoarthritis and headaches), copied in beside the shipped folders with no edit to any shipped file.
The new pathways reuse shipped local ids on purpose and use shared nodes by their short ids; knee-pain
also uses hyphenated glossary terms ('X-ray', its own 'flare-up') first in plain-text fields (summaries).

Everything is asserted as a property of the built site and the knowledge base, never as a list copied from
the YAML: the strict check and the strict build pass with no warning; no page of one pathway links a page
local to another (a shared page may link every pathway that uses it); each `pathway.json` holds no id of
another pathway's own nodes, wherever it sits (nodes, edges, `relevant_to`, any field); every URL the
shipped site has published still answers.

Measured when written (`pytest tests/test_more_pathways.py -s` prints it again; `test_numbers`):
knee-pain, 21 nodes: 18 own (1 pathway, 3 stages, 7 treatments, 2 conditions, 5 indicators) and 3 shared
(diagnostic-review, nsaids, surgical-consultation); its own ids home-care, doctor-care, surgeon-care,
home-exercise-program, fever-or-feeling-unwell and chest-pain-or-feeling-very-unwell collide with the shipped
ones. headache, 21 nodes: 18 own (1 pathway, 3 stages, 6 treatments, 3 conditions, 5 indicators) and 3 shared
(diagnostic-review, nsaids, stroke-warning-signs); home-care, doctor-care, mri-scan and fever-or-feeling-unwell
collide with the shipped ones, and home-care, doctor-care and fever-or-feeling-unwell with knee-pain's. The
strict build of the four pathways (159 pages): 7 to 12 s on 2 busy cores (the shipped site alone: 5 to 8 s),
0 warnings; 0 cross-links over the 99 pathway and shared pages.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from carepath import KnowledgeBase, check_pathway
from carepath.model.graph import Indicator, Urgency
from helpers_site import FIXTURES, REPO, SHIPPED_PARTS, Build, article, build, copy_shipped, links_in, resolve_href, run

MORE = FIXTURES / "more-pathways"
NEW = tuple(sorted(p.name for p in MORE.iterdir() if p.is_dir()))
"""The new pathways' ids: one folder each, named as the pathway."""


@dataclass
class Project:
    root: Path
    kb: KnowledgeBase
    check_output: str
    check_returncode: int
    build: Build
    build_seconds: float


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = copy_shipped(tmp_path_factory.mktemp("more-pathways") / "p")
    for pid in NEW:
        assert not (root / "pathway" / pid).exists(), f"{pid}: a shipped folder of that name; the fixture would replace it"
        shutil.copytree(MORE / pid, root / "pathway" / pid)
    checked = run([sys.executable, "-m", "carepath", "check", "--strict", "pathway"], root)
    kb, _ = check_pathway(root / "pathway")
    start = time.perf_counter()
    built = build(root)
    seconds = time.perf_counter() - start
    return Project(root, kb, checked.stdout + checked.stderr, checked.returncode, built, seconds)


# --- the set-up is what the issue asks for ---------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path, parts: tuple[str, ...]) -> Iterator[Path]:
    for name in parts:
        item = root / name
        if item.is_file():
            yield item
        elif item.is_dir():
            yield from (p for p in sorted(item.rglob("*")) if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py")


def test_every_shipped_file_is_copied_in_unchanged(project: Project) -> None:
    shipped = {p.relative_to(REPO).as_posix(): _digest(p) for p in _files(REPO, SHIPPED_PARTS)}
    copied = {p.relative_to(project.root).as_posix(): _digest(p) for p in _files(project.root, SHIPPED_PARTS)}
    new = {
        p.relative_to(project.root).as_posix() for pid in NEW for p in (project.root / "pathway" / pid).rglob("*") if p.is_file()
    }
    assert {k: v for k, v in copied.items() if k not in new} == shipped


def own_ids(kb: KnowledgeBase, pathway_id: str) -> set[str]:
    """The short ids of a pathway's own nodes (those in its folder)."""
    return {n.split("/", 1)[1] for n in kb.nodes if n.startswith(f"{pathway_id}/")}


def test_the_new_pathways_collide_with_the_shipped_ids_and_share_nodes(project: Project) -> None:
    kb = project.kb
    assert len(NEW) >= 2
    shipped = [p.id for p in kb.pathways if p.id not in NEW]
    assert shipped and set(NEW) <= {p.id for p in kb.pathways}
    shipped_own = set().union(*(own_ids(kb, p) for p in shipped))
    for pid in NEW:
        mine = own_ids(kb, pid)
        assert mine & shipped_own, f"{pid}: no local id collides with a shipped pathway's"
        assert {s for s in mine & shipped_own if kb.kind(f"{pid}/{s}") == "stage"}, f"{pid}: no stage id collides"
        shared = [n for n in kb.members(pid) if kb.is_shared(n)]
        assert len(shared) >= 3, f"{pid}: uses {shared}"
        flags = kb.red_flags_of(pid)
        own_emergency = [
            f
            for f in flags
            if f.startswith(f"{pid}/") and isinstance(kb.nodes[f], Indicator) and kb.nodes[f].urgency == Urgency.emergency
        ]
        assert own_emergency, f"{pid}: no emergency red flag of its own"
    assert own_ids(kb, NEW[0]) & own_ids(kb, NEW[1]), "the new pathways share no local id with each other"


# --- strict check and build ------------------------------------------------------------------------------


def test_check_strict_passes_with_no_warning(project: Project) -> None:
    assert project.check_returncode == 0, project.check_output
    # Only notes (a draft's missing decision aids, tests/test_decisions.py) and each language's counts
    # (`es: 1 pathway (...): N translated, ...`, tests/test_languages.py) come before the summary.
    *notes, summary = project.check_output.splitlines()
    counts = re.compile(r"^[a-z]{2}: \d+ pathways? \(")
    assert summary.startswith("ok: ") and all(": note: " in n or counts.match(n) for n in notes), project.check_output
    assert "warning" not in project.check_output.lower(), project.check_output


def test_the_strict_build_passes_with_no_warning(project: Project) -> None:
    b = project.build
    assert b.returncode == 0, b.output
    assert b.warnings == [], b.warnings
    assert "Traceback" not in b.output
    for pid in (*NEW, *(p.id for p in project.kb.pathways)):
        assert b.page(f"{pid}/").is_file()


# --- no page links another pathway's own pages -----------------------------------------------------------


def page_url(site: Path, page: Path) -> str:
    rel = page.parent.relative_to(site).as_posix()
    return "" if rel == "." else rel + "/"


def owner_of(url: str, pathways: set[str]) -> str | None:
    """The pathway whose own page a site URL is (its folder, `/<pathway-id>/...`); None for any other page."""
    first = url.split("/", 1)[0]
    return first if first in pathways else None


def cross_links(project: Project) -> tuple[list[str], int]:
    """Every link in a page's content (its article) to a page local to a pathway it may not link, and how
    many pages were read. A pathway's page may link its own pathway's pages; a shared node's page, those of
    every pathway it belongs to; hand-written and site pages (about, glossary, codes, redirects) are left out."""
    kb, site = project.kb, project.build.site
    pathways = {p.id for p in kb.pathways}
    found: list[str] = []
    pages = 0
    for page in sorted(site.rglob("index.html")):
        url = page_url(site, page)
        owner = owner_of(url, pathways)
        node = url.rstrip("/")
        if owner is not None:
            allowed = {owner}
        elif node in kb.nodes and kb.is_shared(node):
            allowed = {p for p in pathways if node in kb.members(p)}
        else:
            continue
        pages += 1
        html = page.read_text(encoding="utf-8")
        for a in links_in(article(html)):
            target = resolve_href(url, a.attrs["href"])
            if target is None:
                continue
            to = owner_of(target, pathways)
            if to is not None and to not in allowed:
                found.append(f"/{url} -> /{target}")
    return found, pages


def test_no_page_links_a_page_local_to_another_pathway(project: Project) -> None:
    found, pages = cross_links(project)
    assert pages > 0
    assert found == []


def test_a_shared_page_links_each_pathway_that_uses_it(project: Project) -> None:
    """The other side of the rule above, so that it cannot pass by reading no link at all: the page of a shared
    node every new pathway uses links into each of them."""
    kb = project.kb
    pathways = {p.id for p in kb.pathways}
    used_by_all = [n for n in kb.nodes if kb.is_shared(n) and all(n in kb.members(p) for p in NEW)]
    assert used_by_all
    for node in used_by_all:
        url = f"{node}/"
        targets = {resolve_href(url, a.attrs["href"]) for a in links_in(article(project.build.html(url)))}
        assert set(NEW) <= {owner_of(t, pathways) for t in targets if t is not None}, node


# --- pathway.json holds no foreign id --------------------------------------------------------------------


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def foreign_ids(kb: KnowledgeBase, pathway_id: str) -> set[str]:
    """What names another pathway's own node: its full id (the pathway itself too) and each former id of it."""
    out: set[str] = set()
    for node_id, node in kb.nodes.items():
        scope = kb.scope(node_id)
        if scope is not None and scope != pathway_id:
            out.add(node_id)
            out.update(node.aliases)
    return out


def test_each_pathway_json_holds_no_foreign_id(project: Project) -> None:
    kb, site = project.kb, project.build.site
    for pathway in kb.pathways:
        data = json.loads((site / pathway.id / "pathway.json").read_text(encoding="utf-8"))
        assert data["pathway"] == pathway.id
        foreign = foreign_ids(kb, pathway.id)
        assert sorted(set(strings(data)) & foreign) == [], pathway.id
        # Every id it holds, in a node, an edge or any field of a node (`relevant_to` among them), is the
        # pathway's own or a shared one.
        ids = {s for s in strings(data) if s in kb.nodes}
        assert {n for n in ids if kb.scope(n) not in (None, pathway.id)} == set(), pathway.id
        assert {n["id"] for n in data["nodes"]} == set(kb.members(pathway.id))
        relevant = [t for n in data["nodes"] for t in n.get("relevant_to", [])]
        assert relevant and all(kb.scope(t) in (None, pathway.id) for t in relevant), pathway.id


# --- the shipped URLs still answer -----------------------------------------------------------------------


def test_every_published_url_still_answers(project: Project) -> None:
    listed = [
        line.strip() for line in (REPO / "published-urls.txt").read_text(encoding="utf-8").splitlines() if line.startswith("/")
    ]
    assert listed
    missing = [url for url in listed if not project.build.page(url.lstrip("/")).is_file()]
    assert missing == []


# --- the numbers the issue asks for ----------------------------------------------------------------------


def test_numbers(project: Project) -> None:
    """Prints what was measured (run with `-s` to see it)."""
    kb = project.kb
    shipped_own = set().union(*(own_ids(kb, p.id) for p in kb.pathways if p.id not in NEW))
    lines = []
    for pid in NEW:
        members = kb.members(pid)
        own = [n for n in members if not kb.is_shared(n)]
        kinds: dict[str, int] = {}
        for n in own:
            kinds[kb.kind(n)] = kinds.get(kb.kind(n), 0) + 1
        shared = sorted(n for n in members if kb.is_shared(n))
        lines.append(f"{pid}: {len(members)} nodes, {len(own)} own {dict(sorted(kinds.items()))}, {len(shared)} shared {shared}")
        lines.append(f"  colliding with shipped: {sorted(own_ids(kb, pid) & shipped_own)}")
    lines.append(f"colliding between the new ones: {sorted(own_ids(kb, NEW[0]) & own_ids(kb, NEW[1]))}")
    found, pages = cross_links(project)
    lines.append(
        f"strict build: {project.build_seconds:.1f} s, {len(project.build.warnings)} warnings; {pages} pathway and shared pages read, {len(found)} cross-links"
    )
    print("\n" + "\n".join(lines))
    assert pages > 0
