"""`carepath new pathway|treatment|red-flag`: a draft skeleton written into the pathway data as text appended to it,
so the author's comments and layout stay as they were. Every file is written atomically, and only once the result,
checked in a copy of the folder, adds no error or warning.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from carepath import check_pathway
from carepath.audit.manifest import MANIFEST_NAME, manifest_text, read_manifest
from carepath.build.plan import plan_site
from carepath.build.write import write_file
from carepath.load import SHARED_FOLDER, Entry, Loaded, load_pathway
from carepath.model.graph import KnowledgeBase, Urgency
from carepath.model.nodes import SLUG_PATTERN
from carepath.model.vocabulary import DEFAULT_TREATMENT_KINDS
from carepath.problems import Problem, did_you_mean
from carepath.settings import PATHWAY_DIR, Settings, site_settings
from carepath.validate.graph import RESERVED_IDS, RESERVED_SCOPED_IDS
from carepath.validate.routes import literal_routes

SCHEMA = Path("schema") / "pathway.schema.json"
"""The editors' schema, relative to the project folder: a new file's first line points at it."""

_SLUG = re.compile(SLUG_PATTERN)
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,.()'-]*$")
"""Text YAML reads back as the same string when written without quotes."""


class Refusal(Exception):
    """Bad input for `new`: one line, exit 1, nothing written."""


@dataclass
class Change:
    """The new text of one file, and what to tell the author about it."""

    path: Path
    text: str
    said: str


# --- the skeletons ------------------------------------------------------------------------------------------------
# Each is a list item with its dash at column 0; `_indented` moves it to the list it joins. The placeholders are plain
# sentences a reader could grade (the readability gate grades draft pages too) and say nothing clinical: what to
# write comes from the author's sources.

SUMMARY_PLACEHOLDER = "Write here, in one or two short sentences, what this is and what it is for."
SIGN_PLACEHOLDER = "Write here, in one or two short sentences, what the reader notices."


def _review(today: dt.date) -> str:
    return f"""\
  # A draft until a named clinician reviews it: they set 'status: reviewed', 'reviewer', 'last_reviewed' and
  # 'next_review' (AUTHORING.md, "Review metadata"). Never fill these in for them.
  review:
    status: draft
    written: {today.isoformat()}  # the date the text was written or last changed; a draft page shows it
"""


def treatment_entry(node_id: str, title: str, kind: str, risky: bool, today: dt.date) -> str:
    """A draft treatment with every field `check --strict` requires of a treatment of type `kind`."""
    if risky:
        safety = f"""\
  # A {kind} can do harm, so its page must say what can go wrong and when to get help (a safety rule).
  # One risk a line, serious ones included:
  risks:
    - Write each risk here, one on each line.
  # The signs during or after it that mean get help, one a line, each with how soon: emergency, urgent, soon or
  # routine. The page says whom to call for each level: never write a phone number or a place here.
  get_help_if:
    - text: Write here a sign that means get help, and set how soon below.
      urgency: urgent
"""
    else:
        safety = """\
  # What can go wrong, one line each; and the signs that mean get help, each graded
  # (AUTHORING.md, "When to get help"). Required for a risky type such as medication or surgery.
  # risks:
  #   - ...
  # get_help_if:
  #   - {text: ..., urgency: urgent}
"""
    return f"""\
# A draft written by `carepath new treatment`: replace each placeholder with what your sources say, and
# uncomment the fields you fill in (AUTHORING.md, "Treatments", describes each one).
- id: {node_id}
  # The name patients know it by, one line.
  title: {_scalar(title)}
  # A treatment type of the vocabulary (AUTHORING.md, "Vocabulary"), such as self-care, medication or surgery.
  type: {kind}
  # One or two plain sentences, at most 400 characters.
  summary: {SUMMARY_PLACEHOLDER}
  # Markdown: the page's own text, how it helps, what to expect, how long relief lasts.
  # body: |
  #   ...
  # how_it_helps: ...
  # what_to_expect: ...
  # relief_duration: ...
{safety}\
  # Questions to ask your clinician, one a line.
  # questions:
  #   - ...
  # Links to other nodes, by id (AUTHORING.md, "Edges"): the conditions it is for, where to go if it does not help.
  # relevant_to: []
  # escalates_to: []
  # Decision aids (AUTHORING.md, "Decision aids"): required once it is reviewed; until then `check` notes them.
  # benefit:
  #   words: ...
  # if_you_wait: ...
  # alternatives: []
  # Citations: ids of the sources register (AUTHORING.md, "Sources register"); cite only a source you have checked.
  # sources: []
{_review(today)}"""


def red_flag_entry(node_id: str, title: str, urgency: Urgency, today: dt.date) -> str:
    """A draft red flag (an indicator) of `urgency`; its text names no number or place to call."""
    return f"""\
