"""What the pathway pages need from the MkDocs Material site they are built into, decided without MkDocs.

The plugin asks this module and applies the answers: the Markdown extensions to add, the web fonts to
turn off, the theme folder with the emergency 404 page, where the pathway pages go in the nav, what
clashes with the site's own pages, and the JSON-LD each node page carries. Nothing here knows MkDocs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2.utils import htmlsafe_json_dumps

from carepath import urls as links
from carepath.audit.manifest import vanished
from carepath.build.site import SitePages, alias_clashes, content_problems, file_clashes, url_clashes
from carepath.problems import Problem
from carepath.settings import Settings, edition_prefix
from carepath.text.escape import meta_text, theme_text
from carepath.words import DEFAULT_LANGUAGE, words

REQUIRED_EXTENSIONS = ("abbr", "admonition", "attr_list", "md_in_html")
"""The Markdown extensions the generated pages are written for: glossary abbreviations, care cards and
banners, `{: .class }` and `{ #anchor }` marks, and Markdown inside the get-help box and breadcrumbs. All
four ship with Python-Markdown itself and act only on syntax a page asks for (`*[X]:`, `!!!`, `{: }`,
`markdown="1"`), so adding them to a host site changes none of its own pages that do not use them: the
plugin adds what is missing and says so, instead of failing a build over a line the host has to look up."""

MATERIAL_DEFAULT_FONT = {"text": "Roboto", "code": "Roboto Mono"}
"""What Material puts in `theme.font` when the site sets none: fonts fetched from Google on every page."""


THEME_TEXT = ("site_name", "site_description", "site_author", "copyright", "repo_name")
"""The text settings of `mkdocs.yml` the theme shows (header, title, meta tags, footer, repository link)."""


def escaped_settings(text: Mapping[str, Any], extra: Mapping[str, Any], palette: Any, own: str) -> dict[str, Any]:
    """The theme's text settings (`THEME_TEXT`), every string under `extra` but the plugin's own key `own`, and
    every string of `theme.palette`, escaped for the theme (`theme_text`), under the same keys plus `extra` and
    `palette`. Material pastes them into its pages unescaped, so a `<` in a site's name or a quote in a palette
    colour would be markup; text is what `mkdocs.yml` holds, and markup belongs in the site's own templates.
    The addresses among them are checked, not escaped (`settings.theme_addresses`)."""
    out: dict[str, Any] = {k: _escaped(v, entities=k == "copyright") for k, v in text.items()}
    out["extra"] = {k: v if k == own else _escaped(v) for k, v in extra.items()}
    out["palette"] = _escaped(palette)
    return out


def _escaped(value: Any, entities: bool = False) -> Any:
    if isinstance(value, str):
        return theme_text(value, entities)
    if isinstance(value, Mapping):
        return {k: _escaped(v, entities) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v, entities) for v in value]
    return value


@dataclass(frozen=True)
class ThemeFit:
    """What the plugin changes in a host site's config for the pathway pages, and what it says about it."""

    extensions: list[str] = field(default_factory=list)
    """Markdown extensions to add."""
    font_off: bool = False
    """Set `theme.font: false`."""
    theme_dir: str | None = None
    """A theme folder to put on the theme's search path, after the site's own `custom_dir`."""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def fit_theme(extensions: list[str], theme_name: str | None, font: object) -> ThemeFit:
    """What a site with these Markdown extensions and this theme must change; only Material gets the 404 page."""
    added = missing_extensions(extensions)
    notes = [extensions_note(added)] if added else []
    if theme_name != "material":
        return ThemeFit(added, notes=notes)
    font_off, warning = font_decision(font)
    if font_off:
        notes.append("carepath: theme.font set to false: no page loads Material's default web font from Google")
    return ThemeFit(added, font_off, str(theme_dir()), notes, [warning] if warning else [])


@dataclass(frozen=True)
class Placement:
    """Where the generated pages go in a host site: its nav, which pages the nav lists, the stylesheets to
    add, and what the theme's 404 page reads."""

    nav: list[Any] | None
    """The site's new `nav`; None keeps its own."""
    in_nav: set[str]
    stylesheets: list[str]
    theme_data: dict[str, Any]


def place(site: SitePages, content_uris: list[str], host_nav: list[Any] | None, section: str | None) -> Placement:
    nav = site_nav(site.nav_entries(), content_uris, host_nav, section, site.url_prefix, site.settings.words.get("nav.home"))
    return Placement(
        nav=nav,
        in_nav=nav_uris(nav) if nav is not None else {site.url_prefix + u for u in site.in_nav},
        stylesheets=[u for u in site.placed_assets() if u.endswith(".css")],
        theme_data=site.theme_data(),
    )


def site_clashes(site: SitePages, content: list[str], docs_name: str) -> list[str]:
    """Every generated page, file or redirect that would take the place of a hand-written page or file, one line each."""
    urls, prefix = site.settings.urls, site.url_prefix
    found = url_clashes(list(site.generated(content)), content, docs_name, urls)
    found += alias_clashes(site.kb, content, docs_name, urls, prefix)
    return [str(p) for p in found + file_clashes(site.plan, content, docs_name, prefix)]


