"""Carepath: care pathways as data, rendered into a static patient-friendly site.

The public API lives here (defined in `carepath.api`, imported on first use so that `python -m carepath` and the
`carepath` command start without loading the model: a Ctrl-C in their first moments is one line, never a
traceback). Everything in this package except `plugin.py` is free of MkDocs imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carepath.api import KnowledgeBase, PathwayError, Problem, check_pathway, load_knowledge_base

__all__ = ["KnowledgeBase", "PathwayError", "Problem", "check_pathway", "load_knowledge_base"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from carepath import api

        return getattr(api, name)
    raise AttributeError(f"module 'carepath' has no attribute {name!r}")
