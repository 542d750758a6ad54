"""One Markdown reading: Python-Markdown's own parse of a page, mapped back onto the page's source.

A pass that must know what a stretch of Markdown *is* (prose, a heading or link text, code, raw HTML)
asks here instead of re-reading the grammar with regular expressions: the parse is the one MkDocs
renders with, so the answer cannot drift from the page. Pure; no I/O and no MkDocs import.
"""

from __future__ import annotations

import html
import re
import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from xml.etree import ElementTree as etree

import markdown  # type: ignore[import-untyped]
from markdown import util

__all__ = [
    "EXTENSIONS", "MASK", "NO_SCORE_CLASS", "QUIET", "RAW", "TEXT", "Reading", "Run", "RunText", "code_spans", "front_matter_end", "read",
    "render_html",
]  # fmt: skip

EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "md_in_html", "tables", "toc", "fenced_code"]
"""The Markdown extensions a Carepath page is rendered with: mkdocs.yml's, plus `fenced_code`, which
MkDocs always adds. They decide what is code, a link or a heading, and which ids a page has."""

NO_SCORE_CLASS = "cp-no-score"
"""Marks page chrome (breadcrumbs, review banners, disclaimers): no glossary links, no readability score."""

TEXT, QUIET, RAW = "text", "quiet", "raw"
"""What a run of a page is: running prose (TEXT); prose that must not get links, such as headings, link
text and page chrome (QUIET); and code, which is shown exactly as written (RAW)."""

MASK = "\x01"
"""Stands in a run's `masked` text for everything that is not the run's own prose (tags, entities,
escapes, markup between lines): a non-word, non-space character, so no word matches across it."""

_RAW_TAGS = frozenset({"code", "pre", "kbd", "samp", "var", "script", "style", "textarea"})
_QUIET_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a", "abbr"})
_INLINE_QUIET = frozenset({"a", "abbr"})
_INLINE_RAW = _RAW_TAGS | {"svg", "math"}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_NOT_SPACE = re.compile(r"\S")
_PROBE = "[carepath-end-probe]: #"
"""Appended while reading: if Python-Markdown takes it as a reference definition, text appended at the
page's end stands on its own (it is not swallowed by an unclosed HTML block or comment)."""
_PLACEHOLDER = re.compile("\x02(?:wzxhzdk:([0-9]+)|klzzwxh:([0-9]+)|([0-9]+))\x03")
"""Python-Markdown's placeholders in element text: stashed HTML, a stashed inline node, an escaped character."""
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
"""A character entity, as Python-Markdown stashes it: it reads as the character it names."""
_START_TAG = re.compile(r"""\s*<([A-Za-z][A-Za-z0-9-]*)(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>""")
_END_TAG = re.compile(r"\s*</([A-Za-z][A-Za-z0-9-]*)\s*>")


@dataclass(frozen=True)
class Run:
    """A stretch of the source that Markdown renders as one piece of text (a paragraph's words between
    two inline elements, a heading's text, a table cell, a code block)."""

    kind: str
    start: int
    """Offset in the source."""
    masked: str
    """`source[start:start + len(masked)]` with everything that is not this run's text replaced by `MASK`."""
    reads: tuple[tuple[int, int, str], ...] = ()
    """(offset in `masked`, length, what a reader sees there) of each backslash escape (`\\-`) and character
    entity (`&amp;`) in the run: text of the run that `masked` hides, because its source is not what it reads."""

    @property
    def end(self) -> int:
        return self.start + len(self.masked)

    def text(self) -> RunText:
        """The run as a reader sees it: `masked` with each escape and entity read as its character."""
        return RunText(self)


