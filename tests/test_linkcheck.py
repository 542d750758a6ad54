"""The built-site link checker: small handmade trees for each kind of break, then the shipped site."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from carepath.audit.linkcheck import check_links, check_site, compare_content_links
from carepath.cli.main import main

ROOT = Path(__file__).resolve().parents[1]

PAGE = """<!doctype html>
<html><head><link rel="stylesheet" href="{up}assets/site.css"><link rel="canonical" href="https://example.org/{here}"></head>
<body>
{body}
</body></html>
"""


def write_site(root: Path, pages: dict[str, str]) -> Path:
    """Write `{path: body}` as full pages plus one stylesheet; returns the site folder."""
    site = root / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "site.css").write_text("body{}", encoding="utf-8")
    for rel, body in pages.items():
        depth = rel.count("/")
        here = rel.removesuffix("index.html")
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(up="../" * depth, here=here, body=body), encoding="utf-8")
    return site


GOOD = {
    "index.html": """<h1 id="top-title">Home</h1>
<a href="rfa/">RFA</a> <a href="rfa/#risks">risks</a> <a href="#top-title">up</a> <a href="rfa">no slash</a>
<a href="/rfa/index.html#risks">root-relative</a> <img src="assets/site.css" alt="">
<a href="mailto:team@example.org">mail</a> <a href="https://example.org/page">outside</a>
<svg role="img"><defs><symbol id="dot"></symbol></defs><use href="#dot"/><use xlink:href="#dot"/>
<a xlink:href="rfa/#risks"><text>RFA</text></a><a href="rfa/"><text>RFA</text></a></svg>
<img srcset="assets/site.css 1x, assets/site.css 2x" alt="">""",
    "rfa/index.html": """<h1>RFA</h1><h2 id="risks">Risks</h2><a name="old-anchor"></a>
<a href="../">home</a> <a href="./#old-anchor">self</a> <a href="../index.html#top-title">home title</a>""",
}


def test_clean_tree_has_no_problems(tmp_path: Path) -> None:
    report = check_site(write_site(tmp_path, GOOD))
    assert report.problems == []
    assert report.checked >= 15
    assert sorted(e.split(": ", 1)[1] for e in report.external) == [
        "https://example.org/",
        "https://example.org/page",
        "https://example.org/rfa/",
        "mailto:team@example.org",
    ]


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('<a href="rfb/">typo</a>', "index.html:4: <a href=\"rfb/\">: no file at 'rfb' in the site"),
        ('<a href="rfa/#risk">typo</a>', "index.html:4: <a href=\"rfa/#risk\">: no id 'risk' in 'rfa/index.html'"),
        ('<a href="#nowhere">here</a>', "index.html:4: <a href=\"#nowhere\">: no id 'nowhere' in 'index.html'"),
        (
            '<svg><a xlink:href="rfb/"><text>x</text></a></svg>',
            "index.html:4: <a xlink:href=\"rfb/\">: no file at 'rfb' in the site",
        ),
        (
            '<svg><a href="rfa/#nope"><text>x</text></a></svg>',
            "index.html:4: <a href=\"rfa/#nope\">: no id 'nope' in 'rfa/index.html'",
        ),
        (
            '<svg><use xlink:href="#missing-symbol"/></svg>',
            "index.html:4: <use xlink:href=\"#missing-symbol\">: no id 'missing-symbol' in 'index.html'",
        ),
        (
            '<img src="assets/logo.png" alt="">',
            "index.html:4: <img src=\"assets/logo.png\">: no file at 'assets/logo.png' in the site",
        ),
        (
            '<img srcset="assets/site.css 1x, assets/big.png 2x" alt="">',
            "index.html:4: <img srcset=\"assets/big.png\">: no file at 'assets/big.png' in the site",
        ),
        ('<a href="../outside/">escape</a>', "index.html:4: <a href=\"../outside/\">: no file at '../outside' in the site"),
        ('<a href="/nope/">root</a>', "index.html:4: <a href=\"/nope/\">: no file at 'nope' in the site"),
        (
            '<meta http-equiv="refresh" content="0; url=gone/">',
            "index.html:4: <meta http-equiv=refresh=\"gone/\">: no file at 'gone' in the site",
        ),
        ('<a href="ftp://example.org/">odd</a>', "index.html:4: <a href=\"ftp://example.org/\">: unknown URL scheme 'ftp'"),
    ],
)
def test_each_kind_of_break_is_reported_with_file_and_line(tmp_path: Path, snippet: str, expected: str) -> None:
    site = write_site(tmp_path, {**GOOD, "index.html": snippet + "\n" + GOOD["index.html"]})
    assert check_links(site) == [expected]


def test_a_page_served_under_a_sub_path(tmp_path: Path) -> None:
    """On GitHub Pages a project site lives under /<repo>/; root-relative links carry that prefix."""
    index = '<h1 id="top-title">Home</h1> <a href="/carepath/rfa/#risks">x</a> <a href="/rfa/">y</a>'
    site = write_site(tmp_path, {**GOOD, "index.html": index})
    assert check_links(site, base_path="/carepath/") == ["index.html:4: <a href=\"/rfa/\">: no file at '/rfa/' in the site"]


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_site(tmp_path / "good", GOOD)
    assert main(["linkcheck", str(good)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    bad = write_site(tmp_path / "bad", {**GOOD, "rfa/index.html": "<p>no anchors</p>"})
    assert main(["linkcheck", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "index.html:5: <a href=\"rfa/#risks\">: no id 'risks' in 'rfa/index.html'" in err
    assert "broken links" in err
    assert main(["linkcheck", str(tmp_path / "missing")]) == 1
    assert "no built site here" in capsys.readouterr().err


def article_site(root: Path, pages: dict[str, str]) -> Path:
    return write_site(root, {rel: f"<article>\n{body}\n</article>" for rel, body in pages.items()})


SAME = {
    "index.html": '<h1 id="top-title">Home</h1><a href="rfa/">RFA</a> <a href="https://example.org/">out</a>',
    "rfa/index.html": '<h2 id="risks">Risks</h2><a href="../">home</a> <a href="./#risks">risks</a> <img src="../assets/site.css">',
}


def test_two_builds_whose_content_links_land_alike_agree_however_they_are_written(tmp_path: Path) -> None:
    """The chrome around `<article>` is the engine's own; the same target written two ways is the same link."""
    a = article_site(tmp_path / "a", SAME)
    written_otherwise = '<h2 id="risks">Risks</h2><a href="../index.html">home</a> <a href="#risks">risks</a> <img src="/assets/site.css">'
    b = article_site(tmp_path / "b", {**SAME, "rfa/index.html": written_otherwise})
    (b / "rfa" / "index.html").write_text((b / "rfa" / "index.html").read_text(encoding="utf-8").replace("<body>", "<body><nav>other chrome</nav>"), encoding="utf-8")
    assert compare_content_links(a, b) == []


