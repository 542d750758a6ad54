"""Translations: `<file>.<lang>.yml` beside the English file it translates, read with file and line kept, checked
against the validated English graph, and laid over it for a language's edition (AUTHORING.md, "Languages").

The English stays the source of truth for ids, references, codes, urgencies and sources; a translation holds only
text, each value with a hash of the English it translates, so a changed English sentence shows as stale. Pure but
for reading the translation files: nothing here writes, and the English model is never changed (a copy is made).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

from carepath.load import TRANSLATION_FILE, Loaded, _load_file, _rel, translation_files
from carepath.model.graph import Edge, GlossaryEntry, Indicator, KnowledgeBase, Node, Pathway, Position
from carepath.model.kinds import KINDS
from carepath.model.vocabulary import Vocabulary, default_edge_labels, default_treatment_kinds, default_urgency
from carepath.problems import Problem, did_you_mean, quote
from carepath.text.escape import Foreign
from carepath.text.spelling import kept_phrases, respell, table
from carepath.words import DEFAULT_LANGUAGE, Words, languages

HASH_LENGTH = 12
HASH = re.compile(r"^[0-9a-f]{12}$")

SCALAR_FIELDS = ("title", "summary", "body", "action", "how_it_helps", "what_to_expect", "relief_duration", "if_you_wait", "when_to_move_on", "outlook")
LIST_FIELDS = ("synonyms", "risks", "questions", "signs_not_working", "symptoms", "self_care")
PROSE_FIELDS = frozenset({"body", "how_it_helps", "what_to_expect", "relief_duration", "when_to_move_on", "outlook", "note"})
"""Fields that take Markdown (and `node:` links): the rest are plain lines."""
INDICATOR_SAFETY = frozenset({"title", "summary", "body", "action"})
"""An indicator's fields that say what the danger is and what to do: never shown untranslated without a warning."""
TRANSLATABLE = (*SCALAR_FIELDS, *LIST_FIELDS, "get_help_if", "guidance", "benefit", "frequency", "in")

Slot = tuple[str | int, ...]
"""Where a text is in a node: `("summary",)`, `("get_help_if", 2)`, `("guidance", 0, "statement")`, `("in", "knee", "note")`."""
Status = Literal["translated", "untranslated", "stale"]


def english_hash(value: str) -> str:
    """The first 12 hex digits of the SHA-256 of the English, whitespace collapsed: what a translation records."""
    return hashlib.sha256(" ".join(str(value).split()).encode()).hexdigest()[:HASH_LENGTH]


def translation_language(path: Path | str) -> str | None:
    """The language of a translation file (`es` for `treatments.es.yml`); None for a pathway file."""
    m = TRANSLATION_FILE.match(Path(path).name)
    return m.group("lang") if m else None


def slot_name(slot: Slot) -> str:
    """`get_help_if[2]`, `guidance[0].statement`, `in.knee.note`: a slot as a message names it."""
    out = ""
    for part in slot:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def node_slots(node: Node) -> dict[Slot, str]:
    """Every text of a node a translation may give, in the order written: the English of each slot."""
    out: dict[Slot, str] = {}
    for name in SCALAR_FIELDS:
        value = getattr(node, name, None)
        if value:
            out[(name,)] = value
    for name in LIST_FIELDS:
        for i, item in enumerate(getattr(node, name, None) or []):
            out[(name, i)] = item
    for i, line in enumerate(getattr(node, "get_help_if", None) or []):
        out[("get_help_if", i)] = line.text
    for i, g in enumerate(getattr(node, "guidance", None) or []):
        out[("guidance", i, "statement")] = g.statement
        if g.situation:
            out[("guidance", i, "situation")] = g.situation
    benefit = getattr(node, "benefit", None)
    if benefit is not None:
        out[("benefit", "words")] = benefit.words
        if benefit.number:
            out[("benefit", "number")] = benefit.number
    for i, f in enumerate(getattr(node, "frequency", None) or []):
        out[("frequency", i, "word")] = f.word
        out[("frequency", i, "means")] = f.means
    for pathway_id, context in node.contexts.items():
        if context.note:
            out[("in", pathway_id, "note")] = context.note
    return out


