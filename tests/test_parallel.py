"""Node pages rendered on two cores (`build.parallel`): exactly the pages, files, warnings, problems and cache of one
process; one process again, said at info level, where the second fails or `fork` is missing."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from carepath.build import cached, parallel
from carepath.build.cache import Cache
from carepath.build.site import SitePages, build_site_pages
from carepath.problems import PathwayError
from carepath.settings import Settings
from helpers_site import TODAY

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import synth

NODES = 30


@pytest.fixture(autouse=True)
def _two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every site here is small: the parallel path is forced on, as on a 2-core machine."""
    monkeypatch.setenv("CAREPATH_TODAY", TODAY)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_NODES", 1)
    monkeypatch.setattr(cached, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "second_core_free", lambda: True)  # the test machine may be busy


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "kb"
    synth.write_project(folder, NODES, seed=11)
    return folder


@pytest.fixture(scope="module")
def serial(project: Path) -> SitePages:
    """The site as one process renders it."""
    with pytest.MonkeyPatch.context() as m:
        m.setenv("CAREPATH_TODAY", TODAY)
        return site(project / "pathway", parallel_on=False)


def site(pathway_dir: Path, parallel_on: bool, cache: Cache | None = None) -> SitePages:
    settings = Settings(pathway_dir=pathway_dir, site_url="https://example.org/care/")
    return build_site_pages(settings, cache, parallel=parallel_on)


def assert_same(a: SitePages, b: SitePages) -> None:
    assert list(a.pages) == list(b.pages)  # the same order too: MkDocs is handed the files in it
    assert a.pages == b.pages
    assert a.assets == b.assets
    assert a.warnings == b.warnings


