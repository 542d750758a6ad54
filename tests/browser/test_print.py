"""Handouts on paper and code lookup, as a reader's browser does them: print to A4 PDF, follow a code link."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from carepath import KnowledgeBase
from helpers_site import node_url
from test_clinical import build_project, segno_matrix, svg_matrix

from .conftest import HOST, PAGE_KINDS, Visit, _QuietHandler, page_of_kind, unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

MAX_A4_PAGES = 2
HIDDEN_IN_PRINT = [
    ".md-header",
    ".md-sidebar--primary",
    ".md-sidebar--secondary",
    ".md-footer",
    ".cp-breadcrumb",
    ".cp-prevnext",
    ".cp-diagram",
]
SHOWN_IN_PRINT = [
    "h1", ".cp-summary", ".cp-gethelp", ".cp-meta",
    ".cp-handout", ".cp-qr", ".cp-handout-url", ".cp-handout-source", ".cp-handout-notes",
]  # fmt: skip
"""The get-help box prints the serious signs at the top, so the handout does not repeat them."""


def pdf_pages(pdf: Path) -> int:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        unavailable("pdfinfo is missing (apt-get install poppler-utils)")
    out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)$", out, re.MULTILINE)
    assert found, out
    return int(found.group(1))


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        unavailable(f"{tool} is missing (apt-get install poppler-utils)")
    return found


def pdf_text(pdf: Path, page: int) -> str:
    """The text of one page of a PDF in reading order, a block after another (the margin boxes included)."""
    return subprocess.run(
        [poppler("pdftotext"), "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def lines_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


MM = 300 / 25.4
"""Pixels a millimetre at the 300 dpi the printed QR code is read back at."""
MARGIN_TOP_MM, MARGIN_LEFT_MM = 13, 15
"""print.css's `@page` margins: where the page's own content, and so the handout block, starts on paper."""


def printed_qr(pdf: Path, modules: int) -> list[list[int]]:
    """The QR code printed at the top left of page 1, read back from the PDF rasterized at 300 dpi: the dark pixels
    of the handout block's first 26 mm square (the code, and nothing else: its words start to its right), each
    module sampled at its centre. No QR decoder is needed: the modules are compared with segno's own."""
    x, y, side = round(MARGIN_LEFT_MM * MM), round(MARGIN_TOP_MM * MM), round(26 * MM)
    out = subprocess.run(
        [poppler("pdftoppm"), "-gray", "-r", "300", "-f", "1", "-l", "1", "-x", str(x), "-y", str(y), "-W", str(side), "-H", str(side), str(pdf)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", out)
    assert header, out[:20]
    width, height = int(header.group(1)), int(header.group(2))
    pixels = out[header.end() :]
    assert len(pixels) == width * height
    dark = [(i % width, i // width) for i, v in enumerate(pixels) if v < 128]
    assert dark, "nothing is printed where the QR code should be"
    left, top = min(px for px, _ in dark), min(py for _, py in dark)
    right, bottom = max(px for px, _ in dark) + 1, max(py for _, py in dark) + 1
    assert abs((right - left) - (bottom - top)) <= 2, f"not a square code: {right - left} x {bottom - top} px"
    step = (right - left) / modules
    return [[1 if pixels[int(top + (r + 0.5) * step) * width + int(left + (c + 0.5) * step)] < 128 else 0 for c in range(modules)] for r in range(modules)]


NODE_KINDS = [k for k in PAGE_KINDS if k in ("pathway", "stage", "treatment", "condition", "indicator")]


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_printed_page_one_has_title_source_qr_code_and_notes_box(page: Page, base_url: str, kb: KnowledgeBase, kind: str, tmp_path: Path) -> None:
    """Chromium's own PDF of a node page: page 1 carries the title, who published it, the version and date, the QR
    code of its address (read back from the PDF) and the clinician's notes box; every page its title and number."""
    path = page_of_kind(kb, kind)
    title = " ".join(kb.nodes[path.rstrip("/")].title.split())
    page.goto(base_url + path)
    canonical = page.get_attribute("link[rel=canonical]", "href")
    source = page.locator(".cp-handout-source").text_content()
    assert canonical and source
    pdf = tmp_path / "handout.pdf"
    pages = print_to_pdf(page, base_url + path, pdf)
    first = lines_of(pdf_text(pdf, 1))
    assert first[0] == title, "the title heads page 1"
    body = " ".join(first[1:])
    assert title in body, "the page's own heading"
    assert "Read this page online, with any updates since it was printed:" in body
    assert canonical in body.replace(" ", ""), "the page's address (a long one wraps)"
    assert " ".join(source.split()) in body, "publisher, version and date on page 1"
    assert "Notes from your clinician" in first
    expected = segno_matrix(canonical, border=0)
    assert printed_qr(pdf, len(expected)) == expected, "the QR code on page 1 is not the page's address"
    for n in range(1, pages + 1):
        text = lines_of(pdf_text(pdf, n))
        assert text[0] == title, f"page {n} of {path} does not start with its title"
        assert text[-2:] == [" ".join(source.split()), f"Page {n} of {pages}"], f"page {n} of {path} ends {text[-2:]}"


def test_a_handout_over_two_pages_has_its_title_and_number_on_page_two(page: Page, base_url: str, kb: KnowledgeBase, tmp_path: Path) -> None:
    """The longest treatment page, printed: page 2 starts with the page's title and ends with its number."""
    sizes = {}
    for path in treatment_paths(kb):
        page.goto(base_url + path)
        sizes[path] = len(page.inner_text("article"))
    longest = max(sizes, key=lambda p: sizes[p])
    pdf = tmp_path / "longest.pdf"
    pages = print_to_pdf(page, base_url + longest, pdf)
    assert pages >= 2, f"{longest} prints on one page: no page 2 to check"
    second = lines_of(pdf_text(pdf, 2))
    title = " ".join(kb.nodes[longest.rstrip("/")].title.split())
    assert second[0] == title and title not in second[1:], "page 2 has the title once, at its head"
    assert second[-1] == f"Page 2 of {pages}"
    assert "Notes from your clinician" not in second, "the notes box is on page 1"


def treatment_paths(kb: KnowledgeBase) -> list[str]:
    return [f"{node.id}/" for node in kb.of_kind("treatment")]


def print_to_pdf(page: Page, url: str, pdf: Path) -> int:
    page.goto(url)
    page.pdf(path=str(pdf), format="A4")
    return pdf_pages(pdf)


def test_every_treatment_handout_fits_on_two_a4_pages(page: Page, base_url: str, kb: KnowledgeBase, tmp_path: Path) -> None:
    """The biggest treatment page decides it; every one is printed, so a new biggest one is caught too."""
    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    page.emulate_media(media="print")  # what page.pdf() uses anyway; here it also sizes the printed text
    for path in treatment_paths(kb):
        counts[path] = print_to_pdf(page, base_url + path, tmp_path / (path.strip("/") + ".pdf"))
        sizes[path] = len(page.inner_text("article"))
    biggest = max(sizes, key=lambda p: sizes[p])
    assert counts[biggest] <= MAX_A4_PAGES, f"the biggest treatment handout, {biggest}, prints on {counts[biggest]} A4 pages"
    assert {p: n for p, n in counts.items() if n > MAX_A4_PAGES} == {}, counts
    print(f"A4 pages per treatment handout (biggest: {biggest}): {counts}")


def test_print_shows_the_handout_and_hides_the_site(page: Page, base_url: str) -> None:
    page.goto(base_url + node_url("topical-lidocaine"))
    assert not page.locator(".cp-handout").is_visible(), "the handout block is for paper"
    page.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        assert page.locator(selector).count() == 0 or not page.locator(selector).first.is_visible(), selector
    for selector in SHOWN_IN_PRINT:
        assert page.locator(selector).first.is_visible(), selector
    assert not page.locator(".cp-handout-flags").is_visible(), "the warning signs print once, in the box at the top"
    assert "not medical advice" in page.inner_text(".cp-meta")
    # Material gives html the viewport's height; on paper it must grow with the content, or Chromium
    # prints a blank trailing page.
    assert page.evaluate("document.documentElement.getBoundingClientRect().height > innerHeight")


def test_printed_qr_encodes_the_canonical_url(page: Page, base_url: str) -> None:
    page.goto(base_url + node_url("topical-lidocaine"))
    canonical = page.get_attribute("link[rel=canonical]", "href")
    assert canonical and canonical.endswith("/" + node_url("topical-lidocaine"))
    assert page.get_attribute(".cp-handout", "data-qr") == canonical
    assert page.inner_text(".cp-handout-url") == canonical
    svg = page.locator("svg.cp-qr").evaluate("e => e.outerHTML")
    assert svg_matrix(svg) == segno_matrix(canonical)


@pytest.fixture(scope="module")
def fixture_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The clinical fixture site (made-up uses of real code formats), served on an ephemeral port."""
    site = build_project(tmp_path_factory.mktemp("lookup"))
    server = ThreadingHTTPServer((HOST, 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, name="fixture-server", daemon=True).start()
    yield f"http://{HOST}:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def infobutton(oid: str, code: str) -> str:
    return f"lookup/?mainSearchCriteria.v.cs={oid}&mainSearchCriteria.v.c={code}&knowledgeResponseType=text/html"


@pytest.mark.parametrize(
    ("oid", "code", "lands_on"),
    [
        ("2.16.840.1.113883.6.90", "M17.11", "knee-osteoarthritis/"),
        ("2.16.840.1.113883.6.90", "m1711", "knee-osteoarthritis/"),
        ("urn:oid:2.16.840.1.113883.6.96", "239873007", "knee-osteoarthritis/"),
        ("2.16.840.1.113883.6.88", "5640", "code/rxnorm/5640/"),
    ],
)
def test_lookup_opens_the_page_for_a_code(page: Page, fixture_url: str, oid: str, code: str, lands_on: str) -> None:
    page.goto(fixture_url + infobutton(oid, code))
    page.wait_for_url(fixture_url + lands_on)
    assert page.locator("h1").first.is_visible()


def test_lookup_of_an_unknown_code_says_so_and_lists_the_codes(page: Page, fixture_url: str) -> None:
    page.goto(fixture_url + infobutton("2.16.840.1.113883.6.88", "99999"))
    assert page.url == fixture_url + infobutton("2.16.840.1.113883.6.88", "99999")
    assert page.inner_text("#cp-lookup-status") == "This site has no page for code 99999. The codes it has are listed below."
    assert page.locator("a[href='../code/rxnorm/5640/']").is_visible()


def test_lookup_of_an_unknown_code_system_says_so_with_what_was_sent(page: Page, fixture_url: str) -> None:
    """The message comes from the page's words; what the record system sent goes in as text, `$&` and all."""
    page.goto(fixture_url + infobutton("1.2.3$%26", "5640"))  # %26: an & in the value
    assert page.inner_text("#cp-lookup-status") == "This site does not know the code system 1.2.3$&. The codes it has are listed below."


def test_lookup_without_javascript_shows_the_code_index(browser: Browser, fixture_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(fixture_url + infobutton("2.16.840.1.113883.6.90", "M17.11"))
        assert page.url.endswith(infobutton("2.16.840.1.113883.6.90", "M17.11"))
        page.get_by_role("link", name="M17.11").click()
        page.wait_for_url(fixture_url + "code/icd10cm/m17.11/")
    finally:
        context.close()


def test_code_and_lookup_pages_load_cleanly_and_pass_axe(visits: dict[str, Visit]) -> None:
    """The pages this stage adds, from the session's one visit of every built page."""
    ours = {path: visit for path, visit in visits.items() if path == "lookup/" or path.startswith("code/")}
    assert "lookup/" in ours and "code/" in ours and len(ours) >= 3
    assert {path: visit.errors for path, visit in ours.items() if visit.status != 200 or visit.errors} == {}
    assert [line for visit in ours.values() for line in visit.describe_violations()] == []
