"""What the site search should rank and leave out: per-page `search:` front matter for Material's search.

Red flags rank above everything else, most urgent first, so a reader typing "emergency" meets the warning
signs before any page that merely mentions them. Pages for clinicians' machines (code pages, the lookup)
stay out of the index: a patient searching never wants them.
"""

from __future__ import annotations

from typing import Any

from .model import Indicator, KnowledgeBase, Urgency

RED_FLAG_BOOST = {Urgency.emergency: 8, Urgency.urgent: 4, Urgency.soon: 2, Urgency.routine: 1.5}
"""Material multiplies a page's search score by its `search: boost:`; every other page has 1."""

EXCLUDED: dict[str, Any] = {"exclude": True}
"""`search: exclude: true`: Material leaves the whole page out of `search_index.json`."""


def node_search(kb: KnowledgeBase, node_id: str) -> dict[str, Any] | None:
    """The `search:` front matter of a node page, or None for the default ranking."""
    node = kb.nodes[node_id]
    if isinstance(node, Indicator):
        return {"boost": RED_FLAG_BOOST[node.urgency]}
    return None
