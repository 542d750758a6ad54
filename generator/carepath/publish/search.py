"""What the site search should find and rank: per-page `search:` and `tags:` front matter, and the weight of
each indexed field, for Material's search (client-side lunr).

The words of the query decide the order. Material indexes a page's `tags` without showing them on the page
(this site does not use its tags plugin), and by default weighs them a thousand times a title. Patients' own
words (`synonyms:`) go there, and the title is weighed half as much (`SEARCH_FIELDS`), so a page whose title or
synonyms hold the query's words comes first: "numb hand" finds "Numb hand after a wrist injury" before a sign
that is only numb somewhere else. Urgency is said in words, not weight: a red flag's tags hold its urgency's
label, "warning sign" and "red flag", and an emergency's the words people type to call for help ("911"), so a
query that looks for danger ("emergency", "call 911", "can't pee") meets the signs first. A red flag's page
boost is just under 1: on an equal match the answer comes before the warning sign, and of signs matched
equally the most urgent comes first. Pages for clinicians' machines (code pages, the lookup) stay out.
"""

from __future__ import annotations

from typing import Any

from carepath.model.graph import Indicator, KnowledgeBase, Urgency
from carepath.words import Words

MATERIAL_TAGS_BOOST = 1e6
"""The weight Material's search gives `tags` unless a site says otherwise (its title: 1e3, its text: 1)."""

SEARCH_FIELDS: dict[str, dict[str, float]] = {"title": {"boost": MATERIAL_TAGS_BOOST / 2}}
"""The field weights the plugin gives Material's search where the site sets none (`search: fields:`). A title
word counts half a synonym: a synonym is the author saying "a reader who types this means this page", a word
of a title may be there in passing ("sciatica" in a pathway's name). Both stay far above the text."""

MAX_QUERY_WORDS = 10
"""The longest query whose ranking `RED_FLAG_BOOST` must leave to its words."""


def matched_word_gain(words: int) -> float:
    """How many times Material's search ranks a page matching all `words` words of a query above one matching
    one fewer, at the same lunr score: its worker multiplies a page's score by `1 + (1 + matched / words) ** 2`."""
    return (1 + 2**2) / (1 + (2 - 1 / words) ** 2)


RED_FLAG_BOOST = {Urgency.emergency: 0.99, Urgency.urgent: 0.98, Urgency.soon: 0.97, Urgency.routine: 0.96}
"""Material multiplies a page's search score by its `search: boost:`; every other page has 1. Just under 1, so
on an equal match a red flag comes after the page that answers the query ("pins and needles": the carpal
tunnel guide, then the back-pain sign) and before the red flags less urgent than itself ("warning sign").
The widest gap, 1 / `min`, is below `matched_word_gain(MAX_QUERY_WORDS)`: a boost never outweighs a word."""

EXCLUDED: dict[str, Any] = {"exclude": True}
"""`search: exclude: true`: Material leaves the whole page out of `search_index.json`."""


def node_search(kb: KnowledgeBase, node_id: str, words: Words) -> dict[str, Any]:
    """The search front matter of a node page: `tags` (words it must be found by) and `search` (its boost)."""
    node = kb.nodes[node_id]
    tags = list(node.synonyms)
    out: dict[str, Any] = {}
    if isinstance(node, Indicator):
        # What a reader may type for any warning sign, beside its urgency's label ("Emergency", "Urgent").
        tags += [kb.vocabulary_of(kb.scope(node_id)).urgency[node.urgency].label, words.get("search.warning_sign"), words.get("search.red_flag")]
        if node.urgency == Urgency.emergency:
            tags += emergency_words(words)
        out["search"] = {"boost": RED_FLAG_BOOST[node.urgency]}
    if tags:
        out["tags"] = list(dict.fromkeys(tags))
    return out


def emergency_words(words: Words) -> list[str]:
    """What a reader types when looking for help in an emergency ("911", "ambulance"), from the catalogue."""
    return [w.strip() for w in words.get("routes.search").split(",") if w.strip()]


def search_fields(site_fields: dict[str, Any]) -> dict[str, Any]:
    """Material's `search: fields:` for a site that set `site_fields`: Carepath's weights, then the site's own."""
    return {**{name: dict(spec) for name, spec in SEARCH_FIELDS.items()}, **site_fields}
