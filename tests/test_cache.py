"""The build cache: the same output with it, without it, cold or warm; bad entries rebuilt; edits regenerate exactly."""

from __future__ import annotations

import base64
import errno
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from carepath.audit.gate import PageScorer, ScoringWorker
from carepath.audit.readability import PageScore, score_html
from carepath.build import cache as cache_module
from carepath.build import cached
from carepath.build.cache import FORMAT, Cache, _header, cache_dir_for
from carepath.build.cached import cached_qr_svg, prefill_qr
from carepath.build.site import SitePages, build_site_pages
from carepath.load import pathway_files
from carepath.model.graph import GlossaryEntry, KnowledgeBase, Position
from carepath.problems import Problem
from carepath.publish.qr import qr_svg
from carepath.settings import ConfigError, Settings
from helpers_site import REPO, SITE_FIXTURE, TODAY, build, copy_project, copy_shipped, env, graded_pages, node_url

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


def test_no_cache_inside_the_site_or_the_docs_folder(tmp_path: Path) -> None:
    """Cause 6 of issue 26: a cache there would be published (and a failed build would leave it in the kept site)."""
    site, docs = tmp_path / "site", tmp_path / "content"
    assert cache_dir_for(tmp_path, ".cache/carepath", site, docs) == (tmp_path / ".cache" / "carepath").resolve()
    assert cache_dir_for(tmp_path, "", site, docs) is None, "an empty setting turns the cache off"
    for setting, place in [("site/.cache", "site folder (site_dir) 'site'"), ("site", "site folder (site_dir) 'site'"),
                           ("content/cache", "docs folder (docs_dir) 'content'"), ("./content/../content/x", "docs folder (docs_dir) 'content'")]:
        with pytest.raises(ConfigError) as raised:
            cache_dir_for(tmp_path, setting, site, docs, where="mkdocs.yml:31")
        assert str(raised.value) == (
            f"mkdocs.yml:31: plugins.carepath.cache_dir: {setting!r} is inside the {place}, where it would be published "
            "with the site; choose a folder outside it, such as '.cache/carepath'"
        )
    with pytest.raises(ConfigError):
        cache_dir_for(tmp_path, ".cache/carepath", tmp_path, docs)  # a site built into the project folder


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


def test_the_stored_result_is_the_json_of_the_whole(tmp_path: Path) -> None:
    """`store_result` writes a page at a time what `json.dumps` of the whole result writes, and reads back as given."""
    pages = {"a.md": "Text with ‘quotes’ › and \"escapes\"\n", "b/c.md": "ß"}
    assets = {"x.svg": b"<svg/>\xff", "y.json": b"{}"}
    warnings = [Problem(Position("pathway/x.yml", 3, 5), "a note: ‘x’", "note")]
    cache = Cache(tmp_path)
    cached.store_result(cache, "k", pages, assets, warnings)
    whole = {
        "pages": pages,
        "assets": {u: base64.b64encode(b).decode("ascii") for u, b in assets.items()},
        "warnings": [{"path": "pathway/x.yml", "line": 3, "col": 5, "message": "a note: ‘x’", "severity": "note"}],
    }
    assert Cache(tmp_path).get(cache.key("site", "k")) == json.dumps(whole, ensure_ascii=False).encode("utf-8")
    assert cached.load_result(Cache(tmp_path), "k") == {"pages": pages, "assets": assets, "warnings": warnings}


