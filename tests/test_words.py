"""The words catalogue: every key the code asks for exists, every entry is used, a missing key is a clear error,
and neither the templates nor the code that writes pages hold English of their own."""

from __future__ import annotations

import ast
import datetime as dt
import html
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath import words as words_module
from carepath.render.pages import Renderer, RenderOptions, long_date
from carepath.words import DEFAULT_EDITION, PROFILE_SECTIONS, WordsError, editions, parse_catalogue, words
from helpers_site import SITE_FIXTURE, shared_build, shipped_edition

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "carepath"
TEMPLATES = sorted((PACKAGE / "templates").glob("*.j2"))
THEME = sorted([*(ROOT / "site_overrides").rglob("*.html"), *(PACKAGE / "theme").rglob("*.html")])
PYTHON = sorted(PACKAGE.rglob("*.py"))

_USE = re.compile(r"""\b(?:w|words)(?:\.get)?\(\s*(f?)(["'])([^"'\n]+)\2(\s*,\s*count=)?""")
"""A lookup: `w("key")`, `ctx.w('key')`, `self.words.get(f"kind.{kind}.title")`, `w("key", count=n)`."""


def _uses() -> list[tuple[str, str, bool]]:
    """Every lookup in the templates, the Python code and the theme: `(where, key pattern, with count)`.

    An f-string key is a pattern: each `{...}` in it stands for one dotted part."""
    found = []
    for path in [*TEMPLATES, *THEME, *PYTHON]:
        text = path.read_text(encoding="utf-8")
        for m in _USE.finditer(text):
            is_f, key, counted = m.group(1), m.group(3), bool(m.group(4))
            if "." not in key:
                continue  # `words("en")`: a catalogue, not an entry
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^.]+", re.escape(key)) if is_f else re.escape(key)
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{path.relative_to(ROOT)}:{line}", pattern, counted))
    return found


def _matches(pattern: str, counted: bool, key: str) -> bool:
    return re.fullmatch(pattern + (r"\.[a-z]+" if counted else ""), key) is not None


def test_the_code_finds_its_lookups() -> None:
    """The scan sees the three places words are looked up from, so the two tests below cannot pass by finding nothing."""
    where = {w.split(":")[0] for w, _, _ in _uses()}
    assert "generator/carepath/templates/_top.md.j2" in where
    assert "generator/carepath/theme/404.html" in where
    assert "generator/carepath/diagram/dot.py" in where
    assert len(_uses()) > 100


@pytest.mark.parametrize("edition", editions())
def test_every_key_the_code_asks_for_is_in_the_catalogue(edition: str) -> None:
    entries = words(edition).entries
    missing = []
    for where, pattern, counted in _uses():
        keys = [k for k in entries if _matches(pattern, counted, k)]
        if counted:
            forms = {k.rsplit(".", 1)[1] for k in keys}
            if not {"one", "other"} <= forms:
                missing.append(f"{where}: '{pattern}' needs 'one' and 'other' forms, has {sorted(forms)}")
        elif not keys:
            missing.append(f"{where}: no entry '{pattern}'")
    assert not missing, "\n".join(missing)


def test_every_entry_in_the_catalogue_is_used() -> None:
    """Every entry but the profile's: a hand-written page may ask for any of those (`{{ routes.emergency_number }}`)."""
    uses = _uses()
    entries = words(DEFAULT_EDITION).entries
    unused = [k for k in entries if not k.startswith(PROFILE_SECTIONS) and not any(_matches(p, c, k) for _, p, c in uses)]
    assert not unused, f"carepath/words/en.yml: entries nothing uses: {unused}"


@pytest.mark.parametrize("edition", editions())
def test_every_entry_is_safe_where_it_lands_and_well_formed(edition: str) -> None:
    """Entries land in Markdown and HTML as written: no markup characters (an `&` only where it cannot start a
    character reference, as in A&E), and `{name}` fields that format can fill."""
    for key, text in words(edition).entries.items():
        assert not set(text) & set('<>"'), f"carepath/words/{edition}.yml: '{key}' holds a markup character: {text!r}"
        assert not re.search(r"&(#|[A-Za-z0-9]+;)", text), f"carepath/words/{edition}.yml: '{key}' holds a character reference: {text!r}"
        assert text == text.strip() and text, key
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        assert all(re.fullmatch(r"[a-z_]+", f) for f in fields), (key, fields)


