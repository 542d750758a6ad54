"""The "Compare your options" table of a step page on a 390 px phone, as a reader meets it in Chromium: one card
per option, each cell labelled by its column, nothing wider than the screen; a table again on a wide screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from carepath import KnowledgeBase
from carepath.model.graph import EdgeKind, Stage, Treatment
from carepath.words import words

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

W = words("en")
PHONE = {"width": 390, "height": 844}
COLUMNS = [W.get("stage.compare_benefit"), W.get("stage.compare_risks"), W.get("stage.compare_involved")]


def step_pages(kb: KnowledgeBase) -> list[tuple[str, list[str]]]:
    """Every step page with treatments to choose from, with their titles in the order offered."""
    out = []
    for node in kb.of_kind("stage"):
        assert isinstance(node, Stage)
        options = [e.target for e in kb.out_edges(node.id, EdgeKind.offers) if isinstance(kb.nodes[e.target], Treatment)]
        if options:
            out.append((f"{node.id}/", [kb.nodes[o].title for o in options]))
    return out


def test_compare_table_stacks_into_cards_on_a_phone(browser: Browser, base_url: str, kb: KnowledgeBase) -> None:
    pages = step_pages(kb)
    assert pages, "the shipped pathways have no step with options"
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, service_workers="block")
    try:
        page = context.new_page()
        for path, titles in pages:
            page.goto(base_url + path, wait_until="load")
            table = page.locator("table.cp-compare")
            assert table.count() == 1, f"{path}: no 'Compare your options' table"
            # The whole page fits the phone's width: no sideways scroll anywhere, the table included.
            widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1], f"{path}: the page scrolls sideways on a {PHONE['width']} px phone ({widths[0]} > {widths[1]} px)"
            box = table.bounding_box()
            assert box is not None and box["width"] <= PHONE["width"], f"{path}: the table is {box} wide"
            rows = table.locator("tbody tr")
            assert rows.count() == len(titles), f"{path}: {rows.count()} rows for {len(titles)} options"
            for i, title in enumerate(titles):
                row = rows.nth(i)
                assert row.locator("th a").inner_text().strip() == title
                # A card: the option's cells stacked under one another, each headed by its column's words.
                cells = row.locator("td")
                tops = [cells.nth(j).bounding_box()["y"] for j in range(cells.count())]  # type: ignore[index]
                assert tops == sorted(tops) and len(set(tops)) == len(tops), f"{path}: the cells of '{title}' are not stacked"
                labels = [cells.nth(j).evaluate("td => getComputedStyle(td, '::before').content") for j in range(cells.count())]
                assert labels == [f'"{c}"' for c in COLUMNS], f"{path}: '{title}' cells are labelled {labels}"
                assert row.bounding_box()["width"] <= PHONE["width"]  # type: ignore[index]
            # The column headings are hidden from sight on a phone (each cell says its own), not from screen readers.
            assert page.locator("table.cp-compare thead").evaluate("e => getComputedStyle(e).position") == "absolute"
            assert table.get_attribute("role") == "table"
    finally:
        context.close()


def test_compare_table_is_a_table_on_a_wide_screen(browser: Browser, base_url: str, kb: KnowledgeBase) -> None:
    path, _titles = step_pages(kb)[0]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    try:
        page = context.new_page()
        page.goto(base_url + path, wait_until="load")
        first = page.locator("table.cp-compare tbody tr").first
        cells = first.locator("th, td")
        tops = {round(cells.nth(j).bounding_box()["y"]) for j in range(cells.count())}  # type: ignore[index]
        assert len(tops) == 1, "on a wide screen an option's cells sit side by side in one row"
        headings = page.locator("table.cp-compare thead th").all_inner_texts()
        assert [h.strip() for h in headings] == [W.get("stage.compare_option"), *COLUMNS]
    finally:
        context.close()