def test_the_scoring_worker_grades_as_in_line(tmp_path: Path) -> None:
    """Pages graded in the second process get the very scores, and leave the very cache entries, of grading in line;
    a page the cache already has never starts the process."""
    kb, pages = graded_pages(6, "Ask about radiofrequency ablation. ", "The MRI may help. ")
    in_line_cache = Cache(tmp_path / "in-line")
    in_line = {n: PageScorer(in_line_cache, kb).score(html, n) for n, html in pages.items()}
    worker = ScoringWorker(PageScorer(Cache(tmp_path / "worker"), kb))
    scores: dict[str, PageScore] = {}
    for n, html in pages.items():
        worker.score(html, n, scores)
    assert worker.pool is not None, "graded in a second process"
    worker.finish(scores)
    assert worker.pool is None and scores == in_line
    assert {p.name: p.read_bytes() for p in entries(tmp_path / "worker")} == {p.name: p.read_bytes() for p in entries(tmp_path / "in-line")}
    warm = ScoringWorker(PageScorer(Cache(tmp_path / "worker"), kb))
    again: dict[str, PageScore] = {}
    for n, html in pages.items():
        warm.score(html, n, again)
    assert warm.pool is None and again == in_line and warm.scorer.cache.hits == len(pages)


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
    ("treatments.yml", "    title: Home exercise programme\n", "    title: Exercises you do at home\n"),
    ("treatments.yml", "    relevant_to:\n      - compensating-movement-pattern\n", ""),
    ("glossary.yml", "definition: The moves your therapist asks you to do at home between visits.", "definition: Moves to do at home."),
    ("treatments.yml", "  # Step 1: find out why PT did not help\n", "  # Step 1: find out why PT did not help\n\n\n"),
    ("sources.yml", "publisher: NICE\n", "publisher: National Institute for Health and Care Excellence\n"),
]
SHARED_FILES = ("glossary.yml", "sources.yml")
"""Files of the shared library, whose every entry is part of every page's key."""


def test_edits_regenerate_exactly_what_a_full_build_gives(tmp_path: Path) -> None:
    """After each edit the cached build equals a build without a cache, and untouched pages were reused."""
    pathway = pathway_copy(tmp_path)
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    total = len(site_pages(pathway).pages)
    for name, old, new in EDITS:
        edit(pathway / ("shared" if name in SHARED_FILES else "when-pt-does-not-help") / name, old, new)
        cache = Cache(folder)
        after = site_pages(pathway, cache)
        assert same_output(after, site_pages(pathway)), f"after editing {name}: {old.strip()!r}"
        rendered = cache.stats.get("page-rendered", 0)
        if name in SHARED_FILES:
            continue  # the glossary and the sources register are part of every page's key
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
        yml.write_text(yml.read_text().replace("    title: Home exercise programme\n", "    title: Exercises you do at home\n", 1))
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
    assert not list(site.rglob("*.md")), "the generated pages' folder stays out of the site"


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
    (`vocabulary_of`), `namespaces` (what `scope_at` reads) and the sources register (`sources`; `source_positions`
    only name where an entry is in messages) are part of every page's key; `walk` and `index_edges` are not used while a page renders.
    No page reads `regions`: the renderer has the site's region from its options, and what it adds to a node is part
    of that node's state. Nor `spelling` and `shown_spelling`: an edition's spelling is in the nodes' own text, which
    `text.spelling.in_spelling` respelt before any page renders. A language edition's `language`, `untranslated` and
    `translation_draft` (its notices) are part of every page's key.
    """
    import dataclasses

    from carepath.model.graph import KnowledgeBase

    fields = {f.name for f in dataclasses.fields(KnowledgeBase)}
    queries = {n for n, v in vars(KnowledgeBase).items() if not n.startswith("__") and (callable(v) or isinstance(v, property))}
    assert fields == {
        "nodes", "edges", "glossary", "positions", "glossary_positions", "vocabulary", "vocabularies", "short_names", "namespaces",
        "sources", "source_positions", "regions", "spelling", "shown_spelling", "language", "untranslated", "translation_draft",
    }  # fmt: skip
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


# --- a cache that cannot be poisoned or go stale (issue 26, causes 3 to 7) ----------------------------------


def test_an_entry_moved_to_another_keys_file_is_not_trusted(tmp_path: Path) -> None:
    """Cause 3: each entry is bound to its key, so two entries swapped are two misses, not two wrong pages."""
    cache = Cache(tmp_path)
    assert cache.text("page", ["a"], lambda: "page A") == "page A"
    assert cache.text("page", ["b"], lambda: "page B") == "page B"
    a, b = (tmp_path / k[:2] / k for k in (cache.key("page", "a"), cache.key("page", "b")))
    raw_a, raw_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(raw_b)
    b.write_bytes(raw_a)
    fresh = Cache(tmp_path)
    assert fresh.text("page", ["a"], lambda: "page A again") == "page A again"
    assert fresh.text("page", ["b"], lambda: "page B again") == "page B again"
    assert fresh.rejected == 2 and fresh.hits == 0


def test_entries_shuffled_among_their_files_give_the_plain_output(tmp_path: Path) -> None:
    """Cause 3, in a build: every entry (pages, glossary, QR codes, layouts, the whole site) moved to the next one's file."""
    pathway = pathway_copy(tmp_path)
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    files = entries(folder)
    raws = [f.read_bytes() for f in files]
    for f, raw in zip(files, raws[1:] + raws[:1], strict=True):
        f.write_bytes(raw)
    cache = Cache(folder)
    plain = site_pages(pathway)
    assert same_output(site_pages(pathway, cache), plain)
    assert "page-reused" not in cache.stats and cache.rejected >= len(plain.pages), cache.stats


