"""Glossary annotation of a node page's Markdown: link each term's first use, define its abbreviations.

Pure text in, text out; no MkDocs import. It never edits headings, existing links, code, raw HTML or
attribute lists, because those are either someone else's markup or places where a link would break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from carepath.model.graph import GlossaryEntry
from carepath.urls import GLOSSARY_URI, glossary_anchor, md_link
from carepath.words import Words
from carepath.words import words as catalogue

__all__ = ["NO_SCORE_CLASS", "REFERENCE_PREFIX", "GlossaryMatcher", "abbr_title", "annotate", "link_title"]

_UNSAFE_FORM = re.compile(r"[\[\]\\`<>*_\n]")
_UNSAFE_ABBR = re.compile(r"[\[\]\\\s]")


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
                if key and not _UNSAFE_FORM.search(form):
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
        abbrs = sorted(self._by_abbr, key=lambda a: (-len(a), a))
        self.abbr_pattern: re.Pattern[str] | None = (
            re.compile(r"\b(?:" + "|".join(re.escape(a) for a in abbrs) + r")\b") if abbrs else None
        )

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

    def abbreviations_in(self, text: str) -> Iterator[str]:
        """Glossary abbreviations (and their plurals) that occur in `text`, in order."""
        if self.abbr_pattern is None:
            return iter(())
        return (m.group(0) for m in self.abbr_pattern.finditer(text))


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


# --- Markdown segmentation -------------------------------------------------------------------------
# The page is cut into segments: TEXT may get links; QUIET (headings, link text) is only searched for
# abbreviations, because the abbr extension marks those everywhere; RAW is copied through untouched.

TEXT, QUIET, RAW = "text", "quiet", "raw"
REFERENCE_PREFIX = "cp-"
"""Glossary links are reference links `[word][cp-term-x]`, defined at the end of the page."""

_BLOCK_TAG_NAMES = (
    "address article aside blockquote body canvas center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe legend li main map menu nav "
    "noscript object ol p pre section script style summary table tbody td template tfoot th thead tr ul video svg math"
)
_BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
_VOID_TAGS = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"])
_INLINE_QUIET = frozenset({"a", "abbr"})
_INLINE_RAW = frozenset({"code", "kbd", "samp", "pre", "script", "style", "svg", "math", "textarea", "var"})

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_ATX = re.compile(r"^[ \t]*(?:(?:[-*+>]|\d{1,9}[.)])[ \t]*)*#{1,6}(?:[ \t]|$)")
"""A heading, also inside a list item or quote (`- # Title`)."""
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
_DEF_ITEM = re.compile(r"^[ \t]{0,3}:[ \t]+\S")
_ADMONITION = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?) ?[\w-]+(?: +[\w-]+)*(?: +"(.*?)")? *$')
"""Exactly the admonition (and details) header Python-Markdown accepts; anything looser is a paragraph."""
_REF_DEF = re.compile(r"^ {0,3}\[([^\]\n]+)\]:[ \t]*\S")
_ABBR_DEF = re.compile(r"^\*\[([^\]\\\n]*)\][ ]?:")
_HTML_START = re.compile(r"^ {0,3}<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)")
_MARKDOWN_ATTR = re.compile(r"""\smarkdown(?:\s*=\s*(?:"[^"]*"|'[^']*'|\S+))?(?=[\s/>])""")
_INDENTED = re.compile(r"^(?: {4}|\t)")
NO_SCORE_CLASS = "cp-no-score"
"""Marks page chrome (breadcrumbs, review banners, disclaimers): no glossary links, no readability score."""
_CHROME_CLASS = re.compile(rf"""\bclass\s*=\s*(?:"[^"]*\b{NO_SCORE_CLASS}\b[^"]*"|'[^']*\b{NO_SCORE_CLASS}\b[^']*')""")
_CHROME_ADMONITION = re.compile(rf"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w -]*\b{NO_SCORE_CLASS}\b")
_CHROME_ATTRS = re.compile(rf"^[ \t]*\{{:?[^{{}}\n]*\.{NO_SCORE_CLASS}\b[^{{}}\n]*\}}[ \t]*$")

