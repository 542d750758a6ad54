"""The node pages rendered on two cores: a forked process renders every other node's page while this one renders
the rest. `Renderer.render_all` puts each page, and the problems and anchor links rendering it noted, back in the
plan's order, so the site is the one a single process renders. Each process writes its own cache entries (atomic
files, `build.write`); neither reads what the other writes.

One process does it all, said through the cache's `warn` (info level in the plugin), where `fork` is missing or the
second process fails; a genuine rendering error then raises here, in this process, with its traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from typing import Any

from carepath.build import cached
from carepath.build.cache import Cache
from carepath.render.pages import RenderedNode, Renderer

PARALLEL_MIN_NODES = 200
"""Below this many node pages, one process: forking and sending the pages back costs more than it saves."""


def second_core_free() -> bool:
    """Whether a core is idle beside this process: the machine's idle time over a tenth of a second, counted in cores
    (`/proc/stat`), is at least half a core; True where it cannot be read. On a busy machine two processes only share
    this one's core and cost ~10% more CPU: at load 3 on 2 cores, 1,000 nodes took 23-25 s of wall time either way,
    with 2.5 s more CPU on two. The load average is no guide: it lags by a minute, so the build just before this one
    (or this build's own QR codes) would count as busy."""
    try:
        before = _idle_and_total()
        time.sleep(0.1)
        after = _idle_and_total()
    except (OSError, ValueError, IndexError):
        return True
    total = after[1] - before[1]
    return total <= 0 or (after[0] - before[0]) / total * (os.cpu_count() or 1) >= IDLE_CORES


IDLE_CORES = 0.5
"""How much of a core must be idle beside this process for the node pages to be rendered on two."""


def _idle_and_total() -> tuple[int, int]:
    """The machine's idle and total CPU time so far, in clock ticks (`/proc/stat`'s first line)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; user .. steal


_Counts = tuple[int, int, int, dict[str, int]]
"""A cache's hits, misses, rejected entries and event counts (`Cache.stats`)."""


def _counts(cache: Cache) -> _Counts:
    return cache.hits, cache.misses, cache.rejected, dict(cache.stats)


def _since(cache: Cache, before: _Counts) -> _Counts:
    hits, misses, rejected, stats = before
    grown = {event: n - stats.get(event, 0) for event, n in cache.stats.items() if n != stats.get(event, 0)}
    return cache.hits - hits, cache.misses - misses, cache.rejected - rejected, grown


def _add(cache: Cache, counts: _Counts) -> None:
    hits, misses, rejected, stats = counts
    cache.hits += hits
    cache.misses += misses
    cache.rejected += rejected
    for event, n in stats.items():
        cache.stats[event] = cache.stats.get(event, 0) + n


def render_share(renderer: Renderer, cache: Cache, node_ids: list[str]) -> tuple[dict[str, RenderedNode], _Counts]:
    """The pages of `node_ids` with what rendering each noted, and what it added to the cache's counts."""
    before = _counts(cache)
    done = {node_id: renderer.render_node_noted(node_id) for node_id in node_ids}
    return done, _since(cache, before)


def _child(renderer: Renderer, cache: Cache, node_ids: list[str], out: Connection) -> None:
    """The second process: its share of the pages sent back whole, or why it could not render them."""
    try:
        result: Any = ("pages", *render_share(renderer, cache, node_ids))
    except BaseException as exc:  # noqa: BLE001 - told to the parent, which renders these pages itself
        result = ("failed", f"{type(exc).__name__}: {exc}")
    out.send(result)
    out.close()


def render_node_pages(renderer: Renderer, cache: Cache) -> dict[str, RenderedNode]:
    """Every node page by node id, made on two cores, for `renderer.render_all`; only those this process rendered
    (`render_all` renders the others itself) when the second process failed; none on one core, when the other core
    is busy (`second_core_free`), without `fork`, or below `PARALLEL_MIN_NODES` nodes."""
    node_ids = sorted(renderer.kb.nodes)
    if len(node_ids) < PARALLEL_MIN_NODES or cached.workers() < 2 or not second_core_free():
        return {}
    if "fork" not in multiprocessing.get_all_start_methods():
        _say(cache, "this system cannot fork a process")
        return {}
    # Every other page, not two halves: the pages of one kind (and cost) are not spread evenly through the ids.
    mine, theirs = node_ids[0::2], node_ids[1::2]
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(renderer, cache, theirs, send))
    try:
        child.start()
        send.close()  # this process's copy: the child's end closing is then the end of what it sends
        done, _ = render_share(renderer, cache, mine)  # counted in this process's cache as it goes
        try:
            result = receive.recv()
        except (EOFError, OSError):  # the process died without a word (killed, out of memory)
            child.join()
            result = ("failed", f"it ended with exit code {child.exitcode}")
        child.join()
    finally:
        if child.is_alive():  # an error or Ctrl-C here: the second process goes too, and nothing waits for it
            child.terminate()
            child.join()
        receive.close()
    if result[0] != "pages":
        _say(cache, f"the second process failed ({result[1]}); its pages are rendered in this one")
        return done
    theirs_done, counts = result[1], result[2]
    _add(cache, counts)
    done.update(theirs_done)
    return done


def _say(cache: Cache, why: str) -> None:
    if cache.warn is not None:
        cache.warn(f"carepath: node pages rendered on one core: {why}")