def glossary_slots(entry: GlossaryEntry) -> dict[Slot, str]:
    """A glossary entry's texts; its abbreviation may be given too, but is kept when it is not."""
    out: dict[Slot, str] = {("term",): entry.term, ("definition",): entry.definition}
    for i, form in enumerate(entry.also):
        out[("also", i)] = form
    return out


def is_safety(node: Node, slot: Slot) -> bool:
    """Text that says what is dangerous or what to do: an indicator's title, summary, body and action, and every
    `get_help_if` line. Untranslated or stale, it is a warning (an error in a strict build), never shown silently."""
    return slot[0] == "get_help_if" or (isinstance(node, Indicator) and slot[0] in INDICATOR_SAFETY)


@dataclass(frozen=True)
class Value:
    text: str
    hash: str
    position: Position


@dataclass
class Entry:
    """One node's (or glossary term's) translation, as its file gives it."""

    values: dict[Slot, Value]
    position: Position
    """Where its id (or term) is written."""
    file: str
    who: str = ""
    """`treatment 'splint'`, `glossary entry 'splint'`: as messages name it."""


@dataclass
class Translation:
    """Everything written in one language: its files and their entries, keyed by full node id or English term."""

    language: str
    files: list[str] = field(default_factory=list)
    draft: bool = False
    """Some file says `status: draft`: every page of the edition says the translation awaits review."""
    nodes: dict[str, Entry] = field(default_factory=dict)
    glossary: dict[str, Entry] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)
    """The folders (`pathway/carpal-tunnel-care`) that hold a file of this language: their pathways are in its edition."""


@dataclass(frozen=True)
class FieldState:
    """What a translation makes of one English text."""

    who: str
    """`indicator 'x'`, `glossary entry 'y'`."""
    slot: Slot
    status: Status
    safety: bool
    position: Position
    """The translation file's entry, or the English entry when the whole entry is missing."""

    def message(self, language: str) -> str:
        if self.status == "stale":
            return f"{self.who}: field '{slot_name(self.slot)}' changed in English since it was translated into {language}; translate it again and update its 'en' hash"
        return f"{self.who}: field '{slot_name(self.slot)}' is not translated into {language}"


# --- reading ---------------------------------------------------------------------------------------------


def translated_languages(pathway_dir: Path) -> frozenset[str]:
    """The languages some file under the pathway folder is translated into: what `--edition all` builds besides English."""
    return frozenset(lang for p in translation_files(pathway_dir) if (lang := translation_language(p)))


def load_translations(pathway_dir: Path, kb: KnowledgeBase) -> tuple[dict[str, Translation], list[Problem]]:
    """Every language's translation, read and checked against `kb`: an unknown id or field, a list of another length than
    the English, a malformed hash, a language with no catalogue, each an error at its file and line."""
    base = pathway_dir.parent
    found: dict[str, Translation] = {}
    problems: list[Problem] = []
    index = _node_index(kb)
    terms = {(where.path, entry.term): entry for entry, where in zip(kb.glossary, kb.glossary_positions, strict=True)}
    for path in translation_files(pathway_dir):
        rel = _rel(path, base)
        m = TRANSLATION_FILE.match(path.name)
        assert m is not None
        language = m.group("lang")
        english = rel[: -len(path.name)] + f"{m.group('stem')}.{m.group('ext')}"
        if language not in languages() or language == DEFAULT_LANGUAGE:
            known = ", ".join(repr(x) for x in languages() if x != DEFAULT_LANGUAGE)
            why = "English is the source every translation is made from" if language == DEFAULT_LANGUAGE else f"Carepath has no words catalogue for it (carepath/words/{language}.yml); it has {known}"
            problems.append(Problem(Position(rel, 1, 1), f"a translation into {quote(language)}: {why}"))
            continue
        if not (base / english).is_file():
            problems.append(Problem(Position(rel, 1, 1), f"a translation of '{english}', which does not exist: a translation sits beside the English file it translates"))
            continue
        translation = found.setdefault(language, Translation(language))
        loaded = Loaded()
        _load_file(path, rel, loaded, partial(_read_file, rel=rel, english=english, translation=translation, index=index, terms=terms, kb=kb, problems=problems))
        problems += loaded.problems + _literal_routes(translation, rel)
        translation.files.append(rel)
        translation.folders.add(rel.rsplit("/", 1)[0])
    return found, problems