def test_a_count_chooses_the_plural_form() -> None:
    w = words()
    assert w.get("pathways.steps", count=1) == "1 step"
    assert w.get("pathways.steps", count=0) == "0 steps"
    assert w.get("pathways.steps", count=3) == "3 steps"


def test_a_missing_key_is_an_error_naming_the_catalogue_and_the_key() -> None:
    with pytest.raises(WordsError, match=r"^carepath/words/en\.yml: no entry 'page\.no_such_entry'$"):
        words().get("page.no_such_entry")
    with pytest.raises(WordsError, match=r"^carepath/words/en\.yml: no entry 'pathways\.steps'$"):
        words().get("pathways.steps")  # a plural entry asked for without a count
    with pytest.raises(WordsError, match=r"^carepath/words/en\.yml: entry 'page\.along' cannot be filled from \['title'\]"):
        words().get("page.along", title="x")


def test_a_template_asking_for_a_missing_key_fails_the_build_with_the_key_not_a_blank() -> None:
    kb, _ = check_pathway(SITE_FIXTURE / "pathway", dt.date(2026, 6, 1))
    env = Renderer(kb, RenderOptions()).env
    assert env.from_string('{{ w("get_help.heading") }}').render() == "When to get help"
    with pytest.raises(WordsError, match=r"^carepath/words/en\.yml: no entry 'get_help\.no_such_entry'$"):
        env.from_string('## {{ w("get_help.no_such_entry") }}').render()


def test_an_unknown_language_is_an_error_naming_it() -> None:
    with pytest.raises(WordsError, match=r"^carepath/words/xx\.yml: no catalogue for language 'xx'$"):
        words("xx")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a:\n  b: [x, y]\n", r"^carepath/words/zz\.yml: 'a\.b' must be text, not list$"),
        ("a:\n  no: x\n", r"^carepath/words/zz\.yml: key False under 'a' must be text; quote it$"),
    ],
)
def test_a_broken_catalogue_is_an_error_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(WordsError, match=message):
        parse_catalogue(text, "carepath/words/zz.yml")


def test_editions_ship_the_same_profile_and_the_language_none() -> None:
    """en-US and en-GB each give every route (so a page never misses one in either), and `en.yml` gives none, so no
    edition can inherit another country's emergency number."""
    assert editions() == ["en-GB", "en-US", "es"]
    profiles = [{k for k in words(e).entries if k.startswith(PROFILE_SECTIONS)} for e in editions()]
    assert all(p == profiles[0] for p in profiles) and {f"routes.{u}" for u in ("emergency", "urgent", "soon", "routine", "crisis")} <= profiles[0]
    assert not [k for k in words().entries if k.startswith(PROFILE_SECTIONS)]
    assert "999" in words("en-GB").get("routes.emergency") and "A&E" in words("en-GB").get("routes.emergency")
    assert "911" in words("en-US").get("routes.emergency") and "988" in words("en-US").get("routes.crisis")
    assert "116 123" in words("en-GB").get("routes.crisis") and "mental health option" in words("en-GB").get("routes.crisis")
    # The Spanish edition is for Spanish speakers in the United States: 911, and the 988 line, which answers in Spanish.
    assert "911" in words("es").get("routes.emergency") and "988" in words("es").get("routes.crisis") and "español" in words("es").get("routes.crisis")


def test_a_language_edition_has_every_entry_english_has_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """`es.yml` is a whole catalogue of its own: a missing entry would fall back to nothing, so it is an error naming it."""
    read = words_module._read
    english = read("en")
    spanish = read("es")
    cases = {
        "es": ({k: v for k, v in spanish.items() if k != "nav.home"}, r"^carepath/words/es\.yml: no entry 'nav\.home', which en\.yml has$"),
        "es-extra": ({**spanish, "nav.extra": "x"}, r"^carepath/words/es\.yml: 'nav\.extra' is not in en\.yml"),
    }
    assert set(english) <= set(spanish)
    for catalogue, message in cases.values():
        monkeypatch.setattr(words_module, "_read", lambda language, c=catalogue: c if language == "es" else read(language))
        words.cache_clear()
        try:
            with pytest.raises(WordsError, match=message):
                words("es")
        finally:
            words.cache_clear()


