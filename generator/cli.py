"""Command line: `python -m generator check|export|schema|render|readability`, with no MkDocs involved.

Bad input prints every problem as `path:line:col: message` and exits 1, with no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import check_pathway, load_knowledge_base
from .config import ConfigError
from .export import dumps, export_graph
from .problems import PathwayError
from .validate import counts


def _cmd_check(args: argparse.Namespace) -> int:
    kb, problems = check_pathway(Path(args.dir))
    for p in problems:
        print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} error{'s' if errors != 1 else ''} in the pathway data", file=sys.stderr)
        return 1
    warnings = len(problems)
    if args.strict and warnings:
        print(f"{warnings} warning{'s' if warnings != 1 else ''} in the pathway data, which --strict treats as errors", file=sys.stderr)
        return 1
    nodes, edges = counts(kb)
    node_text = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(nodes.items()))
    edge_text = ", ".join(f"{n} {k}" for k, n in sorted(edges.items()))
    terms = len(kb.glossary)
    print(f"ok: {len(kb.nodes)} nodes ({node_text}); {len(kb.edges)} edges ({edge_text}); {terms} glossary term{'s' if terms != 1 else ''}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    kb, warnings = load_knowledge_base(Path(args.dir))
    for w in warnings:
        print(w, file=sys.stderr)
    pathway = None
    if args.pathway:
        pathway = next((p for p in kb.pathways if p.id == args.pathway), None)
        if pathway is None:
            print(f"no pathway with id '{args.pathway}'; pathways: {', '.join(p.id for p in kb.pathways)}", file=sys.stderr)
            return 1
    return _write(args.out, dumps(export_graph(kb, pathway)))


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import schema_text

    return _write(args.out, schema_text())


def _write(out: str | None, text: str) -> int:
    """Write to the `--out` file, or to standard output without one."""
    if not out:
        sys.stdout.write(text)
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"{out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carepath", description="Care pathways as data, rendered into a static site.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate the pathway data and print every problem")
    p.add_argument("dir", nargs="?", default="pathway", help="the pathway folder (default: pathway)")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too (a page due for review, a safety rule), as a strict site build does")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("export", help="write the validated graph as JSON")
    p.add_argument("dir", nargs="?", default="pathway")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("--pathway", help="export one pathway and the nodes it reaches")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("schema", help="print the JSON Schema of pathway files (for editors)")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_schema)

    from .render_cli import add_commands

    add_commands(sub)
    from .linkcheck import add_command as add_linkcheck

    add_linkcheck(sub)
    from .readability import add_command as add_readability

    add_readability(sub)
    from .clinical import add_commands as add_clinical

    add_clinical(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PathwayError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1