class RunText:
    """A run's text as a reader sees it (`\\-` reads `-`, `&amp;` reads `&`), mapped back onto the source.

    What the page shows, not how the Markdown writer had to spell it: a pass that looks for words a reader
    meets (the glossary) searches this, so `X\\-ray` is the `X-ray` it shows.
    """

    __slots__ = ("_marks", "_starts", "run", "text")

    def __init__(self, run: Run) -> None:
        self.run = run
        self._marks: list[tuple[int, int, int, int]] = []
        """(start, end) in `text` and (start, end) in the source of each escape or entity."""
        if not run.reads:
            self.text = run.masked
            self._starts: list[int] = []
            return
        parts: list[str] = []
        at = 0
        shift = 0
        for offset, n, shown in run.reads:
            parts += [run.masked[at:offset], shown]
            self._marks.append((offset + shift, offset + shift + len(shown), run.start + offset, run.start + offset + n))
            shift += len(shown) - n
            at = offset + n
        parts.append(run.masked[at:])
        self.text = "".join(parts)
        self._starts = [m[0] for m in self._marks]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span of `text[start:end]`; an escape or entity it cuts into is taken whole."""
        return self._source(start, False), self._source(end, True)

    def _source(self, at: int, end: bool) -> int:
        i = bisect_right(self._starts, at - 1 if end else at) - 1
        if i < 0:
            return self.run.start + at
        _, t_end, s_start, s_end = self._marks[i]
        if at < t_end or (end and at == t_end):
            return s_end if end else s_start
        return s_end + (at - t_end)

    def follows_read(self, at: int) -> bool:
        """Whether source offset `at` comes right after an escape or entity (`\\!`, not a bare `!`)."""
        return any(s_end == at for _, _, _, s_end in self._marks)

    def as_written(self, start: int, end: int) -> str:
        """The characters of `text[start:end]` that stand in the source as written: all but escapes and entities."""
        if not self._marks:
            return self.text[start:end]
        parts = []
        for t_start, t_end, _, _ in self._marks:
            if t_end <= start or t_start >= end:
                continue
            parts.append(self.text[start:t_start])
            start = t_end
        parts.append(self.text[start:end])
        return "".join(parts)


@dataclass
class Reading:
    runs: list[Run]
    """Every run of text the parse found in the source, in document order."""
    abbreviations: set[str]
    """Abbreviations the page defines itself (`*[RFA]: ...`)."""
    open_end: bool
    """Whether text appended after a blank line at the end would be read on its own."""
    code: list[tuple[int, int]] = field(default_factory=list)
    """Source spans shown as code: code spans, indented and fenced code blocks."""


def front_matter_end(source: str) -> int:
    """Where YAML front matter (`---` ... `---`) ends, or 0: it is data, not Markdown."""
    if not source.startswith("---"):
        return 0
    lines = source.splitlines(keepends=True)
    if lines[0].rstrip() != "---":
        return 0
    offset = len(lines[0])
    for line in lines[1:]:
        offset += len(line)
        if line.rstrip() in ("---", "..."):
            return offset
    return 0


def read(source: str, wanted: Callable[[str], bool] | None = None) -> Reading:
    """Read a page as Python-Markdown does and map each run of its text back onto `source`.

    What cannot be placed with certainty in the source is left out of `runs`, never guessed: a pass
    that changes only runs therefore never touches code, raw HTML, attributes or link targets.
    `wanted`, if given, is asked about each block's text before its inline markup is read: a block it
    turns down is stepped over unread and yields no runs (reading inline markup is most of the cost).
    """
    reader = _reader()
    offset = front_matter_end(source)
    body = source[offset:]
    if not body.strip():
        return Reading([], set(), True)
    return reader.read(body.rstrip("\n") + "\n\n" + _PROBE + "\n", offset, len(body.rstrip("\n")), wanted)


def render_html(source: str) -> str:
    """The HTML Python-Markdown makes of `source` with the site's extensions (ids included)."""
    md: markdown.Markdown | None = getattr(_local, "renderer", None)
    if md is None:
        md = _local.renderer = markdown.Markdown(extensions=EXTENSIONS)
    md.reset()
    html: str = md.convert(source)
    return html


def code_spans(source: str) -> list[tuple[int, int]]:
    """The source spans Markdown shows as code (code spans, indented and fenced blocks): text to leave as written."""
    return read(source).code


# --- the reader ------------------------------------------------------------------------------------


