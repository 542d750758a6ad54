"""Lighthouse on one page of each kind a patient reads: accessibility 100 and best practices 95 or more.

Lighthouse (pinned in tests/lighthouse/, installed there by `make test`) runs once per page with its default
phone form factor, in the Chromium the other browser tests use; its JSON reports are kept in
test-artifacts/lighthouse/. Locally a missing Node.js or Lighthouse skips these tests; with `CI=true` it fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any
from urllib.parse import urlsplit

import pytest
from carepath import KnowledgeBase

from .conftest import ROOT, chromium_path, page_of_kind, unavailable

pytestmark = pytest.mark.browser

LIGHTHOUSE_DIR = ROOT / "tests" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
KINDS = ["home", "pathway", "stage", "treatment", "condition", "indicator"]
BEST_PRACTICES_AT_LEAST = 0.95


@pytest.fixture(scope="session")
def lighthouse_reports(kb: KnowledgeBase, base_url: str) -> dict[str, dict[str, Any]]:
    """One Lighthouse run per page kind, all in one Chromium: `{kind: report}`."""
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (apt-get install nodejs npm), so Lighthouse cannot run")
    if not (LIGHTHOUSE_DIR / "node_modules" / "lighthouse").is_dir():
        unavailable("Lighthouse is not installed in tests/lighthouse/ (`make test` runs `npm ci` there)")
    chromium = chromium_path()
    if chromium is None:
        unavailable("no Chromium found (apt-get install chromium)")
    REPORTS.mkdir(parents=True, exist_ok=True)
    for old in REPORTS.glob("*.json"):
        old.unlink()
    pages = [f"{kind}={base_url}{page_of_kind(kb, kind)}" for kind in KINDS]
    result = subprocess.run(
        [node, "run.mjs", str(REPORTS), *pages],
        check=False,
        cwd=LIGHTHOUSE_DIR,
        env={**os.environ, "CHROME_PATH": chromium},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"Lighthouse failed (exit {result.returncode}):\n{result.stdout}{result.stderr}", pytrace=False)
    return {kind: json.loads((REPORTS / f"{kind}.json").read_text(encoding="utf-8")) for kind in KINDS}


def describe_item(item: dict[str, Any]) -> str:
    node = item.get("node")
    if isinstance(node, dict):
        return f"{node.get('selector', '?')}: {node.get('snippet', '')[:160]}"
    for key in ("url", "source", "description", "value"):
        if key in item:
            return str(item[key])[:200]
    return json.dumps(item)[:200]


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """Each audit of `category` that lost points, with what it found (the items Lighthouse lists)."""
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] == 0 or audit["score"] is None or audit["score"] >= 1:
            continue
        out.append(f"{category}: {audit['id']} (score {audit['score']}): {audit['title']}")
        details = audit.get("details") or {}
        out += [f"    {describe_item(item)}" for item in details.get("items", [])]
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_lighthouse_accessibility_and_best_practices(kind: str, lighthouse_reports: dict[str, dict[str, Any]]) -> None:
    report = lighthouse_reports[kind]
    scores = {name: category["score"] for name, category in report["categories"].items()}
    problems = failing_audits(report, "accessibility") + failing_audits(report, "best-practices")
    assert scores["accessibility"] == 1 and scores["best-practices"] >= BEST_PRACTICES_AT_LEAST, (
        f"{report['finalDisplayedUrl']}: {scores}\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("kind", KINDS)
def test_lighthouse_read_the_page_itself_on_a_phone(
    kind: str, kb: KnowledgeBase, base_url: str, lighthouse_reports: dict[str, dict[str, Any]]
) -> None:
    """The scores are the page's, not an error page's or a redirect's, under Lighthouse's phone emulation."""
    report = lighthouse_reports[kind]
    assert "runtimeError" not in report
    assert report["finalDisplayedUrl"] == base_url + page_of_kind(kb, kind)
    assert report["configSettings"]["formFactor"] == "mobile"
    assert report["configSettings"]["screenEmulation"]["mobile"] is True


@pytest.mark.parametrize("kind", KINDS)
def test_lighthouse_page_requested_nothing_from_other_hosts(
    kind: str, kb: KnowledgeBase, base_url: str, lighthouse_reports: dict[str, dict[str, Any]]
) -> None:
    """The site is offline: under Lighthouse, too, every request stays on the local server."""
    requests = [item["url"] for item in lighthouse_reports[kind]["audits"]["network-requests"]["details"]["items"]]
    assert base_url + page_of_kind(kb, kind) in requests  # the list is the page's own, so it would show the rest
    here = urlsplit(base_url).netloc
    assert [url for url in requests if urlsplit(url).scheme != "data" and urlsplit(url).netloc != here] == []