def _literal_routes(translation: Translation, rel: str) -> list[Problem]:
    """An error for each text of the file `rel` that names an emergency number or a place to get help, as the English
    may not either: the edition's profile (its `routes:`) says whom to call, from the sign's urgency."""
    from carepath.validate.routes import WHY, literal_routes

    out = []
    for entry in [*translation.nodes.values(), *translation.glossary.values()]:
        if entry.file != rel:
            continue
        for slot, value in entry.values.items():
            found = next(literal_routes(value.text, translation.language), None)
            if found:
                out.append(Problem(value.position, f"{entry.who}: '{slot_name(slot)}' says {quote(found.group(0))}; {WHY}"))
    return out


def _node_index(kb: KnowledgeBase) -> dict[tuple[str, str], str]:
    """(English file, id as written there) -> full node id."""
    return {(kb.positions[node_id].path, node_id.rsplit("/", 1)[-1]): node_id for node_id in kb.nodes}


def _read_file(
    data: dict[str, Any],
    pos: Any,
    _loaded: Any,
    *,
    rel: str,
    english: str,
    translation: Translation,
    index: dict[tuple[str, str], str],
    terms: dict[tuple[str, str], GlossaryEntry],
    kb: KnowledgeBase,
    problems: list[Problem],
) -> None:
    header = data.get("translation")
    if not isinstance(header, dict):
        problems.append(Problem(pos.nearest(()), "a translation file starts with 'translation: {language: ..., status: draft}'"))
        return
    if header.get("language") != translation.language:
        problems.append(Problem(pos.nearest(("translation", "language")), f"translation: 'language' is {quote(header.get('language'))}, but the file's name says {quote(translation.language)}"))
    status = header.get("status", "draft")
    if status not in ("draft", "reviewed"):
        problems.append(Problem(pos.nearest(("translation", "status")), f"translation: 'status' is {quote(status)}; expected one of: draft, reviewed"))
    elif status == "reviewed":
        missing = [k for k in ("reviewer", "last_reviewed") if not header.get(k)]
        if missing:
            problems.append(Problem(pos.nearest(("translation", "status")), f"translation: a reviewed translation names its '{missing[0]}'"))
    translation.draft = translation.draft or status != "reviewed"
    for key in header:
        if key not in ("language", "status", "reviewer", "last_reviewed"):
            problems.append(Problem(pos.nearest(("translation", key), keys=True), f"translation: unknown key {quote(key)} (expected one of: language, status, reviewer, last_reviewed)"))
    for section, items in data.items():
        if section == "translation":
            continue
        kind = KINDS.of_section(section)
        if kind is None and section != "glossary":
            sections = [k.section for k in KINDS] + ["glossary"]
            hint = did_you_mean(section, sections) or f" (expected one of: {', '.join(sections)})"
            problems.append(Problem(pos.nearest((section,), keys=True), f"unknown top-level key {quote(section)}{hint}"))
            continue
        if not isinstance(items, dict):
            problems.append(Problem(pos.nearest((section,)), f"'{section}' in a translation is a mapping keyed by the English {'term' if kind is None else 'id'}"))
            continue
        for key, body in items.items():
            where = pos.nearest((section, key), keys=True)
            if kind is None:
                entry = terms.get((english, str(key)))
                if entry is None:
                    hint = did_you_mean(str(key), [t for (f, t) in terms if f == english])
                    problems.append(Problem(where, f"glossary entry {quote(key)}: no such term in '{english}'{hint}"))
                    continue
                slots, who = glossary_slots(entry), f"glossary entry {quote(entry.term)}"
                allowed: tuple[str, ...] = ("term", "definition", "also", "abbreviation")
                extra: tuple[str, ...] = ("abbreviation",)
            else:
                node_id = index.get((english, str(key)))
                if node_id is None or kb.kind(node_id) != kind.name:
                    hint = did_you_mean(str(key), [i for (f, i) in index if f == english])
                    problems.append(Problem(where, f"{kind.name} {quote(key)}: no such {kind.name} in '{english}'{hint}"))
                    continue
                node = kb.nodes[node_id]
                slots, who = node_slots(node), f"{kind.name} {quote(node_id)}"
                allowed = tuple(n for n in TRANSLATABLE if n in type(node).model_fields or (n == "in"))
                extra = ()
            values = _values(body, (section, key), pos, who, problems)
            values = _checked(values, slots, allowed, extra, (section, key), pos, who, problems)
            target = translation.glossary if kind is None else translation.nodes
            ident = str(key) if kind is None else str(node_id)
            if ident in target:
                problems.append(Problem(where, f"{who}: translated into {translation.language} twice (also at {target[ident].position})"))
                continue
            target[ident] = Entry(values, where, rel, who)