def vanished_urls(site: SitePages, content: list[str]) -> list[Problem]:
    """Warnings for the published URLs the site no longer answers (`published-urls.txt` beside mkdocs.yml)."""
    return vanished(site.plan, content, site.settings.root)


def content_page(site: SitePages, markdown: str, source: str, src_uri: str, docs_name: str) -> tuple[str, list[Problem]]:
    """A hand-written page's Markdown with its `node:` links resolved, and its problems at the lines of the
    file as its author sees it (`source`, front matter included)."""
    resolved, problems = content_problems(markdown, src_uri, site.kb, f"{docs_name}/{src_uri}", site.url_prefix, site.settings.words)
    cut = front_matter_lines(source, markdown) if problems else 0
    return resolved, [replace(p, position=replace(p.position, line=p.position.line + cut)) for p in problems]


def in_english(markdown: str, site: SitePages) -> str:
    """A hand-written page, which has no translation, in a language edition: its English marked `lang="en"`, after a
    notice in the edition's language that it is not translated. An English edition's page as it is."""
    language = site.kb.language
    if language == DEFAULT_LANGUAGE:
        return markdown
    notice = escape(site.settings.words.get("translation.untranslated"), quote=False)
    # The page's own `# title` stays outside the block, where MkDocs finds the page's title, marked English itself.
    title = _H1_LINE.match(markdown)
    heading, rest = (f"{title.group(1).rstrip()} {{ lang=\"en\" }}\n\n", markdown[title.end() :]) if title else ("", markdown)
    return f'{heading}<p class="cp-untranslated-page cp-no-score" lang="{language}">{notice}</p>\n\n<div lang="en" class="cp-untranslated" markdown="1">\n\n{rest}\n\n</div>\n'


_H1_LINE = re.compile(r"\A\s*(# [^\n{}]+)\n")
"""A page's first line, when it is its `# title` with no attribute list of its own."""


def theme_dir() -> Path:
    """The theme folder (Material's override layout) holding the emergency 404 page."""
    return Path(str(resources.files("carepath").joinpath("theme")))


def missing_extensions(configured: list[str]) -> list[str]:
    """The required extensions not in `configured` (names as MkDocs lists them, short or dotted)."""
    have = {name.removeprefix("markdown.extensions.") for name in configured}
    return [name for name in REQUIRED_EXTENSIONS if name not in have]


def extensions_note(added: list[str]) -> str:
    names = ", ".join(added)
    return f"carepath: added the Markdown extensions the pathway pages need: {names} (list them under markdown_extensions to silence this)"


def font_decision(font: object) -> tuple[bool, str | None]:
    """Whether to turn web fonts off (Material's default left in place), and a warning for a font the site
    chose itself: the pathway pages promise to load nothing from another host."""
    if font is False or font is None:
        return False, None
    if isinstance(font, dict) and font == MATERIAL_DEFAULT_FONT:
        return True, None
    return False, (
        f"carepath: theme.font {font!r} makes every page load fonts from fonts.googleapis.com; "
        "set 'theme.font: false' so readers' visits are not shared with another host"
    )


def site_nav(
    generated: list[Any], content_uris: list[str], host_nav: list[Any] | None, section: str | None, prefix: str, home_title: str
) -> list[Any] | None:
    """The site's nav with the generated entries placed; None leaves the site's own `nav` as it is.

    Without `section`: a site with a `nav` of its own keeps it; otherwise the nav is home, the generated
    entries, then the hand-written pages. With `section`: the generated entries, the pathway home first (the
    section's index page), go under that title in the site's nav (its own, or one of its pages), into an
    entry of that name if there is one, else at the end.
    """
    home = links.HOME_URI if links.HOME_URI in content_uris else prefix + links.HOME_URI
    if section is None:
        if host_nav is not None:
            return None
        return [{home_title: home}, *generated, *(u for u in content_uris if u != links.HOME_URI)]
    own_home = prefix + links.HOME_URI
    if own_home in content_uris:
        # No pathway home to head the section: Material (`navigation.indexes`) would make the first page named
        # `index.md` in it, the clinical codes index, the section's own page. That index stays linked from
        # every code page and the lookup page.
        entries = [e for e in generated if not (isinstance(e, dict) and any(str(v).endswith("/" + links.HOME_URI) for v in e.values()))]
    else:
        entries = [own_home, *generated]
    nav = list(host_nav if host_nav is not None else nested_pages(content_uris))
    for i, item in enumerate(nav):
        if isinstance(item, dict) and list(item) == [section] and isinstance(item[section], list | None):
            nav[i] = {section: [*(item[section] or []), *entries]}
            return nav
    # A title of its own, which Material prints as HTML (as every generated nav title is, `meta_text`); a section
    # of the site's own nav above keeps the title its author wrote.
    return [*nav, {meta_text(section): entries}]


