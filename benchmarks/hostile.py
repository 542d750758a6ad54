"""Issue 26's hostile run, again: one concrete probe for each of its 16 causes and for the settings the theme shows.

    python benchmarks/hostile.py [--quick]

Each probe copies a test fixture into a temporary folder, attacks it, runs the command line as a person would
and says `held` or `failed` by one stated criterion; the last line is `tried N, held H, failed F`. `--quick`
leaves out the probes that start a preview server or a browser (causes 8, 9 and the Chromium look).
Exit status 1 when a probe failed. The regression tests are in tests/ (test_hostile.py, test_cache.py,
test_serve.py, ...); these probes reuse their helpers, not their assertions.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "generator")]

from carepath.build.cache import _header
from helpers_site import HOSTILE_FIXTURE, SITE_FIXTURE, copy_project, elements, env, html_pages

Result = tuple[bool, str]
PAYLOAD = '"><script>alert(1)</script>'


def carepath(project: Path, *args: str, timeout: int = 600, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carepath", *args], cwd=project, env=env(**environment), capture_output=True, text=True, check=False, timeout=timeout
    )


def build(project: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return carepath(project, "build", "--site-dir", "site", **environment)


def one_line_refusal(done: subprocess.CompletedProcess[str], expect: str = "") -> Result:
    """Held: exit 1, one line on stderr (containing `expect`), no traceback."""
    lines = done.stderr.strip().splitlines()
    held = done.returncode == 1 and len(lines) == 1 and "Traceback" not in done.stderr and expect in done.stderr
    return held, f"exit {done.returncode}, {len(lines)} line(s): {lines[0][:100] if lines else ''}"


def project_copy(root: Path, fixture: Path = SITE_FIXTURE) -> Path:
    return copy_project(fixture, root / "project")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def live_markup(site: Path) -> list[str]:
    """Every element on a built page that a payload made: an event handler, a script (not JSON data) that alerts,
    `<img src=x>`."""
    found = []
    for page in html_pages(site):
        for el in elements(page.read_text(encoding="utf-8")):
            runs = el.tag == "script" and not el.attrs.get("type", "").endswith("json")  # JSON-LD and Material's config are data
            if any(re.fullmatch(r"on\w+", k) for k in el.attrs) or (runs and "alert(" in el.text):
                found.append(f"{page.relative_to(site)}: <{el.tag} {sorted(el.attrs)}>")
            elif el.tag == "img" and el.attrs.get("src") == "x":
                found.append(f"{page.relative_to(site)}: <img src=x>")
    return found


# --- script injection (causes 1, 2) and the settings the theme shows ------------------------------------------


def hostile_build(root: Path) -> Result:
    """Cause 1 and the theme's settings: every text field, vocabulary word, plugin text option and theme text
    setting of the hostile fixture. Held: exit 0 and no element on any page made by a payload."""
    project = project_copy(root, HOSTILE_FIXTURE)
    done = build(project)
    found = live_markup(project / "site") if done.returncode == 0 else []
    return done.returncode == 0 and not found, f"exit {done.returncode}, {len(found)} live payload element(s) {found[:2]}"


def hostile_in_chromium(root: Path) -> Result:
    """The hostile fixture in headless Chromium, every page. Held: no dialog opens."""
    from playwright.sync_api import sync_playwright

    project = project_copy(root, HOSTILE_FIXTURE)
    if build(project).returncode != 0:
        return False, "the build failed"
    site = project / "site"
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(page.url), d.dismiss()))
        pages = list(html_pages(site))
        for path in pages:
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(30)
        browser.close()
    return not dialogs, f"{len(pages)} pages, {len(dialogs)} dialog(s)"


def site_url(value: str, command: str = "build") -> Callable[[Path], Result]:
    def probe(root: Path) -> Result:
        project = project_copy(root)
        config = project / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("site_url: https://asthma.example.test/", "site_url: !ENV [SITE_URL, null]"))
        args = {"build": ["build", "--site-dir", "site"], "render": ["render", "--out", "out"], "check": ["check", "pathway"]}[command]
        held, said = one_line_refusal(carepath(project, *args, SITE_URL=value), "site_url")
        return held and not (project / "site").exists() and not (project / "out").exists(), said

    probe.__doc__ = f"Cause 2/11: SITE_URL={value[:40]!r} with `{command}`. Held: refused in one line naming site_url, nothing written."
    return probe


def theme_setting(yaml_text: str, setting: str) -> Callable[[Path], Result]:
    def probe(root: Path) -> Result:
        project = project_copy(root)
        append(project / "mkdocs.yml", "\n" + yaml_text + "\n")
        return one_line_refusal(build(project), setting)

    probe.__doc__ = f"Theme address {setting}: {yaml_text.splitlines()[-1].strip()[:50]}. Held: the build refuses it in one line naming it."
    return probe


# --- the cache (causes 3 to 7) -------------------------------------------------------------------------------


def cache_entries(project: Path) -> list[Path]:
    return sorted(p for p in (project / ".cache" / "carepath").rglob("*") if p.is_file())


def rebuilt_the_same(project: Path, spoil: Callable[[list[Path]], None]) -> Result:
    """Build, spoil the cache, build again. Held: exit 0 both times and the second site byte-identical to the first."""
    first = build(project)
    before = tree(project / "site")
    spoil(cache_entries(project))
    second = build(project)
    same = tree(project / "site") == before
    return first.returncode == 0 and second.returncode == 0 and same, f"exit {first.returncode}/{second.returncode}, same site: {same}"


def swapped_entries(root: Path) -> Result:
    """Cause 3: every cache entry moved into the next entry's file."""

    def rotate(files: list[Path]) -> None:
        raws = [f.read_bytes() for f in files]
        for f, raw in zip(files, raws[1:] + raws[:1], strict=True):
            f.write_bytes(raw)

    return rebuilt_the_same(project_copy(root), rotate)


