"""Glossary annotation: first use linked, abbreviations defined, everything else left exactly as it was."""

from __future__ import annotations

import html
import re
import string
import textwrap

import markdown
import pytest
from carepath.audit.readability import score_html
from carepath.model.graph import GlossaryEntry
from carepath.text.escape import md_prose, md_text
from carepath.text.glossary import GlossaryMatcher, annotate
from hypothesis import given, settings
from hypothesis import strategies as st

EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "md_in_html", "tables", "toc", "fenced_code"]
"""The site's Markdown extensions (mkdocs.yml), plus `fenced_code`, which MkDocs always adds."""

NERVE_BLOCK = GlossaryEntry(term="nerve block", definition="A shot of numbing medicine next to a nerve.", also=["nerve blocks"])
DIAGNOSTIC = GlossaryEntry(term="diagnostic nerve block", definition="A test shot to find the nerve that hurts.")
RFA = GlossaryEntry(term="radiofrequency ablation", definition="Heat that stops a nerve sending pain.", abbreviation="RFA")
GLOSSARY = [NERVE_BLOCK, DIAGNOSTIC, RFA]

NB = "[cp-term-nerve-block]"
NB_DEF = '[cp-term-nerve-block]: glossary.md#term-nerve-block "A shot of numbing medicine next to a nerve."'
RFA_DEF = "*[RFA]: radiofrequency ablation"


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def render(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def test_first_use_linked_second_not() -> None:
    out = annotate("A nerve block numbs. The nerve block wears off.\n", GLOSSARY, "treatment.md")
    assert out == f"A [nerve block]{NB} numbs. The nerve block wears off.\n\n{NB_DEF}\n"
    assert render(out) == (
        '<p>A <a href="glossary.md#term-nerve-block" title="A shot of numbing medicine next to a nerve.">nerve block</a> numbs.'
        " The nerve block wears off.</p>"
    )


def test_link_is_relative_to_the_page() -> None:
    out = annotate("A nerve block.\n", GLOSSARY, "code/icd10cm/m54.md")
    assert out.endswith(
        '\n\n[cp-term-nerve-block]: ../../glossary.md#term-nerve-block "A shot of numbing medicine next to a nerve."\n'
    )


def test_case_insensitive_whole_words_and_other_forms() -> None:
    out = annotate("Nerve-blocking drugs. Two Nerve Blocks. Another nerve block.\n", [NERVE_BLOCK], "p.md")
    assert out == (f"Nerve-blocking drugs. Two [Nerve Blocks]{NB}. Another nerve block.\n\n{NB_DEF}\n")


def test_term_across_a_line_break() -> None:
    out = annotate("You may have a nerve\nblock first.\n", [NERVE_BLOCK], "p.md")
    assert out.startswith(f"You may have a [nerve\nblock]{NB} first.")


def test_longest_term_wins() -> None:
    out = annotate("A diagnostic nerve block comes first. Then a nerve block.\n", GLOSSARY, "p.md")
    assert out == (
        f"A [diagnostic nerve block][cp-term-diagnostic-nerve-block] comes first. Then a [nerve block]{NB}.\n\n"
        '[cp-term-diagnostic-nerve-block]: glossary.md#term-diagnostic-nerve-block "A test shot to find the nerve that hurts."\n'
        f"{NB_DEF}\n"
    )


def test_abbreviation_is_a_first_use_and_gets_a_definition() -> None:
    out = annotate("RFA uses heat. Radiofrequency ablation and RFAs again.\n", GLOSSARY, "p.md")
    assert out == (
        "[RFA][cp-term-radiofrequency-ablation] uses heat. Radiofrequency ablation and RFAs again.\n\n"
        '[cp-term-radiofrequency-ablation]: glossary.md#term-radiofrequency-ablation "Heat that stops a nerve sending pain."\n\n'
        f"{RFA_DEF}\n*[RFAs]: radiofrequency ablation\n"
    )
    html = render(out)
    assert html.count('<abbr title="radiofrequency ablation">') == 2


def test_abbreviations_match_case_sensitively() -> None:
    """Lowercase 'us' is not the abbreviation 'US'."""
    us = GlossaryEntry(term="ultrasound", definition="A scan that uses sound waves.", abbreviation="US")
    out = annotate("Tell us how it feels.\n", [us], "p.md")
    assert out == "Tell us how it feels.\n"


def test_abbreviation_in_a_heading_is_defined_not_linked() -> None:
    out = annotate("# About RFA\n\nSome text.\n", GLOSSARY, "p.md")
    assert out == f"# About RFA\n\nSome text.\n\n{RFA_DEF}\n"


def test_abbreviation_the_page_defines_is_not_redefined() -> None:
    out = annotate("Text.\n\n*[RFA]: our own words\n\nRFA here.\n", GLOSSARY, "p.md")
    assert RFA_DEF not in out
    assert out.count("*[RFA]:") == 1


@pytest.mark.parametrize(
    "source",
    [
        "# Nerve block\n",
        "Nerve block\n===========\n",
        "Nerve block\n-----------\n",
        "Use `nerve block` here.\n",
        "```\nnerve block\n```\n",
        "Para.\n\n    nerve block as code\n",
        "See [the nerve block page](nerve-block.md).\n",
        "See [nerve block][nb].\n\n[nb]: nerve-block.md\n",
        "See [nerve block].\n\n[nerve block]: nerve-block.md\n",
        "Open [this](https://example.org/nerve%20block 'nerve block') page.\n",
        "<https://example.org/nerve-block> and https://example.org/nerve_block/x\n",
        "![a nerve block diagram](nerve-block.png)\n",
        '<div class="x">\nA nerve block in raw HTML.\n</div>\n',
        "<!-- a nerve block comment -->\n",
        '<span title="nerve block">shot</span> here.\n',
        "<a href='x'>nerve block</a> here.\n",
        "Text\n{: title='nerve block' }\n",
        '---\ntitle: "Nerve block"\ndescription: "A nerve block."\n---\n\n# Page\n',
    ],
)
def test_protected_markup_is_left_alone(source: str) -> None:
    assert annotate(source, GLOSSARY, "p.md") == source


def test_escaped_brackets_are_ordinary_text() -> None:
    out = annotate("\\[a nerve block\\]\n", GLOSSARY, "p.md")
    assert out == f"\\[a [nerve block]{NB}\\]\n\n{NB_DEF}\n"


def test_mention_in_a_link_or_heading_does_not_use_up_the_first_use() -> None:
    source = md(
        """
        # Nerve block

        Read [about nerve blocks](nerve-block.md). A nerve block numbs.
        """
    )
    out = annotate(source, GLOSSARY, "p.md")
    assert out.endswith(f"A [nerve block]{NB} numbs.\n\n{NB_DEF}\n")


def test_markdown_inside_html_and_lists_is_annotated() -> None:
    source = md(
        """
        <div class="card" markdown="1">
        A nerve block numbs.
        </div>

        - item one
            RFA continuation

        !!! note "Nerve block"
            Radiofrequency ablation heats.
        """
    )
    out = annotate(source, GLOSSARY, "p.md")
    assert f"A [nerve block]{NB} numbs." in out
    assert "    [RFA][cp-term-radiofrequency-ablation] continuation" in out
    assert '!!! note "Nerve block"' in out


def test_tables_are_annotated() -> None:
    out = annotate("| shot | use |\n|---|---|\n| nerve block | test |\n", GLOSSARY, "p.md")
    assert f"| [nerve block]{NB} | test |" in out
    assert "<a href=" in render(out)


@pytest.mark.parametrize(
    "source",
    [
        '<nav class="cp-breadcrumb cp-no-score" markdown="1">\n[Home](index.md) › <span>Nerve block</span>\n</nav>\n\nA nerve block.\n',
        '!!! note cp-review cp-no-score "Draft"\n    Not reviewed; a nerve block may differ.\n\nA nerve block.\n',
        "About a nerve block.\n{: .cp-no-score }\n\nA nerve block.\n",
    ],
)
def test_page_chrome_is_not_linked(source: str) -> None:
    """Text marked `cp-no-score` is chrome: the first use goes to the page's own prose."""
    out = annotate(source, GLOSSARY, "p.md")
    assert out.count("][cp-term-") == 1
    assert out.endswith(f"A [nerve block]{NB}.\n\n{NB_DEF}\n")


def test_glossary_page_defines_abbreviations_but_links_nothing() -> None:
    out = annotate("### Radiofrequency ablation (RFA)\n\nHeat. Used after a nerve block.\n", GLOSSARY, "glossary.md")
    assert "cp-term-" not in out
    assert out.endswith(f"\n\n{RFA_DEF}\n")


def test_hostile_definitions_are_escaped() -> None:
    hostile = GlossaryEntry(
        term="nerve block",
        definition='A "shot" ](x) [y](z) `code` \\* back\\slash\nnew line <b>bold</b> & more',
        abbreviation="NB",
    )
    term = GlossaryEntry(term="odd ] term [x", definition="Brackets.", abbreviation="O]K")
    out = annotate("A nerve block, then NB. An odd ] term [x. O]K.\n", [hostile, term], "p.md")
    assert out.count("][cp-term-") == 2
    assert "*[O]K]" not in out
    html = render(out)
    # The brackets the reader sees are escaped inside the link's text, so they neither end nor open a link.
    assert '<a href="glossary.md#term-odd-term-x" title="Brackets.">odd ] term [x</a>. O]K.' in html
    assert (
        '<a href="glossary.md#term-nerve-block" title="A &quot;shot&quot; ](x) [y](z) `code` \\* back\\slash new line '
        '&lt;b&gt;bold&lt;/b&gt; &amp; more">nerve block</a>'
    ) in html
    assert '<abbr title="nerve block">NB</abbr>' in html
    assert "<b>" not in html
    assert "<code>" not in html


def test_abbreviation_definition_text_is_one_safe_line() -> None:
    entry = GlossaryEntry(term="odd [bracketed] term", definition="Odd.", abbreviation="OBT")
    out = annotate("OBT here.\n", [entry], "p.md")
    assert out.endswith("\n\n*[OBT]: odd (bracketed) term\n")
    assert '<abbr title="odd (bracketed) term">OBT</abbr>' in render(out)


def test_rendered_page_has_links_and_abbreviations() -> None:
    source = md(
        """
        # Radiofrequency ablation (RFA)

        RFA uses heat. You first need a diagnostic nerve block.

        ## Risks

        - A nerve block can bruise.
        """
    )
    html = render(annotate(source, GLOSSARY, "rfa.md"))
    assert (
        '<h1 id="radiofrequency-ablation-rfa">Radiofrequency ablation (<abbr title="radiofrequency ablation">RFA</abbr>)</h1>'
        in html
    )
    assert (
        '<a href="glossary.md#term-radiofrequency-ablation" title="Heat that stops a nerve sending pain.">'
        '<abbr title="radiofrequency ablation">RFA</abbr></a> uses heat.'
    ) in html
    assert '<a href="glossary.md#term-diagnostic-nerve-block"' in html
    assert '<li>A <a href="glossary.md#term-nerve-block"' in html


def test_deterministic_and_empty_glossary_is_a_no_op() -> None:
    source = "RFA, a nerve block and a diagnostic nerve block.\n"
    assert annotate(source, GLOSSARY, "p.md") == annotate(source, list(reversed(GLOSSARY)), "p.md")
    assert annotate(source, [], "p.md") == source


def test_matcher_resolves_each_form_to_its_entry() -> None:
    matcher = GlossaryMatcher(GLOSSARY)
    found = [
        (m.group(0), getattr(matcher.entry_for(m.group(0)), "term", None)) for m in matcher.finditer("RFAs, Nerve Blocks, rfa")
    ]
    assert found == [("RFAs", "radiofrequency ablation"), ("Nerve Blocks", "nerve block")]


TOKENS = [
    "nerve block", "Nerve Blocks", "diagnostic nerve block", "RFA", "RFAs", "radiofrequency ablation", "rfa", "word",
    " ", " ", "\n", "\n\n", "# ", "- ", "1. ", "    ", "`", "```", "[", "]", "(", ")", "](x.md)", "{: .c }",
    "{ .cp-no-score }", "*", "_", "\\", "|", "---", "!!! note ", '"', "'", "<https://x.org/a>", "https://x.org/nerve-block",
    "&amp;", "![", ":", "<span>nerve block</span>", "<div>RFA nerve block</div>", "\n<div>\nnerve block\n</div>\n",
    '\n<div markdown="1">\nnerve block RFA\n</div>\n', "<!-- nerve block -->", '<a href="x">RFA</a>',
]  # fmt: skip
"""Markdown syntax in any order; raw HTML only as balanced units (unbalanced HTML is garbage in)."""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_annotate_only_adds_links_and_definitions(parts: list[str]) -> None:
    """Whatever the input, undoing the inserted links and definitions gives back the input exactly."""
    source = "".join(parts)
    out = annotate(source, GLOSSARY, "a/page.md")
    added = re.compile(r"\[([^\[\]]*)\]\[cp-term-[a-z-]+\]")
    assert len(added.findall(out)) <= len(GLOSSARY)
    plain = added.sub(r"\1", out)
    if plain != source:
        head = source.rstrip("\n")
        assert plain.startswith(head + "\n\n")
        tail = r'(\[cp-term-[a-z-]+\]: \.\./glossary\.md#term-[a-z-]+ "[^"\n]*"\n)+'
        abbrs = r"(\*\[RFAs?\]: radiofrequency ablation\n)+"
        assert re.fullmatch(f"{tail}|{abbrs}|{tail}\n{abbrs}", plain[len(head) + 2 :])
    html = render(out)
    assert html.count("glossary.md#term-") == len(re.findall(r'<a href="\.\./glossary\.md#term-', html))
    assert not re.search(r"<h[1-6][^>]*>(?:(?!</h[1-6]>).)*glossary\.md", html, re.DOTALL)


MARKUP_BEFORE_PROSE = [
    '[nb]: x "nerve block"\n\nnerve block\n',
    '[a](x " nerve block") nerve block\n',
    '<div title="nerve block" markdown="1">\nnerve block\n</div>\n',
    "Text\n{: title='nerve block' }\n\nnerve block\n",
    "x <span title='nerve block'>y</span>nerve block\n",
    "`x nerve block` nerve block\n",
    "```\nnerve block\n```\n\nnerve block\n",
]
"""The term in markup the parse takes away (a definition, a title, an attribute, code), then in prose."""


@pytest.mark.parametrize("source", MARKUP_BEFORE_PROSE)
def test_the_same_words_in_markup_before_the_prose_stay_as_written(source: str) -> None:
    """Markup the parse takes away (definitions, titles, attributes, code) never receives the link meant for the prose after it."""
    out = annotate(source, GLOSSARY, "p.md")
    at = source.rindex("nerve block")
    assert out.startswith(source[:at] + f"[nerve block]{NB}" + source[at + len("nerve block") :].rstrip("\n"))
    assert render(out).count('href="glossary.md#term-nerve-block"') == 1


def test_emphasis_is_read_as_markdown_reads_it() -> None:
    """`_nerve block_` is emphasised prose to Python-Markdown, so the term inside it is linked."""
    out = annotate("An _nerve block_ here.\n", GLOSSARY, "p.md")
    assert out.startswith(f"An _[nerve block]{NB}_ here.")
    assert '<em><a href="glossary.md#term-nerve-block"' in render(out)


@pytest.mark.parametrize("source", ["Stop!nerve block.\n", "[x]nerve block.\n", "Use <code>nerve block</code> or <kbd>RFA</kbd>.\n"])
def test_no_link_where_its_bracket_would_change_meaning_or_in_inline_html_code(source: str) -> None:
    """After `!` a link would become an image, after `]` a reference; inside `<code>` or `<kbd>` it is code."""
    out = annotate(source, GLOSSARY, "p.md")
    assert "][cp-term-" not in out


def test_admonition_title_defines_abbreviations_but_links_nothing() -> None:
    out = annotate('!!! note "About RFA and a nerve block"\n    A nerve block.\n', GLOSSARY, "p.md")
    assert out.startswith(f'!!! note "About RFA and a nerve block"\n    A [nerve block]{NB}.')
    assert out.endswith(f"\n\n{RFA_DEF}\n")


# --- terms as the reader sees them, whatever the escaping ------------------------------------------


def scored(markdown_text: str, glossary: list[GlossaryEntry]) -> list[str]:
    """The words the readability gate finds unexplained once Markdown has built the page (links as MkDocs writes them)."""
    html = render(markdown_text).replace('href="glossary.md#', 'href="../glossary/#')
    page = f'<article class="md-content__inner md-typeset">{html}</article>'
    return [j.word for j in score_html(page, glossary).unexplained]


def linked_text(markdown_text: str) -> list[str]:
    """The text of each glossary link on the built page, as the reader sees it."""
    return [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r'<a href="glossary\.md#term-[^"]*"[^>]*>(.*?)</a>', render(markdown_text))]