# A draft written by `carepath new red-flag`: replace each placeholder with what your sources say, and
# uncomment the fields you fill in (AUTHORING.md, "Indicators").
- id: {node_id}
  # The sign as a reader would notice it, one line.
  title: {_scalar(title)}
  # How soon to act: emergency, urgent, soon or routine. The page shows this level's label and whom to call:
  # the title, summary and action never name a phone number or a place (a check fails on them).
  urgency: {urgency.value}
  # Optional: steps to take besides getting help, one line. Never whom to call or where to go: the page gives the
  # edition's route for the urgency first (AUTHORING.md, "Editions").
  # action: ...
  # One or two plain sentences, at most 400 characters.
  summary: {SIGN_PLACEHOLDER}
  # body: |
  #   ...
  # Links by id (AUTHORING.md, "Edges"): the treatment or step it sends people to, the conditions it may point to.
  # refers_to: []
  # relevant_to: []
  # Citations: ids of the sources register; cite only a source you have checked.
  # sources: []
{_review(today)}"""


def pathway_entry(node_id: str, title: str, stages: list[str], red_flag: str, today: dt.date) -> str:
    return f"""\
- id: {node_id}
  # The pathway's name as patients would search for it, one line.
  title: {_scalar(title)}
  # One or two plain sentences, at most 400 characters.
  summary: {SUMMARY_PLACEHOLDER}
  # body: |
  #   ...
  # The steps of care in the order a patient meets them (ids of stages); the first is where every journey starts.
  stages: [{", ".join(stages)}]
  # Warning signs that apply at any point: at least one with 'urgency: emergency' (a safety rule).
  red_flags: [{red_flag}]
  # Who answers for this pathway's pages (AUTHORING.md, "Ownership"): only a real team, contact and reviewer.
  # owner:
  #   publisher: ...
  #   contact: ...
{_review(today)}"""


def stage_entry(node_id: str, title: str, escalates_to: str | None, today: dt.date) -> str:
    then = (
        f"  # The step to move on to when this one does not help.\n  escalates_to: [{escalates_to}]\n"
        if escalates_to
        else "  # escalates_to: []   # the step to move on to when this one does not help\n"
    )
    return f"""\
