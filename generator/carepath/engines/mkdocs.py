"""MkDocs glue only: read the plugin config, hand the work to the core, report problems MkDocs' way.

Everything else lives in MkDocs-free modules, so `python -m carepath render` builds the same pages.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from carepath import PathwayError
from carepath import urls as links
from carepath.audit.readability import PageScore, Report, page_path
from carepath.build.cache import Cache, cache_dir_for
from carepath.build.cached import PageScorer
from carepath.build.site import SitePages, alias_clashes, build_site_pages, content_problems, file_clashes, url_clashes
from carepath.build.write import write_if_changed
from carepath.diagram.draw import DiagramError
from carepath.settings import PATHWAY_DIR, Readability, Settings

log = logging.getLogger("mkdocs.plugins.carepath")


# MkDocs' validation schema of the options; what each means, and its default, is in `carepath.settings`.


class ReadabilityConfig(base.Config):
    enabled = c.Type(bool, default=Readability.enabled)
    # Whole numbers too: `max_grade: 8` is how people write it (and how the README states the default).
    max_grade = c.Type((int, float), default=Readability.max_grade)
    max_median = c.Type((int, float), default=Readability.max_median)


class CarepathConfig(base.Config):
    pathway_dir = c.Type(str, default=PATHWAY_DIR)
    diagrams = c.Type(bool, default=Settings.diagrams)
    nav_max_pathways = c.Type(int, default=Settings.nav_max_pathways)
    publisher = c.Optional(c.Type(str))
    content_version = c.Optional(c.Type(str))
    readability = c.SubConfig(ReadabilityConfig)
    cache_dir = c.Type(str, default=Settings.cache_dir)


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

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.settings = Settings.from_mkdocs_config(config, self.config)
        assert self.settings.root is not None
        folder = cache_dir_for(self.settings.root, self.settings.cache_dir, Path(config.site_dir))
        if self.cache is None or self.cache.root != folder:
            self.cache = Cache(folder)
        if not self.serving_dirty or not hasattr(self, "scores"):
            self.scores = {}
        self.site: SitePages | None = None
        started = time.perf_counter()
        try:
            self.site = build_site_pages(self.settings, self.cache)
        except PathwayError as exc:
            raise PluginError(exc.report()) from None
        except DiagramError as exc:
            raise PluginError(str(exc)) from None
        log.debug(f"carepath: generator {time.perf_counter() - started:.2f} s")
        self.scorer = PageScorer(self.cache, self.site.kb.glossary)
        for warning in self.site.warnings:
            (log.info if warning.severity == "note" else log.warning)(str(warning))
        for src_uri in self.site.assets:
            if src_uri.endswith(".css") and src_uri not in config.extra_css:
                config.extra_css.append(src_uri)
        if config.nav is None:
            config.nav = self.site.nav(self._content_uris(config))
        # The theme's 404 page is no Markdown page: it reads the emergency signs from here.
        config.extra["carepath"] = self.site.theme_data()
        return config

    def _content_uris(self, config: MkDocsConfig) -> list[str]:
        docs = Path(config.docs_dir)
        return sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        content = [f.src_uri for f in files]
        generated = self.site.generated(content)
        clashes = url_clashes(list(generated), content, Path(config.docs_dir).name, self.settings.urls)
        clashes += file_clashes(self.site.plan, content, Path(config.docs_dir).name)
        clashes += [str(p) for p in alias_clashes(self.site.kb, content, Path(config.docs_dir).name, self.settings.urls)]
        if clashes:
            raise PluginError("\n".join(clashes))
        pages_dir = self._serve_pages_dir()
        for src_uri, markdown in generated.items():
            inclusion = InclusionLevel.INCLUDED if src_uri in self.site.in_nav else InclusionLevel.NOT_IN_NAV
            if pages_dir is None:
                files.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
            else:
                path = pages_dir / src_uri
                write_if_changed(path, markdown.encode("utf-8"))
                files.append(File.generated(config, src_uri, abs_src_path=str(path), inclusion=inclusion))
        for src_uri, data in self.site.assets.items():
            files.append(File.generated(config, src_uri, content=data))
        return files

    def _serve_pages_dir(self) -> Path | None:
        """Under `mkdocs serve --dirty`, generated pages are handed to MkDocs as files in the cache, each
        rewritten only when its text changed, so MkDocs' own dirty check rebuilds just those pages."""
        if not self.serving_dirty or self.cache is None or self.cache.root is None:
            return None
        return self.cache.root / "serve-pages"

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        assert self.site is not None
        if page.file.generated_by:
            return markdown
        path = f"{Path(config.docs_dir).name}/{page.file.src_uri}"
        resolved, problems = content_problems(markdown, page.file.src_uri, self.site.kb, path)
        cut = _front_matter_lines(page.file.content_string, markdown) if problems else 0
        for p in problems:
            log.warning(str(replace(p, position=replace(p.position, line=p.position.line + cut))))
        return resolved

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Score the page's own HTML for the readability gate, as MkDocs made it, before the theme wraps it."""
        assert self.site is not None and self.cache is not None
        if not self.settings.readability.enabled:
            return html
        node_id = _node_of(page.file.src_uri, self.site)
        if node_id is not None:
            path = page_path(Path(config.site_dir), node_id, self.settings.urls).as_posix()
            self.scores[node_id] = self.scorer.score(_as_article(html, page), node_id, path)
        return html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The readability gate: a page above the grade limits is a warning, so `--strict` fails."""
        assert self.site is not None
        if not self.settings.readability.enabled:
            return
        scored = [self.scores[n] for n in sorted(self.site.kb.nodes) if n in self.scores]
        missing = [n for n in sorted(self.site.kb.nodes) if n not in self.scores]
        report = Report(scored, self.settings.readability.max_grade, self.settings.readability.max_median, missing)
        for line in report.failures:
            log.warning(f"readability: {line}")

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.settings.pathway_dir))
        return server


def _node_of(src_uri: str, site: SitePages) -> str | None:
    node_id = src_uri.removesuffix(".md")
    return node_id if node_id in site.kb.nodes and links.node_uri(node_id) == src_uri else None


def _as_article(html: str, page: Page) -> str:
    """The page's HTML inside the article Material wraps it in, with the `<h1>` Material adds when it has none."""
    title = "" if "<h1" in html else f"<h1>{escape(page.title or '', quote=False)}</h1>"
    return f'<article class="md-content__inner md-typeset">{title}{html}</article>'


def _front_matter_lines(source: str, markdown: str) -> int:
    """How many lines MkDocs cut from the top of a page (its YAML front matter) before `on_page_markdown`.

    Problems name lines of the file as the author sees it. If another plugin has already rewritten the
    Markdown, the count is unknown and 0 is used.
    """
    if not markdown or not source.endswith(markdown):
        return 0
    return source[: len(source) - len(markdown)].count("\n")