def visible(markdown_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", render(markdown_text)))


ESCAPED = sorted(c for c in string.punctuation if md_text(c) != c)
"""Every character the Markdown writer (`escape.md_text`) spells differently from how it reads."""


def places(term: str) -> dict[str, str]:
    """A page's Markdown with `term` in a summary, a list item and a body, each written as the renderer writes it."""
    return {
        "summary": f"# Page\n\n{md_text(f'An {term} takes a picture.')}\n{{: .cp-summary }}\n",
        "list item": f"# Page\n\n- {md_text(f'Ask about the {term} first.')}\n- {md_text('Then rest.')}\n",
        "body": f"# Page\n\n{md_prose(f'Before the {term} you rest.', lambda _: None)}\n",
    }


def test_escaped_characters_cover_what_the_writer_escapes() -> None:
    assert set("-.()+#!&<>{}[]*_`\\") <= set(ESCAPED)


@pytest.mark.parametrize("char", ESCAPED)
@pytest.mark.parametrize("place", ["summary", "list item", "body"])
def test_a_term_with_any_escaped_character_is_found_and_explained(char: str, place: str) -> None:
    term = f"X{char}ray"
    glossary = [GlossaryEntry(term=term, definition="A picture of the inside of your body.")]
    source = places(term)[place]
    assert scored(source, glossary) == [term]  # unannotated, the gate rejects it: this test can fail
    out = annotate(source, glossary, "page.md")
    assert linked_text(out) == [term]
    assert visible(out) == visible(source)
    assert scored(out, glossary) == []


@pytest.mark.parametrize("term", ["X-ray", "e.g.", "Hb (A1c)", "C++ scan", "#1 rule", "A&E", "T_3", "[bracket]"])
@pytest.mark.parametrize("place", ["summary", "list item", "body"])
def test_terms_with_punctuation_are_explained_in_every_place(term: str, place: str) -> None:
    glossary = [GlossaryEntry(term=term, definition="Explained.")]
    out = annotate(places(term)[place], glossary, "page.md")
    assert linked_text(out) == [term]
    assert scored(out, glossary) == []


def test_the_x_ray_summary_of_issue_20() -> None:
    """The knee pathway's summary: `X-ray` is written `X\\-ray` and must still be the glossary's X-ray."""
    xray = GlossaryEntry(term="X-ray", definition="A picture of the inside of your body.")
    source = "# Knee X\\-ray\n\nAn X\\-ray takes a picture of your knee\\.\n{: .cp-summary }\n"
    out = annotate(source, [xray], "knee-xray.md")
    assert out.startswith("# Knee X\\-ray\n\nAn [X\\-ray][cp-term-x-ray] takes a picture of your knee\\.\n{: .cp-summary }\n")
    assert scored(out, [xray]) == []


COVID = GlossaryEntry(term="coronavirus disease", abbreviation="COVID-19", definition="An illness caused by a virus.")
AE = GlossaryEntry(term="accident and emergency", abbreviation="A&E", definition="The hospital department for urgent care.")


@pytest.mark.parametrize("entry", [COVID, AE])
def test_an_escaped_abbreviation_gets_its_abbr_element(entry: GlossaryEntry) -> None:
    """The abbr extension reads text before escapes are undone, so `COVID\\-19` needs its `<abbr>` written out."""
    abbr = entry.abbreviation
    assert abbr is not None
    source = f"# {md_text(f'Tests for {abbr}')}\n\n{md_text(f'A test for {abbr}.')}\n{{: .cp-summary }}\n\n- {md_text(f'{abbr} is common.')}\n"
    assert "<abbr" not in render(f"{source}\n*[{abbr}]: {entry.term}\n")  # a definition alone does not reach it
    out = annotate(source, [entry], "page.md")
    title = html.escape(entry.term, quote=True)
    assert render(out).count(f'<abbr title="{title}">{html.escape(abbr, quote=False)}</abbr>') == 3
    assert scored(out, [entry]) == []
    assert visible(out) == visible(source)


def test_an_abbreviation_written_plainly_keeps_its_definition() -> None:
    out = annotate("A COVID-19 test.\n", [COVID], "page.md")
    assert out.endswith("\n\n*[COVID-19]: coronavirus disease\n")
    assert "<abbr" not in out.split("\n\n")[0].replace("[", "")


@pytest.mark.parametrize("before", ["Stop!", "[x]", "back\\"])
def test_an_escaped_character_before_a_term_does_not_stop_its_link(before: str) -> None:
    """`Stop\\!X\\-ray`: the `!` is escaped, so a `[` after it starts a link, not an image; a bare `!` would not."""
    xray = GlossaryEntry(term="X-ray", definition="A picture.")
    out = annotate(f"{md_text(before + 'X-ray here.')}\n", [xray], "page.md")
    assert linked_text(out) == ["X-ray"]
    assert visible(out) == visible(md_text(before + "X-ray here.") + "\n")
    assert scored(out, [xray]) == []