def _values(body: Any, at: Slot, pos: Any, who: str, problems: list[Problem]) -> dict[Slot, Value]:
    """The `{text, en}` leaves under an entry, by slot (relative to the entry)."""
    out: dict[Slot, Value] = {}

    def walk(value: Any, loc: Slot) -> None:
        where = pos.nearest(at + loc)
        if isinstance(value, dict) and "en" in value or isinstance(value, dict) and set(value) == {"text"}:
            text, digest = value.get("text"), value.get("en")
            unknown = sorted(set(value) - {"text", "en"})
            if unknown:
                problems.append(Problem(pos.nearest(at + loc + (unknown[0],), keys=True), f"{who}: '{slot_name(loc)}' holds {quote(unknown[0])}; a translated value is {{text: ..., en: <hash>}}"))
            if not isinstance(text, str) or not text.strip():
                problems.append(Problem(where, f"{who}: '{slot_name(loc)}' has no 'text' (the translation)"))
            elif not isinstance(digest, str) or not HASH.match(digest):
                problems.append(
                    Problem(
                        pos.nearest(at + loc + ("en",)),
                        f"{who}: '{slot_name(loc)}': 'en' is {quote(digest)}, not the 12 hex digits of the English's hash (carepath translations --write-skeleton writes them)",
                    )
                )
            else:
                out[loc] = Value(" ".join(text.split()) if loc[0] not in PROSE_FIELDS and loc[-1] not in PROSE_FIELDS else text.strip(), digest, where)
        elif isinstance(value, dict) and value:
            for k, v in value.items():
                walk(v, loc + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, loc + (i,))
        elif loc:
            problems.append(Problem(where, f"{who}: '{slot_name(loc)}' should be {{text: ..., en: <hash>}}, not {quote(value)}"))
        else:
            problems.append(Problem(where, f"{who}: should be a mapping of fields, each {{text: ..., en: <hash>}}"))

    walk(body, ())
    return out


def _limit(slot: Slot) -> int:
    """The longest a translated text may be: what the English field it translates allows (`model/nodes.py`)."""
    last = str(slot[-1]) if not isinstance(slot[-1], int) else str(slot[0])
    if last in PROSE_FIELDS:
        return 20_000
    return 400 if last in ("summary", "if_you_wait", "definition", "words") else 300


