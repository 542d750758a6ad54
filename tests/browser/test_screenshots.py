"""A screenshot of every page kind on a phone (390 px) and a laptop (1280 px), saved into `test-artifacts/`
for people to review, and the checks a screenshot would reveal: nothing runs off the side, the body text is
readable, the emergency signs are on the first phone screen."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from carepath import KnowledgeBase

from .conftest import PAGE_KINDS, ROOT, page_of_kind

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SCREENS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}
EXTRA_KINDS = ["overview", "code", "lookup", "pathways", "404"]
FIRST_SCREEN_KINDS = {"pathway", "stage", "treatment", "condition", "indicator"}
MIN_BODY_PX = 16.0


def path_of(kb: KnowledgeBase, kind: str) -> str:
    extra = {
        "overview": f"{kb.pathways[0].id}/overview/",
        "code": "code/",
        "lookup": "lookup/",
        "pathways": "pathways/",
        "404": "404.html",
    }
    return extra[kind] if kind in extra else page_of_kind(kb, kind)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def shoot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    out = SCREENS / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out


@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("kind", PAGE_KINDS + EXTRA_KINDS)
def test_screenshot_of_each_page_kind(browser: Browser, base_url: str, kb: KnowledgeBase, kind: str, device: str) -> None:
    width, height = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=device == "phone", has_touch=device == "phone")
    try:
        page = context.new_page()
        response = page.goto(base_url + path_of(kb, kind), wait_until="load")
        assert response is not None and response.status == 200
        # Reflow (WCAG 1.4.10): the page never scrolls sideways; the overview chart is scaled to fit it.
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        body_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article.md-typeset')).fontSize)")
        assert body_px >= MIN_BODY_PX
        if device == "phone" and kind in FIRST_SCREEN_KINDS:
            signs = page.locator(".cp-emergency-line, .cp-card").first
            box = signs.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, f"the emergency line ends {box and box['y'] + box['height']} px down"
            assert float(signs.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= body_px
        out = shoot(page, f"{kind}-{device}-{width}")
        shot_width, shot_height = png_size(out.read_bytes())
        assert shot_width == width and shot_height >= height
    finally:
        context.close()
