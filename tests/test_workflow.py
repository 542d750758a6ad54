"""The GitHub Pages workflow publishes on a first push (issue 27): it turns Pages on, has the permissions a private
repository needs, and tests a pull request without deploying it."""

from __future__ import annotations

from typing import Any

import yaml
from helpers_site import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers() -> dict[str, Any]:
    data = workflow()
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def steps(job: str) -> list[dict[str, Any]]:
    return list(workflow()["jobs"][job]["steps"])


def test_a_pull_request_runs_the_tests_and_deploys_nothing() -> None:
    assert "pull_request" in triggers()
    assert triggers()["push"]["branches"] == ["main"]
    jobs = workflow()["jobs"]
    assert "if" not in jobs["test"], "the tests run on every event"
    for name in ("build", "deploy"):
        assert jobs[name]["if"] == "github.event_name != 'pull_request'", name
    assert any(s.get("run", "").strip().endswith("bash .ci/run") for s in steps("test"))


def test_configure_pages_turns_pages_on() -> None:
    [configure] = [s for s in steps("build") if str(s.get("uses", "")).startswith("actions/configure-pages@")]
    assert configure["with"]["enablement"] is True
    assert "Source: \"GitHub Actions\"" in WORKFLOW.read_text(encoding="utf-8"), "the one thing to click if enabling fails"


def test_the_permissions_a_private_repository_needs() -> None:
    jobs = workflow()["jobs"]
    assert workflow()["permissions"] == {"contents": "read"}, "least privilege by default"
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "write"}, "configure-pages reads and enables Pages"
    assert jobs["deploy"]["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert "permissions" not in jobs["test"], "a pull request's tests get read access only"


def test_one_deployment_at_a_time_and_pull_requests_apart() -> None:
    concurrency = workflow()["concurrency"]
    assert "'pages'" in concurrency["group"] and "pull_request" in concurrency["group"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_the_build_publishes_every_edition_by_default_and_those_a_run_names() -> None:
    """`make editions` with the dispatch's `editions` input (default all), through the environment, never pasted
    into the script; the Makefile passes each to `carepath build --edition`."""
    [step] = [s for s in steps("build") if "make editions" in s.get("run", "")]
    assert step["run"].strip() == 'make editions EDITIONS="$EDITIONS"'
    assert step["env"]["EDITIONS"] == "${{ inputs.editions || vars.CAREPATH_EDITIONS || 'all' }}"
    assert "SITE_URL" in step["env"]
    assert triggers()["workflow_dispatch"]["inputs"]["editions"]["default"] == "all"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "EDITIONS ?= all" in makefile
    assert "-m carepath build --site-dir $(SITE_DIR) $(foreach e,$(EDITIONS),--edition $(e))" in makefile
    assert "\t$(PY) -m carepath build --site-dir $(SITE_DIR)\n" in makefile, "make site: the site's own edition only"


def test_the_zensical_build_runs_only_by_hand_and_outside_the_test_run() -> None:
    """Zensical comes from PyPI: started by hand, never on a push or pull request, and never from `.ci/run`."""
    data = yaml.safe_load((REPO / ".github" / "workflows" / "zensical.yml").read_text(encoding="utf-8"))
    assert list(data.get("on", data.get(True))) == ["workflow_dispatch"]
    runs = [s.get("run", "") for s in data["jobs"]["zensical"]["steps"]]
    assert any(r.strip() == ".ci/zensical.sh" for r in runs)
    script = (REPO / ".ci" / "zensical.sh").read_text(encoding="utf-8")
    assert 'version="${ZENSICAL_VERSION:-0.0.73}"' in script and "linkcheck" in script and "--same-as" in script
    assert "zensical" not in (REPO / ".ci" / "run").read_text(encoding="utf-8").lower()
