"""`render` (a plain docs folder any stock MkDocs can build) and `build` (the site, replaced atomically)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .config import read_config
from .model import Position
from .problems import PathwayError, Problem
from .render import NAV_MAX_PATHWAYS
from .site import SiteOptions, build_site_pages, content_problems, url_clashes


def render_docs(mkdocs_yml: Path, out: Path) -> dict[str, Any]:
    """Write hand-written and generated pages into `out`; return a stock MkDocs config for them.

    Nothing is written unless the pathway and every `node:` link are valid.
    """
    cfg = read_config(mkdocs_yml)
    site = build_site_pages(
        SiteOptions(
            cfg.pathway_dir,
            cfg.site_url,
            cfg.use_directory_urls,
            cfg.custom_dir,
            bool(cfg.plugin.get("diagrams", True)),
            int(cfg.plugin.get("nav_max_pathways", NAV_MAX_PATHWAYS)),
            str(cfg.raw.get("site_name") or "Carepath"),
        )
    )
    content: dict[str, bytes] = {}
    problems = []
    for path in sorted(p for p in cfg.docs_dir.rglob("*") if p.is_file()):
        uri = path.relative_to(cfg.docs_dir).as_posix()
        if path.suffix == ".md":
            text, found = content_problems(path.read_text(encoding="utf-8"), uri, site.kb, f"{cfg.docs_dir.name}/{uri}")
            problems += found
            content[uri] = text.encode("utf-8")
        else:
            content[uri] = path.read_bytes()
    if problems:
        raise PathwayError(problems)
    pages = site.generated(list(content))
    clashes = url_clashes(list(pages), list(content), cfg.docs_dir.name, cfg.use_directory_urls)
    if clashes:
        raise PathwayError([Problem(Position(f"{cfg.docs_dir.name}/", 1, 1), c) for c in clashes])
    out.mkdir(parents=True, exist_ok=True)
    for uri, data in content.items():
        _write(out / uri, data)
    for uri, text in pages.items():
        _write(out / uri, text.encode("utf-8"))
    for uri, data in site.assets.items():
        _write(out / uri, data)

    config = {k: v for k, v in cfg.raw.items() if k not in ("plugins", "docs_dir", "site_dir", "nav")}
    plugins = [p for p in cfg.raw.get("plugins") or [] if not (isinstance(p, dict) and "carepath" in p) and p != "carepath"]
    config["plugins"] = plugins
    config["nav"] = site.nav(sorted(u for u in content if u.endswith(".md")))
    config["not_in_nav"] = "\n".join(f"/{u}" for u in sorted(pages) if u not in site.in_nav)
    config["extra_css"] = list(config.get("extra_css") or []) + [u for u in site.assets if u.endswith(".css")]
    theme = dict(config.get("theme") or {})
    theme.pop("custom_dir", None)
    if cfg.custom_dir and cfg.custom_dir.is_dir():
        theme["custom_dir"] = str(cfg.custom_dir)
    config["theme"] = theme
    return config


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _cmd_render(args: argparse.Namespace) -> int:
    out = Path(args.out)
    config = render_docs(Path(args.config), out)
    if args.mkdocs_yml:
        target = Path(args.mkdocs_yml)
        config["docs_dir"] = os.path.relpath(out.resolve(), target.resolve().parent)
        target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"rendered the docs folder into {out}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    """Build into a temporary folder beside the site and swap it in only when the build succeeds."""
    site_dir = Path(args.site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-building-", dir=site_dir.parent))
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch(Path(args.config).resolve().parent))
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--config-file", args.config, "--site-dir", str(tmp)]
    # --quiet is ours, not MkDocs': MkDocs' own --quiet drops warnings before strict mode counts them.
    result = subprocess.run(cmd, env=env, capture_output=args.quiet, text=True, check=False)
    if result.returncode != 0:
        if args.quiet:
            sys.stderr.write(result.stdout + result.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"build failed; {site_dir} was left as it was", file=sys.stderr)
        return 1
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
        site_dir.rename(old)
    tmp.rename(site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    print(f"built the site into {site_dir}")
    return 0


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
    p.add_argument("--mkdocs-yml", help="also write a stock mkdocs.yml (no Carepath plugin) for the rendered folder")
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser("build", help="build the site with MkDocs; the old site is replaced only on success")
    p.add_argument("--site-dir", default="site")
    p.add_argument("--config", default="mkdocs.yml")
    p.add_argument("--quiet", action="store_true", help="print MkDocs' output only when the build fails")
    p.set_defaults(func=_cmd_build)
