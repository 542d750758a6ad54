"""One test per graph rule in `validate.py`, each asserting the exact `path:line:col: message` the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from carepath import check_pathway
from carepath.diagram.journey import stage_slice_html
from carepath.model.graph import Code
from carepath.problems import Suggester
from carepath.validate.graph import code_problem, loinc_ok, verhoeff_ok
from helpers_pathway import NUMB_GROIN, VALID, Run, check, journey, run_cli, write_pathway

PHYSIO = """\
treatments:
  - id: physio
    title: Physical therapy
    summary: Exercises guided by a physiotherapist.
    type: self-care
"""

def assert_fails(run: Run, expected: list[str]) -> None:
    """Exit 1, exactly the expected problem lines, the closing count, no traceback, and no export written."""
    assert run.code == 1, run.out
    assert run.problems == expected
    assert "Traceback" not in run.err
    count = len(expected)
    assert run.err.splitlines()[-1] == f"{count} error{'s' if count != 1 else ''} in the pathway data"
    assert run.export_wrote is not True


def test_valid_fixture_has_no_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, VALID)
    assert (run.code, run.err) == (0, "")


def test_duplicate_id_across_two_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "a.yml": PHYSIO, "b.yml": PHYSIO})
    assert_fails(run, ["pathway/b.yml:2:9: treatment 'physio': duplicate id, already used by the treatment at pathway/a.yml:2:9"])


def test_dangling_reference_suggests_the_near_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    treatments = """\
        treatments:
          - id: nerve-block
            title: Nerve block
            summary: A numbing injection.
            type: injection
          - id: rfa
            title: Radiofrequency ablation
            summary: Heat that quietens a nerve.
            type: procedure
            requires: [nerve-blok]
        """
    run = check(tmp_path, capsys, {"journey.yml": journey("nerve-block", "rfa"), "treatments.yml": treatments})
    assert_fails(run, ["pathway/treatments.yml:10:16: treatment 'rfa': unknown reference 'nerve-blok' in 'requires' (did you mean 'nerve-block'?)"])


def test_dangling_reference_with_nothing_near(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey("physio", "acupuncture"), "treatments.yml": PHYSIO})
    assert_fails(run, ["pathway/journey.yml:10:23: stage 'first-line': unknown reference 'acupuncture' in 'options'"])


def test_reference_to_a_former_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renamed = PHYSIO.replace("    type: self-care\n", "    type: self-care\n    aliases: [physiotherapy]\n")
    run = check(tmp_path, capsys, {"journey.yml": journey("physiotherapy"), "treatments.yml": renamed})
    assert_fails(run, ["pathway/journey.yml:10:15: stage 'first-line': 'options' uses the former id 'physiotherapy'; use 'physio'"])


@pytest.mark.parametrize(
    ("field", "target", "expected"),
    [
        ("requires", "sciatica", "'requires' may not point to condition 'sciatica'; it lists treatment ids"),
        ("relevant_to", "first-line", "'relevant_to' may not point to stage 'first-line'; it lists condition ids"),
        ("escalates_to", "sciatica", "'escalates_to' may not point to condition 'sciatica'; it lists stage or treatment ids"),
    ],
)
def test_edge_between_kinds_it_may_not_connect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, target: str, expected: str
) -> None:
    files = {
        "journey.yml": journey("physio", "sciatica"),
        "treatments.yml": PHYSIO + f"    {field}: [{target}]\n",
        "conditions.yml": """\
            conditions:
              - id: sciatica
                title: Sciatica
                summary: Pain down the leg.
            """,
    }
    col = len(f"    {field}: [") + 1
    assert_fails(check(tmp_path, capsys, files), [f"pathway/treatments.yml:6:{col}: treatment 'physio': {expected}"])


def test_stage_option_may_not_be_an_indicator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    indicator = """\
        indicators:
          - id: fever
            title: Fever
            summary: A temperature over 38 °C.
            urgency: urgent
            action: Call your clinic today.
        """
    run = check(tmp_path, capsys, {"journey.yml": journey("fever"), "indicators.yml": indicator})
    assert_fails(
        run,
        ["pathway/journey.yml:10:15: stage 'first-line': 'options' may not point to indicator 'fever'; it lists condition or treatment ids"],
    )


def test_self_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO + "    returns_to: [physio]\n"})
    assert_fails(run, ["pathway/treatments.yml:6:18: treatment 'physio': 'returns_to' points to itself"])


def test_duplicate_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey("physio", "physio"), "treatments.yml": PHYSIO})
    assert_fails(run, ["pathway/journey.yml:10:23: stage 'first-line': 'options' lists 'physio' more than once"])


@pytest.mark.parametrize(
    ("first", "second", "loop"),
    [
        ("first-line", "second-line", "'first-line' → 'second-line' → 'first-line'"),
        # The search meets 'a-later' first, so the loop closes at the forward edge; the report is at the backward one.
        ("b-start", "a-later", "'a-later' → 'b-start' → 'a-later'"),
    ],
)
def test_escalation_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str], first: str, second: str, loop: str) -> None:
    """A stage that escalates back to an earlier one is reported there, with AUTHORING.md's rule for going back."""
    files = {
        "journey.yml": f"""\
            pathways:
              - id: back-pain
                title: Back pain
                summary: What to do when back pain does not go away.
                stages: [{first}, {second}]
            stages:
              - id: {first}
                title: First line
                summary: Where everyone starts.
                escalates_to: [{second}]
              - id: {second}
                title: Second line
                summary: Injections.
                escalates_to: [{first}]
            """
    }
    run = check(tmp_path, capsys, files)
    assert_fails(
        run,
        [
            (f"pathway/journey.yml:14:20: stage '{second}': escalation cycle {loop}; escalation must always lead forward "
            "(a treatment that sends people back to an earlier stage uses 'returns_to')")
        ],
    )