def _checked(
    values: dict[Slot, Value], slots: dict[Slot, str], allowed: tuple[str, ...], extra: tuple[str, ...], at: Slot, pos: Any, who: str, problems: list[Problem]
) -> dict[Slot, Value]:
    """`values` with only what translates an English text; an error for each field the English lacks, and for a list of another length."""
    kept: dict[Slot, Value] = {}
    for slot, value in values.items():
        limit = _limit(slot)
        if len(value.text) > limit:
            problems.append(Problem(value.position, f"{who}: '{slot_name(slot)}' is {len(value.text):,} characters, over the limit of {limit:,} (the English field's)"))
    lengths: dict[Slot, int] = {}
    for slot in slots:
        if isinstance(slot[-1], int):
            lengths[slot[:-1]] = max(lengths.get(slot[:-1], 0), slot[-1] + 1)
        elif len(slot) > 2 and isinstance(slot[1], int):
            lengths[slot[:1]] = max(lengths.get(slot[:1], 0), slot[1] + 1)
    said: set[str] = set()
    for slot, value in values.items():
        name = str(slot[0])
        if slot in slots or (name in extra and len(slot) == 1):
            kept[slot] = value
            continue
        if name in said:
            continue
        said.add(name)
        if name not in allowed:
            hint = did_you_mean(name, allowed) or " (ids, references, codes, urgencies and sources are never translated)"
            problems.append(Problem(pos.nearest(at + (name,), keys=True), f"{who}: unknown field {quote(name)}{hint}"))
            continue
        listed = slot[:1] if len(slot) > 2 and isinstance(slot[1], int) else slot[:-1] if isinstance(slot[-1], int) else None
        if listed is not None and int(slot[len(listed)]) < lengths.get(listed, 0):
            said.discard(name)  # an item of the right list: name what in it has no English
            problems.append(Problem(value.position, f"{who}: '{slot_name(slot)}' has no English to translate"))
        elif listed is not None:
            given = 1 + max(int(s[len(listed)]) for s in values if s[: len(listed)] == listed and isinstance(s[len(listed)], int))
            problems.append(Problem(pos.nearest(at + listed), f"{who}: '{slot_name(listed)}' has {given} item{'s' if given != 1 else ''}, the English {lengths.get(listed, 0)}: one translation per English item, in the same order"))
        else:
            problems.append(Problem(value.position, f"{who}: '{slot_name(slot)}' has no English to translate"))
    return kept


# --- what is translated ------------------------------------------------------------------------------------


def edition_nodes(kb: KnowledgeBase, translation: Translation) -> list[str]:
    """The nodes a language's edition holds: every node of each pathway whose folder has a file in the language,
    shared nodes too, in the pathways' order."""
    pathways = [p.id for p in kb.pathways_sorted() if kb.positions[p.id].path.rsplit("/", 1)[0] in translation.folders]
    return list(dict.fromkeys(n for p in pathways for n in kb.members(p)))


def edition_pathways(kb: KnowledgeBase, translation: Translation) -> list[str]:
    return [p.id for p in kb.pathways_sorted() if kb.positions[p.id].path.rsplit("/", 1)[0] in translation.folders]


def _edition_glossary(kb: KnowledgeBase, pathways: list[str]) -> list[tuple[GlossaryEntry, Position]]:
    return [(e, where) for e, where in zip(kb.glossary, kb.glossary_positions, strict=True) if kb.scope_at(where) in (None, *pathways)]


