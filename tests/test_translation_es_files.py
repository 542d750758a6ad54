"""The shipped Spanish translation files (`pathway/**/<file>.es.yml`), read as YAML against the English beside them:
the fixed format, every `en` hash current, every list as long as the English one, the safety text of every node the
carpal tunnel pathway reaches translated, no emergency number or route phrase, `node:` links unchanged. Nothing is
copied from the YAML: the nodes come from the graph the carepath loader builds, the hashes from the English files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from carepath import check_pathway
from carepath.validate.routes import literal_routes

ROOT = Path(__file__).resolve().parent.parent
PATHWAY_DIR = ROOT / "pathway"
PATHWAY = "carpal-tunnel-care"
LANG = "es"

SCALARS = ("title", "summary", "body", "action", "how_it_helps", "what_to_expect", "relief_duration", "if_you_wait", "when_to_move_on", "outlook")
LISTS = ("synonyms", "risks", "questions", "signs_not_working", "symptoms", "self_care")
NODE_SECTIONS = ("pathways", "stages", "conditions", "treatments", "indicators")
SAFETY = ("title", "summary", "body", "action")
"""An indicator's fields a reader must be able to read in their language (with every `get_help_if` item)."""

SPANISH_ROUTES = re.compile(
    r"(?<!\w)(?:sala de emergencias?|servicio de urgencias|urgencias|atención (?:de )?urgen(?:te|cia)|centro de atención urgente"
    r"|ambulancia|línea de crisis|línea (?:de )?(?:prevención del )?suicidio)(?!\w)",
    re.IGNORECASE,
)
"""Places and services to get help at, as Spanish names them; the edition's locale profile supplies them."""
NODE_LINK = re.compile(r"\]\(node:([^)\s]+)\)")


def english_hash(value: object) -> str:
    """The hash a translated value carries of the English it translates: whitespace collapsed, sha256, 12 hex digits."""
    return hashlib.sha256(" ".join(str(value).split()).encode()).hexdigest()[:12]


def translation_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"*.{LANG}.yml"))


def english_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(f".{LANG}.yml") + ".yml")


def translation_of(english: Path) -> Path:
    return english.with_name(f"{english.stem}.{LANG}.yml")


