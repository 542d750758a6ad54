"""Hostile text in every field of every node kind is shown as text and never runs.

The fixture (`tests/fixtures/hostile/`, written by its `make_pathway.py`) puts script tags, event
handlers, `javascript:` links, attribute lists, Markdown and HTML structure, diagram syntax,
JSON-breaking quotes, right-to-left and combining characters and emoji into every text field. The
built site is compared with the clean asthma fixture's: the only scripts are the theme's own.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from carepath import KnowledgeBase, check_pathway
from carepath.cli.render import stock_markup
from carepath.engines.host import THEME_TEXT
from carepath.model.graph import EdgeKind, Treatment, Urgency
from carepath.settings import Settings, address_problem, load_mkdocs_yml, site_url_problem, theme_addresses
from carepath.text.escape import json_text, md_prose, md_text, meta_text
from helpers_site import (
    HOSTILE_FIXTURE,
    SITE_FIXTURE,
    Build,
    article,
    copy_project,
    elements,
    env,
    html_pages,
    node_url,
    shared_build,
    text_of,
)
from pydantic import BaseModel

SCRIPT = "<script>alert(1)</script>"
PLAIN = {"table", "tables", "ABBR"}
"""Deliberately harmless glossary words that occur in the text (see make_pathway.py)."""
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Build:
    b = shared_build("hostile", tmp_path_factory)
    assert b.returncode == 0, b.output
    return b


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Build:
    b = shared_build("fixture", tmp_path_factory)
    assert b.returncode == 0, b.output
    return b


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    kb, problems = check_pathway(HOSTILE_FIXTURE / "pathway", dt.date(2026, 6, 1))
    assert [p for p in problems if p.severity == "error"] == []
    return kb


# --- the fixture really is hostile everywhere --------------------------------------------------------


def _text_fields(model: BaseModel) -> Iterator[tuple[str, Any]]:
    """(name, value) of every free-text field of a model, nested models included; ids, enums and URLs excluded."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        shape = repr(info.annotation) + repr(info.metadata)
        if isinstance(value, BaseModel):
            yield from ((f"{name}.{n}", v) for n, v in _text_fields(value))
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                yield from ((f"{name}[{i}].{n}", v) for n, v in _text_fields(item))
        elif "str" in shape and "Literal" not in shape and "pattern='" not in shape and name != "code":
            yield name, value


def test_fixture_puts_payloads_in_every_text_field_of_every_kind(kb: KnowledgeBase) -> None:
    """Every text field of every kind is set somewhere in the fixture, and every value set is hostile."""
    kinds = {kb.kind(n) for n in kb.nodes}
    assert kinds == {"pathway", "stage", "treatment", "condition", "indicator"}
    fields: dict[str, set[str]] = {}
    filled: dict[str, set[str]] = {}
    items = [(kb.kind(n.id), n) for n in kb.nodes.values()] + [("glossary", g) for g in kb.glossary]
    for kind, item in items:
        for name, value in _text_fields(item):
            name = re.sub(r"\[\d+\]", "[]", name)
            fields.setdefault(kind, set()).add(name)
            for v in value if isinstance(value, list) else [value]:
                if not v:
                    continue
                filled.setdefault(kind, set()).add(name)
                if v in PLAIN:
                    continue
                if name == "abbreviation":
                    assert "<" in v and ("\\" in v or "{" in v), v
                else:
                    assert SCRIPT in v, f"{getattr(item, 'id', item)}: {name!r} carries no payload"
    assert filled == fields
    assert {"title", "summary", "body", "sources[].title", "review.reviewer", "codes[].display"} <= filled["treatment"]
    assert {"term", "definition", "abbreviation", "also"} <= filled["glossary"]
    assert max(len(n.title) for n in kb.nodes.values()) == 300


def test_a_ten_thousand_character_title_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "pathway").mkdir()
    (tmp_path / "pathway" / "p.yml").write_text(
        textwrap.dedent(
            f"""\
            pathways:
              - id: p
                title: {"A" * 10_000}
                summary: s
                stages: [s1]
            stages:
              - id: s1
                title: S
                summary: s
            """
        ),
        encoding="utf-8",
    )
    _, problems = check_pathway(tmp_path / "pathway")
    assert [str(p) for p in problems] == ["pathway/p.yml:3:12: pathway 'p': 'title' is 10,000 characters, over the limit of 300"]