def test_a_treatment_escalation_cycle_gets_no_stage_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    treatments = PHYSIO + "    escalates_to: [injection]\n" + PHYSIO.replace("treatments:\n", "").replace("physio", "injection").replace(
        "self-care", "procedure"
    ) + "    escalates_to: [physio]\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": treatments})
    assert_fails(
        run,
        ["pathway/treatments.yml:6:20: treatment 'physio': escalation cycle 'injection' → 'physio' → 'injection'; escalation must always lead forward"],
    )


def test_prerequisite_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    treatments = """\
        treatments:
          - id: nerve-block
            title: Nerve block
            summary: A numbing injection.
            type: injection
            requires: [rfa]
          - id: rfa
            title: Radiofrequency ablation
            summary: Heat that quietens a nerve.
            type: procedure
            requires: [nerve-block]
        """
    run = check(tmp_path, capsys, {"journey.yml": journey("nerve-block", "rfa"), "treatments.yml": treatments})
    assert_fails(
        run,
        ["pathway/treatments.yml:11:16: treatment 'rfa': prerequisite cycle 'nerve-block' → 'rfa' → 'nerve-block'; nothing could ever be started"],
    )


def test_node_unreachable_from_the_first_stage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey(), "treatments.yml": PHYSIO})
    assert_fails(
        run,
        ["pathway/treatments.yml:2:9: treatment 'physio': unreachable: no pathway's journey leads to it (link it from a stage or another node)"],
    )


def test_pathway_stage_not_reachable_through_escalation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "journey.yml": """\
            pathways:
              - id: back-pain
                title: Back pain
                summary: What to do when back pain does not go away.
                stages: [first-line, second-line]
            stages:
              - id: first-line
                title: First line
                summary: Where everyone starts.
              - id: second-line
                title: Second line
                summary: Injections.
            """
    }
    run = check(tmp_path, capsys, files)
    assert_fails(
        run,
        [
            ("pathway/journey.yml:5:26: pathway 'back-pain': stage 'second-line' cannot be reached from the first stage 'first-line' "
            "(add it to the 'escalates_to' of an earlier stage)")
        ],
    )


def test_stage_no_pathway_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orphan = """\
        stages:
          - id: later
            title: Later
            summary: A stage nobody lists.
        """
    run = check(tmp_path, capsys, {"journey.yml": journey(), "more.yml": orphan})
    assert_fails(run, ["pathway/more.yml:2:9: stage 'later': unreachable: no pathway lists this stage"])


def test_no_pathway_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"empty.yml": "# nothing yet\n"})
    assert_fails(run, ["pathway:1:1: no pathway in these files; add one under 'pathways:'"])


# --- clinical codes ---

