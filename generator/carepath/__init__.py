"""Carepath: care pathways as data, rendered into a static patient-friendly site.

The public API lives here (defined in `carepath.api`, imported on first use so that `python -m carepath` and the
`carepath` command start without loading the model: a Ctrl-C in their first moments is one line, never a
traceback). Everything in this package except `plugin.py` is free of MkDocs imports.
"""

from __future__ import annotations

TYPE_CHECKING = False
"""Not `typing`'s: importing `typing` takes long enough at start-up for a Ctrl-C to land in it, before the
entry point can answer it in one line (mypy reads any `TYPE_CHECKING` as true)."""

if TYPE_CHECKING:
    from typing import Any

    from carepath.api import KnowledgeBase, PathwayError, Problem, check_pathway, load_knowledge_base

__all__ = ["KnowledgeBase", "PathwayError", "Problem", "check_pathway", "load_knowledge_base"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from carepath import api

        return getattr(api, name)
    raise AttributeError(f"module 'carepath' has no attribute {name!r}")
