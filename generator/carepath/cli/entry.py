"""The command's entry point (`carepath`, `python -m carepath`): a Ctrl-C at any moment, even while the
program is still loading, is one line and exit code 130, never a traceback."""

from __future__ import annotations

import atexit
import os
import sys

INTERRUPTED = 130
"""The exit code of a program stopped by Ctrl-C (128 + SIGINT), as shells report it."""


def run() -> None:
    try:
        import signal

        # A Ctrl-C waits while the modules load, and arrives the moment they have: pydantic builds the model's
        # validators in Rust at import and hands an interrupt back as a `SchemaError`, a traceback.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            from carepath.cli.main import main
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        code = main()
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        # Not `sys.exit`: about one Ctrl-C in five in a build's first second, caught here, still ended the
        # interpreter by SIGINT (-2 to a parent process) once it had exited, as CPython 3.11 does for a Ctrl-C it
        # took as unhandled (its flag for that is set inside `eval`/`exec` of strings, which typing and pydantic
        # run while the model loads). Exit handlers still run and the streams are flushed.
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)
    sys.exit(code)
