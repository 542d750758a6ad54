"""The browser suite's own set-up: a missing browser skips locally and fails under CI, never silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import chromium_path, unavailable


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_a_missing_browser_fails_under_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true but no Chromium"):
        unavailable("no Chromium found")


@pytest.mark.parametrize("value", [None, "", "false"])
def test_a_missing_browser_skips_locally(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        unavailable("no Chromium found")


def test_carepath_chromium_names_the_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    browser = tmp_path / "my-chrome"
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setenv("CAREPATH_CHROMIUM", str(browser))
    assert chromium_path() == str(browser)
