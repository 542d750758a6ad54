"""Settings: every Carepath option and the MkDocs values the core uses, each default stated once here.

Built once, from `mkdocs.yml` (no MkDocs import: tags such as `!ENV` are resolved the way MkDocs
resolves them, any other tag is read as plain data) or, by the plugin, from MkDocs' validated config.
No other module reads configuration or the environment.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from carepath import urls as links
from carepath.urls import Urls
from carepath.words import DEFAULT_EDITION, Words, editions, words

PLUGIN_NAME = "carepath"
"""The plugin's name under `plugins:` in `mkdocs.yml` (its entry point)."""
PATHWAY_DIR = "pathway"
REGIONS_FOLDER = "regions"
"""The folder under the pathway folder that holds one folder per regional overlay; it holds no nodes."""
"""The default of the `pathway_dir` option, relative to `mkdocs.yml`."""
TODAY_VARIABLE = "CAREPATH_TODAY"
"""`CAREPATH_TODAY=YYYY-MM-DD` pins the build's date for review-due checks (tests, rebuilds)."""
EDITION_VARIABLE = "CAREPATH_BUILD_EDITION"
"""The edition one build makes, over the plugin's `edition` option: `carepath build --edition` sets it for MkDocs."""
EDITIONS_VARIABLE = "CAREPATH_BUILD_EDITIONS"
"""The editions one published site holds, space-separated, the first at the site's root and each other under its
own prefix (`en-us/`): `carepath build` sets it for each edition's MkDocs run of a several-edition build."""


def build_date() -> dt.date:
    """The build's date: `CAREPATH_TODAY` when set, else today."""
    pinned = os.environ.get(TODAY_VARIABLE)
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise ConfigError(f"{TODAY_VARIABLE}: {pinned[:40]!r} is not a date; write it as YYYY-MM-DD, or leave it unset for today") from None


