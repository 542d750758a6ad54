"""`render` (a plain docs folder any stock MkDocs can build) and `build` (the site, replaced atomically)."""

from __future__ import annotations

import argparse
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

from carepath.build.cache import site_cache_dir
from carepath.build.site import alias_clashes, build_site_pages, content_problems, file_clashes, url_clashes
from carepath.build.write import write_file
from carepath.engines import host
from carepath.problems import PathwayError
from carepath.publish.search import search_fields
from carepath.settings import (
    EDITION_VARIABLE,
    EDITIONS_VARIABLE,
    ConfigError,
    Settings,
    edition_prefix,
    edition_problem,
    load_mkdocs_yml,
    setting_position,
    without_plugin,
)
from carepath.text import raw_links
from carepath.text.raw_links import to_source_relative
from carepath.translation import translated_languages
from carepath.words import DEFAULT_LANGUAGE, editions, language_of


def render_docs(mkdocs_yml: Path, out: Path) -> dict[str, Any]:
    """Write hand-written and generated pages into `out`; return a stock MkDocs config for them.

    Nothing is written unless the pathway and every `node:` link are valid. What the plugin would give the
    theme (its 404 page, each node page's JSON-LD, the Markdown extensions, no web fonts) is written into
    the config and into a theme folder `out/.carepath-theme/`, which MkDocs leaves out of the pages (`.*`).
    """
    settings = Settings.from_mkdocs_yml(mkdocs_yml)
    markup = stock_markup(load_mkdocs_yml(mkdocs_yml))
    if markup:
        name, value, char = markup
        raise ConfigError(
            f"{setting_position(mkdocs_yml, name.split('.')[0])}: {name}: {value[:60]!r} holds {char!r}, which a stock build "
            "pastes into every page as markup (only Carepath's own build escapes it): write it as plain text"
        )
    docs_dir = settings.docs_dir
    assert docs_dir is not None
    prefix = settings.url_prefix
    site = build_site_pages(settings, parallel=True)  # node pages on two cores where one is free (`build.parallel`)
    content: dict[str, bytes] = {}
    problems = []
    for path in sorted(p for p in docs_dir.rglob("*") if p.is_file()):
        uri = path.relative_to(docs_dir).as_posix()
        if path.suffix == ".md":
            text, found = content_problems(path.read_text(encoding="utf-8"), uri, site.kb, f"{docs_dir.name}/{uri}", prefix, settings.words)
            problems += found
            content[uri] = text.encode("utf-8")
        else:
            content[uri] = path.read_bytes()
    problems += alias_clashes(site.kb, list(content), docs_dir.name, settings.urls, prefix)
    if problems:
        raise PathwayError(problems)
    pages = site.generated(list(content))
    clashes = url_clashes(list(pages), list(content), docs_dir.name, settings.urls)
    clashes += file_clashes(site.plan, list(content), docs_dir.name, prefix)
    if clashes:
        raise PathwayError(clashes)
    theme_dir = out / STOCK_THEME_DIR
    theme_files = _stock_theme_files(settings.custom_dir)
    # Raw HTML links are written from the page's source, as Zensical reads them; the hook reads them back from the
    # page's URL for MkDocs, which leaves raw HTML alone. Both then publish the plugin build's addresses.
    for uri in [u for u in content if u.endswith(".md")]:
        content[uri] = to_source_relative(content[uri].decode("utf-8"), uri, settings.urls.page_url(uri)).encode("utf-8")
    pages = {uri: to_source_relative(text, uri, settings.urls.page_url(uri)) for uri, text in pages.items()}
    out.mkdir(parents=True, exist_ok=True)
    for uri, data in content.items():
        write_file(out / uri, data)
    for uri, text in pages.items():
        write_file(out / uri, text)
    hook = out / STOCK_HOOKS_DIR / RAW_LINKS_HOOK
    write_file(hook, Path(raw_links.__file__).read_bytes())
    for uri, data in site.placed_assets().items():
        write_file(out / uri, data)
    for rel, data in theme_files.items():
        write_file(theme_dir / rel, data)

    raw = load_mkdocs_yml(mkdocs_yml)
    config = {k: v for k, v in raw.items() if k not in ("plugins", "docs_dir", "site_dir", "nav")}
    config["plugins"] = stock_search(without_plugin(raw.get("plugins") or []))
    placed = host.place(site, sorted(u for u in content if u.endswith(".md")), raw.get("nav"), settings.nav_section)
    config["nav"] = placed.nav if placed.nav is not None else raw.get("nav")
    config["not_in_nav"] = "\n".join(f"/{u}" for u in sorted(pages) if u not in placed.in_nav)
    config["extra_css"] = list(config.get("extra_css") or []) + placed.stylesheets
    config["extra"] = {**(config.get("extra") or {}), "carepath": placed.theme_data}
    extensions = list(config.get("markdown_extensions") or [])
    names = [e if isinstance(e, str) else next(iter(e)) for e in extensions]
    config["markdown_extensions"] = extensions + host.missing_extensions(names)
    theme = dict(config.get("theme") or {})
    theme["custom_dir"] = str(theme_dir.resolve())
    if theme.get("font") is None:
        theme["font"] = False
    config["theme"] = theme
    config["hooks"] = [*(config.get("hooks") or []), str(hook.resolve())]
    return config


