"""Clinical safety rules over the validated graph: every pathway names an emergency, risky treatments
carry their risks and when to get help, each `get_help_if` line graded, urgency is said only through
`urgency:`, reviewed treatments cite a source. Pure: returns problems, never reads files.

Each rule is a warning: `check` prints it, `check --strict` and a strict site build fail on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from carepath.load import Entry
from carepath.model.graph import UNGRADED_URGENCY, Indicator, KnowledgeBase, Route, Treatment, Urgency
from carepath.model.vocabulary import DEFAULT, Vocabulary
from carepath.problems import Problem, quote


def is_risky(kb: KnowledgeBase, treatment: Treatment) -> bool:
    """A treatment that can do harm, so its page must list risks and when to get help: its type's `risky` flag
    in the vocabulary (by default medication, injection, procedure and surgery). An unknown type is an error
    reported elsewhere, not a safety warning."""
    kind = kb.vocabulary.treatment_kinds.get(treatment.type)
    return bool(kind and kind.risky)


URGENCY_PHRASES: tuple[tuple[str, frozenset[Urgency]], ...] = (
    ("emergency department", frozenset({Urgency.emergency, Urgency.urgent})),
    ("emergency room", frozenset({Urgency.emergency, Urgency.urgent})),
    ("A&E", frozenset({Urgency.emergency, Urgency.urgent})),
    ("emergency", frozenset({Urgency.emergency})),
    ("911", frozenset({Urgency.emergency})),
    ("999", frozenset({Urgency.emergency})),
    ("112", frozenset({Urgency.emergency})),
    ("ambulance", frozenset({Urgency.emergency})),
    ("urgent", frozenset({Urgency.urgent, Urgency.emergency})),
    ("urgently", frozenset({Urgency.urgent, Urgency.emergency})),
    ("routine", frozenset({Urgency.routine})),
)
"""Words that state an urgency, with the levels each fits: '911' only an emergency, 'urgent care' or
'the emergency department' an urgent sign too. Longer phrases first, so 'emergency department' is
read as a place before 'emergency' is read as a level. `soon` has no word of its own: "as soon as you
can" says nothing about the level. Each level's label in the vocabulary counts too (`urgency_phrases`)."""

URGENCY_TEXT_FIELDS = ("title", "summary", "action")
"""The indicator fields shown beside its urgency label, on its card and in handouts."""


def urgency_phrases(vocabulary: Vocabulary = DEFAULT) -> list[tuple[str, frozenset[Urgency]]]:
    labels = [(vocabulary.urgency_label(u), frozenset({u})) for u in Urgency if u != Urgency.soon]
    return sorted([*URGENCY_PHRASES, *labels], key=lambda p: -len(p[0]))


def urgency_conflict(text: str, urgency: Urgency, vocabulary: Vocabulary = DEFAULT) -> tuple[str, frozenset[Urgency]] | None:
    """The first phrase in `text` that states an urgency other than `urgency`, with the levels it fits; None if none does."""
    pattern, fits = _urgency_matcher(tuple(urgency_phrases(vocabulary)))
    for match in pattern.finditer(text):
        levels = fits[match.group(0).casefold()]
        if urgency not in levels:
            return match.group(0), levels
    return None


@lru_cache(maxsize=64)
def _urgency_matcher(phrases: tuple[tuple[str, frozenset[Urgency]], ...]) -> tuple[re.Pattern[str], dict[str, frozenset[Urgency]]]:
    """The pattern of the phrases, and the levels each fits: made once per vocabulary, not once per text checked."""
    pattern = re.compile(r"(?<![\w&])(" + "|".join(re.escape(p) for p, _ in phrases) + r")(?![\w&])", re.IGNORECASE)
    fits: dict[str, frozenset[Urgency]] = {}
    for phrase, levels in phrases:  # a label may repeat a word ('Urgent'): it fits every level either names
        fits[phrase.casefold()] = fits.get(phrase.casefold(), frozenset()) | levels
    return pattern, fits


def check_safety(kb: KnowledgeBase, entry_of: Mapping[str, Entry], graph_complete: bool = True) -> list[Problem]:
    """Every safety rule over the knowledge base, as warnings.

    With a node missing (`graph_complete` false) the emergency rule is skipped: the missing node may be the flag.
    """
    problems: list[Problem] = []
    if graph_complete:
        problems += _emergency_flags(kb)
    for node_id, node in sorted(kb.nodes.items()):
        entry = entry_of[node_id]
        if isinstance(node, Treatment):
            problems += _treatment_rules(node, entry, is_risky(kb, node))
            problems += _get_help_grading(node, entry, _label_vocabularies(kb, node_id))
        elif isinstance(node, Indicator):
            problems += _urgency_wording(node, entry, _label_vocabularies(kb, node_id))
    return problems