class Checker:
    """Every way one translation file breaks the format against the English beside it, as 'file: where: what'."""

    def __init__(self, path: Path) -> None:
        self.rel = path.relative_to(path.parents[2]).as_posix() if len(path.parents) > 2 else path.name
        self.problems: list[str] = []
        self.texts: list[tuple[str, str, str]] = []
        """(where, Spanish text, English text) of every translated value."""
        self.path = path

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.rel}: {where}: {what}")

    def value(self, where: str, es: Any, en: Any) -> None:
        """One translated value `{text, en}` against the English value it translates."""
        if en is None:
            self.problem(where, "translates nothing: the English has no such value")
        elif not isinstance(es, dict) or set(es) != {"text", "en"} or not isinstance(es["text"], str) or not es["text"].strip():
            self.problem(where, f"should be {{text: <translation>, en: <hash>}}, not {es!r}")
        elif str(es["en"]) != english_hash(en):
            self.problem(where, f"stale: 'en' is {es['en']!r} but the English now hashes to {english_hash(en)!r}")
        else:
            self.texts.append((where, es["text"], str(en)))

    def items(self, where: str, es: Any, en: Any) -> list[tuple[str, Any, Any]]:
        """A translated list against the English list: one entry per English item, same order."""
        if not isinstance(es, list) or not isinstance(en, list):
            self.problem(where, "should be a list, as the English is" if isinstance(en, list) else "translates nothing: the English has no such list")
            return []
        if len(es) != len(en):
            self.problem(where, f"{len(es)} entries for the English {len(en)}")
        return [(f"{where}[{n}]", a, b) for n, (a, b) in enumerate(zip(es, en))]

    def fields(self, where: str, es: Any) -> list[tuple[str, str, Any]]:
        """(where, key, value) of each field of a translated node or glossary entry, which must be a mapping."""
        if not isinstance(es, dict):
            self.problem(where, "should be a mapping of fields")
            return []
        return [(f"{where}.{key}", key, value) for key, value in es.items()]

    def node(self, where: str, es: Any, en: dict[str, Any]) -> None:
        for at, field, value in self.fields(where, es):
            if field in SCALARS:
                self.value(at, value, en.get(field))
            elif field in LISTS:
                for item_at, a, b in self.items(at, value, en.get(field)):
                    self.value(item_at, a, b)
            elif field == "get_help_if":
                for item_at, a, b in self.items(at, value, en.get(field)):
                    self.value(item_at, a, b["text"] if isinstance(b, dict) else b)
            elif field == "guidance":
                for item_at, a, b in self.items(at, value, en.get(field)):
                    self.parts(item_at, a, b, ("statement", "situation"))
            elif field == "frequency":
                for item_at, a, b in self.items(at, value, en.get(field)):
                    self.parts(item_at, a, b, ("word", "means"))
            elif field == "benefit":
                self.parts(at, value, en.get(field), ("words", "number"))
            elif field == "in":
                contexts = en.get("in") or {}
                for pathway_id, context in (value or {}).items() if isinstance(value, dict) else ():
                    if pathway_id not in contexts or not isinstance(context, dict) or set(context) != {"note"}:
                        self.problem(f"{at}.{pathway_id}", "should be {note: {text, en}} for a pathway the English has a context for")
                        continue
                    self.value(f"{at}.{pathway_id}.note", context["note"], contexts[pathway_id].get("note") or None)
            else:
                self.problem(at, "is not a field a translation holds (ids, references, codes, urgencies and sources are never translated)")

    def parts(self, where: str, es: Any, en: Any, keys: tuple[str, ...]) -> None:
        """A mapping of translated values (`{statement, situation}`), each present exactly when the English has it."""
        if not isinstance(es, dict) or not isinstance(en, dict):
            self.problem(where, "should be a mapping, as the English is" if isinstance(en, dict) else "translates nothing: the English has none")
            return
        for key in keys:
            if en.get(key) and key not in es:
                self.problem(f"{where}.{key}", "untranslated")
        for key, value in es.items():
            if key not in keys:
                self.problem(f"{where}.{key}", "is not translated (only " + ", ".join(keys) + ")")
            else:
                self.value(f"{where}.{key}", value, en.get(key))

    def glossary(self, where: str, es: Any, en: dict[str, Any]) -> None:
        for at, key, value in self.fields(where, es):
            if key in ("term", "definition") or (key == "abbreviation" and value != en.get(key)):
                self.value(at, value, en.get(key))
            elif key == "also":
                for item_at, a, b in self.items(at, value, en.get("also")):
                    self.value(item_at, a, b)
            elif key != "abbreviation":
                self.problem(at, "is not a field of a glossary entry")

    def run(self) -> Checker:
        english = english_of(self.path)
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            self.problem("file", f"does not parse: {exc}")
            return self
        if not english.is_file():
            self.problem("file", f"no English file {english.name} beside it")
            return self
        if not isinstance(data, dict) or data.get("translation") != {"language": LANG, "status": "draft"}:
            self.problem("translation", f"should be {{language: {LANG}, status: draft}} until a clinician who reads Spanish reviews it")
            return self
        source = yaml.safe_load(english.read_text(encoding="utf-8")) or {}
        for section, entries in data.items():
            if section == "translation":
                continue
            if section not in source or not isinstance(entries, dict):
                self.problem(section, f"the English file has no section {section!r}, or it is not a mapping keyed by id")
                continue
            key = "term" if section == "glossary" else "id"
            by_key = {item[key]: item for item in source[section]}
            for name, entry in entries.items():
                if name not in by_key:
                    self.problem(f"{section}.{name}", f"no {'term' if key == 'term' else 'node'} {name!r} in {english.name}")
                elif section == "glossary":
                    self.glossary(f"{section}.{name}", entry, by_key[name])
                else:
                    self.node(f"{section}.{name}", entry, by_key[name])
        for where, spanish, en in self.texts:
            found = next(literal_routes(spanish), None) or SPANISH_ROUTES.search(spanish)
            if found:
                self.problem(where, f"says {found.group(0)!r}: the edition's locale profile supplies numbers and places to get help")
            if NODE_LINK.findall(spanish) != NODE_LINK.findall(en):
                self.problem(where, f"links to {NODE_LINK.findall(spanish)}, the English to {NODE_LINK.findall(en)}")
        return self


