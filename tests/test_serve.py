"""`make serve` (`carepath serve`: MkDocs' live preview with `--dirty`) driven as an author uses it: a real server
on a free port, edits on disk, and an HTTP client with a timeout on every request, so a hang fails the test."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from carepath.cli.main import main
from carepath.cli.serve import POLL_SECONDS, RUN_SERVE
from helpers_site import SITE_FIXTURE, copy_project, env

REQUEST_TIMEOUT = 10.0
"""Seconds any one request may take: MkDocs' server used to hold every request until a failed build was fixed."""
WAIT = 90.0
"""Seconds a rebuild may take to show, on a machine busy with other tests."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    status: int
    body: str


@dataclass
class Server:
    port: int
    process: subprocess.Popen[str]
    log: Path

    def get(self, path: str) -> Answer:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=REQUEST_TIMEOUT) as r:
                return Answer(r.status, r.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read().decode("utf-8"))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def until(self, path: str, ok: Callable[[Answer], bool], what: str) -> Answer:
        deadline = time.monotonic() + WAIT
        while True:
            answer = self.get(path)
            if ok(answer):
                return answer
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"{what}: /{path} answered {answer.status}\n{self.output()[-3000:]}")
            time.sleep(0.3)


@contextmanager
def serving(project: Path, port: int | None = None) -> Iterator[Server]:
    port = port or free_port()
    log = project.parent / f"serve-{port}.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "carepath", "serve", "--port", str(port)],
            cwd=project, env=env(), stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
    server = Server(port, process, log)
    try:
        deadline = time.monotonic() + WAIT
        while f"Serving on http://127.0.0.1:{port}/" not in server.output():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the preview did not start (exit {process.poll()}):\n{server.output()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


BROKEN = "  - id: [biologic-injection\n"


def test_a_build_error_is_a_page_in_the_browser_until_it_is_fixed(tmp_path: Path) -> None:
    """Broken YAML at start and during the preview: every page request answers at once with the `file:line:col`
    message (status 500), and the real page comes back by itself when the file is fixed."""
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    care = project / "pathway" / "care.yml"
    edit(care, "  - id: biologic-injection\n", BROKEN)
    with serving(project) as server:
        broken = server.get("preventer-inhaler/")
        assert broken.status == 500
        assert "pathway/care.yml:37:9: YAML syntax error" in broken.body, broken.body
        assert "livereload(" in broken.body, "the error page reloads itself when a build succeeds"
        assert "Traceback" not in server.output()

        edit(care, BROKEN, "  - id: biologic-injection\n")
        fixed = server.until("preventer-inhaler/", lambda a: a.status == 200, "the page after the fix")
        assert "Preventer inhaler" in fixed.body

        edit(care, "  - id: biologic-injection\n", BROKEN)
        again = server.until("preventer-inhaler/", lambda a: a.status == 500, "the error page after a second break")
        assert "pathway/care.yml:37:9: YAML syntax error" in again.body
        assert server.get("stylesheets/carepath.css").status in (200, 404), "assets are never swapped for the page"
        edit(care, BROKEN, "  - id: biologic-injection\n")
        server.until("preventer-inhaler/", lambda a: a.status == 200, "the page after the second fix")
        assert "Traceback" not in server.output()


def search_index(server: Server) -> list[str]:
    return [d["location"] for d in json.loads(server.get("search/search_index.json").body)["docs"]]


def test_a_node_deleted_during_the_preview_answers_404_and_leaves_search(tmp_path: Path) -> None:
    """Issue 26, item 3: MkDocs' `--dirty` never deletes, so a renamed (old id gone) node still answered 200 and
    stayed in the search index; the pages the rename re-rendered were also listed twice there."""
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    with serving(project) as server:
        assert server.get("biologic-injection/").status == 200
        before = search_index(server)
        assert "biologic-injection/" in before
        for name in ("care.yml", "pathway.yml"):
            edit(project / "pathway" / name, "biologic-injection", "biologic-shot")
        server.until("biologic-shot/", lambda a: a.status == 200, "the renamed node's page")
        assert server.get("biologic-injection/").status == 404
        after = search_index(server)
        assert "biologic-shot/" in after
        assert not [loc for loc in after if loc.startswith("biologic-injection/")]
        assert len(after) == len(set(after)), "no page is listed twice"
        assert len(after) == len(before)
        # Renamed back: the page comes back with the very text it had, which the server must write again.
        for name in ("care.yml", "pathway.yml"):
            edit(project / "pathway" / name, "biologic-shot", "biologic-injection")
        server.until("biologic-injection/", lambda a: a.status == 200, "the node's page under its old id again")
        assert server.get("biologic-shot/").status == 404
        assert sorted(search_index(server)) == sorted(before)


def test_two_previews_of_one_project_both_work(tmp_path: Path) -> None:
    """Issue 26, item 3: two `make serve` on one project share its cache; both build and follow an edit, and
    neither dies on the other's files (each has its own folder of generated pages)."""
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    with serving(project) as first, serving(project) as second:
        for server in (first, second):
            assert server.get("preventer-inhaler/").status == 200
        edit(project / "pathway" / "care.yml", "title: Preventer inhaler\n", "title: Daily preventer inhaler\n")
        for server in (first, second):
            server.until("preventer-inhaler/", lambda a: "Daily preventer inhaler" in a.body, "the edit in both previews")
        for server in (first, second):
            assert "Traceback" not in server.output() and "Error" not in server.output(), server.output()[-3000:]


def test_serve_on_a_busy_port_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--config", str(SITE_FIXTURE / "mkdocs.yml")]) == 1
    err = capsys.readouterr().err
    assert err == f"serve: port {port} on 127.0.0.1 is already in use (another preview?); choose another with `make serve PORT={port + 1}`\n"


def test_a_port_taken_after_the_check_is_the_same_one_line(tmp_path: Path) -> None:
    """The port is taken between the check and MkDocs' bind (after its first build): still one line, exit 1."""
    project = copy_project(SITE_FIXTURE, tmp_path / "p")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--dirty", "--no-strict", "--dev-addr", f"127.0.0.1:{port}"]
        out = subprocess.run(
            [sys.executable, "-c", RUN_SERVE, "127.0.0.1", str(port), str(POLL_SECONDS), *args],
            cwd=project, env=env(), capture_output=True, text=True, timeout=WAIT, check=False,
        )
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1] == f"serve: port {port} on 127.0.0.1 is already in use (another preview?); choose another with `make serve PORT={port + 1}`"
    assert "Traceback" not in out.stderr


def test_the_makefile_passes_port_and_the_readme_says_how() -> None:
    from helpers_site import REPO

    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "PORT ?= 8000" in makefile and "carepath serve --port $(PORT)" in makefile
    assert "make serve PORT=8001" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_preview_polls_for_saves_more_often_than_mkdocs_does(tmp_path: Path) -> None:
    """`carepath serve` runs MkDocs' server with its own polling interval (MkDocs' command line has no option for it)."""
    code = RUN_SERVE.replace("cli(sys.argv[4:], prog_name=\"mkdocs\")", "print(livereload.LiveReloadServer(builder=print, host='127.0.0.1', port=0, root='.').observer.timeout)")
    out = subprocess.run([sys.executable, "-c", code, "127.0.0.1", "0", str(POLL_SECONDS)], capture_output=True, text=True, timeout=WAIT, check=True)
    assert float(out.stdout.strip()) == POLL_SECONDS < 0.5