def pickled_entry(root: Path) -> Result:
    """Cause 4: a pickle that makes a folder, with a valid header, in the largest entry's place. Held: the site
    is as before and the folder was never made."""
    ran = root / "the-payload-ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.mkdir, (str(ran),)

    def plant(files: list[Path]) -> None:
        entry = max(files, key=lambda p: p.stat().st_size)
        payload = pickle.dumps(Payload())
        entry.write_bytes(_header(entry.name, payload) + b"\n" + payload)

    held, said = rebuilt_the_same(project_copy(root), plant)
    return held and not ran.exists(), f"{said}, payload ran: {ran.exists()}"


def linked_pathway_folder(root: Path) -> Result:
    """Cause 5: a pathway subfolder that is a symbolic link; a title edited behind it. Held: the new title is on the site."""
    project = project_copy(root)
    real = root / "elsewhere"
    real.mkdir()
    shutil.move(project / "pathway" / "care.yml", real / "care.yml")
    (project / "pathway" / "linked").symlink_to(real, target_is_directory=True)
    first = build(project)
    care = real / "care.yml"
    care.write_text(care.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), encoding="utf-8")
    title = re.search(r"title: (Renamed .+)", care.read_text(encoding="utf-8"))
    second = build(project)
    shown = bool(title) and any(title.group(1) in page.read_text(encoding="utf-8") for page in html_pages(project / "site"))  # type: ignore[union-attr]
    return first.returncode == 0 and second.returncode == 0 and shown, f"exit {first.returncode}/{second.returncode}, edit shown: {shown}"


def cache_inside(folder: str) -> Callable[[Path], Result]:
    def probe(root: Path) -> Result:
        project = project_copy(root)
        config = project / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("      pathway_dir: pathway\n", f"      pathway_dir: pathway\n      cache_dir: {folder}\n"))
        held, said = one_line_refusal(build(project), "cache_dir")
        return held and not (project / folder).exists(), said

    probe.__doc__ = f"Cause 6: cache_dir: {folder}. Held: refused in one line, nothing left in {folder.split('/')[0]}/."
    return probe


def unusable_cache(kind: str) -> Callable[[Path], Result]:
    def probe(root: Path) -> Result:
        project = project_copy(root)
        cache = project / ".cache" / "carepath"
        if kind == "file":
            cache.parent.mkdir(parents=True)
            cache.write_text("not a folder")
        else:  # every entry a folder in its own place
            assert build(project).returncode == 0
            for entry in cache_entries(project):
                entry.unlink()
                entry.mkdir()
        done = build(project)
        warned = [line for line in (done.stdout + done.stderr).splitlines() if "cache" in line.lower() and "Traceback" not in line]
        held = done.returncode == 0 and "Traceback" not in done.stderr and (project / "site" / "index.html").is_file() and len(warned) >= 1
        return held, f"exit {done.returncode}, cache lines: {warned[:1]}"

    probe.__doc__ = f"Cause 7: the cache path is a {kind}. Held: exit 0, a site, a line about the cache, no traceback (read-only is not probed: this runs as root)."
    return probe


# --- serve (causes 8, 9) -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(r.status), r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def serve(project: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "carepath", "serve", "--port", str(port)], cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.5)
    return False


def stop(server: subprocess.Popen[str]) -> str:
    server.send_signal(signal.SIGINT)
    try:
        out, _ = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        out, _ = server.communicate()
    return out


