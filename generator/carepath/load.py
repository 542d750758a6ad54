"""Read `pathway/**/*.yml` into typed models, keeping each value's file, line and column.

Only reads: it never writes. Every problem in every file is collected; nothing is raised for bad input.
Graph rules (references, cycles, reachability) belong to `validate.py`.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.resolver import Resolver

from carepath.model.graph import (
    EDGE_FIELDS,
    KINDS,
    GlossaryEntry,
    Node,
    PathwayFile,
    Position,
    SourceEntry,
    VocabularySection,
    folder_of,
    namespace_at,
)
from carepath.model.regions import ADDITIONS, REGION_FILE, NodeAddition, RegionFile, RegionInfo, Service
from carepath.problems import Problem, did_you_mean, quote
from carepath.settings import REGIONS_FOLDER

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A pathway file larger than this is refused: a real one is a few hundred KB at most."""
MAX_VALUES_PER_FILE = 250_000
"""Values in one file after YAML aliases are expanded, so an 'alias bomb' is refused instead of eating memory."""
MAX_DEPTH = 32
"""Nesting depth of mappings and lists; real pathway data needs six levels."""
MAX_FILES = 5_000
MAX_ENTRIES = 20_000
"""Nodes plus glossary terms over all files; bounds the graph checks and the size of the site."""
YAML_SUFFIXES = (".yml", ".yaml")
TRANSLATION_FILE = re.compile(r"^(?P<stem>[^.]+)\.(?P<lang>[a-z]{2,3})\.(?P<ext>ya?ml)$")
"""`treatments.es.yml`: the translation of `treatments.yml` beside it into `es` (AUTHORING.md, "Languages")."""

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_C_READER = _Loader is not yaml.SafeLoader
_scalars = yaml.SafeLoader  # only used for its scalar constructors
_STR = "tag:yaml.org,2002:str"
Path_ = tuple[str | int, ...]
Mark = Any
"""A YAML source mark; libyaml's events and PyYAML's nodes carry two different classes with the same fields."""


class Refused(Exception):
    """A file breaks a hard limit; it is reported as one problem and the file is skipped."""

    def __init__(self, mark: Mark, message: str) -> None:
        self.mark = mark
        self.message = message


class AliasErrors(Exception):
    """Aliases that name no usable anchor: every one in the file, each at its own place; the file is skipped."""

    def __init__(self, found: list[tuple[Mark, str, str]]) -> None:
        self.found = found
        """(where, anchor name, message) of each."""


class _Positions:
    def __init__(self, rel: str, text: str = "") -> None:
        self.rel = rel
        self.anchors: set[str] = set()
        """Every anchor name the file defines, to tell an alias to another file's anchor apart from a typo."""
        self.values: dict[Path_, Position] = {}
        self.keys: dict[Path_, Position] = {}
        self.last_line = text.count("\n") + 1
        self.last_col = len(text) - text.rfind("\n")

    def at(self, mark: Mark) -> Position:
        if mark.line + 1 > self.last_line:
            # libyaml puts "end of file" on a line after a last line that has no newline.
            return Position(self.rel, self.last_line, self.last_col)
        return Position(self.rel, mark.line + 1, mark.column + 1)

    def nearest(self, loc: Path_, keys: bool = False) -> Position:
        table = self.keys if keys else self.values
        for n in range(len(loc), -1, -1):
            pos = table.get(loc[:n]) or self.values.get(loc[:n])
            if pos:
                return pos
        return Position(self.rel, 1, 1)


@dataclass
class Entry:
    """One node as loaded, with where it came from; duplicates are kept for validation to report."""

    kind: str
    node: Node
    position: Position
    """Position of its `id` value."""
    field_positions: dict[str, list[Position]]
    """Reference field name -> position of each listed id, in order."""
    _positions: _Positions
    _prefix: Path_
    scope: str | None = None
    """The pathway whose namespace the node is in ('<scope>/<id>' is its full id), or None for a shared node."""

    @property
    def full_id(self) -> str:
        """The node's id in the knowledge base: '<pathway>/<id>' for a node local to a pathway."""
        return f"{self.scope}/{self.node.id}" if self.scope else self.node.id

    def locate(self, *loc: str | int, key: bool = False) -> Position:
        """Where a value inside this entry was written, e.g. `locate("codes", 0, "code")`; the nearest parent if absent.
        With `key`, where its key was written (`locate("in", "knee", key=True)`: the line that names the pathway)."""
        return self._positions.nearest(self._prefix + loc, keys=key)


Locate = Callable[..., Position]
"""Where a value inside one loaded entry was written: `locate("phone")`; the nearest parent if absent."""


@dataclass
class LoadedRegion:
    """A region's folder as loaded: each entry with the function that locates a value inside it."""

    folder: str
    """'pathway/regions/<id>', where problems about the region as a whole are reported."""
    info: list[tuple[RegionInfo, Locate]] = field(default_factory=list)
    services: list[tuple[Service, Locate]] = field(default_factory=list)
    additions: list[tuple[NodeAddition, Locate]] = field(default_factory=list)
    broken: bool = False
    """Some entry could not be loaded: the region is reported, never built."""


