"""Review words in page text: a page says whether it is a draft from its `review:` metadata, so text that
says it too ("This page is a draft", "awaits clinical review") goes stale the day the page is reviewed, and
then tells readers a reviewed page is not. Pure: returns problems, never reads files."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache

from carepath.load import Entry, Loaded
from carepath.model.graph import EDGE_FIELDS, KnowledgeBase
from carepath.problems import Problem, quote

REVIEW_WORDS = re.compile(
    r"\b(?:"
    r"is (?:still |only )?(?:a |in )?draft"
    r"|draft (?:page|version|text|content|warning sign)"
    r"|(?:awaits|awaiting|pending|needs|still needs|not yet had|has not had) (?:a )?(?:clinical |medical )?review"
    r"|(?:not|never) (?:yet )?(?:been )?(?:clinically |medically )?reviewed"
    r"|under (?:clinical |medical )?review"
    r")\b",
    re.IGNORECASE,
)
"""What a page's review notice says, written into the text itself."""

NOT_TEXT = frozenset({"id", "aliases", "type", "urgency", "route", "review", "codes", "sources", "synonyms", "pathway", *EDGE_FIELDS})
"""Keys whose values readers never read as prose on the page (ids, levels, the review metadata itself, citations)."""


def check_review_words(kb: KnowledgeBase, entry_of: Mapping[str, Entry], loaded: Loaded) -> list[Problem]:
    """Every text field of every node and glossary entry that states a review status, as errors at its line."""
    problems = []
    for node_id, node in sorted(kb.nodes.items()):
        for loc, text in _texts(node.model_dump(mode="json", by_alias=True)):
            found = review_words(text)
            if found:
                where = entry_of[node_id].locate(*loc)
                problems.append(Problem(where, f"{kb.kind(node_id)} '{node_id}': '{_name(loc)}' {_says(found)}"))
    for term, where in loaded.glossary:
        for loc, text in _texts(term.model_dump(mode="json")):
            found = review_words(text)
            if found:
                problems.append(Problem(where, f"glossary entry {quote(term.term)}: '{_name(loc)}' {_says(found)}"))
    return problems


@lru_cache(maxsize=1 << 16)
def review_words(text: str) -> str | None:
    """The first words of `text` that state a review status, or None. Remembered by text, as `routes.first_route` is:
    under `mkdocs serve` every text of every node is checked again after each edit, and almost all are the same."""
    found = REVIEW_WORDS.search(text)
    return found.group(0) if found else None


def _says(words: str) -> str:
    return (
        f"says {quote(words)}; the page shows its review status from 'review:' (AUTHORING.md, 'Review metadata'), "
        "and the text would still say it once the page is reviewed: remove it"
    )


def _name(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _texts(value: object, loc: tuple[str | int, ...] = (), skip: frozenset[str] = NOT_TEXT) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in skip:
                yield from _texts(inner, loc + (key,), skip)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _texts(inner, loc + (i,), skip)


_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters other than tab and line breaks, and `HIDDEN_CONTROLS`."""


def hidden_control(text: str) -> str:
    """Why `text` holds an invisible character that changes how it reads, or '' when it holds none."""
    m = _HIDDEN.search(text)
    if m is None:
        return ""
    c = m.group()
    return f"contains the invisible character U+{ord(c):04X} ({unicodedata.name(c, 'a control character')}), which can change how the text reads; remove it"
