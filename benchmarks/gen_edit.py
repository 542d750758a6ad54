"""The generator's share of one edit under `mkdocs serve`, in one process, without MkDocs.

    python benchmarks/gen_edit.py PROJECT_DIR [--edits N] [--profile OUT.prof] [--cache DIR] [--split] [--freeze] [--check]

As the plugin does under `serve`: one `Cache` (in a temporary folder) and one `ParseCache` kept across builds,
the settings read again for each, `build_site_pages(..., store=False)` after the first. Steps: a first build, a
build with nothing changed, N title edits of one node (3 by default; the figures are the median), one edit of
that node's body text. Wall and CPU time (this process and its children) of each, the pages that differ from
the build before, and the load average. With `--profile`, the title edits after the first are profiled with cProfile into OUT (the first also reads the page cache from disk, as the first edit under `serve` does).
With `--cache`, the build cache is
that folder, kept (a second run starts warm); with `--split`, the CPU time of each phase of `build/site.py` is added.
Prints one JSON object. The edited pathway file is restored before this exits.
"""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from carepath.build.cache import Cache
from carepath.build.site import SitePages, build_site_pages
from carepath.load import ParseCache
from carepath.settings import Settings

_TITLE = re.compile(r"^(\s*- id: \S+\n\s*)title: (.+)$", re.MULTILINE)
_BODY = re.compile(r"^(\s*)body: \|\n(\s*)(\S)", re.MULTILINE)


_gc_spent = [0.0, 0.0]
"""CPU time in the cyclic garbage collector, and when the running collection began."""


def _gc_timer(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _gc_spent[1] = time.process_time()
    else:
        _gc_spent[0] += time.process_time() - _gc_spent[1]


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + u.ru_utime + u.ru_stime


def _split_phases() -> dict[str, float]:
    """CPU time by phase of `build/site.py`, each of its steps wrapped where the module looks it up."""
    from carepath.build import site as module

    spent: dict[str, float] = {}
    names = ("load_knowledge_base", "edition_kb", "edition_knowledge_base", "plan_site", "render_options", "_render_pages", "_publish_files", "diagram_notes")
    for name in names:
        inner = getattr(module, name)

        def timed(*args: Any, inner: Any = inner, name: str = name, **kwargs: Any) -> Any:
            c = _cpu()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + _cpu() - c

        setattr(module, name, timed)
    return spent


def main(argv: list[str]) -> int:
    project = Path(argv[0]).resolve()
    edits = int(argv[argv.index("--edits") + 1]) if "--edits" in argv else 3
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    mkdocs_yml = project / "mkdocs.yml"
    pathway_dir = Settings.from_mkdocs_yml(mkdocs_yml).pathway_dir
    edited = min(p for p in pathway_dir.rglob("nodes.yml") if _TITLE.search(p.read_text(encoding="utf-8")))
    original = edited.read_bytes()
    kept = argv[argv.index("--cache") + 1] if "--cache" in argv else None
    folder = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="carepath-gen-edit-"))
    split = _split_phases() if "--split" in argv else None
    freeze = "--freeze" in argv
    cache, parsed = Cache(folder), ParseCache()
    steps: list[dict[str, Any]] = []
    before: dict[str, str] = {}
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()

    def step(name: str, store: bool, profiled: bool = False) -> None:
        nonlocal before
        counted = dict(cache.stats)
        gc_before = _gc_spent[0]
        t, c = time.perf_counter(), _cpu()
        if profiled and prof is not None:
            prof.enable()
        site: SitePages = build_site_pages(Settings.from_mkdocs_yml(mkdocs_yml), cache, parsed, store=store)
        if profiled and prof is not None:
            prof.disable()
        wall, cpu = time.perf_counter() - t, _cpu() - c
        changed = sum(before.get(u) != text for u, text in site.pages.items()) + sum(u not in site.pages for u in before)
        rendered = sum(v - counted.get(k, 0) for k, v in cache.stats.items() if k.endswith("-rendered"))
        steps.append({"step": name, "wall_s": round(wall, 4), "cpu_s": round(cpu, 4), "gc_cpu_s": round(_gc_spent[0] - gc_before, 4), "pages_changed": changed, "pages": len(site.pages), "rendered": rendered})
        if split is not None:
            steps[-1]["split_cpu_s"] = {k: round(v, 4) for k, v in sorted(split.items(), key=lambda kv: -kv[1])}
            split.clear()
        before = site.pages
        if freeze:
            gc.collect()
            gc.freeze()
        steps[-1]["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    gc.callbacks.append(_gc_timer)
    try:
        step("first", store=True)
        step("unchanged", store=False)
        text = original.decode("utf-8")
        for i in range(edits):
            edited.write_text(_TITLE.sub(lambda m, i=i: f"{m.group(1)}title: {m.group(2)} edit {i}", text, count=1), encoding="utf-8")
            step(f"title-{i}", store=False, profiled=i > 0)  # the first edit also reads the cache from disk
        edited.write_text(_BODY.sub(lambda m: f"{m.group(1)}body: |\n{m.group(2)}Edited. {m.group(3)}", text, count=1), encoding="utf-8")
        step("body", store=False)
        if "--check" in argv:
            settings = Settings.from_mkdocs_yml(mkdocs_yml)
            last, cold = build_site_pages(settings, cache, parsed, store=False), build_site_pages(settings)
            if (last.pages, last.assets, last.warnings) != (cold.pages, cold.assets, cold.warnings):
                raise SystemExit("after the edits, the build differs from a build from nothing")
    finally:
        edited.write_bytes(original)
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)
    if prof is not None and profile:
        prof.dump_stats(profile)
    titles = [s for s in steps if s["step"].startswith("title-")]
    result = {
        "edit_title_wall_s": round(median(s["wall_s"] for s in titles), 4),
        "edit_title_cpu_s": round(median(s["cpu_s"] for s in titles), 4),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "steps": steps,
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
