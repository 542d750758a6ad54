"""`carepath translations`: each language's counts, every untranslated and stale text, and a skeleton for translators."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from carepath import load_knowledge_base
from carepath.build.write import write_file
from carepath.problems import PathwayError
from carepath.settings import PATHWAY_DIR, site_settings
from carepath.translation import (
    Translation,
    counts_text,
    edition_nodes,
    edition_pathways,
    field_states,
    load_translations,
    skeleton,
)
from carepath.words import DEFAULT_LANGUAGE, languages


def _cmd_translations(args: argparse.Namespace) -> int:
    pathway_dir = Path(args.dir)
    settings = site_settings(pathway_dir, args.config)
    kb, _ = load_knowledge_base(pathway_dir, settings.today)
    translations, problems = load_translations(pathway_dir, kb)
    if any(p.severity == "error" for p in problems):
        raise PathwayError(problems)
    language = args.lang
    if language not in languages() or language == DEFAULT_LANGUAGE:
        print(f"--lang: no catalogue for {language!r}; translations are into {', '.join(x for x in languages() if x != DEFAULT_LANGUAGE)}", file=sys.stderr)
        return 1
    translation = translations.get(language) or Translation(language)
    if args.write_skeleton:
        return _write_skeletons(kb, translation, pathway_dir, language, args.pathway)
    states = list(field_states(kb, translation))
    for s in states:
        if s.status != "translated" and (args.missing or s.safety):
            tag = "safety, " if s.safety else ""
            print(f"{s.position}: {tag}{s.status}: {s.message(language)}")
    print(f"{language}: {counts_text(states)}")
    return 0


def _write_skeletons(kb: Any, translation: Translation, pathway_dir: Path, language: str, pathway: str | None) -> int:
    """Each English file the edition's nodes are written in gets its translation file, missing entries added with the
    English to translate and its hash; what a translator wrote is kept."""
    if pathway:
        if pathway not in kb.nodes:
            print(f"--pathway: no pathway {pathway!r}", file=sys.stderr)
            return 1
        folder = kb.positions[pathway].path.rsplit("/", 1)[0]
        translation.folders.add(folder)
    if not edition_nodes(kb, translation):
        print(f"no pathway is translated into {language!r} yet: name one with --pathway to start its files", file=sys.stderr)
        return 1
    english_files = sorted({kb.positions[n].path for n in edition_nodes(kb, translation)})
    glossaries = sorted({w.path for w in kb.glossary_positions if kb.scope_at(w) in (None, *edition_pathways(kb, translation))})
    base = pathway_dir.resolve().parent
    for english in english_files + [g for g in glossaries if g not in english_files]:
        data = skeleton(kb, translation, english, language)
        stem, _, ext = english.rpartition(".")
        target = base / f"{stem}.{language}.{ext}"
        write_file(target, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120))
        print(f"wrote {target.relative_to(base).as_posix()}")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("translations", help="list what is untranslated or stale in a language; write skeleton translation files")
    p.add_argument("dir", nargs="?", default=PATHWAY_DIR, help=f"the pathway folder (default: {PATHWAY_DIR})")
    p.add_argument("--lang", required=True, help="the language, such as es")
    p.add_argument("--missing", action="store_true", help="list every untranslated and stale text, not only the safety texts")
    p.add_argument("--write-skeleton", action="store_true", help="add the missing entries to each translation file (the English as the text to translate, and its hash)")
    p.add_argument("--pathway", help="with --write-skeleton: start the translation of this pathway")
    p.add_argument("--config", help="the site's mkdocs.yml (default: the one beside the folder)")
    p.set_defaults(func=_cmd_translations)
