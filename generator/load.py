"""Read `pathway/**/*.yml` into typed models, keeping each value's file, line and column.

Only reads: it never writes. Every problem in every file is collected; nothing is raised for bad input.
Graph rules (references, cycles, reachability) belong to `validate.py`.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .model import EDGE_FIELDS, KIND_OF_SECTION, GlossaryEntry, Node, PathwayFile, Position
from .problems import Problem, did_you_mean

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A pathway file larger than this is refused: a real one is a few hundred KB at most."""
MAX_VALUES_PER_FILE = 250_000
"""Bounds the work of expanding YAML aliases, so an 'alias bomb' is refused instead of eating memory."""
MAX_DEPTH = 32
MAX_FILES = 5_000
YAML_SUFFIXES = (".yml", ".yaml")

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.SafeLoader  # only used for its scalar constructors
Path_ = tuple[str | int, ...]


class Refused(Exception):
    """A file breaks a hard limit; it is reported as one problem and the file is skipped."""

    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        self.mark = mark
        self.message = message


@dataclass
class Entry:
    """One node as loaded, with where it came from; duplicates are kept for validation to report."""

    kind: str
    node: Node
    position: Position
    """Position of its `id` value."""
    field_positions: dict[str, list[Position]]
    """Reference field name -> position of each listed id, in order."""


@dataclass
class Loaded:
    entries: list[Entry] = field(default_factory=list)
    glossary: list[tuple[GlossaryEntry, Position]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)
    """Ids of entries that failed their schema: references to them are not reported again."""
    files: list[str] = field(default_factory=list)


class _Positions:
    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.values: dict[Path_, Position] = {}
        self.keys: dict[Path_, Position] = {}

    def at(self, mark: yaml.Mark) -> Position:
        return Position(self.rel, mark.line + 1, mark.column + 1)

    def nearest(self, loc: Path_, keys: bool = False) -> Position:
        table = self.keys if keys else self.values
        for n in range(len(loc), -1, -1):
            pos = table.get(loc[:n]) or self.values.get(loc[:n])
            if pos:
                return pos
        return Position(self.rel, 1, 1)