- id: {node_id}
  title: {_scalar(title)}
  summary: {SUMMARY_PLACEHOLDER}
  # The treatments and conditions this step offers, by id (`carepath new treatment ... --stage {node_id}` adds one).
  options: []
{then}\
  # when_to_move_on: ...   # Markdown: when it is time for the next step
  # signs_not_working:     # one line each
  #   - ...
  # red_flags: []          # warning signs to watch for in this step
{_review(today)}"""


def _scalar(text: str) -> str:
    """`text` as a YAML scalar on one line."""
    if _PLAIN.match(text) and not text.endswith(" "):
        return text
    return "'" + text.replace("'", "''") + "'"


def _title(node_id: str) -> str:
    return node_id.replace("-", " ").capitalize()


# --- appending text to a YAML file --------------------------------------------------------------------------------


def _compose(text: str, where: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise Refusal(f"{where}: cannot read it as YAML ({str(exc).splitlines()[0]}); fix it first (carepath check)") from None


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def _indented(entry: str, spaces: int) -> list[str]:
    pad = " " * spaces
    return [pad + line if line.strip() else line for line in entry.splitlines(keepends=True)]


def _section(root: yaml.Node | None, name: str, where: str) -> tuple[yaml.Node, yaml.Node] | None:
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise Refusal(f"{where}: the file is not a mapping of sections; fix it first (carepath check)")
    return next(((k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)


def append_entry(text: str, section: str, entry: str, where: str) -> tuple[str, int]:
    """`text` with `entry` as the last item of its top-level list `section` (added at the end of the file if it has
    none), and the line of the entry's `id`. Lines around it are left exactly as they were."""
    lines = _lines(text)
    root = _compose(text, where)
    found = _section(root, section, where)
    if found is None:
        block = ["\n"] if root is not None and lines[-1].strip() else []
        block += [f"{section}:\n", *_indented(entry, 2)]
        at = len(lines)
    else:
        key, value = found
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null") and value.value in ("", "~", "null"):
            at, block = key.start_mark.line + 1, _indented(entry, 2)
        elif isinstance(value, yaml.SequenceNode) and not value.flow_style:
            dash = value.start_mark.column
            at = value.end_mark.line if value.end_mark.column == 0 or value.end_mark.line >= len(lines) else value.end_mark.line + 1
            at = min(at, len(lines))
            while at > key.start_mark.line + 1 and _outside(lines[at - 1], dash + 2):
                at -= 1
            block = ["\n", *_indented(entry, dash)]
        else:
            raise Refusal(f"{where}:{key.start_mark.line + 1}: '{section}:' is not a list written one '- ' item a line; add the entry by hand")
        if at < len(lines) and lines[at].strip():
            block.append("\n")
    new = lines[:at] + block + lines[at:]
    id_line = at + next(i for i, line in enumerate(block) if line.lstrip().startswith("- id:")) + 1
    return "".join(new), id_line


def _outside(line: str, key_col: int) -> bool:
    """A blank line, or a comment indented less than an item's keys: it belongs to what follows the list."""
    stripped = line.lstrip()
    return not stripped or (stripped.startswith("#") and len(line) - len(stripped) < key_col)


def add_to_list(text: str, section: str, line: int, field: str, item: str, where: str) -> str:
    """`text` with `item` added to the list `field` of the entry of `section` whose `id` is on `line` (1-based),
    the field added after the `id` line if the entry has none."""
    lines = _lines(text)
    found = _section(_compose(text, where), section, where)
    entry = None
    if found and isinstance(found[1], yaml.SequenceNode):
        entry = next((e for e in found[1].value if isinstance(e, yaml.MappingNode) and _id_line(e) == line), None)
    if entry is None or entry.flow_style:
        raise Refusal(f"{where}:{line}: cannot find that entry written one key a line; add '{item}' to its '{field}' by hand")
    key, value = next(((k, v) for k, v in entry.value if k.value == field), (None, None))
    if key is None or value is None:
        id_key = next(k for k, _ in entry.value if k.value == "id")
        lines.insert(line, " " * id_key.start_mark.column + f"{field}: [{item}]\n")
    elif isinstance(value, yaml.SequenceNode) and value.flow_style:
        end = value.value[-1].end_mark if value.value else value.start_mark
        text_line = lines[end.line]
        col = end.column if value.value else end.column + 1
        lines[end.line] = text_line[:col] + (f", {item}" if value.value else item) + text_line[col:]
    elif isinstance(value, yaml.SequenceNode) and value.value:
        last = value.value[-1]
        prefix = lines[last.start_mark.line][: last.start_mark.column]
        if prefix.strip() != "-" or last.start_mark.line != last.end_mark.line:
            raise Refusal(f"{where}:{last.start_mark.line + 1}: cannot add to this '{field}' list safely; add '{item}' to it by hand")
        lines.insert(last.start_mark.line + 1, prefix + item + "\n")
    elif isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
        lines.insert(key.start_mark.line + 1, " " * (key.start_mark.column + 2) + f"- {item}\n")
    else:
        raise Refusal(f"{where}:{key.start_mark.line + 1}: '{field}' is not a list; fix it first (carepath check)")
    return "".join(lines)


