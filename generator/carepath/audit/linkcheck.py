"""Check a built site offline: every local href, src and #anchor must land on a file and id that exist.

Reads only the built HTML tree (never the pathway), so it catches what templates, diagrams, redirects
and Material produce alike. Links to other hosts are not followed; they are listed apart.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from carepath.problems import command

LINK_ATTRS = frozenset({"href", "src", "xlink:href", "poster", "data"})
"""Attributes whose value is one URL. `srcset` and `<meta http-equiv=refresh>` are handled apart."""

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
SKIPPED_SCHEMES = frozenset({"data", "javascript", "about", "blob"})
"""Not links to anything: inline data and script URLs."""

_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    line: int
    tag: str
    attr: str
    url: str


@dataclass
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


class _Collector(HTMLParser):
    """Collects ids (and `<a name>`) and every URL-valued attribute, inline SVG included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {k: v for k, v in attrs if v is not None}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        for name, value in values.items():
            if name in LINK_ATTRS and not (tag == "object" and name != "data"):
                self.page.links.append(Link(line, tag, name, value.strip()))
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.page.links.append(Link(line, tag, name, url))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH_URL.search(values.get("content", ""))
            if match:
                self.page.links.append(Link(line, tag, "http-equiv=refresh", match.group(1).strip()))

    handle_startendtag = handle_starttag


def parse_page(text: str) -> ParsedPage:
    collector = _Collector()
    collector.feed(text)
    collector.close()
    return collector.page


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in EXTERNAL_SCHEMES or (not parts.scheme and url.startswith("//"))


@dataclass
class LinkReport:
    problems: list[str] = field(default_factory=list)
    """`file:line: <tag attr="url">: what is wrong`, one per broken link, sorted by file."""
    external: list[str] = field(default_factory=list)
    """`file:line: url` for every link to another host; not followed."""
    checked: int = 0


def _resolve(site: Path, page_rel: str, path: str, base_path: str) -> tuple[str, Path | None]:
    """The site-relative path a URL path points at, and the file serving it (None if nothing does)."""
    if path.startswith("/"):
        if not path.startswith(base_path):
            return path, None
        target = path[len(base_path) :]
    else:
        target = posixpath.join(posixpath.dirname(page_rel), path)
    target = posixpath.normpath(target) if target else "."
    if target == ".." or target.startswith("../"):
        return target, None
    candidate = site / target
    if path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return target, candidate if candidate.is_file() else None


def check_site(site_dir: Path, base_path: str = "/") -> LinkReport:
    """Check every HTML file under `site_dir`. `base_path` is the URL path the site is served under."""
    site = Path(site_dir)
    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    pages: dict[Path, ParsedPage] = {}
    report = LinkReport()

    def parsed(path: Path) -> ParsedPage:
        if path not in pages:
            pages[path] = parse_page(path.read_text(encoding="utf-8", errors="replace"))
        return pages[path]

    def ids_of(path: Path) -> set[str] | None:
        """Ids a fragment may name in this file; None for file types whose fragments are not ids."""
        if path.suffix in (".html", ".htm", ".svg"):
            return parsed(path).ids
        return None

    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        for link in parsed(html).links:
            where = f'{rel}:{link.line}: <{link.tag} {link.attr}="{link.url}">'
            if is_external(link.url):
                report.external.append(f"{rel}:{link.line}: {link.url}")
                continue
            parts = urlsplit(link.url)
            if parts.scheme.lower() in SKIPPED_SCHEMES:
                continue
            report.checked += 1
            if parts.scheme:
                report.problems.append(f"{where}: unknown URL scheme '{parts.scheme}'")
                continue
            path = unquote(parts.path)
            if path:
                target_rel, target = _resolve(site, rel, path, base)
                if target is None:
                    report.problems.append(f"{where}: no file at '{target_rel}' in the site")
                    continue
            else:
                target = html
            fragment = unquote(parts.fragment)
            if fragment and fragment != "top":
                ids = ids_of(target)
                if ids is not None and fragment not in ids:
                    shown = target.relative_to(site).as_posix()
                    report.problems.append(f"{where}: no id '{fragment}' in '{shown}'")
    return report


def check_links(site_dir: Path, base_path: str = "/") -> list[str]:
    """Every broken local link or anchor in the built site, as `file:line: ...` messages."""
    return check_site(site_dir, base_path).problems