SEARCH_PLUGINS = ("search", "material/search")


def stock_search(plugins: Any) -> Any:
    """`plugins` with the search plugin given Carepath's field weights, as the plugin gives them during its build
    (`search_fields`; the site's own win): a stock build has no plugin to. Zensical 0.0.73 ignores `fields`."""

    def fit(given: Any) -> dict[str, Any]:
        options: dict[str, Any] = dict(given or {})
        options["fields"] = search_fields(dict(options.get("fields") or {}))
        return options

    if isinstance(plugins, dict):
        return {k: fit(v) if k in SEARCH_PLUGINS else v for k, v in plugins.items()}
    out = []
    for p in plugins:
        if isinstance(p, str) and p in SEARCH_PLUGINS:
            p = {p: fit(None)}
        elif isinstance(p, dict) and len(p) == 1 and next(iter(p)) in SEARCH_PLUGINS:
            p = {k: fit(v) for k, v in p.items()}
        out.append(p)
    return out


STOCK_MARKUP = re.compile(r'[<>"]')
"""What a stock build (no plugin) cannot show as text in a setting the theme pastes unescaped."""


def stock_markup(data: dict[str, Any]) -> tuple[str, str, str] | None:
    """The first text setting the theme shows (`host.THEME_TEXT`, strings under `extra` and `theme.palette`) that
    holds `<`, `>` or `"`, as `(setting, value, that character)`; None when none does. Carepath's own build escapes them
    (`host.escaped_settings`); the config `render` writes is built by a stock MkDocs, which pastes them as they are."""

    def strings(value: Any, name: str) -> list[tuple[str, str]]:
        if isinstance(value, str):
            return [(name, value)]
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in strings(v, f"{name}.{k}")]
        if isinstance(value, list):
            return [s for i, v in enumerate(value) for s in strings(v, f"{name}[{i}]")]
        return []

    theme = data.get("theme")
    found = [s for k in host.THEME_TEXT for s in strings(data.get(k), k)]
    found += strings(data.get("extra"), "extra")
    found += strings(theme.get("palette") if isinstance(theme, dict) else None, "theme.palette")
    for name, value in found:
        if m := STOCK_MARKUP.search(value):
            return name, value, m.group(0)
    return None


STOCK_THEME_DIR = ".carepath-theme"
"""The theme folder `render` writes into its docs folder: MkDocs leaves dot-folders out of the pages."""

