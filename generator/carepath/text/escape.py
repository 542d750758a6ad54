"""Escaping text from YAML for each place it lands: Markdown text, Markdown prose, HTML, JSON, CSS strings.

Plain-text fields (titles, summaries, list items, labels) never carry markup: every character that
Markdown or HTML would read is escaped. Prose fields (`body` and the longer sections) take Markdown,
but never raw HTML, attribute lists, links with a scheme other than http(s) and mailto, or images from
another host.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

_MD_ESCAPABLE = re.compile(r"([\\`*_{}\[\]()#+\-.!>])")
"""Python-Markdown's backslash-escapable characters (`<` and `&` become entities instead)."""

SAFE_SCHEMES = ("http", "https", "mailto")
"""The only schemes a link in prose may use; anything else (`javascript:`, `data:`, `tel:`...) becomes `#`."""
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


class Foreign(str):
    """English text shown in a page of another language, because its translation is missing or stale: it lands
    wrapped in an element with `lang="en"` (so a screen reader reads it as English), with `notice` (in the page's
    language) saying so beside it."""

    notice: str
    notice_lang: str

    def __new__(cls, text: str, notice: str, notice_lang: str) -> Foreign:  # noqa: PYI034 - a Foreign is what it makes
        made = super().__new__(cls, text)
        made.notice, made.notice_lang = notice, notice_lang
        return made


def md_text(text: str) -> str:
    """Plain text made inert in Markdown: shown exactly as written, one line."""
    return _marked(text, _MD_ESCAPABLE.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False)))


def html_content(text: str) -> str:
    """Plain text as the content of an HTML element in a raw HTML block of a page, as Python-Markdown writes
    `md_text(text)` in its own HTML: one line, `&`, `<` and `>` as entities, quotes as they are."""
    return _marked(text, html.escape(" ".join(str(text).split()), quote=False))


def _marked(text: str, escaped: str) -> str:
    """`escaped`, wrapped in a `lang="en"` element with its notice when `text` is English shown in another language."""
    if isinstance(text, Foreign):
        return f'<span lang="en" class="cp-untranslated" title="{html.escape(text.notice, quote=True)}">{escaped}</span>'
    return escaped


def html_text(text: str, xml: bool = False) -> str:
    """Plain text for an HTML element or attribute value: one line, markup characters as entities.

    `xml` also drops what XML cannot carry (see `xml_chars`): for HTML that is parsed as XML, such as
    the diagrams' inline SVG and their link checks.
    """
    text = " ".join(str(text).split())
    return html.escape(xml_chars(text) if xml else text, quote=True)


_NOT_XML = frozenset({"Cc", "Cs", "Co", "Cn"})