def _id_line(entry: yaml.MappingNode) -> int | None:
    return next((v.start_mark.line + 1 for k, v in entry.value if k.value == "id"), None)


# --- the commands -------------------------------------------------------------------------------------------------


@dataclass
class Project:
    pathway_dir: Path
    settings: Settings
    loaded: Loaded

    def path(self, rel: str) -> Path:
        """A file named as the loader names it, relative to the pathway folder's parent."""
        return self.pathway_dir.parent / rel

    def pathway(self, name: str) -> Entry:
        pathways = {e.node.id: e for e in self.loaded.entries if e.kind == "pathway"}
        if name not in pathways:
            known = ", ".join(sorted(pathways)) or "none yet"
            raise Refusal(f"no pathway '{name}'{did_you_mean(name, pathways)}; the pathways: {known}")
        return pathways[name]

    def folder(self, pathway: Entry) -> str:
        folder = next((f for f, p in self.loaded.namespaces.items() if p == pathway.node.id), None)
        if folder is None:
            raise Refusal(f"{pathway.position}: pathway '{pathway.node.id}' has no folder of its own; fix it first (carepath check)")
        return folder

    def stage(self, pathway: Entry, name: str) -> Entry:
        stages = {e.node.id: e for e in self.loaded.entries if e.kind == "stage" and e.scope == pathway.node.id}
        steps = getattr(pathway.node, "stages", [])
        if name not in stages:
            known = ", ".join(s for s in steps if s in stages)
            raise Refusal(f"pathway '{pathway.node.id}' has no step '{name}'{did_you_mean(name, stages)}; its steps: {known}")
        return stages[name]

    def taken(self, node_id: str, scope: str | None) -> None:
        """Refuse an id a node of this scope already has, or a shared one it would hide."""
        for e in self.loaded.entries:
            if e.node.id == node_id and e.scope == scope:
                raise Refusal(f"{e.position.path}:{e.position.line}: {e.kind} '{e.full_id}' already has the id '{node_id}'; choose another id")
            if e.node.id == node_id and e.scope is None and e.kind != "pathway":
                raise Refusal(
                    f"{e.position.path}:{e.position.line}: '{node_id}' is the id of the shared {e.kind}; a node of that id in "
                    f"'{scope}' would take its place in every link of the pathway: choose another id"
                )
            if node_id in e.node.aliases or f"{scope}/{node_id}" in e.node.aliases:
                raise Refusal(f"{e.position.path}:{e.position.line}: '{node_id}' is a former id (an alias) of {e.kind} '{e.full_id}'; choose another id")

    def entries_file(self, folder: str, kind: str, default: str) -> str:
        """The file of the folder's last node of `kind`, where a new one goes beside the others; else `default`."""
        files = [e.position.path for e in self.loaded.entries if e.kind == kind and e.position.path.startswith(folder + "/")]
        return files[-1] if files else f"{folder}/{default}"


def _valid_id(value: str, what: str, scoped: bool = True) -> str:
    if not _SLUG.match(value) or len(value) > 80:
        raise Refusal(
            f"'{value}' is not a valid {what} id: use lowercase letters and digits in words joined by single hyphens, "
            "at most 80 characters, such as 'wrist-splint'"
        )
    if value in RESERVED_IDS or (scoped and value in RESERVED_SCOPED_IDS):
        raise Refusal(f"'{value}' is reserved for the site's own pages; choose another id")
    return value


def _valid_title(value: str | None, node_id: str) -> str:
    title = _title(node_id) if value is None else value.strip()
    if not title or "\n" in title or len(title) > 300:
        raise Refusal(f"--title {value!r}: write a title of one line, at most 300 characters")
    route = next(literal_routes(title), None)  # the same list `check` fails on (validate/routes.py)
    if route:
        raise Refusal(f"the title {title!r} names {route.group(0)!r}; the page says whom to call for each urgency, so no text names a number or a place: choose another id or --title")
    return title