def _label_vocabularies(kb: KnowledgeBase, node_id: str) -> list[Vocabulary]:
    """The vocabularies whose labels a sign may be shown with: its pathway's for its own node; for a shared
    node the site's and every pathway's that relabels (its pages show their own labels on every sign)."""
    scope = kb.scope(node_id)
    return [kb.vocabulary_of(scope)] if scope else [kb.vocabulary, *(kb.vocabularies[p] for p in sorted(kb.vocabularies))]


def _emergency_flags(kb: KnowledgeBase) -> list[Problem]:
    problems = []
    for pathway in kb.pathways:
        if not any(_is_emergency(kb, f) for f in kb.red_flags_of(pathway.id)):
            message = (
                f"pathway '{pathway.id}': no emergency red flag; list an indicator with 'urgency: emergency' "
                "under the pathway's 'red_flags' (or a stage's) so every page says when to call for help"
            )
            problems.append(Problem(kb.positions[pathway.id], message, "warning"))
    return problems


def _is_emergency(kb: KnowledgeBase, node_id: str) -> bool:
    node = kb.nodes.get(node_id)
    return isinstance(node, Indicator) and node.urgency == Urgency.emergency


def _treatment_rules(node: Treatment, entry: Entry, risky: bool) -> list[Problem]:
    problems = []
    who = f"treatment '{node.id}'"
    if risky:
        kind = node.type
        if not node.risks:
            problems.append(Problem(entry.position, f"{who}: a treatment of type '{kind}' needs 'risks', including rare serious ones", "warning"))
        if not node.get_help_if:
            problems.append(
                Problem(entry.position, f"{who}: a treatment of type '{kind}' needs 'get_help_if', the signs that mean get help during or after it", "warning")
            )
    if node.review.status == "reviewed" and not node.sources and not any(c.sources for c in node.contexts.values()):
        problems.append(Problem(entry.locate("review", "status"), f"{who}: reviewed but has no 'sources'; cite where its content comes from", "warning"))
    return problems


CRISIS_URGENCIES = frozenset({Urgency.emergency, Urgency.urgent})
"""A crisis route means get help now: a crisis line at a softer level would rank it below what can wait."""


def _get_help_grading(node: Treatment, entry: Entry, vocabularies: list[Vocabulary]) -> list[Problem]:
    """Each `get_help_if` line has an urgency, a crisis route only at a level that means now, and text that says
    no other urgency than its own (the page shows the label and what to do)."""
    problems = []
    who = f"treatment '{node.id}'"
    levels = ", ".join(u.value for u in Urgency)
    for i, item in enumerate(node.get_help_if):
        where = entry.locate("get_help_if", i)
        if item.urgency is None:
            message = (
                f"{who}: the 'get_help_if' line {quote(item.text)} has no urgency; grade it as "
                f"'- {{text: ..., urgency: ...}}' with one of {levels} (until then the page shows it as '{UNGRADED_URGENCY.value}')"
            )
            problems.append(Problem(where, message, "warning"))
            continue
        if item.route == Route.crisis and item.urgency not in CRISIS_URGENCIES:
            message = f"{who}: the 'get_help_if' line {quote(item.text)} has 'route: crisis' but urgency '{item.urgency.value}'; a crisis means get help now: use 'emergency'"
            problems.append(Problem(entry.locate("get_help_if", i, "urgency"), message, "warning"))
        says = _wording_conflict(item.text, item.urgency, vocabularies)
        if says:
            message = f"{who}: the 'get_help_if' line {quote(item.text)} {says}; set the level with 'urgency:' (the page shows its label and what to do) and keep the text to what you notice"
            problems.append(Problem(entry.locate("get_help_if", i, "text"), message, "warning"))
    return problems


def _wording_conflict(text: str, urgency: Urgency, vocabularies: list[Vocabulary]) -> str:
    """'says <word>, wording for <levels>, but its urgency is <level>' when `text` states another urgency; '' if not."""
    conflict = next((c for v in vocabularies if (c := urgency_conflict(text, urgency, v))), None)
    if conflict is None:
        return ""
    word, levels = conflict
    fits = " or ".join(f"'{u.value}'" for u in Urgency if u in levels)
    return f"says {quote(word)}, wording for {fits}, but its urgency is '{urgency.value}'"


def _urgency_wording(node: Indicator, entry: Entry, vocabularies: list[Vocabulary]) -> list[Problem]:
    problems = []
    for name in URGENCY_TEXT_FIELDS:
        text = getattr(node, name)
        says = _wording_conflict(text, node.urgency, vocabularies) if text else None
        if says:
            message = f"indicator '{node.id}': '{name}' {says}; set the level with 'urgency:' (the page shows its label) and keep the text to what to do"
            problems.append(Problem(entry.locate(name), message, "warning"))
    return problems