def serve_deletion(root: Path) -> Result:
    """Cause 8: a node deleted from the YAML while `serve` runs. Held: its page answers 404 and leaves the search index."""
    project = project_copy(root)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = serve(project, port)
    try:
        if not wait_for(lambda: get(base + "night-cough/")[0] == 200, 180):
            return False, "the page never answered"
        care = project / "pathway" / "pathway.yml"
        text = care.read_text(encoding="utf-8")
        care.write_text(text.replace("    red_flags: [night-cough]\n", "    red_flags: []\n").replace("[spirometry, allergic-asthma]", "[spirometry, allergic-asthma]"), encoding="utf-8")
        # The indicator itself goes: its entry is in care.yml or pathway.yml.
        for f in (project / "pathway").glob("*.yml"):
            t = f.read_text(encoding="utf-8")
            t2 = re.sub(r"(?ms)^  - id: night-cough\n.*?(?=^  - id: |^\S|\Z)", "", t)
            t2 = re.sub(r"night-cough,\s*|,\s*night-cough", "", t2)
            f.write_text(t2, encoding="utf-8")
        gone = wait_for(lambda: get(base + "night-cough/")[0] == 404, 180)
        _, index = get(base + "search/search_index.json")
        in_index = b"night-cough/" in index
        return gone and index != b"" and not in_index, f"404: {gone}, still in the search index: {in_index}"
    finally:
        stop(server)


def two_servers(root: Path) -> Result:
    """Cause 9: two previews of one project on two ports, a page edited twice. Held: both answer 200 and neither prints a traceback."""
    project = project_copy(root)
    ports = [free_port(), free_port()]
    servers = [serve(project, p) for p in ports]
    try:
        up = all(wait_for(lambda p=p: get(f"http://127.0.0.1:{p}/")[0] == 200, 240) for p in ports)  # type: ignore[misc]
        care = project / "pathway" / "care.yml"
        for n in range(2):
            care.write_text(care.read_text(encoding="utf-8").replace("title: ", f"title: Edit{n} ", 1), encoding="utf-8")
            time.sleep(8)
        still = all(wait_for(lambda p=p: get(f"http://127.0.0.1:{p}/")[0] == 200, 120) for p in ports)  # type: ignore[misc]
    finally:
        outs = [stop(s) for s in servers]
    tracebacks = sum("Traceback" in o for o in outs)
    return up and still and tracebacks == 0, f"up: {up}, after edits: {still}, tracebacks: {tracebacks}"


# --- settings and environment (causes 10 to 12), promises (13) ------------------------------------------------


def relabelled_urgency(root: Path) -> Result:
    """Cause 10: `urgency_labels: {emergency: Routine}`. Held: `check --strict` exits 1 naming the file and line."""
    project = project_copy(root)
    append(project / "pathway" / "pathway.yml", "\nvocabulary:\n  urgency_labels:\n    emergency: Routine\n")
    done = carepath(project, "check", "--strict", "pathway")
    said = [line for line in (done.stdout + done.stderr).splitlines() if "pathway.yml:" in line and "Routine" in line]
    return done.returncode == 1 and bool(said) and "Traceback" not in done.stderr, f"exit {done.returncode}: {said[:1]}"


def bad_today(command: str) -> Callable[[Path], Result]:
    def probe(root: Path) -> Result:
        project = project_copy(root)
        args = ["check", "pathway"] if command == "check" else ["build", "--site-dir", "site"]
        return one_line_refusal(carepath(project, *args, CAREPATH_TODAY="garbage"), "CAREPATH_TODAY")

    probe.__doc__ = f"Cause 11: CAREPATH_TODAY=garbage with `{command}`. Held: one line naming it, exit 1."
    return probe


def numeric_content_version(root: Path) -> Result:
    """Cause 11: CONTENT_VERSION=2.1 (the README's own example) read by `!ENV`. Held: the build exits 0 and a handout says 2.1."""
    project = project_copy(root)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      pathway_dir: pathway\n", "      pathway_dir: pathway\n      content_version: !ENV [CONTENT_VERSION, null]\n"))
    done = build(project, CONTENT_VERSION="2.1")
    shown = done.returncode == 0 and "2.1" in (project / "site" / "preventer-inhaler" / "index.html").read_text(encoding="utf-8")
    return shown, f"exit {done.returncode}, 2.1 on the handout: {shown}"