def pathway_files(pathway_dir: Path) -> list[Path]:
    """Every YAML file under the pathway dir, in a stable order."""
    return sorted(p for p in pathway_dir.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def load_pathway(pathway_dir: Path) -> Loaded:
    """Load every file under `pathway_dir`; positions are relative to the dir's parent."""
    loaded = Loaded()
    base = pathway_dir.parent
    if not pathway_dir.is_dir():
        loaded.problems.append(Problem(Position(str(pathway_dir), 1, 1), "pathway folder not found"))
        return loaded
    files = pathway_files(pathway_dir)
    if not files:
        loaded.problems.append(
            Problem(Position(_rel(pathway_dir, base), 1, 1), "no pathway files (*.yml) in this folder")
        )
    if len(files) > MAX_FILES:
        loaded.problems.append(
            Problem(Position(_rel(pathway_dir, base), 1, 1), f"{len(files)} files is more than the limit of {MAX_FILES}")
        )
        return loaded
    for path in files:
        _load_file(path, _rel(path, base), loaded)
    return loaded


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _load_file(path: Path, rel: str, loaded: Loaded) -> None:
    loaded.files.append(rel)
    pos = _Positions(rel)
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        loaded.problems.append(
            Problem(Position(rel, 1, 1), f"file is {len(raw):,} bytes, over the limit of {MAX_FILE_BYTES:,}; split it")
        )
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        loaded.problems.append(
            Problem(Position(rel, line, col), f"bytes that are not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        )
        return
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = pos.at(mark) if mark else Position(rel, 1, 1)
        what = " ".join(filter(None, [exc.context, exc.problem]))
        loaded.problems.append(Problem(where, f"YAML syntax error: {what}"))
        return
    except yaml.YAMLError as exc:
        loaded.problems.append(Problem(Position(rel, 1, 1), f"YAML error: {exc}"))
        return
    if root is None:
        return
    problems: list[Problem] = []
    try:
        data = _construct(root, (), pos, problems, [0], 0)
    except Refused as exc:
        where = pos.at(exc.mark) if exc.mark else Position(rel, 1, 1)
        loaded.problems.append(Problem(where, exc.message))
        return
    loaded.problems.extend(problems)
    if problems:
        return
    if not isinstance(data, dict):
        loaded.problems.append(
            Problem(pos.nearest(()), f"the file must be a mapping with keys such as 'treatments:', not {_type_name(data)}")
        )
        return
    _validate_file(data, pos, loaded)


_SECTION_MODELS: dict[str, type[BaseModel]] = {
    name: typing.get_args(info.annotation)[0] for name, info in PathwayFile.model_fields.items()
}


def _validate_file(data: dict[str, Any], pos: _Positions, loaded: Loaded) -> None:
    """Validate entry by entry, so one broken node does not hide the problems of the others."""
    for section, items in data.items():
        model = _SECTION_MODELS.get(section)
        if model is None:
            hint = did_you_mean(section, _SECTION_MODELS) or f" (expected one of: {', '.join(_SECTION_MODELS)})"
            loaded.problems.append(Problem(pos.nearest((section,), keys=True), f"unknown top-level key '{section}'{hint}"))
            continue
        if not isinstance(items, list):
            loaded.problems.append(
                Problem(pos.nearest((section,)), f"'{section}' should be a list of entries (each starting with '- '), not {_type_name(items)}")
            )
            continue
        kind = KIND_OF_SECTION.get(section)
        for i, item in enumerate(items):
            try:
                node = model.model_validate(item)
            except ValidationError as exc:
                loaded.problems.extend(_explain(err, (section, i), data, pos) for err in exc.errors())
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    loaded.broken_ids.add(item["id"])
                continue
            if kind is None:
                assert isinstance(node, GlossaryEntry)
                loaded.glossary.append((node, pos.values[(section, i, "term")]))
                continue
            refs = {
                name: [pos.values[(section, i, name, j)] for j in range(len(value))]
                for name, value in node
                if name in EDGE_FIELDS
            }
            loaded.entries.append(Entry(kind, node, pos.values[(section, i, "id")], refs))  # type: ignore[arg-type]


def _construct(node: yaml.Node, path: Path_, pos: _Positions, problems: list[Problem], count: list[int], depth: int) -> Any:
    count[0] += 1
    if count[0] > MAX_VALUES_PER_FILE:
        raise Refused(node.start_mark, f"more than {MAX_VALUES_PER_FILE:,} values; YAML aliases that expand this far are refused")
    if depth > MAX_DEPTH:
        raise Refused(node.start_mark, f"nested deeper than {MAX_DEPTH} levels")
    pos.values[path] = pos.at(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(pos.at(key_node.start_mark), "merge keys ('<<') are not supported; write the keys out"))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                problems.append(Problem(pos.at(key_node.start_mark), "keys must be plain words"))
                continue
            key = key_node.value
            if key in out:
                problems.append(
                    Problem(pos.at(key_node.start_mark), f"key '{key}' appears twice in this mapping (first at line {pos.keys[path + (key,)].line})")
                )
                continue
            pos.keys[path + (key,)] = pos.at(key_node.start_mark)
            out[key] = _construct(value_node, path + (key,), pos, problems, count, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), pos, problems, count, depth + 1) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
        # Dates stay text here; the models parse them, so a bad date is a problem, not a crash.
        return node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("yes", "true", "on", "y")
    if tag == "tag:yaml.org,2002:int":
        return _scalars.construct_yaml_int(_scalars.__new__(_scalars), node)  # type: ignore[arg-type]
    if tag == "tag:yaml.org,2002:float":
        return _scalars.construct_yaml_float(_scalars.__new__(_scalars), node)  # type: ignore[arg-type]
    return node.value


# --- turning pydantic's errors into messages an author can act on ---


def _who(loc: Path_, data: dict[str, Any]) -> str:
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        section = loc[0]
        kind = KIND_OF_SECTION.get(section, "glossary entry")
        try:
            entry = data[section][loc[1]]
        except (KeyError, IndexError, TypeError):
            entry = None
        ident = entry.get("id" if section != "glossary" else "term") if isinstance(entry, dict) else None
        if isinstance(ident, str) and ident:
            return f"{kind} '{ident}'"
        return f"{kind} #{loc[1] + 1} in '{section}'"
    return "file"


def _model_at(loc: Path_) -> type[BaseModel] | None:
    """The model class whose fields apply at `loc`, for did-you-mean on unknown keys."""
    cls: type[BaseModel] = PathwayFile
    for part in loc:
        if isinstance(part, int):
            continue
        info = cls.model_fields.get(part)
        if info is None:
            return None
        inner = _inner_model(info.annotation)
        if inner is None:
            return None
        cls = inner
    return cls


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found:
                return found
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (empty)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    return {dict: "a mapping", list: "a list", int: "a number", float: "a number", str: "text"}.get(type(value), type(value).__name__)


def _explain(err: Any, prefix: Path_, data: dict[str, Any], pos: _Positions) -> Problem:
    loc: Path_ = prefix + tuple(err["loc"])
    kind = err["type"]
    who = _who(loc, data)
    inside = [p for p in loc[2:]] if who != "file" else list(loc)
    name = ".".join(str(p) for p in inside) or str(loc[-1] if loc else "")
    value = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        hint = did_you_mean(key, model.model_fields) if model else ""
        expected = ""
        if model and not hint:
            expected = " (expected one of: " + ", ".join(model.model_fields) + ")"
        return Problem(pos.nearest(loc, keys=True), f"{who}: unknown key '{key}'{hint}{expected}")
    if kind == "missing":
        return Problem(pos.nearest(loc[:-1]), f"{who}: missing required key '{loc[-1]}'")
    where = pos.nearest(loc)
    if kind == "string_pattern_mismatch" and "a-z0-9" in str(err.get("ctx", {}).get("pattern", "")):
        return Problem(
            where,
            f"{who}: '{name}' is '{value}', which is not a valid id (use lowercase letters, digits and single hyphens, like 'nerve-block')",
        )
    if kind == "string_type":
        hint = " (put it in quotes: YAML reads yes/no/on/off as true/false)" if isinstance(value, bool) else ""
        return Problem(where, f"{who}: '{name}' should be text, not {_type_name(value)}{hint}")
    if kind == "list_type":
        return Problem(where, f"{who}: '{name}' should be a list (one '- item' per line), not {_type_name(value)}")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return Problem(where, f"{who}: '{name}' should be a mapping of keys, not {_type_name(value)}")
    if kind in ("enum", "literal_error"):
        expected = str(err.get("ctx", {}).get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        hint = did_you_mean(str(value), options)
        return Problem(where, f"{who}: '{name}' is '{value}'{hint}; expected one of: {', '.join(options)}")
    if kind.startswith("date"):
        return Problem(where, f"{who}: '{name}' is '{value}', not a valid date ({err['msg'].split(',', 1)[-1].strip()}); write YYYY-MM-DD")
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return Problem(where, f"{who}: '{name}' is {len(str(value)):,} characters, over the limit of {limit:,}")
    if kind == "string_too_short":
        return Problem(where, f"{who}: '{name}' must not be empty")
    msg = err["msg"]
    return Problem(where, f"{who}: '{name}': {msg[0].lower() + msg[1:]}")