def test_a_self_link_that_lands_on_its_folder_is_named_with_both_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Zensical 0.0.73 read a raw `./` from the source's folder: the page's parent, not the page."""
    a = article_site(tmp_path / "a", SAME)
    b = article_site(tmp_path / "b", {**SAME, "rfa/index.html": SAME["rfa/index.html"].replace("./#risks", "../#risks"), "extra/index.html": "<p>x</p>"})
    assert compare_content_links(b, a) == [
        f"extra/index.html: only in {b}",
        f"rfa/index.html: link 2 of the content lands on '<a href> .#risks', in {a} on '<a href> rfa#risks'",
    ]
    assert main(["linkcheck", str(b), "--same-as", str(a)]) == 1
    assert "2 pages whose links land elsewhere than in" in capsys.readouterr().err
    assert main(["linkcheck", str(a), "--same-as", str(a)]) == 0
    assert main(["linkcheck", str(a), "--same-as", str(tmp_path / "none")]) == 1
    assert "--same-as" in capsys.readouterr().err


def test_shipped_site_has_no_broken_links(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "carepath", "build", "--quiet", "--site-dir", str(site)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    report = check_site(site)
    assert report.problems == []
    assert report.checked > 100
    # Generated pages link nowhere else except canonical links and cited sources; nothing loads from there.
    cli = subprocess.run(
        [sys.executable, "-m", "carepath", "linkcheck", str(site)], check=False, cwd=ROOT, capture_output=True, text=True
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.startswith("ok: ")


def test_a_site_without_directory_urls_has_no_broken_links(tmp_path: Path) -> None:
    """`use_directory_urls: false` (pages as `rfa.html`): the diagrams' raw HTML and SVG links follow it too."""
    from helpers_site import build, copy_shipped

    project = copy_shipped(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "use_directory_urls: true\n" in text
    config.write_text(text.replace("use_directory_urls: true\n", "use_directory_urls: false\n"), encoding="utf-8")
    built = build(project)
    assert built.returncode == 0, built.output
    assert (built.site / "when-pt-does-not-help.html").is_file() and not (built.site / "when-pt-does-not-help").joinpath("index.html").exists()
    overview = (built.site / "when-pt-does-not-help" / "overview.html").read_text(encoding="utf-8")
    assert "<svg" in overview
    assert re.search(r'<a [^>]*href="[a-z0-9/.-]+\.html"', overview) and not re.search(r'<a [^>]*href="[a-z0-9/.-]+/"', overview)
    report = check_site(built.site)
    assert report.problems == []
    assert report.checked > 1000
