"""`carepath urls`: list the URLs the site publishes, and keep the manifest of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from carepath.audit.manifest import MANIFEST_NAME, manifest_text, project_urls, read_manifest
from carepath.build.write import write_file
from carepath.problems import command


def _cmd_urls(args: argparse.Namespace) -> int:
    config = Path(args.config)
    manifest_path = Path(args.manifest) if args.manifest else config.resolve().parent / MANIFEST_NAME
    current = project_urls(config)
    if args.write:
        known = read_manifest(manifest_path)
        write_file(manifest_path, manifest_text(known + current), parents=False)
        added = sorted(set(current) - set(known))
        print(
            f"{manifest_path.name}: {len(added)} new URL{'s' if len(added) != 1 else ''} added"
            + "".join(f"\n  {u}" for u in added)
        )
        return 0
    if args.check:
        if not manifest_path.is_file():
            print(f"{manifest_path}: no such manifest file; create it with `{command('urls', '--write')}` and commit it", file=sys.stderr)
            return 1
        known = read_manifest(manifest_path)
        gone = sorted(set(known) - set(current))
        new = sorted(set(current) - set(known))
        for url in gone:
            print(
                f"{manifest_path.name}: '{url}' is no longer published; give the renamed node its old id under 'aliases:'",
                file=sys.stderr,
            )
        for url in new:
            print(
                f"{manifest_path.name}: '{url}' is not listed; run `{command('urls', '--write')}` and commit {manifest_path.name}",
                file=sys.stderr,
            )
        if gone or new:
            return 1
        print(f"ok: all {len(known)} URLs in {manifest_path.name} are still published, and no new one is missing from it")
        return 0
    sys.stdout.write("".join(f"{u}\n" for u in current))
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("urls", help=f"list every URL the site publishes; --write adds new ones to {MANIFEST_NAME}")
    p.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml (default: mkdocs.yml)")
    p.add_argument("--manifest", help=f"the manifest file (default: {MANIFEST_NAME} beside mkdocs.yml)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--write", action="store_true", help="add the URLs this build publishes to the manifest (never removes one)"
    )
    mode.add_argument("--check", action="store_true", help="exit 1 if a listed URL is gone or a published one is not listed")
    p.set_defaults(func=_cmd_urls)