@dataclass(frozen=True, kw_only=True)
class Readability:
    """The readability gate (the plugin's `readability:` options)."""

    enabled: bool = True
    """Run the gate after each build (off only for test fixtures that are not patient text)."""
    max_grade: float = 8.0
    """No page may score above this Flesch-Kincaid grade."""
    max_median: float = 7.0
    """The median page grade may not exceed this."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the core needs to know about a site. The class attributes are the defaults."""

    pathway_dir: Path
    """Folder of pathway YAML files (the option is relative to `mkdocs.yml`; this is the resolved path)."""
    root: Path | None = None
    """The folder of `mkdocs.yml`; None for a pathway folder checked without a site."""
    docs_dir: Path | None = None
    """The hand-written pages; None when there is no site to check them against."""
    site_url: str | None = None
    site_name: str = "Carepath"
    publisher: str | None = None
    """Who publishes the site, printed on every handout: the `publisher` option, else `site_author`."""
    content_version: str | None = None
    """The version of the content, printed on every handout beside the build date."""
    use_directory_urls: bool = True
    custom_dir: Path | None = None
    """The theme's `custom_dir`; page templates are looked up in its `carepath/` folder first."""
    diagrams: bool = True
    """Draw decision-flow diagrams on pathway, stage and node pages (and an overview page per pathway)."""
    nav_max_pathways: int = 10
    """Up to this many pathways the nav lists each with its stages; beyond it, only the pathway index.

    Material writes the whole nav into every page, so a nav that grows with the knowledge base makes page
    size and build time grow with its square. Past the limit, readers reach pathways through the index.
    """
    readability: Readability = Readability()
    cache_dir: str = ".cache/carepath"
    """The build cache, relative to `mkdocs.yml`: git-ignored, safe to delete; an empty string turns it off."""
    today: dt.date = field(default_factory=build_date)
    """The build's date, for review-due checks."""
    edition: str = DEFAULT_EDITION
    """The edition the site is built as (`en-US`, `en-GB`): its words catalogue (`carepath/words/<edition>.yml` over
    its language's) and its locale profile, the routes every sign's words of what to do and every emergency line
    come from. One knowledge base, one edition per build; the default keeps a site's pages as they were."""
    region: str | None = None
    """The regional overlay the site is built with (`pathway/regions/<region>/`): its local services and notes on
    the nodes it names. None: no region, the pathway as written. A region is written for one edition."""
    editions: tuple[str, ...] = ()
    """The editions published together with this one (`carepath build --edition A --edition B`), the first at the
    site's root and each other in a folder of its own (`edition_prefix`); every page links to its twin in each.
    Empty for a site of one edition."""
    url_prefix: str = ""
    """The folder of the site every generated page, asset and redirect goes in (`care/`), for pathway pages
    inside a host site; `` puts them at the site's root."""
    nav_section: str | None = None
    """The title of the section of the site's nav the generated entries go under, the site's own `nav:` kept;
    None: they lead the nav of a site without one, and a site's own `nav:` is left as it is."""

    @property
    def urls(self) -> Urls:
        """Every `src_uri` and href of this site (it carries `use_directory_urls`)."""
        return Urls(use_directory_urls=self.use_directory_urls)

    @property
    def edition_prefix(self) -> str:
        """The folder of the published site this edition is built into: `` for the first (or only) edition."""
        return edition_prefix(self.edition, self.editions)

    @property
    def site_root_url(self) -> str | None:
        """The address of the published site all the editions share (`site_url` is this edition's own)."""
        prefix = self.edition_prefix
        return self.site_url[: -len(prefix)] if self.site_url and prefix else self.site_url

    @property
    def language(self) -> str:
        """The words catalogue every reader-facing string comes from: the edition's."""
        return self.edition

    @property
    def words(self) -> Words:
        """The words catalogue of this site's language."""
        return words(self.language)

    @classmethod
    def from_mkdocs_yml(cls, mkdocs_yml: Path) -> Settings:
        """The settings of the site `mkdocs.yml` describes. Raises `ConfigError` naming the file (and line, key)."""
        data = load_mkdocs_yml(mkdocs_yml)
        options = plugin_options(data, mkdocs_yml.as_posix())
        checked_addresses(data, mkdocs_yml)
        root = mkdocs_yml.resolve().parent
        theme = data.get("theme")
        custom = theme.get("custom_dir") if isinstance(theme, dict) else None
        return cls._with_options(
            options,
            root=root,
            mkdocs_yml=mkdocs_yml,
            docs_dir=root / str(data.get("docs_dir") or "docs"),
            site_url=_as_folder(checked_site_url(data.get("site_url"), mkdocs_yml)),
            site_name=str(data.get("site_name") or cls.site_name),
            site_author=data.get("site_author"),
            use_directory_urls=data.get("use_directory_urls", cls.use_directory_urls) is not False,
            custom_dir=root / str(custom) if custom else None,
        )

    @classmethod
    def from_mkdocs_config(cls, config: Mapping[str, Any], options: Mapping[str, Any]) -> Settings:
        """The settings from MkDocs' validated config and the plugin's validated options, which the plugin
        hands over (so this module needs no MkDocs import)."""
        root = Path(config["config_file_path"] or ".").resolve().parent
        custom = config["theme"].custom_dir
        mkdocs_yml = Path(config["config_file_path"] or "mkdocs.yml")
        theme = config["theme"]
        addresses = {k: config[k] for k in ("repo_url", "edit_uri", "edit_uri_template", "extra_css", "extra_javascript", "extra")}
        checked_addresses({**addresses, "theme": {k: theme[k] for k in ("logo", "favicon") if k in theme}}, mkdocs_yml)
        return cls._with_options(
            options,
            root=root,
            mkdocs_yml=mkdocs_yml,
            docs_dir=Path(config["docs_dir"]),
            site_url=checked_site_url(config["site_url"], mkdocs_yml),
            site_name=config["site_name"],
            site_author=config["site_author"],
            use_directory_urls=config["use_directory_urls"],
            custom_dir=Path(custom) if custom else None,
        )

    @classmethod
    def _with_options(cls, options: Mapping[str, Any], *, root: Path, mkdocs_yml: Path, site_author: str | None, **site: Any) -> Settings:
        readability = options.get("readability") or {}
        edition, together = build_editions(options.get("edition") or cls.edition)
        site["site_url"] = links.prefixed_site_url(site.get("site_url"), edition_prefix(edition, together))
        settings = cls(
            pathway_dir=(root / str(options.get("pathway_dir") or PATHWAY_DIR)).resolve(),
            publisher=options.get("publisher") or site_author or None,
            content_version=version_text(options.get("content_version")),
            diagrams=options.get("diagrams", cls.diagrams),
            nav_max_pathways=options.get("nav_max_pathways", cls.nav_max_pathways),
            readability=Readability(
                enabled=readability.get("enabled", Readability.enabled),
                max_grade=float(readability.get("max_grade", Readability.max_grade)),
                max_median=float(readability.get("max_median", Readability.max_median)),
            ),
            cache_dir=options.get("cache_dir", cls.cache_dir),
            url_prefix=links.url_prefix(str(options.get("url_prefix") or cls.url_prefix)),
            nav_section=options.get("nav_section") or cls.nav_section,
            edition=edition,
            editions=together,
            region=options.get("region") or cls.region,
            root=root,
            **site,
        )
        problem = region_problem(settings.pathway_dir, settings.region, root)
        if problem:
            raise ConfigError(f"{setting_position(mkdocs_yml, 'region', option=True)}: plugins.{PLUGIN_NAME}.region: {problem}")
        return settings


