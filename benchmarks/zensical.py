"""Time Zensical beside MkDocs on the output of `render --out` for a synthetic knowledge base, and link-check it.

    python benchmarks/zensical.py --nodes 1000 --zensical /tmp/zvenv/bin/zensical [--repeat 3]

Zensical is installed apart (`python3 -m venv /tmp/zvenv && /tmp/zvenv/bin/pip install zensical==0.0.73`).
Per round, interleaved so a burst of load elsewhere hits all alike: stock MkDocs + Material (`mkdocs build
--strict`, with the raw-links hook `render` writes, and once without it, for the hook's cost), Zensical cold
(`build --clean`: its cache emptied) and warm (`build` again, nothing changed). Prints one JSON object:
medians of wall and CPU seconds, the load average before and after, and the link check of Zensical's site
(`carepath linkcheck SITE --same-as MKDOCS_SITE`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth
from run import ENV, PY, measure

CAREPATH_ENV = {**ENV, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "generator"), ENV["PYTHONPATH"]])}
"""`render` and `linkcheck` from this checkout's code, not whichever Carepath the venv has installed."""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zensical", required=True, help="the zensical command of a venv of its own")
    ap.add_argument("--work", type=Path, help="folder for the project and the sites (default: a temporary one)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="carepath-zensical-"))
    project = work / f"kb-{args.nodes}"
    synth.write_project(project, args.nodes, args.seed)
    out = work / "out"
    render = [PY, "-m", "carepath", "render", "--out", str(out / "docs"), "--mkdocs-yml", str(out / "mkdocs.yml")]
    subprocess.run(render, cwd=project, env=CAREPATH_ENV, check=True, capture_output=True)
    config = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("hooks")
    (out / "mkdocs-nohook.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    pages = sum(1 for _ in (out / "docs").rglob("*.md"))

    mkdocs = [PY, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", str(out / "mkdocs.yml"), "--site-dir", str(work / "site-mkdocs")]
    nohook = [PY, "-m", "mkdocs", "build", "--quiet", "--config-file", str(out / "mkdocs-nohook.yml"), "--site-dir", str(work / "site-nohook")]
    zensical = [args.zensical, "build", "--strict", "--config-file", str(out / "mkdocs.yml")]
    runs: dict[str, list[dict[str, Any]]] = {"mkdocs": [], "mkdocs_no_hook": [], "zensical_cold": [], "zensical_warm": []}
    load = [os.getloadavg()[0]]
    for _ in range(args.repeat):
        runs["mkdocs"].append(measure(mkdocs))
        runs["zensical_cold"].append(measure([*zensical, "--clean"]))
        runs["zensical_warm"].append(measure(zensical))
        runs["mkdocs_no_hook"].append(measure(nohook))
    load.append(os.getloadavg()[0])

    check = subprocess.run(
        [PY, "-m", "carepath", "linkcheck", str(out / "site"), "--same-as", str(work / "site-mkdocs")], env=CAREPATH_ENV, capture_output=True, text=True, check=False
    )
    result: dict[str, Any] = {"nodes": args.nodes, "pages": pages, "repeat": args.repeat, "load_before": load[0], "load_after": load[1]}
    for name, rs in runs.items():
        result[f"{name}_s"] = round(statistics.median(r["wall_s"] for r in rs), 2)
        result[f"{name}_cpu_s"] = round(statistics.median(r["cpu_s"] for r in rs), 2)
    result["linkcheck_rc"] = check.returncode
    result["linkcheck"] = (check.stdout + check.stderr).strip().splitlines()[-1]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
