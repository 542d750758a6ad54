"""The loader's rules and limits: each bad file gives exact `path:line:col: message` lines, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from carepath import check_pathway
from carepath import load as load_module
from carepath.model.nodes import Treatment
from helpers_pathway import check, journey, run_cli, write_pathway

TREATMENT_KEYS = [f.alias or name for name, f in Treatment.model_fields.items()]
"""The keys a treatment entry takes, as the YAML spells them."""

PHYSIO = """\
treatments:
  - id: physio
    title: Physical therapy
    summary: Exercises guided by a physiotherapist.
    type: self-care
"""


def _physio(old: str, new: str) -> str:
    assert old in PHYSIO
    return PHYSIO.replace(old, new)


UNKNOWN_PHYSIO = "pathway/journey.yml:10:15: stage 'first-line': unknown reference 'physio' in 'options'"
"""When the entry itself is unusable its id is unknown too, so the journey's reference to it is reported."""

ENTRY_CASES: dict[str, tuple[str, ...]] = {
    "syntax error": (
        _physio("summary: Exercises guided by a physiotherapist.", "summary: [Exercises guided"),
        "pathway/treatments.yml:4:14: YAML syntax error: the '[' opened here is never closed (expected ',' or ']' before line 5)",
    ),
    "tab indentation": (
        _physio("    type: self-care", "\ttype: self-care"),
        "pathway/treatments.yml:5:1: YAML syntax error: a tab indents this line; YAML indents with spaces only (replace the tab with spaces)",
    ),
    "text expected, number given": (
        _physio("title: Physical therapy", "title: 5"),
        "pathway/treatments.yml:3:12: treatment 'physio': 'title' should be text, not a number",
    ),
    "text expected, yes given": (
        _physio("title: Physical therapy", "title: yes"),
        ("pathway/treatments.yml:3:12: treatment 'physio': 'title' should be text, not true/false (true) "
        "(put it in quotes: YAML reads yes/no/on/off as true/false)"),
    ),
    "list expected": (
        PHYSIO + "    risks: Soreness\n",
        "pathway/treatments.yml:6:12: treatment 'physio': 'risks' should be a list (one '- item' per line), not text",
    ),
    "mapping expected": (
        PHYSIO + "    review: draft\n",
        "pathway/treatments.yml:6:13: treatment 'physio': 'review' should be a mapping of keys, not text",
    ),
    "entry is not a mapping": (
        "treatments:\n  - physio\n",
        UNKNOWN_PHYSIO,
        "pathway/treatments.yml:2:5: treatment #1 in 'treatments' should be a mapping of keys such as 'id:' and 'title:', not text",
    ),
    "missing required key": (
        _physio("    type: self-care\n", ""),
        "pathway/treatments.yml:2:5: treatment 'physio': missing required key 'type'",
    ),
    "empty text": (
        _physio("title: Physical therapy", "title: ''"),
        "pathway/treatments.yml:3:12: treatment 'physio': 'title' must not be empty",
    ),
    "unknown key, misspelt": (
        _physio("summary:", "sumary:"),
        "pathway/treatments.yml:4:5: treatment 'physio': unknown key 'sumary' (did you mean 'summary'?)",
    ),
    "unknown key in a nested mapping": (
        PHYSIO + "    review: {stauts: draft}\n",
        "pathway/treatments.yml:6:14: treatment 'physio': unknown key 'stauts' (did you mean 'status'?)",
    ),
    "unknown key, nothing near": (
        PHYSIO + "    colour: red\n",
        # Every key a treatment takes, in the model's order (a new field joins the list without a test edit).
        f"pathway/treatments.yml:6:5: treatment 'physio': unknown key 'colour' (expected one of: {', '.join(TREATMENT_KEYS)})",
    ),
    "unknown top-level key": (
        _physio("treatments:", "treatmnts:"),
        "pathway/treatments.yml:1:1: unknown top-level key 'treatmnts' (did you mean 'treatments'?)",
    ),
    "section is not a list": (
        "treatments: physio\n",
        UNKNOWN_PHYSIO,
        "pathway/treatments.yml:1:13: 'treatments' should be a list of entries (each starting with '- '), not text",
    ),
    "duplicate key": (
        PHYSIO + "    title: Physio again\n",
        "pathway/treatments.yml:6:5: key 'title' appears twice in this mapping (first at line 3)",
    ),
    "id not a slug": (
        _physio("id: physio", "id: Physio Therapy"),
        UNKNOWN_PHYSIO,
        ("pathway/treatments.yml:2:9: treatment 'Physio Therapy': 'id' is 'Physio Therapy', which is not a valid id "
        "(use lowercase letters, digits and single hyphens, like 'nerve-block')"),
    ),
    "not one of the choices": (
        _physio("type: self-care", "type: selfcare"),
        ("pathway/treatments.yml:5:11: treatment 'physio': 'type' is 'selfcare' (did you mean 'self-care'?); "
        "expected one of: assessment, self-care, education, medication, topical, device, injection, procedure, surgery, referral, "
        "emergency-care (or add it under 'vocabulary: treatment_types:')"),
    ),
    "merge key": (
        PHYSIO + "    <<: {risks: [Soreness]}\n",
        "pathway/treatments.yml:6:5: merge keys ('<<') are not supported; write the keys out",
    ),
    "key that is not a word": (
        PHYSIO + "    [a, b]: 1\n",
        "pathway/treatments.yml:6:5: keys must be plain words",
    ),
    "explicit tag that does not fit": (
        _physio("title: Physical therapy", "title: !!int many"),
        "pathway/treatments.yml:3:12: 'many' is not a valid int",
    ),
    "newline in a value is shown escaped": (
        _physio("id: physio", 'id: "physio\\nmore"'),
        UNKNOWN_PHYSIO,
        ("pathway/treatments.yml:2:9: treatment 'physio\\nmore': 'id' is 'physio\\nmore', which is not a valid id "
        "(use lowercase letters, digits and single hyphens, like 'nerve-block')"),
    ),
    "too long": (
        _physio("title: Physical therapy", "title: " + "x" * 301),
        "pathway/treatments.yml:3:12: treatment 'physio': 'title' is 301 characters, over the limit of 300",
    ),
    "two documents in one file": (
        PHYSIO + "---\nglossary: []\n",
        "pathway/treatments.yml:6:1: a second YAML document ('---') in one file; put it in a file of its own",
    ),
}


