"""Decision-aid rules over treatments: how well it works, what happens if you wait, the other options, and what
words like "rare" mean. Pure: returns problems, never reads files.

A reviewed treatment must have them (an error); a draft without them gets a note, so a strict build still passes
while the page says the numbers await clinical review. A number a reader could act on ("about 6 in 10 people")
is an error anywhere it cannot show its source. A shared treatment may list its alternatives per pathway, in its
contexts (`in.<pathway>.alternatives`, checked with the other references in `graph.py` and `contexts.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from carepath.load import Entry
from carepath.model.graph import KnowledgeBase, Treatment
from carepath.problems import Problem, quote

DECISION_FIELDS = ("benefit", "if_you_wait", "alternatives")
"""What every reviewed treatment says so a reader can weigh it against the others."""

_NUMBER = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|a hundred|a thousand|hundred|thousand)"
CHANCE = re.compile(
    rf"\b{_NUMBER}\s+(?:in|out of)\s+(?:every\s+)?{_NUMBER}\b|\d\s*%|\b\d[\d,.]*\s*per\s*cent\b|\b\d[\d,.]*\s*percent\b",
    re.IGNORECASE,
)
"""A chance or a share said as a number: '6 in 10', 'one in a thousand' ('one in every ten'), '60%', '60 percent'."""

FREQUENCY_WORDS = re.compile(r"\b(very\s+)?(rare|rarely|uncommon|uncommonly|common|commonly)\b", re.IGNORECASE)
"""Words that stand for a frequency in a treatment's risks; '-ly' forms mean the same as the adjective."""


def chance_in(text: str) -> str | None:
    """The first number-like chance in `text` ('6 in 10'), or None."""
    m = CHANCE.search(text)
    return m.group(0) if m else None


def frequency_words(text: str) -> list[str]:
    """The frequency words a line uses, as a `frequency` entry names them: 'Very rarely, ...' -> ['very rare']."""
    found = []
    for m in FREQUENCY_WORDS.finditer(text):
        base = m.group(2).casefold().removesuffix("ly")
        found.append(("very " if m.group(1) else "") + base)
    return found


def check_decision_aids(kb: KnowledgeBase, entry_of: Mapping[str, Entry]) -> list[Problem]:
    problems: list[Problem] = []
    for node_id, node in sorted(kb.nodes.items()):
        if isinstance(node, Treatment):
            problems += _treatment(node_id, node, entry_of[node_id])
    return problems


def _treatment(node_id: str, node: Treatment, entry: Entry) -> list[Problem]:
    problems: list[Problem] = []
    who = f"treatment '{node_id}'"
    if node.benefit:
        b = node.benefit
        if b.number and b.source is None:
            problems.append(
                Problem(entry.locate("benefit", "number"), f"{who}: 'benefit.number' has no 'source'; a number is shown only with where it comes from")
            )
        said = chance_in(b.words)
        if said:
            problems.append(
                Problem(
                    entry.locate("benefit", "words"),
                    f"{who}: 'benefit.words' gives a number ({quote(said)}); keep the words plain and put the number in 'benefit.number' with its 'source'",
                )
            )
    if node.if_you_wait and (said := chance_in(node.if_you_wait)):
        problems.append(
            Problem(entry.locate("if_you_wait"), f"{who}: 'if_you_wait' gives a number ({quote(said)}), which has no source on the page; say it in plain words")
        )
    defined = {f.word.casefold(): f for f in node.frequency}
    for i, f in enumerate(node.frequency):
        if f.source is None:
            problems.append(
                Problem(entry.locate("frequency", i, "means"), f"{who}: 'frequency' says what {quote(f.word)} means with no 'source'; cite where that number comes from")
            )
    undefined: dict[str, int] = {}  # word -> the first risk that uses it
    for i, risk in enumerate(node.risks):
        for word in frequency_words(risk):
            if word not in defined:
                undefined.setdefault(word, i)
    given = node.model_fields_set | {"alternatives" for c in node.contexts.values() if "alternatives" in c.model_fields_set}
    missing = [name for name in DECISION_FIELDS if name not in given]
    if node.review.status == "reviewed":
        where = entry.locate("review", "status")
        problems += [Problem(where, f"{who}: reviewed but has no '{name}'; {_WHY[name]}") for name in missing]
        problems += [
            Problem(entry.locate("risks", i), f"{who}: reviewed, and its risks say {quote(w)} without saying what it means; add it under 'frequency' with its source")
            for w, i in undefined.items()
        ]
    elif missing or undefined:
        parts = [", ".join(f"'{m}'" for m in missing)] if missing else []
        if undefined:
            parts.append("what " + ", ".join(quote(w) for w in undefined) + " in its risks means ('frequency')")
        problems.append(Problem(entry.position, f"{who}: a draft still without {'; '.join(parts)}; its review adds them (AUTHORING.md, 'Decision aids')", "note"))
    return problems


_WHY = {
    "benefit": "say how well it works, in words and, with its source, in numbers",
    "if_you_wait": "say what is likely to happen if you wait",
    "alternatives": "list the other options (or write 'alternatives: []' if there is none)",
}
