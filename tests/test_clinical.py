"""Handouts, JSON-LD, code pages, lookup data and pathway.json: real strict builds of a small fixture."""

from __future__ import annotations

import html as html_module
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno
from carepath.build.site import build_site_pages
from carepath.problems import PathwayError
from carepath.publish.codes import lookup_key
from carepath.publish.export import FORMAT, VERSION
from carepath.publish.site_url import NO_SITE_URL, is_placeholder, placeholder_message
from carepath.settings import Settings
from carepath.text.escape import css_string
from helpers_site import strip_ansi

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "clinical" / "project"
SITE_URL = "https://knee.example.test/care/"
HOSTILE_TITLE = "Genicular nerve ablation </script><script>alert(1)</script>"


def make_project(root: Path, config_edits: dict[str, str] | None = None) -> Path:
    """A copy of the fixture project with the repository's theme overrides; `config_edits` replace lines of mkdocs.yml."""
    project = root / "project"
    shutil.copytree(FIXTURE, project)
    shutil.copytree(ROOT / "site_overrides", project / "site_overrides")
    if config_edits:
        config = project / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        for old, new in config_edits.items():
            assert old in text
            text = text.replace(old, new)
        config.write_text(text, encoding="utf-8")
    return project


def run_build(project: Path, today: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m generator build` (strict MkDocs) of a project into its `site/`, on the date `today` if given.

    Not `--quiet`: MkDocs then drops warnings before strict mode counts them.
    """
    return subprocess.run(
        [sys.executable, "-m", "carepath", "build", "--config", "mkdocs.yml", "--site-dir", "site"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CAREPATH_TODAY": today} if today else None,
    )


def build_project(root: Path, config_edits: dict[str, str] | None = None) -> Path:
    project = make_project(root, config_edits)
    result = run_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("clinical"))


class _Elements(HTMLParser):
    """Collects the text of `<script>` elements by type and the attributes of every element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str, str]] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script = attributes.get("type", "")
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def jsonld_of(html: str) -> dict[str, object]:
    found = [text for kind, text in parse(html).scripts if kind == "application/ld+json"]
    assert len(found) == 1, found
    data = json.loads(found[0])
    assert isinstance(data, dict)
    return data


def svg_matrix(svg: str) -> list[list[int]]:
    """The dark modules of a segno SVG path (`M x y` then `h` runs and relative `m` moves), as 0/1 rows."""
    viewbox = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    path = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert viewbox and path, svg[:200]
    width, height = int(viewbox.group(1)), int(viewbox.group(2))
    grid = [[0] * width for _ in range(height)]
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            end = float(a) if op == "H" else x + float(a)
            for col in range(int(x), int(end)):
                grid[int(y)][col] = 1
            x = end
    return grid


def segno_matrix(text: str, border: int = 4) -> list[list[int]]:
    """A fresh segno encoding of `text` with the handout's settings (error level M, no Micro QR)."""
    qr = segno.make_qr(text, error="m", boost_error=False)
    return [[1 if dark else 0 for dark in row] for row in qr.matrix_iter(border=border)]


def handout_of(html: str) -> str:
    match = re.search(r'<div class="cp-handout[^"]*".*?</div>\n</div>', html, re.DOTALL)
    assert match, "no handout block"
    return match.group(0)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "node_id", ["knee-care", "first-steps", "anti-inflammatory-pills", "knee-osteoarthritis", "hot-swollen-knee"]
)
def test_handout_qr_encodes_the_canonical_url(site: Path, node_id: str) -> None:
    html = read(site, f"{node_id}/index.html")
    handout = handout_of(html)
    url = SITE_URL + node_id + "/"
    assert f'data-qr="{url}"' in handout
    assert f'<span class="cp-handout-url">{url}</span>' in handout
    assert f'<link rel="canonical" href="{url}">' in html, "the QR must match the page's canonical link"
    svg = re.search(r"<svg .*?</svg>", handout, re.DOTALL)
    assert svg and f'aria-label="QR code for {url}"' in svg.group(0)
    assert svg_matrix(svg.group(0)) == segno_matrix(url)


def test_svg_matrix_parser_sees_a_different_url_as_different(site: Path) -> None:
    svg = re.search(r"<svg .*?</svg>", handout_of(read(site, "knee-care/index.html")), re.DOTALL)
    assert svg
    assert svg_matrix(svg.group(0)) != segno_matrix(SITE_URL + "first-steps/")


def test_warning_signs_print_once_not_again_in_the_handout(site: Path) -> None:
    """The emergency line stands above the first section; the page's own box prints (print.css hides only the site
    around the page) under the first section; the handout repeats neither. A pathway's page lists every sign."""
    for rel in ("anti-inflammatory-pills/index.html", "knee-osteoarthritis/index.html", "knee-care/index.html"):
        html = read(site, rel)
        line = html.find('<p class="cp-emergency-line')
        assert 0 < line < html.find("<h2"), rel
        signs = html.find('<div class="cp-gethelp') if rel != "knee-care/index.html" else html.find('id="warning-signs"')
        assert html.find("<h2") < signs, rel
        # In the box (whose first list may be the treatment's own emergency signs), or the pathway's first list.
        end = html.find("</ul>", signs) if rel == "knee-care/index.html" else html.find("</div>", signs)
        assert "Hot, swollen knee with fever" in html[signs:end], rel
        assert "Hot, swollen knee" not in handout_of(html) and "call 911" not in handout_of(html)


def test_handout_sits_before_the_review_line_and_is_not_scored(site: Path) -> None:
    html = read(site, "anti-inflammatory-pills/index.html")
    assert html.index('class="cp-handout cp-no-score"') < html.index('class="cp-meta')


def test_handouts_are_byte_identical_across_builds() -> None:
    again = build_site_pages(Settings(pathway_dir=FIXTURE / "pathway", site_url=SITE_URL, diagrams=False))
    first = build_site_pages(Settings(pathway_dir=FIXTURE / "pathway", site_url=SITE_URL, diagrams=False))
    assert again.pages == first.pages and again.assets == first.assets


def test_jsonld_matches_the_data(site: Path) -> None:
    pills = jsonld_of(read(site, "anti-inflammatory-pills/index.html"))
    assert pills == {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": "Anti-inflammatory pills",
        "description": "Pills that ease pain and swelling for a short while.",
        "url": SITE_URL + "anti-inflammatory-pills/",
        "about": {
            "@type": "Drug",
            "name": "Anti-inflammatory pills",
            "code": [{"@type": "MedicalCode", "codeValue": "5640", "codingSystem": "RxNorm", "name": "ibuprofen"}],
        },
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "lastReviewed": "2026-02-01",
        "reviewedBy": {"@type": "Person", "name": "Dr Ada Fixture"},
    }
    knee = jsonld_of(read(site, "knee-osteoarthritis/index.html"))
    assert knee["about"] == {
        "@type": "MedicalCondition",
        "name": "Knee osteoarthritis",
        "code": [
            {
                "@type": "MedicalCode",
                "codeValue": "M17.11",
                "codingSystem": "ICD-10-CM",
                "name": "Unilateral primary osteoarthritis, right knee",
            },
            {"@type": "MedicalCode", "codeValue": "239873007", "codingSystem": "SNOMED CT", "name": "Osteoarthritis of knee"},
        ],
    }
    assert "lastReviewed" not in knee and "reviewedBy" not in knee, "a draft page claims no review"
    flag = jsonld_of(read(site, "hot-swollen-knee/index.html"))
    assert flag["about"] == {"@type": "MedicalSignOrSymptom", "name": "Hot, swollen knee with fever"}


def test_jsonld_cannot_close_its_script_element(site: Path) -> None:
    html = read(site, "genicular-nerve-ablation/index.html")
    data = jsonld_of(html)
    assert data["name"] == HOSTILE_TITLE
    assert data["description"] == "Heat calms the small nerves that carry knee pain & the relief can last months."
    assert "<script>alert(1)" not in html


def test_running_header_and_footer_of_a_printed_page_come_from_the_page(site: Path) -> None:
    """The title, source line and page number that print.css puts in every printed page's margins are CSS strings
    in the page: a title with markup in it cannot close their `<style>` element, or the string."""
    html = read(site, "genicular-nerve-ablation/index.html")
    style = re.search(r"<style>(.*?)</style>", handout_of(html), re.DOTALL)
    assert style
    assert style.group(1) == (
        ':root { --cp-running-title: "Genicular nerve ablation \\3c /script\\3e \\3c script\\3e alert(1)\\3c /script\\3e ";'
        f" --cp-running-source: {css_string(handout_source(html))};"
        ' --cp-running-page: "Page " counter(page) " of " counter(pages); }'
    )
    assert css_string('a "b" \\ c\n  d') == '"a \\22 b\\22  \\5c  c d"'
    assert css_string(" of ") == '" of "', "the pieces around the page counters keep their spaces"


def handout_source(html: str) -> str:
    found = re.search(r'<span class="cp-handout-source">(.*?)</span>', html)
    assert found
    return html_module.unescape(found.group(1))


def test_every_node_page_has_jsonld(site: Path) -> None:
    for node_id in ["knee-care", "first-steps", "procedures", "anti-inflammatory-gel", "genicular-nerve-ablation"]:
        assert jsonld_of(read(site, f"{node_id}/index.html"))["@type"] == "MedicalWebPage"


def test_codes_json_lists_every_code_with_its_pages(site: Path) -> None:
    data = json.loads(read(site, "codes.json"))
    assert data["format"] == "carepath-codes" and data["version"] == 1
    assert list(data["systems"]) == ["icd10cm", "snomedct", "rxnorm"]
    rxnorm = data["systems"]["rxnorm"]
    assert rxnorm["oid"] == "2.16.840.1.113883.6.88"
    assert rxnorm["codes"]["5640"] == {
        "display": "ibuprofen",
        "page": "code/rxnorm/5640/",
        "pages": [
            {"id": "anti-inflammatory-gel", "title": "Anti-inflammatory gel", "url": "anti-inflammatory-gel/"},
            {"id": "anti-inflammatory-pills", "title": "Anti-inflammatory pills", "url": "anti-inflammatory-pills/"},
        ],
    }
    for system in data["systems"].values():
        for entry in system["codes"].values():
            for url in [entry["page"], *(p["url"] for p in entry["pages"])]:
                assert (site / url / "index.html").is_file(), url


def test_code_pages_link_every_page_with_the_code(site: Path) -> None:
    html = read(site, "code/rxnorm/5640/index.html")
    assert "<h1" in html and "RxNorm 5640: ibuprofen</h1>" in html
    assert 'href="../../../anti-inflammatory-gel/"' in html and 'href="../../../anti-inflammatory-pills/"' in html
    icd = read(site, "code/icd10cm/m17.11/index.html")
    assert 'href="../../../knee-osteoarthritis/"' in icd
    index = read(site, "code/index.html")
    for href in [
        'href="icd10cm/m17.11/"',
        'href="snomedct/239873007/"',
        'href="rxnorm/5640/"',
        'href="../codes.json"',
        'href="../knee-care/pathway.json"',
    ]:
        assert href in index


def test_lookup_page_maps_oids_to_pages_and_lists_codes_without_javascript(site: Path) -> None:
    html = read(site, "lookup/index.html")
    found = re.search(r'<script type="application/json" id="cp-lookup-map">(.*?)</script>', html, re.DOTALL)
    assert found
    lookup = json.loads(found.group(1))
    assert lookup["2.16.840.1.113883.6.90"] == {"M1711": "../knee-osteoarthritis/"}
    assert lookup["2.16.840.1.113883.6.96"] == {"239873007": "../knee-osteoarthritis/"}
    assert lookup["2.16.840.1.113883.6.88"] == {"5640": "../code/rxnorm/5640/"}, "a code on two pages opens its code page"
    assert ("script", {"src": "../assets/carepath/lookup.js"}) in parse(html).elements
    assert (site / "assets" / "carepath" / "lookup.js").is_file()
    assert 'href="../code/icd10cm/m17.11/"' in html, "without JavaScript the page lists the codes"


@pytest.mark.parametrize(("sent", "key"), [("M17.11", "M1711"), ("m1711", "M1711"), (" 5640 ", "5640"), ("24558-9", "24558-9")])
def test_lookup_keys_ignore_case_dots_and_spaces(sent: str, key: str) -> None:
    assert lookup_key(sent) == key


def test_pathway_json_sits_beside_the_pathway_page(site: Path) -> None:
    data = json.loads(read(site, "knee-care/pathway.json"))
    assert (data["format"], data["version"], data["pathway"]) == (FORMAT, VERSION, "knee-care")
    assert {n["id"] for n in data["nodes"]} == {
        "knee-care", "first-steps", "procedures", "anti-inflammatory-pills", "anti-inflammatory-gel",
        "knee-osteoarthritis", "genicular-nerve-ablation", "hot-swollen-knee",
    }  # fmt: skip
    assert 'href="../knee-care/pathway.json"' in read(site, "code/index.html"), "the code index links the data files"


def test_without_site_url_the_build_says_so_and_prints_no_qr(tmp_path: Path) -> None:
    """No `site_url` is a local build (preview, tests): no QR code, no canonical link, an info line, no warning."""
    pages = build_site_pages(Settings(pathway_dir=FIXTURE / "pathway", diagrams=False))
    assert [(p.message, p.severity) for p in pages.warnings] == [(NO_SITE_URL, "note")]
    page = pages.pages["anti-inflammatory-pills.md"]
    assert "<svg" not in page and "data-qr" not in page
    assert 'class="cp-gethelp' in page, "the printout still carries the warning signs"
    assert '"url"' not in page.split("\n---\n", 1)[0], "no canonical URL in the JSON-LD"
    project = make_project(tmp_path, {"site_url: https://knee.example.test/care/\n": ""})
    result = run_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "INFO    -  mkdocs.yml:1:1: note: " + NO_SITE_URL in strip_ansi(result.stdout + result.stderr)


@pytest.mark.parametrize("url", ["https://example.org/", "https://carepath.example.org/care/", "http://EXAMPLE.com/", "https://docs.example/"])
def test_a_placeholder_site_url_warns_and_fails_the_strict_build(tmp_path: Path, url: str) -> None:
    """A QR code to `example.org` on a printed handout leads a patient nowhere: the strict build refuses it."""
    project = make_project(tmp_path, {"site_url: https://knee.example.test/care/\n": f"site_url: {url}\n"})
    result = run_build(project)
    assert result.returncode == 1
    out = strip_ansi(result.stdout + result.stderr)
    assert f"WARNING -  mkdocs.yml:1:1: warning: {placeholder_message(url)}" in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize("url", ["https://knee.example.test/care/", "https://example.org.uk/", "https://myexample.org/", "https://example.com.au/"])
def test_an_address_that_only_looks_like_a_placeholder_is_not_one(url: str) -> None:
    assert not is_placeholder(url)


def test_handout_names_publisher_version_and_date(tmp_path: Path) -> None:
    """`site_author` is the publisher unless the plugin's `publisher` says otherwise; the version and date print beside it."""
    project = make_project(
        tmp_path,
        {
            "site_url: https://knee.example.test/care/\n": "site_url: https://knee.example.test/care/\nsite_author: Knee Clinic <Trust> & Co\n",
            "      pathway_dir: pathway\n": "      pathway_dir: pathway\n      content_version: '2.1'\n",
        },
    )
    result = run_build(project, today="2026-03-04")
    assert result.returncode == 0, result.stdout + result.stderr
    handout = handout_of(read(project / "site", "anti-inflammatory-pills/index.html"))
    assert "Published by Knee Clinic &lt;Trust&gt; &amp; Co. This version: 2.1, dated 2026-03-04." in handout
    assert '--cp-running-source: "Published by Knee Clinic \\3c Trust\\3e  \\26  Co. This version: 2.1, dated 2026-03-04.";' in handout
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("content_version: '2.1'", "publisher: Knee Team"), encoding="utf-8")
    result = run_build(project, today="2026-03-04")
    assert result.returncode == 0, result.stdout + result.stderr
    handout = handout_of(read(project / "site", "anti-inflammatory-pills/index.html"))
    assert "Published by Knee Team. This version is dated 2026-03-04." in handout


def test_an_alias_on_a_url_the_site_uses_stops_the_build(tmp_path: Path) -> None:
    """An error in validation (see test_validate.py), so `check` and the build agree; no redirect is written."""
    pathway = tmp_path / "pathway"
    shutil.copytree(FIXTURE / "pathway", pathway)
    knee = pathway / "knee.yml"
    knee.write_text(
        knee.read_text(encoding="utf-8").replace(
            "aliases: [radiofrequency-ablation]", "aliases: [radiofrequency-ablation, lookup]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(PathwayError) as err:
        build_site_pages(Settings(pathway_dir=pathway, site_url=SITE_URL, diagrams=False))
    assert [p.message for p in err.value.problems] == [
        "treatment 'genicular-nerve-ablation': alias 'lookup' is a URL the site itself uses; no redirect can live there"
    ]
