"""The MkDocs plugin, a dispatcher: read its options, hand each event to a MkDocs-free module, apply the
answers to MkDocs' config and files, report problems MkDocs' way.

The core builds the pages (`build.site`); `engines.host` decides what a host Material site must give them
and where they go; `audit.gate` grades them. `python -m carepath render` goes through the same modules.
"""

from __future__ import annotations

import gc
import logging
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Literal

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from carepath import PathwayError
from carepath import urls as links
from carepath.audit.gate import PageScorer, ReadabilityGate, scoring_pool, scoring_worker
from carepath.audit.readability import PageScore
from carepath.build.cache import Cache, site_cache
from carepath.build.site import SitePages, build_site_pages
from carepath.build.write import write_if_changed
from carepath.diagram.errors import DiagramError
from carepath.engines import host, preview
from carepath.engines import mkdocs_quick as quick
from carepath.load import ParseCache
from carepath.publish.search import search_fields
from carepath.settings import (
    PATHWAY_DIR,
    PLUGIN_NAME,
    ConfigError,
    Readability,
    Settings,
    build_date,
    build_editions,
    edition_problem,
)
from carepath.words import DEFAULT_LANGUAGE, editions, language_of

log = logging.getLogger("mkdocs.plugins.carepath")


# MkDocs' validation schema of the options; what each means, and its default, is in `carepath.settings`.


class ReadabilityConfig(base.Config):
    enabled = c.Type(bool, default=Readability.enabled)
    # Whole numbers too: `max_grade: 8` is how people write it (and how the README states the default).
    max_grade = c.Type((int, float), default=Readability.max_grade)
    max_median = c.Type((int, float), default=Readability.max_median)


class UrlPrefix(c.Type[str]):
    """A folder of the site, as `urls.url_prefix` reads it (`care` -> `care/`); anything else is a config error."""

    def run_validation(self, value: object) -> str:
        try:
            return links.url_prefix(super().run_validation(value))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class Edition(c.Type[str]):
    """An edition Carepath ships (`carepath/words/<edition>.yml`); anything else is a config error naming them."""

    def run_validation(self, value: object) -> str:
        edition = super().run_validation(value)
        if edition not in editions():
            raise ValidationError(edition_problem(edition))
        return edition


class CarepathConfig(base.Config):
    pathway_dir = c.Type(str, default=PATHWAY_DIR)
    diagrams = c.Type(bool, default=Settings.diagrams)
    nav_max_pathways = c.Type(int, default=Settings.nav_max_pathways)
    publisher = c.Optional(c.Type(str))
    content_version = c.Optional(c.Type((str, int, float)))
    readability = c.SubConfig(ReadabilityConfig)
    cache_dir = c.Type(str, default=Settings.cache_dir)
    url_prefix = UrlPrefix(str, default=Settings.url_prefix)
    nav_section = c.Optional(c.Type(str))
    edition = Edition(str, default=Settings.edition)
    region = c.Optional(c.Type(str))