def nested_pages(uris: list[str]) -> list[Any]:
    """The hand-written pages as MkDocs' own nav would list them: index first, a section per folder."""
    nav: list[Any] = []
    for uri in sorted(uris, key=lambda u: (u.split("/")[:-1], u.rsplit("/", 1)[-1] != links.HOME_URI, u)):
        branch = nav
        for folder in uri.split("/")[:-1]:
            title = folder.replace("-", " ").replace("_", " ")
            title = title.capitalize() if title == title.lower() else title
            found = next((e[title] for e in branch if isinstance(e, dict) and list(e) == [title]), None)
            if found is None:
                found = []
                branch.append({title: found})
            branch = found
        branch.append(uri)
    return nav


def jsonld_script(meta: Mapping[str, Any]) -> str | None:
    """The `<script type="application/ld+json">` of a page whose front matter has `jsonld`.

    Written by Jinja's own `tojson` (`htmlsafe_json_dumps`, keys sorted as Jinja's default policy sorts them), as the
    theme template it replaces did: `<`, `>`, `&` and `'` are escaped, so no value can close the script element.
    """
    data = meta.get("jsonld")
    if not data:
        return None
    text = htmlsafe_json_dumps(data, sort_keys=True)
    return f'<script type="application/ld+json">{text}</script>'


def with_jsonld(html: str, meta: Mapping[str, Any]) -> str:
    """The built page with its JSON-LD at the end of `<head>` (where Material's `extrahead` block is)."""
    script = jsonld_script(meta)
    if script is None or "</head>" not in html:
        return html
    head, _, rest = html.partition("</head>")
    if script in head:  # a site that still has the main.html it once had to copy writes it already
        return html
    return f"{head}  {script}\n  </head>{rest}"


def edition_alternates(settings: Settings, url: str, absent: Mapping[str, frozenset[str]] | None = None) -> list[tuple[str, str]]:
    """`(edition, href)` of the page at site-relative `url` in every edition published with this one that has it
    (`absent`: edition -> the URLs it has no twin of; a language edition holds only the pathways translated into it),
    this one included; the first of them is also `x-default`, the page for readers of no listed region. None for a
    site of one, or a page no other edition has."""
    here, root = settings.edition_prefix, settings.site_root_url
    found = [
        (e, links.edition_href(url, here, edition_prefix(e, settings.editions), root))
        for e in settings.editions
        if e == settings.edition or url not in (absent or {}).get(e, frozenset())
    ]
    return [*found, ("x-default", found[0][1])] if len(found) > 1 else []


def with_editions(html: str, url: str, settings: Settings, absent: Mapping[str, frozenset[str]] | None = None) -> str:
    """The built page with an `hreflang` alternate for its twin in each edition at the end of `<head>` (Material's
    `extra.alternate` links each edition's home from every page, and only with JavaScript keeps the page), and a
    line after the page's own text linking those twins by name, the reader's own edition said, not linked."""
    alternates = edition_alternates(settings, url, absent)
    if not alternates or "</head>" not in html or "</article>" not in html:
        return html
    head, _, rest = html.partition("</head>")
    tags = "".join(f'<link rel="alternate" hreflang="{e}" href="{escape(href)}">\n  ' for e, href in alternates)
    w = settings.words
    links_to = []
    for edition, href in alternates[:-1]:
        name = escape(words(edition).get("edition.name"))
        if edition == settings.edition:
            links_to.append(f'<strong aria-current="page" lang="{edition}">{name}</strong>')
        else:
            links_to.append(f'<a href="{escape(links.edition_href(url, settings.edition_prefix, edition_prefix(edition, settings.editions)))}" hreflang="{edition}" lang="{edition}">{name}</a>')
    switcher = f'<nav class="cp-editions" aria-label="{escape(w.get("editions.label"))}"><p>{escape(w.get("editions.intro"))} {" · ".join(links_to)}</p></nav>\n'
    body, _, end = rest.rpartition("</article>")
    return f"{head}  {tags}</head>{body}{switcher}</article>{end}"


def with_edition_lang(html: str, edition: str) -> str:
    """The page's `<html lang="en">` as its edition's own tag (`en-GB`, `en-US`), as its `hreflang` alternates
    name it, so a browser and a screen reader know the variety. Only where the theme gives the edition's language:
    a host site in another language keeps its own."""
    language = edition.split("-")[0]
    tag = f'<html lang="{language}"'
    if edition == language or tag not in html[:4000]:
        return html
    return html.replace(tag, f'<html lang="{escape(edition)}"', 1)


def front_matter_lines(source: str, markdown: str) -> int:
    """How many lines MkDocs cut from the top of a page (its YAML front matter) before `on_page_markdown`.

    Problems name lines of the file as the author sees it. If another plugin has already rewritten the
    Markdown, the count is unknown and 0 is used.
    """
    if not markdown or not source.endswith(markdown):
        return 0
    return source[: len(source) - len(markdown)].count("\n")


def nav_uris(nav: list[Any]) -> set[str]:
    """Every page a MkDocs `nav` lists."""
    out: set[str] = set()
    for item in nav:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                out |= nav_uris(value) if isinstance(value, list) else {value} if isinstance(value, str) else set()
    return out