def _open(args: argparse.Namespace) -> Project:
    pathway_dir = Path(args.dir)
    if not pathway_dir.is_dir():
        raise Refusal(f"{pathway_dir}: no such pathway folder (--dir names it)")
    loaded = load_pathway(pathway_dir)
    broken = [p for p in loaded.problems if p.severity == "error"]
    if broken:
        raise Refusal(f"{broken[0]}; fix the pathway data first (carepath check)")
    return Project(pathway_dir, site_settings(pathway_dir, None), loaded)


def _edit(project: Project, rel: str, change: Callable[[str, str], str]) -> Change:
    path = project.path(rel)
    old = path.read_text(encoding="utf-8") if path.exists() else _header(project, path)
    return Change(path, change(old, rel), rel)


def _append(project: Project, rel: str, section: str, entry: str) -> tuple[list[Change], int]:
    """The change that appends `entry` to `section` of the file `rel` (made if missing), and the line of its id."""
    line = 0

    def add(text: str, where: str) -> str:
        nonlocal line
        text, line = append_entry(text, section, entry, where)
        return text

    return [_edit(project, rel, add)], line


def _header(project: Project, path: Path) -> str:
    """A new file's first line: where editors find the schema, if the project has one."""
    root = project.settings.root or project.pathway_dir.parent
    schema = root / SCHEMA
    if not schema.is_file():
        return ""
    return f"# yaml-language-server: $schema={Path(os.path.relpath(schema, path.parent)).as_posix()}\n"


def _cmd_treatment(args: argparse.Namespace) -> int:
    project = _open(args)
    node_id = _valid_id(args.id, "treatment")
    title = _valid_title(args.title, node_id)
    pathway = project.pathway(args.pathway)
    folder = project.folder(pathway)
    stages: list[str] = getattr(pathway.node, "stages", [])
    stage = project.stage(pathway, args.stage or stages[0])
    project.taken(node_id, pathway.node.id)
    kb, _ = check_pathway(project.pathway_dir, project.settings.today)
    kinds = kb.vocabulary.treatment_kinds
    if args.type not in kinds:
        raise Refusal(f"--type '{args.type}' is not a treatment type{did_you_mean(args.type, kinds)}; the types: {', '.join(kinds)}")
    entry = treatment_entry(node_id, title, args.type, kinds[args.type].risky, project.settings.today)
    target = project.entries_file(folder, "treatment", "treatments.yml")
    changes, line = _append(project, target, "treatments", entry)
    stage_file = stage.position.path
    offer = lambda text, rel: add_to_list(text, "stages", stage.position.line, "options", node_id, rel)
    changes = _chain(project, changes, stage_file, offer)
    said = f"step '{stage.node.id}' offers it" + ("" if args.stage else " (the pathway's first; --stage names another)")
    return _commit(project, changes, f"treatment '{pathway.node.id}/{node_id}' at {target}:{line} (a draft); {said}")


def _cmd_red_flag(args: argparse.Namespace) -> int:
    project = _open(args)
    node_id = _valid_id(args.id, "red flag")
    title = _valid_title(args.title, node_id)
    pathway = project.pathway(args.pathway)
    folder = project.folder(pathway)
    stage = project.stage(pathway, args.stage) if args.stage else None
    project.taken(node_id, pathway.node.id)
    entry = red_flag_entry(node_id, title, Urgency(args.urgency), project.settings.today)
    target = project.entries_file(folder, "indicator", "indicators.yml")
    changes, line = _append(project, target, "indicators", entry)
    owner = stage or pathway
    section = "stages" if stage else "pathways"
    flag = lambda text, rel: add_to_list(text, section, owner.position.line, "red_flags", node_id, rel)
    changes = _chain(project, changes, owner.position.path, flag)
    listed = f"step '{stage.node.id}'" if stage else f"pathway '{pathway.node.id}'"
    return _commit(project, changes, f"red flag '{pathway.node.id}/{node_id}' at {target}:{line} (a draft, {args.urgency}); {listed} lists it")