def region_problem(pathway_dir: Path, region: str | None, root: Path | None = None) -> str | None:
    """Why `region` names no regional overlay in the pathway folder, naming those it has; None when it does (or is None).
    Its files are checked with the pathway's; here only that its folder is there, so an unknown name is one line."""
    if region is None:
        return None
    folder = pathway_dir / REGIONS_FOLDER
    found = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    if region in found:
        return None
    try:
        shown = folder.relative_to(root).as_posix() if root else folder.as_posix()
    except ValueError:
        shown = folder.as_posix()
    there = f"there is {', '.join(map(repr, found))}" if found else "there is none"
    return f"no region {region!r} in {shown}/; {there}"


MAX_SITE_URL = 256
"""The longest `site_url` taken: every page's address is printed on its handout and encoded in its QR code, which
must stay readable with the longest page path after it."""
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/@!$&()*+,;=%\[\]]*")
"""What a `site_url` may be written with: RFC 3986's characters, less quotes, `?` and `#` (a query or fragment
would end up in the middle of every page's address). Nothing in it can end an HTML attribute or open a tag."""


def site_url_problem(value: object) -> str | None:
    """Why `value` cannot be the site's address, or None when it can (an absolute http(s) folder address, or unset).

    Themes paste `site_url` into HTML unescaped (MkDocs also makes it the base of every link on the 404 page), and
    every handout prints and QR-encodes it, so only a plain address of sane length is taken."""
    if value is None or value == "":
        return None
    problem = _written_problem(value, "an absolute http(s) address", MAX_SITE_URL, _URL_CHARS, "'?', '#' and non-ASCII")
    if problem or not isinstance(value, str):
        return problem
    shown = _shown(value)
    try:
        scheme, host = urlsplit(value).scheme, urlsplit(value).hostname
    except ValueError:  # such as a bad IPv6 address in brackets
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        return f"{shown} is not an absolute http:// or https:// address"
    return None


def checked_site_url(value: object, mkdocs_yml: Path) -> str | None:
    """`value` as the site's address; `ConfigError` naming the file, line and setting when it cannot be one."""
    problem = site_url_problem(value)
    if problem:
        raise ConfigError(f"{setting_position(mkdocs_yml, 'site_url')}: site_url (or the SITE_URL environment variable): {problem}")
    return str(value) if value else None


MAX_ADDRESS = 2000
"""The longest address taken in any other setting the theme links to (`repo_url`, `theme.logo`, `extra.social`...)."""
_ADDRESS_CHARS = re.compile(r"[A-Za-z0-9\-._~:/@!$&()*+,;=%\[\]?#{}]*")
"""What such an address may be written with: `_URL_CHARS`, plus a query, a fragment and `edit_uri_template`'s `{path}`."""
ADDRESS_SCHEMES = ("http", "https", "mailto")


def theme_addresses(data: Mapping[str, Any]) -> list[tuple[str, object]]:
    """`(setting, value)` of every address in a site's settings that Material pastes into a link, an image or a
    script's URL unescaped (`site_url` has its own, stricter check): the repository, the logo and favicon, the
    site's stylesheets and scripts, and the addresses under `extra` Material reads."""
    found: list[tuple[str, object]] = [(k, data.get(k)) for k in ("repo_url", "edit_uri", "edit_uri_template")]
    theme = data.get("theme")
    if isinstance(theme, Mapping):
        found += [(f"theme.{k}", theme.get(k)) for k in ("logo", "favicon")]
    for key in ("extra_css", "extra_javascript"):
        for i, item in enumerate(data.get(key) or []):
            path = item.get("path") if isinstance(item, Mapping) else getattr(item, "path", item)
            found.append((f"{key}[{i}]", path))
    extra = data.get("extra")
    if isinstance(extra, Mapping):
        found += [(f"extra.{k}", extra.get(k)) for k in ("homepage", "scope")]
        for key in ("alternate", "social"):
            items = extra.get(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                found.append((f"extra.{key}[{i}].link", item.get("link") if isinstance(item, Mapping) else item))
    return [(name, value) for name, value in found if value is not None]


def address_problem(value: object) -> str | None:
    """Why `value` cannot be an address the theme links to, or None when it can: relative, or http(s) or mailto."""
    problem = _written_problem(value, "an address", MAX_ADDRESS, _ADDRESS_CHARS, "'\\' and non-ASCII (percent-encode them)")
    if problem or not isinstance(value, str):
        return problem
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", value)
    if scheme and scheme.group(1).lower() not in ADDRESS_SCHEMES:
        return f"{_shown(value)} is not a relative, http(s) or mailto address"
    return None


def _written_problem(value: object, what: str, limit: int, chars: re.Pattern[str], refused: str) -> str | None:
    """Why `value` cannot be written into a page as `what` as it is: not text, over `limit` characters, or with a
    character outside `chars` (quotes, spaces, `<` and `>` never are in it; `refused` names the others)."""
    if not isinstance(value, str):
        return f"expected {what}, got {value!r}"
    if len(value) > limit:
        return f"{_shown(value)} is {len(value):,} characters, over the limit of {limit:,}"
    if not chars.fullmatch(value):
        bad = next(ch for ch in value if not chars.fullmatch(ch))
        return f"{_shown(value)} holds {bad!r}, which an address may not (quotes, spaces, '<', '>', {refused} are refused)"
    return None


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:59] + "…")


