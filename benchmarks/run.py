"""Measure check, generator and MkDocs build times, memory and output size on a synthetic knowledge base.

    python benchmarks/run.py --nodes 1000 [--repeat 3] [--json]
    python benchmarks/run.py --nodes 100 1000 5000 --generator-nodes 3000 --update BENCHMARKS.md

Every timing is the median of `--repeat` fresh subprocesses, so process start and imports (pydantic,
MkDocs, Material) are part of the whole-process numbers; `benchmarks/inproc.py` gives the in-process
numbers. The baseline is a stock MkDocs + Material build (no Carepath plugin) of the very same pages,
written out as static Markdown by `python -m generator render --out --mkdocs-yml`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import synth

PY = sys.executable
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",
    "SOURCE_DATE_EPOCH": "0",
    "CAREPATH_TODAY": "2026-06-01",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
}

# Subprocesses import the `generator` next to this file (PYTHONPATH, and a working directory outside
# the repository), so a copy of the repository at one commit can be measured while the checkout changes.

# A fresh process per measurement: RUSAGE_CHILDREN's ru_maxrss is the peak of every child ever waited for.
_MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": r.returncode, "wall_s": wall, "cpu_s": u.ru_utime + u.ru_stime, "maxrss_kib": u.ru_maxrss, "stderr": r.stderr[-4000:]}))
"""

RETRIES = 2
"""A failed run is retried after a pause: in a shared working tree, someone may be half-way through an edit."""


def measure(cmd: list[str]) -> dict[str, Any]:
    for attempt in range(RETRIES + 1):
        out = subprocess.run([PY, "-c", _MEASURE, *cmd], capture_output=True, text=True, env=ENV, check=True)
        result: dict[str, Any] = json.loads(out.stdout)
        if result["rc"] == 0:
            return result
        print(f"failed ({result['rc']}), attempt {attempt + 1}: {' '.join(cmd)}\n{result['stderr']}", file=sys.stderr)
        time.sleep(30)
    raise SystemExit(f"gave up: {' '.join(cmd)}")


def in_process(project: Path) -> dict[str, Any]:
    for attempt in range(RETRIES + 1):
        out = subprocess.run([PY, str(HERE / "inproc.py"), str(project)], capture_output=True, text=True, env=ENV, check=False)
        if out.returncode == 0:
            result: dict[str, Any] = json.loads(out.stdout)
            return result
        print(f"inproc.py failed, attempt {attempt + 1}:\n{out.stderr[-3000:]}", file=sys.stderr)
        time.sleep(30)
    raise SystemExit("gave up: inproc.py")


