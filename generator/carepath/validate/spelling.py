"""One spelling in source text: the site says which it is written in (`vocabulary: spelling:`), an edition that
reads the other converts it word by word (`text/spelling.py`), so a word of the other spelling would be left as
it is in one edition and be wrong there. Pure: returns problems, never reads files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from carepath.load import Entry, Loaded
from carepath.model.graph import EDGE_FIELDS, KnowledgeBase, Position
from carepath.problems import Problem, quote
from carepath.text.spelling import KEPT_FIELDS, Table, kept_phrases, other_spelling, table, words_to_respell
from carepath.validate.wording import _name, _texts

NOT_CHECKED = frozenset({*KEPT_FIELDS, *EDGE_FIELDS})
"""Not converted: ids, references, citations, owners. `synonyms` are checked: the A to Z page lists them."""


def foreign_words(text: str, written_in: str, kept: Sequence[str] = ()) -> Iterator[tuple[int, str, str]]:
    """(offset, word, the word in `written_in` spelling) of each word of the other spelling in `text`, as an edition
    would convert it: not in code, link targets, HTML or the `kept` source titles and publishers."""
    found: Table = table(other_spelling(written_in), written_in)
    for start, end in words_to_respell(text, found, kept):
        yield start, text[start:end], found.respelt(text[start:end])


def _says(word: str, ours: str, written_in: str) -> str:
    return (
        f"says {quote(word)}, {other_spelling(written_in)} spelling, but the site is written in {written_in} spelling "
        f"('vocabulary: spelling'): write {quote(ours)}, which each edition shows in its own spelling (AUTHORING.md, 'Editions')"
    )


def check_spelling(kb: KnowledgeBase, entry_of: Mapping[str, Entry], loaded: Loaded) -> list[Problem]:
    """Every text field of every node and glossary entry that holds a word of the spelling the site is not written
    in, as errors at its line; none when the site declares no spelling."""
    written_in = kb.spelling
    if written_in is None:
        return []
    kept = kept_phrases(kb)
    problems = []
    for node_id, node in sorted(kb.nodes.items()):
        for loc, text in _texts(node.model_dump(mode="json", by_alias=True), skip=NOT_CHECKED):
            for _, word, ours in foreign_words(text, written_in, kept):
                problems.append(Problem(entry_of[node_id].locate(*loc), f"{kb.kind(node_id)} '{node_id}': '{_name(loc)}' {_says(word, ours, written_in)}"))
    for term, where in loaded.glossary:
        for loc, text in _texts(term.model_dump(mode="json"), skip=NOT_CHECKED):
            for _, word, ours in foreign_words(text, written_in, kept):
                problems.append(Problem(where, f"glossary entry {quote(term.term)}: '{_name(loc)}' {_says(word, ours, written_in)}"))
    return problems


def file_spelling(text: str, path: str, written_in: str | None) -> list[Problem]:
    """Every word of the other spelling in a hand-written page, at its line and column, as errors."""
    if written_in is None:
        return []
    problems = []
    for offset, word, ours in foreign_words(text, written_in):
        line = text.count("\n", 0, offset) + 1
        problems.append(Problem(Position(path, line, offset - text.rfind("\n", 0, offset)), _says(word, ours, written_in)))
    return problems