def ctrl_c(after: float) -> Callable[[Path], Result]:
    def probe(root: Path) -> Result:
        project = project_copy(root)
        proc = subprocess.Popen(
            [sys.executable, "-m", "carepath", "build", "--site-dir", "site"], cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(after)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        lines = [line for line in err.splitlines() if line.strip() and not re.match(r"(INFO|WARNING|DEBUG)\s+-", line)]  # the build's own log
        held = proc.returncode == 130 and len(lines) <= 1 and "Traceback" not in err
        if proc.returncode == 0:  # finished before the signal: nothing to see
            held = True
        return held, f"exit {proc.returncode}, {len(lines)} line(s) {lines[:1]}"

    probe.__doc__ = f"Cause 12: Ctrl-C {after} s into a build. Held: exit 130, no traceback and, beside the build's log, at most one line (or done before it)."
    return probe


def vanished_url(root: Path) -> Result:
    """Cause 13: a published URL no node answers any more (no alias). Held: `check --strict` (`make check`) and the
    build exit 1 naming it."""
    project = project_copy(root)
    (project / "published-urls.txt").write_text("/\n/wrist-splint/\n", encoding="utf-8")
    checked = carepath(project, "check", "--strict", "pathway")
    built = build(project)
    named = "/wrist-splint/" in checked.stdout + checked.stderr and "/wrist-splint/" in built.stdout + built.stderr
    return checked.returncode == 1 and built.returncode == 1 and named, f"check exit {checked.returncode}, build exit {built.returncode}, named: {named}"


PROBES: list[tuple[str, Callable[[Path], Result], bool]] = [
    ("1 hostile text, vocabulary and settings", hostile_build, False),
    ("1 the same in Chromium", hostile_in_chromium, True),
    ("2 SITE_URL markup", site_url('https://x.example.org/"><script>alert(1)</script>'), False),
    ("2 SITE_URL 3,000 characters", site_url("https://x.example.org/" + "a" * 3000), False),
    ("2 SITE_URL javascript:", site_url("javascript://x.example.org/%0Aalert(1)"), False),
    ("3 cache entries swapped", swapped_entries, False),
    ("4 a pickled cache entry", pickled_entry, False),
    ("5 a linked pathway folder", linked_pathway_folder, False),
    ("6 cache_dir in the site", cache_inside("site/cache"), False),
    ("6 cache_dir in the docs", cache_inside("content/cache"), False),
    ("7 the cache path a file", unusable_cache("file"), False),
    ("7 cache entries that are folders", unusable_cache("folder"), False),
    ("8 a node deleted under serve", serve_deletion, True),
    ("9 two previews of one project", two_servers, True),
    ("10 emergency relabelled Routine", relabelled_urgency, False),
    ("11 CAREPATH_TODAY=garbage, check", bad_today("check"), False),
    ("11 CAREPATH_TODAY=garbage, build", bad_today("build"), False),
    ("11 SITE_URL='[1, 2]', render", site_url("[1, 2]", "render"), False),
    ("11 CONTENT_VERSION=2.1", numeric_content_version, False),
    ("12 Ctrl-C at 0.1 s", ctrl_c(0.1), False),
    ("12 Ctrl-C at 0.3 s", ctrl_c(0.3), False),
    ("12 Ctrl-C at 2 s", ctrl_c(2.0), False),
    ("13 a published URL gone", vanished_url, False),
    ("theme repo_url markup", theme_setting(f"repo_url: '{'https://x.example.org/' + PAYLOAD}'", "repo_url"), False),
    ("theme logo attribute", theme_setting("theme:\n  name: material\n  logo: 'x.png\" onerror=\"alert(1)'", "theme.logo"), False),
    ("theme extra.homepage javascript:", theme_setting("extra:\n  homepage: 'javascript:alert(1)'", "extra.homepage"), False),
    ("theme extra.social link", theme_setting("extra:\n  social:\n    - icon: fontawesome/brands/mastodon\n      link: \"java\\tscript:alert(1)\"", "extra.social[0].link"), False),
    ("theme extra_javascript data:", theme_setting("extra_javascript:\n  - 'data:text/javascript,alert(1)'", "extra_javascript[0]"), False),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="leave out the probes that start a server or a browser")
    args = parser.parse_args(argv)
    held = failed = 0
    for name, probe, slow in PROBES:
        if slow and args.quick:
            continue
        with tempfile.TemporaryDirectory(prefix="carepath-hostile-") as tmp:
            started = time.perf_counter()
            try:
                ok, said = probe(Path(tmp))
            except Exception as exc:  # noqa: BLE001 - a probe that crashes is a failed probe, said in its line
                ok, said = False, f"the probe crashed: {type(exc).__name__}: {exc}"
        held, failed = held + ok, failed + (not ok)
        print(f"{'held  ' if ok else 'FAILED'} {name}: {said} ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"tried {held + failed}, held {held}, failed {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
