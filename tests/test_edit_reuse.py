"""What an edit under `mkdocs serve` reuses from the builds before it (issue 24, item 1): the models of unchanged
files' entries, what each text's `node:` links and review words are, the links between pages computed without
`posixpath.relpath`. Each reuse must give what a build from nothing gives: every kind of edit here, in one session,
is compared byte for byte with a cold build, and a bad edit still fails with its file and line."""

from __future__ import annotations

import posixpath
import random
import shutil
from pathlib import Path

import pytest
from carepath import PathwayError
from carepath import urls as links
from carepath.load import ParseCache, load_pathway
from carepath.validate.graph import validate
from helpers_site import REPO
from test_serve_edits import PT, TREATMENTS, Session, replace_in, same

HOME = "    title: Home exercise programme\n"
LINK = "[change the plan](node:modified-exercise-program)"


@pytest.fixture
def pathway(tmp_path: Path) -> Path:
    dest = tmp_path / "project" / "pathway"
    shutil.copytree(REPO / "pathway", dest)
    return dest


def _body(p: Path) -> None:
    replace_in(p / TREATMENTS, "      Most of the work of PT happens at home, between visits.\n", "      Most of PT's work happens at home.\n")


def _edge(p: Path) -> None:
    replace_in(p / TREATMENTS, HOME, HOME + "    requires: [therapy-review]\n")


def _link(p: Path) -> None:
    replace_in(p / TREATMENTS, LINK, "[change the plan](node:therapy-review)")


def _title_back(p: Path) -> None:
    aliases = "    aliases: [home-exercise-program]  # its address before each pathway had a folder of its own\n"
    replace_in(p / TREATMENTS, aliases, aliases + HOME)


EDITS = {
    "body": _body,
    "new edge": _edge,
    "node link retargeted": _link,
    "title twice": lambda p: replace_in(p / TREATMENTS, HOME, "    title: Exercises at home\n"),
}


def test_each_edit_gives_what_a_cold_build_gives(pathway: Path, tmp_path: Path) -> None:
    """The kinds of edit `test_serve_edits` leaves out, one after another in one session, each compared with a cold
    build; then an edit that breaks a node (its title gone) fails naming the file and line, and putting it back builds
    what a cold build does."""
    session = Session(pathway, tmp_path / "cache")
    same(session.build(), session.cold())
    for name, change in EDITS.items():
        change(pathway)
        try:
            same(session.build(), session.cold())
        except AssertionError as exc:
            raise AssertionError(f"after the edit '{name}': {exc}") from None
    replace_in(pathway / TREATMENTS, "    title: Exercises at home\n", "")
    with pytest.raises(PathwayError) as failed:
        session.build()
    assert f"pathway/{TREATMENTS}:" in failed.value.report() and "title" in failed.value.report()
    _title_back(pathway)
    same(session.build(), session.cold())


def test_unchanged_files_keep_their_models_and_an_edited_one_is_validated_again(pathway: Path) -> None:
    parsed = ParseCache()
    first = {e.full_id: e.node for e in load_pathway(pathway, parsed).entries}
    replace_in(pathway / TREATMENTS, HOME, "    title: Exercises at home\n")
    again = {e.full_id: e.node for e in load_pathway(pathway, parsed).entries}
    home = f"{PT}/home-exercise-program"
    assert again[home] is not first[home] and again[home].title == "Exercises at home"
    elsewhere = [n for n in first if not n.startswith(f"{PT}/")]
    assert len(elsewhere) > 10 and all(again[n] is first[n] for n in elsewhere)
    # Without a parse cache, every load makes its models anew.
    assert load_pathway(pathway).entries[0].node is not load_pathway(pathway).entries[0].node


def test_a_node_link_that_stops_resolving_is_reported_though_its_text_is_unchanged(pathway: Path) -> None:
    """The text with the link is the same before and after (its links are remembered by text): the node it names is
    what goes, and the link is reported at its field's line."""
    parsed = ParseCache()
    _, problems = validate(load_pathway(pathway, parsed))
    assert not [p for p in problems if p.severity == "error"]
    target = pathway / TREATMENTS
    text = target.read_text(encoding="utf-8")
    start = text.index("  - id: modified-exercise-program\n")
    target.write_text(text[:start] + text[text.index("  - id: ", start + 1) :], encoding="utf-8")
    _, problems = validate(load_pathway(pathway, parsed))
    line = text[: text.index("    body: |")].count("\n") + 1  # the field the link is in, the first node's body
    found = [str(p) for p in problems if "node link 'node:modified-exercise-program'" in p.message]
    assert found and found[0].startswith(f"pathway/{TREATMENTS}:{line}:"), found


def test_relpath_agrees_with_posixpath() -> None:
    """Every pair of a few hundred paths of the shapes pages and files have (and a few it hands over)."""
    rng = random.Random(24)
    parts = ["a", "b", "index.md", "x.md", "a-z", "code", "snomedct", "knee"]
    paths = [".", "a/../b", "/abs", "a//b", "./a", "../up"]
    paths += ["/".join(rng.choice(parts) for _ in range(rng.randint(1, 4))) + rng.choice(["", "/"]) for _ in range(300)]
    for path in paths:
        for start in paths:
            assert links.relpath(path, start) == posixpath.relpath(path, start), (path, start)
