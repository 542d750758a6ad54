"""Problems found in the input: where, what, and how bad. Collected, never raised one by one."""

from __future__ import annotations

import difflib
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from carepath.model.graph import Position


@dataclass(frozen=True, order=True)
class Problem:
    position: Position
    message: str
    severity: Literal["error", "warning", "note"] = "error"
    """A warning fails a strict build; a note (such as a diagram shown as a list only) is information."""

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.position}: {tag}{self.message}"


class PathwayError(Exception):
    """Bad input: carries every problem found, so a caller can print them all and exit 1."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        super().__init__(self.report())

    def report(self) -> str:
        """Every error and warning, then the count of errors. Notes (a draft's missing decision aids) are left
        out: they inform an editor at `check`, and beside errors to fix they are only noise."""
        errors = sum(p.severity == "error" for p in self.problems)
        lines = [str(p) for p in self.problems if p.severity != "note"]
        lines.append(f"{errors} error{'s' if errors != 1 else ''} in the pathway data")
        return "\n".join(lines)


def _sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.position.path, p.position.line, p.position.col, p.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=_sort_key)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the nearest candidate, or '' when none is close."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean '{match[0]}'?)" if match else ""


class Suggester:
    """`did_you_mean` against one fixed set of ids, for many words, in bounded time.

    Thousands of misspelt references against thousands of ids would take minutes of fuzzy matching;
    past a budget of comparisons the messages simply go without a suggestion.
    """

    BUDGET = 100_000

    def __init__(self, candidates: Iterable[str]) -> None:
        self.candidates = sorted(candidates)
        self.budget = self.BUDGET
        self.cache: dict[str, list[str]] = {}

    def hint(self, word: str, usable: Callable[[str], bool] | None = None) -> str:
        """The nearest candidate that is `usable` (all are, without it): ids that mean something only in
        some places (a pathway's own stage by its short id) are offered only where they work."""
        if word not in self.cache:
            if self.budget < len(self.candidates):
                return ""
            self.budget -= len(self.candidates)
            self.cache[word] = difflib.get_close_matches(word, self.candidates, n=3, cutoff=0.75)
        match = next((m for m in self.cache[word] if usable is None or usable(m)), None)
        return f" (did you mean '{match}'?)" if match else ""


def local_elsewhere(short: str, options: Iterable[str], prefix: str = "", page: bool = False) -> str:
    """What to say of a short id that names no node where it is written, only nodes local to other pathways
    (or, on a hand-written `page`, local to several)."""
    full = list(options)
    owners = ", ".join(repr(o.split("/", 1)[0]) for o in full)
    whose = f"a node of pathway {owners}" if len(full) == 1 else f"a node of several pathways ({owners})"
    choice = repr(prefix + full[0]) if len(full) == 1 else "one of " + ", ".join(repr(prefix + o) for o in full)
    if page:  # a hand-written page belongs to no pathway: its short id is ambiguous, not out of reach
        return f"{quote(short)}, {whose}; write {choice}"
    return (
        f"{quote(short)}, {whose}; a short id reaches only the pathway's own nodes and the shared library: "
        f"write {choice}, or move the node to the shared library"
    )


def quote(value: object, limit: int = 60) -> str:
    """A value quoted for a one-line message: control characters escaped, long text cut short."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"'{shown}'"


def command(*args: str) -> str:
    """A `python -m carepath ...` command line that works when pasted: it names this Python (as
    `.venv/bin/python` when run from the project), not a bare `python` that may lack Carepath."""
    exe = Path(sys.executable)
    try:
        shown = exe.relative_to(Path.cwd()).as_posix()
    except ValueError:
        shown = str(exe)
    return shlex.join([shown, "-m", "carepath", *args])