_ARTICLE = re.compile(r"<article\b[^>]*>(.*)</article>", re.DOTALL)


def content_targets(site_dir: Path, page_rel: str) -> list[str] | None:
    """Where each link in a built page's content (its `<article>`) lands, in order, as `<tag attr> site-path#fragment`
    (another host's URL as it is); None for a file with no article (a redirect)."""
    m = _ARTICLE.search((site_dir / page_rel).read_text(encoding="utf-8", errors="replace"))
    if m is None:
        return None
    out = []
    for link in parse_page(m.group(1)).links:
        parts = urlsplit(link.url)
        if is_external(link.url) or parts.scheme:
            out.append(f"<{link.tag} {link.attr}> {link.url}")
            continue
        path = unquote(parts.path)
        if path.startswith("/"):  # the site served at the host's root, as `linkcheck` assumes by default
            target = posixpath.normpath(path.lstrip("/") or ".")
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path)) if path else page_rel
        if target == "index.html" or target.endswith("/index.html"):  # `x/`, `x/index.html` and `#id` on it alike
            target = posixpath.dirname(target) or "."
        out.append(f"<{link.tag} {link.attr}> {target}" + (f"#{parts.fragment}" if parts.fragment else ""))
    return out


def compare_content_links(site_dir: Path, other_dir: Path) -> list[str]:
    """Every page whose content links land elsewhere than the same page's in `other_dir` (built from the same
    docs by another engine, or by the plugin), as `page: first difference`. Pages only one site has are named too."""
    site, other = Path(site_dir), Path(other_dir)
    mine = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    theirs = {p.relative_to(other).as_posix() for p in other.rglob("*.html")}
    problems = [f"{rel}: only in {site}" for rel in sorted(mine - theirs)]
    problems += [f"{rel}: only in {other}" for rel in sorted(theirs - mine)]
    for rel in sorted(mine & theirs):
        a, b = content_targets(site, rel), content_targets(other, rel)
        if a == b:
            continue
        if a is None or b is None:
            problems.append(f"{rel}: an <article> in {other if a is None else site} only")
            continue
        i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        here = a[i] if i < len(a) else "(no more links)"
        there = b[i] if i < len(b) else "(no more links)"
        problems.append(f"{rel}: link {i + 1} of the content lands on {here!r}, in {other} on {there!r}")
    return problems


def _cmd_linkcheck(args: argparse.Namespace) -> int:
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"{site}: no built site here (no index.html); run `{command('build')}` first", file=sys.stderr)
        return 1
    if args.same_as and not (Path(args.same_as) / "index.html").is_file():
        print(f"--same-as {args.same_as}: no built site here (no index.html)", file=sys.stderr)
        return 1
    report = check_site(site, args.base_path)
    differ = compare_content_links(site, Path(args.same_as)) if args.same_as else []
    for problem in differ:
        print(problem, file=sys.stderr)
    if args.external:
        for line in report.external:
            print(f"external (not followed): {line}")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    hosts = sorted({urlsplit(e.split(": ", 1)[1]).netloc or e.split(": ", 1)[1] for e in report.external})
    summary = f"{report.checked} local links checked; {len(report.external)} external links not followed"
    if hosts:
        summary += f" (hosts: {', '.join(hosts)})"
    if differ:
        summary += f"; {len(differ)} page{'s' if len(differ) != 1 else ''} whose links land elsewhere than in {args.same_as}"
    elif args.same_as:
        summary += f"; every page's content links land where {args.same_as}'s do"
    if report.problems or differ:
        print(f"{len(report.problems)} broken link{'s' if len(report.problems) != 1 else ''}; {summary}", file=sys.stderr)
        return 1
    print(f"ok: {summary}")
    return 0


def add_command(sub: Any) -> None:
    p = sub.add_parser("linkcheck", help="check every local link and #anchor in a built site")
    p.add_argument("site", nargs="?", default="site", help="the built site folder (default: site)")
    p.add_argument("--base-path", default="/", help="URL path the site is served under, for root-relative links (default: /)")
    p.add_argument("--external", action="store_true", help="also list every link to another host")
    p.add_argument(
        "--same-as",
        metavar="OTHER_SITE",
        help="also check that every page's content links land where the same page's do in OTHER_SITE (the same docs built by another engine)",
    )
    p.set_defaults(func=_cmd_linkcheck)