VALID_CODES = [
    ("icd10cm", "M54.16"),
    ("icd10cm", "M54"),
    ("icd10cm", "U07.1"),
    ("icd10cm", "T36.0X1A"),
    ("icd10cm", "C4A.9"),
    ("snomedct", "279039007"),
    ("snomedct", "22298006"),
    ("snomedct", "398057008"),
    ("rxnorm", "5640"),
    ("rxnorm", "1049502"),
    ("loinc", "24558-9"),
    ("loinc", "2345-7"),
    ("loinc", "718-7"),
]

BAD_CODES = [
    ("icd10cm", "m54.5", "icd10cm code 'm54.5' is malformed; expected a letter, a digit, a digit (or A or B), then an optional dot and up to 4 more, like 'M54.16'"),
    ("icd10cm", "M54.16789", "icd10cm code 'M54.16789' is malformed; expected a letter, a digit, a digit (or A or B), then an optional dot and up to 4 more, like 'M54.16'"),
    ("icd10cm", "5M4", "icd10cm code '5M4' is malformed; expected a letter, a digit, a digit (or A or B), then an optional dot and up to 4 more, like 'M54.16'"),
    ("snomedct", "279039008", "snomedct code '279039008' fails its check digit"),
    ("snomedct", "12345", "snomedct code '12345' is malformed; expected 6 to 18 digits, like '279039007'"),
    ("snomedct", "0279039007", "snomedct code '0279039007' is malformed; expected 6 to 18 digits, like '279039007'"),
    ("rxnorm", "0123", "rxnorm code '0123' is malformed; expected a number of up to 8 digits, like '5640'"),
    ("rxnorm", "RX5640", "rxnorm code 'RX5640' is malformed; expected a number of up to 8 digits, like '5640'"),
    ("loinc", "24558-8", "loinc code '24558-8' fails its check digit"),
    ("loinc", "24558", "loinc code '24558' is malformed; expected digits, a hyphen and a check digit, like '24558-9'"),
]


def _coded(system: str, code: str) -> dict[str, str]:
    return {"journey.yml": journey("physio"), "treatments.yml": PHYSIO + f"    codes:\n      - {{system: {system}, code: '{code}'}}\n"}


@pytest.mark.parametrize(("system", "code"), VALID_CODES)
def test_valid_code_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str], system: str, code: str) -> None:
    run = check(tmp_path, capsys, _coded(system, code))
    assert (run.code, run.err) == (0, "")


@pytest.mark.parametrize(("system", "code", "message"), BAD_CODES)
def test_malformed_code(tmp_path: Path, capsys: pytest.CaptureFixture[str], system: str, code: str, message: str) -> None:
    col = len(f"      - {{system: {system}, code: ") + 1
    assert_fails(check(tmp_path, capsys, _coded(system, code)), [f"pathway/treatments.yml:7:{col}: treatment 'physio': {message}"])


def test_code_listed_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "journey.yml": journey("physio"),
        "treatments.yml": PHYSIO + "    codes:\n      - {system: rxnorm, code: '5640'}\n      - {system: rxnorm, code: '5640'}\n",
    }
    assert_fails(check(tmp_path, capsys, files), ["pathway/treatments.yml:8:32: treatment 'physio': rxnorm code '5640' is listed twice"])


def test_check_digit_functions() -> None:
    assert verhoeff_ok("279039007") and not verhoeff_ok("279039017")
    assert loinc_ok("24558-9") and not loinc_ok("24558-0")
    assert code_problem(Code(system="loinc", code="718-7")) is None


# --- review metadata and dates ---


DECIDED = "    benefit: {words: It often helps.}\n    if_you_wait: The pain may stay the same.\n    alternatives: []\n"
"""The decision aids a reviewed treatment needs (tests/test_decisions.py), after its review so no line moves."""


def _reviewed(review: str) -> dict[str, str]:
    return {"journey.yml": journey("physio"), "treatments.yml": PHYSIO + "    review:\n" + review + DECIDED}


def test_invalid_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _reviewed("      last_reviewed: 2025-02-30\n"))
    assert_fails(
        run,
        ["pathway/treatments.yml:7:22: treatment 'physio': 'review.last_reviewed' is '2025-02-30', not a valid date (day value is outside expected range); write YYYY-MM-DD"],
    )


def test_date_that_is_not_a_date_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _reviewed("      next_review: next spring\n"))
    assert_fails(
        run,
        ["pathway/treatments.yml:7:20: treatment 'physio': 'review.next_review' is 'next spring', not a valid date (invalid character in year); write YYYY-MM-DD"],
    )


