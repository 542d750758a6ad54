"""The package's shape: only the MkDocs engine imports MkDocs, and no module imports its way back into itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "carepath"
ENGINE = {PACKAGE / "engines" / "mkdocs.py", PACKAGE / "engines" / "mkdocs_quick.py"}
"""The MkDocs engine: the plugin, and the preview's quick rebuild (which uses MkDocs' own page steps)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """The `carepath` modules a file imports anywhere, inside functions too (a deferred import is still a
    dependency), but not under `if TYPE_CHECKING:`, which types need and running code never does."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING" for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in MODULES else base)
    return {m for m in out if m in MODULES and m != name}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_mkdocs_engine_imports_mkdocs() -> None:
    offenders = sorted(n for n, p in MODULES.items() if p not in ENGINE and {"mkdocs", "material"} & _imported_roots(p))
    assert offenders == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    """A module never imports itself back, directly or through others.
    A package's `__init__` counts as its own module, so a re-export cannot hide a cycle."""
    graph = {name: _imports(path) for name, path in MODULES.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_whole_core_loads_without_mkdocs_modules() -> None:
    """Importing every core module (and rendering the shipped pathway) pulls in no MkDocs module."""
    modules = sorted(n for n, p in MODULES.items() if p not in ENGINE and not n.endswith("__main__"))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "from pathlib import Path\n"
        "from carepath.build.site import build_site_pages\nfrom carepath.settings import Settings\n"
        "build_site_pages(Settings(pathway_dir=Path('pathway'), site_url='https://example.org/'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parents[1], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_where_to_change_what_names_files_that_exist() -> None:
    """AUTHORING.md's 'Where to change what' table names the one or two files each change touches: they must exist."""
    import re

    guide = (PACKAGE.parents[1] / "AUTHORING.md").read_text(encoding="utf-8")
    section = guide.split("## Where to change what", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.(?:py|yml))`", section)) - {"es.yml"}  # a catalogue to add
    assert {"model/kinds.py", "build/plan.py", "validate/safety.py", "words/en.yml", "settings.py"} <= named
    root = PACKAGE.parents[1]
    assert sorted(n for n in named if not (root / n if n.startswith("tests/") or n == "mkdocs.yml" else PACKAGE / n).is_file()) == []


LAYERS = (
    ("words", "urls", "settings"),
    ("model",),
    ("problems",),
    ("load",),
    ("text",),
    ("validate",),
    ("translation",),  # a language's text laid over the validated English graph, before anything is planned or rendered
    ("carepath", "api"),  # the public API: load and validate (carepath/api.py, which the package imports lazily)
    ("diagram",),
    ("render",),
    ("publish",),
    ("build",),
    ("audit",),
    ("engines", "cli", "__main__"),
)
"""The packages in the order the build's phases run: read (load) -> validate -> translate -> plan and render -> publish ->
write (build) -> audit, with the shared seams (words, URLs, settings, the model) below them all and the
engines that drive a build on top. A package imports only from its own layer or below."""


def _layer(module: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if _top(module) in names)


def test_every_import_goes_down_the_phases() -> None:
    """No stage calls back into a later one: an import from a higher layer is named with both modules."""
    upward = sorted(
        f"{name} imports {target}"
        for name, path in MODULES.items()
        for target in _imports(path)
        if _layer(target) > _layer(name)
    )
    assert upward == []


def test_every_package_has_a_layer() -> None:
    assert sorted(n for n in MODULES if not any(_top(n) in names for names in LAYERS)) == []


def _top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def test_every_data_file_of_the_package_ships_in_it() -> None:
    """A template, stylesheet, catalogue or theme file the pyproject's package-data does not match works in the
    editable install and is missing from the wheel a host site installs."""
    import fnmatch
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["carepath"]
    data = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data
    assert sorted(f for f in data if not any(fnmatch.fnmatchcase(f, pat) and f.count("/") == pat.count("/") for pat in patterns)) == []
