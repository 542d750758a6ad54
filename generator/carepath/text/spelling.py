"""Spelling variants: pathway text is written in one spelling (`vocabulary: spelling:`), and an edition that reads
the other gets it converted, word by word, from the curated table `carepath/words/spelling.yml`. Pure apart from
reading that table once; it never reads pathway files.

Only what Markdown shows as words changes: never code, a link's target, raw HTML, an id or a code; and never a
word inside a source's title or publisher, which is quoted as published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel

from carepath.model.graph import GlossaryEntry, KnowledgeBase, Source
from carepath.text.reading import RAW, read
from carepath.words import WordsError

TABLE = "carepath/words/spelling.yml"

KEPT_FIELDS = frozenset(
    {"id", "aliases", "type", "urgency", "route", "review", "codes", "sources", "source", "conditions", "pathway", "owner", "url"}
)
"""Fields never respelt or checked: ids, levels, citations (a source is quoted as published), the review metadata,
and who owns a pathway (a name is written as its owner writes it). References are kept by the edge fields too."""


BARE_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
"""An address written out in the text, which Markdown shows as words but is kept as written."""


FORM_LISTS = frozenset({"synonyms", "also"})
"""Lists of other words for one thing, which may name it in both spellings: respelt, each word is listed once."""


@dataclass(frozen=True)
class Table:
    """The word pairs one way: each word of the spelling a text is written in -> the other spelling's."""

    pairs: dict[str, str]
    pattern: re.Pattern[str]

    def respelt(self, word: str) -> str:
        """`word` in the other spelling, in the case it was written in (`Programme` -> `Program`)."""
        other = self.pairs[word.lower()]
        if word.isupper() and len(word) > 1:
            return other.upper()
        if word[0].isupper():
            return other[0].upper() + other[1:]
        return other


@cache
def british_to_american() -> dict[str, str]:
    """The curated pairs, British -> American, as `spelling.yml` lists them."""
    text = resources.files("carepath").joinpath("words", "spelling.yml").read_text(encoding="utf-8")
    pairs = (yaml.safe_load(text) or {}).get("british_to_american")
    if not isinstance(pairs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs.items()):
        raise WordsError(f"{TABLE}: 'british_to_american' must map words to words")
    return {k.lower(): v.lower() for k, v in pairs.items()}


@cache
def table(written_in: str, shown_in: str) -> Table:
    """The pairs that turn text written in `written_in` spelling into `shown_in` spelling."""
    pairs = british_to_american()
    if written_in == "american":
        pairs = {v: k for k, v in pairs.items()}
    if written_in == shown_in:
        pairs = {}
    alternatives = "|".join(re.escape(w) for w in sorted(pairs, key=len, reverse=True)) or r"(?!x)x"
    # A word joined to another by a hyphen is left as written: that is what an id looks like (`exercise-program`).
    return Table(pairs, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE))


def other_spelling(spelling: str) -> str:
    return "american" if spelling == "british" else "british"


def words_to_respell(text: str, found: Table, kept: Sequence[str] = ()) -> Iterator[tuple[int, int]]:
    """The (start, end) of each word of `found`'s table that Markdown shows as words in `text`: not in code, a link
    target or HTML, and not inside any of the `kept` phrases (source titles and publishers)."""
    if not found.pattern.search(text):
        return
    keep = [(m.start(), m.end()) for phrase in kept if phrase and phrase in text for m in re.finditer(re.escape(phrase), text)]
    keep += [(m.start(), m.end()) for m in BARE_ADDRESS.finditer(text)]
    for run in read(text, lambda block: found.pattern.search(block) is not None).runs:
        if run.kind == RAW:
            continue
        for m in found.pattern.finditer(run.masked):
            start, end = run.start + m.start(), run.start + m.end()
            if not any(s <= start and end <= e for s, e in keep):
                yield start, end


def respell(text: str, found: Table, kept: Sequence[str] = ()) -> str:
    """`text` with each word of the table in the other spelling, in its own case (see `words_to_respell`)."""
    spans = list(words_to_respell(text, found, kept))
    for start, end in reversed(spans):
        text = text[:start] + found.respelt(text[start:end]) + text[end:]
    return text


def kept_phrases(kb: KnowledgeBase) -> list[str]:
    """What is quoted as published wherever it is written: each source's title and publisher."""
    out = {s.title for s in kb.sources.values()} | {s.publisher for s in kb.sources.values() if s.publisher}
    for node in kb.nodes.values():
        for source in node.sources:
            if isinstance(source, Source):
                out |= {source.title, source.publisher or ""}
    return sorted(p for p in out if p)


def _respelt(value: Any, found: Table, kept: Sequence[str]) -> Any:
    if isinstance(value, str):
        return respell(value, found, kept)
    if isinstance(value, list):
        return [_respelt(v, found, kept) for v in value]
    if isinstance(value, dict):
        return {k: _respelt(v, found, kept) for k, v in value.items()}
    if isinstance(value, BaseModel):
        update = {name: _respelt(v, found, kept) for name, v in value if name not in KEPT_FIELDS and v is not None}
        for name in FORM_LISTS & update.keys():
            update[name] = list(dict.fromkeys(update[name]))  # "tumour, tumor" is one word in either edition
        changed = {name: v for name, v in update.items() if v != getattr(value, name)}
        return value.model_copy(update=changed) if changed else value
    return value


def _glossary_entry(entry: GlossaryEntry, found: Table, kept: Sequence[str]) -> GlossaryEntry:
    """The entry respelt, its written forms kept among its `also`, so a term matches in either spelling."""
    new = _respelt(entry, found, kept)
    assert isinstance(new, GlossaryEntry)
    forms = [f for f in (entry.term, *entry.also) if f not in (new.term, *new.also)]
    return new.model_copy(update={"also": [*new.also, *forms]}) if forms else new


def in_spelling(kb: KnowledgeBase, shown_in: str) -> KnowledgeBase:
    """The knowledge base as an edition that reads `shown_in` spelling shows it: every text field of every node
    and glossary entry respelt from the site's own spelling (`kb.spelling`). The same object when nothing changes
    (no spelling declared, or the edition reads the one written)."""
    if kb.spelling is None or kb.spelling == shown_in:
        return kb
    found, kept = table(kb.spelling, shown_in), kept_phrases(kb)
    new = replace(kb, nodes={i: _respelt(n, found, kept) for i, n in kb.nodes.items()}, glossary=[_glossary_entry(g, found, kept) for g in kb.glossary])
    new.shown_spelling = shown_in
    new.index_edges()
    return new
