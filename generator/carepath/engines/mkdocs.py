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
from carepath.build.cache import DEFAULT_DIR, Cache, cache_dir_for
from carepath.build.cached import PageScorer
from carepath.build.site import SiteOptions, SitePages, alias_clashes, build_site_pages, content_problems, url_clashes
from carepath.diagram.draw import DiagramError
from carepath.render.pages import NAV_MAX_PATHWAYS

log = logging.getLogger("mkdocs.plugins.carepath")


class ReadabilityConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Run the readability gate after each build (off only for test fixtures that are not patient text)."""
    max_grade = c.Type(float, default=8.0)
    """No page may score above this Flesch-Kincaid grade."""
    max_median = c.Type(float, default=7.0)
    """The median page grade may not exceed this."""


class CarepathConfig(base.Config):
    pathway_dir = c.Type(str, default="pathway")
    """Folder of pathway YAML files, relative to mkdocs.yml."""
    diagrams = c.Type(bool, default=True)
    """Draw decision-flow diagrams on pathway, stage and node pages."""
    nav_max_pathways = c.Type(int, default=NAV_MAX_PATHWAYS)
    """Up to this many pathways the nav lists each with its stages; beyond it, only the pathway index."""
    publisher = c.Optional(c.Type(str))
    """Who publishes the site, printed on every handout; `site_author` when not set."""
    content_version = c.Optional(c.Type(str))
    """The version of the content, printed on every handout beside the build date."""
    readability = c.SubConfig(ReadabilityConfig)
    cache_dir = c.Type(str, default=DEFAULT_DIR)
    """The build cache, relative to mkdocs.yml: safe to delete; an empty string turns it off."""


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
        self.root = Path(config.config_file_path or ".").resolve().parent
        self.pathway_dir = (self.root / self.config.pathway_dir).resolve()
        folder = cache_dir_for(self.root, self.config.cache_dir, Path(config.site_dir))
        if self.cache is None or self.cache.root != folder:
            self.cache = Cache(folder)
        if not self.serving_dirty or not hasattr(self, "scores"):
            self.scores = {}
        self.site: SitePages | None = None
        options = self._options(config)
        started = time.perf_counter()
        try:
            self.site = build_site_pages(options, self.cache)
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
        config.extra["carepath"] = self.site.theme_data(config.use_directory_urls)
        return config

    def _options(self, config: MkDocsConfig) -> SiteOptions:
        custom_dir = config.theme.custom_dir
        return SiteOptions(
            pathway_dir=self.pathway_dir,
            site_url=config.site_url,
            use_directory_urls=config.use_directory_urls,
            overrides_dir=Path(custom_dir) if custom_dir else None,
            diagrams=self.config.diagrams,
            nav_max_pathways=self.config.nav_max_pathways,
            site_name=config.site_name,
            publisher=self.config.publisher or config.site_author,
            content_version=self.config.content_version,
        )

    def _content_uris(self, config: MkDocsConfig) -> list[str]:
        docs = Path(config.docs_dir)
        return sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        content = [f.src_uri for f in files]
        generated = self.site.generated(content)
        clashes = url_clashes(list(generated), content, Path(config.docs_dir).name, config.use_directory_urls)
        clashes += [str(p) for p in alias_clashes(self.site.kb, content, Path(config.docs_dir).name, config.use_directory_urls)]
        if clashes:
            raise PluginError("\n".join(clashes))
        pages_dir = self._serve_pages_dir()
        for src_uri, markdown in generated.items():
            inclusion = InclusionLevel.INCLUDED if src_uri in self.site.in_nav else InclusionLevel.NOT_IN_NAV
            if pages_dir is None:
                files.append(File.generated(config, src_uri, content=markdown, inclusion=inclusion))
            else:
                path = _write_if_changed(pages_dir / src_uri, markdown.encode("utf-8"))
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
        if not self.config.readability.enabled:
            return html
        node_id = _node_of(page.file.src_uri, self.site)
        if node_id is not None:
            path = page_path(Path(config.site_dir), node_id, config.use_directory_urls).as_posix()
            self.scores[node_id] = self.scorer.score(_as_article(html, page), node_id, path)
        return html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The readability gate: a page above the grade limits is a warning, so `--strict` fails."""
        assert self.site is not None
        if not self.config.readability.enabled:
            return
        scored = [self.scores[n] for n in sorted(self.site.kb.nodes) if n in self.scores]
        missing = [n for n in sorted(self.site.kb.nodes) if n not in self.scores]
        report = Report(scored, self.config.readability.max_grade, self.config.readability.max_median, missing)
        for line in report.failures:
            log.warning(f"readability: {line}")

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.pathway_dir))
        return server


def _node_of(src_uri: str, site: SitePages) -> str | None:
    node_id = src_uri.removesuffix(".md")
    return node_id if node_id in site.kb.nodes and links.node_uri(node_id) == src_uri else None


def _as_article(html: str, page: Page) -> str:
    """The page's HTML inside the article Material wraps it in, with the `<h1>` Material adds when it has none."""
    title = "" if "<h1" in html else f"<h1>{escape(page.title or '', quote=False)}</h1>"
    return f'<article class="md-content__inner md-typeset">{title}{html}</article>'


def _write_if_changed(path: Path, data: bytes) -> Path:
    """Write `data` to `path` unless it already holds exactly that, so its mtime says when it last changed."""
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def _front_matter_lines(source: str, markdown: str) -> int:
    """How many lines MkDocs cut from the top of a page (its YAML front matter) before `on_page_markdown`.

    Problems name lines of the file as the author sees it. If another plugin has already rewritten the
    Markdown, the count is unknown and 0 is used.
    """
    if not markdown or not source.endswith(markdown):
        return 0
    return source[: len(source) - len(markdown)].count("\n")