@pytest.mark.parametrize("case", ENTRY_CASES.values(), ids=ENTRY_CASES.keys())
def test_bad_treatments_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, ...]) -> None:
    """The journey references 'physio' in every case: a broken entry with a usable id adds no 'unknown reference' noise."""
    text, *expected = case
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": text})
    assert (run.code, run.problems, run.export_wrote) == (1, expected, False)
    assert "Traceback" not in run.err


FILE_CASES: dict[str, tuple[str | bytes, str]] = {
    "bytes that are not UTF-8": (
        b"glossary:\n  - term: caf\xe9\n",
        "pathway/extra.yml:2:14: bytes that are not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    "a NUL byte": (
        "glossary:\n  - term: é\x00\n".encode(),
        "pathway/extra.yml:2:12: the character '\\x00' (U+0000) is not allowed in YAML; remove it",
    ),
    "a list at the top": ("- physio\n", "pathway/extra.yml:1:1: the file must be a mapping with keys such as 'treatments:', not a list"),
    "undefined alias": ("glossary: *terms\n", "pathway/extra.yml:1:11: the alias '*terms' has no anchor '&terms' before it"),
    "self-containing alias": (
        "glossary: &terms [*terms]\n",
        "pathway/extra.yml:1:19: the alias '*terms' refers to a value that contains it, which never ends",
    ),
}


@pytest.mark.parametrize(("content", "expected"), FILE_CASES.values(), ids=FILE_CASES.keys())
def test_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, expected: str) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "extra.yml": content})
    assert (run.code, run.problems, run.export_wrote) == (1, [expected], False)
    assert "Traceback" not in run.err