# --- nothing runs -----------------------------------------------------------------------------------


def _script_signature(el_attrs: dict[str, str], content: str) -> tuple[str, str]:
    if "src" in el_attrs:
        return ("src", el_attrs["src"].rsplit("/", 1)[-1])
    if el_attrs.get("type", "").endswith("json"):
        return ("json", el_attrs.get("id", el_attrs["type"]))
    return ("inline", re.sub(r"[./]+", "", content)[:300])


def _scripts(page: str) -> list[tuple[dict[str, str], str]]:
    out = []
    for m in re.finditer(r"<script\b([^>]*)>(.*?)</script\s*>", page, re.DOTALL | re.IGNORECASE):
        attrs = {k.lower(): htmllib.unescape(v) for k, _, v in re.findall(r"""([\w:-]+)\s*=\s*(["'])(.*?)\2""", m.group(1))}
        out.append((attrs, m.group(2)))
    return out


def test_no_script_but_the_themes_own(hostile: Build, clean: Build) -> None:
    theirs = {_script_signature(a, c) for p in html_pages(clean.site) for a, c in _scripts(p.read_text(encoding="utf-8"))}
    assert theirs, "the clean build has no scripts to compare with"
    pages = list(html_pages(hostile.site))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        opened = len(re.findall(r"<script\b", text, re.IGNORECASE))
        found = _scripts(text)
        assert opened == len(found), f"{page}: unbalanced <script"
        for attrs, content in found:
            assert _script_signature(attrs, content) in theirs, f"{page}: foreign script {attrs} {content[:120]!r}"
            if attrs.get("type", "").endswith("json"):
                # Data, never run (JSON-LD now on every site the plugin builds): the hostile titles are in it as
                # JSON strings, and no character of theirs may close the element or open another.
                json.loads(content)
                assert "<" not in content and ">" not in content, page
            else:
                assert "alert(" not in content, page


@pytest.fixture(scope="module")
def hostile_elements(hostile: Build) -> dict[str, list[Any]]:
    return {p.relative_to(hostile.site).as_posix(): elements(p.read_text(encoding="utf-8")) for p in html_pages(hostile.site)}


def test_no_event_handler_attributes(hostile_elements: dict[str, list[Any]]) -> None:
    for page, els in hostile_elements.items():
        for el in els:
            handlers = [k for k in el.attrs if re.fullmatch(r"on\w+", k)]
            assert not handlers, f"{page}: <{el.tag} {handlers}>"


def test_no_script_urls(hostile_elements: dict[str, list[Any]]) -> None:
    for page, els in hostile_elements.items():
        for el in els:
            for name in URL_ATTRS & el.attrs.keys():
                value = re.sub(r"[\x00-\x20]", "", el.attrs[name]).lower()
                assert not value.startswith(("javascript:", "vbscript:", "data:text")), (
                    f"{page}: <{el.tag} {name}={el.attrs[name]!r}>"
                )
            if el.tag == "img":
                assert el.attrs.get("src") != "x", f"{page}: injected <img>"
            assert el.tag not in {"iframe", "object", "embed", "textarea"}, f"{page}: injected <{el.tag}>"