_local = threading.local()
_Chunk = tuple[int, int, int, str, str | None]


def _reader() -> _Reader:
    """One reader per thread: a Python-Markdown instance keeps state while it converts."""
    reader: _Reader | None = getattr(_local, "reader", None)
    if reader is None:
        reader = _local.reader = _Reader()
    return reader


@dataclass
class _Slot:
    """An element's `text` or `tail` and where its pieces were found in the source."""

    owner: etree.Element
    attr: str
    chain: tuple[etree.Element, ...]
    """The elements that contain this text, outermost first."""
    text: str
    chunks: list[_Chunk] = field(default_factory=list)
    """(offset in `text`, offset in the source, length in the source, kind, what it reads as) of each piece found:
    the kind is TEXT unless raw inline HTML around it (`<a>`, `<code>`) makes it QUIET or RAW. What it reads as is
    None for text as written, else the character an escape or entity stands for (its placeholder is at the offset)."""


class _Reader:
    """Python-Markdown with the site's extensions, run up to its tree, with a record of what it hides.

    The record comes from small wraps around its own parts (each inline pattern, the fenced-code
    preprocessor, `md_in_html`'s block processor), so it depends on the internals of the pinned
    Markdown version (placeholders and stashes); `tests/test_reading.py` fails if they change.
    """

    def __init__(self) -> None:
        md = markdown.Markdown(extensions=EXTENSIONS)
        # Only the parse is wanted: no ids, no abbreviation elements, no serializing.
        for name in ("prettify", "unescape", "abbr", "toc"):
            if name in md.treeprocessors:
                md.treeprocessors.deregister(name)
        self.md = md
        self.inline = md.treeprocessors["inline"]
        self.attr_list = md.treeprocessors["attr_list"]
        self.raws: dict[etree.Element, str | None] = {}
        """The source each inline element was made from (None: it holds something that cannot be traced back)."""
        self.fences: dict[int, bool] = {}
        self.from_html: set[etree.Element] = set()
        """Elements `md_in_html` made from HTML tags: their tags are in the source, not in the tree's text."""
        for pattern in md.inlinePatterns:
            pattern.handleMatch = self._recording(pattern.handleMatch)
        # The same patterns in the same order, as a list: the registry sorts itself on every lookup.
        self.inline.inlinePatterns = list(md.inlinePatterns)
        fenced = md.preprocessors["fenced_code_block"]
        self.fence_re: re.Pattern[str] = fenced.FENCED_BLOCK_RE
        fenced_run = fenced.run

        def run_fenced(lines: list[str]) -> list[str]:
            before = len(md.htmlStash.rawHtmlBlocks)
            out: list[str] = fenced_run(lines)
            self.fences.update(dict.fromkeys(range(before, len(md.htmlStash.rawHtmlBlocks)), True))
            return out

        fenced.run = run_fenced
        in_html = md.parser.blockprocessors["markdown_block"]
        parse_content = in_html.parse_element_content

        def parse_element_content(element: etree.Element) -> None:
            self.from_html.add(element)
            parse_content(element)

        in_html.parse_element_content = parse_element_content
        self.admonition_re: re.Pattern[str] = md.parser.blockprocessors["admonition"].RE
        self.reference_re: re.Pattern[str] = md.parser.blockprocessors["reference"].RE
        abbr = md.parser.blockprocessors["abbr"]
        self.abbr_re: re.Pattern[str] = abbr.RE
        self.abbrs: dict[str, str] = abbr.abbrs
        md.parser.blockprocessors = list(md.parser.blockprocessors)  # likewise, for every block

    def _recording(self, handle: Any) -> Any:
        """Wrap an inline pattern so each element it makes remembers the source text it was made from."""

        def handle_match(m: re.Match[str], data: str) -> Any:
            node, start, end = handle(m, data)
            if isinstance(node, etree.Element) and start is not None:
                self.raws[node] = self._expand(data[start:end])
            return node, start, end

        return handle_match

    def _expand(self, text: str) -> str | None:
        """`text` with every placeholder replaced by the source it stands for; None if one cannot be."""
        if "\x02" not in text:
            return text
        parts = []
        at = 0
        for m in _PLACEHOLDER.finditer(text):
            source = self.source_of(m)
            if source is None:
                return None
            parts += [text[at : m.start()], source]
            at = m.end()
        parts.append(text[at:])
        return "".join(parts)

    def source_of(self, m: re.Match[str]) -> str | None:
        html, inline, escaped = m.groups()
        if escaped is not None:
            return "\\" + chr(int(escaped))
        if inline is not None:
            node = self.inline.stashed_nodes.get(inline)
            if isinstance(node, str):
                return self._expand(node)
            return self.raws.get(node) if isinstance(node, etree.Element) else None
        index = int(html)
        blocks = self.md.htmlStash.rawHtmlBlocks
        if index in self.fences or index >= len(blocks) or not isinstance(blocks[index], str):
            return None
        return self._expand(blocks[index])

    def read(self, doc: str, offset: int, length: int, wanted: Callable[[str], bool] | None) -> Reading:
        md = self.md
        md.reset()
        self.raws.clear()
        self.fences.clear()
        self.from_html.clear()
        lines = doc.split("\n")
        for prep in md.preprocessors:
            lines = prep.run(lines)
        root = md.parser.parseDocument(lines).getroot()
        unread: set[tuple[etree.Element, str]] = set()
        if wanted is not None:
            for el in root.iter():
                for attr in ("text", "tail"):
                    value = getattr(el, attr)
                    if value and not isinstance(value, util.AtomicString) and not wanted(value):
                        setattr(el, attr, util.AtomicString(value))  # the inline parser passes these by
                        unread.add((el, attr))
        self.inline.run(root)
        for el, attr in unread:
            setattr(el, attr, str(getattr(el, attr)))
        aligner = _Aligner(self, doc)
        aligner.element(root, ())
        originals = [getattr(slot.owner, slot.attr) or "" for slot in aligner.slots]
        self.attr_list.run(root)
        runs = []
        for slot, original in zip(aligner.slots, originals, strict=True):
            if (slot.owner, slot.attr) in unread:
                continue
            now = getattr(slot.owner, slot.attr) or ""
            base = _kind(slot)
            gone = _gone(original, now) if now != original else None
            for _, grouped in groupby(slot.chunks, key=lambda chunk: chunk[3]):
                group = list(grouped)
                start, end = group[0][1], min(group[-1][1] + group[-1][2], length)
                if start >= length:
                    continue
                masked = _masked(doc, start, end, group)
                if gone is not None:
                    masked = _mask_removed(masked, start, group, gone)
                reads = tuple(
                    (src - start, n, shown)
                    for text_at, src, n, _, shown in group
                    if shown is not None and src + n <= end and (gone is None or not gone[0] <= text_at < gone[1])
                )
                runs.append(Run(max(base, group[0][3], key=_RANK.index), start + offset, masked, reads))
        code = sorted([(r.start, r.end) for r in runs if r.kind == RAW] + [(s + offset, e + offset) for s, e in aligner.fences])
        reading = Reading(runs, set(self.abbrs), "carepath-end-probe" in md.references, code)
        md.reset()
        self.raws.clear()
        self.from_html.clear()
        return reading