STOCK_HOOKS_DIR = ".carepath-hooks"
"""Beside the theme folder, not in it: MkDocs and Zensical publish a theme folder's other files."""
RAW_LINKS_HOOK = "carepath_raw_links.py"
"""The MkDocs hook that reads raw HTML links from the page's source (`carepath/text/raw_links.py`, copied)."""


def _stock_theme_files(custom_dir: Path | None) -> dict[str, bytes]:
    """The theme folder a stock MkDocs build needs in the plugin's place: the site's own `custom_dir`, plus
    Carepath's 404 page and a `main.html` that writes each node page's JSON-LD, unless the site has its own."""
    files: dict[str, bytes] = {}
    if custom_dir is not None and custom_dir.is_dir():
        files = {p.relative_to(custom_dir).as_posix(): p.read_bytes() for p in sorted(custom_dir.rglob("*")) if p.is_file()}
    files.setdefault("404.html", (host.theme_dir() / "404.html").read_bytes())
    files.setdefault("main.html", (host.theme_dir() / "stock" / "main.html").read_bytes())
    return files


def _cmd_render(args: argparse.Namespace) -> int:
    out = Path(args.out)
    refused = unsafe_output_dir(out, Path(args.config), what="--out")
    if refused:
        print(refused, file=sys.stderr)
        return 1
    try:
        config = render_docs(Path(args.config), out)
        if args.mkdocs_yml:
            target = Path(args.mkdocs_yml)
            config["docs_dir"] = os.path.relpath(out.resolve(), target.resolve().parent)
            write_file(target, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    except OSError as exc:
        print(f"cannot write the docs folder: {_os_error(exc)}", file=sys.stderr)
        return 1
    print(f"rendered the docs folder into {out}")
    if not args.mkdocs_yml:
        # Without it, MkDocs would publish the raw HTML links (written from each page's source) unread.
        print(f"a mkdocs.yml of your own for it needs `hooks: [{config['hooks'][-1]}]`, as --mkdocs-yml writes")
    return 0


BUILDING = "building"
"""Temporary folders are `.<site>-building-<pid>-<random>` beside the site: the pid tells a stale one from a running build's."""

RUN_MKDOCS = """\
import sys
from mkdocs.__main__ import cli
try:
    cli(sys.argv[1:], prog_name="mkdocs")
except OSError as exc:
    where = f" ({exc.filename})" if exc.filename else ""
    print(f"mkdocs: cannot write the site: {exc.strerror or exc}{where}", file=sys.stderr)
    sys.exit(1)
"""
"""MkDocs' command line, with an error writing files (a full disk) reported in one line instead of a traceback."""


def _cmd_build(args: argparse.Namespace) -> int:
    """Build into a temporary folder beside the site and swap it in only when the build succeeds: with several
    editions, only when every one of them built, each after the first into its folder (`en-us/`) of the first's."""
    refused = unsafe_output_dir(Path(args.site_dir), Path(args.config), what="--site-dir")
    if refused:
        print(refused, file=sys.stderr)
        return 1
    # Settings MkDocs would refuse only after a start, and a cache folder inside this site folder (MkDocs is
    # given a temporary one), are one line here. An unusable cache is said by the build itself.
    settings = Settings.from_mkdocs_yml(Path(args.config))
    site_cache_dir(settings, Path(args.config), Path(args.site_dir))
    chosen, problem = chosen_editions(args.edition, settings.edition, translated_languages(settings.pathway_dir))
    if problem:
        print(problem, file=sys.stderr)
        return 1
    site_dir = Path(args.site_dir).resolve()
    tmp: list[Path] = []
    previous = signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() else None
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_folders(site_dir)
        for edition in chosen or [""]:  # none chosen: the site's own, as the plugin's option says
            tmp.append(site_dir.with_name(f".{site_dir.name}-{BUILDING}-{os.getpid()}-{secrets.token_hex(4)}"))
            tmp[-1].mkdir()  # not mkdtemp: its 0700 would make the site unreadable to a web server
            if not _run_mkdocs(args, tmp[-1], edition, chosen):
                print(f"build failed{f' (edition {edition})' if edition else ''}; {site_dir} was left as it was", file=sys.stderr)
                return 1
        for edition, built in zip(chosen[1:], tmp[1:], strict=True):
            folder = tmp[0] / edition_prefix(edition, chosen)
            if folder.exists():
                print(f"edition {edition}: the site already has a page or file at {folder.name}/, the edition's folder; {site_dir} was left as it was", file=sys.stderr)
                return 1
            built.rename(folder)
        del tmp[1:]
        old = None
        if site_dir.exists():
            old = site_dir.with_name(f".{site_dir.name}-{BUILDING}-{os.getpid()}-old")
            site_dir.rename(old)
        tmp[0].rename(site_dir)
        tmp = [old] if old else []
    except KeyboardInterrupt:
        print(f"\ninterrupted; {site_dir} was left as it was", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"cannot build into {site_dir}: {_os_error(exc)}; it was left as it was", file=sys.stderr)
        return 1
    finally:
        for folder in tmp:
            shutil.rmtree(folder, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    where = "".join(f"\n  {e}: /{edition_prefix(e, chosen)}" for e in chosen) if len(chosen) > 1 else ""
    print(f"built the site into {site_dir}{f' as {chosen[0]}' if len(chosen) == 1 else ''}{where}")
    return 0


ALL_EDITIONS = "all"
"""`--edition all`: the site's own edition at the root, then every other edition Carepath ships."""


def chosen_editions(asked: list[str] | None, own: str, translated: frozenset[str] = frozenset()) -> tuple[list[str], str | None]:
    """The editions `--edition` asks for, in order (the first at the site's root), or why not: one line naming the
    editions there are. None asked: the site's own (the plugin's option), as a build without editions is.
    `translated`: the languages some pathway is translated into; `all` leaves out a language edition
    that holds no pathway yet, and naming one is an error."""
    if not asked:
        return [], None
    names = [n for a in asked for n in a.replace(",", " ").split()]
    ready = [e for e in editions() if language_of(e) == DEFAULT_LANGUAGE or language_of(e) in translated]
    if names == [ALL_EDITIONS]:
        names = [own, *(e for e in ready if e != own)]
    for name in names:
        if name not in editions():
            return [], f"--edition: {edition_problem(name)}, or '{ALL_EDITIONS}'"
        if name not in ready:
            return [], f"--edition: {name!r}: no pathway is translated into {language_of(name)!r} yet (a <file>.{language_of(name)}.yml beside a pathway's files; AUTHORING.md, \"Languages\")"
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        return [], f"--edition: {', '.join(repr(n) for n in twice)} asked for more than once"
    return names, None


def _run_mkdocs(args: argparse.Namespace, tmp: Path, edition: str = "", together: list[str] | None = None) -> bool:
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch(Path(args.config).resolve().parent))
    env.pop(EDITION_VARIABLE, None)
    env.pop(EDITIONS_VARIABLE, None)
    if edition:
        env[EDITION_VARIABLE] = edition
        if together and len(together) > 1:
            env[EDITIONS_VARIABLE] = " ".join(together)
    cmd = [sys.executable, "-c", RUN_MKDOCS, "build", "--strict", "--clean", "--config-file", args.config, "--site-dir", str(tmp)]
    # --quiet is ours, not MkDocs': MkDocs' own --quiet drops warnings before strict mode counts them.
    result = subprocess.run(cmd, env=env, capture_output=args.quiet, text=True, check=False)
    if result.returncode != 0 and args.quiet:
        sys.stderr.write(result.stdout + result.stderr)
    return result.returncode == 0


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM ends a build like Ctrl-C does: the temporary folder is removed on the way out."""
    raise KeyboardInterrupt


def remove_stale_temp_folders(site_dir: Path) -> list[Path]:
    """Remove the temporary folders of earlier builds of this site whose process is gone (killed, or the machine stopped)."""
    removed = []
    pattern = re.compile(rf"^\.{re.escape(site_dir.name)}-{BUILDING}-(\d+)-")
    for path in site_dir.parent.glob(f".{glob.escape(site_dir.name)}-{BUILDING}-*"):
        m = pattern.match(path.name)
        if m and path.is_dir() and not path.is_symlink() and not _running(int(m.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier build by a process that had this pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def unsafe_output_dir(out: Path, mkdocs_yml: Path, what: str) -> str | None:
    """Why `out` may not be written or replaced, or None. The build replaces the folder it is given as a whole,
    so it must never be the project, hold any of its sources, or sit inside one; and a file is never a folder."""
    for parent in [out, *out.parents]:
        if parent.is_file() or (parent.is_symlink() and not parent.exists()):
            if parent == out:
                return f"{what} {out}: is a file, not a folder; choose another path"
            return f"{what} {out}: {parent} is a file, not a folder; choose another path"
    target = out.resolve()
    root = mkdocs_yml.resolve().parent
    sources = {"the project folder": root, "mkdocs.yml": mkdocs_yml.resolve(), "the generator's code": Path(__file__).resolve().parents[1]}
    try:
        settings: Settings | None = Settings.from_mkdocs_yml(mkdocs_yml)
    except ConfigError:
        settings = None
    if settings is not None:
        if settings.docs_dir is not None:
            sources["the hand-written pages (docs_dir)"] = settings.docs_dir.resolve()
        sources["the pathway data"] = settings.pathway_dir
        if settings.custom_dir:
            sources["the theme overrides (custom_dir)"] = settings.custom_dir.resolve()
    for name in (".git", "tests", "schema", "benchmarks"):
        if (root / name).exists():
            sources[name] = (root / name).resolve()
    # `render` writes a docs folder (MkDocs' `docs_dir`), `build` a site: the example suits the folder asked for.
    site = what == "--site-dir"
    example = "'site'" if site else "'rendered-docs' (then build it with the --mkdocs-yml file)"
    for name, source in sources.items():
        if target == source or target in source.parents:
            harm = "the site would replace it" if site else "the rendered pages would be written over it"
            return f"{what} {out}: is or contains {name} ({source}); {harm}. Choose a new folder such as {example}"
        if source != root and source in target.parents:
            return f"{what} {out}: is inside {name} ({source}); choose a folder outside the sources, such as {example}"
    if target.is_dir() and any(target.iterdir()) and not (target / "index.html").is_file() and what == "--site-dir":
        return f"{what} {out}: is a folder that holds no built site (no index.html); the build would replace it. Empty it or choose another"
    return None


def _os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _source_date_epoch(root: Path) -> str:
    """The last commit's time, so two builds of one commit are byte-identical; 0 outside git."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=True)
        return out.stdout.strip() or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


def add_commands(sub: Any) -> None:
    p = sub.add_parser("render", help="write a plain docs folder (hand-written + generated pages) for a stock MkDocs")
    p.add_argument("--out", required=True, help="folder to write the docs into")
    p.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml (default: mkdocs.yml)")
    p.add_argument(
        "--mkdocs-yml", help="also write a stock mkdocs.yml (no Carepath plugin, a hook for the raw HTML links) that MkDocs and Zensical build"
    )
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser("build", help="build the site with MkDocs; the old site is replaced only on success")
    p.add_argument("--site-dir", default="site", help="the folder to build into, replaced only on success (default: site)")
    p.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml (default: mkdocs.yml)")
    p.add_argument("--quiet", action="store_true", help="print MkDocs' output only when the build fails")
    p.add_argument(
        "--edition",
        action="append",
        metavar="NAME",
        help=f"build as this edition ({', '.join(editions())}) instead of the site's own; given more than once (or "
        f"'{ALL_EDITIONS}': the site's own, then the others), one site of several editions, the first at its root and "
        "each other in its own folder (en-us/), every page linking its twin in each",
    )
    p.set_defaults(func=_cmd_build)
