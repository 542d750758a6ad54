"""The build cache: the same output with it, without it, cold or warm; bad entries rebuilt; edits regenerate exactly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from carepath.audit.gate import PageScorer
from carepath.audit.readability import score_html
from carepath.build import cached
from carepath.build.cache import FORMAT, Cache, cache_dir_for
from carepath.build.cached import cached_qr_svg, prefill_qr
from carepath.build.site import SitePages, build_site_pages
from carepath.model.graph import GlossaryEntry, KnowledgeBase, Position
from carepath.publish.qr import qr_svg
from carepath.settings import Settings
from helpers_site import REPO, TODAY, build, copy_shipped, node_url

PATHWAY_FILES = REPO / "pathway" / "when-pt-does-not-help"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREPATH_TODAY", TODAY)


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))


def pathway_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "project" / "pathway"
    shutil.copytree(REPO / "pathway", dest)
    return dest


def site_pages(pathway_dir: Path, cache: Cache | None = None) -> SitePages:
    return build_site_pages(Settings(pathway_dir=pathway_dir, site_url="https://example.org/care/"), cache)


def same_output(a: SitePages, b: SitePages) -> bool:
    return a.pages == b.pages and a.assets == b.assets and a.in_nav == b.in_nav and a.warnings == b.warnings


# --- the cache itself ------------------------------------------------------------------------------


def compute_counter() -> tuple[list[str], object]:
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        return "the value ✓"

    return calls, compute


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]), id="payload-bit-flip"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: raw.replace(FORMAT, b"carepath-cache 0", 1), id="other-format"),
        pytest.param(lambda raw: raw.split(b"\n", 1)[1], id="no-header"),
    ],
)
def test_a_corrupt_entry_is_rebuilt_never_trusted(tmp_path: Path, spoil: object) -> None:
    calls, compute = compute_counter()
    assert Cache(tmp_path).text("k", ["input"], compute) == "the value ✓"  # type: ignore[arg-type]
    [entry] = entries(tmp_path)
    entry.write_bytes(spoil(entry.read_bytes()))  # type: ignore[operator]

    second = Cache(tmp_path)
    assert second.text("k", ["input"], compute) == "the value ✓"  # type: ignore[arg-type]
    assert len(calls) == 2 and second.rejected == 1

    third = Cache(tmp_path)
    assert third.text("k", ["input"], compute) == "the value ✓"  # type: ignore[arg-type]
    assert len(calls) == 2, "the rebuilt entry is stored and trusted again"
    assert third.hits == 1 and third.rejected == 0


def test_keys_are_the_inputs(tmp_path: Path) -> None:
    """Different inputs never share an entry, however the parts are split."""
    cache = Cache(tmp_path)
    assert cache.text("k", ["ab", "c"], lambda: "one") == "one"
    assert cache.text("k", ["a", "bc"], lambda: "two") == "two"
    assert cache.text("other", ["ab", "c"], lambda: "three") == "three"
    assert Cache(tmp_path).text("k", ["ab", "c"], lambda: "never") == "one"
    assert len(entries(tmp_path)) == 3


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for i in range(20):
        cache.text("k", [str(i)], lambda i=i: str(i) * 100)  # type: ignore[misc]
    assert not [p for p in tmp_path.rglob(".tmp-*")]
    assert len(entries(tmp_path)) == 20


def test_the_folder_may_be_deleted_at_any_time(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = Cache(folder)
    cache.text("k", ["a"], lambda: "A")
    shutil.rmtree(folder)
    assert Cache(folder).text("k", ["a"], lambda: "A again") == "A again"
    shutil.rmtree(folder)
    cache.put(cache.key("k", "b"), b"B")  # the folder is made again
    assert Cache(folder).get(cache.key("k", "b")) == b"B"


def test_no_cache_inside_the_site_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert cache_dir_for(tmp_path, ".cache/carepath", site) == (tmp_path / ".cache" / "carepath").resolve()
    assert cache_dir_for(tmp_path, "site/.cache", site) is None
    assert cache_dir_for(tmp_path, "site", site) is None
    assert cache_dir_for(tmp_path, ".cache/carepath", tmp_path) is None, "a site built into the project root"
    assert cache_dir_for(tmp_path, "", site) is None, "an empty setting turns the cache off"


# --- the cached steps give what the plain ones give ------------------------------------------------


def test_qr_codes_made_in_a_pool_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cached, "POOL_MIN_JOBS", 1)
    monkeypatch.setattr(cached, "workers", lambda: 2)
    jobs = [(f"https://example.org/care/page-{i}/", f"QR code for page {i}") for i in range(6)]
    cache = Cache(tmp_path)
    prefill_qr(cache, jobs)
    assert cache.misses == 6 and len(entries(tmp_path)) == 6
    fresh = Cache(tmp_path)
    assert [cached_qr_svg(fresh, *job) for job in jobs] == [qr_svg(*job) for job in jobs]
    assert fresh.hits == 6


def test_cached_readability_scores_are_the_plain_scores(tmp_path: Path) -> None:
    glossary = [GlossaryEntry(term="radiofrequency ablation", definition="Heat that calms a nerve.", abbreviation="RFA")]
    html = (
        '<article class="md-content__inner md-typeset"><h1>Burning the nerve</h1>'
        "<p>Ask about radiofrequency ablation. The MRI and the RFA may help. Extraordinarily uncomfortable.</p></article>"
    )
    kb = KnowledgeBase(glossary=glossary, glossary_positions=[Position("pathway/glossary.yml", 2, 11)])
    plain = score_html(html, glossary, "rfa", "site/rfa/index.html")
    assert PageScorer(Cache(tmp_path), kb).score(html, "rfa", "site/rfa/index.html") == plain
    warm = Cache(tmp_path)
    assert PageScorer(warm, kb).score(html, "rfa", "site/rfa/index.html") == plain
    assert warm.hits == 1
    assert [j.word for j in plain.unexplained] == ["radiofrequency ablation", "MRI", "RFA"], "a page with something to report"


# --- the generator with the cache ------------------------------------------------------------------


def test_generator_output_is_the_same_without_cold_and_warm(tmp_path: Path) -> None:
    pathway = pathway_copy(tmp_path)
    plain = site_pages(pathway)
    folder = tmp_path / "cache"
    cold_cache = Cache(folder)
    cold = site_pages(pathway, cold_cache)
    warm_cache = Cache(folder)
    warm = site_pages(pathway, warm_cache)
    assert same_output(plain, cold) and same_output(plain, warm)
    assert cold_cache.misses > 0 and "page-reused" not in cold_cache.stats
    assert warm_cache.misses == 0, "a warm build with nothing changed computes nothing"


def test_a_corrupt_cache_gives_the_same_output(tmp_path: Path) -> None:
    pathway = pathway_copy(tmp_path)
    folder = tmp_path / "cache"
    plain = site_pages(pathway)
    site_pages(pathway, Cache(folder))
    spoiled = entries(folder)
    for entry in spoiled:
        raw = entry.read_bytes()
        entry.write_bytes(raw[:-1] + bytes([raw[-1] ^ 0x20]))
    cache = Cache(folder)
    assert same_output(site_pages(pathway, cache), plain)
    assert cache.rejected >= len(spoiled) - 1 and "page-reused" not in cache.stats
    again = Cache(folder)
    assert same_output(site_pages(pathway, again), plain)
    assert again.rejected == 0 and again.misses == 0, "every spoiled entry was written again"


class VanishingCache(Cache):
    """Deletes its whole folder after every few writes, as someone running `rm -rf .cache` mid-build would."""

    def put(self, key: str, payload: bytes) -> None:
        super().put(key, payload)
        self.writes = getattr(self, "writes", 0) + 1
        if self.writes % 7 == 0 and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)


def test_the_cache_deleted_mid_build_is_fine(tmp_path: Path) -> None:
    pathway = pathway_copy(tmp_path)
    plain = site_pages(pathway)
    cache = VanishingCache(tmp_path / "cache")
    assert same_output(site_pages(pathway, cache), plain)
    assert cache.writes > 14
    assert same_output(site_pages(pathway, Cache(tmp_path / "cache")), plain)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = [
    ("treatments.yml", "    title: Home exercise program\n", "    title: Exercises you do at home\n"),
    ("treatments.yml", "    relevant_to:\n      - compensating-movement-pattern\n", ""),
    ("glossary.yml", "definition: The moves your therapist asks you to do at home between visits.", "definition: Moves to do at home."),
    ("treatments.yml", "  # Step 1: find out why PT did not help\n", "  # Step 1: find out why PT did not help\n\n\n"),
]


def test_edits_regenerate_exactly_what_a_full_build_gives(tmp_path: Path) -> None:
    """After each edit the cached build equals a build without a cache, and untouched pages were reused."""
    pathway = pathway_copy(tmp_path)
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    total = len(site_pages(pathway).pages)
    for name, old, new in EDITS:
        edit(pathway / ("shared" if name == "glossary.yml" else "when-pt-does-not-help") / name, old, new)
        cache = Cache(folder)
        after = site_pages(pathway, cache)
        assert same_output(after, site_pages(pathway)), f"after editing {name}: {old.strip()!r}"
        rendered = cache.stats.get("page-rendered", 0)
        if name == "glossary.yml":
            continue  # the glossary is part of every page's key
        assert cache.stats.get("page-reused", 0) > 0 and rendered < total / 2, (name, cache.stats)


# --- a real MkDocs build -----------------------------------------------------------------------------


def test_built_site_is_byte_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    """Three real builds: no cache, a cold cache, a warm one. The cache lands in `.cache/`, never in the site."""
    plain = copy_shipped(tmp_path / "plain")
    yml = plain / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("      pathway_dir: pathway\n", '      pathway_dir: pathway\n      cache_dir: ""\n'))
    cached_project = copy_shipped(tmp_path / "cached")

    first = build(plain)
    assert first.returncode == 0, first.output
    assert not (plain / ".cache").exists()
    expected = tree(first.site)

    cold = build(cached_project)
    assert cold.returncode == 0, cold.output
    assert tree(cold.site) == expected
    made = entries(cached_project / ".cache" / "carepath")
    assert made and all(cold.site not in p.parents for p in made)
    stamps = {p: p.stat().st_mtime_ns for p in made}

    warm = build(cached_project)
    assert warm.returncode == 0, warm.output
    assert tree(warm.site) == expected
    assert {p: p.stat().st_mtime_ns for p in entries(cached_project / ".cache" / "carepath")} == stamps, "a warm build writes nothing"
    assert warm.warnings == cold.warnings == first.warnings


def test_a_readability_failure_still_fails_the_build_when_cached(tmp_path: Path) -> None:
    project = copy_shipped(tmp_path / "p")
    assert build(project).returncode == 0
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("      pathway_dir: pathway\n", "      pathway_dir: pathway\n      readability:\n        max_grade: 1.0\n"))
    failed = build(project)
    assert failed.returncode == 1
    assert any("readability:" in w and "Flesch-Kincaid grade" in w for w in failed.warnings), failed.output
    assert os.path.isdir(project / ".cache" / "carepath")


SERVE_DIRTY = r"""
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

