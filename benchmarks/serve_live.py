"""Save to updated page, as an author sees it: `carepath serve` (what `make serve` runs) on a free port, a title
edit written to a pathway file, then the edited node's page fetched over HTTP every 20 ms until it shows the new
title. The figure includes everything between the save and the served page: the server's file watcher (MkDocs
polls the watched folders every 0.5 s, then waits 0.1 s for more changes), the rebuild, and the HTTP request.

    python benchmarks/serve_live.py PROJECT_DIR [--edits N]

Prints one JSON object: each edit's seconds, their median, the load average. The edited file is restored.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
_NODE = re.compile(r"^- id: (\S+)\n  title: (.+)$", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return str(r.read().decode("utf-8"))
    except OSError:
        return ""


def main(argv: list[str]) -> int:
    project = Path(argv[0]).resolve()
    edits = int(argv[argv.index("--edits") + 1]) if "--edits" in argv else 5
    edited = min(p for p in (project / "pathway").rglob("*.yml") if _NODE.search(p.read_text(encoding="utf-8")))
    original = edited.read_text(encoding="utf-8")
    found = _NODE.search(original)
    assert found is not None
    node_id, title = found.group(1), found.group(2)
    port = _free_port()
    log = project / f".serve-live-{port}.log"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(REPO / "generator"))
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "carepath", "serve", "--port", str(port)],
            cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    folder = edited.relative_to(project / "pathway").parts
    # A node in a pathway's own folder has its page under the pathway's URL; one in `shared/` at the root.
    url = f"http://127.0.0.1:{port}/" + (f"{folder[0]}/" if len(folder) > 1 and folder[0] != "shared" else "") + f"{node_id}/"
    seconds: list[float] = []
    load_before = os.getloadavg()[0]
    try:
        started = time.perf_counter()
        while f"Serving on http://127.0.0.1:{port}/" not in log.read_text(encoding="utf-8", errors="replace"):
            if server.poll() is not None:
                raise SystemExit(f"the preview stopped:\n{log.read_text(encoding='utf-8')[-3000:]}")
            time.sleep(0.2)
        first_build = time.perf_counter() - started
        if f"{title}<" not in _get(url):
            raise SystemExit(f"{url} does not show {title!r}")
        for n in range(edits):
            new = f"{title} edited {n}"
            time.sleep(1.0)  # the watcher's last poll well past
            edited.write_text(original.replace(f"  title: {title}\n", f"  title: {new}\n", 1), encoding="utf-8")
            saved = time.perf_counter()
            while f"{new}<" not in _get(url):
                if time.perf_counter() - saved > 120:
                    raise SystemExit(f"edit {n}: the page did not change in 120 s:\n{log.read_text(encoding='utf-8')[-3000:]}")
                time.sleep(0.02)
            seconds.append(time.perf_counter() - saved)
    finally:
        edited.write_text(original, encoding="utf-8")
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.unlink(missing_ok=True)
    print(
        json.dumps(
            {
                "live_first_build_s": round(first_build, 2),
                "live_save_to_page_s": round(median(seconds), 3),
                "live_edits_s": [round(s, 3) for s in seconds],
                "live_load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