def _kind(slot: _Slot) -> str:
    if isinstance(slot.text, util.AtomicString):
        return RAW
    quiet = False
    for el in slot.chain:
        if el.tag in _RAW_TAGS:
            return RAW
        classes = (el.get("class") or "").split()
        if el.tag in _QUIET_TAGS or NO_SCORE_CLASS in classes or "admonition-title" in classes:
            quiet = True
    return QUIET if quiet else TEXT


_RANK = [TEXT, QUIET, RAW]


def _masked(doc: str, start: int, end: int, chunks: list[_Chunk]) -> str:
    """The source from `start` to `end` with only the chunks' text left; whitespace between lines is kept."""
    parts = []
    at = start
    for _, src, n, _, shown in chunks:
        if shown is not None:
            continue  # an escape or entity: not the text as written (`Run.reads` has what it reads as)
        lo, hi = max(src, at), min(src + n, end)
        if lo >= hi:
            continue
        if lo > at:
            parts.append(_NOT_SPACE.sub(MASK, doc[at:lo]))
        parts.append(doc[lo:hi])
        at = hi
    if at < end:
        parts.append(_NOT_SPACE.sub(MASK, doc[at:end]))
    return "".join(parts)


def _gone(original: str, now: str) -> tuple[int, int]:
    """The span of a slot's text that a later tree processor (`attr_list`) took out: an attribute list."""
    if original.startswith(now):
        return len(now), len(original)
    if original.endswith(now):
        return 0, len(original) - len(now)
    return 0, len(original)


