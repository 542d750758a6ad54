"""Every string a reader sees, looked up by key in one catalogue per language. No other module holds reader-facing
English: templates call `w("key")`, Python code `words.get("key")`, the theme and scripts read what the build hands them.

A catalogue is a YAML file beside this module (`en.yml`), nested mappings whose leaves are strings; keys are the
dotted paths to them (`kind.indicator.title`). `{name}` in a string is filled from the keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

DEFAULT_LANGUAGE = "en"


class WordsError(Exception):
    """A catalogue is broken, or code asked for a key it lacks: a bug in Carepath, said in one line."""


@dataclass(frozen=True)
class Words:
    language: str
    entries: dict[str, str]

    def get(self, key: str, **params: Any) -> str:
        try:
            text = self.entries[key]
        except KeyError:
            raise WordsError(f"words/{self.language}.yml: no entry '{key}'") from None
        return text.format(**params) if params else text

    def __call__(self, key: str, **params: Any) -> str:
        return self.get(key, **params)

    def has(self, key: str) -> bool:
        return key in self.entries


def _flatten(data: Any, prefix: str, out: dict[str, str], where: str) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, where)
    elif isinstance(data, str):
        out[prefix] = data
    else:
        raise WordsError(f"{where}: '{prefix}' must be text, not {type(data).__name__}")


@cache
def words(language: str = DEFAULT_LANGUAGE) -> Words:
    """The catalogue of `language`, read once."""
    where = f"words/{language}.yml"
    try:
        text = resources.files("carepath").joinpath("words", f"{language}.yml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WordsError(f"{where}: no catalogue for language '{language}'") from None
    out: dict[str, str] = {}
    _flatten(yaml.safe_load(text) or {}, "", out, where)
    return Words(language, out)
