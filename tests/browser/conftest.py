"""Build the shipped site once, serve it on 127.0.0.1, and drive it with one headless Chromium.

Locally a missing Chromium (or Playwright) skips the browser tests; with `CI=true` it fails them,
because a browser suite that CI silently skips protects nothing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest
from carepath import KnowledgeBase, load_knowledge_base
from carepath.model.graph import Indicator, Urgency

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-extensions"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SITE_URL = "https://carepath.test/"
"""The published address the test build gets (a `.test` name is reserved for tests, not a placeholder),
so canonical links and handout QR codes are there to check, as on the published site."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where a skipped browser suite would hide a broken set-up."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}; .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CAREPATH_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def knowledge_base() -> KnowledgeBase:
    kb, _ = load_knowledge_base(ROOT / "pathway")
    return kb


def page_paths(kb: KnowledgeBase) -> list[str]:
    """Site-relative URLs of the pages every build must have: home, every node, the A–Z and glossary."""
    return ["", *(f"{node_id}/" for node_id in sorted(kb.nodes)), "a-z/", "glossary/"]


PAGE_KINDS = ["home", "pathway", "stage", "treatment", "condition", "indicator", "a-z", "glossary"]


def page_of_kind(kb: KnowledgeBase, kind: str) -> str:
    """One page of each kind; for indicators the most urgent one, as that is the page that matters most."""
    if kind == "home":
        return ""
    if kind in ("a-z", "glossary"):
        return f"{kind}/"
    nodes = kb.of_kind(kind)
    if not nodes:
        pytest.fail(f"the shipped pathway has no {kind} page to test", pytrace=False)
    if kind == "indicator":
        nodes = sorted(nodes, key=lambda n: list(Urgency).index(n.urgency) if isinstance(n, Indicator) else 99)
    return f"{nodes[0].id}/"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`page_path` runs a test once per generated page, discovered from the pathway data."""
    if "page_path" in metafunc.fixturenames:
        paths = page_paths(knowledge_base())
        metafunc.parametrize("page_path", paths, ids=[p.rstrip("/") or "home" for p in paths])


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return knowledge_base()


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The shipped site, built once per session as the publishing workflow builds it: `make site` with `SITE_URL` set."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:  # say why the first browser test sits silent for a while
        reporter.write_line("browser tests: building the shipped site once for all of them (about half a minute)...")
    site = tmp_path_factory.mktemp("built") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "carepath", "build", "--quiet", "--site-dir", str(site)],
        check=False,
        cwd=ROOT,
        env={**os.environ, "SITE_URL": SITE_URL},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"building the shipped site failed:\n{result.stdout}{result.stderr}", pytrace=False)
    return site


def built_pages(site: Path) -> list[str]:
    """Every HTML page in the built site as a URL path: `x/index.html` -> `x/`, `404.html` stays.

    A former id's redirect stub is left out: it navigates away as soon as it loads (tests/test_redirects.py
    checks those), which would pull the page from under axe mid-run.
    """
    out = []
    for html in sorted(site.rglob("*.html")):
        if '<meta http-equiv="refresh"' in html.read_text(encoding="utf-8", errors="replace")[:2000]:
            continue
        rel = html.relative_to(site).as_posix()
        out.append(rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """A built site on an ephemeral port of 127.0.0.1, served by the standard library, for as long as the block runs."""
    server = ThreadingHTTPServer((HOST, 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The built site on an ephemeral port of 127.0.0.1, served by the standard library."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser(record_testsuite_property: Callable[[str, object], None]) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        unavailable("no Chromium found (apt-get install chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[test]')")
    manager = sync_playwright().start()
    try:
        try:
            browser = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as exc:
            unavailable(f"Chromium at {executable} did not start: {exc.message.splitlines()[0]}")
        # .ci/run reads this from the JUnit report: proof that a real browser ran, not just the static tests.
        record_testsuite_property("chromium", f"{browser.version} {executable}")
        yield browser
        browser.close()
    finally:
        manager.stop()


@dataclass
class Recorder:
    """Every request the browser makes and every console error it logs, across the whole session."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def mark(self) -> tuple[int, int]:
        return len(self.requests), len(self.errors)


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def context(browser: Browser, recorder: Recorder) -> Iterator[BrowserContext]:
    """One context for the session: pages share the browser cache, as a reader's tabs would."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    record(ctx, recorder)
    yield ctx
    ctx.close()


def record(ctx: BrowserContext, recorder: Recorder) -> None:
    """Have `recorder` see every request of `ctx` and every load that fails."""
    ctx.on("request", lambda request: recorder.requests.append(request.url))
    # Chromium's console line for a failed load does not name the URL; these do.
    ctx.on(
        "response",
        lambda response: recorder.errors.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None,
    )
    # A load the page cancelled (net::ERR_ABORTED: the next visit began while the search worker was still fetching
    # its language's stemmer) is not a fault of the site: a missing file answers 404 above, and a request to another
    # host is in `requests` either way.
    ctx.on(
        "requestfailed",
        lambda request: None if "ERR_ABORTED" in str(request.failure) else recorder.errors.append(f"failed ({request.failure}): {request.url}"),
    )


@pytest.fixture
def page(context: BrowserContext, recorder: Recorder) -> Iterator[Page]:
    page = context.new_page()
    page.on("console", lambda msg: recorder.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: recorder.errors.append(f"uncaught: {exc}"))
    yield page
    page.close()


def is_local(url: str, base_url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.netloc == urlsplit(base_url).netloc and parts.scheme == "http"


@dataclass
class Visit:
    """What one page load produced: its status, console errors, requests, axe violations and small targets."""

    path: str
    status: int | None
    errors: list[str]
    requests: list[str]
    violations: list[dict[str, Any]]
    small_targets: list[str] = field(default_factory=list)

    def describe_violations(self) -> list[str]:
        out = []
        for v in self.violations:
            for node in v["nodes"]:
                out.append(
                    f"{self.path or '/'}: {v['id']} ({v['impact']}): {', '.join(map(str, node['target']))}: {node['html'][:160]}"
                )
        return out


SMALL_TARGETS_JS = r"""
() => {
  const targets = [...document.querySelectorAll(
    'a[href], button, summary, input:not([type=hidden]), select, textarea, label[for], [role=button]'
  )].filter(el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
    && getComputedStyle(el).pointerEvents !== 'none');
  const words = /[\p{L}\p{N}]/u;
  const inSentence = el => {
    if (getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    let text = block ? block.textContent : '';
    for (const t of targets) if (block && block.contains(t)) text = text.replace(t.textContent, '');
    return words.test(text);
  };
  return targets.flatMap(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.width >= 24 && r.height >= 24) || inSentence(el)) return [];
    const name = (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return [`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} `
      + `"${name}": ${Math.round(r.width * 10) / 10} x ${Math.round(r.height * 10) / 10} px`];
  });
}
"""
"""Every visible pointer target under 24 x 24 px (WCAG 2.2, 2.5.8) that is not a link in a sentence, whose
line height the text around it sets (that exception, and spacing, are what axe's target-size checks)."""

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
"""A 390 x 844 phone, as patients read the site: Material's mobile layout (drawer, no sidebars)."""


def visit_every_page(context: BrowserContext, recorder: Recorder, base_url: str, site_dir: Path) -> dict[str, Visit]:
    """Load every built page once in `context`, run axe-core on it and measure its targets."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    out: dict[str, Visit] = {}
    page = context.new_page()
    page.on("console", lambda msg: recorder.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: recorder.errors.append(f"uncaught: {exc}"))
    try:
        for path in built_pages(site_dir):
            requests_at, errors_at = recorder.mark()
            response = page.goto(base_url + path, wait_until="load")
            results = axe.run(page, options=options)
            out[path] = Visit(
                path,
                response.status if response else None,
                recorder.errors[errors_at:],
                recorder.requests[requests_at:],
                list(results.response["violations"]),
                page.evaluate(SMALL_TARGETS_JS),
            )
    finally:
        page.close()
    return out


@pytest.fixture(scope="session")
def visits(context: BrowserContext, recorder: Recorder, base_url: str, site_dir: Path) -> dict[str, Visit]:
    """Every built page loaded once at 1280 px with axe-core run on it; the per-page tests read from here."""
    return visit_every_page(context, recorder, base_url, site_dir)


@contextlib.contextmanager
def visits_in_new_context(browser: Browser, base_url: str, site_dir: Path, **options: Any) -> Iterator[dict[str, Visit]]:
    """Every built page loaded once in a context of its own (`options`: its viewport, say), axe-core run on each."""
    ctx = browser.new_context(**options, service_workers="block")
    recorder = Recorder()
    record(ctx, recorder)
    try:
        yield visit_every_page(ctx, recorder, base_url, site_dir)
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def phone_visits(browser: Browser, base_url: str, site_dir: Path) -> Iterator[dict[str, Visit]]:
    """Every built page loaded once on a phone (`PHONE`) with axe-core run on it."""
    with visits_in_new_context(browser, base_url, site_dir, **PHONE) as found:
        yield found