def checked_addresses(data: Mapping[str, Any], mkdocs_yml: Path) -> None:
    """`ConfigError` naming the file, line and setting of each address in `data` the theme cannot link to."""
    problems = []
    for name, value in theme_addresses(data):
        problem = address_problem(value)
        if problem:
            key = re.sub(r"\[\d+\]", "", name).rsplit(".", 1)[-1]
            problems.append(f"{setting_position(mkdocs_yml, key, option='.' in name)}: {name}: {problem}")
    if problems:
        raise ConfigError("\n".join(problems))


def setting_position(mkdocs_yml: Path, key: str, option: bool = False) -> str:
    """`mkdocs.yml:<line>` of a top-level setting (or, with `option`, of a plugin option: the first line that
    sets `key` indented), for messages; the file alone when no line sets it."""
    try:
        lines = mkdocs_yml.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    pattern = re.compile(("[ \t-]+" if option else "") + re.escape(key) + r"\s*:")
    for n, text in enumerate(lines, 1):
        if pattern.match(text):
            return f"{mkdocs_yml.as_posix()}:{n}"
    return mkdocs_yml.as_posix()


def _as_folder(site_url: str | None) -> str | None:
    """`site_url` as MkDocs keeps it: ending in `/`."""
    if not site_url:
        return None
    return site_url if site_url.endswith("/") else site_url + "/"


# --- reading mkdocs.yml ----------------------------------------------------------------------------


class ConfigError(Exception):
    """`mkdocs.yml` cannot be read; the message names the file (and line or key when known)."""


class _ConfigLoader(yaml.SafeLoader):
    pass


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1]
    for name in names:
        if name in os.environ:
            return yaml.safe_load(os.environ[name])
    return default


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("", _any_tag)


def load_mkdocs_yml(mkdocs_yml: Path) -> dict[str, Any]:
    """The raw settings of `mkdocs.yml`, tags resolved; `ConfigError` when it is not a YAML mapping."""
    where = mkdocs_yml.as_posix()
    try:
        data = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark is not None else where
        raise ConfigError(f"{at}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of settings, got {type(data).__name__}")
    return data


def plugin_entries(plugins: Any) -> list[tuple[str, Any]]:
    """`(name, options)` of each plugin, from either form MkDocs accepts: a list of names and one-key
    mappings (`[search, {carepath: {...}}]`), or one mapping of names to options (`{search: {}, carepath: {...}}`)."""
    if isinstance(plugins, dict):
        return [(str(name), options) for name, options in plugins.items()]
    out: list[tuple[str, Any]] = []
    for entry in plugins if isinstance(plugins, list) else []:
        if isinstance(entry, dict):
            out.extend((str(name), options) for name, options in entry.items())
        else:
            out.append((str(entry), None))
    return out


def version_text(value: Any) -> str | None:
    """A content version as text: `!ENV [CONTENT_VERSION]` with `2.1` reads as a number, which is still a version
    (quote it, `"2.10"`, to keep a trailing zero)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ConfigError(f"content_version: expected a version such as \"2.1\", got {value!r}")


def without_plugin(plugins: Any, name: str = PLUGIN_NAME) -> Any:
    """`plugins` with the plugin `name` left out and every other plugin's options kept, in the form it was written."""
    if isinstance(plugins, dict):
        return {k: v for k, v in plugins.items() if k != name}
    return [p for p in plugins or [] if p != name and not (isinstance(p, dict) and name in p)]