@dataclass
class Loaded:
    entries: list[Entry] = field(default_factory=list)
    glossary: list[tuple[GlossaryEntry, Position]] = field(default_factory=list)
    sources: list[tuple[SourceEntry, Position]] = field(default_factory=list)
    """The sources register's entries, each with the position of its id."""
    vocabularies: list[tuple[VocabularySection, Callable[..., Position]]] = field(default_factory=list)
    """Each file's `vocabulary:` section, with a function that locates a value inside it."""
    problems: list[Problem] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)
    """Ids of entries that failed to load: references to them are not reported again."""
    files: list[str] = field(default_factory=list)
    folder: str = "pathway"
    """The pathway folder relative to its parent, where problems about the data as a whole are reported."""
    incomplete: bool = False
    """Some node could not be loaded, so graph-wide checks such as reachability would guess."""
    unresolved_aliases: list[tuple[int, str]] = field(default_factory=list)
    """(index in `problems`, anchor name) of each alias with no anchor in its own file."""
    anchors: dict[str, list[str]] = field(default_factory=dict)
    """Anchor name -> the files that define it."""
    namespaces: dict[str, str] = field(default_factory=dict)
    """A pathway's folder (such as 'pathway/knee-pain') -> the id of the pathway it holds: every node in it is local."""
    regions: dict[str, LoadedRegion] = field(default_factory=dict)
    """Region id (its folder's name under `regions/`) -> what its files hold, for `validate/regions.py` to check."""
    earlier_models: dict[int, tuple[Any, BaseModel]] = field(default_factory=dict)
    """Entries validated by an earlier load, by the identity of their parsed value (`ParseCache.models`)."""
    models: dict[int, tuple[Any, BaseModel]] = field(default_factory=dict)
    """The same for this load: the entries it validated or found validated."""

    def scope_at(self, position: Position) -> str | None:
        """The pathway whose namespace a value written at `position` is in; None in the shared library."""
        return namespace_at(self.namespaces, position)


class ParseCache:
    """Each pathway file's parsed YAML (its values and their positions, and the problems parsing found) by the file's
    path and bytes, kept from one load to the next in one process (`mkdocs serve`): an edit re-parses only the files
    it changed. Only a file that parsed is kept, and what is kept is only read afterwards: each load builds its models
    from it anew. In memory only; files no longer read are dropped at the end of each load."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, Any, _Positions, list[Problem]]] = {}
        self.parsed: list[str] = []
        """The files the last load parsed (not found here unchanged), for tests and benchmarks."""
        self.models: dict[int, tuple[Any, BaseModel]] = {}
        """Each entry's model by the identity of its parsed value, with that value (so the identity stays its own): an
        unchanged file's entries are the very same values, so their models are not validated again either. Models are
        only read afterwards (validation copies a node to change it)."""

    def get(self, rel: str, raw: bytes) -> tuple[Any, _Positions, list[Problem]] | None:
        found = self.files.get(rel)
        return found[1:] if found is not None and found[0] == raw else None

    def put(self, rel: str, raw: bytes, data: Any, pos: _Positions, problems: list[Problem]) -> None:
        self.files[rel] = (raw, data, pos, list(problems))
        self.parsed.append(rel)

    def keep_only(self, rels: list[str], models: dict[int, tuple[Any, BaseModel]]) -> None:
        """Keep the files of this load, and the models of its entries (`models`, those it used or made)."""
        kept = set(rels)
        self.files = {rel: found for rel, found in self.files.items() if rel in kept}
        self.models = models


def is_translation(path: Path, pathway_dir: Path) -> bool:
    """A translation file (`treatments.es.yml`, beside the English it translates): read against the valid graph
    (`translation.py`), not as pathway data. A regional overlay's folder holds none: its names are its own."""
    return bool(TRANSLATION_FILE.match(path.name)) and not path.is_relative_to(pathway_dir / REGIONS_FOLDER)


def pathway_files(pathway_dir: Path) -> list[Path]:
    """Every YAML file under the pathway dir, in a stable order: exactly the files `load_pathway` reads (translations
    are `translation_files`)."""
    return [p for p in _find_files(pathway_dir, pathway_dir.parent)[0] if not is_translation(p, pathway_dir)]


def translation_files(pathway_dir: Path) -> list[Path]:
    """Every translation file under the pathway dir, in a stable order."""
    return [p for p in _find_files(pathway_dir, pathway_dir.parent)[0] if is_translation(p, pathway_dir)]


def source_files(pathway_dir: Path) -> list[Path]:
    """Every YAML file under the pathway dir the build reads, in a stable order: pathway data and translations."""
    return _find_files(pathway_dir, pathway_dir.parent)[0]