def pids_rendering(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder that gets one file per process that renders a share of the node pages."""
    folder = tmp_path / "pids"
    folder.mkdir()
    share = parallel.render_share

    def noted(*args: object) -> object:
        (folder / str(os.getpid())).touch()
        return share(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "render_share", noted)
    return folder


def test_two_processes_render_the_pages_one_process_renders(project: Path, serial: SitePages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pids = pids_rendering(monkeypatch, tmp_path)
    both = site(project / "pathway", parallel_on=True)
    assert len(list(pids.iterdir())) == 2, "the node pages were not rendered by two processes"
    assert len(both.kb.nodes) >= NODES
    assert_same(serial, both)


def test_with_a_disk_cache_the_entries_and_counts_are_those_of_one_process(project: Path, tmp_path: Path) -> None:
    one, two = Cache(tmp_path / "one"), Cache(tmp_path / "two")
    assert_same(site(project / "pathway", False, one), site(project / "pathway", True, two))
    assert (one.hits, one.misses, one.stats) == (two.hits, two.misses, two.stats)
    assert one.stats["page-rendered"] >= NODES

    def files(folder: Path) -> set[str]:
        return {p.name for p in folder.rglob("*") if p.is_file()}

    assert files(tmp_path / "one") == files(tmp_path / "two")
    # Warm, each cache gives back what it stored.
    assert_same(site(project / "pathway", True, Cache(tmp_path / "one")), site(project / "pathway", True, Cache(tmp_path / "two")))


def test_bad_links_fail_with_the_same_problems_in_the_same_order(project: Path, tmp_path: Path) -> None:
    """Problems noted in either process come back at their file and line, as one process reports them."""
    bad = tmp_path / "pathway"
    shutil.copytree(project / "pathway", bad)
    spoiled = 0
    for path in sorted(bad.rglob("nodes.yml")):
        text = path.read_text(encoding="utf-8")
        # Links to a part of a page that it does not have (found only once every page is rendered), and to one of
        # its own, in every node text that links.
        text, n = re.subn(r"\(node:([a-z0-9-]+)\)", r"(node:\1) and [here](node:\1#no-such-part) or [there](#nor-this)", text)
        spoiled += n
        path.write_text(text, encoding="utf-8")
    assert spoiled >= 4
    with pytest.raises(PathwayError) as serial:
        site(bad, parallel_on=False)
    with pytest.raises(PathwayError) as both:
        site(bad, parallel_on=True)
    assert serial.value.report() == both.value.report()
    assert len(re.findall(r"nodes\.yml:\d+:\d+: [^\n]*node:[a-z0-9-]+#no-such-part", both.value.report())) >= 2
    assert len(re.findall(r"nodes\.yml:\d+:\d+: [^\n]*#nor-this", both.value.report())) >= 2


def test_a_failing_second_process_leaves_its_pages_to_this_one(project: Path, serial: SitePages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    share = parallel.render_share

    def dies_in_the_child(*args: object) -> object:
        if os.getpid() != parent:
            os._exit(3)  # as if killed: no word sent back
        return share(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "render_share", dies_in_the_child)
    said: list[str] = []
    cache = Cache(tmp_path / "cache", said.append)
    assert_same(serial, site(project / "pathway", True, cache))
    assert said == ["carepath: node pages rendered on one core: the second process failed (it ended with exit code 3); its pages are rendered in this one"]
    assert cache.stats["page-rendered"] >= NODES


def test_an_error_in_the_second_process_is_raised_here_with_its_traceback(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A genuine bug is not hidden: the pages fall to this process, where the same error raises."""
    from carepath.render.pages import Renderer

    render_node = Renderer.render_node

    def broken(self: Renderer, node_id: str) -> str:
        if node_id == sorted(self.kb.nodes)[1]:  # one of the second process's pages
            raise ZeroDivisionError("a bug")
        return render_node(self, node_id)

    monkeypatch.setattr(Renderer, "render_node", broken)
    said: list[str] = []
    with pytest.raises(ZeroDivisionError, match="a bug"):
        site(project / "pathway", True, Cache(None, said.append))
    assert said == ["carepath: node pages rendered on one core: the second process failed (ZeroDivisionError: a bug); its pages are rendered in this one"]


def test_without_fork_one_process_renders_and_says_so(project: Path, serial: SitePages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    pids = pids_rendering(monkeypatch, tmp_path)
    said: list[str] = []
    assert_same(serial, site(project / "pathway", True, Cache(None, said.append)))
    assert said == ["carepath: node pages rendered on one core: this system cannot fork a process"]
    assert not list(pids.iterdir())


def test_an_interrupted_render_leaves_no_second_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in this process while the second renders: it is ended, not waited for or left behind."""
    children: list[multiprocessing.process.BaseProcess] = []
    start = multiprocessing.process.BaseProcess.start

    def started(self: multiprocessing.process.BaseProcess) -> None:
        ours = getattr(self, "_target", None) is parallel._child  # not the QR codes' pool; gone once started
        start(self)
        if ours:
            children.append(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", started)
    parent = os.getpid()
    share = parallel.render_share

    def interrupted(*args: object) -> object:
        if os.getpid() == parent:
            raise KeyboardInterrupt
        time.sleep(60)  # the second process would still be at work
        return share(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "render_share", interrupted)
    with pytest.raises(KeyboardInterrupt):
        site(project / "pathway", parallel_on=True)
    assert len(children) == 1
    assert not children[0].is_alive()
    assert children[0].exitcode == -signal.SIGTERM  # ended at once, not after its minute of work


def test_a_busy_machine_renders_on_one_core(project: Path, serial: SitePages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the other core is taken, two processes would only share this one's: one renders, saying nothing."""
    monkeypatch.undo()
    monkeypatch.setenv("CAREPATH_TODAY", TODAY)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_NODES", 1)
    monkeypatch.setattr(cached, "workers", lambda: 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    # Idle and total ticks of the whole machine, as /proc/stat counts them: 0.3 of a core idle over the interval.
    samples = iter([(1000, 5000), (1003, 5020)])
    monkeypatch.setattr(parallel, "_idle_and_total", lambda: next(samples))
    assert not parallel.second_core_free()
    samples = iter([(1000, 5000), (1003, 5020), (1000, 5000), (1006, 5020)])
    pids = pids_rendering(monkeypatch, tmp_path)
    said: list[str] = []
    assert_same(serial, site(project / "pathway", True, Cache(None, said.append)))
    assert not said and not list(pids.iterdir())
    assert parallel.second_core_free()  # 0.6 of a core idle


def test_the_idle_time_is_read_from_this_machine() -> None:
    idle, total = parallel._idle_and_total()
    assert 0 <= idle <= total