def test_every_alias_error_in_a_file_is_reported_each_at_its_own_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = "glossary:\n  - term: *terms\n    definition: *meaning\n  - term: Nerve\n    definition: &loop [*loop]\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "extra.yml": extra})
    assert (run.code, run.problems) == (
        1,
        [
            "pathway/extra.yml:2:11: the alias '*terms' has no anchor '&terms' before it",
            "pathway/extra.yml:3:17: the alias '*meaning' has no anchor '&meaning' before it",
            "pathway/extra.yml:5:24: the alias '*loop' refers to a value that contains it, which never ends",
        ],
    )


def test_an_alias_to_another_files_anchor_says_anchors_work_within_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The anchor is in a file read before and one read after; an anchor later in the same file is not 'another file'."""
    treatments = PHYSIO + "    risks: &common-risks [Soreness]\n"
    late = "glossary:\n  - {term: Ache, definition: *common-risks}\n  - {term: Pain, definition: *later}\n  - {term: Sore, definition: &later Hurts}\n"
    zed = "glossary:\n  - {term: Twinge, definition: &meaning A short pain.}\n"
    extra = "glossary:\n  - {term: Nerve, definition: *meaning}\n"
    files = {"journey.yml": journey("physio"), "treatments.yml": treatments, "extra.yml": extra, "late.yml": late, "zed.yml": zed}
    run = check(tmp_path, capsys, files)
    assert (run.code, run.problems) == (
        1,
        [
            ("pathway/extra.yml:2:31: the alias '*meaning' has no anchor in this file ('&meaning' is in pathway/zed.yml); anchors "
            "work within one file only: repeat the text or use a shared node"),
            ("pathway/late.yml:2:30: the alias '*common-risks' has no anchor in this file ('&common-risks' is in pathway/treatments.yml); "
            "anchors work within one file only: repeat the text or use a shared node"),
            "pathway/late.yml:3:30: the alias '*later' has no anchor '&later' before it",
        ],
    )


def test_ids_of_an_unreadable_file_are_not_reported_as_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A syntax error hides the file's nodes; references to the ids it seems to define are not reported again."""
    broken = PHYSIO + "    risks: [Soreness\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio", "physoi"), "treatments.yml": broken})
    assert run.problems == [
        "pathway/journey.yml:10:23: stage 'first-line': unknown reference 'physoi' in 'options'",
        "pathway/treatments.yml:6:12: YAML syntax error: the '[' opened here is never closed (expected ',' or ']' before line 7)",
    ]


def test_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {})
    assert (run.code, run.problems) == (1, ["pathway:1:1: no pathway files (*.yml) in this folder"])


def test_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "check", str(tmp_path / "nowhere"))
    assert (run.code, run.problems) == (1, [f"{tmp_path / 'nowhere'}:1:1: pathway folder not found"]), "as given: an absolute path keeps its leading /"


def test_empty_files_and_comments_are_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "empty.yml": "", "notes.yml": "# to do\n", "doc.yaml": "---\n"}
    run = check(tmp_path, capsys, files)
    assert (run.code, run.err) == (0, "")


def test_files_in_subfolders_and_yaml_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"back/journey.yaml": journey("physio"), "back/care/treatments.yml": PHYSIO, "README.md": "not read"})
    assert (run.code, run.err) == (0, "")


# --- limits ---


def test_alias_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Ten levels of ten aliases would expand to 10**10 values."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "bomb.yml": "\n".join(lines) + "\n"})
    assert run.code == 1
    assert run.problems == [
        "pathway/bomb.yml:6:15: YAML aliases ('*name') expand to more than 250,000 values, the limit; split the file or write the values out"
    ]


