"""The Material partials the plugin's theme folder overrides still match Material's, but for Carepath's change."""

from __future__ import annotations

import re
from importlib import resources

from carepath.engines import host

OURS = host.theme_dir() / "partials" / "search.html"


def material_partial(name: str) -> str:
    return resources.files("material").joinpath("templates", "partials", name).read_text(encoding="utf-8")


def without_comments(template: str) -> str:
    """The template without its leading `{#- ... -#}` comment (Material's "generated" note, Carepath's why)."""
    assert template.startswith("{#-")
    return template[template.index("-#}\n") + len("-#}\n") :]


def test_search_partial_is_materials_with_a_named_dialog() -> None:
    """axe's aria-dialog-name (and so Lighthouse) needs the search dialog named; nothing else may differ,
    so a Material upgrade that changes its partial fails here instead of shipping a stale copy."""
    dialog = '<div class="md-search" data-md-component="search" role="dialog"'
    named = dialog + " aria-label=\"{{ lang.t('search') }}\""
    ours = without_comments(OURS.read_text(encoding="utf-8"))
    assert ours.count(named + ">") == 1
    assert ours.replace(named, dialog) == without_comments(material_partial("search.html"))


def test_no_theme_template_calls_a_python_method_zensicals_engine_lacks() -> None:
    """`render`'s folder is also built by Zensical, whose template engine has no `dict.get()` (its 404 page failed so)."""
    theme = host.theme_dir()
    calls = {p.relative_to(theme).as_posix(): re.findall(r"\.(get|items|keys|values)\(", p.read_text(encoding="utf-8")) for p in theme.rglob("*.html")}
    assert len(calls) >= 3
    assert {name: found for name, found in calls.items() if found} == {}
