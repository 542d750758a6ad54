"""The public API, imported lazily by the package (`carepath/__init__.py`), so that starting the command line
imports nothing heavy before it can answer Ctrl-C with one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carepath.load import ParseCache, load_pathway
from carepath.model.graph import KnowledgeBase
from carepath.problems import PathwayError, Problem, sort_problems
from carepath.validate.graph import validate

__all__ = ["KnowledgeBase", "PathwayError", "Problem", "check_pathway", "load_knowledge_base"]


def check_pathway(pathway_dir: Path, today: dt.date | None = None, parsed: ParseCache | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Load and validate; return the knowledge base and every problem (errors and warnings), sorted. `parsed`: files
    parsed by an earlier load (`load.ParseCache`)."""
    kb, problems = validate(load_pathway(Path(pathway_dir), parsed), today)
    return kb, sort_problems(problems)


def load_knowledge_base(
    pathway_dir: Path, today: dt.date | None = None, parsed: ParseCache | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    """Like `check_pathway`, but raise `PathwayError` with every problem if any is an error.

    Returns the warnings (for example pages due for review) for the caller to report.
    """
    kb, problems = check_pathway(pathway_dir, today, parsed)
    if any(p.severity == "error" for p in problems):
        raise PathwayError(problems)
    return kb, problems
