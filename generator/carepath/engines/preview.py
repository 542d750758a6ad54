"""What `make serve` adds to MkDocs' preview server, with no MkDocs import: a build error shown in the browser
as a page (the same `file:line:col` lines as the terminal) that reloads itself when the build is fixed, and a
busy port said in one line before anything is built."""

from __future__ import annotations

import errno
import html
import json
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from carepath.build.write import write_file

ERROR_PAGE = ".carepath-build-error.html"
"""The error page's file in the preview's site folder: MkDocs' server adds its live-reload script to it."""

DEFAULT_PORT = 8000


def error_page(message: str) -> str:
    """The page a browser shows while the preview's last build failed. Plain HTML, no JavaScript of its own: the
    server adds the live-reload script that fetches the fixed page once a build succeeds."""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Build failed: Carepath preview</title>\n"
        "<style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1a1a1a}"
        "h1{color:#a00000;font-size:1.5rem}pre{white-space:pre-wrap;background:#fff4f4;border-left:4px solid #a00000;"
        "padding:1rem;font:0.95rem/1.4 ui-monospace,monospace}</style>\n</head>\n<body>\n<main>\n"
        "<h1>The preview could not be built</h1>\n"
        "<p>Fix the problems below and save: this page reloads by itself when the build succeeds.</p>\n"
        f"<pre>{html.escape(message.strip())}</pre>\n</main>\n</body>\n</html>\n"
    )


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def show_errors(app: WsgiApp, failure: Callable[[], str | None], mount_path: str) -> WsgiApp:
    """`app` (MkDocs' preview server), except that while `failure()` says the last build failed, every page
    request gets the error page with status 500. Live-reload polls, stylesheets and images pass through."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        is_page = path.endswith(("/", ".html")) and not path.startswith("/livereload/")
        if failure() is None or not is_page:
            return app(environ, start_response)

        def as_error(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("200"):
                status = "500 Internal Server Error"
                headers = [*headers, ("Cache-Control", "no-store")]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return app({**environ, "PATH_INFO": mount_path.rstrip("/") + "/" + ERROR_PAGE}, as_error)

    return serve


def busy_port(host: str, port: int) -> str | None:
    """Why the preview cannot listen on `host:port` (in use, not allowed), or None. Binds the way MkDocs' server
    does (SO_REUSEADDR), so a port left in TIME_WAIT by an earlier preview is not called busy."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return busy_message(host, port, exc)
    return None


def busy_message(host: str, port: int, exc: OSError) -> str:
    other = DEFAULT_PORT + 1 if port == DEFAULT_PORT else port + 1
    if exc.errno == errno.EADDRINUSE:
        why = "is already in use (another preview?)"
    elif exc.errno == errno.EACCES:
        why = "may not be used by this user"
    else:
        why = f"cannot be used: {exc.strerror or exc}"
    return f"serve: port {port} on {host} {why}; choose another with `make serve PORT={other}`"


def fit_search_index(path: Path, pages: set[str]) -> None:
    """Correct the search index Material's search plugin writes under `serve --dirty`: it merges the pages it
    re-rendered into the previous index by the first one's URL only, so a deleted page's entries stayed, and a
    second re-rendered page's entries were doubled. Keeps the entries of the pages `pages` lists, each location
    once (the newest, which the plugin appends last)."""
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    newest: dict[str, Any] = {}
    for entry in index.get("docs", []):
        location = str(entry.get("location", ""))
        if location.split("#", 1)[0] in pages:
            newest.pop(location, None)
            newest[location] = entry
    if list(newest.values()) != index.get("docs"):
        index["docs"] = list(newest.values())
        write_file(path, json.dumps(index, separators=(",", ":"), default=str))