_INLINE = re.compile(
    r"""
    (?P<escape>\\[\\`*_{}\[\]()#+\-.!<>|"'&:])
  | (?P<comment><!--.*?-->)
  | (?P<autolink><(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>)
  | (?P<tag></?(?P<tagname>[A-Za-z][A-Za-z0-9-]*)(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>)
  | (?P<attrs>\{[^{}\n]*\})
  | (?P<url>(?:https?|ftp|mailto):[^\s<>()\[\]`]+)
  | (?P<entity>&(?:\#\d+|\#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)
  | (?P<image>!\[)
  | (?P<bracket>\[)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Segment:
    kind: str
    text: str
    masked: str = ""
    """`text` with code spans blanked out (same length): what terms are searched in."""

    def __post_init__(self) -> None:
        if len(self.masked) != len(self.text):
            self.masked = _mask_code(self.text) if self.kind != RAW else self.text


_BACKTICKS = re.compile(r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)(`+)(.+?)(?<!`)\2(?!`))", re.DOTALL)
"""Python-Markdown's code span pattern; it runs before every other inline pattern."""


def _mask_code(text: str) -> str:
    return _BACKTICKS.sub(lambda m: "\x01" * len(m.group(0)) if m.group(2) else m.group(0), text)


def _split_markdown(markdown: str) -> tuple[list[_Segment], set[str], bool]:
    """Cut a page into segments; also return the abbreviations it already defines, and whether text
    appended at the end would stand on its own (not swallowed by an unclosed HTML block or comment)."""
    lines = markdown.splitlines(keepends=True)
    refs = {m.group(1).strip().casefold() for line in lines if (m := _REF_DEF.match(line))}
    defined = {m.group(1) for line in lines if (m := _ABBR_DEF.match(line))}
    segments: list[_Segment] = []
    chunk: list[str] = []
    chunk_quiet = False

    def flush() -> None:
        if chunk:
            for seg in _split_inline("".join(chunk), refs):
                segments.append(_Segment(QUIET, seg.text, seg.masked) if chunk_quiet and seg.kind == TEXT else seg)
            chunk.clear()

    def emit(kind: str, text: str) -> None:
        flush()
        segments.append(_Segment(kind, text))

    def add_text(line: str, quiet: bool) -> None:
        nonlocal chunk_quiet
        if chunk and chunk_quiet != quiet:
            flush()
        chunk_quiet = quiet
        chunk.append(line)

    fence: str | None = None
    html: tuple[str, int] | None = None  # (tag name, nesting depth) of an open raw HTML block
    chrome: tuple[str, int] | None = None  # the same for an open `<div class="cp-no-score" markdown>`
    chrome_admonition = False  # inside the indented body of a `!!! note cp-no-score` admonition
    in_comment = False
    in_container = False  # inside a list item, admonition or definition: indented lines are not code
    in_code = False
    prev_blank = True
    i = 0
    if lines and lines[0].rstrip() == "---":
        # YAML front matter (title, description) is data, not prose: a link there breaks the page meta.
        end = next((j for j in range(1, len(lines)) if lines[j].rstrip() in ("---", "...")), None)
        if end is not None:
            segments.append(_Segment(RAW, "".join(lines[: end + 1])))
            i = end + 1
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if chrome is not None:
            name, depth = chrome
            depth += _tag_balance(line, name)
            chrome = (name, depth) if depth > 0 else None
        if chrome_admonition and stripped and not _INDENTED.match(line):
            chrome_admonition = False
        quiet = chrome is not None or chrome_admonition
        if fence is not None:
            emit(RAW, line)
            if stripped.startswith(fence) and set(stripped) <= {fence[0]}:
                fence = None
            continue
        if in_comment:
            emit(RAW, line)
            in_comment = "-->" not in line
            continue
        if html is not None:
            emit(RAW, line)
            name, depth = html
            depth += _tag_balance(line, name)
            html = (name, depth) if depth > 0 else None
            prev_blank = False
            continue
        if not stripped:
            emit(RAW, line)
            prev_blank = True
            continue
        indented = bool(_INDENTED.match(line))
        if indented and (in_code or (prev_blank and not in_container)):
            emit(RAW, line)
            in_code = True
            continue
        in_code = False
        if not indented and prev_blank and not _LIST_ITEM.match(line) and not _DEF_ITEM.match(line):
            in_container = False
        prev_blank = False
        if (m := _FENCE.match(line)) and _closes_fence(lines, i, m.group(1)):
            fence = m.group(1)
            emit(RAW, line)
        elif _ABBR_DEF.match(line) or _REF_DEF.match(line) or _HR.match(line):
            emit(RAW, line)
        elif _ATX.match(line):
            emit(QUIET, line)
        elif _ADMONITION.match(line):
            emit(QUIET, line)
            in_container = True
            chrome_admonition = chrome_admonition or bool(_CHROME_ADMONITION.match(line))
        elif line.lstrip().startswith("<!--"):
            emit(RAW, line)
            in_comment = "-->" not in line
            rest = line[line.find("-->") + 3 :] if not in_comment else ""
            if (m := _HTML_START.match(rest)) and m.group(2).lower() in _BLOCK_TAGS and not m.group(1):
                depth = _tag_balance(rest, m.group(2).lower())
                html = (m.group(2).lower(), depth) if depth > 0 else None
        elif (m := _HTML_START.match(line)) and m.group(2).lower() in _BLOCK_TAGS:
            name = m.group(2).lower()
            opening = line[: line.find(">") + 1] if ">" in line else line
            closed = re.search(rf"</{name}\s*>", "".join(lines[i - 1 :]), re.IGNORECASE) is not None
            if m.group(1) or name in _VOID_TAGS or (_MARKDOWN_ATTR.search(opening) and closed):
                # Markdown inside `<div markdown>` is still Markdown; the tags themselves are protected.
                if not m.group(1) and chrome is None and _CHROME_CLASS.search(opening):
                    depth = _tag_balance(line, name)
                    chrome = (name, depth) if depth > 0 else None
                # Text after an opening tag on its own line starts a new block there (maybe code): not linked.
                add_text(line, quiet or not m.group(1))
            else:
                emit(RAW, line)
                depth = _tag_balance(line, name)
                html = (name, depth) if depth > 0 else None
        elif i < len(lines) and _SETEXT_UNDERLINE.match(lines[i]) and not _LIST_ITEM.match(line) and not indented:
            emit(QUIET, line)
            emit(RAW, lines[i])
            i += 1
        elif _CHROME_ATTRS.match(line) and chunk:
            # `{: .cp-no-score }` after a paragraph marks that paragraph as page chrome.
            chunk_quiet = True
            chunk.append(line)
            flush()
        else:
            if _LIST_ITEM.match(line) or _DEF_ITEM.match(line):
                in_container = True
            add_text(line, quiet)
    flush()
    return segments, defined, html is None and not in_comment and fence is None


def _closes_fence(lines: list[str], start: int, fence: str) -> bool:
    """Whether a later line closes the fence; an unclosed fence is ordinary text to Python-Markdown."""
    return any((stripped := line.strip()).startswith(fence) and set(stripped) <= {fence[0]} for line in lines[start:])


def _tag_balance(line: str, name: str) -> int:
    opens = len(re.findall(rf"<{name}(?=[\s/>])(?![^>]*/>)", line, re.IGNORECASE))
    closes = len(re.findall(rf"</{name}\s*>", line, re.IGNORECASE))
    return opens - closes


def _split_inline(source: str, refs: set[str]) -> list[_Segment]:
    """Cut a run of paragraph lines into text, link text and protected inline markup."""
    text = _mask_code(source)  # code spans win over every other inline syntax, as in Python-Markdown
    out: list[_Segment] = []

    def cut(kind: str, start: int, end: int) -> _Segment:
        return _Segment(kind, source[start:end], text[start:end])

    pos = 0
    plain_from = 0

    def plain_until(end: int) -> None:
        if end > plain_from:
            out.append(cut(TEXT, plain_from, end))

    while True:
        m = _INLINE.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        kind = m.lastgroup
        if kind in ("bracket", "image"):
            label_start = end
            label_end = _closing_bracket(text, label_start)
            if label_end is None:
                pos = end
                continue
            after = label_end + 1
            tail_end = _link_tail(text, after, text[label_start:label_end], refs)
            if tail_end is None and text[after : after + 1] == "(":
                # An unclosed `](`: a `)` inserted later would close it, so leave the rest alone.
                plain_until(start)
                out.append(cut(RAW, start, len(text)))
                return out
            if tail_end is None:
                pos = end  # literal brackets: the text inside is ordinary prose
                continue
            plain_until(start)
            if kind == "image":
                out.append(cut(RAW, start, tail_end))
            else:
                out.append(cut(RAW, start, label_start))
                out.append(cut(QUIET, label_start, label_end))
                out.append(cut(RAW, label_end, tail_end))
            pos = plain_from = tail_end
            continue
        if kind == "tag":
            name = (m.group("tagname") or "").lower()
            closing = m.group(0).startswith("</") or m.group(0).endswith("/>")
            # Inside `<div markdown>`, a nested block tag without `markdown` holds raw HTML, as do code tags.
            raw_block = name in _BLOCK_TAGS and name not in _VOID_TAGS and not _MARKDOWN_ATTR.search(m.group(0))
            if not closing and (name in _INLINE_QUIET or name in _INLINE_RAW or raw_block):
                close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(text, end)
                if close is not None:
                    plain_until(start)
                    out.append(cut(RAW, start, end))
                    inner_kind = QUIET if name in _INLINE_QUIET else RAW
                    out.append(cut(inner_kind, end, close.start()))
                    out.append(cut(RAW, close.start(), close.end()))
                    pos = plain_from = close.end()
                    continue
        plain_until(start)
        out.append(cut(RAW, start, end))
        pos = plain_from = end
    plain_until(len(text))
    return out


def _closing_bracket(text: str, pos: int) -> int | None:
    """Index of the `]` closing a link label that starts at `pos`, honouring nesting, escapes and code."""
    depth = 0
    i = pos
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            run = re.match(r"`+", text[i:])
            assert run is not None
            close = text.find(run.group(0), i + len(run.group(0)))
            if close != -1:
                i = close + len(run.group(0))
                continue
        if c == "[":
            depth += 1
        elif c == "]":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return None


def _link_tail(text: str, pos: int, label: str, refs: set[str]) -> int | None:
    """End of a link's destination part (`(url "title")`, `[ref]`), or None if `[label]` is no link."""
    if pos < len(text) and text[pos] == "(":
        depth = 0
        quote: str | None = None
        i = pos
        while i < len(text):
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if quote:
                if c == quote:
                    quote = None
            elif c in "\"'" and i > pos and text[i - 1].isspace():
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif c == "\n" and text[i + 1 : i + 2] == "\n":
                return None
            i += 1
        return None
    if m := re.compile(r"[ ]?\[([^\]\n]*)\]").match(text, pos):
        ref = m.group(1).strip() or label
        return m.end() if " ".join(ref.split()).casefold() in refs else None
    if " ".join(label.split()).casefold() in refs:
        return pos
    return None


# --- annotation ------------------------------------------------------------------------------------


def annotate(
    markdown: str, glossary: Sequence[GlossaryEntry], page_uri: str, matcher: GlossaryMatcher | None = None, words: Words | None = None
) -> str:
    """Link the first use of each glossary term on a page and define every glossary abbreviation used.

    `page_uri` is the page's `src_uri` (for example `rfa.md`); links are relative to it. A term counts
    as used only in running text: a mention in a heading or inside an existing link neither gets a link
    nor uses up the term's first use. Abbreviation definitions (`*[RFA]: radiofrequency ablation`) are
    appended for every glossary abbreviation that appears anywhere the `abbr` extension reaches,
    except those the page already defines. On the glossary page itself nothing is linked.
    `matcher`, built once from the same `glossary`, saves compiling its pattern again for every page.
    """
    if matcher is None:
        matcher = GlossaryMatcher(glossary)
    if not matcher:
        return markdown
    segments, defined, open_end = _split_markdown(markdown)
    if not open_end:
        return markdown  # an unclosed HTML block would swallow the definitions appended below
    link_terms = page_uri != GLOSSARY_URI
    linked: set[str] = set()
    references: list[str] = []
    used_abbrs: dict[str, GlossaryEntry] = {}
    out: list[str] = []
    for n, seg in enumerate(segments):
        if seg.kind == RAW:
            out.append(seg.text)
            continue
        for abbr in matcher.abbreviations_in(seg.masked):
            entry = matcher.entry_for(abbr)
            if entry is not None:
                used_abbrs.setdefault(abbr, entry)
        if seg.kind == QUIET or not link_terms:
            out.append(seg.text)
            continue
        pieces: list[str] = []
        last = 0
        before = segments[n - 1].text[-1:] if n > 0 else ""
        after = segments[n + 1].text[:1] if n + 1 < len(segments) else ""
        for m in matcher.finditer(seg.masked):
            entry = matcher.entry_for(m.group(0))
            if entry is None or entry.term in linked:
                continue
            if (seg.masked[m.end() : m.end() + 1] or after) == "{":
                continue  # an attribute list right after the word would move onto the new link
            if (seg.masked[m.start() - 1 : m.start()] if m.start() else before) == "\\":
                continue  # a backslash right before the word would escape the link's `[`
            linked.add(entry.term)
            anchor = glossary_anchor(entry.term)
            target = md_link(page_uri, GLOSSARY_URI, anchor)
            # A reference link puts no `(`, `)` or quotes into the prose, so it cannot close or extend the
            # author's own syntax; its URL and title go in a definition at the end of the page.
            pieces.append(seg.text[last : m.start()])
            pieces.append(f"[{m.group(0)}][{REFERENCE_PREFIX}{anchor}]")
            references.append(f'[{REFERENCE_PREFIX}{anchor}]: {target} "{link_title(entry.definition)}"')
            last = m.end()
        pieces.append(seg.text[last:])
        out.append("".join(pieces))
    result = "".join(out)
    w = words or catalogue()
    abbreviations = [f"*[{abbr}]: {abbr_title(entry.term, w)}" for abbr, entry in sorted(used_abbrs.items()) if abbr not in defined]
    for block in (references, abbreviations):
        if block:
            result = result.rstrip("\n") + "\n\n" + "\n".join(block) + "\n"
    return result
