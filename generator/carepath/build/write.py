"""The only writer of files: each is written whole to a temporary file beside it, then renamed over it.

A reader (a web server, MkDocs' file watcher, a second build) sees the old file or the new one, never a
half-written one, and a crash leaves at most a stray `.tmp-*` file, never a truncated output.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_file(path: Path, data: bytes | str | tuple[bytes, ...], *, parents: bool = True) -> None:
    """Write `data` (text as UTF-8; a tuple of byte strings one after the other, so a large file need not be joined
    in memory first) to `path` atomically; with `parents`, create its folder first.

    Raises `OSError` as `open` would, e.g. `FileNotFoundError` for a missing folder without `parents`.
    """
    chunks = (data.encode("utf-8"),) if isinstance(data, str) else data if isinstance(data, tuple) else (data,)
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{secrets.token_hex(4)}-{path.name}")
    # os.open rather than mkstemp: mkstemp's mode 0600 would leave outputs unreadable to a web server.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that, so its mtime says when it last changed.
    Returns whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_file(path, data)
    return True
