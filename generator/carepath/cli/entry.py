"""The command's entry point (`carepath`, `python -m carepath`): a Ctrl-C at any moment, even while the
program is still loading, is one line and exit code 130, never a traceback."""

from __future__ import annotations

import sys

INTERRUPTED = 130
"""The exit code of a program stopped by Ctrl-C (128 + SIGINT), as shells report it."""


def run() -> None:
    try:
        from carepath.cli.main import main

        code = main()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        code = INTERRUPTED
    sys.exit(code)
