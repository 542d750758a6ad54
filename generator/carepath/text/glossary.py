"""Glossary annotation of a node page's Markdown: link each term's first use, define its abbreviations.

Pure text in, text out; no MkDocs import. It changes only the runs of prose that `reading` finds in
Python-Markdown's own parse of the page, never headings, existing links, code, raw HTML or attribute
lists, because those are either someone else's markup or places where a link would break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from carepath.model.graph import GlossaryEntry
from carepath.text.escape import html_text, md_text
from carepath.text.reading import MASK, NO_SCORE_CLASS, QUIET, RAW, read
from carepath.urls import GLOSSARY_URI, glossary_anchor, md_link
from carepath.words import Words
from carepath.words import words as catalogue

__all__ = ["NO_SCORE_CLASS", "REFERENCE_PREFIX", "GlossaryMatcher", "abbr_title", "annotate", "link_title"]

_LINK_BREAKERS = re.compile(r"[\[\]\\`*_]")
"""Characters that, written as they are inside a link's text, could end the link or pair with markup outside it."""
_UNSAFE_ABBR = re.compile(r"[\[\]\\\s]")
_WORD = re.compile(r"[^\W_]+")
"""Letters and digits: `_` is left out because Markdown reads it as emphasis (`_word_`)."""


class GlossaryMatcher:
    """Finds glossary terms in plain text: whole words, longest form first.

    Terms and their `also` forms match case-insensitively. Abbreviations match case-sensitively (and
    with a plural `s`), as the `abbr` extension does, because lowercase "us" or "it" are not "US" or "IT".
    Shared with `readability`, so the gate checks exactly what `annotate` links.
    """

    def __init__(self, glossary: Sequence[GlossaryEntry]) -> None:
        self._by_form: dict[str, GlossaryEntry] = {}
        self._by_abbr: dict[str, GlossaryEntry] = {}
        for entry in glossary:
            for form in (entry.term, *entry.also):
                key = _fold(form)
                if key:
                    self._by_form.setdefault(key, entry)
            if entry.abbreviation and not _UNSAFE_ABBR.search(entry.abbreviation):
                for form in (entry.abbreviation, entry.abbreviation + "s"):
                    self._by_abbr.setdefault(form, entry)
        alternatives = [(len(k), k, _words_pattern(k, ignore_case=True)) for k in self._by_form]
        alternatives += [(len(a), a, re.escape(a)) for a in self._by_abbr if _fold(a) not in self._by_form]
        # Longest first, so 'diagnostic nerve block' wins over 'nerve block' at the same position.
        alternatives.sort(key=lambda t: (-t[0], t[1]))
        self.pattern: re.Pattern[str] | None = None
        if alternatives:
            body = "|".join(p for _, _, p in alternatives)
            self.pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
        firsts = [_WORD.findall(form.casefold())[:1] for form in (*self._by_form, *self._by_abbr)]
        self._firsts = frozenset(w[0] for w in firsts if w)
        self._wordless = not all(firsts)
        abbrs = sorted(self._by_abbr, key=lambda a: (-len(a), a))
        self.abbr_pattern: re.Pattern[str] | None = (
            re.compile(r"\b(?:" + "|".join(re.escape(a) for a in abbrs) + r")\b") if abbrs else None
        )

    def might_occur(self, text: str) -> bool:
        """False only if no form can match anywhere in `text`, however its inline markup is read: no word
        of it is the first word of a form. Much cheaper than the pattern, so it screens whole blocks."""
        return not self._firsts.isdisjoint(_WORD.findall(text.casefold())) or self._wordless

    def __bool__(self) -> bool:
        return self.pattern is not None

    def entry_for(self, text: str) -> GlossaryEntry | None:
        """The entry a matched piece of text belongs to."""
        return self._by_abbr.get(text) or self._by_form.get(_fold(text))

    def is_abbreviation(self, text: str) -> bool:
        return text in self._by_abbr

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        if self.pattern is None:
            return iter(())
        return self.pattern.finditer(text, pos, len(text) if endpos is None else endpos)

    def abbreviations_in(self, text: str) -> Iterator[re.Match[str]]:
        """Glossary abbreviations (and their plurals) that occur in `text`, in order, where the `abbr` extension
        would find them (its pattern is the same)."""
        if self.abbr_pattern is None:
            return iter(())
        return self.abbr_pattern.finditer(text)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _words_pattern(folded: str, ignore_case: bool) -> str:
    body = r"\s+".join(re.escape(w) for w in folded.split(" "))
    return f"(?i:{body})" if ignore_case else body