def field_states(kb: KnowledgeBase, translation: Translation) -> Iterator[FieldState]:
    """Every English text of the language's edition, translated, untranslated or stale, in node order; nothing while
    no pathway is translated into it."""
    pathways = edition_pathways(kb, translation)
    if not pathways:
        return
    for node_id in edition_nodes(kb, translation):
        node = kb.nodes[node_id]
        entry = translation.nodes.get(node_id)
        who = f"{kb.kind(node_id)} {quote(node_id)}"
        for slot, english in node_slots(node).items():
            if slot[0] == "in" and slot[1] not in pathways:
                continue  # a note for another pathway's readers: not in this edition
            yield _state(who, slot, english, entry, kb.positions[node_id], is_safety(node, slot))
    for glossary_entry, where in _edition_glossary(kb, pathways):
        entry = translation.glossary.get(glossary_entry.term)
        for slot, english in glossary_slots(glossary_entry).items():
            yield _state(f"glossary entry {quote(glossary_entry.term)}", slot, english, entry, where, False)


def _state(who: str, slot: Slot, english: str, entry: Entry | None, english_at: Position, safety: bool) -> FieldState:
    value = entry.values.get(slot) if entry else None
    if value is not None and value.text in (" ".join(english.split()), english.strip()) and not _same_in_every_language(slot, english):
        value = None  # a skeleton's English not yet translated
    status: Status = "untranslated" if value is None else "translated" if value.hash == english_hash(english) else "stale"
    where = value.position if value else entry.position if entry else english_at
    return FieldState(who, slot, status, safety, where)


def _same_in_every_language(slot: Slot, english: str) -> bool:
    """A synonym of one word (a brand name such as Advil, an abbreviation such as EMG) is the same in a translation."""
    return slot[0] == "synonyms" and len(english.split()) == 1


def translation_problems(kb: KnowledgeBase, translation: Translation) -> list[Problem]:
    """A warning for each safety text untranslated or stale (a strict build fails on it), and one note of the counts."""
    states = list(field_states(kb, translation))
    out = [Problem(s.position, s.message(translation.language), "warning") for s in states if s.safety and s.status != "translated"]
    if not edition_pathways(kb, translation):
        return out
    first = Position(translation.files[0], 1, 1) if translation.files else Position("pathway", 1, 1)
    out.append(Problem(first, f"translation into {translation.language}: {counts_text(states)}", "note"))
    return out


def counts_text(states: list[FieldState]) -> str:
    n = {s: sum(x.status == s for x in states) for s in ("translated", "untranslated", "stale")}
    return f"{n['translated']} translated, {n['untranslated']} untranslated, {n['stale']} stale"


# --- laying a translation over the English ------------------------------------------------------------------


_NODE_LINK = re.compile(r"\[([^\[\]]*)\]\(node:([a-z0-9/-]+)(#[^)\s]*)?\)")


