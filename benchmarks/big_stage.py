"""One stage with many options: the generator's time and output for n options, to show it grows linearly.

    .venv/bin/python benchmarks/big_stage.py 50 500

Prints one line per size: options, generator seconds, generated megabytes. (A step with n options once drew
all n on each of its n pages: 500 options took 3 min 20 s to build.)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from carepath.build.site import build_site_pages
from carepath.settings import Settings


def big_stage(n: int) -> str:
    """A pathway whose first step offers `n` treatments, each escalating to the second step."""
    options = ", ".join(f"t{i}" for i in range(n))
    return (
        "pathways:\n"
        "  - {id: big, title: Big, summary: A big pathway., stages: [one, two], red_flags: [bad]}\n"
        "stages:\n"
        f"  - {{id: one, title: One, summary: First step., options: [{options}], escalates_to: [two]}}\n"
        "  - {id: two, title: Two, summary: Second step., options: [t0]}\n"
        "indicators:\n"
        "  - {id: bad, title: Bad sign, summary: A bad sign., urgency: emergency, action: Call for help now.}\n"
        "treatments:\n"
        + "".join(f"  - {{id: t{i}, title: Option t{i}, summary: Option t{i} of many., type: self-care, escalates_to: [two]}}\n" for i in range(n))
    )


def measure(n: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pathway"
        folder.mkdir()
        (folder / "p.yml").write_text(big_stage(n), encoding="utf-8")
        started = time.perf_counter()
        site = build_site_pages(Settings(pathway_dir=folder))
        seconds = time.perf_counter() - started
        return seconds, sum(len(text) for text in site.generated([]).values())


def main(argv: list[str]) -> int:
    for n in [int(a) for a in argv] or [50, 500]:
        seconds, size = measure(n)
        print(f"{n} options: generator {seconds:.2f} s, {size / 1e6:.1f} MB of pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
