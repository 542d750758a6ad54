"""The one Markdown reading: what Python-Markdown makes of a page, mapped back onto the page's source."""

from __future__ import annotations

from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.text.content import foreign_loads, resolve_node_links
from carepath.text.reading import MASK, QUIET, RAW, TEXT, code_spans, read
from hypothesis import given, settings
from hypothesis import strategies as st

SITE_PATHWAY = Path(__file__).parent / "fixtures" / "site" / "pathway"


def runs(source: str) -> list[tuple[str, str]]:
    return [(r.kind, r.masked.replace(MASK, "").strip()) for r in read(source).runs]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Head\n\nA [link](x) and `code`.\n", [(QUIET, "Head"), (TEXT, "A"), (QUIET, "link"), (TEXT, "and"), (RAW, "code"), (TEXT, ".")]),
        ("Text *em* <code>c</code> <a href='x'>a</a> end\n", [(TEXT, "Text"), (TEXT, "em"), (RAW, "c"), (QUIET, "a"), (TEXT, "end")]),
        ('!!! note cp-no-score "Title"\n    Body.\n\nAfter.\n', [(QUIET, "Title"), (QUIET, "Body."), (TEXT, "After.")]),
        ("Para.\n{: .cp-no-score }\n\nNext.\n", [(QUIET, "Para."), (TEXT, "Next.")]),
        ("```\nfenced\n```\n\n    indented\n", [(RAW, "indented")]),
        ('<div class="x">\nraw\n</div>\n\nAfter.\n', [(TEXT, "After.")]),
        ('<div markdown="1">\nInside.\n</div>\n', [(TEXT, "Inside.")]),
        ("---\ntitle: Front\n---\n\nBody.\n", [(TEXT, "Body.")]),
        ("[t]: x 'Def'\n*[AB]: a b\n\nDef AB.\n", [(TEXT, "Def AB.")]),
    ],
)
def test_runs_are_what_markdown_makes_of_the_source(source: str, expected: list[tuple[str, str]]) -> None:
    assert runs(source) == expected


def test_a_definition_or_title_holding_the_same_words_is_skipped() -> None:
    """Text the parse removed (definitions, link titles, tag attributes) is never mistaken for the prose after it."""
    for source in ['[t]: x "nerve block"\n\nnerve block\n', '[a](x " nerve block") nerve block\n', '<div title="nerve block" markdown="1">\nnerve block\n</div>\n']:
        found = [r for r in read(source).runs if "nerve block" in r.masked]
        assert [(r.kind, r.start) for r in found] == [(TEXT, source.rindex("nerve block"))], source


def test_abbreviations_and_an_open_end() -> None:
    assert read("*[RFA]: heat\n\nRFA.\n").abbreviations == {"RFA"}
    assert read("Text.\n\n<div>\nclosed\n</div>\n").open_end
    assert not read("Text.\n\n<div>\nnever closed\n").open_end
    assert read("<!-- never closed\n").open_end  # Python-Markdown shows an unclosed comment as text


def test_code_spans_are_what_markdown_shows_as_code() -> None:
    source = "`a`\n\n```\nb\n```\n\n    c\n\n- item\n\n    ```\n    d\n    ```\n\nprose\n"
    assert [source[s:e].strip() for s, e in code_spans(source)] == ["a", "```\nb\n```", "c", "d"]


TOKENS = [
    "word", "nerve block", " ", "\n", "\n\n", "# ", "- ", "1. ", "    ", "> ", "`", "```", "[", "]", "(", ")", "](x.md)",
    '](x "t")', "{: .c }", "*", "_", "\\", "|", "---", "!!! note ", '"', "<https://x.org/a>", "&amp;", "![", ":", "\t",
    "<span>w</span>", "<code>c</code>", "\n<div>\nw\n</div>\n", '\n<div markdown="1">\nw\n</div>\n', "<!-- c -->", "[r]: x\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_every_run_is_where_the_source_has_it(parts: list[str]) -> None:
    """Each run's unmasked characters are the source's own, in order and without overlap."""
    source = "".join(parts)
    end = 0
    for run in read(source).runs:
        assert run.start >= end and run.end <= len(source)
        assert all(c == MASK or c == source[run.start + i] for i, c in enumerate(run.masked))
        end = run.end


def test_node_links_in_code_are_left_as_written() -> None:
    kb, _ = check_pathway(SITE_PATHWAY)
    source = "A [test](node:spirometry).\n\n`[x](node:spirometry)`\n\n```\n[x](node:nope)\n```\n\nBad [y](node:nope).\n"
    text, problems = resolve_node_links(source, "about.md", kb, "content/about.md")
    assert text == source.replace("A [test](node:spirometry)", "A [test](spirometry.md)")
    assert [str(p) for p in problems] == ["content/about.md:9:9: unknown node 'nope' in a node: link"]


def test_foreign_images_in_code_are_not_loads() -> None:
    source = "`![a](https://x.org/a.png)`\n\n```\n<img src=\"https://x.org/b.png\">\n```\n\n![c](https://x.org/c.png)\n"
    assert [str(p).split(" from ")[0] for p in foreign_loads(source, "content/p.md")] == ["content/p.md:7:1: an image"]


# --- the text as a reader sees it ------------------------------------------------------------------


def test_escapes_and_entities_read_as_their_characters() -> None:
    source = "An X\\-ray \\(of A&amp;E\\) &#65;.\n"
    (run,) = read(source).runs
    assert run.masked == "An X" + MASK * 2 + "ray " + MASK * 2 + "of A" + MASK * 5 + "E" + MASK * 2 + " " + MASK * 5 + "."
    assert [char for _, _, char in run.reads] == ["-", "(", "&", ")", "A"]
    shown = run.text()
    assert shown.text == "An X-ray (of A&E) A."
    for word, written in [("X-ray", "X\\-ray"), ("(of", "\\(of"), ("A&E)", "A&amp;E\\)"), ("A.", "&#65;.")]:
        at = shown.text.index(word)
        start, end = shown.span(at, at + len(word))
        assert source[start:end] == written
    at = shown.text.index("X-ray")
    assert shown.as_written(at, at + len("X-ray")) == "Xray"
    assert shown.span(at + 1, at + 2) == (source.index("\\-"), source.index("\\-") + 2)


def test_a_run_without_escapes_reads_as_masked() -> None:
    (run,) = read("Plain *words*.\n").runs[:1]
    assert run.reads == () and run.text().text == run.masked
    assert run.text().span(0, 5) == (run.start, run.start + 5)


ESCAPE_TOKENS = ["word", " ", "\n", "\n\n", "- ", "# ", "`", "*", "[", "](x.md)", "\\-", "\\.", "\\(", "\\)", "\\\\", "\\*", "\\[", "&amp;", "&lt;", "&#45;", "<b>", "</b>"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ESCAPE_TOKENS), max_size=30))
def test_what_a_run_reads_maps_back_onto_its_source(parts: list[str]) -> None:
    """Each escape or entity a run reads is the source's own, and every character of the read text maps back onto source that reads as it."""
    import html

    source = "".join(parts)
    for run in read(source).runs:
        shown = run.text()
        for offset, n, char in run.reads:
            written = source[run.start + offset : run.start + offset + n]
            assert written == "\\" + char or html.unescape(written) == char
        for i, c in enumerate(shown.text):
            if c == MASK:
                continue
            start, end = shown.span(i, i + 1)
            written = source[start:end]
            assert written == c or written == "\\" + c or html.unescape(written) == c