def _mask_removed(masked: str, start: int, chunks: list[_Chunk], gone: tuple[int, int]) -> str:
    """Mask the `gone` span of a slot's text (`_gone`)."""
    out = list(masked)
    for text_at, src, n, _, shown in chunks:
        if shown is not None:
            continue  # already masked
        lo, hi = max(gone[0], text_at), min(gone[1], text_at + n)
        for i in range(src + lo - text_at, src + hi - text_at):
            if 0 <= i - start < len(out):
                out[i - start] = MASK
    return "".join(out)


class _Aligner:
    """Walks the parsed tree in document order and finds each piece of its text in the source.

    Each search starts where the previous piece ended, so a piece is found at or before its true place;
    what Markdown consumed without a trace in the tree (an element's own markup, a stashed block, a
    definition) is skipped explicitly, using the reader's record of it or Python-Markdown's own patterns.
    """

    def __init__(self, reader: _Reader, doc: str) -> None:
        self.reader = reader
        self.doc = doc
        self.pos = 0
        self.limit = len(doc)
        self.slots: list[_Slot] = []
        self.fences: list[tuple[int, int]] = []
        self.open_tags: list[str] = []
        """Raw inline HTML elements open at this point of the current block."""
        self.lost = False
        """Something earlier in the current block could not be placed: the rest of the block is not offered."""
        self.hidden = self._definitions()

    def _definitions(self) -> list[tuple[int, int]]:
        """Spans of the reference and abbreviation definitions the parse removed from the text."""
        r = self.reader
        if not self.reader.md.references and not r.abbrs:
            return []
        spans = [m.span() for m in r.reference_re.finditer(self.doc) if m.group(1).strip().lower() in r.md.references]
        spans += [m.span() for m in r.abbr_re.finditer(self.doc) if m.group("abbr").strip() in r.abbrs]
        return sorted(spans)

    def element(self, el: etree.Element, chain: tuple[etree.Element, ...]) -> None:
        saved_limit = self.limit
        end: int | None = None
        if el in self.reader.raws:
            raw = self.reader.raws[el]
            span = self._find(raw, self.pos, self.limit) if raw is not None and not self.lost else None
            if span is None:
                self.lost = True  # not placed: nothing inside it, nor after it in its block, is offered
                return
            self.pos, self.limit, end = span[0], span[1], span[1]
        elif el in self.reader.from_html:
            m = _START_TAG.match(self.doc, self.pos)
            if m and m.group(1).lower() == str(el.tag).lower():
                self.pos = m.end()
        elif "admonition" in (el.get("class") or "").split():
            header = self.reader.admonition_re.search(self.doc, self.pos, self.limit)
            if header:
                # The title, if any, is the text of the first child: it is found inside the header.
                self.pos = header.start(2) if header.group(2) is not None else header.end()
        inner = (*chain, el)
        if el.text:
            self.slot(el, "text", inner)
        for child in el:
            self.element(child, inner)
            if child.tail:
                self.slot(child, "tail", inner)
        if end is not None:
            self.pos, self.limit = end, saved_limit
            return
        self.open_tags.clear()  # the end of a block closes what raw inline HTML left open
        self.lost = False
        if el in self.reader.from_html and (m := _END_TAG.match(self.doc, self.pos)) and m.group(1).lower() == str(el.tag).lower():
            self.pos = m.end()

    def slot(self, owner: etree.Element, attr: str, chain: tuple[etree.Element, ...]) -> None:
        text: str = getattr(owner, attr)
        slot = _Slot(owner, attr, chain, text)
        self.slots.append(slot)
        if self.lost:
            return
        at = 0
        for m in _PLACEHOLDER.finditer(text):
            if not self._place(slot, text, at, m.start()) or not self._place_stashed(slot, m):
                self.lost = True
                return
            at = m.end()
        self.lost = not self._place(slot, text, at, len(text))

    def _place(self, slot: _Slot, text: str, start: int, end: int) -> bool:
        """Find `text[start:end]` line by line; False when a line is not where it must be."""
        while start < end:
            stop = text.find("\n", start, end)
            stop = end if stop == -1 else stop
            line = text[start:stop]
            if line.strip():
                lead = len(line) - len(line.lstrip())
                piece = line[lead:].rstrip()
                span = self._find(piece, self.pos, self.limit)
                if span is None:
                    return False
                slot.chunks.append((start + lead, span[0], span[1] - span[0], self.inline_kind(), None))
                self.pos = span[1]
            start = stop + 1
        return True

    def _place_stashed(self, slot: _Slot, m: re.Match[str]) -> bool:
        """Step over what a placeholder stands for (a tag, an entity, an escape, a block of HTML or code)."""
        if m.group(1) is not None and int(m.group(1)) in self.reader.fences:
            fence = self.reader.fence_re.search(self.doc, self.pos, self.limit)
            if fence is None:
                return False
            span = fence.span()
            self.fences.append(span)
            self.pos = span[1]
            return True
        raw = self.reader.source_of(m)
        if not raw:
            return raw == ""
        found = self._find(raw, self.pos, self.limit)
        if found is None:
            return False
        self.pos = found[1]
        # An escape or an entity reads as one character: record it, so the text can be read as the page shows it.
        shown = chr(int(m.group(3))) if m.group(3) is not None else html.unescape(raw) if m.group(1) and _ENTITY.fullmatch(raw) else None
        if shown:
            slot.chunks.append((m.start(), found[0], found[1] - found[0], self.inline_kind(), shown))
        if m.group(1) is not None and (tag := _TAG.match(raw)):
            self.inline_tag(tag.group(1) == "/", tag.group(2).lower())
        return True

    def inline_tag(self, closing: bool, name: str) -> None:
        """Follow raw inline HTML that changes what the text inside it is: `<a>` (QUIET) or `<code>` (RAW)."""
        if name not in _INLINE_QUIET and name not in _INLINE_RAW:
            return
        if not closing:
            self.open_tags.append(name)
        elif name in self.open_tags:
            del self.open_tags[len(self.open_tags) - 1 - self.open_tags[::-1].index(name) :]

    def inline_kind(self) -> str:
        if any(t in _INLINE_RAW for t in self.open_tags):
            return RAW
        return QUIET if self.open_tags else TEXT

    def _find(self, piece: str, pos: int, limit: int) -> tuple[int, int] | None:
        """Where `piece` next occurs, skipping removed definitions; tabs and line prefixes may differ."""
        while True:
            at = self.doc.find(piece, pos, limit)
            span = (at, at + len(piece)) if at != -1 else self._find_loosely(piece, pos, limit)
            if span is None:
                return None
            inside = next((end for start, end in self.hidden if start <= span[0] < end), None)
            if inside is None:
                return span
            pos = inside

    def _find_loosely(self, piece: str, pos: int, limit: int) -> tuple[int, int] | None:
        """A piece whose tabs became spaces, or whose line prefixes (`> `, indents) the block parser stripped."""
        if "\n" not in piece and "\t" not in self.doc[pos:limit]:
            return None
        words = piece.split()
        if not words:
            return None
        pattern = r"(?:[ \t]+|[ \t]*\n[ \t>]*)".join(re.escape(w) for w in words)
        m = re.compile(pattern).search(self.doc, pos, limit)
        return m.span() if m else None
