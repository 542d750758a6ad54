"""Command line: `python -m carepath check|export|schema|render|readability`, with no MkDocs involved.

Bad input prints every problem as `path:line:col: message` and exits 1, with no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from importlib import metadata
from pathlib import Path

from carepath import check_pathway, load_knowledge_base
from carepath import urls as links
from carepath.audit.manifest import vanished
from carepath.build.cache import Cache, site_cache
from carepath.build.write import write_file
from carepath.diagram.errors import DiagramError
from carepath.model.graph import KnowledgeBase, Pathway
from carepath.problems import PathwayError, Problem, sort_problems
from carepath.publish.export import dumps, export_graph
from carepath.settings import PATHWAY_DIR, ConfigError, Settings, load_mkdocs_yml, site_settings
from carepath.settings import site_of as _site
from carepath.translation import (
    Translation,
    counts_text,
    edition_pathways,
    field_states,
    load_translations,
    translated_kb,
    translation_problems,
)
from carepath.validate.graph import counts
from carepath.validate.regions import region_problem
from carepath.words import editions, language_of


def render_problems(kb: KnowledgeBase, settings: Settings) -> list[Problem]:
    """What only the pages show (an `#anchor` its page does not have) and, given a site (`settings.docs_dir`), what
    the hand-written pages break (a URL a generated page or a redirect would take, an unknown `node:` link, a file
    loaded from another host): `check` rejects what the build would. Which pages the build writes comes from its
    plan; only the pages that anchors point into are rendered, so `check` stays fast on a big knowledge base."""
    from carepath.build.plan import plan_site
    from carepath.build.site import alias_clashes, content_problems, file_clashes, url_clashes
    from carepath.render.pages import Renderer, RenderOptions
    from carepath.text.anchors import anchor_problems
    from carepath.validate.graph import PROSE_FIELDS

    renderer = Renderer(kb, RenderOptions(today=settings.today, urls=settings.urls))
    for node_id, node in sorted(kb.nodes.items()):
        for name in PROSE_FIELDS:
            text = getattr(node, name, None)
            if text and "#" in text:  # only links with an #anchor matter here
                renderer.prose(node_id, text, links.node_uri(node_id))
    wanted = list(renderer.anchor_links)
    node_of = {links.node_uri(n): n for n in kb.nodes}
    pages = {uri: renderer.render_node(node_of[uri]) for uri in sorted({w.page for w in wanted}) if uri in node_of}
    problems = anchor_problems(pages, wanted)
    docs_dir = settings.docs_dir
    if docs_dir is None or not docs_dir.is_dir():
        return problems
    content = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file())
    docs, prefix = docs_dir.name, settings.url_prefix
    problems += alias_clashes(kb, content, docs, settings.urls, prefix)
    for uri in (u for u in content if u.endswith(".md")):
        text = (docs_dir / uri).read_text(encoding="utf-8", errors="replace")
        problems += content_problems(text, uri, kb, f"{docs}/{uri}", words=settings.words)[1]
    if settings.custom_dir is not None and settings.custom_dir.is_dir():
        from carepath.validate.routes import file_routes

        for path in sorted(p for p in settings.custom_dir.rglob("*") if p.suffix in (".html", ".j2") and p.is_file()):
            where = path.relative_to(settings.root).as_posix() if settings.root and path.is_relative_to(settings.root) else path.as_posix()
            problems += file_routes(path.read_text(encoding="utf-8", errors="replace"), where)
    plan = plan_site(kb, settings)
    own = [o for u in content if (o := links.unprefixed(u, prefix)) is not None]
    generated = [prefix + u for u in plan.generated(own)]
    clashes = url_clashes(generated, content, docs, settings.urls) + file_clashes(plan, content, docs, prefix)
    problems += clashes
    return problems + vanished(plan, content, settings.root)


def check_cache(settings: Settings, mkdocs_yml: Path | None) -> Cache:
    """The site build's cache (`cache_dir`), so that `check --strict` re-grades only the pages that changed since
    it or the build last ran; in memory only for a pathway folder checked without a site."""
    if settings.root is None or mkdocs_yml is None:
        return Cache(None)
    site_dir = settings.root / str(load_mkdocs_yml(mkdocs_yml).get("site_dir") or "site")
    return site_cache(settings, mkdocs_yml, site_dir, lambda message: print(f"warning: {message}", file=sys.stderr))


def _cmd_check(args: argparse.Namespace) -> int:
    settings, mkdocs_yml = _site(Path(args.dir), args.config)
    kb, problems = check_pathway(Path(args.dir), settings.today)
    wrong_edition = region_problem(kb, settings)
    if wrong_edition is not None:
        problems = sort_problems([*problems, wrong_edition])
    translations: dict[str, Translation] = {}
    if not any(p.severity == "error" for p in problems):
        translations, found = load_translations(Path(args.dir), kb)
        problems = sort_problems(problems + found + [p for t in translations.values() for p in translation_problems(kb, t) if p.severity != "note"])
    if not any(p.severity == "error" for p in problems):
        problems = problems + render_problems(kb, settings)
        if settings.diagrams:
            from carepath.build.site import diagram_notes

            problems += diagram_notes(kb)
        if args.strict and not any(p.severity == "error" for p in problems):
            # The readability gate's warnings fail a strict build; so they fail here, in the same words. Only under
            # --strict: grading every page is most of the cost, and without it a warning decides nothing.
            from carepath.audit.gate import check_readability

            problems += check_readability(kb, settings, check_cache(settings, mkdocs_yml))
            for edition in editions():
                translation = translations.get(language_of(edition))
                if translation is not None and edition_pathways(kb, translation):  # each language edition's pages, by its formula
                    edition_settings = replace(settings, edition=edition, editions=())
                    problems += check_readability(translated_kb(kb, translation, edition_settings.words), edition_settings, check_cache(settings, mkdocs_yml))
        problems = sort_problems(problems)
    if args.format == "json":
        return _print_json(problems, args.strict)
    for p in problems:
        if args.format == "github":
            print(github_annotation(p))
        print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} error{'s' if errors != 1 else ''} in the pathway data", file=sys.stderr)
        return 1
    warnings = sum(p.severity == "warning" for p in problems)  # a note informs; it never fails a build
    if args.strict and warnings:
        print(f"{warnings} warning{'s' if warnings != 1 else ''} in the pathway data, which --strict treats as errors", file=sys.stderr)
        return 1
    nodes, edges = counts(kb)
    node_text = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(nodes.items()))
    edge_text = ", ".join(f"{n} {k}" for k, n in sorted(edges.items()))
    terms = len(kb.glossary)
    regions = f"; {len(kb.regions)} regional overlay{'s' if len(kb.regions) != 1 else ''} ({', '.join(sorted(kb.regions))})" if kb.regions else ""
    for language, translation in sorted(translations.items()):
        pathways = edition_pathways(kb, translation)
        print(f"{language}: {len(pathways)} pathway{'s' if len(pathways) != 1 else ''} ({', '.join(pathways)}): {counts_text(list(field_states(kb, translation)))}")
    print(f"ok: {len(kb.nodes)} nodes ({node_text}); {len(kb.edges)} edges ({edge_text}); {terms} glossary term{'s' if terms != 1 else ''}{regions}")
    return 0


def _fails(problems: list[Problem], strict: bool) -> bool:
    return any(p.severity == "error" or (strict and p.severity == "warning") for p in problems)


def problem_json(p: Problem) -> dict[str, object]:
    return {"file": p.position.path, "line": p.position.line, "column": p.position.col, "severity": p.severity, "message": p.message}


def _print_json(problems: list[Problem], strict: bool) -> int:
    """`check --format json`: one JSON document on standard output, for editors and other tools; the exit code as
    for text."""
    ok = not _fails(problems, strict)
    print(json.dumps({"ok": ok, "problems": [problem_json(p) for p in problems]}, indent=2, ensure_ascii=False))
    return 0 if ok else 1


def github_annotation(p: Problem) -> str:
    """A GitHub Actions workflow command, so the problem shows on the pull request's line."""
    kind = {"error": "error", "warning": "warning"}.get(p.severity, "notice")

    def escape(text: str, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    where = f"file={escape(p.position.path, True)},line={p.position.line},col={p.position.col}"
    return f"::{kind} {where}::{escape(p.message)}"


def _cmd_export(args: argparse.Namespace) -> int:
    settings = site_settings(Path(args.dir), args.config)
    kb, warnings = load_knowledge_base(Path(args.dir), settings.today)
    rendered = render_problems(kb, settings)
    if rendered:
        raise PathwayError(warnings + rendered)
    for w in warnings:
        if w.severity != "note":  # a note is for an editor at `check`, not for whoever exports the graph
            print(w, file=sys.stderr)
    from carepath.build.site import edition_knowledge_base

    kb = edition_knowledge_base(kb, settings)  # the text as the edition's pages read it
    pathway = None
    if args.pathway:
        pathway = next((p for p in kb.pathways if p.id == args.pathway), None)
        if pathway is None:
            print(f"no pathway with id '{args.pathway}'; pathways: {', '.join(p.id for p in kb.pathways)}", file=sys.stderr)
            return 1
    if args.format == "fhir":
        return _export_fhir(kb, settings, args, pathway)
    if args.fhir_version or args.site_url:
        print("--fhir-version and --site-url go with --format fhir", file=sys.stderr)
        return 1
    return _write(args.out, dumps(export_graph(kb, pathway)))


def _export_fhir(kb: KnowledgeBase, settings: Settings, args: argparse.Namespace, pathway: Pathway | None) -> int:
    """One FHIR Bundle per pathway: one pathway's to standard output or `--out FILE`; every pathway's into the
    folder `--out` names, as `<pathway-id>.fhir-<version>.json`."""
    from carepath.publish.fhir import DEFAULT_FHIR_VERSION, FhirOptions, canonical_base, export_fhir
    from carepath.settings import site_url_problem

    if args.site_url and (problem := site_url_problem(args.site_url)):
        print(f"--site-url: {problem}", file=sys.stderr)
        return 1
    site_url = args.site_url or links.prefixed_site_url(settings.site_url, settings.url_prefix)
    if not site_url:
        print(
            "export --format fhir: no site address for the canonical URLs; set site_url in mkdocs.yml (or SITE_URL), or pass --site-url https://...",
            file=sys.stderr,
        )
        return 1
    version = args.fhir_version or DEFAULT_FHIR_VERSION
    options = FhirOptions(base=canonical_base(site_url), version=version, content_version=settings.content_version, publisher=settings.publisher, edition=settings.edition)
    if pathway is not None or len(kb.pathways) == 1:
        return _write(args.out, dumps(export_fhir(kb, pathway or kb.pathways[0], options)))
    if not args.out:
        print(f"export --format fhir writes one Bundle per pathway: name one with --pathway ({', '.join(p.id for p in kb.pathways)}), or a folder with --out", file=sys.stderr)
        return 1
    for each in kb.pathways:
        code = _write(str(Path(args.out) / f"{each.id}.fhir-{version.lower()}.json"), dumps(export_fhir(kb, each, options)), parents=True)
        if code:
            return code
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from carepath.model.schema import schema_text

    return _write(args.out, schema_text(region=args.region))


def _write(out: str | None, text: str, parents: bool = False) -> int:
    """Write to the `--out` file, or to standard output without one."""
    if not out:
        sys.stdout.write(text)
        return 0
    try:
        write_file(Path(out), text, parents=parents)
    except OSError as exc:
        print(f"{out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _version() -> str:
    try:
        return metadata.version("carepath")
    except metadata.PackageNotFoundError:
        return "(not installed: run `make site` or `pip install -e .`)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carepath", description="Care pathways as data, rendered into a static site.")
    parser.add_argument("--version", action="version", version=f"carepath {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate the pathway data and print every problem")
    p.add_argument("dir", nargs="?", default=PATHWAY_DIR, help=f"the pathway folder (default: {PATHWAY_DIR})")
    p.add_argument(
        "--strict",
        action="store_true",
        help="also grade the pages as the build's readability gate does, and exit 1 on warnings too (a page due for review, "
        "a safety rule, a page too hard to read), as a strict site build does",
    )
    p.add_argument("--config", help="the site's mkdocs.yml, to check URLs against its hand-written pages (default: the one beside the folder)")
    p.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text: one `path:line:col: message` line a problem (default); json: one document on standard output "
        "(problems with file, line, column, severity, message); github: text plus GitHub Actions annotations",
    )
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("export", help="write the validated graph as JSON, or each pathway as a FHIR Bundle")
    p.add_argument("dir", nargs="?", default=PATHWAY_DIR, help=f"the pathway folder (default: {PATHWAY_DIR})")
    p.add_argument(
        "--format",
        choices=["json", "fhir"],
        default="json",
        help="json: the graph as versioned JSON (default); fhir: each pathway as an HL7 FHIR Bundle of CPG PlanDefinitions and ActivityDefinitions (FHIR.md)",
    )
    p.add_argument("--fhir-version", choices=["R4B", "R5"], help="with --format fhir: the FHIR release (default: R4B)")
    p.add_argument("--site-url", help="with --format fhir: the canonical base (default: the site's site_url, or SITE_URL)")
    p.add_argument("--pathway", help="export one pathway and the nodes it reaches")
    p.add_argument("--config", help="the site's mkdocs.yml (default: the one beside the folder)")
    p.add_argument("--out", help="file to write (default: standard output); with --format fhir and several pathways, a folder")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("schema", help="print the JSON Schema of pathway files (for editors)")
    p.add_argument("--region", action="store_true", help="the schema of regional overlay files (pathway/regions/<id>/) instead")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_schema)

    from carepath.cli.render import add_commands

    add_commands(sub)
    from carepath.audit.linkcheck import add_command as add_linkcheck

    add_linkcheck(sub)
    from carepath.audit.readability import add_command as add_readability

    add_readability(sub)
    from carepath.cli.urls import add_commands as add_urls

    add_urls(sub)
    from carepath.cli.serve import add_commands as add_serve

    add_serve(sub)
    from carepath.cli.new import add_commands as add_new

    add_new(sub)
    from carepath.cli.translations import add_commands as add_translations

    add_translations(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PathwayError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except (ConfigError, DiagramError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1

