"""The table of node kinds: one row per kind holds what the pipeline needs to know about it. No I/O but reading
the packaged words and templates once, to check at import that every row is whole.

Adding a kind is its model class (`nodes.py`, and in `Node`), its row here, its page template
(`carepath/templates/<kind>.md.j2`) and its name for patients (`kind.<kind>.title` in `carepath/words/en.yml`).
A piece left out stops the import with one line per missing piece, instead of a `KeyError` halfway through a build.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

from carepath.model.nodes import EDGE_FIELDS, Condition, Indicator, Node, NodeBase, Pathway, PathwayFile, Stage, Treatment
from carepath.model.values import EdgeKind
from carepath.words import Words, words

WHERE = "model/kinds.py"

WORD_KEYS = ("title",)
"""What each kind has under `kind.<kind>.` in the words catalogue: `title`, its one name for patients ('Warning
sign'), on its pages, in the A to Z and in the diagrams and their key."""


@dataclass(frozen=True)
class Kind:
    """One kind of node."""

    name: str
    """In messages ("treatment 'rfa': ..."), CSS classes (`cp-kind-<name>`), the JSON export, and the keys of its
    words in the catalogue (`kind.<name>.title`, `WORD_KEYS`)."""
    model: type[NodeBase]
    section: str
    """The top-level key of a pathway file that lists nodes of this kind."""
    template: str
    """Its page template in `carepath/templates/` (a site may override it in `site_overrides/carepath/`)."""
    edges: Mapping[str, frozenset[str]]
    """Each reference field of its model -> the kinds it may point to. The model says which fields a kind
    may declare; which kinds they may name is checked in validation, once every id is known."""
    diagram: Mapping[str, str]
    """Graphviz attributes of its boxes in the overview: the shape carries the kind; fills are pale so dark text
    keeps AA contrast."""
    schema_org: str | None
    """The schema.org type of what its page is about; None for treatments, whose vocabulary `type` gives it
    (`KnowledgeBase.treatment_kind`)."""

    def title(self, catalogue: Words | None = None) -> str:
        """The kind's name for patients, `kind.<name>.title` in `catalogue` (English by default): 'Warning sign'."""
        w = catalogue or words()
        return w(f"kind.{self.name}.title")


class KindTableError(Exception):
    """The table of node kinds lacks a piece: a bug in Carepath, one line per piece."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Kinds:
    """The rows, in the order pages of each kind come in a journey's leftovers and in the overview's key."""

    def __init__(self, rows: Iterable[Kind], *, models: Iterable[type[NodeBase]] | None = None, catalogue: Words | None = None) -> None:
        self.rows = tuple(rows)
        problems = table_problems(self.rows, models, catalogue)
        if problems:
            raise KindTableError(problems)
        self._by_name = {k.name: k for k in self.rows}
        self._by_model: dict[type, Kind] = {k.model: k for k in self.rows}
        self._by_section = {k.section: k for k in self.rows}
        self._rank = {k.name: i for i, k in enumerate(self.rows)}

    def __iter__(self) -> Iterator[Kind]:
        return iter(self.rows)

    def __getitem__(self, name: str) -> Kind:
        return self._by_name[name]

    def names(self) -> list[str]:
        return [k.name for k in self.rows]

    def of(self, node: NodeBase) -> Kind:
        return self._by_model[type(node)]

    def of_section(self, section: str) -> Kind | None:
        """The kind a top-level key of a pathway file lists; None for the other keys (`glossary`, `vocabulary`)."""
        return self._by_section.get(section)

    def rank(self, name: str) -> int:
        return self._rank[name]

    def edge_targets(self) -> dict[tuple[EdgeKind, str], frozenset[str]]:
        """(edge kind, source kind) -> the kinds it may point to."""
        return {(EDGE_FIELDS[f], k.name): targets for k in self.rows for f, targets in k.edges.items()}


def table_problems(rows: tuple[Kind, ...], models: Iterable[type[NodeBase]] | None = None, catalogue: Words | None = None) -> list[str]:
    """Every missing or inconsistent piece of a table of kinds, one line each; `models`: every node model (`Node`)."""
    catalogue = catalogue or words()
    node_models = list(models) if models is not None else list(typing.get_args(Node))
    names = [k.name for k in rows]
    problems: list[str] = []

    def dup(what: str, values: list[str]) -> None:
        problems.extend(f"{WHERE}: two kinds have the {what} '{v}'" for v in dict.fromkeys(v for v in values if values.count(v) > 1))

    dup("name", names)
    dup("section", [k.section for k in rows])
    dup("model", [k.model.__name__ for k in rows])
    sections = {name: typing.get_args(info.annotation) for name, info in PathwayFile.model_fields.items()}
    templates = resources.files("carepath").joinpath("templates")
    for model in node_models:
        if model not in {k.model for k in rows}:
            problems.append(f"{WHERE}: model {model.__name__} has no row in the table of node kinds")
    for name, args in sections.items():
        listed = args[0] if args and isinstance(args[0], type) and issubclass(args[0], NodeBase) else None
        if listed is not None and listed not in {k.model for k in rows}:
            problems.append(f"{WHERE}: pathway files list {listed.__name__} under '{name}', which no row of the table of node kinds has")
    for k in rows:
        who = f"{WHERE}: kind '{k.name}'"
        if k.model not in node_models:
            problems.append(f"{who}: model {k.model.__name__} is not one of the node models (`Node` in model/nodes.py)")
        if k.model not in sections.get(k.section, ()):
            problems.append(f"{who}: pathway files have no section '{k.section}' listing {k.model.__name__} (`PathwayFile` in model/nodes.py)")
        if not templates.joinpath(k.template).is_file():
            problems.append(f"{who}: no page template '{k.template}' in carepath/templates/")
        problems.extend(
            f"{who}: no words 'kind.{k.name}.{part}' in words/{catalogue.language}.yml" for part in WORD_KEYS if not catalogue.has(f"kind.{k.name}.{part}")
        )
        if not k.diagram.get("shape"):
            problems.append(f"{who}: no diagram style (the Graphviz 'shape' of its boxes)")
        if k.schema_org is None and k.model is not Treatment:
            problems.append(f"{who}: no schema.org type (only a treatment's comes from its vocabulary type)")
        fields = {f for f in k.model.model_fields if f in EDGE_FIELDS}
        problems.extend(f"{who}: reference field '{f}' of {k.model.__name__} is not in its edges" for f in sorted(fields - set(k.edges)))
        problems.extend(f"{who}: edges name '{f}', which is not a reference field of {k.model.__name__}" for f in sorted(set(k.edges) - fields))
        for f, targets in k.edges.items():
            problems.extend(f"{who}: '{f}' may point to '{t}', which is not a kind" for t in sorted(targets) if t not in names)
    return problems


KINDS = Kinds(
    [
        Kind(
            "pathway", Pathway, section="pathways", template="pathway.md.j2",
            edges={"stages": frozenset({"stage"}), "red_flags": frozenset({"indicator"})},
            diagram={"shape": "box", "style": "filled,bold", "peripheries": "2", "fillcolor": "#e3ecf7"},
            schema_org="MedicalEntity",
        ),
        Kind(
            "stage", Stage, section="stages", template="stage.md.j2",
            edges={"options": frozenset({"treatment", "condition"}), "escalates_to": frozenset({"stage"}), "red_flags": frozenset({"indicator"})},
            diagram={"shape": "tab", "style": "filled,bold", "fillcolor": "#dde8f6"},
            schema_org="MedicalEntity",
        ),
        Kind(
            "treatment", Treatment, section="treatments", template="treatment.md.j2",
            edges={
                "requires": frozenset({"treatment"}),
                "escalates_to": frozenset({"treatment", "stage"}),
                "returns_to": frozenset({"treatment", "stage"}),
                "relevant_to": frozenset({"condition"}),
                "alternatives": frozenset({"treatment"}),
            },
            diagram={"shape": "box", "style": "filled,rounded", "fillcolor": "#ffffff"},
            schema_org=None,  # by its type: a medicine is a Drug, surgery a SurgicalProcedure (model/vocabulary.py)
        ),
        Kind(
            "condition", Condition, section="conditions", template="condition.md.j2",
            edges={"relevant_to": frozenset({"treatment"})},
            diagram={"shape": "ellipse", "style": "filled", "fillcolor": "#f1ebf8"},
            schema_org="MedicalCondition",
        ),
        Kind(
            "indicator", Indicator, section="indicators", template="indicator.md.j2",
            edges={"refers_to": frozenset({"treatment", "stage"}), "relevant_to": frozenset({"condition"})},
            diagram={"shape": "octagon", "style": "filled", "fillcolor": "#fdecec", "color": "#9b1c1c"},
            schema_org="MedicalSignOrSymptom",
        ),
    ]
)
"""Every node kind. The order is the reading order of kinds: a journey's pages that sit on no stage, and the
overview's key."""

EDGE_TARGETS: dict[tuple[EdgeKind, str], frozenset[str]] = KINDS.edge_targets()
"""Which node kinds each edge kind may connect: (edge kind, source kind) -> allowed target kinds (from `KINDS`)."""