def test_next_review_before_last_reviewed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _reviewed("      last_reviewed: 2025-03-01\n      next_review: 2025-01-01\n"))
    assert_fails(run, ["pathway/treatments.yml:8:20: treatment 'physio': next_review 2025-01-01 is before last_reviewed 2025-03-01"])
    assert "warning: treatment 'physio': due for review since 2025-01-01" in run.out


def test_reviewed_without_reviewer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _reviewed("      status: reviewed\n      last_reviewed: 2025-03-01\n"))
    assert_fails(run, ["pathway/treatments.yml:7:15: treatment 'physio': status 'reviewed' needs a real 'reviewer' and a 'last_reviewed' date"])


def test_last_reviewed_in_the_future(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _reviewed("      last_reviewed: 2999-01-01\n"))
    assert_fails(run, ["pathway/treatments.yml:7:22: treatment 'physio': last_reviewed 2999-01-01 is in the future"])


def test_overdue_review_is_a_warning_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, _reviewed("      next_review: 2020-01-01\n"))
    assert run.code == 0
    assert "pathway/treatments.yml:7:20: warning: treatment 'physio': due for review since 2020-01-01" in run.out.splitlines()


# --- ids and aliases ---


def test_alias_collides_with_an_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    treatments = PHYSIO + """\
  - id: exercise
    title: Exercise
    summary: Moving more.
    type: self-care
    aliases: [physio]
"""
    run = check(tmp_path, capsys, {"journey.yml": journey("physio", "exercise"), "treatments.yml": treatments})
    assert_fails(run, ["pathway/treatments.yml:6:9: treatment 'exercise': alias 'physio' collides with the id of treatment 'physio' at pathway/treatments.yml:2:9"])


def test_alias_claimed_by_two_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    treatments = """\
        treatments:
          - id: physio
            title: Physical therapy
            summary: Exercises guided by a physiotherapist.
            type: self-care
            aliases: [pt]
          - id: exercise
            title: Exercise
            summary: Moving more.
            type: self-care
            aliases: [pt]
        """
    run = check(tmp_path, capsys, {"journey.yml": journey("physio", "exercise"), "treatments.yml": treatments})
    assert_fails(run, ["pathway/treatments.yml:7:9: treatment 'exercise': alias 'pt' is also an alias of 'physio' at pathway/treatments.yml:2:9"])


@pytest.mark.parametrize("reserved", ["glossary", "search", "a-z", "assets"])
def test_reserved_id(tmp_path: Path, capsys: pytest.CaptureFixture[str], reserved: str) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey(reserved), "treatments.yml": PHYSIO.replace("id: physio", f"id: {reserved}")})
    assert_fails(run, [f"pathway/treatments.yml:2:9: treatment '{reserved}': the id '{reserved}' is reserved for the site's own pages; choose another"])


# --- glossary ---


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("term: rfa", "glossary entry 'rfa': 'rfa' is already defined at pathway/glossary.yml:2:11"),
        ("term: Heat treatment\n    also: [Radiofrequency ablation]", "glossary entry 'Heat treatment': 'Radiofrequency ablation' is already defined at pathway/glossary.yml:2:11"),
    ],
)
def test_glossary_duplicates(tmp_path: Path, capsys: pytest.CaptureFixture[str], second: str, expected: str) -> None:
    glossary = f"""\
glossary:
  - term: Radiofrequency ablation
    definition: Using heat to stop a nerve sending pain signals.
    abbreviation: RFA
  - {second}
    definition: Something else.
"""
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "glossary.yml": glossary})
    assert_fails(run, [f"pathway/glossary.yml:5:11: {expected}"])


def test_abbreviation_may_equal_its_own_term(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = "glossary:\n  - {term: MRI, abbreviation: MRI, definition: A scan that uses magnets.}\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "glossary.yml": glossary})
    assert (run.code, run.err) == (0, "")


def test_export_refuses_bad_input_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"journey.yml": journey("physio", "physio", red_flags=("numb-groin",)), "treatments.yml": PHYSIO, "indicators.yml": NUMB_GROIN}
    pathway = write_pathway(tmp_path, files)
    out = tmp_path / "graph.json"
    run = run_cli(capsys, "export", str(pathway), "--out", str(out))
    assert_fails(run, ["pathway/journey.yml:10:23: stage 'first-line': 'options' lists 'physio' more than once"])
    assert not out.exists()


