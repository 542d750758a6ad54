"""What one edit costs under `mkdocs serve --dirty`: the generator's share and MkDocs' own.

    python benchmarks/serve_edit.py PROJECT_DIR

Runs MkDocs in this process as `mkdocs serve --dirty` does (one plugin instance kept across rebuilds, the
config loaded again for each), without the web server: a first full build, a rebuild with nothing
changed, then a rebuild after a one-node title edit. Prints one JSON object. The edited pathway file is
restored before this exits; the site and the cache go in temporary folders.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from carepath.engines import mkdocs as carepath_plugin
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

_TITLE = re.compile(r"^(\s*)title: (.+)$", re.MULTILINE)


def main(argv: list[str]) -> int:
    project = Path(argv[0]).resolve()
    work = Path(tempfile.mkdtemp(prefix="carepath-serve-"))
    site_dir, cache_dir = work / "site", work / "cache"
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    generator_s: list[float] = []
    build_site_pages = carepath_plugin.build_site_pages

    def timed(*args: object, **kwargs: object) -> object:
        t = time.perf_counter()
        try:
            return build_site_pages(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            generator_s.append(time.perf_counter() - t)

    carepath_plugin.build_site_pages = timed  # type: ignore[assignment]
    started = False

    def config() -> MkDocsConfig:
        # MkDocs keeps one instance of a plugin that has `on_startup` for every config loaded in a process,
        # which is what lets the plugin carry its cache from one rebuild to the next under `mkdocs serve`.
        nonlocal started
        cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=False)
        cfg.plugins["carepath"].config.cache_dir = str(cache_dir)
        if not started:
            cfg.plugins.on_startup(command="serve", dirty=True)
            started = True
        return cfg

    def rebuild() -> float:
        t = time.perf_counter()
        build(config(), dirty=True)
        return time.perf_counter() - t

    edited = min(p for p in (project / "pathway").rglob("*.yml") if _TITLE.search(p.read_text(encoding="utf-8")))
    original = edited.read_bytes()
    try:
        full = rebuild()
        unchanged = rebuild()
        edited.write_text(_TITLE.sub(lambda m: f"{m.group(1)}title: {m.group(2)} edited", original.decode("utf-8"), count=1), encoding="utf-8")
        after_edit = rebuild()
        pages = sum(1 for _ in site_dir.rglob("*.html"))
    finally:
        edited.write_bytes(original)
        shutil.rmtree(work, ignore_errors=True)
    print(
        json.dumps(
            {
                "serve_first_build_s": round(full, 3),
                "serve_unchanged_s": round(unchanged, 3),
                "serve_unchanged_generator_s": round(generator_s[1], 3),
                "serve_edit_s": round(after_edit, 3),
                "serve_edit_generator_s": round(generator_s[2], 3),
                "serve_edit_mkdocs_s": round(after_edit - generator_s[2], 3),
                "html_pages": pages,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
