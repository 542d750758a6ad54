"""Issue 15: size bounds, `check` agreeing with the build, and messages a newcomer can act on."""

from __future__ import annotations

import re
import subprocess
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.audit.manifest import read_manifest
from carepath.build.site import build_site_pages
from carepath.cli.main import main
from carepath.diagram import overview as diagram
from carepath.settings import Settings
from helpers_pathway import write_pathway
from helpers_site import SITE_FIXTURE, build, copy_project, env


def _wide_pathway(tmp_path: Path, options: int) -> Path:
    treatments = "".join(f"  - {{id: t{i}, title: Treatment t{i}, summary: Something to try., type: device}}\n" for i in range(options))
    pathway = textwrap.dedent(
        f"""\
        pathways:
          - id: wide
            title: Wide
            summary: A pathway with a great many options.
            stages: [only]
        stages:
          - id: only
            title: Only step
            summary: Every option at once.
            options: [{", ".join(f"t{i}" for i in range(options))}]
            red_flags: [collapse]
        indicators:
          - {{id: collapse, title: Collapse, summary: Falling down., urgency: emergency, action: Get help now.}}
        treatments:
        """
    )
    return write_pathway(tmp_path, {"wide.yml": pathway + treatments})


def test_an_overview_too_big_to_lay_out_is_a_list_with_a_note(tmp_path: Path) -> None:
    """Graphviz is never asked to lay out a graph over the limit (500 options took minutes); the list says it all."""
    folder = _wide_pathway(tmp_path, diagram.MAX_OVERVIEW_NODES)  # with the pathway, its stage and its red flag: 153 nodes
    pages = build_site_pages(Settings(pathway_dir=folder, site_url="https://carepath.test/"))
    # Besides a note per draft treatment still without its decision aids (tests/test_decisions.py):
    assert [str(p) for p in pages.warnings if "'Decision aids'" not in p.message] == [
        ("pathway/wide.yml:2:9: note: pathway 'wide': its overview for clinicians has 153 nodes and 152 links, over the limit of "
        f"{diagram.MAX_OVERVIEW_NODES} nodes or {diagram.MAX_OVERVIEW_EDGES} links that is drawn as a chart; it is shown as a list only")
    ]
    overview = pages.pages["wide/overview.md"]
    assert "<svg" not in overview
    assert "has too many steps and links to draw as a chart; here it is as a list." in overview
    assert all(f'href="../../t{i}/"' in overview for i in range(0, 150, 37))


def test_an_overview_within_the_limit_is_drawn(tmp_path: Path) -> None:
    folder = _wide_pathway(tmp_path, 20)
    kb, _ = check_pathway(folder)
    assert diagram.overview_too_big(kb, kb.pathways[0]) is None
    assert "<svg" in diagram.overview_html(kb, kb.pathways[0], "wide/overview.md")


@pytest.mark.parametrize("limit", [diagram.MAX_OVERVIEW_NODES, diagram.MAX_OVERVIEW_EDGES])
def test_limits_md_states_the_overview_limits(limit: int) -> None:
    text = (Path(__file__).resolve().parents[1] / "LIMITS.md").read_text(encoding="utf-8")
    assert f"| {limit:,} " in text or f"| {limit} " in text


def test_an_alias_on_a_hand_written_pages_url_fails_check_and_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The redirect page and `content/about.md` would both be `about/index.html`: one would silently be lost."""
    project = copy_project(SITE_FIXTURE, tmp_path / "proj")
    care = project / "pathway" / "care.yml"
    text = care.read_text(encoding="utf-8")
    care.write_text(text.replace("  - id: preventer-inhaler\n", "  - id: preventer-inhaler\n    aliases: [about]\n", 1), encoding="utf-8")
    kb, _ = check_pathway(project / "pathway")
    expected = (
        f"{kb.positions['preventer-inhaler']}: treatment 'preventer-inhaler': alias 'about' would redirect from '/about/', the URL "
        "of the hand-written 'content/about.md'; rename that page or drop the alias"
    )
    assert main(["check", str(project / "pathway")]) == 1
    assert capsys.readouterr().err.splitlines() == [expected, "1 error in the pathway data"]
    built = build(project)
    assert built.returncode == 1
    assert expected in built.output and "Traceback" not in built.output


# --- messages a newcomer can act on ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("treatments:\n\t- id: physio\n", "pathway/a.yml:2:1: YAML syntax error: a tab indents this line; YAML indents with spaces only (replace the tab with spaces)"),
        ("treatments:\n  - id: physio\n  \t  title: X\n", "pathway/a.yml:3:3: YAML syntax error: a tab indents this line; YAML indents with spaces only (replace the tab with spaces)"),
        (
            "treatments:\n  - id: physio\n    title: [Physical therapy\n    summary: S\n    type: device\n",
            "pathway/a.yml:3:12: YAML syntax error: the '[' opened here is never closed (expected ',' or ']' before line 4)",
        ),
        (
            "treatments:\n  - id: physio\n    relevant_to: {a: b\n\n  - id: x\n",
            "pathway/a.yml:3:18: YAML syntax error: the '{' opened here is never closed (expected ',' or '}' before line 5)",
        ),
        (
            'treatments:\n  - id: physio\n    title: "Physical therapy\n    summary: S\n',
            "pathway/a.yml:3:12: YAML syntax error: the quote opened here is never closed (the file ends at line 5)",
        ),
    ],
)
def test_syntax_errors_say_what_and_where(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str) -> None:
    folder = write_pathway(tmp_path, {"a.yml": text.encode("utf-8")})
    assert main(["check", str(folder)]) == 1
    assert capsys.readouterr().err.splitlines() == [expected, "1 error in the pathway data"]


JOURNEY = """\
pathways:
  - id: back-pain
    title: Back pain
    summary: What to do.
    stages: [first-line]
