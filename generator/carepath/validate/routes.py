"""Literal routes: pathway text, hand-written pages and templates never hold an emergency number or a place to get
help ("911", "A&E", "urgent care"). Those differ by country, so the edition's locale profile supplies them (the
`routes:` of `carepath/words/<edition>.yml`), from a sign's `urgency`. Pure: returns problems, never reads files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from carepath.load import Entry, Loaded
from carepath.model.graph import KnowledgeBase, Position
from carepath.problems import Problem, quote
from carepath.validate.wording import _name, _texts
from carepath.words import Words

ROUTE_NUMBERS = ("911", "999", "112", "000", "111", "988", "116 123")
"""Emergency and crisis numbers of the countries Carepath is published for or readers come from (US, UK, EU,
Australia; NHS 111, the 988 Lifeline, Samaritans)."""

ROUTE_PHRASES = (
    "A&E",
    "accident and emergency",
    "emergency department",
    "emergency room",
    "call an ambulance",
    "urgent care",
    "urgent treatment centre",
    "urgent treatment center",
    "walk-in centre",
    "walk-in center",
    "Suicide and Crisis Lifeline",
    "Samaritans",
)
"""Places and services to get help at, whose names differ by country."""

ROUTE_PHRASES_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "es": (
        "sala de emergencias",
        "sala de urgencias",
        "servicio de urgencias",
        "atención de urgencia",
        "centro de urgencias",
        "llame a una ambulancia",
        "pida una ambulancia",
        "Línea 988",
        "Prevención del Suicidio",
        "línea de crisis",
    ),
}
"""The same places and services in another language's words, checked in its translations (`translation.py`) with
the numbers and the English phrases, which a translation may leave untranslated."""

LITERAL_ROUTE = re.compile(
    r"(?<![\w.,/:#-])(?:" + "|".join(re.escape(n) for n in ROUTE_NUMBERS) + r")(?![\w]|[.,/:-]\d)"
    r"|(?<![\w&])(?:" + "|".join(re.escape(p) for p in ROUTE_PHRASES) + r")(?![\w&])",
    re.IGNORECASE,
)
"""A number on its own (not part of `1,000`, a code or a date) or a phrase as words."""

PLACEHOLDER = re.compile(r"\{\{\s*routes\.([A-Za-z0-9_]+)\s*\}\}")
"""Where a hand-written page asks for its edition's route words: `{{ routes.emergency }}`."""

WHY = (
    "the edition's locale profile says whom to call and where to go, from the sign's 'urgency' "
    "(AUTHORING.md, 'Editions'): remove it"
)


def literal_routes(text: str, language: str = "en") -> Iterator[re.Match[str]]:
    """Every emergency number or route phrase in `text`; in another `language`, its own route phrases too."""
    yield from LITERAL_ROUTE.finditer(text)
    phrases = ROUTE_PHRASES_BY_LANGUAGE.get(language, ())
    if phrases:
        yield from re.finditer(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)", text, re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def first_route(text: str) -> str | None:
    """The first emergency number or route phrase in `text`, or None. Remembered by text: under `mkdocs serve` every
    text of every node is checked again after each edit, and almost all are the same."""
    found = next(literal_routes(text), None)
    return found.group(0) if found else None


def check_literal_routes(kb: KnowledgeBase, entry_of: Mapping[str, Entry], loaded: Loaded) -> list[Problem]:
    """Every text field of every node and glossary entry that names a number or a place to get help, as errors at its line."""
    problems = []
    for node_id, node in sorted(kb.nodes.items()):
        for loc, text in _texts(node.model_dump(mode="json", by_alias=True)):
            found = first_route(text)
            if found:
                where = entry_of[node_id].locate(*loc)
                problems.append(Problem(where, f"{kb.kind(node_id)} '{node_id}': '{_name(loc)}' says {quote(found)}; {WHY}"))
    for term, where in loaded.glossary:
        for loc, text in _texts(term.model_dump(mode="json")):
            found = first_route(text)
            if found:
                problems.append(Problem(where, f"glossary entry {quote(term.term)}: '{_name(loc)}' says {quote(found)}; {WHY}"))
    return problems


def file_routes(text: str, path: str) -> list[Problem]:
    """Every number or route phrase in a hand-written page or a template, at its line and column, as errors.
    A page writes `{{ routes.emergency }}` (any entry of the profile's `routes:`) instead."""
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        for found in literal_routes(line):
            message = f"says {quote(found.group(0))}; write '{{{{ routes.emergency }}}}' (or another entry of the edition's 'routes:'): {WHY}"
            problems.append(Problem(Position(path, n, found.start() + 1), message))
    return problems


def fill_routes(text: str, words: Words, path: str) -> tuple[str, list[Problem]]:
    """A hand-written page with each `{{ routes.<name> }}` replaced by its edition's words; an unknown name is an error."""
    problems = []

    def fill(m: re.Match[str]) -> str:
        key = f"routes.{m.group(1)}"
        if words.has(key):
            return words.get(key)
        line = text.count("\n", 0, m.start()) + 1
        known = ", ".join(sorted(k.removeprefix("routes.") for k in words.entries if k.startswith("routes.")))
        problems.append(
            Problem(
                Position(path, line, m.start() - text.rfind("\n", 0, m.start())),
                f"no route {quote(m.group(1))} in the edition's profile; one of: {known}",
            )
        )
        return m.group(0)

    return PLACEHOLDER.sub(fill, text), problems
