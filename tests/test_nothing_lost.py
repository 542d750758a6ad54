"""A failed build loses nothing: the last good site stays byte for byte, and no source is ever written to."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from carepath.load import pathway_files
from helpers_site import SHIPPED_PARTS, copy_shipped

INPUTS = SHIPPED_PARTS
SOURCES = ("content", "pathway", "site_overrides")


def build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carepath", "build", "--quiet", "--site-dir", "site"],
        check=False,
        cwd=project,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
        capture_output=True,
        text=True,
    )


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under `root` with its bytes and modification time."""
    out = {}
    for path in sorted(root.rglob("*")):
        stat = path.stat()
        out[path.relative_to(root).as_posix()] = (path.read_bytes() if path.is_file() else b"<dir>", stat.st_mtime_ns)
    return out


def first_yaml(project: Path) -> Path:
    files = pathway_files(project / "pathway")
    assert files, "no pathway YAML to corrupt"
    return files[0]


def break_syntax(path: Path) -> int:
    """Append an unclosed flow sequence; returns the line the error is reported on: where the `[` opened."""
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + "broken: [unclosed\n", encoding="utf-8")
    return text.count("\n") + 1


def break_an_id(path: Path) -> int:
    """Make the first node id an invalid slug; returns its line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if re.match(r"\s*(- )?id:\s*\S", line))
    lines[index] = re.sub(r"id:\s*\S.*", "id: Not A Slug!", lines[index])
    path.write_text("".join(lines), encoding="utf-8")
    return index + 1


@pytest.mark.parametrize("corrupt", [break_syntax, break_an_id], ids=["yaml-syntax", "invalid-id"])
def test_a_broken_pathway_keeps_the_last_good_site(tmp_path: Path, corrupt: Callable[[Path], int]) -> None:
    project = copy_shipped(tmp_path / "project")
    first = build(project)
    assert first.returncode == 0, first.stdout + first.stderr
    good = snapshot(project / "site")
    assert "index.html" in good

    broken = first_yaml(project)
    line = corrupt(broken)
    second = build(project)
    output = second.stdout + second.stderr

    assert second.returncode == 1
    assert f"{broken.relative_to(project).as_posix()}:{line}:" in output
    assert "Traceback" not in output
    assert snapshot(project / "site") == good
    # No half-built folder left behind; `.cache` is the build cache (git-ignored, safe to delete).
    assert sorted(p.name for p in project.iterdir()) == sorted([*INPUTS, "site", ".cache"])


def test_a_build_never_writes_into_its_sources(tmp_path: Path) -> None:
    project = copy_shipped(tmp_path / "project")
    before = {name: snapshot(project / name) for name in SOURCES}
    config_before = (project / "mkdocs.yml").read_bytes()
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {name: snapshot(project / name) for name in SOURCES} == before
    assert (project / "mkdocs.yml").read_bytes() == config_before
    assert sorted(p.name for p in project.iterdir()) == sorted([*INPUTS, "site", ".cache"])  # the build cache, git-ignored