def check(path: Path) -> list[str]:
    return Checker(path).run().problems


def texts_of(node: dict[str, Any], pathway_id: str) -> Iterator[str]:
    """The English text of a node a reader of `pathway_id` reads: its own text fields and that pathway's note."""
    for field in SCALARS:
        if node.get(field):
            yield str(node[field])
    for field in LISTS:
        yield from (str(s) for s in node.get(field) or ())
    for item in node.get("get_help_if") or ():
        yield item["text"] if isinstance(item, dict) else str(item)
    note = ((node.get("in") or {}).get(pathway_id) or {}).get("note")
    if note:
        yield str(note)


SHIPPED = translation_files(PATHWAY_DIR)
KB, _ = check_pathway(PATHWAY_DIR)
MEMBERS = KB.members(PATHWAY)


def english_node(node_id: str) -> tuple[Path, str, dict[str, Any]]:
    """The English file a node is written in, its section and its raw mapping."""
    path = ROOT / KB.positions[node_id].path
    short = node_id.rsplit("/", 1)[-1]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in NODE_SECTIONS:
        for item in data.get(section) or ():
            if item["id"] == short:
                return path, section, item
    raise AssertionError(f"{node_id} not found in {path}")


def translated(node_id: str) -> dict[str, Any]:
    path, section, _ = english_node(node_id)
    es = translation_of(path)
    assert es.is_file(), f"{node_id}: no {es.relative_to(ROOT)}"
    return dict((yaml.safe_load(es.read_text(encoding="utf-8")).get(section) or {}).get(node_id.rsplit("/", 1)[-1]) or {})


def test_the_hash_collapses_whitespace_only() -> None:
    assert english_hash("Wear it\n  at night.") == english_hash("Wear it at night.") == hashlib.sha256(b"Wear it at night.").hexdigest()[:12]
    assert english_hash("Wear it at night") != english_hash("Wear it at night.")


def test_the_pathway_reaches_local_and_shared_nodes() -> None:
    """The properties below would hold vacuously on an empty graph or with no Spanish file."""
    assert KB.nodes[PATHWAY].title and len(MEMBERS) > 5
    assert any(KB.is_shared(n) for n in MEMBERS) and any(not KB.is_shared(n) for n in MEMBERS)
    assert SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(PATHWAY_DIR).as_posix())
def test_each_spanish_file_keeps_the_format_and_matches_the_current_english(path: Path) -> None:
    assert check(path) == []


@pytest.mark.parametrize("node_id", MEMBERS)
def test_every_node_the_pathway_reaches_is_translated_in_full(node_id: str) -> None:
    """Every text field the English has (a shared node's context for this pathway too), every list item, every
    `get_help_if` item, guidance statement and benefit: safety text above all (an indicator's title, summary,
    body and action)."""
    _, _, en = english_node(node_id)
    es = translated(node_id)
    expected = [f for f in (*SCALARS, *LISTS, "get_help_if", "guidance", "benefit", "frequency") if en.get(f)]
    if ((en.get("in") or {}).get(PATHWAY) or {}).get("note"):
        expected.append("in")
    assert [f for f in expected if f not in es] == []
    if KB.kind(node_id) == "indicator":
        assert all(f in es for f in SAFETY if en.get(f)), node_id
    assert len(es.get("get_help_if") or ()) == len(en.get("get_help_if") or ())


def test_every_glossary_term_the_pathway_uses_is_translated() -> None:
    """A term is used when any of its forms is a word of the English text of a node the pathway reaches."""
    text = " ".join(t for n in MEMBERS for t in texts_of(english_node(n)[2], PATHWAY))
    used = 0
    for entry, where in zip(KB.glossary, KB.glossary_positions):
        forms = (entry.term, *entry.also, *([entry.abbreviation] if entry.abbreviation else ()))
        if any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text, re.IGNORECASE) for f in forms):
            used += 1
            es = translation_of(ROOT / where.path)
            assert es.is_file(), where.path
            assert entry.term in (yaml.safe_load(es.read_text(encoding="utf-8")).get("glossary") or {}), f"{entry.term!r} ({where.path})"
    assert used > 10