def test_a_regional_catalogue_holds_only_what_differs_from_its_language(monkeypatch: pytest.MonkeyPatch) -> None:
    read = words_module._read
    regional = {"en-GB": {"not_found.title": "We cannot find that page, sorry"}, "en-ZZ": {"emergency.no_such": "x"}}
    monkeypatch.setattr(words_module, "_read", lambda language: regional.get(language) or read(language))
    words.cache_clear()
    try:
        gb = words("en-GB")
        assert gb.get("not_found.title") == "We cannot find that page, sorry"
        assert gb.get("get_help.heading") == words("en").get("get_help.heading")
        assert gb.get("pathways.steps", count=2) == "2 steps"  # a region follows its language's plural rule
        with pytest.raises(WordsError, match=r"^carepath/words/en-ZZ\.yml: 'emergency\.no_such' is not in en\.yml"):
            words("en-ZZ")
    finally:
        words.cache_clear()


# --- no English outside the catalogue ---

_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_NOT_TEXT_ATTRIBUTE = re.compile(
    r"""\b(class|id|for|name|type|method|autocomplete|spellcheck|role|scope|aria-live|aria-hidden|aria-current|markdown|href|src"""
    r"""|action|value|data-[a-z-]+)="[^"]*\""""
)
"""Attributes whose value no one reads: what is left of a tag is its name and these attributes' names."""
_ATTR_LIST = re.compile(r"\{:?[ \t]*[#.][^{}\n]*\}|\{ data-search-exclude \}")
_ADMONITION = re.compile(r"^[ \t]*!!![ \t]+[\w -]+", re.MULTILINE)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.DOTALL)
"""Scripts and stylesheets: code, whose words come in through Jinja."""

HTML_NAMES = "a br button details div form h1 h2 input label li nav noscript option p script section select span strong summary table tbody td th thead tr ul"
NOT_WORDS = frozenset([*HTML_NAMES.split(), "aria-label", "required", "title", "description", "hide", "navigation", "toc", "footer"])
"""What may remain of a template once Jinja, Markdown syntax and attribute values are stripped: no English."""


def _leftover_words(text: str) -> list[str]:
    front = _FRONT_MATTER.match(text)
    if front:
        keys = [line.split(":")[0] for line in front.group(1).splitlines()]
        values = re.findall(r'"(\w+)"', front.group(1))  # hide: ["navigation", "toc"]
        text = " ".join(keys + values) + "\n" + text[front.end() :]
    text = _SCRIPT.sub(" ", text)
    text = _JINJA.sub(" ", text)
    text = _NOT_TEXT_ATTRIBUTE.sub(" ", text)
    text = _ATTR_LIST.sub(" ", text)
    text = _ADMONITION.sub(" ", text)
    return [word for word in re.findall(r"[^\W\d_][\w-]*", text) if word not in NOT_WORDS]


MATERIAL_COPIES = {PACKAGE / "theme" / "partials" / "search.html"}
"""Material's own partials, copied with one change (tests/test_theme_partials.py): their words are Material's
translations (`lang.t`), and their attributes Material's."""


@pytest.mark.parametrize("path", [p for p in [*TEMPLATES, *THEME] if p not in MATERIAL_COPIES], ids=lambda p: p.name)
def test_a_template_holds_no_words_of_its_own(path: Path) -> None:
    """Strip Jinja, Markdown syntax and attribute values that no one reads: no word may be left."""
    assert _leftover_words(path.read_text(encoding="utf-8")) == []


def test_the_template_check_sees_a_bare_sentence() -> None:
    assert _leftover_words('## {{ w("a.b") }}\n\nCall now.\n<p aria-label="You are here">x</p>') == ["Call", "now", "You", "are", "here", "x"]
    assert _leftover_words('<p class="cp-x" aria-label="{{ w("a.b") }}">{{ w("c.d") }}</p>') == []


def test_a_long_date_names_its_month_in_words() -> None:
    assert long_date(dt.date(2026, 12, 1), words()) == "1 December 2026"
    assert long_date(dt.date(2027, 5, 31), words()) == "31 May 2027"
    assert len({long_date(dt.date(2026, m, 1), words()) for m in range(1, 13)}) == 12
    assert long_date(None, words()) is None


