"""The MkDocs plugin, a dispatcher: read its options, hand each event to a MkDocs-free module, apply the
answers to MkDocs' config and files, report problems MkDocs' way.

The core builds the pages (`build.site`); `engines.host` decides what a host Material site must give them
and where they go; `audit.gate` grades them. `python -m carepath render` goes through the same modules.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from carepath import PathwayError
from carepath import urls as links
from carepath.audit.gate import PageScorer, ReadabilityGate
from carepath.audit.readability import PageScore
from carepath.build.cache import Cache, site_cache
from carepath.build.site import SitePages, build_site_pages
from carepath.build.write import write_if_changed
from carepath.diagram.errors import DiagramError
from carepath.engines import host
from carepath.publish.search import search_fields
from carepath.settings import PATHWAY_DIR, ConfigError, Readability, Settings

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


class CarepathPlugin(BasePlugin[CarepathConfig]):
    serving_dirty = False
    """Under `mkdocs serve --dirty`: MkDocs re-renders only the pages whose files changed."""
    cache: Cache | None = None
    scores: dict[str, PageScore]
    """Readability scores by node id; under `serve --dirty`, kept for the pages MkDocs did not re-render."""

    # Having `on_startup` makes MkDocs keep this one instance for every rebuild of `mkdocs serve`, so the
    # cache's memory and the last readability scores carry over from edit to edit.
    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.serving_dirty = command == "serve" and dirty
        self.cache = None
        self.scores = {}

    @event_priority(100)  # before Material's search plugin fills in its own weights for the fields the site left out
    def _fit_search(self, config: MkDocsConfig) -> None:
        search = config.plugins.get("material/search")
        fields = getattr(getattr(search, "config", None), "fields", None)
        if isinstance(fields, dict):
            fields.update(search_fields(fields))

    def _on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        try:
            self.settings = settings = Settings.from_mkdocs_config(config, self.config)
            cache = site_cache(settings, Path(config.config_file_path or "mkdocs.yml"), Path(config.site_dir), log.info)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        # An unusable cache is said at info level: the site is the same without it, so a strict build goes on.
        if self.cache is None or self.cache.root != cache.root:
            self.cache = cache
        if not self.serving_dirty or not hasattr(self, "scores"):
            self.scores = {}
        self._fit(host.fit_theme(config.markdown_extensions, config.theme.name, config.theme["font"]), config)
        started = time.perf_counter()
        try:
            self.site: SitePages = build_site_pages(settings, self.cache)
        except PathwayError as exc:
            raise PluginError(exc.report()) from None
        except DiagramError as exc:
            raise PluginError(str(exc)) from None
        log.debug(f"carepath: generator {time.perf_counter() - started:.2f} s")
        for warning in self.site.warnings:
            (log.info if warning.severity == "note" else log.warning)(str(warning))
        docs = Path(config.docs_dir)
        content = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
        self.placed = host.place(self.site, content, config.nav, settings.nav_section)
        config.extra_css.extend(u for u in self.placed.stylesheets if u not in config.extra_css)
        config.nav = config.nav if self.placed.nav is None else self.placed.nav
        config.extra["carepath"] = self.placed.theme_data  # the 404 page is no Markdown page: it reads the emergency signs here
        scorer = PageScorer(self.cache, self.site.kb)
        self.gate = ReadabilityGate(scorer, self.site.kb, settings, self.scores)
        return config

    on_config = CombinedEvent(_fit_search, _on_config)

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
        content = [f.src_uri for f in files]
        clashes = host.site_clashes(self.site, content, Path(config.docs_dir).name)
        if clashes:
            raise PluginError("\n".join(clashes))
        for problem in host.vanished_urls(self.site, content):
            log.warning(str(problem))  # a published URL that no longer answers fails a strict build
        # Under `serve --dirty`, pages go to MkDocs as files in the cache, each rewritten only when its text
        # changed, so MkDocs' own dirty check rebuilds just those pages.
        pages_dir = self.cache.root / "serve-pages" if self.serving_dirty and self.cache and self.cache.root else None
        for src_uri, markdown in self.site.generated(content).items():
            inclusion = InclusionLevel.INCLUDED if src_uri in self.placed.in_nav else InclusionLevel.NOT_IN_NAV
            if pages_dir is None:
                files.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
            else:
                path = pages_dir / src_uri
                write_if_changed(path, markdown.encode("utf-8"))
                files.append(File.generated(config, src_uri, abs_src_path=str(path), inclusion=inclusion))
        for src_uri, data in self.site.placed_assets().items():
            files.append(File.generated(config, src_uri, content=data))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if page.file.generated_by:
            return markdown
        source, docs_name = page.file.content_string, Path(config.docs_dir).name
        resolved, problems = host.content_page(self.site, markdown, source, page.file.src_uri, docs_name)
        for p in problems:
            log.warning(str(p))
        return resolved

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Score the page's own HTML for the readability gate, as MkDocs made it, before the theme wraps it."""
        if self.settings.readability.enabled:
            self.gate.score(page.file.src_uri, html, page.title)
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Each node page's JSON-LD, from its front matter, into its `<head>`: no theme template to copy."""
        return host.with_jsonld(output, page.meta)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The readability gate: a page above the grade limits is a warning, so `--strict` fails (as `check --strict` does)."""
        for problem in self.gate.problems() if self.settings.readability.enabled else []:
            log.warning(str(problem))

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.settings.pathway_dir))
        return server
