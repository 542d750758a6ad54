"""What the site search should find and rank: per-page `search:` and `tags:` front matter for Material's search.

Material indexes a page's `tags` with the highest weight of all (above titles) without showing them on
the page unless the tags plugin is on, which this site does not use. So patients' own words
(`synonyms:`) go there, and red flags carry their urgency in words: a reader typing "wet myself" or
"emergency" meets the warning sign before any page that merely mentions the words. Red flags also get a
page boost, most urgent first. Pages for clinicians' machines (code pages, the lookup) stay out of the index.
"""

from __future__ import annotations

from typing import Any

from carepath.model.graph import Indicator, KnowledgeBase, Urgency
from carepath.words import Words

RED_FLAG_BOOST = {Urgency.emergency: 8, Urgency.urgent: 4, Urgency.soon: 2, Urgency.routine: 1.5}
"""Material multiplies a page's search score by its `search: boost:`; every other page has 1."""

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
        out["search"] = {"boost": RED_FLAG_BOOST[node.urgency]}
    if tags:
        out["tags"] = list(dict.fromkeys(tags))
    return out