def link_title(definition: str) -> str:
    """A definition made safe for the `"title"` of a reference definition: one line.

    Python-Markdown takes that title verbatim, inner quotes and backslashes included, up to the last quote.
    """
    return " ".join(definition.split())


def abbr_title(text: str, words: Words) -> str:
    """Text made safe for an abbreviation definition `*[X]: text`: one line, no brackets."""
    text = " ".join(text.split()).replace("[", "(").replace("]", ")")
    if text in ("''", '""', ""):
        text = words.get("glossary.abbr_title_empty")
    return text


REFERENCE_PREFIX = "cp-"
"""Glossary links are reference links `[word][cp-term-x]`, defined at the end of the page."""

_URL = re.compile(r"(?:https?|ftp|mailto):[^\s<>()\[\]`]+")
"""A bare address in prose: Markdown shows it as text, and a link inside it would cut it in two."""
_UNSAFE_BEFORE = frozenset("\\!]")
"""A character that would change what a `[` inserted after it means: an escape, an image, a reference."""


# --- annotation ------------------------------------------------------------------------------------


def _link_text(source: str, as_written: str, shown: str) -> str:
    """The text of a glossary link around a term's `source`: as written, unless a bracket, backslash or backtick
    the page shows as a character would end or change the link; then what the reader saw, escaped."""
    return md_text(shown) if _LINK_BREAKERS.search(as_written) else source


def _abbr_element(source: str, entry: GlossaryEntry, words: Words) -> str:
    """An abbreviation written with escapes or entities (`COVID\\-19`, `A&amp;E`), marked up as the `abbr`
    extension marks the others: the extension reads the text before escapes are undone, so it cannot see it."""
    return f'<abbr title="{html_text(abbr_title(entry.term, words))}">{source}</abbr>'


def _nest(edits: list[tuple[int, int, str]], inner: list[tuple[int, int, str]], markdown: str) -> list[tuple[int, int, str]]:
    """`edits` (glossary links) and `inner` (abbreviation elements) as one list of edits in source order: an
    abbreviation inside a link's text goes into that text; one that straddles a link's edge is left as it is."""
    out: list[tuple[int, int, str]] = []
    spans = sorted(edits)
    marks = sorted(inner)
    j = 0
    for start, end, text in spans:
        while j < len(marks) and marks[j][1] <= start:
            out.append(marks[j])
            j += 1
        inside = []
        while j < len(marks) and marks[j][0] < end:
            if marks[j][0] >= start and marks[j][1] <= end:
                inside.append(marks[j])
            j += 1
        if inside and text.startswith("[" + markdown[start:end] + "]"):
            rest = text[len(markdown[start:end]) + 1 :]
            text = "[" + _apply(markdown, inside, start, end) + rest
        out.append((start, end, text))
    out += marks[j:]
    return out