_EXPECTED: dict[str, tuple[tuple[type, ...], str]] = {
    "pathway_dir": ((str,), "a string"),
    "diagrams": ((bool,), "true or false"),
    "nav_max_pathways": ((int,), "a whole number"),
    "publisher": ((str, type(None)), "a string"),
    "content_version": ((str, int, float, type(None)), "a version such as \"2.1\""),
    "cache_dir": ((str,), "a string"),
    "url_prefix": ((str,), "a string"),
    "nav_section": ((str, type(None)), "a string"),
    "edition": ((str,), "a string"),
    "region": ((str, type(None)), "a string"),
    "readability.enabled": ((bool,), "true or false"),
    "readability.max_grade": ((int, float), "a number"),
    "readability.max_median": ((int, float), "a number"),
}
"""What each option's value must be when read from `mkdocs.yml` (the plugin's own schema checks a MkDocs build)."""


def edition_problem(value: str) -> str:
    """Why `value` is not an edition Carepath ships, naming those it does."""
    return f"no edition {value!r}; Carepath ships {', '.join(repr(e) for e in editions())}"


def edition_prefix(edition: str, together: tuple[str, ...] | list[str]) -> str:
    """The folder an edition of a site of several (`together`) is published in: `` for the first, else its name in
    lower case (`en-us/`), as URLs are."""
    return "" if not together or edition == together[0] else edition.lower() + "/"


def build_editions(option: str) -> tuple[str, tuple[str, ...]]:
    """The edition this build makes (`EDITION_VARIABLE` over the `option`) and the editions published with it
    (`EDITIONS_VARIABLE`); `ConfigError` for one Carepath does not ship."""
    chosen = os.environ.get(EDITION_VARIABLE)
    together = tuple(os.environ.get(EDITIONS_VARIABLE, "").split())
    for name, value in [*((EDITION_VARIABLE, e) for e in [chosen] if e), *((EDITIONS_VARIABLE, e) for e in together)]:
        if value not in editions():
            raise ConfigError(f"{name}: {edition_problem(value)}")
    edition = chosen or option
    if together and edition not in together:
        raise ConfigError(f"{EDITIONS_VARIABLE}: {' '.join(together)!r} does not hold the edition built, {edition!r}")
    return edition, together


def plugin_options(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The carepath plugin's options in raw `mkdocs.yml` settings, checked; `ConfigError` lists every bad one."""
    options: Any = {}
    for name, value in plugin_entries(data.get("plugins")):
        if name == PLUGIN_NAME:
            options = value if value is not None else {}
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: plugins.{PLUGIN_NAME}: expected a mapping, got {options!r}")
    problems = []
    readability = options.get("readability")
    if readability is not None and not isinstance(readability, dict):
        problems.append(f"{where}: plugins.{PLUGIN_NAME}.readability: expected a mapping, got {readability!r}")
    values = {k: v for k, v in options.items() if k != "readability"}
    values.update({f"readability.{k}": v for k, v in (readability if isinstance(readability, dict) else {}).items()})
    for key, value in values.items():
        if key not in _EXPECTED:
            continue  # an unknown option: MkDocs' own check names it in a build
        types, words = _EXPECTED[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            problems.append(f"{where}: plugins.{PLUGIN_NAME}.{key}: expected {words}, got {value!r}")
    if isinstance(options.get("edition"), str) and options["edition"] not in editions():
        problems.append(f"{where}: plugins.{PLUGIN_NAME}.edition: {edition_problem(options['edition'])}")
    if isinstance(options.get("url_prefix"), str):
        try:
            links.url_prefix(options["url_prefix"])
        except ValueError as exc:
            problems.append(f"{where}: plugins.{PLUGIN_NAME}.{exc}")
    if problems:
        raise ConfigError("\n".join(problems))
    return options


def site_settings(pathway_dir: Path, config: str | None) -> Settings:
    """The settings of the site this pathway folder is for: its `--config`, or the `mkdocs.yml` beside the folder
    that names it; else the defaults for the folder alone, with no hand-written pages to check."""
    return site_of(pathway_dir, config)[0]


def site_of(pathway_dir: Path, config: str | None) -> tuple[Settings, Path | None]:
    """`site_settings` and the `mkdocs.yml` they come from (None: the defaults)."""
    if config:
        return Settings.from_mkdocs_yml(Path(config)), Path(config)
    beside = pathway_dir.resolve().parent / "mkdocs.yml"
    if beside.is_file():
        settings = Settings.from_mkdocs_yml(beside)
        if settings.pathway_dir == pathway_dir.resolve():
            return settings, beside
    return Settings(pathway_dir=pathway_dir.resolve()), None