def test_suggestions_stop_at_their_budget(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Fuzzy matching is bounded: past the budget, unknown references are still reported, without a suggestion."""
    monkeypatch.setattr(Suggester, "BUDGET", 4)  # the three known ids, once
    run = check(tmp_path, capsys, {"journey.yml": journey("physio", "physoi", "phsyio"), "treatments.yml": PHYSIO})
    assert_fails(
        run,
        [
            "pathway/journey.yml:10:23: stage 'first-line': unknown reference 'physoi' in 'options' (did you mean 'physio'?)",
            "pathway/journey.yml:10:31: stage 'first-line': unknown reference 'phsyio' in 'options'",
        ],
    )


def test_a_long_cycle_is_named_on_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [f"t{i}" for i in range(20)]
    treatments = "treatments:\n" + "".join(
        f"  - {{id: {t}, title: T, summary: S, type: device, requires: [{ids[(i + 1) % 20]}]}}\n" for i, t in enumerate(ids)
    )
    run = check(tmp_path, capsys, {"journey.yml": journey(*ids), "treatments.yml": treatments})
    assert_fails(
        run,
        [
            ("pathway/treatments.yml:21:62: treatment 't19': prerequisite cycle 't0' → 't1' → 't2' → … (15 more) → 't18' → 't19' → 't0'; "
            "nothing could ever be started")
        ],
    )


# --- Markdown fields: what the build would have to defuse is an error (issue 15) ---


def _with_body(body: str) -> dict[str, str | bytes]:
    """VALID + a physio treatment whose `body` (a literal block on line 7) is `body`."""
    treatments = PHYSIO + "    body: |\n" + "".join(f"      {line}\n" for line in body.splitlines())
    return {"journey.yml": journey("physio"), "treatments.yml": treatments}


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("[x](java\nscript:alert(1))", "java\\nscript:alert(1"),
        ("[x](java\rscript:alert(1))", "java\\nscript:alert(1"),
        ("[x](java\tscript:alert(1))", "java\\tscript:alert(1"),
        ("[x](java\u2028script:alert(1))", "java\\nscript:alert(1"),
        ("[x](java\u00adscript:alert(1))", "java\\xadscript:alert(1"),
        ("[x](JavaScript:alert(1))", "JavaScript:alert(1"),
        ("[x](data:text/html,hi)", "data:text/html,hi"),
        ("[x](tel:123)", "tel:123"),
        ("[r]\n\n[r]: vbscript:msgbox(1)", "vbscript:msgbox(1)"),
    ],
)
def test_link_target_with_an_unsafe_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, shown: str) -> None:
    """Whitespace and control characters are removed before the scheme is read, as a browser does."""
    run = check(tmp_path, capsys, _with_body(body))
    assert_fails(
        run,
        [f"pathway/treatments.yml:6:11: treatment 'physio': 'body': link target '{shown}' is not allowed; use a relative link, an http(s): address or mailto:"],
    )


def test_safe_link_targets_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "[a](https://example.org/x \"see: this\") [b](mailto:a@example.org) [c](node:physio) [d](../a-z/) [e](#what-it-is) ![f](pic.png)"
    run = check(tmp_path, capsys, _with_body(body))
    assert (run.code, run.err) == (0, "")


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("![x](https://tracker.example/pixel.png)", "![x](https://tracker.example/pixel.png)"),
        ("![x](//tracker.example/pixel.png)", "![x](//tracker.example/pixel.png)"),
        ("![x](/\\tracker.example/pixel.png)", "![x](/\\tracker.example/pixel.png)"),
        ("![x][r]\n\n[r]: https://tracker.example/p.png", "![x][r]"),
    ],
)
def test_image_from_another_host(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, shown: str) -> None:
    run = check(tmp_path, capsys, _with_body(body))
    assert_fails(
        run,
        [
            (f"pathway/treatments.yml:6:11: treatment 'physio': 'body': image '{shown}' is not allowed: images must come from this site "
            "itself, written as ![text](path/on/this/site.png)")
        ],
    )


def test_stage_list_order_must_agree_with_escalation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pathway lists 'later' first, but 'later' escalates to 'first': the order a reader sees is wrong."""
    files = {
        "journey.yml": """\
            pathways:
              - id: back-pain
                title: Back pain
                summary: What to do when back pain does not go away.
                stages: [later, first, last]
            stages:
              - id: later
                title: Later
                summary: Injections.
                escalates_to: [last]
              - id: first
                title: First
                summary: Where everyone starts.
                escalates_to: [later]
              - id: last
                title: Last
                summary: Surgery.
            """
    }
    run = check(tmp_path, capsys, files)
    assert_fails(
        run,
        [
            ("pathway/journey.yml:5:21: pathway 'back-pain': stage 'first' cannot be reached from the first stage 'later' "
            "(add it to the 'escalates_to' of an earlier stage)"),
            ("pathway/journey.yml:14:20: stage 'first': 'escalates_to' leads back from step 2 to step 1 'later' of pathway "
            "'back-pain'; list the stages in the order they escalate (a treatment that sends people back to an earlier "
            "stage uses 'returns_to')"),
        ],
    )


def test_alias_on_a_reserved_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO + "    aliases: [search]\n"})
    assert_fails(run, ["pathway/treatments.yml:2:9: treatment 'physio': alias 'search' is a URL the site itself uses; no redirect can live there"])