def _apply(markdown: str, edits: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    """`markdown[start:end]` with each `(start, end, replacement)` edit made; the edits are in order and do not overlap."""
    pieces: list[str] = []
    last = start
    for a, b, text in edits:
        pieces += [markdown[last:a], text]
        last = b
    pieces.append(markdown[last:end])
    return "".join(pieces)


def annotate(
    markdown: str,
    glossary: Sequence[GlossaryEntry],
    page_uri: str,
    matcher: GlossaryMatcher | None = None,
    words: Words | None = None,
    listed_on: Mapping[str, str] | None = None,
) -> str:
    """Link the first use of each glossary term on a page and define every glossary abbreviation used.

    `page_uri` is the page's `src_uri` (for example `rfa.md`); links are relative to it. A term counts
    as used only in running text: a mention in a heading or inside an existing link neither gets a link
    nor uses up the term's first use. Abbreviation definitions (`*[RFA]: radiofrequency ablation`) are
    appended for every glossary abbreviation that appears anywhere the `abbr` extension reaches,
    except those the page already defines; one written with escapes or entities, which the extension cannot
    see, gets its `<abbr>` element here. Terms and abbreviations are found in the text as the reader sees
    it, whatever escaping the Markdown writer used. On the glossary page itself nothing is linked.
    `matcher`, built once from the same `glossary`, saves compiling its pattern again for every page.
    `listed_on` maps a term to the glossary page that lists it (a pathway's own); any other links to the site's.
    """
    if matcher is None:
        matcher = GlossaryMatcher(glossary)
    if not matcher or not matcher.might_occur(markdown):
        return markdown
    reading = read(markdown, matcher.might_occur)
    if not reading.open_end:
        return markdown  # an unclosed HTML block would swallow the definitions appended below
    link_terms = page_uri != GLOSSARY_URI
    w = words or catalogue()
    linked: set[str] = set()
    references: list[str] = []
    used_abbrs: dict[str, GlossaryEntry] = {}
    edits: list[tuple[int, int, str]] = []
    abbr_edits: list[tuple[int, int, str]] = []
    for run in reading.runs:
        if run.kind == RAW:
            continue
        # Words as the reader sees them: `X\-ray` and `A&amp;E` are the terms `X-ray` and `A&E`.
        shown = run.text()
        for a in matcher.abbreviations_in(shown.text):
            entry = matcher.entry_for(a.group(0))
            if entry is None:
                continue
            if shown.as_written(*a.span()) == a.group(0):
                used_abbrs.setdefault(a.group(0), entry)
            else:
                start, end = shown.span(*a.span())
                abbr_edits.append((start, end, _abbr_element(markdown[start:end], entry, w)))
        if run.kind == QUIET or not link_terms:
            continue
        text = _URL.sub(lambda m: MASK * len(m.group(0)), shown.text) if ":" in shown.text else shown.text
        for m in matcher.finditer(text):
            entry = matcher.entry_for(m.group(0))
            if entry is None or entry.term in linked:
                continue
            start, end = shown.span(*m.span())
            if markdown[end : end + 1] == "{":
                continue  # an attribute list right after the word would move onto the new link
            if start and markdown[start - 1] in _UNSAFE_BEFORE and not shown.follows_read(start):
                continue  # an escaped `\!` or `\]` is a character, so a `[` after it still starts a link
            linked.add(entry.term)
            anchor = glossary_anchor(entry.term)
            target = md_link(page_uri, (listed_on or {}).get(entry.term, GLOSSARY_URI), anchor)
            # A reference link puts no `(`, `)` or quotes into the prose, so it cannot close or extend the
            # author's own syntax; its URL and title go in a definition at the end of the page.
            label = _link_text(markdown[start:end], shown.as_written(*m.span()), m.group(0))
            edits.append((start, end, f"[{label}][{REFERENCE_PREFIX}{anchor}]"))
            references.append(f'[{REFERENCE_PREFIX}{anchor}]: {target} "{link_title(entry.definition)}"')
    result = _apply(markdown, _nest(edits, abbr_edits, markdown) if abbr_edits else edits)
    defined = reading.abbreviations
    abbreviations = [f"*[{abbr}]: {abbr_title(entry.term, w)}" for abbr, entry in sorted(used_abbrs.items()) if abbr not in defined]
    for block in (references, abbreviations):
        if block:
            result = result.rstrip("\n") + "\n\n" + "\n".join(block) + "\n"
    return result