project, site = Path(sys.argv[1]), Path(sys.argv[2])
stamps = []
for i in range(2):
    if i == 1:
        yml = project / "pathway" / "when-pt-does-not-help" / "treatments.yml"
        yml.write_text(yml.read_text().replace("    title: Home exercise program\n", "    title: Exercises you do at home\n", 1))
    # as `make serve` (`mkdocs serve --dirty --no-strict`) loads it for each rebuild
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=False)
    if i == 0:
        config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)
    stamps.append({p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")})
print(json.dumps(stamps))
"""


def test_serve_dirty_rebuilds_only_the_pages_an_edit_changed(tmp_path: Path) -> None:
    """Under `mkdocs serve --dirty`, MkDocs re-renders the pages whose generated text changed, and no other."""
    import json
    import subprocess
    import sys

    from helpers_site import env

    project = copy_shipped(tmp_path / "p")
    site = tmp_path / "site"
    out = subprocess.run([sys.executable, "-c", SERVE_DIRTY, str(project), str(site)], capture_output=True, text=True, env=env(), check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    before, after = json.loads(out.stdout.splitlines()[-1])
    rebuilt = sorted(page for page, stamp in after.items() if stamp != before.get(page))
    page = node_url("home-exercise-program")
    assert f"{page}index.html" in rebuilt
    assert "Exercises you do at home" in (site / page / "index.html").read_text(encoding="utf-8")
    assert "about/index.html" not in rebuilt, "the hand-written page was not touched"
    assert 1 < len(rebuilt) < len(after) / 2, rebuilt
    assert (project / ".cache" / "carepath" / "serve-pages" / f"{page.rstrip('/')}.md").is_file()
    assert not list(site.rglob("serve-pages")), "the cache stays out of the site"


def test_edits_across_several_pathways_regenerate_exactly(tmp_path: Path) -> None:
    """A synthetic knowledge base with shared treatments: title edits in one pathway and in the shared file."""
    import re
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth

    synth.write_project(tmp_path / "kb", 90, seed=5)
    pathway = tmp_path / "kb" / "pathway"
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    title = re.compile(r"^(\s*-? ?)title: (.+)$", re.MULTILINE)
    targets = [min(pathway.glob("*/nodes.yml")), pathway / "shared" / "treatments.yml", max(pathway.glob("*/pathway.yml"))]
    for path in targets:
        text = path.read_text(encoding="utf-8")
        path.write_text(title.sub(lambda m: f"{m.group(1)}title: Renamed {m.group(2)}", text, count=1), encoding="utf-8")
        cache = Cache(folder)
        assert same_output(site_pages(pathway, cache), site_pages(pathway)), f"after renaming a node in {path.relative_to(pathway)}"
        assert cache.stats.get("page-reused", 0) > 0, cache.stats


def test_every_query_of_the_model_is_known_to_the_page_recorder() -> None:
    """`incremental.py` records what a page reads through these; a new one must be taught to it (or to the salt).

    Data fields and queries built on `nodes`, `short_names` and the edge maps (`resolve`, `choices`, `names`,
    `means`: an ambiguous or misspelt link's message reads every name, which the recording dict records) are recorded as they are; `placements`,
    `members` and `journey` are memoized on the model and recorded by name; `owner_of` reads its pathway through
    `nodes`; `glossary` (with where each entry is: `glossary_of`, `page_glossary`), `vocabulary`, `vocabularies`
    (`vocabulary_of`) and `namespaces` (what `scope_at` reads) are part of every page's key; `walk` and `index_edges` are not used while a page renders.
    """
    import dataclasses

    from carepath.model.graph import KnowledgeBase

    fields = {f.name for f in dataclasses.fields(KnowledgeBase)}
    queries = {n for n, v in vars(KnowledgeBase).items() if not n.startswith("__") and (callable(v) or isinstance(v, property))}
    assert fields == {"nodes", "edges", "glossary", "positions", "glossary_positions", "vocabulary", "vocabularies", "short_names", "namespaces"}
    assert queries == {
        "scope", "scope_at", "is_shared", "owner_of", "vocabulary_of", "glossary_of", "page_glossary", "resolve", "choices", "names", "means", "kind", "kind_of", "of_kind", "treatment_kind", "type_title", "pathways",
        "out_edges", "in_edges", "index_edges", "walk", "members", "journey", "pathways_sorted", "placements", "red_flags_of",
    }


def test_a_cache_folder_that_cannot_be_written_only_makes_it_slower(tmp_path: Path) -> None:
    """A read-only project or a full disk: `put` keeps the value in memory and stops writing, never raises."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    cache = Cache(blocked / "cache")
    cache.put("ab" * 32, b"payload")  # writing under a file fails with NotADirectoryError
    assert cache.get("ab" * 32) == b"payload" and cache.root is None
    assert cache.text("page", ["x"], lambda: "made") == "made"
    assert blocked.read_text(encoding="utf-8") == "a file where the cache folder should be"