def rename_first_title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(?m)^(\s*-?\s*title: )(.+)$", r"\1Renamed \2", text, count=1)
    assert new != text
    path.write_text(new, encoding="utf-8")
    return str(re.search(r"title: (Renamed .+)", new).group(1))  # type: ignore[union-attr]


def test_a_whole_site_entry_from_other_inputs_is_not_trusted(tmp_path: Path) -> None:
    """Cause 3: the whole-site entry of the last build, copied over this build's, does not bring back old titles."""
    pathway = pathway_copy(tmp_path)
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    old_site = max(entries(folder), key=lambda p: p.stat().st_size)  # the whole site is by far the largest entry
    before = set(entries(folder))
    rename_first_title(pathway / "when-pt-does-not-help" / "treatments.yml")
    site_pages(pathway, Cache(folder))
    new_site = max(set(entries(folder)) - before, key=lambda p: p.stat().st_size)
    new_site.write_bytes(old_site.read_bytes())
    cache = Cache(folder)
    assert same_output(site_pages(pathway, cache), site_pages(pathway))
    assert cache.rejected == 1


def test_no_entry_is_read_in_a_format_that_runs_code(tmp_path: Path) -> None:
    """Cause 4: a pickle with a valid header and checksum in the whole-site entry's place runs nothing."""
    pathway = pathway_copy(tmp_path)
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    site_entry = max(entries(folder), key=lambda p: p.stat().st_size)
    ran = tmp_path / "the-payload-ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.mkdir, (str(ran),)

    payload = pickle.dumps(Payload())
    site_entry.write_bytes(_header(site_entry.name, payload) + b"\n" + payload)
    cache = Cache(folder)
    assert same_output(site_pages(pathway, cache), site_pages(pathway))
    assert not ran.exists() and cache.rejected == 1
    assert pickle.loads(payload) is None and ran.is_dir(), "the payload does run when unpickled"


