"""Time the generator's phases inside one process, after imports: load, validate, then everything.

    python benchmarks/inproc.py PROJECT_DIR [--profile OUT.prof]

Prints one JSON object. `benchmarks/run.py` runs this in a fresh subprocess per repeat.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

t_start = time.perf_counter()

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from generator.config import read_config
from generator.load import load_pathway
from generator.site import SiteOptions, build_site_pages, today
from generator.validate import validate


def _children_cpu() -> float:
    """CPU time of finished child processes (Graphviz runs), which `process_time` leaves out."""
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def main(argv: list[str]) -> int:
    project = Path(argv[0])
    profile = argv[2] if len(argv) > 2 and argv[1] == "--profile" else None
    cfg = read_config(project / "mkdocs.yml")
    options = SiteOptions(cfg.pathway_dir, cfg.site_url, cfg.use_directory_urls, cfg.custom_dir, bool(cfg.plugin.get("diagrams", True)))
    t0 = time.perf_counter()
    loaded = load_pathway(cfg.pathway_dir)
    t1 = time.perf_counter()
    _, problems = validate(loaded, today())
    t2 = time.perf_counter()
    # Diagram and glossary modules are imported lazily by build_site_pages; import them now so the
    # timing below is the work, not the import.
    try:
        import generator.diagram  # noqa: F401

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
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
