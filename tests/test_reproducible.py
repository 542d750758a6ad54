"""Two builds of the same sources and commit time give byte-identical sites, wherever and however they run."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from helpers_site import copy_shipped


def build(project: Path, env: dict[str, str]) -> Path:
    site = project / "site"
    result = subprocess.run(
        [sys.executable, "-m", "carepath", "build", "--quiet", "--site-dir", str(site)],
        check=False,
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"at byte {at}: {a[max(0, at - 60) : at + 60]!r} != {b[max(0, at - 60) : at + 60]!r}"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Different folders, hash seeds and time zones; the same commit time and review date."""
    same = {"SOURCE_DATE_EPOCH": "1767225600", "CAREPATH_TODAY": dt.date.today().isoformat()}
    one = build(copy_shipped(tmp_path / "one"), {**same, "PYTHONHASHSEED": "1", "TZ": "UTC"})
    two = build(copy_shipped(tmp_path / "second-build-elsewhere"), {**same, "PYTHONHASHSEED": "2", "TZ": "Pacific/Auckland"})
    a, b = tree(one), tree(two)
    assert "sitemap.xml.gz" in a and "index.html" in a
    assert sorted(a) == sorted(b)
    assert [f"{name}: {first_difference(a[name], b[name])}" for name in a if a[name] != b[name]] == []


def test_the_output_names_no_build_folder(tmp_path: Path) -> None:
    """A site that mentions where it was built cannot be reproduced elsewhere."""
    project = copy_shipped(tmp_path / "where-it-was-built")
    site = build(project, {"SOURCE_DATE_EPOCH": "1767225600"})
    leaks = [name for name, data in tree(site).items() if str(tmp_path).encode() in data or b"where-it-was-built" in data]
    assert leaks == []
