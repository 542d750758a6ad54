"""Read the settings Carepath needs from `mkdocs.yml` without importing MkDocs.

MkDocs configs use tags such as `!ENV`; they are resolved the way MkDocs resolves them, and any
other tag is read as plain data, so the core keeps working after MkDocs is gone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


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


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    docs_dir: Path
    pathway_dir: Path
    site_url: str | None = None
    use_directory_urls: bool = True
    custom_dir: Path | None = None
    plugin: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


class ConfigError(Exception):
    """`mkdocs.yml` cannot be read; the message names the file (and line when known)."""


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


def read_config(mkdocs_yml: Path) -> ProjectConfig:
    data = load_mkdocs_yml(mkdocs_yml)
    root = mkdocs_yml.resolve().parent
    plugin: dict[str, Any] = {}
    for entry in data.get("plugins") or []:
        if isinstance(entry, dict) and "carepath" in entry:
            plugin = entry["carepath"] or {}
    theme = data.get("theme") or {}
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return ProjectConfig(
        root=root,
        docs_dir=root / data.get("docs_dir", "docs"),
        pathway_dir=root / plugin.get("pathway_dir", "pathway"),
        site_url=data.get("site_url") or None,
        use_directory_urls=bool(data.get("use_directory_urls", True)),
        custom_dir=root / custom if custom else None,
        plugin=plugin,
        raw=data,
    )
