"""Regional overlays (`pathway/regions/<id>/`): a region adds local services and notes to nodes, in its own build
only; it can never remove a red flag, lower an urgency or change a node; its text is checked and escaped like node
text; `check` validates every region, and a build picks one with the plugin's `region` option."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from carepath.build.cache import Cache
from carepath.build.site import build_site_pages
from carepath.problems import PathwayError
from carepath.settings import ConfigError, Settings
from carepath.text.escape import md_text
from helpers_pathway import REPO, VALID, Run, check, run_module
from helpers_site import SITE_FIXTURE, Build, article, build_all, copy_project, text_of

REGION = textwrap.dedent(
    """\
    region:
      id: north
      title: North Example
      edition: en-US
    services:
      - id: north-physio
        name: North Example Physio Team
        phone: +1 202 555 0143
        address: 1 Sample Street, North Example
        opening_hours: Weekdays, 9am to 5pm
        referral_criteria: Adults with back pain for more than 6 weeks.
        note: Bring a list of your medicines.
        nodes: [physio, first-line]
    nodes:
      - id: physio
        note: Most people here are seen within 3 weeks.
        summary_addition: Here the physio team also runs a weekly class.
        referral_criteria: Your family doctor refers you.
    """
)
"""A valid region for the VALID pathway: a service on two nodes and a note on one."""


def _with_region(region: str = REGION, name: str = "north", **more: str) -> dict[str, str]:
    return {**VALID, f"regions/{name}/region.yml": region, **more}


def _errors(run: Run) -> list[str]:
    return [line for line in run.problems if ": warning: " not in line and ": note: " not in line]


def test_a_valid_region_passes_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _with_region())
    assert run.code == 0, run.err


@pytest.mark.parametrize(
    ("line", "key", "why"),
    [
        ("red_flags: []", "red_flags", "a region cannot change a node's 'red_flags': red flags, urgency"),
        ("urgency: routine", "urgency", "a region cannot change a node's 'urgency'"),
        ("get_help_if: []", "get_help_if", "a region cannot change a node's 'get_help_if'"),
        ("title: Physio in the north", "title", "a region cannot override the node's own 'title'"),
        ("remove_red_flag: cauda-equina", "remove_red_flag", "unknown key 'remove_red_flag'"),
    ],
)
def test_a_region_cannot_remove_lower_or_override_what_a_node_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, key: str, why: str
) -> None:
    region = REGION + f"  - id: first-line\n    {line}\n"
    run = check(tmp_path, capsys, _with_region(region))
    assert run.code == 1
    at = region.splitlines().index(f"    {line}") + 1
    [error] = _errors(run)
    assert error.startswith(f"pathway/regions/north/region.yml:{at}:5: region note on node 'first-line': {why}"), error
    assert error.endswith("; a region adds only 'note', 'summary_addition', 'referral_criteria' and services (AUTHORING.md, 'Regional overlays')")
    assert key in error


def test_a_reference_to_no_node_is_an_error_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    region = REGION.replace("nodes: [physio, first-line]", "nodes: [physio, frist-line]").replace("  - id: physio\n", "  - id: physo\n")
    run = check(tmp_path, capsys, _with_region(region))
    assert run.code == 1
    assert _errors(run) == [
        "pathway/regions/north/region.yml:13:21: region 'north': service 'north-physio': no node 'frist-line' (did you mean 'first-line'?)",
        "pathway/regions/north/region.yml:15:9: region 'north': region note on node 'physo': no node 'physo' (did you mean 'physio'?)",
    ]


def test_a_pathways_own_node_is_named_by_its_full_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {f"back/{name}": text for name, text in VALID.items()}
    region = REGION.replace("nodes: [physio, first-line]", "nodes: [back-pain/physio, first-line]").replace("  - id: physio\n", "  - id: back-pain/physio\n")
    run = check(tmp_path, capsys, {**files, "regions/north/region.yml": region})
    assert _errors(run) == [
        ("pathway/regions/north/region.yml:13:31: region 'north': service 'north-physio': no node 'first-line' "
        "(did you mean 'back-pain/first-line'? a region names a pathway's node by its full id)")
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("note: Bring a list of your medicines.", "note: If it is serious, go to A&E.", "'note' says 'A&E'; the edition's locale profile"),
        ("opening_hours: Weekdays, 9am to 5pm", "opening_hours: Closed at night; call 911", "'opening_hours' says '911'"),
        ("phone: +1 202 555 0143", "phone: '999'", "'phone' is '999', an emergency or crisis number"),
        ("phone: +1 202 555 0143", "phone: 116 123", "'phone' is '116 123', an emergency or crisis number"),
        ("phone: +1 202 555 0143", "phone: '988'", "'phone' is '988', an emergency or crisis number"),
        ("phone: +1 202 555 0143", "phone: ring the desk", "'phone' is 'ring the desk'; write a phone number"),
        ("name: North Example Physio Team", "name: North Physio \u202eTeam", "'name' contains the invisible character U+202E"),
        ("note: Bring a list of your medicines.", "note: This page is a draft.", "'note' says 'is a draft'"),
        ("title: North Example", "title: North A&E", "region 'north': 'title' says 'A&E'"),
        ("nodes: [physio, first-line]", "nodes: [physio, cauda-equina]", "'cauda-equina' is an emergency sign"),
    ],
)
def test_region_text_gets_the_checks_node_text_gets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    region = REGION.replace(old, new)
    assert region != REGION
    run = check(tmp_path, capsys, _with_region(region))
    assert run.code == 1
    errors = _errors(run)
    assert len(errors) == 1 and errors[0].startswith("pathway/regions/north/region.yml:") and message in errors[0], errors


def test_check_validates_every_region_not_only_the_one_a_build_picks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = REGION.replace("id: north\n", "id: south\n").replace("  - id: physio\n", "  - id: physio\n    urgency: soon\n")
    run = check(tmp_path, capsys, _with_region(**{"regions/south/region.yml": broken, "regions/west/services.yml": "services: []\n"}))
    assert run.code == 1
    assert [e.split(": ", 1)[0] for e in _errors(run)] == ["pathway/regions/south/region.yml:16:5", "pathway/regions/west:1:1"]
    assert "region 'west': no 'region.yml' with 'region:'" in run.err


def _site_with_region(root: Path, region: str | None, text: str = REGION, extra: str = "") -> Path:
    """The fixture site's theme and settings with VALID's pathway and the 'north' region, built with `region` (None:
    no region) and no build cache; `extra` adds plugin options."""
    project = copy_project(SITE_FIXTURE, root, ("mkdocs.yml", "site_overrides"))
    (project / "content").mkdir()
    for name, body in _with_region(text).items():
        target = project / "pathway" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body), encoding="utf-8")
    yml = project / "mkdocs.yml"
    option = f"\n      region: {region}" if region else ""
    yml.write_text(
        yml.read_text(encoding="utf-8").replace("      pathway_dir: pathway", f"      pathway_dir: pathway\n      cache_dir: ''{option}{extra}"),
        encoding="utf-8",
    )
    return project


def _settings(project: Path) -> Settings:
    return replace(Settings.from_mkdocs_yml(project / "mkdocs.yml"), today=dt.date(2026, 6, 1))


def test_a_build_with_a_forbidden_override_fails_naming_the_file_and_line(tmp_path: Path) -> None:
    project = _site_with_region(tmp_path / "p", "north", REGION + "  - id: cauda-equina\n    urgency: routine\n")
    with pytest.raises(PathwayError) as failed:
        build_site_pages(_settings(project))
    assert "pathway/regions/north/region.yml:20:5: region note on node 'cauda-equina': a region cannot change a node's 'urgency'" in failed.value.report()


def test_an_unknown_region_is_one_line(tmp_path: Path) -> None:
    project = _site_with_region(tmp_path / "p", "nowhere")
    with pytest.raises(ConfigError) as failed:
        Settings.from_mkdocs_yml(project / "mkdocs.yml")
    line = (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines().index("      region: nowhere") + 1
    assert str(failed.value) == f"{project / 'mkdocs.yml'}:{line}: plugins.carepath.region: no region 'nowhere' in pathway/regions/; there is 'north'"
    run = run_module("check", "pathway", cwd=project)
    assert (run.code, run.err.strip().splitlines()) == (1, [str(failed.value)])


def test_a_region_for_another_edition_is_one_line_in_build_and_check(tmp_path: Path) -> None:
    project = _site_with_region(tmp_path / "p", "north", extra="\n      edition: en-GB")
    message = (
        "pathway/regions/north/region.yml:4:12: region 'north' is written for edition 'en-US', but the site builds 'en-GB' "
        "(plugins.carepath.edition); build it as 'en-US' or choose another region"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        build_site_pages(_settings(project))
    run = run_module("check", "pathway", cwd=project)
    assert run.code == 1 and message in run.err


def test_an_overlay_edit_rerenders_its_pages_from_the_cache(tmp_path: Path) -> None:
    project = _site_with_region(tmp_path / "p", "north")
    settings = replace(_settings(project), cache_dir=".cache")
    cache = Cache(project / ".cache")
    first = build_site_pages(settings, cache)
    assert "North Example Physio Team" in first.pages["physio.md"]
    region = project / "pathway" / "regions" / "north" / "region.yml"
    region.write_text(region.read_text(encoding="utf-8").replace("North Example Physio Team", "Northern Physio Group"), encoding="utf-8")
    second = build_site_pages(settings, Cache(project / ".cache"))
    assert "Northern Physio Group" in second.pages["physio.md"] and "North Example Physio Team" not in second.pages["physio.md"]
    assert second.pages["rfa.md"] == first.pages["rfa.md"]


# --- real builds: the region's services in its build only, escaped everywhere they land ---------------------------

HOSTILE = "<script>alert(1)</script> *bold* [x](javascript:alert(1)) {: onclick=x } &amp; <b>"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build]:
    """The fixture site with the 'north' region (its service name hostile), built with the region and without."""
    root = tmp_path_factory.mktemp("regions")
    text = REGION.replace("name: North Example Physio Team", f"name: 'North Example Physio Team {HOSTILE}'")
    text = text.replace("note: Most people here are seen within 3 weeks.", f"note: 'Seen within 3 weeks {HOSTILE}'")
    with_region = _site_with_region(root / "with", "north", text)
    without = copy_project(with_region, root / "without")
    yml = without / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("\n      region: north", ""), encoding="utf-8")
    built = build_all((with_region, {}), (without, {}))
    for b in built:
        assert b.returncode == 0, b.output
    return built[0], built[1]


def test_the_regions_services_appear_on_their_nodes_in_its_build_only(builds: tuple[Build, Build]) -> None:
    with_region, without = builds
    for url in ("physio/", "first-line/"):
        page = text_of(article(with_region.html(url)))
        assert "Local services in North Example" in page
        assert "North Example Physio Team" in page and "1 Sample Street, North Example" in page
        assert 'href="tel:+12025550143"' in with_region.html(url)
        assert "Local services" not in without.html(url) and "North Example" not in without.html(url)
    assert "Here the physio team also runs a weekly class." in with_region.html("physio/")
    assert "weekly class" not in with_region.html("first-line/")
    assert "North Example" not in with_region.html("rfa/")
    assert "Example region:" not in with_region.html("physio/")  # not an example region


def test_hostile_region_text_is_shown_as_written_never_obeyed(builds: tuple[Build, Build]) -> None:
    with_region, _ = builds
    html = with_region.html("physio/")
    assert "<script>alert(1)</script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *bold* [x](javascript:alert(1)) {: onclick=x } &amp;amp; &lt;b&gt;" in html
    assert not re.search(r"<[^>]*\sonclick=", html)
    index = json.loads((with_region.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = [d["text"] + d["title"] for d in index["docs"] if d["location"].startswith("physio/")]
    assert any("North Example Physio Team" in t for t in texts)
    assert not any("<script>" in t for t in texts)
    without_index = (builds[1].site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "North Example" not in without_index


# --- the shipped example region ------------------------------------------------------------------------------------

SHIPPED_REGIONS = sorted(p.parent for p in (REPO / "pathway" / "regions").glob("*/region.yml"))
DRAMA = re.compile(r"^01632 ?960 ?\d{3}$")
"""Ofcom's numbers for TV and radio drama, 01632 960000 to 01632 960999: never a real line."""


