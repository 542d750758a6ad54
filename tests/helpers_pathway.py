"""Small factories for pathway fixtures: write YAML files into a temp `pathway/` and run the CLI on them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from carepath.cli.main import main

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "pathway"


def journey(*options: str, red_flags: tuple[str, ...] = ()) -> str:
    """A one-stage pathway whose stage offers `options`: the smallest journey that makes them reachable."""
    flags = f"\n    red_flags: [{', '.join(red_flags)}]" if red_flags else ""
    return textwrap.dedent(
        f"""\
        pathways:
          - id: back-pain
            title: Back pain
            summary: What to do when back pain does not go away.
            stages: [first-line]
        stages:
          - id: first-line
            title: First line
            summary: Where everyone starts.
            options: [{", ".join(options)}]"""
    ) + flags + "\n"


PILLS = """\
treatments:
  - id: pills
    title: Pain pills
    summary: Pills that ease pain.
    type: medication
"""
"""A medicine with nothing but what every treatment needs: tests add the fields they are about."""

NUMB_GROIN = """\
indicators:
  - id: numb-groin
    title: Numbness in the groin
    summary: A sign of pressure on the nerves at the base of the spine.
    urgency: emergency
"""
"""An emergency red flag for `journey(..., red_flags=("numb-groin",))`: a journey with it passes the safety rules."""


VALID = {
    "pathway.yml": """\
        # yaml-language-server: $schema=../schema/pathway.schema.json
        pathways:
          - id: back-pain
            title: Back pain that physical therapy did not fix
            summary: What comes next when exercises have not helped.
            stages: [first-line, second-line]
            red_flags: [cauda-equina]
        stages:
          - id: first-line
            title: First line
            summary: Where everyone starts.
            options: [physio, sciatica]
            escalates_to: [second-line]
            red_flags: [cauda-equina]
          - id: second-line
            title: Second line
            summary: Injections and procedures.
            options: [nerve-block, rfa]
        """,
    "treatments.yml": """\
        treatments:
          - id: physio
            title: Physical therapy
            summary: Exercises guided by a physiotherapist.
            type: self-care
            relevant_to: [sciatica]
          - id: nerve-block
            title: Medial branch block
            summary: A test injection that numbs the small nerves of a joint.
            type: injection
            escalates_to: [rfa]
            codes:
              - {system: snomedct, code: "279039007"}
            risks: [Soreness where the needle went in]
            get_help_if: [{text: A fever in the days after, urgency: urgent}]
          - id: rfa
            title: Radiofrequency ablation
            summary: Heat that quietens the nerves for months.
            type: procedure
            requires: [nerve-block]
            returns_to: [first-line]
            review:
              status: reviewed
              reviewer: Dr A. Example
              last_reviewed: 2025-01-10
              next_review: 2099-01-10
            risks: [Soreness for a few days]
            get_help_if: [{text: New weakness in a leg, urgency: emergency}]
            benefit:
              words: It often eases the pain for some months.
            if_you_wait: The pain may stay as it is.
            alternatives: [physio]
            sources:
              - {title: Low back pain and sciatica in over 16s, publisher: NICE, year: 2020, url: "https://www.nice.org.uk/guidance/ng59"}
          - id: spine-surgeon
            title: Spine surgeon
            summary: An urgent consultation.
            type: referral
        """,
    "conditions.yml": """\
        conditions:
          - id: sciatica
            title: Sciatica
            summary: Pain that runs down the leg.
            relevant_to: [physio]
            codes:
              - {system: icd10cm, code: M54.3}
        indicators:
          - id: cauda-equina
            title: Numbness between the legs
            summary: A sign of pressure on the nerves at the base of the spine.
            urgency: emergency
            action: Go now.
            refers_to: [spine-surgeon]
            relevant_to: [sciatica]
        glossary:
          - term: Radiofrequency ablation
            definition: Using heat to stop a nerve sending pain signals.
            abbreviation: RFA
        """,
}
"""A small valid pathway using every node kind and every edge kind, split over three files."""


def write_pathway(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (dedented text, or raw bytes) under `root/pathway/` and return that folder."""
    pathway = root / "pathway"
    pathway.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = pathway / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content), encoding="utf-8")
    return pathway


def copy_shipped_or_valid(root: Path) -> Path:
    """The shipped `pathway/` copied into `root`, or the VALID fixture when nothing has shipped yet."""
    if SHIPPED.is_dir() and any(SHIPPED.rglob("*.yml")):
        shutil.copytree(SHIPPED, root / "pathway")
        return root / "pathway"
    return write_pathway(root, VALID)


@dataclass
class Run:
    code: int
    out: str
    err: str
    export_wrote: bool | None = None
    """For `check`: whether `export --out` on the same folder wrote its file."""

    @property
    def problems(self) -> list[str]:
        """Problem lines, without the closing 'N errors' count."""
        return [line for line in self.err.splitlines() if not line.endswith("in the pathway data")]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """Run the CLI in-process, returning its exit code and output."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str | bytes]) -> Run:
    """`check` on a pathway folder holding `files`; paths in messages start with 'pathway/'.

    Also runs `export --out` on the same folder: it must fail exactly when `check` does, writing nothing.
    """
    folder = write_pathway(tmp_path, files)
    run = run_cli(capsys, "check", str(folder))
    out = tmp_path / "export.json"
    exported = run_cli(capsys, "export", str(folder), "--out", str(out))
    assert exported.code == run.code
    run.export_wrote = out.exists()
    return run


def run_module(*argv: str, cwd: Path) -> Run:
    """`python -m generator ...` as a subprocess, the way a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "carepath", *argv], check=False, cwd=cwd, capture_output=True, text=True, timeout=120, env=_env()
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


REVIEWED = """\
review: {status: reviewed, reviewer: Dr A. Example, last_reviewed: 2025-01-10, next_review: 2099-01-10}
sources:
  - {title: Carpal tunnel syndrome, publisher: NHS, year: 2024, url: "https://www.nhs.uk/conditions/carpal-tunnel-syndrome/"}
"""
"""A clinician's review and the source it needs, for `decision_aids(...)`."""

TRIAL_SOURCE = '{title: Wrist trial for test fixtures, publisher: Example Health, year: 2025, url: "https://example.org/wrist-trial"}'
"""A made-up source for the made-up numbers of the decision-aid fixtures: no real source is cited for them."""


def decision_aids(shot: str = "", splint: str = "") -> dict[str, str]:
    """A one-step pathway (with its emergency sign) offering two treatments, a splint and a risky shot, each with
    the YAML lines given (decision-aid fields, `REVIEWED`) added to its entry. The shot's risks say 'rare'."""

    def extra(lines: str) -> str:
        return textwrap.indent(textwrap.dedent(lines), "    ") if lines else ""

    treatments = (
        "treatments:\n"
        "  - id: splint\n"
        "    title: Wrist splint\n"
        "    summary: A splint you wear at night to keep your wrist straight.\n"
        "    type: device\n"
        "    what_to_expect: Wear it while you sleep. It should feel snug.\n"
        f"{extra(splint)}"
        "  - id: shot\n"
        "    title: Steroid shot\n"
        "    summary: A shot of steroid medicine into the wrist.\n"
        "    type: injection\n"
        "    risks: [Soreness for a day or two, Thinner skin where the needle went in, 'Infection, which is rare']\n"
        "    get_help_if: [{text: Your wrist gets red and hot, urgency: urgent}]\n"
        f"{extra(shot)}"
    )
    return {"journey.yml": journey("splint", "shot", red_flags=("numb-groin",)), "indicators.yml": NUMB_GROIN, "treatments.yml": treatments}