def walk_files(folder: Path, onerror: Callable[[OSError], None] | None = None) -> list[Path]:
    """Everything under `folder` that is not a folder (files, and links to nothing), sorted. Links to folders are
    followed, as `open` follows them, and each real folder is read once (a folder linked twice, or a link back up
    the tree). The one walk of a source folder: the loader and the build cache's key read the same files."""
    found: list[Path] = []
    seen: set[str] = set()
    for top, dirs, names in os.walk(folder, onerror=onerror, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()  # which of two links to one folder is read is then the same on every machine
        found.extend(Path(top) / name for name in names)
    return sorted(found)


def _find_files(pathway_dir: Path, base: Path) -> tuple[list[Path], list[Problem]]:
    """YAML files under the pathway dir, and a problem for each folder that cannot be read and each broken link:
    skipping them silently would check less than the author wrote."""
    files: list[Path] = []
    problems: list[Problem] = []

    def unreadable(exc: OSError) -> None:
        where = _rel(Path(exc.filename), base) if exc.filename else _rel(pathway_dir, base)
        problems.append(Problem(Position(where, 1, 1), f"cannot read this folder: {exc.strerror or exc}; the files in it were not checked"))

    for path in walk_files(pathway_dir, unreadable):
        if path.is_symlink() and not path.exists():
            problems.append(
                Problem(Position(_rel(path, base), 1, 1), f"a symbolic link to {quote(os.readlink(path))}, which does not exist; fix or remove it")
            )
        elif path.suffix in YAML_SUFFIXES and path.is_file():
            files.append(path)
    return files, problems


def load_pathway(pathway_dir: Path, parsed: ParseCache | None = None) -> Loaded:
    """Load every file under `pathway_dir`; positions are relative to the dir's parent. With `parsed`, a file whose
    bytes it holds is not parsed again."""
    if parsed is not None:
        parsed.parsed = []
    base = pathway_dir.parent
    loaded = Loaded(folder=_rel(pathway_dir, base), earlier_models=parsed.models if parsed is not None else {})
    here = Position(loaded.folder, 1, 1)
    if not pathway_dir.is_dir():  # named as given: relative to its parent, '/srv/care/pathway' would read 'pathway'
        loaded.problems.append(Problem(Position(pathway_dir.as_posix(), 1, 1), "pathway folder not found"))
        return loaded
    files, unread = _find_files(pathway_dir, base)
    if unread:
        loaded.problems.extend(unread)
        loaded.incomplete = True
    if not files and not unread:
        loaded.problems.append(Problem(here, "no pathway files (*.yml) in this folder"))
        return loaded
    if len(files) > MAX_FILES:
        loaded.problems.append(Problem(here, f"{len(files):,} files is more than the limit of {MAX_FILES:,}"))
        return loaded
    regions = pathway_dir / REGIONS_FOLDER
    for path in files:
        rel = _rel(path, base)
        if is_translation(path, pathway_dir):
            continue
        if path.is_relative_to(regions):
            _load_region_file(path, rel, path.relative_to(regions).parts, loaded, parsed)
            continue
        _load_file(path, rel, loaded, parsed=parsed)
        if len(loaded.entries) + len(loaded.glossary) > MAX_ENTRIES:
            loaded.problems.append(
                Problem(
                    Position(rel, 1, 1),
                    f"with this file the pathway data has more than {MAX_ENTRIES:,} nodes and glossary terms, the limit; "
                    "later files were not read",
                )
            )
            loaded.incomplete = True
            break
    _explain_foreign_aliases(loaded)
    _assign_namespaces(loaded)
    if parsed is not None:
        parsed.keep_only(loaded.files, loaded.models)
    return loaded


SHARED_FOLDER = "shared"
"""The conventional folder of the shared library; any folder that holds no pathway is shared too."""


def _assign_namespaces(loaded: Loaded) -> None:
    """A first-level folder that holds one pathway is its namespace: every node in the folder is local to it.

    Files at the top of the pathway folder and folders with no pathway (`pathway/shared/`) are the shared
    library. A stage may still name its pathway with `pathway:` (the way to scope a stage in a shared file).
    """
    held: dict[str, list[Entry]] = {}
    for entry in loaded.entries:
        folder = folder_of(entry.position.path)
        if entry.kind == "pathway" and folder is not None:
            held.setdefault(folder, []).append(entry)
    for folder, pathways in sorted(held.items()):
        first = pathways[0]
        if len(pathways) > 1:
            for other in pathways[1:]:
                loaded.problems.append(
                    Problem(
                        other.position,
                        f"pathway {quote(other.node.id)}: the folder '{folder}/' already holds pathway {quote(first.node.id)} (at {first.position}); "
                        f"a pathway folder holds one pathway and its own nodes: give {quote(other.node.id)} a folder of its own",
                    )
                )
            continue  # which pathway the folder's nodes belong to is unclear: they stay shared until it is fixed
        if folder.rsplit("/", 1)[-1] == SHARED_FOLDER:
            loaded.problems.append(
                Problem(
                    first.position,
                    f"pathway {quote(first.node.id)}: '{folder}/' is the shared library, which holds no pathway; "
                    f"move the pathway to a folder of its own, such as '{loaded.folder}/{first.node.id}/'",
                )
            )
            continue
        loaded.namespaces[folder] = first.node.id
    for entry in loaded.entries:
        if entry.kind == "pathway":
            continue
        home = loaded.scope_at(entry.position)
        declared = getattr(entry.node, "pathway", None)
        if declared and home and declared != home:
            loaded.problems.append(
                Problem(
                    entry.locate("pathway"),
                    f"{entry.kind} {quote(entry.node.id)}: 'pathway' is {quote(declared)}, but the file is in the folder of pathway "
                    f"{quote(home)}, whose nodes are all its own; remove 'pathway:' or move the {entry.kind} to the folder of {quote(declared)}",
                )
            )
        entry.scope = home or declared


def _explain_foreign_aliases(loaded: Loaded) -> None:
    """An alias whose anchor is in another file: YAML anchors live in one file, so say that plainly."""
    for index, name in loaded.unresolved_aliases:
        problem = loaded.problems[index]
        elsewhere = [f for f in loaded.anchors.get(name, []) if f != problem.position.path]
        if elsewhere:
            loaded.problems[index] = Problem(
                problem.position,
                f"the alias '*{name}' has no anchor in this file ('&{name}' is in {elsewhere[0]}); "
                "anchors work within one file only: repeat the text or use a shared node",
            )


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _load_file(
    path: Path,
    rel: str,
    loaded: Loaded,
    into: Callable[[dict[str, Any], _Positions, Loaded], None] | None = None,
    parsed: ParseCache | None = None,
) -> None:
    """Read one file and hand its mapping to `into` (a pathway file's sections by default, `_validate_file`); parse it
    unless `parsed` holds these very bytes."""
    loaded.files.append(rel)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
            size = len(raw) if len(raw) <= MAX_FILE_BYTES else os.fstat(f.fileno()).st_size
    except OSError as exc:
        loaded.problems.append(Problem(Position(rel, 1, 1), f"cannot read the file: {exc.strerror or exc}"))
        loaded.incomplete = True
        return
    if size > MAX_FILE_BYTES:
        loaded.problems.append(Problem(Position(rel, 1, 1), f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; split it"))
        _salvage_ids(raw[:MAX_FILE_BYTES], loaded)
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        loaded.problems.append(
            Problem(Position(rel, line, col), f"bytes that are not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        )
        _salvage_ids(raw, loaded)
        return
    found = parsed.get(rel, raw) if parsed is not None else None
    if found is not None:
        data, pos, problems = found[0], found[1], list(found[2])
    else:
        data, read, problems = _parse(raw, text, rel, loaded)
        if read is None:
            return
        pos = read
        if parsed is not None:
            parsed.put(rel, raw, data, pos, problems)
    for name in pos.anchors:
        loaded.anchors.setdefault(name, []).append(rel)
    loaded.problems.extend(problems)
    if data is None:
        return  # only comments, or an empty document
    if not isinstance(data, dict):
        loaded.problems.append(
            Problem(pos.nearest(()), f"the file must be a mapping with keys such as 'treatments:', not {_type_name(data)}")
        )
        return
    (into or _validate_file)(data, pos, loaded)


def _parse(raw: bytes, text: str, rel: str, loaded: Loaded) -> tuple[Any, _Positions | None, list[Problem]]:
    """A file's values, their positions and the problems found on the way; for a file that cannot be parsed, its
    problem is added to `loaded` (and the ids it seems to define noted) and the positions are None."""
    pos = _Positions(rel, text)
    problems: list[Problem] = []
    try:
        root = _compose(text, pos, problems)
        data = None if root is None else _construct(root, (), pos, problems)
    except yaml.MarkedYAMLError as exc:
        loaded.problems.append(_syntax_problem(exc, text, pos))
        _salvage_ids(raw, loaded)
        return None, None, []
    except yaml.reader.ReaderError as exc:
        # libyaml counts the offset in UTF-8 bytes, the pure-Python reader in characters.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "replace") if _C_READER else text[: exc.position]
        where = Position(rel, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        loaded.problems.append(Problem(where, f"the character {quote(char)} (U+{ord(char):04X}) is not allowed in YAML; remove it"))
        _salvage_ids(raw, loaded)
        return None, None, []
    except Refused as exc:
        loaded.problems.append(Problem(pos.at(exc.mark) if exc.mark else Position(rel, 1, 1), exc.message))
        _salvage_ids(raw, loaded)
        return None, None, []
    except AliasErrors as exc:
        loaded.problems.extend(problems)  # such as a second document, found before the aliases were judged
        for name in pos.anchors:
            loaded.anchors.setdefault(name, []).append(rel)
        for mark, name, message in exc.found:
            if name not in pos.anchors:
                loaded.unresolved_aliases.append((len(loaded.problems), name))
            loaded.problems.append(Problem(pos.at(mark), message))
        _salvage_ids(raw, loaded)
        return None, None, []
    return data, pos, problems


_UNCLOSED = {
    "while parsing a flow sequence": ("[", "]"),
    "while parsing a flow mapping": ("{", "}"),
    "while scanning a quoted scalar": ("quote", ""),
}


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, pos: _Positions) -> Problem:
    """A YAML syntax error an author can act on: a tab named as a tab, an unclosed bracket or quote where it opened."""
    mark = exc.problem_mark or exc.context_mark
    where = pos.at(mark) if mark else Position(pos.rel, 1, 1)
    what = " ".join(filter(None, [exc.context, exc.problem]))
    lines = text.split("\n")
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    if "\t" in line[: len(line) - len(line.lstrip(" \t"))] or "tab" in (exc.problem or ""):
        col = line.find("\t") + 1 if "\t" in line else where.col
        return Problem(Position(pos.rel, where.line, col), "YAML syntax error: a tab indents this line; YAML indents with spaces only (replace the tab with spaces)")
    opened = _UNCLOSED.get(exc.context or "")
    if opened and exc.context_mark is not None and exc.problem_mark is not None and exc.context_mark.line < exc.problem_mark.line:
        start = pos.at(exc.context_mark)
        if opened[0] == "quote":
            return Problem(start, f"YAML syntax error: the quote opened here is never closed (the file ends at line {where.line})")
        return Problem(
            start, f"YAML syntax error: the '{opened[0]}' opened here is never closed (expected ',' or '{opened[1]}' before line {where.line})"
        )
    return Problem(where, f"YAML syntax error: {_one_line(what)}")


_ID_LINE = re.compile(rb"^[ \t-]*id:\s*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)[\"']?\s*(?:#.*)?$", re.MULTILINE)


def _salvage_ids(raw: bytes, loaded: Loaded) -> None:
    """Note the ids an unreadable file seems to define, so references to them are not reported as unknown too."""
    loaded.incomplete = True
    loaded.broken_ids.update(m.group(1).decode("ascii") for m in _ID_LINE.finditer(raw))


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- YAML text -> nodes, iteratively, so deep nesting is refused instead of overflowing the C stack ---


_resolve: Any = Resolver().resolve


class _Frame:
    """A collection being composed: its node, its anchor, and its size and height once aliases are expanded."""

    def __init__(self, node: yaml.Node, anchor: str | None) -> None:
        self.node = node
        self.anchor = anchor
        self.size = 1
        self.height = 1


def _compose(text: str, pos: _Positions, problems: list[Problem]) -> yaml.Node | None:
    """Like `yaml.compose`, but one document only, and bounded as it parses.

    Sizes and depths are counted as if every alias were expanded, so an alias bomb or a deep chain of
    aliases is refused before any of it is built; the file size bounds the rest.
    """
    anchors: dict[str, tuple[yaml.Node, int, int]] = {}  # anchor -> (node, expanded size, height)
    open_anchors: set[str] = set()
    stack: list[_Frame] = []
    root: yaml.Node | None = None
    documents = 0
    total = 0  # values so far, aliases expanded
    aliased = False
    bad_aliases: list[tuple[Mark, str, str]] = []  # every one is reported, not just the first

    def count(values: int, mark: Mark) -> None:
        """Each value is counted once, when it starts; an alias counts every value it expands to."""
        nonlocal total
        total += values
        if total > MAX_VALUES_PER_FILE:
            how = "YAML aliases ('*name') expand to" if aliased else "the file holds"
            raise Refused(mark, f"{how} more than {MAX_VALUES_PER_FILE:,} values, the limit; split the file or write the values out")

    def attach(node: yaml.Node, size: int, height: int) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.node, yaml.SequenceNode):
            parent.node.value.append(node)
        elif parent.node.value and parent.node.value[-1][1] is None:
            parent.node.value[-1] = (parent.node.value[-1][0], node)
        else:
            parent.node.value.append((node, None))

    events: Iterator[Any] = yaml.parse(text, Loader=_Loader)
    for event in events:
        start: Mark = event.start_mark
        end: Mark = event.end_mark
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                problems.append(
                    Problem(pos.at(start), "a second YAML document ('---') in one file; put it in a file of its own")
                )
                break
        elif isinstance(event, yaml.AliasEvent):
            name = str(event.anchor)
            if name in open_anchors or name not in anchors:
                if name in open_anchors:
                    bad_aliases.append((start, name, f"the alias '*{name}' refers to a value that contains it, which never ends"))
                else:
                    bad_aliases.append((start, name, f"the alias '*{name}' has no anchor '&{name}' before it"))
                # A stand-in, so parsing goes on to the file's other aliases; the file is skipped at the end.
                count(1, start)
                attach(yaml.ScalarNode("tag:yaml.org,2002:null", "", start, end), 1, 0)
                continue
            node, size, height = anchors[name]
            if len(stack) + height > MAX_DEPTH:
                raise Refused(start, f"nested deeper than {MAX_DEPTH} levels once YAML aliases are expanded, the limit")
            aliased = True
            count(size, start)
            attach(node, size, height)
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolve(yaml.ScalarNode, event.value, event.implicit)
            node = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1, 0)
                pos.anchors.add(event.anchor)
            count(1, start)
            attach(node, 1, 0)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise Refused(start, f"nested deeper than {MAX_DEPTH} levels, the limit")
            count(1, start)
            kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = _resolve(kind, None, event.implicit)
            node = kind(tag, [], start, None, flow_style=event.flow_style)
            stack.append(_Frame(node, event.anchor))
            if event.anchor is not None:
                open_anchors.add(event.anchor)
                pos.anchors.add(event.anchor)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            frame = stack.pop()
            frame.node.end_mark = end
            if frame.anchor is not None:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (frame.node, frame.size, frame.height)
            attach(frame.node, frame.size, frame.height)
    if bad_aliases:
        raise AliasErrors(bad_aliases)
    return root


def _construct(node: yaml.Node, path: Path_, pos: _Positions, problems: list[Problem]) -> Any:
    """Python values from composed nodes; `_compose` has already bounded their size and depth."""
    pos.values[path] = pos.at(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(pos.at(key_node.start_mark), "merge keys ('<<') are not supported; write the keys out"))
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                problems.append(Problem(pos.at(key_node.start_mark), "keys must be plain words"))
                continue
            key = key_node.value
            if key in out:
                problems.append(
                    Problem(pos.at(key_node.start_mark), f"key {quote(key)} appears twice in this mapping (first at line {pos.keys[path + (key,)].line})")
                )
                continue
            pos.keys[path + (key,)] = pos.at(key_node.start_mark)
            out[key] = _construct(value_node, path + (key,), pos, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), pos, problems) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    try:
        return _scalar(node)
    except ValueError:
        problems.append(Problem(pos.at(node.start_mark), f"{quote(node.value)} is not a valid {node.tag.rsplit(':', 1)[-1]}"))
        return node.value  # reported once here, not again as the wrong type


_BOOLS = {"yes": True, "true": True, "on": True, "y": True, "no": False, "false": False, "off": False, "n": False}


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value; ValueError when an explicit tag (`!!int abc`) does not fit the text."""
    tag = node.tag
    if tag == _STR or tag == "tag:yaml.org,2002:timestamp":
        # Dates stay text here; the models parse them, so a bad date is a problem, not a crash.
        return node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _BOOLS[node.value.lower()] if node.value.lower() in _BOOLS else _raise(node.value)
    if tag == "tag:yaml.org,2002:int":
        return _scalars.construct_yaml_int(_scalars.__new__(_scalars), node)
    if tag == "tag:yaml.org,2002:float":
        return _scalars.construct_yaml_float(_scalars.__new__(_scalars), node)
    return node.value


def _raise(value: str) -> Any:
    raise ValueError(value)


def _load_region_file(path: Path, rel: str, parts: tuple[str, ...], loaded: Loaded, parsed: ParseCache | None = None) -> None:
    """A file under `regions/`: an overlay, never nodes. Its region is the folder it is in (`regions/<id>/...`)."""
    if len(parts) < 2:
        where = Position(rel, 1, 1)
        loaded.problems.append(Problem(where, f"a region's files go in a folder of its own, '{rel.rsplit('/', 1)[0]}/<region-id>/{REGION_FILE}'; move this file there"))
        return
    folder = rel[: -len("/".join(parts))] + parts[0]
    region = loaded.regions.setdefault(parts[0], LoadedRegion(folder))
    _load_file(path, rel, loaded, partial(_validate_region_file, region=region, top=len(parts) == 2 and parts[1] == REGION_FILE), parsed)


_REGION_SECTIONS: dict[str, type[BaseModel]] = {"services": Service, "nodes": NodeAddition}
_NODE_FIELDS = frozenset(name for kind in KINDS for name, info in kind.model.model_fields.items()) | {"in"}
_SAFETY_FIELDS = frozenset({*EDGE_FIELDS, "urgency", "get_help_if", "action", "risks", "signs_not_working", "review"})
"""A node's fields that say what is dangerous, how urgent it is and where it leads: the same in every region."""


def _validate_region_file(data: dict[str, Any], pos: _Positions, loaded: Loaded, *, region: LoadedRegion, top: bool) -> None:
    """A region file's sections, entry by entry, each with what locates its values. A key that would change a node
    (rather than add to its page) is named with why a region cannot, before the model sees it."""
    for section, items in data.items():
        where = pos.nearest((section,), keys=True)
        if section == "region":
            if not top:
                loaded.problems.append(Problem(where, f"'region:' belongs in the region's '{REGION_FILE}', at the top of its folder"))
                region.broken = True
                continue
            try:
                region.info.append((RegionInfo.model_validate(items), partial(_locate, pos, ("region",))))
            except ValidationError as exc:
                loaded.problems.extend(_explain_all(exc.errors(), ("region",), data, pos, RegionFile))
                region.broken = True
            continue
        model = _REGION_SECTIONS.get(section)
        if model is None:
            hint = did_you_mean(section, ["region", *_REGION_SECTIONS]) or " (expected one of: region, services, nodes)"
            loaded.problems.append(Problem(where, f"unknown top-level key {quote(section)} in a region's file{hint}"))
            region.broken = True
            continue
        if not isinstance(items, list):
            loaded.problems.append(Problem(pos.nearest((section,)), f"'{section}' should be a list of entries (each starting with '- '), not {_type_name(items)}"))
            region.broken = True
            continue
        for i, item in enumerate(items):
            if section == "nodes" and isinstance(item, dict):
                item = _only_additions(item, (section, i), pos, loaded, region)
            try:
                entry = model.model_validate(item)
            except ValidationError as exc:
                loaded.problems.extend(_explain_all(exc.errors(), (section, i), data, pos, RegionFile))
                region.broken = True
                continue
            locate = partial(_locate, pos, (section, i))
            if isinstance(entry, Service):
                region.services.append((entry, locate))
            else:
                assert isinstance(entry, NodeAddition)
                region.additions.append((entry, locate))


def _only_additions(item: dict[str, Any], at: Path_, pos: _Positions, loaded: Loaded, region: LoadedRegion) -> dict[str, Any]:
    """`item` without the keys a region may not write, each reported at its line with why not."""
    allowed = ("id", *ADDITIONS)
    node = quote(item["id"]) if isinstance(item.get("id"), str) else f"#{int(at[1]) + 1}"
    for key in [k for k in item if k not in allowed]:
        if key in _SAFETY_FIELDS:
            why = (
                f"a region cannot change a node's {quote(key)}: red flags, urgency, 'Get help if' lines and where a node "
                "leads are the same in every region, so no region can remove or lower one"
            )
        elif key in _NODE_FIELDS:
            why = f"a region cannot override the node's own {quote(key)}"
        else:
            why = f"unknown key {quote(key)}{did_you_mean(key, allowed)}"
        message = f"region note on node {node}: {why}; a region adds only {', '.join(repr(a) for a in ADDITIONS)} and services (AUTHORING.md, 'Regional overlays')"
        loaded.problems.append(Problem(pos.nearest(at + (key,), keys=True), message))
        region.broken = True
    return {k: v for k, v in item.items() if k in allowed}


def _locate(pos: _Positions, prefix: Path_, *loc: str | int) -> Position:
    return pos.nearest(prefix + loc)


_SECTION_MODELS: dict[str, type[BaseModel]] = {
    name: typing.get_args(info.annotation)[0] for name, info in PathwayFile.model_fields.items()
}


def _validate_file(data: dict[str, Any], pos: _Positions, loaded: Loaded) -> None:
    """Validate entry by entry, so one broken node does not hide the problems of the others."""
    for section, items in data.items():
        model = _SECTION_MODELS.get(section)
        if model is None:
            hint = did_you_mean(section, _SECTION_MODELS) or f" (expected one of: {', '.join(_SECTION_MODELS)})"
            loaded.problems.append(Problem(pos.nearest((section,), keys=True), f"unknown top-level key {quote(section)}{hint}"))
            _note_broken(items, loaded)
            continue
        if section == "vocabulary":
            _load_vocabulary(items, pos, loaded)
            continue
        if not isinstance(items, list):
            loaded.problems.append(
                Problem(pos.nearest((section,)), f"'{section}' should be a list of entries (each starting with '- '), not {_type_name(items)}")
            )
            _note_broken(items, loaded)
            continue
        listed = KINDS.of_section(section)
        kind = listed.name if listed else None
        for i, item in enumerate(items):
            try:
                node = _validated(model, item, loaded)
            except ValidationError as exc:
                loaded.problems.extend(_explain_all(exc.errors(), (section, i), data, pos))
                if kind is not None:  # a broken glossary entry hides no node
                    _note_broken([item], loaded)
                elif section == "sources" and isinstance(item, dict) and isinstance(item.get("id"), str):
                    loaded.broken_ids.add(item["id"].strip())  # its citations are not reported as unknown again
                continue
            if isinstance(node, SourceEntry):
                loaded.sources.append((node, pos.values[(section, i, "id")]))
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
            loaded.entries.append(Entry(kind, node, pos.values[(section, i, "id")], refs, pos, (section, i)))  # type: ignore[arg-type]


def _validated(model: type[BaseModel], item: Any, loaded: Loaded) -> BaseModel:
    """`model.model_validate(item)`, or the model an earlier load made of this very value (`ParseCache.models`)."""
    found = loaded.earlier_models.get(id(item))
    if found is not None and found[0] is item and type(found[1]) is model:
        node = found[1]
    else:
        node = model.model_validate(item)
    loaded.models[id(item)] = (item, node)
    return node


def _load_vocabulary(data: Any, pos: _Positions, loaded: Loaded) -> None:
    try:
        vocabulary = VocabularySection.model_validate(data)
    except ValidationError as exc:
        loaded.problems.extend(_explain_all(exc.errors(), ("vocabulary",), {"vocabulary": data}, pos))
        loaded.incomplete = True  # a treatment may use a type the broken section meant to add
        return
    loaded.vocabularies.append((vocabulary, lambda *loc: pos.nearest(("vocabulary", *loc))))


def _note_broken(items: Any, loaded: Loaded) -> None:
    loaded.incomplete = True
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            loaded.broken_ids.add(item["id"].strip())


# --- turning pydantic's errors into messages an author can act on ---


def _explain_all(errors: list[Any], prefix: Path_, data: dict[str, Any], pos: _Positions, root: type[BaseModel] = PathwayFile) -> list[Problem]:
    """One problem per error; a misspelt key explains the 'missing' error of the key it was meant to be."""
    misspelt: set[Path_] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc: Path_ = prefix + tuple(err["loc"])
            model = _model_at(loc[:-1], root)
            match = did_you_mean(str(loc[-1]), _keys(model)) if model else ""
            if match:
                misspelt.add(loc[:-1] + (match.split("'")[1],))
    return [_explain(err, prefix, data, pos, root) for err in errors if not (err["type"] == "missing" and prefix + tuple(err["loc"]) in misspelt)]


_REGION_ENTRIES = {"services": "service", "nodes": "region note on node"}
"""What an entry of a region file's section is called in messages."""


def _who(loc: Path_, data: dict[str, Any]) -> str:
    if loc and loc[0] in ("vocabulary", "region"):
        return str(loc[0])
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        section = loc[0]
        listed = KINDS.of_section(section)
        kind = listed.name if listed else _REGION_ENTRIES.get(section, "glossary entry")
        try:
            entry = data[section][loc[1]]
        except (KeyError, IndexError, TypeError):
            entry = None
        ident = entry.get("id" if section != "glossary" else "term") if isinstance(entry, dict) else None
        if isinstance(ident, str) and ident.strip():
            return f"{kind} {quote(ident.strip())}"
        return f"{kind} #{loc[1] + 1} in '{section}'"
    return "file"


def _keys(model: type[BaseModel]) -> dict[str, Any]:
    """A model's keys as authors write them: a field's YAML key is its alias when it has one (`in`)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _model_at(loc: Path_, root: type[BaseModel] = PathwayFile) -> type[BaseModel] | None:
    """The model class whose fields apply at `loc` in a file of `root`'s shape, for did-you-mean on unknown keys."""
    cls: type[BaseModel] = root
    keyed = False
    for part in loc:
        if isinstance(part, int) or keyed:
            keyed = False  # a list index, or the key of a mapping such as `in:` (a pathway id)
            continue
        info = _keys(cls).get(part)
        if info is None:
            return None
        inner = _inner_model(info.annotation)
        if inner is None:
            return None
        keyed = typing.get_origin(info.annotation) is dict
        cls = inner
    return cls


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is dict:
        return _inner_model(typing.get_args(annotation)[1])
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


def _explain(err: Any, prefix: Path_, data: dict[str, Any], pos: _Positions, root: type[BaseModel] = PathwayFile) -> Problem:
    loc: Path_ = prefix + tuple(err["loc"])
    kind = err["type"]
    who = _who(loc, data)
    inside = list(loc) if who == "file" else list(loc[1:]) if who == "region" else list(loc[2:])
    name = ".".join(str(p) for p in inside)
    value = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc[:-1], root)
        hint = did_you_mean(key, _keys(model)) if model else ""
        expected = ""
        if model and not hint:
            expected = " (expected one of: " + ", ".join(_keys(model)) + ")"
        return Problem(pos.nearest(loc, keys=True), f"{who}: unknown key {quote(key)}{hint}{expected}")
    if kind == "missing":
        return Problem(pos.nearest(loc[:-1]), f"{who}: missing required key '{loc[-1]}'")
    where = pos.nearest(loc)
    if not name:
        # The entry itself is the wrong shape, e.g. `- physio` instead of `- id: physio`.
        return Problem(where, f"{who} should be a mapping of keys such as 'id:' and 'title:', not {_type_name(value)}")
    if kind == "string_pattern_mismatch" and "a-z0-9" in str(err.get("ctx", {}).get("pattern", "")):
        return Problem(
            where,
            f"{who}: '{name}' is {quote(value)}, which is not a valid id (use lowercase letters, digits and single hyphens, like 'nerve-block')",
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
        hint = did_you_mean(str(value), options) if isinstance(value, str) else ""
        return Problem(where, f"{who}: '{name}' is {quote(value)}{hint}; expected one of: {', '.join(options)}")
    if kind.startswith("date"):
        reason = err["msg"].split(",", 1)[-1].strip() if "," in err["msg"] else "expected YYYY-MM-DD"
        return Problem(where, f"{who}: '{name}' is {quote(value)}, not a valid date ({reason}); write YYYY-MM-DD")
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return Problem(where, f"{who}: '{name}' is {len(str(value)):,} characters, over the limit of {limit:,}")
    if kind == "string_too_short":
        return Problem(where, f"{who}: '{name}' must not be empty")
    if kind == "too_short":
        return Problem(where, f"{who}: '{name}' must list at least one item")
    msg = err["msg"]
    return Problem(where, f"{who}: '{name}': {msg[0].lower() + msg[1:]}")
