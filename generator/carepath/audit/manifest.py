"""The published-URL manifest: every URL the site has published must keep answering. Reads built sites; writes
nothing but the manifest file its command asks for."""

from __future__ import annotations

from pathlib import Path

from carepath import load_knowledge_base
from carepath.build.plan import Plan, plan_site
from carepath.model.graph import Position
from carepath.problems import Problem, quote
from carepath.settings import Settings

MANIFEST_NAME = "published-urls.txt"
MANIFEST_HEADER = """\
# Every URL this site has published, one a line. Each must keep working, as the page itself or as a
# redirect to where it went (give a renamed node its old id under `aliases:`). Never delete a line.
# New pages are added with: .venv/bin/python -m carepath urls --write
"""


def read_manifest(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def manifest_text(urls: list[str]) -> str:
    return MANIFEST_HEADER + "".join(f"{u}\n" for u in sorted(set(urls)))


def missing_in_site(urls: list[str], site_dir: Path) -> list[str]:
    """Manifest URLs that a built site answers neither with a page, a redirect nor a file."""
    missing = []
    for url in urls:
        rel = url.lstrip("/")
        path = site_dir / rel / "index.html" if rel == "" or rel.endswith("/") else site_dir / rel
        if not path.is_file():
            missing.append(url)
    return missing


def project_urls(mkdocs_yml: Path) -> list[str]:
    """What `mkdocs build` would publish for this project, from the plan of its outputs: nothing is rendered."""
    settings = Settings.from_mkdocs_yml(mkdocs_yml)
    kb, _ = load_knowledge_base(settings.pathway_dir, settings.today)
    plan = plan_site(kb, settings)
    docs_dir = settings.docs_dir
    content = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file()) if docs_dir else []
    return plan.published_urls(content)


def vanished(plan: Plan, content: list[str], root: Path | None) -> list[Problem]:
    """A warning at each line of the project's published-URL manifest whose URL the site would no longer answer
    with a page, a redirect or a file: a node renamed or moved without its old id under `aliases:`. The build
    and `check` report it, so `strict` fails before a printed QR code or a bookmark breaks."""
    path = root / MANIFEST_NAME if root is not None else None
    if path is None or not path.is_file():
        return []
    published = set(plan.published_urls(content))
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        url = line.strip()
        if not url.startswith("/") or url in published:
            continue
        was = url.strip("/")
        hint = (
            f"if the node '{was}' was renamed or moved, give it its old id '{was}' under 'aliases:'"
            if was and "." not in was.rsplit("/", 1)[-1]
            else "publish it again (a manifest line is never deleted)"
        )
        problems.append(Problem(Position(MANIFEST_NAME, number, 1), f"{quote(url)} was published and nothing answers there any more; {hint}", "warning"))
    return problems