def test_the_package_reads_no_format_that_runs_code() -> None:
    """Cause 4: no module of the generator imports pickle or its kin."""
    found = [
        f"{path.relative_to(REPO)}: {m.group()}"
        for path in sorted((REPO / "generator" / "carepath").rglob("*.py"))
        for m in re.finditer(r"(?m)^\s*(?:import|from)\s+(?:pickle|cPickle|_pickle|marshal|shelve|dill|cloudpickle|joblib)\b.*$", path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_an_edit_behind_a_linked_pathway_folder_reaches_the_site(tmp_path: Path) -> None:
    """Cause 5: the cache key reads the files the loader reads, through a folder that is a symbolic link too."""
    pathway = pathway_copy(tmp_path)
    real = tmp_path / "elsewhere" / "carpal-tunnel-care"
    real.parent.mkdir()
    shutil.move(pathway / "carpal-tunnel-care", real)
    (pathway / "carpal-tunnel-care").symlink_to(real, target_is_directory=True)
    assert real / "treatments.yml" in [p.resolve() for p in pathway_files(pathway)]
    folder = tmp_path / "cache"
    site_pages(pathway, Cache(folder))
    title = rename_first_title(real / "treatments.yml")
    after = site_pages(pathway, Cache(folder))
    assert same_output(after, site_pages(pathway))
    assert any(title in page for page in after.pages.values())


def cache_project(tmp_path: Path, cache_dir: str) -> Path:
    """The small fixture site with `cache_dir` set."""
    project = copy_project(SITE_FIXTURE, tmp_path / "project")
    edit(project / "mkdocs.yml", "      pathway_dir: pathway\n", f"      pathway_dir: pathway\n      cache_dir: {cache_dir}\n")
    return project


def carepath_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carepath", "build", "--site-dir", "site"], cwd=project, env=env(), capture_output=True, text=True, check=False, timeout=600
    )


@pytest.mark.parametrize("cache_dir", ["site/cache", "content/cache"])
def test_a_cache_folder_inside_the_site_or_docs_is_refused_in_one_line(tmp_path: Path, cache_dir: str) -> None:
    """Cause 6: refused before anything is built, naming the line of the setting; nothing is left in either folder."""
    project = cache_project(tmp_path, cache_dir)
    done = carepath_build(project)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"mkdocs.yml:19: plugins.carepath.cache_dir: '{cache_dir}' is inside the "), line
    assert not (project / "site").exists() and not (project / "content" / "cache").exists()
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"], cwd=project, env=env(), capture_output=True, text=True, check=False, timeout=600
    )
    assert plain.returncode == 1 and "Traceback" not in plain.stderr, plain.stderr
    assert f"mkdocs.yml:19: plugins.carepath.cache_dir: '{cache_dir}' is inside the " in plain.stderr
    assert not (project / "site" / "cache").exists() and not (project / "content" / "cache").exists()


def test_a_cache_path_that_is_a_file_gives_one_warning_and_a_build_without_it(tmp_path: Path) -> None:
    """Cause 7: the build succeeds, says once that the cache is not used, and leaves the file alone."""
    project = cache_project(tmp_path, ".cache/carepath")
    blocked = project / ".cache" / "carepath"
    blocked.parent.mkdir()
    blocked.write_text("not a folder", encoding="utf-8")
    done = carepath_build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if "build cache" in line]
    assert len(said) == 1 and "cannot be used" in said[0] and "building without it" in said[0], said
    assert (project / "site" / "index.html").is_file() and blocked.read_text(encoding="utf-8") == "not a folder"


def test_an_entry_that_is_a_folder_gives_one_warning_and_no_disk_cache(tmp_path: Path) -> None:
    """Cause 7: the value is made, the warning said once, and nothing more is written."""
    said: list[str] = []
    cache = Cache(tmp_path, warn=said.append)
    key = cache.key("page", "a")
    (tmp_path / key[:2] / key).mkdir(parents=True)
    assert cache.usable()
    assert cache.text("page", ["a"], lambda: "made") == "made"
    assert cache.text("page", ["b"], lambda: "made too") == "made too"
    assert cache.root is None and len(said) == 1 and said[0].startswith(f"the build cache {tmp_path} cannot be used: "), said
    assert entries(tmp_path) == []


def test_a_read_only_cache_folder_gives_one_warning_and_a_build_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cause 7: a read-only file system (as a restored CI cache can be); the tests run as root, whom chmod does not stop,
    so the file system's answer is played by the writer."""

    def read_only(path: Path, data: bytes | str, *, parents: bool = True) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(cache_module, "write_file", read_only)
    pathway = pathway_copy(tmp_path)
    said: list[str] = []
    cache = Cache(tmp_path / "cache", warn=said.append)
    assert not cache.usable()
    assert same_output(site_pages(pathway, cache), site_pages(pathway))
    assert said == [f"the build cache {tmp_path / 'cache'} cannot be used: Read-only file system; building without it"]
