"""What one edit costs under `make serve` (`mkdocs serve --dirty`): the generator's share and MkDocs' own.

    python benchmarks/serve_edit.py PROJECT_DIR [--edits N] [--full] [--profile OUT]

Runs MkDocs in this process as `mkdocs serve --dirty` does, without the web server: one plugin instance kept across
rebuilds, a first full build, then the plugin's `on_serve` given a stand-in server, whose builder (the one the
plugin installs: a quick rebuild of the pages an edit changed, else MkDocs' full build) runs each rebuild, as the
server's watcher would call it. A rebuild with nothing changed, then rebuilds after one-node title edits (`--edits
N`, 3 by default: the same node's title changed each time; the figures are the median edit). `--full` measures
MkDocs' own `--dirty` build for every rebuild instead (what the preview did before the quick rebuild). Wall and CPU (this process and its children)
time of each, and the load average, which on a shared machine says how far wall time is from CPU time. Prints one
JSON object; `--profile OUT` writes a cProfile of the edits' rebuilds. The edited pathway file is restored before this exits; the site and the cache go in temporary folders.
"""

from __future__ import annotations

import cProfile
import json
import logging
import os
import re
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

from carepath.engines import mkdocs as carepath_plugin
from carepath.engines import mkdocs_quick as quick
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

_TITLE = re.compile(r"^(\s*)title: (.+)$", re.MULTILINE)


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (a quick rebuild's forked copy, QR codes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _mtimes(site: Path) -> dict[Path, int]:
    """Each HTML page of the site with its modification time: the pages a rebuild wrote are those whose time moved."""
    return {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}


def main(argv: list[str]) -> int:
    edits = int(argv[argv.index("--edits") + 1]) if "--edits" in argv else 3
    full_builds = "--full" in argv
    profile_to = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    profile = cProfile.Profile() if profile_to else None
    project = Path(argv[0]).resolve()
    work = Path(tempfile.mkdtemp(prefix="carepath-serve-"))
    site_dir, cache_dir = work / "site", work / "cache"
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    generator_s: list[float] = []
    generator_cpu_s: list[float] = []
    build_site_pages = carepath_plugin.build_site_pages

    def timed(*args: object, **kwargs: object) -> object:
        t, c = time.perf_counter(), _cpu()
        try:
            return build_site_pages(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            generator_s.append(time.perf_counter() - t)
            generator_cpu_s.append(_cpu() - c)

    carepath_plugin.build_site_pages = timed  # type: ignore[assignment]
    started = False
    plugins: list[Any] = []

    def config() -> MkDocsConfig:
        # MkDocs keeps one instance of a plugin that has `on_startup` for every config loaded in a process,
        # which is what lets the plugin carry its cache from one rebuild to the next under `mkdocs serve`.
        nonlocal started
        cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=False)
        cfg.plugins["carepath"].config.cache_dir = str(cache_dir)
        plugins.append(cfg.plugins["carepath"])
        if not started:
            cfg.plugins.on_startup(command="serve", dirty=True)
            started = True
        return cfg

    def builder() -> None:  # `mkdocs serve`'s own builder: the config loaded again, a `--dirty` build
        build(config(), serve_url="http://127.0.0.1:8000/", dirty=True)

    server: quick.Headless | None = None

    def carepath_plugin_instance() -> Any:
        return plugins[-1]

    def rebuild() -> tuple[float, float]:
        nonlocal server
        t, c = time.perf_counter(), _cpu()
        if server is None or full_builds:
            builder()
        else:
            server.builder()
        if server is None and not full_builds:
            cfg = config()
            server = cfg.plugins.on_serve(quick.Headless(builder, site_dir), config=cfg, builder=builder)
        return time.perf_counter() - t, _cpu() - c

    edited = min(p for p in (project / "pathway").rglob("*.yml") if _TITLE.search(p.read_text(encoding="utf-8")))
    original = edited.read_bytes()
    load_before = os.getloadavg()[0]
    try:
        full, _ = rebuild()
        unchanged, _ = rebuild()
        after: list[tuple[float, float, float, float]] = []
        rewritten: list[int] = []
        settled: list[tuple[float, float]] = []
        for n in range(edits):
            edited.write_text(_TITLE.sub(rf"\1title: \2 edited {n}", original.decode("utf-8"), count=1), encoding="utf-8")
            before = _mtimes(site_dir)
            if profile is not None:
                profile.enable()
            wall, cpu = rebuild()
            t, c = time.perf_counter(), _cpu()
            carepath_plugin_instance().settle()  # what the quick rebuild left for after the page: search index, gate
            settled.append((time.perf_counter() - t, _cpu() - c))
            if profile is not None:
                profile.disable()
            after.append((wall, cpu, generator_s[-1], generator_cpu_s[-1]))
            now = _mtimes(site_dir)
            rewritten.append(sum(1 for page, t in now.items() if before.get(page) != t))
        pages = sum(1 for _ in site_dir.rglob("*.html"))
    finally:
        edited.write_bytes(original)
        if profile is not None and profile_to:
            profile.dump_stats(profile_to)
        shutil.rmtree(work, ignore_errors=True)
    wall, cpu, gen, gen_cpu = (median(e[i] for e in after) for i in range(4))
    print(
        json.dumps(
            {
                "serve_first_build_s": round(full, 3),
                "serve_unchanged_s": round(unchanged, 3),
                "serve_unchanged_generator_s": round(generator_s[1], 3),
                "serve_edit_s": round(wall, 3),
                "serve_edit_generator_s": round(gen, 3),
                "serve_edit_mkdocs_s": round(wall - gen, 3),
                "serve_edit_cpu_s": round(cpu, 3),
                "serve_edit_generator_cpu_s": round(gen_cpu, 3),
                "serve_edit_mkdocs_cpu_s": round(cpu - gen_cpu, 3),
                "serve_edits": [[round(x, 3) for x in e] for e in after],
                "serve_quick": not full_builds,
                "serve_edit_pages_written": rewritten,
                "serve_edit_after_s": round(median(a for a, _ in settled), 3),
                "serve_edit_after_cpu_s": round(median(c for _, c in settled), 3),
                "serve_load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                "html_pages": pages,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