def translated_kb(kb: KnowledgeBase, translation: Translation, words: Words) -> KnowledgeBase:
    """The edition's knowledge base in its language: the pathways it translates and the nodes they reach, each text
    its translation, or the English marked as such (`Foreign`, shown with `lang="en"` and a notice) where it has
    none or a stale one; the glossary its translated entries only (an English term is never linked in its text)."""
    keep = edition_nodes(kb, translation)
    pathways = edition_pathways(kb, translation)
    held = set(keep)
    # What the edition shows in English it shows in its English spelling (`edition.spelling`), as its own readers'
    # English edition would: the translation's hashes are of the text as written, so it is respelt only here.
    shown = words.get("edition.spelling")
    respelt = kb.spelling is not None and shown != kb.spelling
    found, kept = (table(kb.spelling, shown), kept_phrases(kb)) if kb.spelling is not None and respelt else (None, [])

    def as_shown(english: str) -> str:
        return respell(english, found, kept) if found is not None else english

    untranslated: dict[str, frozenset[Slot]] = {}
    nodes: dict[str, Node] = {}
    for node_id in keep:
        node = kb.nodes[node_id]
        entry = translation.nodes.get(node_id)
        texts: dict[Slot, str] = {}
        foreign: set[Slot] = set()
        for slot, english in node_slots(node).items():
            if slot[0] == "in" and slot[1] not in pathways:
                continue
            value = entry.values.get(slot) if entry else None
            if _state("", slot, english, entry, Position("", 1, 1), False).status == "translated" and value is not None:
                texts[slot] = value.text
            else:
                texts[slot] = Foreign(as_shown(english), words.get("translation.untranslated"), translation.language)
                foreign.add(slot)
        texts = {slot: _unlinked(kb, node_id, slot, text, held) for slot, text in texts.items()}
        nodes[node_id] = _with_texts(node, texts, pathways)
        if foreign:
            untranslated[node_id] = frozenset(foreign)
    glossary: list[tuple[GlossaryEntry, Position]] = []
    for entry_en, where in _edition_glossary(kb, pathways):
        given = translation.glossary.get(entry_en.term)
        states = [_state("", s, e, given, where, False).status for s, e in glossary_slots(entry_en).items()]
        if given is None or any(s != "translated" for s in states):
            continue  # an English term must not be linked inside the translated text
        v = given.values
        also = [v[("also", i)].text for i in range(len(entry_en.also))]
        abbreviation = v[("abbreviation",)].text if ("abbreviation",) in v else entry_en.abbreviation
        glossary.append((entry_en.model_copy(update={"term": v[("term",)].text, "definition": v[("definition",)].text, "also": also, "abbreviation": abbreviation}), where))
    edges = [e for e in kb.edges if e.source in held and e.target in held and (e.pathway is None or e.pathway in pathways)]
    out = KnowledgeBase(
        nodes=nodes,
        edges=[Edge(e.kind, e.source, e.target, e.position, e.pathway) for e in edges],
        glossary=[g for g, _ in glossary],
        positions={n: kb.positions[n] for n in keep},
        glossary_positions=[w for _, w in glossary],
        vocabulary=relabelled(kb.vocabulary, words),
        vocabularies={p: relabelled(v, words) for p, v in kb.vocabularies.items() if p in pathways},
        short_names={s: [i for i in ids if i in held] for s, ids in kb.short_names.items() if any(i in held for i in ids)},
        namespaces={f: p for f, p in kb.namespaces.items() if p in pathways},
        sources=kb.sources,
        source_positions=kb.source_positions,
        regions=kb.regions,
        spelling=kb.spelling,
        shown_spelling=shown if respelt else None,
    )
    out.language = translation.language
    out.untranslated = untranslated
    out.translation_draft = translation.draft
    out.index_edges()
    return out


def _unlinked(kb: KnowledgeBase, node_id: str, slot: Slot, text: str, held: set[str]) -> str:
    """Prose with each `node:` link to a page the edition does not hold left as its words: that page is not in it."""
    if slot[0] not in PROSE_FIELDS and slot[-1] not in PROSE_FIELDS:
        return text
    within = str(slot[1]) if slot[0] == "in" else None

    def plain(m: re.Match[str]) -> str:
        target = kb.resolve(m.group(2), node_id, within)
        return m.group(0) if target in held else m.group(1)

    changed = _NODE_LINK.sub(plain, text)
    return text if changed == text else (Foreign(changed, text.notice, text.notice_lang) if isinstance(text, Foreign) else changed)


def _with_texts(node: Node, texts: dict[Slot, str], pathways: list[str]) -> Node:
    """A copy of `node` with each slot's text in place, and only the contexts (`in:`) of the edition's pathways."""
    update: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        if (name,) in texts:
            update[name] = texts[(name,)]
    for name in LIST_FIELDS:
        items = getattr(node, name, None)
        if items:
            update[name] = [texts[(name, i)] for i in range(len(items))]
    lines = getattr(node, "get_help_if", None)
    if lines:
        update["get_help_if"] = [line.model_copy(update={"text": texts[("get_help_if", i)]}) for i, line in enumerate(lines)]
    guidance = getattr(node, "guidance", None)
    if guidance:
        update["guidance"] = [
            g.model_copy(update={"statement": texts[("guidance", i, "statement")], **({"situation": texts[("guidance", i, "situation")]} if g.situation else {})})
            for i, g in enumerate(guidance)
        ]
    benefit = getattr(node, "benefit", None)
    if benefit is not None:
        update["benefit"] = benefit.model_copy(update={"words": texts[("benefit", "words")], **({"number": texts[("benefit", "number")]} if benefit.number else {})})
    frequency = getattr(node, "frequency", None)
    if frequency:
        update["frequency"] = [f.model_copy(update={"word": texts[("frequency", i, "word")], "means": texts[("frequency", i, "means")]}) for i, f in enumerate(frequency)]
    update["contexts"] = {
        p: c.model_copy(update={"note": texts[("in", p, "note")]} if c.note else {}) for p, c in node.contexts.items() if p in pathways
    }
    if isinstance(node, Pathway):
        update["red_flags"] = node.red_flags
    return node.model_copy(update=update)