class CarepathPlugin(BasePlugin[CarepathConfig]):
    serving = False
    """Under `mkdocs serve`: a build error is shown in the browser and the server goes on."""
    serving_dirty = False
    """Under `mkdocs serve --dirty`: MkDocs re-renders only the pages whose files changed."""
    broken: str | None = None
    """Under `serve`, the generator's error in the build under way: the build goes on without its pages."""
    failure: str | None = None
    """Under `serve`, why the last build failed (every page request gets it as a page), or None."""
    outputs: set[str] | None = None
    """Under `serve --dirty`, every file the last good build wrote: one it no longer writes is removed."""
    sources: set[str]
    """Under `serve --dirty`, the generated pages the last good build wrote into `pages_dir`."""
    pages_dir: Path | None = None
    """Under `serve --dirty`, this server's own folder of generated pages. Not shared: a second preview of the
    project rewriting a page between MkDocs' two looks at its mtime made MkDocs render a page it had not read."""
    written: dict[str, str]
    """Under `serve --dirty`, each generated page's text as last written into `pages_dir`, by `src_uri`."""
    pages: set[str]
    """Under `serve --dirty`, the URL of every page of the last good build, for the search index."""
    cache: Cache | None = None
    parsed: ParseCache | None = None
    """Under `serve`, each pathway file as the last build parsed it (`load.ParseCache`)."""
    built = False
    """Under `serve`, whether a build of this server has succeeded (stored its result for the next process)."""
    scores: dict[str, PageScore]
    """Readability scores by node id; under `serve --dirty`, kept for the pages MkDocs did not re-render."""
    snapshot: quick.Snapshot | None = None
    """Under `serve --dirty`, what the last good full build made, for a quick rebuild of an edit (`engines.mkdocs_quick`)."""
    assets: dict[str, bytes]
    """Under `serve --dirty`, the generated files (not pages) the last good build handed MkDocs, by `src_uri`."""
    quick_running = False
    """During a quick rebuild's page steps: `on_page_content` keeps each page for the readability gate to grade after."""
    finishing_quick = False
    """During what is left of a quick rebuild once the browser has its pages (`_after_quick`)."""
    after: threading.Thread | None = None
    collecting = True
    """Whether the garbage collector was on before the quick rebuild under way held it off."""
    to_score: list[tuple[str, str, str | None]]
    pool: ProcessPoolExecutor | None = None
    """In a build, the readability gate's second process from before the generator ran until the gate takes it."""

    # Having `on_startup` makes MkDocs keep this one instance for every rebuild of `mkdocs serve`, so the
    # cache's memory and the last readability scores carry over from edit to edit.
    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving = command == "serve"
        self.serving_dirty = command == "serve" and dirty
        self.cache = None
        self.parsed = ParseCache() if self.serving else None
        self.built = False
        self.scores = {}
        self.broken = self.failure = None
        self.outputs = None
        self.sources, self.pages = set(), set()
        self.written, self.assets = {}, {}
        self.snapshot = None

    @event_priority(100)  # before Material's search plugin fills in its own weights for the fields the site left out
    def _fit_search(self, config: MkDocsConfig) -> None:
        self.settle()  # before the search plugin starts a new index: the last quick rebuild may still be writing one
        search = config.plugins.get("material/search")
        fields = getattr(getattr(search, "config", None), "fields", None)
        if isinstance(fields, dict):
            fields.update(search_fields(fields))
        self._fit_language(config, getattr(search, "config", None))

    def _fit_language(self, config: MkDocsConfig, search: Any) -> None:
        """A language edition (`es`) is a site in its language: Material's own words (`theme.language`), and the
        search index's stemming and stop words (`plugins.search.lang`), before the search plugin reads them."""
        try:
            edition, _ = build_editions(self.config.edition)
        except ConfigError:
            return  # said in one line by `_on_config`
        language = language_of(edition)
        if language == DEFAULT_LANGUAGE:
            return
        config.theme["language"] = language
        if search is not None and "lang" in search:
            search["lang"] = [language]

    def _on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        try:
            self.settings = settings = Settings.from_mkdocs_config(config, self.config)
            cache = site_cache(settings, Path(config.config_file_path or "mkdocs.yml"), Path(config.site_dir), log.info)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.settle()
        self.snapshot = None
        if self.serving_dirty:  # what this build reads besides the pathway data, as it begins: a quick rebuild needs it unchanged
            self.leave_out = (settings.pathway_dir.resolve(), Path(config.site_dir).resolve())
            self.inputs = quick.stamps(quick.watched_inputs(config, settings.pathway_dir), self.leave_out)
        self._escape_settings(config)
        # An edition in a folder of a site of several is a site of its own there: canonical links, the sitemap and
        # the 404 page's links name its folder.
        config.site_url = settings.site_url
        # An unusable cache is said at info level: the site is the same without it, so a strict build goes on.
        if self.cache is None or self.cache.root != cache.root:
            self.cache = cache
        self.cache.keep = self.serving  # a build looks its entries up once: they stay on disk only
        if not self.serving_dirty or not hasattr(self, "scores"):
            self.scores = {}
        self._fit(host.fit_theme(config.markdown_extensions, config.theme.name, config.theme["font"]), config)
        started = time.perf_counter()
        self.broken = None
        # The readability gate's second process, started before the generator (`gate.scoring_pool`), in a build only.
        pool = scoring_pool() if not self.serving and settings.readability.enabled else None
        self.pool = pool
        try:
            # Under `serve`, files parsed for the last build are not parsed again, and the whole result is stored for a
            # later process only by the first build: each edit's would cost more than the rest of the edit.
            # Node pages on two cores in a build only: under `serve`, the cache keeps what this process reads for the next edit.
            self.site: SitePages = build_site_pages(
                settings, self.cache, self.parsed, store=not (self.serving and self.built), parallel=not self.serving
            )
            self.built = True
        except (PathwayError, DiagramError, ConfigError) as exc:
            report = exc.report() if isinstance(exc, PathwayError) else str(exc)
            if not self.serving:
                raise PluginError(report) from None
            # The preview keeps serving: the hand-written pages build, every page request gets this report.
            log.error(report)
            self.broken = report
            return config
        log.debug(f"carepath: generator {time.perf_counter() - started:.2f} s")
        if not self.serving and self.cache.root is not None:
            self.cache.memory.clear()  # all on disk; only `serve` looks its entries up again, and they are tens of MB
        for warning in self.site.warnings:
            (log.info if warning.severity == "note" else log.warning)(str(warning))
        docs = Path(config.docs_dir)
        self.content = content = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
        self.host_nav = config.nav
        self.placed = host.place(self.site, content, config.nav, settings.nav_section)
        config.extra_css.extend(u for u in self.placed.stylesheets if u not in config.extra_css)
        config.nav = config.nav if self.placed.nav is None else self.placed.nav
        config.extra["carepath"] = self.placed.theme_data  # the 404 page is no Markdown page: it reads the emergency signs here
        self._new_gate(pool)
        self.pool = None  # the gate's now
        return config

    def _new_gate(self, pool: ProcessPoolExecutor | None = None) -> None:
        scorer = PageScorer(self.cache or Cache(None), self.site.kb)
        self.gate = ReadabilityGate(scorer, self.site.kb, self.settings, self.scores, scoring_worker(scorer, self.serving, pool))

    on_config = CombinedEvent(_fit_search, _on_config)

    def _escape_settings(self, config: MkDocsConfig) -> None:
        """The text settings the theme shows, escaped once (`host.escaped_settings`), after `settings` has read them as written."""
        theme = config.theme
        escaped = host.escaped_settings(
            {k: config[k] for k in host.THEME_TEXT}, config.extra, theme.get("palette"), PLUGIN_NAME
        )
        for key in host.THEME_TEXT:
            config[key] = escaped[key]
        config.extra.update(escaped["extra"])
        if "palette" in theme:
            theme["palette"] = escaped["palette"]

    def _fit(self, fit: host.ThemeFit, config: MkDocsConfig) -> None:
        config.markdown_extensions.extend(fit.extensions)
        if fit.font_off:
            config.theme["font"] = False
        if fit.theme_dir and fit.theme_dir not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, fit.theme_dir)
        for line in fit.notes:
            log.info(line)
        for line in fit.warnings:
            log.warning(line)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.broken:
            return files
        content = [f.src_uri for f in files]
        clashes = host.site_clashes(self.site, content, Path(config.docs_dir).name)
        if clashes:
            raise PluginError("\n".join(clashes))
        for problem in host.vanished_urls(self.site, content) if self.site.kb.language == DEFAULT_LANGUAGE else []:
            # A language edition holds only the pathways translated into it: the manifest is the English site's.
            log.warning(str(problem))  # a published URL that no longer answers fails a strict build
        # Under `serve --dirty`, pages go to MkDocs as files in the cache, each rewritten only when its text
        # changed, so MkDocs' own dirty check rebuilds just those pages.
        if self.serving_dirty and self.pages_dir is None:
            self.pages_dir = Path(tempfile.mkdtemp(prefix="carepath_serve_"))  # beside MkDocs' own `mkdocs_*` site
        pages_dir = self.pages_dir
        for src_uri, markdown in self.site.generated(content).items():
            inclusion = InclusionLevel.INCLUDED if src_uri in self.placed.in_nav else InclusionLevel.NOT_IN_NAV
            if pages_dir is None:
                files.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
            else:
                path = pages_dir / src_uri
                # The page as this server last wrote it, compared in memory (a reused page is the very same string)
                # rather than by reading ~6,000 files back after each edit.
                if self.written.get(src_uri) != markdown:
                    write_if_changed(path, markdown.encode("utf-8"))
                    self.written[src_uri] = markdown
                files.append(File.generated(config, src_uri, abs_src_path=str(path), inclusion=inclusion))
        self.assets = self.site.placed_assets()
        for src_uri, data in self.assets.items():
            files.append(File.generated(config, src_uri, content=data))
        if self.serving_dirty:
            self._remove_vanished(files, Path(config.site_dir))
        if not self.serving:
            self.site.pages.clear()  # MkDocs' files hold them now (`on_page_markdown` lets go of each once read)
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> None:
        self.nav, self.files = nav, files  # for a quick rebuild (`on_post_build`)

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> None:
        self.env = env

    def _remove_vanished(self, files: Files, site_dir: Path) -> None:
        """MkDocs' `--dirty` never deletes: a page whose node was deleted (or renamed) would still answer. Its
        output goes, so it answers 404, and it leaves the search index (`on_post_build`)."""
        outputs = {f.abs_dest_path for f in files}
        sources = {f.abs_src_path for f in files if f.generated_by and f.abs_src_path}
        self.pages = {f.url for f in files.documentation_pages()}
        for gone in sorted((self.outputs or set()) - outputs):
            path = Path(gone)
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == site_dir or site_dir not in folder.parents or any(folder.iterdir()):
                    break
                folder.rmdir()
        for gone in sorted(self.sources - sources):  # its page in `pages_dir`
            Path(gone).unlink(missing_ok=True)
        kept = {f.src_uri for f in files if f.generated_by}
        self.written = {uri: text for uri, text in self.written.items() if uri in kept}
        self.outputs, self.sources = outputs, sources

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if page.file.generated_by and not self.serving:
            # A build reads each page once, and MkDocs keeps what it read (`page.markdown`): the file's whole text, a
            # second copy of every generated page until the build ends, raised its peak memory by ~30 MB at 1,000 nodes.
            page.file.content_string = ""
        if page.file.generated_by or self.broken:
            return markdown
        source, docs_name = page.file.content_string, Path(config.docs_dir).name
        resolved, problems = host.content_page(self.site, markdown, source, page.file.src_uri, docs_name)
        for p in problems:
            log.warning(str(p))
        return host.in_english(resolved, self.site)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Score the page's own HTML for the readability gate, as MkDocs made it, before the theme wraps it."""
        if self.settings.readability.enabled and not self.broken:
            if self.quick_running:
                self.to_score.append((page.file.src_uri, html, page.title))
            else:
                self.gate.score(page.file.src_uri, html, page.title)
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Each node page's JSON-LD, from its front matter, into its `<head>`: no theme template to copy; in a site
        of several editions, every page's links to its twins in the others; the edition's own language tag."""
        absent = self.site.absent if hasattr(self, "site") else {}
        return host.with_edition_lang(host.with_editions(host.with_jsonld(output, page.meta), page.url, self.settings, absent), self.settings.edition)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str | None:
        """The 404 page (a template, not a page) in its edition's language tag too."""
        return host.with_edition_lang(output_content, self.settings.edition) if template_name == "404.html" else output_content

    @event_priority(-100)  # after the search plugin has written its index, which `_fit_search_index` corrects
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The readability gate: a page above the grade limits is a warning, so `--strict` fails (as `check --strict` does)."""
        if self.serving:
            self._show_failure(Path(config.site_dir), self.broken)
        if self.broken:
            return
        for problem in self.gate.problems() if self.settings.readability.enabled else []:
            log.warning(str(problem))
        if self.serving_dirty and not self.finishing_quick:
            preview.fit_search_index(Path(config.site_dir) / "search" / "search_index.json", self.pages)
            self.snapshot = quick.Snapshot(config, self.files, self.nav, self.env, self.host_nav, self.content, self.inputs, self.leave_out)

    def _quick_rebuild(self) -> bool:
        """Under `serve --dirty`, an edit of the pathway data only: run the generator and re-render the pages whose text
        it changed, on the last full build's config, files and nav (`engines.mkdocs_quick`). False, with nothing done, when the
        edit needs MkDocs' full build: anything else changed, or pages or files came or went, or the nav's shape.

        Python's cyclic garbage collector is held off until the page is out: it walks the preview's whole heap (about
        1 GB at 3,000 nodes) several times an edit, a fifth of the generator's time; a collection follows the page."""
        self.settle()
        self.collecting = gc.isenabled()
        gc.disable()
        try:
            return self._quick()
        finally:
            if self.after is None and self.collecting:  # nothing left for after the page to collect
                gc.enable()

    def _quick(self) -> bool:
        snap, self.snapshot = self.snapshot, None
        if snap is None or self.settings.today != build_date() or not snap.still_fits(self.settings.pathway_dir):
            return False
        site_dir = Path(snap.config.site_dir)
        try:
            site = build_site_pages(self.settings, self.cache, self.parsed, store=False)
        except (PathwayError, DiagramError, ConfigError) as exc:
            report = exc.report() if isinstance(exc, PathwayError) else str(exc)
            log.error(report)
            self._show_failure(site_dir, report)
            self.snapshot = snap  # the site as last built still stands; the next good save is quick again
            return True
        placed = host.place(site, snap.content, snap.host_nav, self.settings.nav_section)
        generated, assets = site.generated(snap.content), site.placed_assets()
        if (
            generated.keys() != self.written.keys()
            or assets.keys() != self.assets.keys()
            or placed.in_nav != self.placed.in_nav
            or placed.stylesheets != self.placed.stylesheets
            or (placed.nav is not None and quick.retitle(snap.nav.items, placed.nav) is None)
        ):
            return False
        changed = {uri: snap.file(uri) for uri, markdown in generated.items() if self.written[uri] != markdown}
        pages = [f.page for f in changed.values() if f is not None and f.page is not None]
        if len(pages) != len(changed) or self.pages_dir is None:
            return False
        self.site, self.placed, self.broken = site, placed, None
        for warning in site.warnings:
            (log.info if warning.severity == "note" else log.warning)(str(warning))
        theme_changed = placed.theme_data != snap.config.extra.get("carepath")
        snap.config.extra["carepath"] = placed.theme_data
        for src_uri in changed:
            write_if_changed(self.pages_dir / src_uri, generated[src_uri].encode("utf-8"))
            self.written[src_uri] = generated[src_uri]
        for src_uri, data in assets.items():
            file = snap.file(src_uri)
            if self.assets[src_uri] != data and file is not None:
                file.content_bytes = data
                write_if_changed(Path(file.abs_dest_path), data)
        self.assets = assets
        self._new_gate()
        self.quick_running, self.to_score = True, []
        try:
            finish = quick.render_pages(snap, pages, theme_changed, self.to_score)
        finally:
            self.quick_running = False
        self._show_failure(site_dir, None)
        log.info(f"carepath: {len(pages)} page(s) of the edit rebuilt; the search index and the readability gate follow")
        self.snapshot = snap
        # The browser reloads once this returns; the search index and the readability gate's grades are not the page.
        self.after = threading.Thread(target=self._after_quick, args=(finish, self.to_score), name="carepath-after-edit", daemon=True)
        self.after.start()
        return True

    def _after_quick(self, finish: Callable[[], None], to_score: list[tuple[str, str, str | None]]) -> None:
        """What a quick rebuild leaves for after the browser has the pages: grade them, write the search index, the
        `post_build` events (the gate's warnings among them)."""
        self.finishing_quick = True
        try:
            for src_uri, html, title in to_score:
                self.gate.score(src_uri, html, title)
            finish()
        except Exception as exc:  # noqa: BLE001 - the pages are served; say what failed after them, the next save retries
            log.error(f"carepath: after the edit's pages, the search index or the readability gate failed: {exc}")
            self.snapshot = None
        finally:
            self.finishing_quick = False
            if self.collecting:
                gc.enable()
                gc.collect()

    def settle(self) -> None:
        """Wait for what the last quick rebuild left for after its pages (`_after_quick`)."""
        after, self.after = self.after, None
        if after is not None:
            after.join()

    def _show_failure(self, site_dir: Path, failure: str | None) -> None:
        self.failure = failure
        page = site_dir / preview.ERROR_PAGE
        if failure is None:
            page.unlink(missing_ok=True)
        else:
            write_if_changed(page, preview.error_page(failure).encode("utf-8"))

    def on_shutdown(self) -> None:
        self.settle()
        gate: ReadabilityGate | None = getattr(self, "gate", None)
        if gate is not None and gate.worker is not None:
            gate.worker.close()  # a build that failed before `on_post_build`
        if self.pool is not None:  # a build whose generator failed, before the gate took the pool
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.pages_dir is not None:
            shutil.rmtree(self.pages_dir, ignore_errors=True)
            self.pages_dir = None

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Watch the pathway data; show a failed build in the browser instead of leaving every request waiting."""
        server.watch(str(self.settings.pathway_dir))
        build = server.builder

        def build_or_show_the_error() -> None:
            # MkDocs' server waits for a build that succeeds before it answers any request, so after a failed one a
            # browser would wait until the fix. This build never fails: its error becomes the page every request gets.
            errors = _Errors()
            logging.getLogger("mkdocs").addHandler(errors)
            try:
                if not self._quick_rebuild():
                    build()
            except Exception as exc:  # noqa: BLE001 - any build error, as MkDocs' own loop catches it: printed and shown
                if not isinstance(exc, PluginError) and "mkdocs" not in type(exc).__module__:
                    traceback.print_exc()
                said = "\n".join(errors.messages)
                self._show_failure(Path(server.root), "\n".join(filter(None, [said, str(exc) if str(exc) not in said else ""])))
            finally:
                logging.getLogger("mkdocs").removeHandler(errors)

        server.builder = build_or_show_the_error
        server.set_app(preview.show_errors(server.get_app(), lambda: self.failure, server.mount_path))
        return server


class _Errors(logging.Handler):
    """The errors MkDocs logs during one build, for the error page."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