def _cmd_pathway(args: argparse.Namespace) -> int:
    project = _open(args)
    name = _valid_id(args.name, "pathway", scoped=False)
    if name == SHARED_FOLDER:
        raise Refusal(f"'{SHARED_FOLDER}' is the shared library's folder; choose another pathway id")
    stages = [_valid_id(s, "step") for s in args.stages.split(",")] if args.stages else ["first-step"]
    flag = _valid_id(args.red_flag, "red flag")
    title = _valid_title(args.title, name)
    if len({*stages, flag}) != len(stages) + 1:
        raise Refusal(f"the ids of the steps and the red flag must differ: {', '.join([*stages, flag])}")
    for e in project.loaded.entries:
        if e.node.id == name and (e.scope is None or e.kind == "pathway"):
            raise Refusal(f"{e.position.path}:{e.position.line}: {e.kind} '{e.full_id}' already has the id '{name}'; choose another id")
    folder = project.pathway_dir / name
    if folder.exists():
        raise Refusal(f"{project.loaded.folder}/{name}/ already exists; choose another id, or move that folder away")
    today = project.settings.today
    rel = f"{project.loaded.folder}/{name}"
    intro = "# A draft pathway written by `carepath new pathway`: replace each placeholder with what your sources say\n# (AUTHORING.md, \"Pathways\" and \"Several pathways in one knowledge base\").\n"
    files = {
        "pathway.yml": ("pathways", intro + pathway_entry(name, title, stages, flag, today)),
        "stages.yml": (
            "stages",
            "".join(
                ("" if i == 0 else "\n") + stage_entry(s, _title(s), stages[i + 1] if i + 1 < len(stages) else None, today)
                for i, s in enumerate(stages)
            ),
        ),
        "indicators.yml": ("indicators", red_flag_entry(flag, "Warning signs that need help at once", Urgency.emergency, today)),
    }
    changes = []
    for file, (section, entry) in files.items():
        path = folder / file
        changes.append(Change(path, _header(project, path) + f"{section}:\n" + "".join(_indented(entry, 2)), f"{rel}/{file}"))
    return _commit(project, changes, f"pathway '{name}' in {rel}/ (a draft): {len(stages)} step{'s' if len(stages) != 1 else ''} and an emergency red flag")


def _chain(project: Project, changes: list[Change], rel: str, change: Callable[[str, str], str]) -> list[Change]:
    """One more edit, on top of an earlier change to the same file if there is one."""
    for c in changes:
        if c.said == rel:
            c.text = change(c.text, rel)
            return changes
    return [*changes, _edit(project, rel, change)]


def _commit(project: Project, changes: list[Change], done: str) -> int:
    """Check the changes in a copy of the pathway folder, then write them, and the new pages' URLs to the manifest."""
    before_kb, before = check_pathway(project.pathway_dir, project.settings.today)
    with tempfile.TemporaryDirectory(prefix="carepath-new-") as tmp:
        copy = Path(tmp) / project.pathway_dir.resolve().name
        shutil.copytree(project.pathway_dir, copy)
        for c in changes:
            write_file(copy / c.path.resolve().relative_to(project.pathway_dir.resolve()), c.text)
        after_kb, after = check_pathway(copy, project.settings.today)
    added = _new_problems(before, after)
    if added:
        raise Refusal(f"nothing written: the new data would not pass `carepath check`: {added[0]}")
    manifest = _manifest(project, before_kb, after_kb)
    for c in changes:
        write_file(c.path, c.text)
    if manifest:
        write_file(manifest[0], manifest[1])
    print(f"carepath new: {done}")
    for c in changes:
        print(f"  wrote {c.said}")
    if manifest:
        print(f"  added {manifest[2]} new URL{'s' if manifest[2] != 1 else ''} to {MANIFEST_NAME}")
    print("Next: write the text where the placeholders are, then run `make check` (AUTHORING.md, 'Before you push').")
    return 0