ENGLISH = """\
treatments:
  - id: splint
    title: Wrist splint
    summary: It keeps your wrist straight.
    body: |
      Wear it at night.
      If your fingers go cold, see [the signs](node:cold-fingers).
    risks: [It can rub, It can itch]
    get_help_if:
      - text: Your fingers turn blue
        urgency: emergency
    in:
      carpal-tunnel-care:
        note: For this pathway only.
"""
SPANISH = f"""\
translation: {{language: es, status: draft}}
treatments:
  splint:
    title: {{text: "Férula de muñeca", en: "{english_hash("Wrist splint")}"}}
    summary: {{text: "Mantiene la muñeca recta.", en: "{english_hash("It keeps your wrist straight.")}"}}
    body:
      text: |
        Úsela de noche.
        Si se le enfrían los dedos, vea [las señales](node:cold-fingers).
      en: "{english_hash("Wear it at night. If your fingers go cold, see [the signs](node:cold-fingers).")}"
    risks:
      - {{text: "Puede rozar", en: "{english_hash("It can rub")}"}}
      - {{text: "Puede picar", en: "{english_hash("It can itch")}"}}
    get_help_if:
      - {{text: "Sus dedos se ponen azules", en: "{english_hash("Your fingers turn blue")}"}}
    in:
      carpal-tunnel-care:
        note: {{text: "Solo para esta guía.", en: "{english_hash("For this pathway only.")}"}}
"""


def fixture_file(tmp_path: Path, spanish: str, english: str = ENGLISH) -> Path:
    folder = tmp_path / "pathway" / "shared"
    folder.mkdir(parents=True)
    (folder / "treatments.yml").write_text(english, encoding="utf-8")
    path = folder / "treatments.es.yml"
    path.write_text(spanish, encoding="utf-8")
    return path


def test_the_checker_passes_a_well_formed_file(tmp_path: Path) -> None:
    assert check(fixture_file(tmp_path, SPANISH)) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("status: draft", "status: reviewed"), "translation: should be {language: es, status: draft}"),
        (("  splint:", "  splnt:"), "treatments.splnt: no node 'splnt' in treatments.yml"),
        (("Férula de muñeca\", en: \"", "Férula de muñeca\", en: \"0"), "treatments.splint.title: stale"),
        (("      - {text: \"Puede picar\"", "      # {text: \"Puede picar\""), "treatments.splint.risks: 1 entries for the English 2"),
        (("    get_help_if:\n      - {", "    get_help_if: []\n    # {"), "treatments.splint.get_help_if: 0 entries for the English 1"),
        (("Sus dedos se ponen azules", "Llame al 911: sus dedos se ponen azules"), "treatments.splint.get_help_if[0]: says '911'"),
        (("Sus dedos se ponen azules", "Vaya a urgencias si sus dedos se ponen azules"), "treatments.splint.get_help_if[0]: says 'urgencias'"),
        (("(node:cold-fingers)", "(node:cold-hands)"), "treatments.splint.body: links to ['cold-hands'], the English to ['cold-fingers']"),
        (("    title: {", "    urgency: emergency\n    title: {"), "treatments.splint.urgency: is not a field a translation holds"),
        (("  carpal-tunnel-care:\n        note: {", "  other-pathway:\n        note: {"), "treatments.splint.in.other-pathway: should be {note:"),
    ],
)
def test_the_checker_names_each_broken_rule(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in SPANISH
    problems = check(fixture_file(tmp_path, SPANISH.replace(old, new, 1)))
    assert any(message in p for p in problems), problems
    assert all(p.startswith("pathway/shared/treatments.es.yml: ") for p in problems), problems


def test_the_checker_finds_a_stale_value_when_the_english_changes(tmp_path: Path) -> None:
    """Editing the English after translating makes the translation stale, naming the field."""
    path = fixture_file(tmp_path, SPANISH, ENGLISH.replace("Your fingers turn blue", "Your fingers turn blue or cold"))
    assert [p.split(": stale")[0] for p in check(path)] == ["pathway/shared/treatments.es.yml: treatments.splint.get_help_if[0]"]