def xml_chars(text: str) -> str:
    """`text` without control, surrogate, private-use and unassigned code points (XML cannot carry some
    of them, and none belongs in a label)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in _NOT_XML)


def meta_text(text: str) -> str:
    """Plain text for what MkDocs treats as HTML: page titles, nav titles, the meta description.

    MkDocs and Material insert `page.title`, `page.meta.title`, `page.meta.description` and nav titles
    into their pages without escaping, because a title taken from a heading is already HTML.
    """
    return html.escape(" ".join(str(text).split()), quote=True)


def theme_text(text: str, entities: bool = False) -> Markup:
    """A text setting of `mkdocs.yml` (`site_name`, `copyright`, a string under `extra`...) for the theme, which
    pastes settings into its pages unescaped (MkDocs' theme environment does not autoescape): markup characters
    as entities, as `Markup`, so a template's own `|e` leaves it as it is rather than escaping it twice.

    `entities` reads character references first (`&copy;`, as Material's docs write a copyright line), so they
    still show as the character and only tags become text.
    """
    return Markup(html.escape(html.unescape(text) if entities else str(text), quote=True))


def css_string(text: str) -> str:
    """Plain text as a quoted CSS string, one line (spaces at its ends kept, for pieces of a sentence), for a
    stylesheet inside a page: quotes, backslashes, `<`, `>` and `&` become CSS escapes, so nothing can end the
    string, the rule or the `<style>` element it sits in."""
    out = []
    for ch in xml_chars(re.sub(r"\s+", " ", str(text))):
        out.append(f"\\{ord(ch):x} " if ch in '"\\<>&' else ch)
    return '"' + "".join(out) + '"'


def json_text(value: Any) -> str:
    """A JSON value safe inside HTML `<script>` and YAML front matter.

    Non-ASCII text stays literal: YAML reads `\\ud83e\\ude7a` as two lone surrogates, not one emoji.
    What YAML or HTML would misread (markup characters, line and paragraph separators, controls) is
    escaped as `\\uXXXX`.
    """
    out = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


_JSON_UNSAFE = re.compile("[<>&\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_ENTITY = re.compile(r"&(?=#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*;)")
_INLINE_LINK = re.compile(r"(\]\()((?:[^)\n]|\n(?![ \t>]*\n))*)")
"""`](` and what follows up to the first `)` or blank line: the link's destination and title, whitespace and all.
Python-Markdown keeps line breaks and other whitespace inside a destination, and browsers drop them."""
_IMAGE = re.compile(r"(\\*)!\[")
_INLINE_IMAGE = re.compile(r"!\[[^\[\]]*\]\(([^()]*)\)")
_LINE_START = r"^[ \t>]*(?:(?:[*+:-]|\d{1,9}[.)])[ \t>]+)*"
"""A line's start, past quote marks and list or definition markers: where Python-Markdown's block
processors still see a block start. Each marker needs its own whitespace, so matching stays linear."""
_REF_DEF = re.compile("(" + _LINE_START + r"\[[^\[\]]*\]:[ \t]*(?:\n[ \t>]*)?)<?([^\s>]+)>?", re.MULTILINE)
"""A reference definition at the start of a line, also inside lists, quotes and definitions."""
_ABBR_DEF = re.compile("(" + _LINE_START + r")\*(?=\[[^\\]{0,500}?\][ ]?:)", re.MULTILINE)
"""`*[X]: ...` where the abbr extension reads one (its name may hold `]` and line breaks)."""
_H1 = re.compile(r"^([ \t>]*)#(?!#)", re.MULTILINE)


def md_prose(
    text: str,
    resolve: Callable[[str], str | None],
    defused: list[str] | None = None,
    anchor: Callable[[str], None] | None = None,
) -> str:
    """Markdown prose with raw HTML, entities, attribute lists, abbreviations, unsafe links and images defused.

    `resolve` maps a `node:<id>` target to a relative link (or None when unknown, which the
    caller reports); any other target with a scheme outside `SAFE_SCHEMES` is replaced by `#`, and an
    image that is not a relative path on this site loses its `!` (it stays a plain link). Each of those
    is described in `defused`, so validation can reject what the build would have to defuse. `anchor`
    receives every same-page `#fragment` target. Code blocks get no exemption: whether a fence is code
    depends on the site's Markdown extensions, so `<` and `{` are escaped everywhere.
    """
    found: list[str] = [] if defused is None else defused
    original = text
    text = "\n".join(str(text).splitlines())
    # Entities first: `&#58;` or `&Tab;` inside a link target would spell `javascript:` for the browser.
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("<", "&lt;").replace("{", "\\{").replace("}", "\\}")
    # `*[X]: ...` would re-title every X on the page, warnings and disclaimer included.
    text = _ABBR_DEF.sub(r"\1\\*", text)
    text = _H1.sub(r"\1##", text)  # the page owns its one h1
    text = _INLINE_LINK.sub(lambda m: _relink(m.group(1), m.group(2), resolve, found, anchor), text)
    text = _REF_DEF.sub(lambda m: _relink(m.group(1), m.group(2), resolve, found, anchor), text)
    text = _IMAGE.sub(lambda m: _deimage(m, found), text)
    if isinstance(original, Foreign):
        notice = html.escape(original.notice, quote=False)
        return f'<div lang="en" class="cp-untranslated" markdown="1">\n<p class="cp-untranslated-notice" lang="{original.notice_lang}">{notice}</p>\n\n{text.strip(chr(10))}\n\n</div>'
    return text.strip("\n")


def _relink(
    head: str, content: str, resolve: Callable[[str], str | None], found: list[str], anchor: Callable[[str], None] | None
) -> str:
    """`head` (`](` or a reference definition's start) and the link's `content` (destination, maybe a title)."""
    body = content.lstrip()
    lead = content[: len(content) - len(body)]
    if body.startswith("node:"):
        cut = len(body.split(None, 1)[0]) if body.strip() else len(body)
        return head + lead + (resolve(body[len("node:") : cut]) or "#") + body[cut:]
    scheme = link_scheme(content)
    if scheme is None or scheme in SAFE_SCHEMES:
        if anchor is not None and body.startswith("#"):
            anchor(body[1:].split(None, 1)[0] if body[1:].strip() else "")
        return head + content
    found.append(f"link target {quote_target(content)} is not allowed; use a relative link, an http(s): address or mailto:")
    # A replacement never starts a line: `#` there would be a heading.
    return re.sub(r"\s*\n[ \t>]*$", " ", head + lead) + "#"


def _deimage(m: re.Match[str], found: list[str]) -> str:
    """Keep an image only when it is inline and its path is on this site; otherwise escape its `!`."""
    slashes = m.group(1)
    if len(slashes) % 2:
        return m.group()  # `\![` is already text
    image = _INLINE_IMAGE.match(m.string, m.start() + len(slashes))
    if image and is_local(image.group(1)):
        return m.group()
    shown = image.group() if image else m.string[m.start() + len(slashes) :].split("\n", 1)[0]
    found.append(
        f"image {quote_target(shown)} is not allowed: images must come from this site itself, written as ![text](path/on/this/site.png)"
    )
    return slashes + "\\!["


def _cleaned(target: str) -> str:
    """A link target as a browser may read it: entities decoded, whitespace, controls and invisible characters gone."""
    decoded = html.unescape(html.unescape(target))  # md_prose has already turned `&#58;` into `&amp;#58;`
    return "".join(c for c in decoded if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Zs")))


def link_scheme(target: str) -> str | None:
    """The scheme a browser would see in a link target (lowercase), or None for a relative target.

    Every whitespace and control character is dropped first: `java⏎script:` is `javascript:` to a browser.
    Backslashes are dropped too, so `java\\script:` counts as a scheme rather than slipping through.
    """
    m = _SCHEME.match(_cleaned(target).replace("\\", "").lstrip("<").lower())
    return m.group(1) if m else None


def is_local(target: str) -> bool:
    """A relative path on this site: no scheme, and not `//host/...` (nor `\\\\host`, which browsers read the same)."""
    cleaned = _cleaned(target).replace("\\", "/").lstrip("<")
    return link_scheme(target) is None and not cleaned.startswith("//")


def quote_target(target: str, limit: int = 60) -> str:
    """A link target for a one-line message: whitespace and controls shown escaped."""
    text = " ".join(target.split(" "))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + "'"