def test_too_many_values_without_aliases(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_VALUES_PER_FILE", 10)
    glossary = "glossary:\n" + "".join(f"  - {{term: t{i}, definition: d}}\n" for i in range(5))
    run = check(tmp_path, capsys, {"glossary.yml": glossary})
    assert run.problems == ["pathway/glossary.yml:3:12: the file holds more than 10 values, the limit; split the file or write the values out"]


@pytest.mark.parametrize(("limit", "ok"), [(12, True), (11, False)])
def test_each_value_counts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, ok: bool) -> None:
    """Keys, values and each mapping or list count once, however deep: this file holds exactly 12 (as LIMITS.md says)."""
    monkeypatch.setattr(load_module, "MAX_VALUES_PER_FILE", limit)
    text = "glossary:\n  - term: t\n    definition: d\n    also: [a, b]\n"  # root, key, list, entry, 3 keys, 2 values, list, 2 items
    folder = tmp_path / "pathway"
    folder.mkdir()
    (folder / "g.yml").write_text(text, encoding="utf-8")
    problems = [str(p) for p in load_module.load_pathway(folder).problems]
    assert problems == ([] if ok else ["pathway/g.yml:4:15: the file holds more than 11 values, the limit; split the file or write the values out"])


def test_file_over_the_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = "# " + "x" * (load_module.MAX_FILE_BYTES) + "\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "big.yml": big})
    assert run.problems == [f"pathway/big.yml:1:1: file is {len(big):,} bytes, over the limit of 2,097,152; split it"]


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_deeper_than_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str], style: str) -> None:
    """Far deeper than the limit: refused at the limit, long before the YAML parser's own recursion."""
    depth = 100_000 if style == "flow" else 200
    if style == "flow":
        text = "glossary: " + "[" * depth + "]" * depth + "\n"
        expected = "pathway/deep.yml:1:42: nested deeper than 32 levels, the limit"
    else:
        text = "glossary:\n" + "".join("  " * i + "-\n" for i in range(1, depth))
        expected = "pathway/deep.yml:33:65: nested deeper than 32 levels, the limit"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "deep.yml": text})
    assert run.problems == [expected]


def test_nesting_through_aliases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each anchor is shallow, but expanding the aliases nests them 40 deep."""
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 40)]
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "deep.yml": "\n".join(lines) + "\n"})
    assert run.problems == ["pathway/deep.yml:32:12: nested deeper than 32 levels once YAML aliases are expanded, the limit"]


def test_too_many_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_ENTRIES", 3)
    run = check(tmp_path, capsys, {"a.yml": journey("physio"), "b.yml": PHYSIO, "c.yml": PHYSIO.replace("physio", "rest")})
    assert run.problems == [
        "pathway/c.yml:1:1: with this file the pathway data has more than 3 nodes and glossary terms, the limit; later files were not read"
    ]


def test_too_many_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_FILES", 2)
    run = check(tmp_path, capsys, {"a.yml": journey("physio"), "b.yml": PHYSIO, "c.yml": ""})
    assert run.problems == ["pathway:1:1: 3 files is more than the limit of 2"]


def test_a_5000_node_knowledge_base_loads(tmp_path: Path) -> None:
    """50 stages in an escalation chain, each offering 99 treatments that point back to it."""
    stages, treatments = [], []
    for s in range(50):
        options = [f"t{s}-{i}" for i in range(99)]
        escalates = f"\n    escalates_to: [s{s + 1}]" if s < 49 else ""
        stages.append(f"  - id: s{s}\n    title: Stage {s}\n    summary: Step {s}.\n    options: [{', '.join(options)}]{escalates}\n")
        for t in options:
            treatments.append(
                f"  - id: {t}\n    title: Treatment {t}\n    summary: Something to try.\n    type: self-care\n"
                f"    returns_to: [s{s}]\n    codes: [{{system: rxnorm, code: '5640'}}]\n"
            )
    pathway = (
        f"pathways:\n  - id: big\n    title: Big\n    summary: Many steps.\n    stages: [{', '.join(f's{s}' for s in range(50))}]\n"
        "    red_flags: [collapse]\n"
        "indicators:\n  - id: collapse\n    title: Collapse\n    summary: Falling down.\n    urgency: emergency\n"
    )
    folder = write_pathway(
        tmp_path,
        {"pathway.yml": pathway + "stages:\n" + "".join(stages), **{f"t{n}.yml": "treatments:\n" + "".join(treatments[n::10]) for n in range(10)}},
    )
    kb, problems = check_pathway(folder)
    assert [p for p in problems if p.severity != "note"] == []  # each draft treatment's note: no decision aids yet
    assert len(kb.nodes) == 1 + 1 + 50 + 50 * 99 == 5002
    assert len(kb.edges) == 1 + 50 + 49 + 50 * 99 * 2


def test_positions_of_entries_and_references(tmp_path: Path) -> None:
    folder = write_pathway(tmp_path, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO + "    requires: []\n"})
    loaded = load_module.load_pathway(folder)
    physio = next(e for e in loaded.entries if e.node.id == "physio")
    assert str(physio.position) == "pathway/treatments.yml:2:9"
    assert str(physio.locate("type")) == "pathway/treatments.yml:5:11"
    assert str(physio.locate("codes", 0, "code")) == "pathway/treatments.yml:2:5", "an absent value falls back to its entry"
    stage = next(e for e in loaded.entries if e.node.id == "first-line")
    assert [str(p) for p in stage.field_positions["options"]] == ["pathway/journey.yml:10:15"]




def test_folders_named_yml_are_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A dangling link is not: see test_a_dangling_symbolic_link_is_reported."""
    folder = write_pathway(tmp_path, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO})
    (folder / "folder.yml").mkdir()
    run = run_cli(capsys, "check", str(folder))
    assert (run.code, run.err) == (0, "")


