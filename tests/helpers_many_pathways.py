"""A knowledge base of many small pathways that all offer one shared medicine, written by Python into a test's
own folder: the page a safety box must stay short on. Each pathway has red flags of its own (one to three
emergencies, the first pathway six, two urgent signs and a soft one); the medicine has signs of its own.

The site around it is the shipped one (its `mkdocs.yml`, `content/` and `site_overrides/`), so a page looks
and measures as a published page does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from helpers_site import REPO, copy_project

CONDITIONS = [
    "a sore knee", "a stiff neck", "migraine", "a painful hip", "a sore shoulder", "gout",
    "a bad ankle", "tennis elbow", "a sore jaw", "heel pain", "a weak wrist", "low back pain",
    "a stiff back", "a sore foot", "hand pain", "a pulled muscle", "a sore hip joint", "bunions",
    "a bad knee cap", "a sore toe", "shin pain", "a sore thumb", "a stiff finger", "neck and arm pain",
]  # fmt: skip
"""Reader-facing pathway names: short, plain, each different, like a real site's."""

EMERGENCY = [
    ("You cannot feel your leg", "Get help now."),
    ("Your chest hurts and you feel faint", "Get help now."),
    ("You lose control of your bladder", "Go now."),
    ("Your face droops on one side", "Get help now."),
    ("You cannot wake up fully", "Get help now."),
    ("You have a high fever and a stiff neck", "Go now."),
]
URGENT = [
    ("The pain gets much worse in a day", "Call your doctor today."),
    ("The skin turns red and hot", "Call your doctor today."),
]
SOON = ("The pain keeps you up at night", "Tell your doctor at your next visit.")
MEDICINE = "pain-pills"
MEDICINE_SIGNS = [{"text": text, "urgency": "emergency"} for text in ("Your poo is black", "You throw up blood", "Your face or lips swell")]


def pathway_id(i: int) -> str:
    return f"care-{i + 1:02d}"


def emergencies(i: int) -> int:
    """How many emergency red flags pathway `i` has: six for the first (more than a box shows), else one to three."""
    return 6 if i == 0 else 1 + i % 3


def emergencies_of(pid: str) -> int:
    """`emergencies` of the pathway with this id."""
    return emergencies(int(pid.removeprefix("care-")) - 1)


def _indicator(node_id: str, title: str, urgency: str, action: str) -> dict[str, Any]:
    return {"id": node_id, "title": title, "summary": f"{title}. This is a sign to act on.", "urgency": urgency, "action": action}


def pathway_file(i: int) -> dict[str, Any]:
    """One pathway: two stages, the first offering the shared medicine, and its own red flags."""
    pid = pathway_id(i)
    name = CONDITIONS[i]
    flags = [_indicator(f"{pid}-sign-{k + 1}", f"{t} ({name})", "emergency", a) for k, (t, a) in enumerate(EMERGENCY[: emergencies(i)])]
    flags += [_indicator(f"{pid}-check-{k + 1}", f"{t} ({name})", "urgent", a) for k, (t, a) in enumerate(URGENT)]
    flags.append(_indicator(f"{pid}-note", f"{SOON[0]} ({name})", "soon", SOON[1]))
    return {
        "pathways": [
            {
                "id": pid,
                "title": f"Help for {name}",
                "summary": f"What to try for {name}, one step at a time.",
                "stages": [f"{pid}-home", f"{pid}-doctor"],
                "red_flags": [f["id"] for f in flags if f["urgency"] == "emergency"],
            }
        ],
        "stages": [
            {
                "id": f"{pid}-home",
                "title": "Care at home",
                "summary": f"Things you can do at home for {name}.",
                "options": [MEDICINE],
                "escalates_to": [f"{pid}-doctor"],
                "red_flags": [f["id"] for f in flags if f["urgency"] != "emergency"],
            },
            {"id": f"{pid}-doctor", "title": "See your doctor", "summary": f"Your doctor checks {name} and helps you plan what is next."},
        ],
        "indicators": flags,
    }


def medicine_file() -> dict[str, Any]:
    return {
        "treatments": [
            {
                "id": MEDICINE,
                "title": "Pain pills",
                "summary": "Pills you can buy at a store that ease pain and swelling.",
                "type": "medication",
                "body": "Take them with food. Do not take more than the pack says.",
                "how_it_helps": "They calm the swelling that makes the pain worse.",
                "risks": ["An upset stomach"],
                "get_help_if": MEDICINE_SIGNS,
            }
        ]
    }


def write_many_pathways(root: Path, count: int) -> Path:
    """A project in `root` (the shipped site around `count` generated pathways); returns `root`."""
    copy_project(REPO, root, ("mkdocs.yml", "content", "site_overrides"))
    pathway = root / "pathway"
    pathway.mkdir()
    (pathway / "medicine.yml").write_text(yaml.safe_dump(medicine_file(), sort_keys=False), encoding="utf-8")
    for i in range(count):
        (pathway / f"{pathway_id(i)}.yml").write_text(yaml.safe_dump(pathway_file(i), sort_keys=False), encoding="utf-8")
    return root
