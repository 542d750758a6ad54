"""Running Graphviz: the pinned `graphviz-pure` program found and given DOT source, its SVG returned.
Knows nothing of pathways; the build cache may stand in for it through `LAYOUT`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

from carepath.diagram.errors import DiagramError

__all__ = ["DOT_PROGRAM", "LAYOUT", "dot_command", "run_dot"]


DOT_PROGRAM = "graphviz-pure"
"""The `dot` command line of the `graphviz-pure` wheel (pinned in pyproject.toml): the same bytes on every
machine, which Debian's `dot` cannot promise, so the overview's golden files hold everywhere."""

DOT_TIMEOUT_S = 120
"""A last resort only: the size limits in `overview.py` keep Graphviz far from it."""


LAYOUT: ContextVar[Callable[[str, str], str] | None] = ContextVar("LAYOUT", default=None)
"""How the overview's DOT source becomes SVG: `run_dot` unless the build cache sets a memo of it."""


def dot_command() -> str:
    """The path of the `graphviz-pure` program: the one installed beside this Python first, then PATH."""
    names = [DOT_PROGRAM + (".exe" if os.name == "nt" else "")]
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which(DOT_PROGRAM)
    if found:
        return found
    raise DiagramError(
        f"the Graphviz layout program '{DOT_PROGRAM}' was not found; it comes with carepath's dependencies "
        "(pip install graphviz-pure==0.2.2)"
    )


def run_dot(source: str, what: str) -> str:
    """Lay out `source` with Graphviz `dot`; `what` names it in an error."""
    try:
        proc = subprocess.run(
            [dot_command(), "-Tsvg"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DiagramError(f"{what}: Graphviz did not finish in {DOT_TIMEOUT_S} s; set 'diagrams: false' for the carepath plugin") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise DiagramError(f"{what}: Graphviz failed (exit {proc.returncode}): {err}")
    return proc.stdout.decode("utf-8")