def test_the_theme_and_the_lookup_script_get_their_words_from_the_build(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The 404 page reads the catalogue from `config.extra`, and the lookup page hands lookup.js its messages."""
    b = shared_build("shipped", tmp_path_factory)
    assert b.returncode == 0, b.output
    w = words(shipped_edition())
    missing = b.html("404.html")
    for key in ("not_found.title", "not_found.summary", "routes.emergency_title", "emergency.any_sign", "emergency.by_pathway", "not_found.home", "pathways.title"):
        assert f">{html.escape(w.get(key), quote=False)}<" in missing, key
    lookup = b.html("lookup/")
    assert f'data-unknown-code="{w.get("lookup.unknown_code")}"' in lookup
    assert f'data-unknown-system="{w.get("lookup.unknown_system")}"' in lookup


# --- no English in the code that writes pages ---

PAGE_CODE = sorted(
    p
    for p in PYTHON
    if p.relative_to(PACKAGE).parts[0] in ("render", "diagram", "publish", "text", "engines", "words")
    or p.relative_to(PACKAGE).as_posix() in ("build/site.py", "model/vocabulary.py", "urls.py")
)
ERROR_CALLS = {"Problem", "DiagramError", "ValueError", "PluginError", "PathwayError", "WordsError"}
FOR_AUTHORS = {
    "build/site.py:url_clashes": "an error for the site's author",
    "diagram/overview.py:overview_too_big": "a note for the site's author",
    "engines/host.py:extensions_note": "an info line for the site's author",
    "engines/preview.py:error_page": "the preview's error page, for the author editing the pathway",
    "engines/preview.py:busy_message": "the preview's busy-port line, for the author",
    "engines/mkdocs.py:_quick": "the preview's info line after an edit, for the author editing the pathway",
    "engines/mkdocs.py:_after_quick": "the preview's error line after an edit, for the author",
    "engines/host.py:fit_theme": "an info line for the site's author",
    "engines/host.py:font_decision": "a warning for the site's author",
    "diagram/overview.py:overview_html": "names the chart in a Graphviz error",
    "publish/site_url.py:<module>": "NO_SITE_URL, a note for the site's author",
    "publish/site_url.py:placeholder_message": "a warning for the site's author",
    "text/content.py:foreign_loads": "a problem for the site's author",
    "text/escape.py:_relink": "a problem for the pathway's author",
    "text/escape.py:_deimage": "a problem for the pathway's author",
}
"""Where prose in the code is not for readers, and why."""
_PROSE = re.compile(r"[A-Za-z]{2,} [a-z]{2,}")
_MARKUP = re.compile(r"<[^<>]*>|^[^<>]*>|<[^<>]*$|[\w-]+=\"[^\"]*(\"|$)|\bcp-[\w-]*")
"""Tags, attributes and the generator's own class names, also when an f-string cuts them in two."""


def _prose_in_code() -> list[tuple[str, str, str]]:
    """String constants that read as English: `(module:function, line, text)`; docstrings and errors left out."""
    found = []

    def walk(node: ast.AST, stack: list[ast.AST]) -> Iterator[tuple[ast.AST, list[ast.AST]]]:
        yield node, stack
        for child in ast.iter_child_nodes(node):
            yield from walk(child, [*stack, node])

    for path in PAGE_CODE:
        for node, stack in walk(ast.parse(path.read_text(encoding="utf-8")), []):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(stack[-1], ast.Expr):
                continue
            if any(isinstance(s, ast.Raise) or isinstance(s, ast.Call) and _called(s) in ERROR_CALLS for s in stack):
                continue
            if _PROSE.search(_MARKUP.sub(" ", node.value)):
                function = next((s.name for s in reversed(stack) if isinstance(s, ast.FunctionDef)), "<module>")
                found.append((f"{path.relative_to(PACKAGE).as_posix()}:{function}", str(node.lineno), node.value))
    return found


def _called(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else ""


def test_the_code_that_writes_pages_holds_no_english_of_its_own() -> None:
    """Reader-facing text lives in the catalogue; what prose is left in the code is for authors (FOR_AUTHORS says why)."""
    found = _prose_in_code()
    assert [f"{where}:{line}: {text!r}" for where, line, text in found if where not in FOR_AUTHORS] == []
    assert {where for where, _, _ in found} == set(FOR_AUTHORS), "an entry of FOR_AUTHORS no longer applies"


def test_the_code_check_sees_english() -> None:
    assert _PROSE.search(_MARKUP.sub(" ", '<p class="cp-x">You are here</p>'))
    assert not _PROSE.search(_MARKUP.sub(" ", '<li class="cp-rel cp-rel-'))

