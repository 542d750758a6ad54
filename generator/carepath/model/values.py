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


class Route(str, Enum):
    """A way to get help that is not the usual one for its urgency: a `get_help_if` line with a route is shown
    with that route's words (`routes.<route>` in the words catalogue) instead of its urgency's."""

    crisis = "crisis"
    """Thoughts of self-harm or suicide: a crisis line, and the emergency number if in danger now."""


class EdgeKind(str, Enum):
    includes = "includes"
    offers = "offers"
    flags = "flags"
    escalates_to = "escalates-to"
    requires = "requires"
    refers_to = "refers-to"
    returns_to = "returns-to"
    relevant_to = "relevant-to"
    alternative_to = "alternative-to"
