"""Every string a reader sees, looked up by key in one catalogue per language. No other module holds reader-facing
English: templates call `w("key")`, Python code `words.get("key")`, the theme and scripts read what the build hands them.

A catalogue is a YAML file beside this module (`en.yml`), nested mappings whose leaves are strings; keys are the
dotted paths to them (`kind.indicator.title`). `{name}` in a string is filled from the keyword arguments, which the
caller has already escaped for where the text lands. A string with `count` chooses its plural form: `one` or
`other` under its key. A regional edition (`en-GB.yml`) holds only what differs from its language's catalogue, and
its locale profile: the `routes:` section (how to get help at each urgency: words, number, place), which only an
edition has, so a page never says another country's emergency number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

DEFAULT_LANGUAGE = "en"

DEFAULT_EDITION = "en-US"
"""The edition a site is built as unless it picks another (the plugin's `edition` option)."""

PROFILE_SECTIONS = ("routes.", "edition.")
"""Keys only an edition's catalogue holds, each edition all of them: its locale profile and its own name."""

PLURAL_RULES: dict[str, Callable[[int], str]] = {
    "en": lambda n: "one" if n == 1 else "other",
    "es": lambda n: "one" if n == 1 else "other",
}
"""Language -> the plural form a count takes (CLDR's category names). A new language adds its rule here."""


class WordsError(Exception):
    """A catalogue is broken, or code asked for a key it lacks: a bug in Carepath, said in one line."""


@dataclass(frozen=True)
class Words:
    language: str
    entries: dict[str, str]

    @property
    def where(self) -> str:
        return f"carepath/words/{self.language}.yml"

    def _where(self, key: str) -> str:
        """The catalogue an entry belongs in: its edition's for a profile key, else its language's."""
        return self.where if key.startswith(PROFILE_SECTIONS) else f"carepath/words/{self.language.split('-')[0]}.yml"

    def get(self, key: str, count: int | None = None, **params: Any) -> str:
        """The text at `key`, with `{name}` filled from `params`; with `count`, its `one` or `other` form."""
        if count is not None:
            key = f"{key}.{plural_form(self.language, count)}"
            params["count"] = count
        try:
            text = self.entries[key]
        except KeyError:
            raise WordsError(f"{self._where(key)}: no entry '{key}'") from None
        if not params:
            return text
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError) as exc:
            raise WordsError(f"{self._where(key)}: entry '{key}' cannot be filled from {sorted(params)}: {exc!r}") from None

    def __call__(self, key: str, count: int | None = None, **params: Any) -> str:
        return self.get(key, count, **params)

    def has(self, key: str) -> bool:
        return key in self.entries

    def action(self, urgency: str, extra: str | None = None) -> str:
        """What to do for a sign of `urgency`: the edition's route for it (`routes.<urgency>`), then the sign's own
        `extra` steps, which never hold a number or a place (AUTHORING.md, "Editions")."""
        route = self.get(f"routes.{urgency}")
        return f"{route} {extra}" if extra else route


@cache
def editions() -> list[str]:
    """The editions Carepath ships: every regional catalogue beside `en.yml` (`en-GB`, `en-US`), and every other
    language's catalogue that holds a profile of its own (`es`: a language edition, AUTHORING.md "Languages")."""
    folder = resources.files("carepath").joinpath("words")
    names = sorted(f.name[: -len(".yml")] for f in folder.iterdir() if f.name.endswith(".yml"))
    return [n for n in names if "-" in n or (n != DEFAULT_LANGUAGE and "edition.name" in _read(n))]


def languages() -> list[str]:
    """Every language Carepath has a catalogue of (`en`, `es`): what a translation file (`<file>.<lang>.yml`) may be in."""
    folder = resources.files("carepath").joinpath("words")
    return sorted(f.name[: -len(".yml")] for f in folder.iterdir() if f.name.endswith(".yml") and "-" not in f.name)


def language_of(edition: str) -> str:
    """The language an edition is written in: `en` for `en-GB`, `es` for `es`."""
    return edition.split("-")[0]


def plural_form(language: str, count: int) -> str:
    """`one` or `other` (or another CLDR category) for `count` in `language`; a region follows its language."""
    rule = PLURAL_RULES.get(language) or PLURAL_RULES.get(language.split("-")[0])
    if rule is None:
        raise WordsError(f"carepath/words: no plural rule for language '{language}'")
    return rule(count)


def _flatten(data: Any, prefix: str, out: dict[str, str], where: str) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                # YAML reads a bare `yes`, `no`, `on` or `off` as true or false: quote such a key.
                raise WordsError(f"{where}: key {key!r} under '{prefix}' must be text; quote it")
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, where)
    elif isinstance(data, str):
        out[prefix] = data
    else:
        raise WordsError(f"{where}: '{prefix}' must be text, not {type(data).__name__}")


def _read(language: str) -> dict[str, str]:
    where = f"carepath/words/{language}.yml"
    try:
        text = resources.files("carepath").joinpath("words", f"{language}.yml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WordsError(f"{where}: no catalogue for language '{language}'") from None
    return parse_catalogue(text, where)


def parse_catalogue(text: str, where: str) -> dict[str, str]:
    """A catalogue's YAML as `{dotted key: text}`; `where` names the file in errors."""
    out: dict[str, str] = {}
    _flatten(yaml.safe_load(text) or {}, "", out, where)
    return out


@cache
def words(language: str = DEFAULT_LANGUAGE) -> Words:
    """The catalogue of `language`, read once. `en-GB` is `en` with `en-GB.yml`'s entries in place of its own, and
    its profile (`routes:`), which the language's catalogue does not hold."""
    base, _, region = language.partition("-")
    if not region:
        entries = _read(language)
        profile = sorted(k for k in entries if k.startswith(PROFILE_SECTIONS))
        if profile and language == DEFAULT_LANGUAGE:
            raise WordsError(f"carepath/words/{language}.yml: '{profile[0]}' belongs in each edition's catalogue ({language}-XX.yml), not the language's")
        if profile:
            # Another language's catalogue with a profile is an edition of its own (`es`): every entry English has,
            # translated, and no other, so a page never falls back to English words or says what nothing uses.
            english = _read(DEFAULT_LANGUAGE)
            missing = sorted(k for k in english if k not in entries)
            extra = sorted(k for k in entries if k not in english and not k.startswith(PROFILE_SECTIONS))
            if missing:
                raise WordsError(f"carepath/words/{language}.yml: no entry '{missing[0]}', which en.yml has")
            if extra:
                raise WordsError(f"carepath/words/{language}.yml: '{extra[0]}' is not in en.yml, so nothing uses it")
        return Words(language, entries)
    entries = dict(words(base).entries)
    for key, text in _read(language).items():
        if key not in entries and not key.startswith(PROFILE_SECTIONS):
            raise WordsError(f"carepath/words/{language}.yml: '{key}' is not in {base}.yml, so nothing uses it")
        entries[key] = text
    return Words(language, entries)
