"""Time the generator's phases inside one process, after imports: load, validate, then everything; then
the same with the build cache: cold (filling it), warm with nothing changed, and after a one-node edit.

    python benchmarks/inproc.py PROJECT_DIR [--profile OUT.prof]

Prints one JSON object. `benchmarks/run.py` runs this in a fresh subprocess per repeat. The project's
pathway file that is edited is restored before this exits; the cache goes in a temporary folder.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

t_start = time.perf_counter()

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from carepath.build.cache import Cache
from carepath.build.site import build_site_pages
from carepath.load import load_pathway
from carepath.settings import Settings
from carepath.validate.graph import validate


def _children_cpu() -> float:
    """CPU time of finished child processes (Graphviz runs), which `process_time` leaves out."""
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def main(argv: list[str]) -> int:
    project = Path(argv[0])
    profile = argv[2] if len(argv) > 2 and argv[1] == "--profile" else None
    options = Settings.from_mkdocs_yml(project / "mkdocs.yml")
    t0 = time.perf_counter()
    loaded = load_pathway(options.pathway_dir)
    t1 = time.perf_counter()
    _, problems = validate(loaded, options.today)
    t2 = time.perf_counter()
    # Diagram and glossary modules are imported lazily by build_site_pages; import them now so the
    # timing below is the work, not the import.
    try:
        import carepath.diagram  # noqa: F401

        diagrams = bool(options.diagrams)
    except ImportError:
        diagrams = False
    t3 = time.perf_counter()
    c3 = time.process_time() + _children_cpu()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    site = build_site_pages(options)
    t4 = time.perf_counter()
    c4 = time.process_time() + _children_cpu()
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    sizes = sorted(len(site.pages[f"{n}.md"].encode("utf-8")) for n in site.kb.nodes)
    cached = cache_timings(options, site.pages)
    print(
        json.dumps(
            {
                "imports_s": round(t0 - t_start, 4),
                "load_s": round(t1 - t0, 4),
                "validate_s": round(t2 - t1, 4),
                "check_s": round(t2 - t0, 4),
                "generator_s": round(t4 - t3, 4),
                "generator_cpu_s": round(c4 - c3, 4),
                "pages": len(site.pages),
                "nodes": len(site.kb.nodes),
                "errors": sum(p.severity == "error" for p in problems),
                "diagrams": diagrams,
                "node_md_kib_max": round(sizes[-1] / 1024, 1),
                **cached,
            }
        )
    )
    return 0


_TITLE = re.compile(r"^(\s*)title: (.+)$", re.MULTILINE)


def cache_timings(options: Settings, uncached: dict[str, str]) -> dict[str, float | int]:
    """Cold, warm and one-edit generator times with a disk cache, each with a fresh `Cache` object (as a new
    process would have) except the edit, which keeps the memory of the warm run (as `mkdocs serve` does).
    Every result is checked against the build without a cache."""
    folder = Path(tempfile.mkdtemp(prefix="carepath-cache-"))
    edited = min(p for p in options.pathway_dir.rglob("*.yml") if _TITLE.search(p.read_text(encoding="utf-8")))
    original = edited.read_bytes()
    try:
        t0 = time.perf_counter()
        cold = build_site_pages(options, Cache(folder))
        t1, c1 = time.perf_counter(), time.process_time() + _children_cpu()
        warm_cache = Cache(folder)
        warm = build_site_pages(options, warm_cache)
        t2, c2 = time.perf_counter(), time.process_time() + _children_cpu()
        if cold.pages != uncached or warm.pages != uncached:
            raise SystemExit("the cached build differs from the build without a cache")
        edited.write_text(_TITLE.sub(lambda m: f"{m.group(1)}title: {m.group(2)} edited", original.decode("utf-8"), count=1), encoding="utf-8")
        t3, c3 = time.perf_counter(), time.process_time() + _children_cpu()
        after = build_site_pages(options, warm_cache)
        t4, c4 = time.perf_counter(), time.process_time() + _children_cpu()
        changed = sum(after.pages.get(u) != t for u, t in uncached.items())
        if after.pages == uncached:
            raise SystemExit("the edit changed no page")
        if after.pages != build_site_pages(options).pages:
            raise SystemExit("after the edit, the cached build differs from the build without a cache")
    finally:
        edited.write_bytes(original)
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "cold_cache_generator_s": round(t1 - t0, 4),
        "warm_generator_s": round(t2 - t1, 4),
        "warm_generator_cpu_s": round(c2 - c1, 4),
        "edit_rebuild_s": round(t4 - t3, 4),
        "edit_rebuild_cpu_s": round(c4 - c3, 4),
        "edit_pages_changed": changed,
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