def test_file_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_pathway(tmp_path, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "secret.yml": ""})
    real_open = Path.open

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "secret.yml":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    run = run_cli(capsys, "check", str(folder))
    assert (run.code, run.problems) == (1, ["pathway/secret.yml:1:1: cannot read the file: Permission denied"])


def test_a_broken_glossary_entry_does_not_hide_graph_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = "glossary:\n  - {term: RFA}\n"
    run = check(tmp_path, capsys, {"journey.yml": journey(), "treatments.yml": PHYSIO, "glossary.yml": glossary})
    assert run.problems == [
        "pathway/glossary.yml:2:5: glossary entry 'RFA': missing required key 'definition'",
        "pathway/treatments.yml:2:9: treatment 'physio': unreachable: no pathway's journey leads to it (link it from a stage or another node)",
    ]


def test_a_broken_node_postpones_reachability(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The broken stage may be what links 'physio' in: 'unreachable' would only guess, so it waits."""
    stage = "stages:\n  - {id: later, title: Later, summary: S, options: [physio], colour: red}\n"
    run = check(tmp_path, capsys, {"journey.yml": journey(), "treatments.yml": PHYSIO, "more.yml": stage})
    assert run.problems == [
        ("pathway/more.yml:2:62: stage 'later': unknown key 'colour' (expected one of: id, title, summary, body, aliases, codes, "
        "sources, in, review, synonyms, pathway, options, escalates_to, when_to_move_on, signs_not_working, red_flags)")
    ]


# --- files that cannot be read are reported, never skipped silently ---


def test_a_dangling_symbolic_link_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO})
    (folder / "extra.yml").symlink_to("moved-away.yml")
    run = check(tmp_path, capsys, {})
    assert run.code == 1
    assert run.problems == ["pathway/extra.yml:1:1: a symbolic link to 'moved-away.yml', which does not exist; fix or remove it"]


def test_an_unreadable_folder_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated, because tests may run as root, who can read any folder."""
    folder = write_pathway(tmp_path, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "private/more.yml": PHYSIO})
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == folder / "private":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    run = check(tmp_path, capsys, {})
    assert run.code == 1
    assert run.problems == ["pathway/private:1:1: cannot read this folder: Permission denied; the files in it were not checked"]


def test_a_folder_linked_into_itself_is_read_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_pathway(tmp_path, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO})
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    run = check(tmp_path, capsys, {})
    assert (run.code, run.err) == (0, "")
