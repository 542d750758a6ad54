"""What a one-shot build keeps in memory: cache entries on disk only (`Cache.keep` off), the whole result written in
its parts, never joined; the entries and what they read back are the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from carepath.audit.gate import PageScorer, ScoringWorker, scoring_pool
from carepath.audit.readability import PageScore
from carepath.build import cached as cached_module
from carepath.build.cache import Cache
from carepath.build.cached import load_result, store_result
from carepath.model.graph import Position
from carepath.problems import Problem
from helpers_site import graded_pages


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_entries_not_kept_are_on_disk_and_read_back(tmp_path: Path) -> None:
    kept, lean = Cache(tmp_path / "kept"), Cache(tmp_path / "lean")
    lean.keep = False
    for cache in (kept, lean):
        cache.put(cache.key("qr", "a"), "svg ✓".encode())
        assert cache.text("glossary", ("b",), lambda: "page") == "page"
    assert kept.memory and not lean.memory
    assert files(tmp_path / "kept") == files(tmp_path / "lean")
    assert lean.get(lean.key("qr", "a")) == "svg ✓".encode()
    assert lean.text("glossary", ("b",), lambda: "not this") == "page"
    assert not lean.memory  # read from disk, and still not kept
    assert (lean.hits, lean.misses) == (1, 1)
    lean.put_json(lean.key("page", "c"), {"text": "C"})
    assert lean.get_json(lean.key("page", "c")) == {"text": "C"}
    assert not lean.memory and not lean.decoded


def test_without_a_folder_entries_stay_in_memory_whatever_keep_says() -> None:
    cache = Cache(None)
    cache.keep = False
    cache.put(cache.key("qr", "a"), b"svg")
    cache.put_parts(cache.key("site", "b"), (b"one, ", b"two"))
    assert cache.get(cache.key("qr", "a")) == b"svg"
    assert cache.get(cache.key("site", "b")) == b"one, two"
    cache.put_json(cache.key("page", "c"), {"text": "C"})
    assert cache.get_json(cache.key("page", "c")) == {"text": "C"}


def test_an_entry_written_in_parts_is_the_entry_of_its_joined_payload(tmp_path: Path) -> None:
    whole, parts = Cache(tmp_path / "whole"), Cache(tmp_path / "parts")
    whole.put(whole.key("site", "k"), b'{"pages": {"a.md": "A \xe2\x9c\x93"}}')
    parts.put_parts(parts.key("site", "k"), (b'{"pages": {', b'"a.md": "A \xe2\x9c\x93"', b"}}"))
    assert files(tmp_path / "whole") == files(tmp_path / "parts")
    assert not parts.memory


def test_the_whole_result_reads_back_as_stored(tmp_path: Path) -> None:
    pages = {"a.md": "# A ✓\n", "b/c.md": 'quotes " and \\ and \u2028', "d.md": ""}
    assets = {"x.css": b"body{}", "y.bin": bytes(range(256))}
    warnings = [Problem(Position("pathway/a.yml", 3, 5), "a note", "note"), Problem(Position("p", 1, 1), "w ✓", "warning")]
    cache = Cache(tmp_path / "cache")
    cache.keep = False
    store_result(cache, "key", pages, assets, warnings)
    assert not cache.memory
    found = load_result(Cache(tmp_path / "cache"), "key")
    assert found == {"pages": pages, "assets": assets, "warnings": warnings}
    assert list(found["pages"]) == list(pages)
    store_result(cache, "empty", {}, {}, [])
    assert load_result(cache, "empty") == {"pages": {}, "assets": {}, "warnings": []}


def test_a_scoring_process_started_before_the_generator_grades_as_in_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started with no knowledge base (`scoring_pool`), it is sent each glossary once, with the first page using it."""
    monkeypatch.setattr(cached_module, "workers", lambda: 2)
    pool = scoring_pool()
    assert pool is not None
    kb, pages = graded_pages(5, "Ask about radiofrequency ablation (RFA). ")
    in_line = {n: PageScorer(Cache(None), kb).score(html, n) for n, html in pages.items()}
    worker = ScoringWorker(PageScorer(Cache(tmp_path / "c"), kb), pool)
    scores: dict[str, PageScore] = {}
    for n, html in pages.items():
        worker.score(html, n, scores)
    assert len(worker.sent) == 1 and worker.pool is pool
    worker.finish(scores)
    assert scores == in_line