def test_every_json_file_still_parses(hostile: Build, kb: KnowledgeBase) -> None:
    files = sorted(hostile.site.rglob("*.json"))
    assert hostile.site / "search" / "search_index.json" in files
    for f in files:
        json.loads(f.read_text(encoding="utf-8"))
    index = json.loads((hostile.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert {node_url(n) for n in kb.nodes} <= locations


# --- shown as text ----------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return " ".join(text.split())


def test_titles_are_shown_exactly_as_written(hostile: Build, kb: KnowledgeBase) -> None:
    for node_id, node in kb.nodes.items():
        page = hostile.html(node_url(node_id))
        [h1] = [e for e in elements(article(page)) if e.tag == "h1"]
        assert _plain(h1.text) == _plain(node.title), node_id
        [title] = [e for e in elements(page[: page.index("</head>")]) if e.tag == "title"]
        assert _plain(title.text).startswith(_plain(node.title)), node_id
        [meta] = [e for e in elements(page) if e.tag == "meta" and e.attrs.get("name") == "description"]
        assert _plain(meta.attrs["content"]) == _plain(node.summary), node_id


def test_nav_titles_are_shown_exactly_as_written(hostile: Build, kb: KnowledgeBase) -> None:
    """Not run as HTML, and not escaped twice either."""
    [pathway] = kb.pathways
    page = hostile.html("glossary/")
    nav = text_of(
        page[page.index('class="md-sidebar md-sidebar--primary"') : page.index('class="md-sidebar md-sidebar--secondary"')]
    )
    assert _plain(pathway.title) in nav
    for i, stage_id in enumerate(pathway.stages, 1):
        assert f"{i}. {_plain(kb.nodes[stage_id].title)}" in nav
    assert "&lt;" not in nav and "&amp;" not in nav


def test_plain_text_fields_are_visible_as_text(hostile: Build, kb: KnowledgeBase) -> None:
    for node_id, node in kb.nodes.items():
        text = text_of(article(hostile.html(node_url(node_id))))
        lines = [
            node.summary,
            *getattr(node, "risks", []),
            *getattr(node, "questions", []),
            *getattr(node, "signs_not_working", []),
        ]
        if hasattr(node, "action"):
            lines.append(node.action)
        if isinstance(node, Treatment):  # the decision aids (tests/test_decisions.py)
            lines += [node.if_you_wait or "", *(f.means for f in node.frequency)]
            lines += [node.benefit.words, node.benefit.number or ""] if node.benefit else []
        for line in filter(None, lines):
            assert _plain(line) in text, f"{node_id}: {line[:40]!r}…"


def test_prose_fields_keep_their_payloads_as_text(hostile: Build, kb: KnowledgeBase) -> None:
    for node_id, node in kb.nodes.items():
        text = text_of(article(hostile.html(node_url(node_id))))
        marker = node.body.split()[0]
        assert f"{marker} {SCRIPT}" in text, node_id
        assert '{: onclick="alert(1)" }' in text, node_id
        assert "مرحبا \u200fevil\u200e" in text and "🩺😀" in text and "e\u0301\u0301" in text, node_id
        assert "*[X]: abbr" in text, node_id  # an abbreviation definition in one field is text, not page-wide markup


def test_glossary_terms_are_visible_as_text(hostile: Build, kb: KnowledgeBase) -> None:
    text = text_of(article(hostile.html("glossary/")))
    for entry in kb.glossary:
        assert _plain(entry.term) in text
        assert _plain(entry.definition) in text
        if entry.abbreviation:
            assert _plain(entry.abbreviation) in text


def test_glossary_tooltips_carry_hostile_definitions_as_attribute_text(
    hostile_elements: dict[str, list[Any]], kb: KnowledgeBase
) -> None:
    table = next(e for e in kb.glossary if e.term == "table")
    abbr = next(e for e in kb.glossary if e.abbreviation == "ABBR")
    links = [
        el
        for els in hostile_elements.values()
        for el in els
        if el.tag == "a" and el.attrs.get("href", "").endswith("glossary/#term-table")
    ]
    assert links, "the glossary pass linked no 'table'"
    assert all(_plain(el.attrs["title"]).startswith(table.definition.split(" [x]")[0]) for el in links)
    abbrs = [el for els in hostile_elements.values() for el in els if el.tag == "abbr" and el.text == "ABBR"]
    assert abbrs, "the glossary pass defined no 'ABBR'"
    assert all(el.attrs["title"].startswith(abbr.term.split(" [x]")[0]) for el in abbrs)


# --- the escaping rules themselves -----------------------------------------------------------------


def _unknown(_: str) -> str | None:
    return None


def _as_mkdocs_would(markdown_text: str) -> str:
    """Python-Markdown with the site's extensions plus the ones MkDocs always adds."""
    import markdown

    extensions = ["abbr", "admonition", "attr_list", "def_list", "md_in_html", "tables", "toc", "fenced_code"]
    return markdown.markdown(markdown_text, extensions=extensions)


@pytest.mark.parametrize(
    "prose",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](\n javascript:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](java&Tab;script:alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "![i](data:text/html,<script>alert(1)</script>)",
        "[r]\n\n[r]: javascript:alert(1)",
        "[r]\n\n[r]:\n  javascript:alert(1)",
        "- item\n\n    [r]: javascript:alert(1)\n\n    [r][]",
        "> [r]: javascript:alert(1)\n\n[r]",
    ],
)
def test_md_prose_defuses_script_links(prose: str) -> None:
    html = _as_mkdocs_would(md_prose(prose, _unknown))
    for href in re.findall(r"""(?:href|src)="([^"]*)\"""", html):
        decoded = re.sub(r"[\x00-\x20]", "", htmllib.unescape(href)).lower()
        assert not decoded.startswith(("javascript:", "vbscript:", "data:")), (prose, html)


@pytest.mark.parametrize(
    "prose",
    [
        "<script>alert(1)</script>",
        "~~~\n<script>alert(1)</script>\n~~~",
        "```\n<img src=x onerror=alert(1)>\n```",
        "- item\n\n    ~~~\n    <script>alert(1)</script>\n    ~~~",
        "````\n```\n<script>alert(1)</script>\n````",
        '<div markdown="1" onclick="alert(1)">x</div>',
        'Text\n{: onclick="alert(1)" }',
        '## Heading {: onclick="alert(1)" }',
    ],
)
def test_md_prose_leaves_no_raw_html_or_attributes(prose: str) -> None:
    html = _as_mkdocs_would(md_prose(prose, _unknown))
    assert "<script" not in html and "<img" not in html and "<div" not in html
    assert not re.search(r"<[^>]+\son\w+=", html), html


def test_md_prose_keeps_abbreviations_and_headings_in_their_place() -> None:
    out = md_prose("*[Call]: a trick\n\n# Title\n#Also\n> # Quoted", _unknown)
    assert out.startswith("\\*[Call]")
    assert "\n## Title\n##Also\n> ## Quoted" in out


def test_md_prose_keeps_ordinary_markdown() -> None:
    text = (
        "Some **bold** and a [link](https://example.org/?a=1&b=2), fish & chips.\n\n- a list\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert md_prose(text, _unknown) == text


@pytest.mark.parametrize(
    "text", ["🩺 مرحبا \u202e e\u0301", 'quote " backslash \\ </script> & <b>', "line\u2028para\u2029nel\x85"]
)
def test_json_text_round_trips_through_yaml_and_json(text: str) -> None:
    out = json_text(text)
    assert "<" not in out and ">" not in out and "\u2028" not in out
    assert json.loads(out) == text
    assert yaml.safe_load(f"title: {out}")["title"] == text


def test_meta_text_and_md_text_are_inert() -> None:
    assert meta_text('<b onclick="x">A & B</b>') == "&lt;b onclick=&quot;x&quot;&gt;A &amp; B&lt;/b&gt;"
    assert md_text("[x](javascript:alert(1)) {: #id } <i>") == "\\[x\\]\\(javascript:alert\\(1\\)\\) \\{: \\#id \\} &lt;i&gt;"


@pytest.mark.parametrize(
    "prose",
    [
        "-   " * 5000 + "x",
        "- \t " * 4000 + "[a]: javascript:x",
        "*[" * 10000,
        "*[" + "a\n" * 9000,
        "](" * 10000,
        "> - 1) : * " * 1800,
    ],
)
def test_md_prose_does_not_hang_on_adversarial_input(prose: str) -> None:
    """20,000 characters (the prose limit) of what makes regular expressions backtrack.

    A hang guard, not a speed test: catastrophic backtracking takes hours on this input, so a
    generous limit on a child process tells the two apart without timing anything that matters.
    """
    code = "import sys; from carepath.text.escape import md_prose; md_prose(sys.stdin.read(), lambda target: None)"
    done = subprocess.run([sys.executable, "-c", code], input=prose, text=True, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_md_prose_defuses_abbreviations_wherever_the_abbr_extension_reads_them() -> None:
    out = md_prose("*[a]b]: t\n- *[X]: y\n> *[Q\nR]: z\n**[bold](https://example.org)**", _unknown)
    assert out == "\\*[a]b]: t\n- \\*[X]: y\n> \\*[Q\nR]: z\n**[bold](https://example.org)**"
    assert "<abbr" not in _as_mkdocs_would(out + "\n\nb X Q")


# --- the vocabulary and the settings ----------------------------------------------------------------


LABELLED_EDGES = [k for k in EdgeKind if k != EdgeKind.includes]
"""Every edge kind a pathway file may relabel (`vocabulary.edge_labels`): all but a pathway's stages."""


def test_fixture_puts_payloads_in_every_vocabulary_word_and_text_setting(kb: KnowledgeBase) -> None:
    v = kb.vocabulary
    words = [v.urgency_label(u) for u in Urgency] + [v.type_label("h-kind")]
    words += [v.edge_label(k, backward) for k in LABELLED_EDGES for backward in (False, True)]
    assert len(words) == 4 + 1 + 16
    assert all(SCRIPT in w for w in words), [w for w in words if SCRIPT not in w]
    settings = Settings.from_mkdocs_yml(HOSTILE_FIXTURE / "mkdocs.yml")
    for value in (settings.publisher, settings.content_version, settings.nav_section):
        assert value is not None and SCRIPT in value and '"><img src=x onerror=alert(1)>' in value


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()  # diagrams capitalise a label that starts a line


def test_vocabulary_words_are_shown_as_text(hostile: Build, kb: KnowledgeBase) -> None:
    """Each word lands on the pages as the text the author wrote (so the checks above saw it), in the diagrams too."""
    v = kb.vocabulary
    journey = _folded(text_of(article(hostile.html(node_url("h-path")))))
    for urgency in (Urgency.emergency, Urgency.soon):  # the fixture's signs
        assert _folded(v.urgency_label(urgency)) in journey, urgency
    for kind in (EdgeKind.escalates_to, EdgeKind.requires, EdgeKind.refers_to, EdgeKind.returns_to, EdgeKind.relevant_to):
        assert _folded(v.edge_label(kind)) in journey, kind
    treatment = _folded(text_of(article(hostile.html(node_url("h-treat-2")))))
    assert _folded(v.type_label("h-kind")) in treatment
    assert _folded(v.edge_label(EdgeKind.alternative_to, backward=True)) in treatment  # h-treat names it as another option
    assert _folded(v.edge_label(EdgeKind.requires, backward=True)) in _folded(text_of(article(hostile.html(node_url("h-treat")))))


def test_text_settings_are_shown_as_text(hostile: Build) -> None:
    settings = Settings.from_mkdocs_yml(HOSTILE_FIXTURE / "mkdocs.yml")
    assert settings.publisher and settings.content_version and settings.nav_section
    page = hostile.html(node_url("h-treat"))
    handout = text_of(article(page))
    assert _plain(settings.publisher) in handout and _plain(settings.content_version) in handout
    nav = text_of(page[page.index('class="md-sidebar md-sidebar--primary"') : page.index('class="md-sidebar md-sidebar--secondary"')])
    assert _plain(settings.nav_section) in nav


HOSTILE_SITE_URLS = {
    "markup": 'https://x.example.org/"><script>alert(1)</script>',
    "quote": "https://x.example.org/a'b/",
    "space": "https://x.example.org/a b/",
    "too-long": "https://x.example.org/" + "a" * 3000 + "/",
    "javascript": "javascript://x.example.org/%0Aalert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "no-host": "https:///care/",
    "relative": "care/",
    "query": "https://x.example.org/?next=/",
    "fragment": "https://x.example.org/#top",
    "not-text": "[1, 2]",
}


@pytest.mark.parametrize("value", HOSTILE_SITE_URLS.values(), ids=HOSTILE_SITE_URLS.keys())
def test_site_url_must_be_a_plain_http_address(value: str) -> None:
    assert site_url_problem(yaml.safe_load(value) if value.startswith("[") else value)


@pytest.mark.parametrize(
    "value", ["https://care.example.org/", "http://127.0.0.1:8000/", "https://[::1]/care/", "https://x.org/~me/a%20b/(c);d=1,2/"]
)
def test_site_url_takes_a_plain_http_address(value: str) -> None:
    assert site_url_problem(value) is None


@pytest.fixture(scope="module")
def site_url_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean fixture, its `site_url` read from the environment as the shipped site reads it."""
    project = copy_project(SITE_FIXTURE, tmp_path_factory.mktemp("site-url"))
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("site_url: https://asthma.example.test/", "site_url: !ENV [SITE_URL, null]"), encoding="utf-8")
    assert "!ENV [SITE_URL" in config.read_text(encoding="utf-8")
    return project


@pytest.mark.parametrize("command", ["check", "render", "build"])
@pytest.mark.parametrize("case", ["markup", "too-long", "javascript", "not-text"])
def test_a_bad_site_url_is_one_line_and_exit_1_in_every_command(site_url_project: Path, command: str, case: str) -> None:
    """`check`, `render` and the build refuse it before anything is written, naming the setting and its line."""
    argv = {"check": ["check", "pathway"], "render": ["render", "--out", "out"], "build": ["build", "--site-dir", "site"]}[command]
    done = subprocess.run(
        [sys.executable, "-m", "carepath", *argv],
        cwd=site_url_project, env=env(SITE_URL=HOSTILE_SITE_URLS[case]), capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.match(r"(\S*/)?mkdocs\.yml:2: site_url \(or the SITE_URL environment variable\): \S", lines[0]), lines[0]
    assert not (site_url_project / "out").exists() and not (site_url_project / "site").exists()


def test_a_bad_site_url_fails_a_plain_mkdocs_build_in_one_line(site_url_project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "plain-site"],
        cwd=site_url_project, env=env(SITE_URL=HOSTILE_SITE_URLS["markup"]), capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "mkdocs.yml:2: site_url (or the SITE_URL environment variable): " in done.stderr
    assert not (site_url_project / "plain-site" / "404.html").exists()


# --- the site's own settings, which the theme shows ---------------------------------------------------


def _theme_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _theme_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _theme_strings(v)


def test_fixture_puts_payloads_in_every_theme_text_setting() -> None:
    """Each text setting the theme shows, each text under `extra` and each palette colour carries a payload;
    the addresses among them are plain (a bad one is refused: the tests below)."""
    data = load_mkdocs_yml(HOSTILE_FIXTURE / "mkdocs.yml")
    addresses = {v for _, v in theme_addresses(data)}
    texts = [data[k] for k in THEME_TEXT]
    texts += [s for s in _theme_strings([data["extra"], data["theme"]["palette"]]) if s not in addresses]
    icons = {s["icon"] for s in data["extra"]["social"]}
    assert len(texts) == len(THEME_TEXT) + 7  # note, icon, social name, language name and code, two colours
    for text in texts:
        assert text in icons or "alert(1)" in text, text
    assert all(address_problem(a) is None for a in addresses)


def test_theme_text_settings_are_shown_as_text(hostile: Build) -> None:
    """Header, title, meta tags, footer, repository, language and social links of every page (here the home
    page and the 404 page) show each setting as written; the palette's colours are attribute text."""
    data = load_mkdocs_yml(HOSTILE_FIXTURE / "mkdocs.yml")
    social, alternate = data["extra"]["social"][0], data["extra"]["alternate"][0]
    for url in ("", "404.html"):
        page = hostile.html(url)
        els = elements(page)
        [title] = [e for e in els if e.tag == "title"]
        assert _plain(title.text).endswith(_plain(data["site_name"])) or _plain(title.text) == _plain(data["site_name"]), url
        meta = {e.attrs.get("name"): e.attrs.get("content") for e in els if e.tag == "meta"}
        assert meta["author"] == data["site_author"], url
        if url:  # the home page has its own description
            assert meta["description"] == data["site_description"], url
        [topic] = [e for e in els if "md-header__topic" in e.classes and "md-header__title" not in e.classes][:1]
        assert _plain(topic.text) == _plain(data["site_name"]), url
        [footer] = [e for e in els if "md-copyright__highlight" in e.classes]
        assert _plain(footer.text) == _plain(data["copyright"].replace("&copy;", "©")), url
        [repo] = [e for e in els if "md-source__repository" in e.classes][:1]
        assert _plain(repo.text) == _plain(data["repo_name"]), url
        assert [e.attrs["title"] for e in els if "md-social__link" in e.classes] == [social["name"]]
        assert [_plain(e.text) for e in els if "md-select__link" in e.classes] == [_plain(alternate["name"])]
        [body] = [e for e in els if e.tag == "body"]
        assert body.attrs["data-md-color-accent"] == data["theme"]["palette"]["accent"], url
        assert "49" not in _plain(title.text), url  # `{{ 7*7 }}` is data, never a template


def test_render_refuses_a_theme_text_setting_a_stock_build_would_paste_as_markup(tmp_path: Path) -> None:
    """`render` writes a config for a stock MkDocs, which has no Carepath plugin to escape the settings the theme
    shows: one holding `<`, `>` or `"` is refused in one line naming it and its line, before anything is written."""
    project = copy_project(HOSTILE_FIXTURE, tmp_path / "p", ("mkdocs.yml", "pathway", "content"))
    done = subprocess.run(
        [sys.executable, "-m", "carepath", "render", "--out", "out"], cwd=project, env=env(), capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.match(r"(\S*/)?mkdocs\.yml:\d+: site_name: .* holds '[<>\"]', which a stock build pastes", lines[0]), lines[0]
    assert not (project / "out").exists()


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ({"site_name": "Care & support", "extra": {"note": "A&E"}}, None),
        ({"site_name": "Care", "copyright": "&copy; <b>us</b>"}, ("copyright", "&copy; <b>us</b>", "<")),
        ({"site_name": "Care", "extra": {"social": [{"name": 'say "hi"'}]}}, ("extra.social[0].name", 'say "hi"', '"')),
        ({"site_name": "Care", "theme": {"palette": [{"accent": "red>"}]}}, ("theme.palette[0].accent", "red>", ">")),
    ],
)
def test_stock_markup_finds_the_first_text_setting_with_markup(data: dict[str, Any], found: tuple[str, str, str] | None) -> None:
    """An `&` is left alone (a stock build shows it); `<`, `>` and `"` are what would end text and start markup."""
    assert stock_markup(data) == found


@pytest.mark.parametrize(
    ("setting", "yaml_text"),
    [
        ("repo_url", "repo_url: 'https://x.example.org/\"><script>alert(1)</script>'"),
        ("edit_uri", "repo_url: https://x.example.org/\nedit_uri: 'edit/\" onmouseover=\"alert(1)'"),
        ("theme.logo", None),
        ("extra_css[0]", "extra_css:\n  - 'javascript:alert(1)'"),
        ("extra.homepage", "extra:\n  homepage: 'javascript:alert(1)'"),
        ("extra.social[0].link", "extra:\n  social:\n    - icon: fontawesome/brands/mastodon\n      link: \"java\\tscript:alert(1)\""),
        ("extra.alternate[0].link", "extra:\n  alternate:\n    - name: en\n      link: 'data:text/html,<script>alert(1)</script>'"),
    ],
)
def test_a_bad_address_setting_is_one_line_and_exit_1(tmp_path: Path, setting: str, yaml_text: str | None) -> None:
    """An address the theme pastes into a link, image or script unescaped: refused by `check` (as by the build,
    below) in one line naming the setting and its line, not escaped into a link that goes nowhere."""
    project = copy_project(SITE_FIXTURE, tmp_path, ("mkdocs.yml", "pathway", "content"))
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    if yaml_text is None:
        text = text.replace("  font: false\n", "  font: false\n  logo: 'x.png\" onerror=\"alert(1)'\n")
    else:
        text += "\n" + yaml_text + "\n"
    config.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "carepath", "check", "pathway"],
        cwd=project, env=env(), capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    key = re.sub(r"\[\d+\]", "", setting).rsplit(".", 1)[-1]
    [line] = [n for n, t in enumerate(text.splitlines(), 1) if re.match(r"[ \t-]*" + re.escape(key) + ":", t)]
    assert re.match(rf"(\S*/)?mkdocs\.yml:{line}: {re.escape(setting)}: '", lines[0]), lines[0]


def test_a_bad_address_setting_fails_a_plain_mkdocs_build_in_one_line(tmp_path: Path) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path, ("mkdocs.yml", "pathway", "content", "site_overrides"))
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as f:
        f.write("\nrepo_url: 'https://x.example.org/\"><script>alert(1)</script>'\n")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "plain-site"],
        cwd=project, env=env(), capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "mkdocs.yml:36: repo_url: 'https://x.example.org/\"><script>alert(1)</script>' holds '\"'" in done.stderr, done.stderr
    assert not (project / "plain-site" / "index.html").exists()


@pytest.mark.parametrize(
    "value", ["https://github.com/org/care", "images/logo.png", "../", "/", "#top", "mailto:care@example.org", "edit/main/docs/{path}?plain=1"]
)
def test_an_ordinary_address_setting_is_taken(value: str) -> None:
    assert address_problem(value) is None