def relabelled(vocabulary: Vocabulary, words: Words) -> Vocabulary:
    """A vocabulary with the default labels in `words`' language; a label the site wrote itself is kept as written."""
    english = Vocabulary()
    kinds = {k.id: k for k in default_treatment_kinds(words)}
    urgency = {u.id: u for u in default_urgency(words)}
    edges = default_edge_labels(words)
    return Vocabulary(
        {i: (replace(k, label=kinds[i].label) if i in kinds and english.treatment_kinds.get(i) == k else k) for i, k in vocabulary.treatment_kinds.items()},
        {u: (urgency[u] if english.urgency[u] == level else level) for u, level in vocabulary.urgency.items()},
        {e: (edges[e] if english.edge_labels.get(e) == labels else labels) for e, labels in vocabulary.edge_labels.items()},
    )


# --- a skeleton for translators -----------------------------------------------------------------------------


def skeleton(kb: KnowledgeBase, translation: Translation, english_file: str, language: str) -> dict[str, Any]:
    """The translation file of `english_file` with every entry it lacks added, the English as the text to translate
    and its hash; entries already there kept as they are (stale ones too: their text is a translator's)."""
    out: dict[str, Any] = {"translation": {"language": language, "status": "draft"}}
    for node_id in edition_nodes(kb, translation):
        if kb.positions[node_id].path != english_file:
            continue
        node = kb.nodes[node_id]
        section = kb.kind_of(node_id).section
        entry = translation.nodes.get(node_id)
        body: dict[str, Any] = {}
        for slot, english in node_slots(node).items():
            value = entry.values.get(slot) if entry else None
            _put(body, slot, {"text": value.text if value else english, "en": value.hash if value else english_hash(english)})
        out.setdefault(section, {})[node_id.rsplit("/", 1)[-1]] = body
    for glossary_entry, where in zip(kb.glossary, kb.glossary_positions, strict=True):
        if where.path != english_file:
            continue
        entry = translation.glossary.get(glossary_entry.term)
        body = {}
        for slot, english in glossary_slots(glossary_entry).items():
            value = entry.values.get(slot) if entry else None
            _put(body, slot, {"text": value.text if value else english, "en": value.hash if value else english_hash(english)})
        if entry and ("abbreviation",) in entry.values:
            value = entry.values[("abbreviation",)]
            body["abbreviation"] = {"text": value.text, "en": value.hash}
        out.setdefault("glossary", {})[glossary_entry.term] = body
    return out


def _put(body: dict[str, Any], slot: Slot, leaf: dict[str, str]) -> None:
    here: Any = body
    for i, part in enumerate(slot[:-1]):
        nxt = slot[i + 1]
        if isinstance(here, list):
            while len(here) <= int(part):
                here.append({} if not isinstance(nxt, int) else [])
            here = here[int(part)]
        else:
            here = here.setdefault(part, [] if isinstance(nxt, int) else {})
    last = slot[-1]
    if isinstance(here, list):
        while len(here) <= int(last):
            here.append(None)
        here[int(last)] = leaf
    else:
        here[last] = leaf