def test_glossary_terms_that_slug_alike(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = "glossary:\n  - {term: X-ray, definition: A picture of bones.}\n  - {term: X ray!, definition: Another.}\n"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO, "glossary.yml": glossary})
    assert_fails(
        run,
        [
            ("pathway/glossary.yml:3:12: glossary entry 'X ray!': its link '#term-x-ray' is the same as that of 'X-ray' at "
            "pathway/glossary.yml:2:12; terms must differ in more than punctuation, case or accents")
        ],
    )


@pytest.mark.parametrize(
    ("char", "name"),
    [("\u202e", "RIGHT-TO-LEFT OVERRIDE"), ("\u2066", "LEFT-TO-RIGHT ISOLATE"), ("\x07", "a control character"), ("\x85", "a control character")],
)
def test_hidden_control_character_in_a_title(tmp_path: Path, capsys: pytest.CaptureFixture[str], char: str, name: str) -> None:
    escaped = f"\\u{ord(char):04x}"
    run = check(tmp_path, capsys, {"journey.yml": journey("physio"), "treatments.yml": PHYSIO.replace("title: Physical therapy", f'title: "Physical {escaped}therapy"')})
    assert_fails(
        run,
        [f"pathway/treatments.yml:3:12: treatment 'physio': 'title' contains the invisible character U+{ord(char):04X} ({name}), which can change how the text reads; remove it"],
    )


def test_a_branch_back_to_an_earlier_stage_is_allowed_and_drawn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An assessment at step 2 that sends people back to step 1 is a 'returns_to', not an error."""
    files = {
        "journey.yml": """\
            pathways:
              - id: back-pain
                title: Back pain
                summary: What to do when back pain does not go away.
                stages: [first, second]
            stages:
              - id: first
                title: First
                summary: Where everyone starts.
                escalates_to: [second]
              - id: second
                title: Second
                summary: A check.
                options: [recheck]
            treatments:
              - id: recheck
                title: Recheck
                summary: A doctor checks you again.
                type: assessment
                returns_to: [first]
            """
    }
    run = check(tmp_path, capsys, files)
    assert (run.code, run.problems) == (0, [])
    kb, _ = check_pathway(tmp_path / "pathway")
    [p] = kb.pathways
    html = stage_slice_html(kb, p, "second", "second.md")
    assert 'Afterwards, back to:</span> <a href="../first/"><bdi>First</bdi></a>' in html


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("[a](#risks)", "the link '#risks' in its text names no '#risks' on that page"),
        ("[a](#what-it-iss)", "the link '#what-it-iss' in its text names no '#what-it-iss' on that page (did you mean 'what-it-is'?)"),
        ("[a](node:back-pain#nope)", "the link 'node:back-pain#nope' in its text names no '#nope' on that page"),
    ],
)
def test_anchor_link_that_its_page_does_not_have(tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str, expected: str) -> None:
    """Found by rendering the pages, as the build would, and reported at the node's YAML line, not the generated page."""
    run = check(tmp_path, capsys, _with_body(f"See {link}."))
    assert_fails(run, [f"pathway/treatments.yml:2:9: treatment 'physio': {expected}"])


def test_anchor_links_that_exist_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "## My own heading\n\n[a](#what-it-is) [b](#my-own-heading) [c](node:back-pain#your-journey-step-by-step) [d](node:physio#what-it-is)"
    run = check(tmp_path, capsys, _with_body(body))
    assert (run.code, run.err) == (0, "")
