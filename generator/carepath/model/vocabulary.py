"""The words a patient sees for data values: treatment types, urgency levels and edge labels. No I/O.

They are data, not code: `DEFAULT` below is the documented default (AUTHORING.md, "Vocabulary"), its words
from the words catalogue (`vocabulary:` in `carepath/words/en.yml`), and a site extends it in its pathway
YAML under `vocabulary:` — new treatment types, other labels. Pages and diagrams ask the knowledge base's
vocabulary, never an enum, so no raw value reaches a patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from carepath.model.values import EdgeKind, Urgency
from carepath.words import Words, words


@dataclass(frozen=True)
class TreatmentKind:
    """One value of a treatment's `type`."""

    id: str
    label: str
    """What a patient reads: 'Medicine', 'Emergency care'."""
    risky: bool = False
    """Carries risk of harm: such treatments must list `risks` and `get_help_if`."""
    schema_org: str = "MedicalTherapy"
    """The schema.org type of its JSON-LD."""
    visit: bool = False
    """A test or a visit rather than a treatment: condition pages list these apart."""


@dataclass(frozen=True)
class UrgencyLevel:
    """One urgency of a red flag. The four levels are fixed (safety checks and styles depend on them);
    their words are not."""

    id: Urgency
    label: str
    admonition: str
    """The Material admonition type of its care card: colour always comes with the label."""


def default_treatment_kinds(w: Words) -> tuple[TreatmentKind, ...]:
    """The default treatment types, each labelled from the catalogue (`vocabulary.type.<id>`)."""

    def kind(type_id: str, risky: bool = False, schema_org: str = "MedicalTherapy", visit: bool = False) -> TreatmentKind:
        return TreatmentKind(type_id, w.get(f"vocabulary.type.{type_id}"), risky, schema_org, visit)

    return (
        kind("assessment", schema_org="DiagnosticProcedure", visit=True),
        kind("self-care"),
        kind("education"),
        kind("medication", risky=True, schema_org="Drug"),
        kind("topical", schema_org="Drug"),
        kind("device", schema_org="MedicalDevice"),
        kind("injection", risky=True, schema_org="TherapeuticProcedure"),
        kind("procedure", risky=True, schema_org="TherapeuticProcedure"),
        kind("surgery", risky=True, schema_org="SurgicalProcedure"),
        kind("referral", visit=True),
        kind("emergency-care", visit=True),
    )


ADMONITIONS: dict[Urgency, str] = {Urgency.emergency: "danger", Urgency.urgent: "warning", Urgency.soon: "info", Urgency.routine: "note"}
"""Urgency -> the Material admonition type of its care card."""


def default_urgency(w: Words) -> tuple[UrgencyLevel, ...]:
    """The four urgency levels, labelled from the catalogue (`vocabulary.urgency.<level>`)."""
    return tuple(UrgencyLevel(u, w.get(f"vocabulary.urgency.{u.value}"), admonition) for u, admonition in ADMONITIONS.items())


def default_edge_labels(w: Words) -> dict[EdgeKind, tuple[str, str]]:
    """Edge kind -> (forward label, backward label) in plain words, for pages and diagrams (`vocabulary.edge.<kind>`)."""
    return {k: (w.get(f"vocabulary.edge.{k.value}.forward"), w.get(f"vocabulary.edge.{k.value}.backward")) for k in EdgeKind}


DEFAULT_TREATMENT_KINDS = default_treatment_kinds(words())
DEFAULT_URGENCY = default_urgency(words())
DEFAULT_EDGE_LABELS = default_edge_labels(words())


@dataclass(frozen=True)
class Vocabulary:
    treatment_kinds: dict[str, TreatmentKind] = field(default_factory=lambda: {k.id: k for k in DEFAULT_TREATMENT_KINDS})
    urgency: dict[Urgency, UrgencyLevel] = field(default_factory=lambda: {u.id: u for u in DEFAULT_URGENCY})
    edge_labels: dict[EdgeKind, tuple[str, str]] = field(default_factory=lambda: dict(DEFAULT_EDGE_LABELS))

    def type_label(self, type_id: str) -> str:
        return self.treatment_kinds[type_id].label

    def is_risky(self, type_id: str) -> bool:
        return self.treatment_kinds[type_id].risky

    def urgency_label(self, urgency: Urgency) -> str:
        return self.urgency[urgency].label

    def edge_label(self, kind: EdgeKind, backward: bool = False) -> str:
        return self.edge_labels[kind][1 if backward else 0]

    def extended(
        self,
        kinds: list[TreatmentKind] = [],  # noqa: B006 - read only
        urgency_labels: dict[Urgency, str] = {},  # noqa: B006
        edge_labels: dict[EdgeKind, tuple[str, str]] = {},  # noqa: B006
    ) -> Vocabulary:
        """A copy with a site's additions: new treatment types (or new words for a default one) and labels."""
        return Vocabulary(
            {**self.treatment_kinds, **{k.id: k for k in kinds}},
            {u: replace(level, label=urgency_labels.get(u, level.label)) for u, level in self.urgency.items()},
            {**self.edge_labels, **edge_labels},
        )


DEFAULT = Vocabulary()
