"""Editions: a locale profile per edition gives every route (emergency number, place, words); pathway text,
hand-written pages and templates never hold one, and the shipped site builds as en-US and as en-GB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from carepath.settings import ConfigError, Settings
from carepath.validate.routes import file_routes
from carepath.words import words
from helpers_pathway import NUMB_GROIN, check, journey
from helpers_site import build_all, copy_shipped, html_pages

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "carepath"
TEMPLATES = sorted(
    [*(PACKAGE / "templates").glob("*.j2"), *(PACKAGE / "theme").rglob("*.html"), *(ROOT / "site_overrides").rglob("*.html")]
)


def test_a_literal_emergency_number_in_pathway_text_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "pathway.yml": journey(red_flags=("numb-groin",)),
        "indicators.yml": NUMB_GROIN + "    action: Call 999 or go to A&E.\n",
    }
    run = check(tmp_path, capsys, files)
    assert run.code == 1
    assert (
        "pathway/indicators.yml:6:13: indicator 'numb-groin': 'action' says '999'; the edition's locale profile says whom to call"
        in run.err
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Call 911 now.", "911"),
        ("Go to A&E.", "A&E"),
        ("Ring 000 in Australia.", "000"),
        ("Go to the Emergency Room.", "Emergency Room"),
        ("Get urgent care today.", "urgent care"),
        ("Call an ambulance.", "Call an ambulance"),
        ("Walk 10,000 steps; code M54.111, dated 2026-01-11, colour #000.", None),
        ("It is an emergency: get help now.", None),
    ],
)
def test_the_check_finds_numbers_and_places_not_look_alikes(text: str, found: str | None) -> None:
    problems = file_routes(text, "content/x.md")
    assert [p.message.split("'")[1] for p in problems] == ([found] if found else [])


def test_no_template_holds_a_route() -> None:
    """The page templates and the theme ask the catalogue (`routes.*`) for every number and place."""
    assert TEMPLATES
    assert [str(p) for t in TEMPLATES for p in file_routes(t.read_text(encoding="utf-8"), t.relative_to(ROOT).as_posix())] == []


def test_a_content_page_writing_a_number_fails_check_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpers_pathway import run_cli

    project = copy_shipped(tmp_path / "p")
    (project / "content" / "help.md").write_text(
        "# Help\n\nIn an emergency, call 999.\n\n{{ routes.no_such }}\n", encoding="utf-8"
    )
    run = run_cli(capsys, "check", str(project / "pathway"))
    assert run.code == 1
    assert "content/help.md:3:23: says '999'" in run.err
    assert "content/help.md:5:1: no route 'no_such' in the edition's profile" in run.err


def test_an_unknown_edition_is_a_config_error_naming_the_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - carepath:\n      edition: fr-FR\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"mkdocs\.yml: plugins\.carepath\.edition: no edition 'fr-FR'; Carepath ships 'en-GB', 'en-US', 'es'$"
    ):
        Settings.from_mkdocs_yml(tmp_path / "mkdocs.yml")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - carepath:\n      edition: en-GB\n", encoding="utf-8")
    assert Settings.from_mkdocs_yml(tmp_path / "mkdocs.yml").words.get("routes.emergency_number") == "999"
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - carepath\n", encoding="utf-8")
    assert Settings.from_mkdocs_yml(tmp_path / "mkdocs.yml").edition == "en-US"


def _text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in html_pages(site))


def test_the_shipped_site_builds_as_each_edition_with_only_its_own_numbers(tmp_path: Path) -> None:
    us = copy_shipped(tmp_path / "us")
    gb = copy_shipped(tmp_path / "gb")
    yml = us / "mkdocs.yml"
    yml.write_text(
        yml.read_text(encoding="utf-8").replace("[CAREPATH_EDITION, en-GB]", "[CAREPATH_EDITION, en-US]"), encoding="utf-8"
    )
    built_us, built_gb = build_all((us, {}), (gb, {}))  # en-GB: the shipped default
    assert built_us.returncode == 0, built_us.output
    assert built_gb.returncode == 0, built_gb.output
    us_text, gb_text = _text(built_us.site), _text(built_gb.site)
    number = re.compile(r"(?<![\w.,#/:-])(911|999)(?![\w]|[.,/:-]\d)")
    assert set(number.findall(us_text)) == {"911"}
    assert set(number.findall(gb_text)) == {"999"}
    assert "A&amp;E" in gb_text and "call 111" in gb_text and "116 123" not in us_text
    about = built_gb.html("about/")
    assert "Call 999 or go to A&amp;E now." in about and "routes." not in about
    assert words("en-US").get("routes.emergency") in built_us.html("about/")
    # Every page, the 404 page too, is tagged with its edition's language, as its hreflang alternates name it.
    for built, edition in ((built_us, "en-US"), (built_gb, "en-GB")):
        tags = {m.group(1) for p in html_pages(built.site) if (m := re.search(r'<html lang="([^"]*)"', p.read_text(encoding="utf-8")))}
        assert tags == {edition}, (edition, tags)
        assert f'<html lang="{edition}"' in built.html("404.html")
