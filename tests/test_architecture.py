"""The core outlives MkDocs: only `generator/plugin.py` may import it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator"


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_plugin_imports_mkdocs() -> None:
    offenders = sorted(
        p.name for p in PACKAGE.glob("*.py") if p.name != "plugin.py" and {"mkdocs", "material"} & _imported_roots(p)
    )
    assert offenders == []


def test_the_whole_core_loads_without_mkdocs_modules() -> None:
    """Importing every core module (and rendering the shipped pathway) pulls in no MkDocs module."""
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("plugin", "__main__"))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module('generator.' + name)\n"
        "from pathlib import Path\n"
        "from generator.site import SiteOptions, build_site_pages\n"
        "build_site_pages(SiteOptions(Path('pathway'), site_url='https://example.org/'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