stages:
  - id: first-line
    title: First line
    summary: Where everyone starts.
    options: [physio]
treatments:
  - id: physio
    title: Physical therapy
    summary: Exercises.
    type: self-care
"""


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        (("  - id: physio", "  - id: physoi"), "pathway/a.yml:10:15: stage 'first-line': unknown reference 'physio' in 'options' (did you mean 'physoi'?)"),
        (("stages: [first-line]", "stages: [frist-line]"), "pathway/a.yml:5:14: pathway 'back-pain': unknown reference 'frist-line' in 'stages' (did you mean 'first-line'?)"),
    ],
)
def test_one_typo_is_one_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str], typo: tuple[str, str], expected: str) -> None:
    """Not also 'unreachable' for the node the typo meant, nor for everything behind it."""
    folder = write_pathway(tmp_path, {"a.yml": JOURNEY.replace(*typo).encode("utf-8")})
    assert main(["check", str(folder)]) == 1
    assert capsys.readouterr().err.splitlines() == [expected, "1 error in the pathway data"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"carepath {metadata.version('carepath')}\n"


def test_the_urls_hint_works_as_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The command `urls --check` tells you to run is run exactly as printed, in a shell; then `--check` says ok."""
    project = copy_project(SITE_FIXTURE, tmp_path / "proj")
    monkeypatch.chdir(project)
    assert main(["urls", "--write"]) == 0
    manifest = project / "published-urls.txt"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("/spirometry/\n", ""), encoding="utf-8")
    capsys.readouterr()
    assert main(["urls", "--check"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    hint = re.fullmatch(r"published-urls\.txt: '/spirometry/' is not listed; run `(.+)` and commit published-urls\.txt", line)
    assert hint, line
    done = subprocess.run(hint.group(1), shell=True, cwd=project, capture_output=True, text=True, check=False, env=env())
    assert done.returncode == 0, done.stderr
    assert main(["urls", "--check"]) == 0
    assert capsys.readouterr().out == f"ok: all {len(read_manifest(manifest))} URLs in published-urls.txt are still published, and no new one is missing from it\n"


def test_a_hand_written_page_that_loads_from_another_host_fails_check_and_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(SITE_FIXTURE, tmp_path / "proj")
    about = project / "content" / "about.md"
    lines = about.read_text(encoding="utf-8").splitlines()
    lines += ["", "![pixel](https://tracker.example/p.png)", '<img alt="" src="//cdn.example/x.png">', "[a link is fine](https://example.org/)"]
    about.write_text("\n".join(lines) + "\n", encoding="utf-8")
    n = len(lines)
    expected = [
        (f"content/about.md:{n - 2}:1: an image from another host ('https://tracker.example/p.png'): the site loads nothing from elsewhere; "
        "copy the file into the site and link it relatively"),
        (f"content/about.md:{n - 1}:1: an image from another host ('//cdn.example/x.png'): the site loads nothing from elsewhere; "
        "copy the file into the site and link it relatively"),
    ]
    assert main(["check", str(project / "pathway")]) == 1
    assert capsys.readouterr().err.splitlines() == [*expected, "2 errors in the pathway data"]
    built = build(project)
    assert built.returncode == 1
    assert all(line in built.output for line in expected), built.output


def test_check_notes_an_overview_too_big_to_draw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _wide_pathway(tmp_path, diagram.MAX_OVERVIEW_NODES)
    assert main(["check", str(folder)]) == 0
    # Among a note per draft treatment still without its decision aids (tests/test_decisions.py):
    out = [line for line in capsys.readouterr().out.splitlines() if "'Decision aids'" not in line]
    assert out[0].startswith("pathway/wide.yml:2:9: note: pathway 'wide': its overview for clinicians has 153 nodes and 152 links")
    assert out[1].startswith("ok: 153 nodes")
    # Its pathway page lists 153 options in one sentence, which the readability gate rejects (in a strict build and
    # `check --strict` alike); this test is about the note, so the site turns the gate off.
    (tmp_path / "mkdocs.yml").write_text("site_name: Wide\nplugins:\n  - carepath:\n      readability:\n        enabled: false\n", encoding="utf-8")
    assert main(["check", "--strict", str(folder)]) == 0, "a note is not a warning: --strict passes"
