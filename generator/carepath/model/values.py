"""The fixed values the graph is keyed by: edge kinds and urgency levels. No imports of the rest of the model,
so the vocabulary (their words) and the graph can both build on them."""

from __future__ import annotations

from enum import Enum


class Urgency(str, Enum):
    """How soon an indicator needs action, most urgent first."""

    emergency = "emergency"
    urgent = "urgent"
    soon = "soon"
    routine = "routine"



class EdgeKind(str, Enum):
    includes = "includes"
    offers = "offers"
    flags = "flags"
    escalates_to = "escalates-to"
    requires = "requires"
    refers_to = "refers-to"
    returns_to = "returns-to"
    relevant_to = "relevant-to"