def _new_problems(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """The errors and warnings the change adds (a note is not one); compared by message, as lines move."""
    seen = Counter(p.message for p in before if p.severity != "note")
    added = []
    for p in after:
        if p.severity == "note":
            continue
        if seen[p.message]:
            seen[p.message] -= 1
        else:
            added.append(p)
    return added


def _manifest(project: Project, before: KnowledgeBase, after: KnowledgeBase) -> tuple[Path, str, int] | None:
    """The published-URL manifest with the new pages' URLs added (the build fails on a page it does not list), as
    `urls --write` would add them; None for a project that keeps none."""
    settings = project.settings
    path = settings.root / MANIFEST_NAME if settings.root is not None else None
    if path is None or not path.is_file() or settings.pathway_dir != project.pathway_dir.resolve():
        return None
    docs_dir = settings.docs_dir
    content = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file()) if docs_dir and docs_dir.is_dir() else []
    old = set(plan_site(before, settings).published_urls(content))
    new = sorted(set(plan_site(after, settings).published_urls(content)) - old)
    if not new:
        return None
    return path, manifest_text(read_manifest(path) + new), len(new)


def _run(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except Refusal as exc:
            print(f"carepath new: {exc}", file=sys.stderr)
            return 1

    return run


def add_commands(sub: Any) -> None:
    new = sub.add_parser(
        "new",
        help="write a draft skeleton: a pathway, a treatment or a red flag, with every field the checks require",
        description="Write a draft skeleton into the pathway data, appended to the files as text (comments and layout "
        "stay as they were), and the new pages' URLs into published-urls.txt; `make check` passes on it. "
        "Each placeholder and comment says what to write (AUTHORING.md, 'Starting from a skeleton').",
    )
    kinds = new.add_subparsers(dest="kind", required=True, metavar="{pathway,treatment,red-flag}")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--dir", default=PATHWAY_DIR, help=f"the pathway folder (default: {PATHWAY_DIR})")
    where.add_argument("--title", help="the page title, one line (default: made from the id, e.g. 'wrist-splint' gives 'Wrist splint')")

    p = kinds.add_parser(
        "pathway", parents=[where], help="a pathway in a folder of its own: its steps and an emergency red flag",
        description="Write pathway/NAME/ with pathway.yml, stages.yml (each step escalating to the next) and "
        "indicators.yml (one emergency red flag), all drafts.",
    )
    p.add_argument("name", metavar="NAME", help="the pathway's id, which is its folder and URL: lowercase words joined by hyphens")
    p.add_argument("--stages", metavar="ID,ID,...", help="the ids of its steps, in order (default: first-step)")
    p.add_argument("--red-flag", default="emergency-signs", metavar="ID", help="the id of its emergency red flag (default: emergency-signs)")
    p.set_defaults(func=_run(_cmd_pathway))

    p = kinds.add_parser(
        "treatment", parents=[where], help="a treatment of a pathway, offered at one of its steps",
        description="Append a draft treatment to the pathway's treatments file and add its id to a step's 'options'.",
    )
    p.add_argument("id", metavar="ID", help="the treatment's id, which is its URL: lowercase words joined by hyphens")
    p.add_argument("--pathway", required=True, metavar="NAME", help="the id of the pathway it belongs to")
    p.add_argument("--stage", metavar="STAGE", help="the id of the step that offers it (default: the pathway's first)")
    p.add_argument(
        "--type", required=True, metavar="TYPE",
        help=f"a treatment type of the vocabulary: {', '.join(k.id for k in DEFAULT_TREATMENT_KINDS)}, or one the site adds; "
        "a risky type gets placeholder risks and get_help_if",
    )
    p.set_defaults(func=_run(_cmd_treatment))

    p = kinds.add_parser(
        "red-flag", parents=[where], help="a warning sign of a pathway, with its urgency",
        description="Append a draft red flag (an indicator) to the pathway's indicators file and list it under the "
        "pathway's (or a step's) 'red_flags'. Its text names no phone number or place: the page says whom to call.",
    )
    p.add_argument("id", metavar="ID", help="the red flag's id, which is its URL: lowercase words joined by hyphens")
    p.add_argument("--pathway", required=True, metavar="NAME", help="the id of the pathway it belongs to")
    p.add_argument("--urgency", required=True, choices=[u.value for u in Urgency], help="how soon to act")
    p.add_argument("--stage", metavar="STAGE", help="list it under this step's 'red_flags' instead of the pathway's")
    p.set_defaults(func=_run(_cmd_red_flag))