def test_a_region_ships_and_every_phone_in_it_is_a_drama_number() -> None:
    assert SHIPPED_REGIONS
    for folder in SHIPPED_REGIONS:
        for path in sorted(folder.rglob("*.yml")):
            for phone in re.findall(r"^\s*phone:\s*(.+?)\s*$", path.read_text(encoding="utf-8"), re.MULTILINE):
                assert DRAMA.match(phone.strip("'\"")), f"{path}: {phone} is not one of Ofcom's drama numbers"


@pytest.mark.parametrize("folder", SHIPPED_REGIONS, ids=lambda p: p.name)
def test_every_page_a_shipped_example_region_touches_says_it_is_made_up(folder: Path) -> None:
    settings = replace(Settings.from_mkdocs_yml(REPO / "mkdocs.yml"), region=folder.name, cache_dir="")
    kb_site = build_site_pages(replace(settings, edition=_edition_of(folder)))
    region = kb_site.kb.regions[folder.name]
    assert region.info.example, f"{folder}: a shipped region is made up, so it says 'example: true'"
    banner = kb_site.settings.words.get("local.example")
    for node_id in kb_site.kb.nodes:
        page = kb_site.pages[f"{node_id}.md"]
        assert (banner in page) == (node_id in region.local), node_id
    for node_id, local in region.local.items():
        page = kb_site.pages[f"{node_id}.md"]
        assert all(md_text(s.name) in page for s in local.services), node_id


def _edition_of(folder: Path) -> str:
    found = re.search(r"^\s*edition:\s*(\S+)", (folder / "region.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert found
    return found.group(1)
