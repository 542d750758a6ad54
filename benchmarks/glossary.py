"""Time the glossary pass alone: `annotate` over every node page of a project, after imports.

    python benchmarks/glossary.py PROJECT_DIR [--repeat 5] [--dump OUT.json]

The node pages are rendered once without annotation, as the build renders them (diagrams and handouts
included), then `annotate` runs over all of
them `--repeat` times; prints one JSON object with the best and median total, and per page. `--dump`
writes every rendered page with the glossary pass applied, so two commits can be compared byte for byte.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "generator") not in sys.path:
    sys.path.insert(0, str(REPO / "generator"))

from carepath import check_pathway, diagram
from carepath.publish.page_extras import page_extras
from carepath.render.pages import RenderOptions, render_pages
from carepath.text.glossary import GlossaryMatcher, annotate


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args(argv)
    kb, _ = check_pathway(args.project / "pathway")
    pages: list[tuple[str, str]] = []

    def keep(markdown: str, _kb: object, uri: str) -> str:
        pages.append((markdown, uri))
        return markdown

    options = RenderOptions(annotate=keep, diagrams=diagram, page_extras=page_extras)
    render_pages(kb, options)
    matcher = GlossaryMatcher(kb.glossary)
    totals = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        for markdown, uri in pages:
            annotate(markdown, kb.glossary, uri, matcher)
        totals.append(time.process_time() - t0)
    if args.dump:
        options = replace(options, annotate=lambda markdown, _kb, uri: annotate(markdown, kb.glossary, uri, matcher))
        args.dump.write_text(json.dumps(render_pages(kb, options), ensure_ascii=False, sort_keys=True), encoding="utf-8")
    chars = sum(len(m) for m, _ in pages)
    result = {
        "pages": len(pages),
        "glossary_terms": len(kb.glossary),
        "markdown_kib": round(chars / 1024, 1),
        "best_s": round(min(totals), 4),
        "median_s": round(statistics.median(totals), 4),
        "ms_per_page": round(1000 * statistics.median(totals) / max(1, len(pages)), 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