def serve_edit(project: Path) -> dict[str, Any]:
    out = subprocess.run([PY, str(HERE / "serve_edit.py"), str(project)], capture_output=True, text=True, env=ENV, check=False)
    if out.returncode != 0:
        raise SystemExit(f"serve_edit.py failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def node_kinds(project: Path) -> dict[str, str]:
    """Node id -> kind, for sizing each node's built page."""
    sys.path.insert(0, str(REPO))
    from carepath import check_pathway

    kb, _ = check_pathway(project / "pathway")
    return {n: kb.kind(n) for n in sorted(kb.nodes)}


def bench(
    nodes: int, repeat: int, work: Path, seed: int, full: bool = True, diagrams: bool = True, log: Any = None, slow_repeat: int | None = None
) -> dict[str, Any]:
    """One knowledge base of `nodes` nodes: every measurement, as a flat dict.

    `slow_repeat` (default `repeat`) is used for everything but `check`: the generator runs and builds.
    """
    check_repeat, repeat = repeat, slow_repeat or repeat
    say = log or (lambda *_: None)
    project = work / f"kb-{nodes}"
    counts = synth.write_project(project, nodes, seed, diagrams=diagrams)
    yaml_kib = tree_bytes(project / "pathway") / 1024
    base = work / f"baseline-{nodes}"
    result: dict[str, Any] = {
        "nodes": nodes,
        "seed": seed,
        "repeat": repeat,
        "check_repeat": check_repeat,
        "pathways": counts["pathway"],
        "glossary_terms": counts["glossary"],
    }
    result["yaml_mib"] = round(yaml_kib / 1024, 2)
    load_before = os.getloadavg()[0]

    say(f"[{nodes}] check x{check_repeat}")
    check = [measure([PY, "-m", "carepath", "check", str(project / "pathway")]) for _ in range(check_repeat)]
    result["check_s"] = round(median(check, "wall_s"), 3)
    result["check_cpu_s"] = round(median(check, "cpu_s"), 3)

    say(f"[{nodes}] generator in-process x{repeat}")
    inproc = [in_process(project) for _ in range(repeat)]
    for key in ("imports_s", "load_s", "validate_s", "check_s", "generator_s", "generator_cpu_s"):
        result[f"inproc_{key}"] = round(median(inproc, key), 3)
    for key in ("cold_cache_generator_s", "warm_generator_s", "edit_rebuild_s", "warm_generator_cpu_s", "edit_rebuild_cpu_s"):
        result[key] = round(median(inproc, key), 3)
    result["edit_pages_changed"] = inproc[0]["edit_pages_changed"]
    result["pages"] = inproc[0]["pages"]
    result["diagrams"] = inproc[0]["diagrams"]
    result["node_md_kib_max"] = inproc[0]["node_md_kib_max"]

    say(f"[{nodes}] generator render x{repeat}")
    render = []
    for _ in range(repeat):
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        render.append(
            measure(
                [PY, "-m", "carepath", "render", "--config", str(project / "mkdocs.yml"), "--out", str(base / "docs"), "--mkdocs-yml", str(base / "mkdocs.yml")]
            )
        )
    result["generator_s"] = round(median(render, "wall_s"), 3)
    result["generator_cpu_s"] = round(median(render, "cpu_s"), 3)
    result["generator_peak_mib"] = round(median(render, "maxrss_kib") / 1024, 1)

    if full:
        site, base_site = work / f"site-{nodes}", work / f"baseline-site-{nodes}"
        builds, baselines = [], []
        plugin_build = [PY, "-m", "mkdocs", "build", "--quiet", "--strict", "--clean", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
        for i in range(repeat):
            # Interleaved, so a burst of load from elsewhere hits both sides alike.
            say(f"[{nodes}] mkdocs build with the plugin, cold cache ({i + 1}/{repeat})")
            shutil.rmtree(project / ".cache", ignore_errors=True)
            builds.append(measure(plugin_build))
            say(f"[{nodes}] baseline mkdocs build ({i + 1}/{repeat})")
            baselines.append(measure([PY, "-m", "mkdocs", "build", "--quiet", "--strict", "--clean", "-f", str(base / "mkdocs.yml"), "-d", str(base_site)]))
        say(f"[{nodes}] mkdocs build with the plugin, warm cache")
        warm = measure(plugin_build)
        result["warm_build_s"] = round(warm["wall_s"], 2)
        result["warm_build_cpu_s"] = round(warm["cpu_s"], 2)
        say(f"[{nodes}] one edit under mkdocs serve --dirty")
        result.update(serve_edit(project))
        result["build_s"] = round(median(builds, "wall_s"), 2)
        result["baseline_s"] = round(median(baselines, "wall_s"), 2)
        result["ratio"] = round(result["build_s"] / result["baseline_s"], 3)
        result["ratio_warm"] = round(result["warm_build_s"] / result["baseline_s"], 3)
        result["build_cpu_s"] = round(median(builds, "cpu_s"), 2)
        result["baseline_cpu_s"] = round(median(baselines, "cpu_s"), 2)
        result["ratio_warm_cpu"] = round(result["warm_build_cpu_s"] / result["baseline_cpu_s"], 3)
        result["ratio_cpu"] = round(result["build_cpu_s"] / result["baseline_cpu_s"], 3)
        result["peak_mib"] = round(max(r["maxrss_kib"] for r in builds) / 1024, 1)
        result["baseline_peak_mib"] = round(max(r["maxrss_kib"] for r in baselines) / 1024, 1)
        result["site_mib"] = round(tree_bytes(site) / 2**20, 1)
        result["baseline_site_mib"] = round(tree_bytes(base_site) / 2**20, 1)
        by_kind: dict[str, list[int]] = {}
        for n, kind in node_kinds(project).items():
            by_kind.setdefault(kind, []).append((site / n / "index.html").stat().st_size)
        sizes = sorted(s for v in by_kind.values() for s in v)
        result["node_page_kib_max"] = round(sizes[-1] / 1024, 1)
        result["node_page_kib_median"] = round(statistics.median(sizes) / 1024, 1)
        result["node_page_kib_max_by_kind"] = {k: round(max(v) / 1024, 1) for k, v in sorted(by_kind.items())}
        result["node_pages_over_60kb"] = sum(s > 60_000 for s in sizes)
        pathway_pages = [p for p in (project / "pathway").iterdir() if p.is_dir() and p.name != "shared"]
        first = (site / pathway_pages[0].name / "index.html").read_text(encoding="utf-8") if pathway_pages else ""
        result["diagram_svg_in_pages"] = "<svg" in first
    result["load_avg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def machine() -> dict[str, str]:
    """The machine, the versions, and the generator code measured."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kib / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        pass
    from importlib.metadata import version

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False).stdout

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "generator").splitlines() if line.strip()]

    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "pydantic": version("pydantic"),
        "pyyaml": version("pyyaml"),
        "jinja2": version("jinja2"),
        "commit": os.environ.get("BENCH_COMMIT") or git("rev-parse", "--short", "HEAD").strip() or "unknown",
        "dirty": "none (a clean copy)" if os.environ.get("BENCH_COMMIT") else ", ".join(dirty) if dirty else "none",
    }


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| nodes | pages | check s | generator s (process) | generator s in-process (wall / CPU) | build s | baseline s | ratio (wall) | ratio (CPU) "
        "| peak MiB | site MiB | node page KiB max / median |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for r in results:
        if "build_s" in r:
            rows.append(
                f"| {r['nodes']:,} | {r['pages']:,} | {r['check_s']:.2f} | {r['generator_s']:.2f} | {r['inproc_generator_s']:.2f} / {r['inproc_generator_cpu_s']:.2f} "
                f"| {r['build_s']:.1f} "
                f"| {r['baseline_s']:.1f} | {r['ratio']:.2f} | {r['ratio_cpu']:.2f} | {r['peak_mib']:.0f} | {r['site_mib']:.1f} "
                f"| {r['node_page_kib_max']:.0f} / {r['node_page_kib_median']:.0f} |"
            )
        else:
            rows.append(
                f"| {r['nodes']:,} | {r['pages']:,} | {r['check_s']:.2f} | {r['generator_s']:.2f} "
                f"| {r['inproc_generator_s']:.2f} / {r['inproc_generator_cpu_s']:.2f} | – | – | – | – | – | – | – |"
            )
    return head + "\n".join(rows) + "\n"


def cached_table(results: list[dict[str, Any]]) -> str:
    head = (
        "| nodes | generator s, no disk cache | cold, filling the cache | warm, nothing changed | after a one-node title edit (pages changed) "
        "| full build s: cold / warm / baseline | serve --dirty edit s: all / generator / MkDocs |\n"
        "|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for r in results:
        builds = f"{r['build_s']:.1f} / {r['warm_build_s']:.1f} / {r['baseline_s']:.1f}" if "warm_build_s" in r else "–"
        serve = f"{r['serve_edit_s']:.2f} / {r['serve_edit_generator_s']:.2f} / {r['serve_edit_mkdocs_s']:.2f}" if "serve_edit_s" in r else "–"
        warm = f"{r['warm_generator_s']:.2f}" + (f" / {r['warm_generator_cpu_s']:.2f} CPU" if "warm_generator_cpu_s" in r else "")
        edit = f"{r['edit_rebuild_s']:.2f}" + (f" / {r['edit_rebuild_cpu_s']:.2f} CPU" if "edit_rebuild_cpu_s" in r else "")
        rows.append(
            f"| {r['nodes']:,} | {r['inproc_generator_s']:.2f} / {r['inproc_generator_cpu_s']:.2f} CPU | {r['cold_cache_generator_s']:.2f} | {warm} "
            f"| {edit} ({r['edit_pages_changed']}) | {builds} | {serve} |"
        )
    return head + "\n".join(rows) + "\n"


def phases(results: list[dict[str, Any]]) -> str:
    head = "| nodes | imports s | load s | validate s | load + validate s | generator s (after imports) | check s (process) |\n|---:|---:|---:|---:|---:|---:|---:|\n"
    rows = [
        f"| {r['nodes']:,} | {r['inproc_imports_s']:.2f} | {r['inproc_load_s']:.3f} | {r['inproc_validate_s']:.3f} | {r['inproc_check_s']:.3f} "
        f"| {r['inproc_generator_s']:.3f} | {r['check_s']:.2f} |"
        for r in results
    ]
    return head + "\n".join(rows) + "\n"


def targets(results: list[dict[str, Any]]) -> str:
    by_n = {r["nodes"]: r for r in results}
    lines = ["| target | measured | met? |", "|---|---|---|"]

    def row(name: str, value: str, ok: bool | None) -> None:
        lines.append(f"| {name} | {value} | {'yes' if ok else 'no' if ok is not None else 'not measured'} |")

    full = [r for r in results if "ratio" in r]
    if full:
        worst = max(full, key=lambda r: r["ratio"])
        row("full build ≤ 1.1× baseline at every N", ", ".join(f"{r['nodes']:,}: {r['ratio']:.2f}×" for r in full), worst["ratio"] <= 1.1)
    at3k = by_n.get(3000)
    if at3k:
        row(
            "generator alone ≤ 0.5 s at 3,000 nodes",
            f"{at3k['inproc_generator_s']:.2f} s in-process ({at3k['inproc_generator_cpu_s']:.2f} s CPU), {at3k['generator_s']:.2f} s whole process",
            at3k["inproc_generator_s"] <= 0.5,
        )
    else:
        row("generator alone ≤ 0.5 s at 3,000 nodes", "–", None)
    if at3k:
        row("warm generator ≤ 0.5 s at 3,000 nodes", f"{at3k['warm_generator_s']:.2f} s in-process", at3k["warm_generator_s"] <= 0.5)
        row("one-node edit ≤ 1 s at 3,000 nodes", f"{at3k['edit_rebuild_s']:.2f} s in-process, generator only", at3k["edit_rebuild_s"] <= 1.0)
    else:
        row("warm generator ≤ 0.5 s and one-node edit ≤ 1 s at 3,000 nodes", "–", None)
    for r in full:
        if r["nodes"] in (1000, 5000) and "ratio_warm" in r:
            row(f"cold full build ≤ 1.3× baseline at {r['nodes']:,}", f"{r['ratio']:.2f}× wall, {r['ratio_cpu']:.2f}× CPU", r["ratio"] <= 1.3)
            cpu = f", {r['ratio_warm_cpu']:.2f}× CPU" if "ratio_warm_cpu" in r else ""
            row(f"warm full build ≤ 1.1× baseline at {r['nodes']:,}", f"{r['ratio_warm']:.2f}× wall{cpu}", r["ratio_warm"] <= 1.1)
    at5k, at1k = by_n.get(5000), by_n.get(1000)
    if at5k:
        row("check of 5,000 nodes ≤ 1 s", f"{at5k['check_s']:.2f} s whole process ({at5k['inproc_check_s']:.2f} s in-process)", at5k["check_s"] <= 1.0)
    if at5k and at1k:
        x = at5k["inproc_generator_s"] / at1k["inproc_generator_s"]
        xc = at5k["inproc_generator_cpu_s"] / at1k["inproc_generator_cpu_s"]
        xp = at5k["generator_s"] / at1k["generator_s"]
        row("generator at 5,000 ≤ 5.5× its time at 1,000", f"{x:.2f}× in-process ({xc:.2f}× in CPU time), {xp:.2f}× whole process", x <= 5.5)
    if full:
        biggest = max(r["node_page_kib_max"] for r in full)
        kinds = max(full, key=lambda r: r["nodes"])["node_page_kib_max_by_kind"]
        per_kind = ", ".join(f"{k} {v * 1.024:.0f}" for k, v in kinds.items())
        over = ", ".join(f"{r['nodes']:,}: {r['node_pages_over_60kb']}" for r in full)
        row(
            "node page HTML ≤ 60 KB",
            f"largest {biggest * 1.024:.0f} KB; largest per kind at {max(r['nodes'] for r in full):,} nodes (KB): {per_kind}; pages over 60 KB: {over}",
            biggest * 1.024 <= 60,
        )
    if at5k and "site_mib" in at5k:
        row("built site for 5,000 nodes < 150 MB", f"{at5k['site_mib']:.0f} MiB ({at5k['site_mib'] * 1.048576:.0f} MB)", at5k["site_mib"] * 1.048576 < 150)
    return "\n".join(lines) + "\n"


def report(results: list[dict[str, Any]]) -> str:
    m = machine()
    diagrams = {r.get("diagram_svg_in_pages", r["diagrams"]) for r in results}
    runs = ", ".join(f"{r['nodes']:,}: {r['check_repeat']} / {r['repeat']}" for r in results)
    loads = ", ".join(f"{r['nodes']:,}: {r['load_avg_1m'][0]}→{r['load_avg_1m'][1]}" for r in results)
    return (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `benchmarks/run.py`; every figure is the median of fresh processes "
        f"(runs per size, check / generator and builds: {runs}).\n\n"
        f"- Machine: {m['cpu']}, {m['nproc']} CPUs, {m['memory']} RAM; {m['os']}\n"
        f"- Versions: Python {m['python']}, MkDocs {m['mkdocs']}, Material {m['mkdocs-material']}, pydantic {m['pydantic']}, "
        f"PyYAML {m['pyyaml']}, Jinja2 {m['jinja2']}\n"
        f"- Code: commit {m['commit']}; uncommitted changes in generator/ at the time: {m['dirty']}\n"
        f"- Diagrams included: {'yes' if diagrams == {True} else 'no' if diagrams == {False} else 'mixed'}\n"
        f"- Load average (1 min) before→after each size: {loads}\n\n"
        + table(results)
        + "\nWith the build cache (generator times in-process, after imports):\n\n"
        + cached_table(results)
        + "\nIn-process phases (after imports, one process per repeat):\n\n"
        + phases(results)
        + "\nTargets:\n\n"
        + targets(results)
    )


def update(md: Path, text: str, name: str = "bench") -> None:
    """Replace the generated block `name` of `md`, keeping the hand-written analysis around it."""
    START, END = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{START}\n{text}{END}"
    old = md.read_text(encoding="utf-8") if md.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    md.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", required=True, help="knowledge base sizes to measure fully")
    parser.add_argument("--generator-nodes", type=int, nargs="*", default=[], help="sizes to measure without the MkDocs builds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--large-repeat", type=int, help="repeats of the generator runs and builds from 3,000 nodes up (default: --repeat); check keeps --repeat"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object per size instead of a table")
    parser.add_argument("--update", type=Path, help="write the report into this Markdown file between the bench markers")
    parser.add_argument("--no-diagrams", action="store_true", help="measure with the plugin's diagrams turned off")
    parser.add_argument("--block", default="bench", help="name of the marked block --update replaces (default: bench)")
    parser.add_argument("--workdir", type=Path, help="keep the projects and sites here (default: a temporary folder, removed)")
    args = parser.parse_args(argv)

    work = (args.workdir or Path(tempfile.mkdtemp(prefix="carepath-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    if args.update:
        args.update = args.update.resolve()
    os.chdir(work)  # so no subprocess finds a `generator` in its working directory before PYTHONPATH
    log = (lambda msg: print(msg, file=sys.stderr, flush=True))
    results = []
    try:
        plan = [(n, True) for n in args.nodes] + [(n, False) for n in args.generator_nodes]
        for n, full in sorted(plan):
            slow = args.large_repeat if n >= 3000 else None
            r = bench(n, args.repeat, work, args.seed, full=full, diagrams=not args.no_diagrams, log=log, slow_repeat=slow)
            results.append(r)
            if args.json:
                print(json.dumps(r), flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results)
    if args.update:
        update(args.update, text, args.block)
        print(f"updated {args.update}", file=sys.stderr)
    if not args.json:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
