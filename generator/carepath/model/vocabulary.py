"""The words a patient sees for data values: treatment types, urgency levels and edge labels. No I/O.

They are data, not code: `DEFAULT` below is the documented default (AUTHORING.md, "Vocabulary"), and a
site extends it in its pathway YAML under `vocabulary:` — new treatment types, other labels. Pages and
diagrams ask the knowledge base's vocabulary, never an enum, so no raw value reaches a patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from carepath.model.values import EdgeKind, Urgency


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


DEFAULT_TREATMENT_KINDS: tuple[TreatmentKind, ...] = (
    TreatmentKind("assessment", "Check-up or test", schema_org="DiagnosticProcedure", visit=True),
    TreatmentKind("self-care", "Self-care"),
    TreatmentKind("education", "Learning about your condition"),
    TreatmentKind("medication", "Medicine", risky=True, schema_org="Drug"),
    TreatmentKind("topical", "Skin cream or patch", schema_org="Drug"),
    TreatmentKind("device", "Brace or device", schema_org="MedicalDevice"),
    TreatmentKind("injection", "Injection", risky=True, schema_org="TherapeuticProcedure"),
    TreatmentKind("procedure", "Procedure", risky=True, schema_org="TherapeuticProcedure"),
    TreatmentKind("surgery", "Surgery", risky=True, schema_org="SurgicalProcedure"),
    TreatmentKind("referral", "Specialist visit", visit=True),
    TreatmentKind("emergency-care", "Emergency care", visit=True),
)

DEFAULT_URGENCY: tuple[UrgencyLevel, ...] = (
    UrgencyLevel(Urgency.emergency, "Emergency", "danger"),
    UrgencyLevel(Urgency.urgent, "Urgent", "warning"),
    UrgencyLevel(Urgency.soon, "Soon", "info"),
    UrgencyLevel(Urgency.routine, "Routine", "note"),
)

DEFAULT_EDGE_LABELS: dict[EdgeKind, tuple[str, str]] = {
    EdgeKind.includes: ("includes", "a pathway that includes this step"),
    EdgeKind.offers: ("offers", "a step that offers this"),
    EdgeKind.flags: ("watch for", "a step that lists this warning sign"),
    EdgeKind.escalates_to: ("if no improvement", "comes before this, if it does not help"),
    EdgeKind.requires: ("do this first", "needs this done first"),
    EdgeKind.refers_to: ("go to", "a warning sign that sends you here"),
    EdgeKind.returns_to: ("afterwards, back to", "leads back here afterwards"),
    EdgeKind.relevant_to: ("see also", "see also"),
}
"""Edge kind -> (forward label, backward label) in plain words, for pages and diagrams."""


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
