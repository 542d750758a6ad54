"""`carepath serve` (what `make serve` runs): MkDocs' live preview with `--dirty`, on a port said to be busy in
one line before anything is built."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from carepath.engines.preview import DEFAULT_PORT, busy_port

POLL_SECONDS = 0.25
"""How often the preview looks for saved files: MkDocs' server polls every 0.5 s, a quarter of a second on average
between a save and the rebuild's start. A look at a 3,000-node pathway folder costs about 14 ms, so 0.25 s keeps it
near 5% of a core."""

RUN_SERVE = """\
import errno, functools, sys
from mkdocs import livereload
from mkdocs.__main__ import cli
host, port, poll = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
livereload.LiveReloadServer.__init__ = functools.partialmethod(livereload.LiveReloadServer.__init__, polling_interval=poll)
try:
    cli(sys.argv[4:], prog_name="mkdocs")
except OSError as exc:
    if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
        raise
    from carepath.engines.preview import busy_message
    print(busy_message(host, port, exc), file=sys.stderr)
    sys.exit(1)
"""
"""MkDocs' command line, with the server polling every `POLL_SECONDS` (an argument of its own, `polling_interval`, that
MkDocs' command line does not set), and a port taken between the check and the server's start said in the same one line."""


def _cmd_serve(args: argparse.Namespace) -> int:
    busy = busy_port(args.host, args.port)
    if busy:
        print(busy, file=sys.stderr)
        return 1
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    address = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    # --no-strict: MkDocs warns on every --dirty build, which strict mode would turn into a failure.
    mkdocs = ["serve", "--dirty", "--no-strict", "--dev-addr", address, "--config-file", args.config]
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-c", RUN_SERVE, args.host, str(args.port), str(POLL_SECONDS), *mkdocs])


def add_commands(sub: Any) -> None:
    p = sub.add_parser("serve", help="live preview that re-renders only the pages an edit changes (what `make serve` runs)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port to listen on (default: {DEFAULT_PORT}; `make serve PORT=8001`)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--config", default="mkdocs.yml", help="the site's mkdocs.yml (default: mkdocs.yml)")
    p.set_defaults(func=_cmd_serve)
