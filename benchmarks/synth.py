"""A synthetic knowledge base of N nodes, written out as a complete Carepath project folder.

Deterministic for a seed: the same `--nodes` and `--seed` write byte-identical files. The data is
fabricated (clinical codes included: they pass their check digits but name nothing real); it exists
only to measure the generator at sizes the shipped pathway never reaches.

    python benchmarks/synth.py --nodes 1000 --seed 1 --out /tmp/kb-1000

The project has `mkdocs.yml` (adapted from the repository's), `content/index.md`, and
`pathway/<pathway-id>/{pathway,nodes}.yml` per pathway plus `pathway/shared/treatments.yml` and
`pathway/glossary.yml`.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from carepath.validate.graph import loinc_ok, verhoeff_ok

NODES_PER_PATHWAY = 30
STAGES_PER_PATHWAY = 4
SHARED_SHARE = 25
"""One node in this many is a treatment shared by several pathways (a common medicine, a common test)."""
TREATMENT_TYPES = ["assessment", "self-care", "medication", "topical", "device", "injection", "procedure", "referral"]
URGENCIES = ["emergency", "urgent", "soon", "routine"]
REVIEW_DATE = "2026-01-15"
NEXT_REVIEW = "2030-01-15"
"""Far enough ahead that no page is 'due for review', which `--strict` would turn into a failed build."""



def _words(text: str) -> list[str]:
    return text.split()


# Short, plain words keep the synthetic prose at a reading grade a patient site would accept.
WORDS = _words("""
a about after again all also and any are as ask at back be before best body bone both but by can
care change check child clear close come could day days do does done down each ease easy eat
every eye face fair feel few find first fit five for four from full get give go good great hand
has have help her here high his hold home how if in is it its joint just keep kind know last leg
less let life like list long look lot low make many may mean more most move much must near need
new next night no not note now of off often old on once one only or other our out over own pain
part plan rest right same say see seem set she short should show side sign sleep slow small so
some soon spot start stay step still stop such sure take talk team tell test than that the their
them then there these they thing think this those three time to too try two up use very visit wait
walk want way week well what when where which while who why will with work worse year yes you your
""")
MEDICAL = _words("""
ablation allergy anemia arthritis biopsy brace bruise bursa cartilage catheter clinic collagen
cramp cyst dialysis disc dose edema enzyme fever fracture gout graft hernia hormone implant
infusion insulin lesion ligament lumbar marrow migraine muscle nerve neuron nodule orthotic
plasma pulse reflex retina scan sciatica sedation sinus spasm spine splint sprain stent steroid
suture swelling tendon therapy thyroid tissue tremor ulcer vertebra virus vitamin wound
""")
ADJECTIVES = _words("""
acute chronic gentle local mild nasal oral pelvic rapid renal spinal upper lower inner outer
daily joint soft deep minor major
""")
FIRST_NAMES = ["Ada", "Ben", "Cleo", "Dev", "Ella", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai", "Lena", "Milo", "Nia"]


@dataclass
class Names:
    """Unique kebab-case ids and unique glossary words across the whole knowledge base."""

    used: set[str] = field(default_factory=set)

    def take(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.used:
            candidate = f"{base}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate


@dataclass
class Codes:
    """Fabricated codes, unique per system, that pass the validator's format and check-digit rules."""

    counter: dict[str, int] = field(default_factory=dict)

    def _next(self, system: str) -> int:
        self.counter[system] = self.counter.get(system, 0) + 1
        return self.counter[system]

    def snomedct(self) -> str:
        body = str(900000000 + self._next("snomedct") * 37)
        return next(body + d for d in "0123456789" if verhoeff_ok(body + d))

    def loinc(self) -> str:
        body = str(10000 + self._next("loinc") * 7)
        return next(f"{body}-{d}" for d in "0123456789" if loinc_ok(f"{body}-{d}"))

    def rxnorm(self) -> str:
        return str(100000 + self._next("rxnorm") * 13)

    def icd10cm(self) -> str:
        n = self._next("icd10cm")
        return f"{'MNR'[n % 3]}{10 + n // 100 % 90:02d}.{n % 100:02d}"


class Writer:
    """Prose from a seeded word list: a few Markdown paragraphs, a list, glossary terms and node: links."""

    def __init__(self, rng: random.Random, terms: list[str], abbreviations: list[str]) -> None:
        self.rng = rng
        self.terms = terms
        self.abbreviations = abbreviations

    def words(self, n: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(n)]

    def sentence(self, lo: int = 6, hi: int = 13) -> str:
        words = self.words(self.rng.randint(lo, hi))
        if self.terms and self.rng.random() < 0.5:
            words.insert(self.rng.randrange(1, len(words)), self.rng.choice(self.terms))
        elif self.abbreviations and self.rng.random() < 0.1:
            words.insert(self.rng.randrange(1, len(words)), self.rng.choice(self.abbreviations))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def plain(self, sentence: str) -> str:
        """`sentence` without its glossary term: an indicator's action is its card's title (`!!! danger "..."`), which
        the glossary pass does not link, so the readability gate fails a strict build on it. Drawn as before and cut
        after, so every other node stays as it was."""
        for term in self.terms:
            sentence = sentence.replace(f" {term} ", " ").replace(f" {term}.", ".")
        return sentence

    def paragraph(self, sentences: int) -> str:
        # One sentence per line, as the shipped pathway is written.
        return "\n".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        words = [self.rng.choice(ADJECTIVES), self.rng.choice(MEDICAL), self.rng.choice(WORDS)]
        return " ".join(words).capitalize()

    def summary(self) -> str:
        return " ".join(self.sentence(6, 10) for _ in range(2))

    def body(self, link: tuple[str, str] | None) -> str:
        """About 260 words: three paragraphs, a bulleted list, and a link to a related node."""
        parts = [self.paragraph(5), self.paragraph(4)]
        items = []
        for _ in range(4):
            lead = " ".join(self.words(2)).capitalize()
            items.append(f"- **{lead}.** {self.sentence(6, 10)}")
        parts.append("\n".join(items))
        last = self.paragraph(4)
        if link:
            text, target = link
            last += f"\nRead more about [{text.lower()}](node:{target})."
        parts.append(last)
        return "\n\n".join(parts) + "\n"

    def lines(self, n: int) -> list[str]:
        return [self.sentence(5, 9) for _ in range(n)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _glossary(rng: random.Random, size: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    taken: set[str] = {w.casefold() for w in WORDS}  # plain words never become terms
    candidates = [m for m in MEDICAL] + [f"{a} {m}" for a in ADJECTIVES for m in MEDICAL]
    rng.shuffle(candidates)
    writer = Writer(rng, [], [])
    for term in candidates:
        if len(entries) >= size:
            break
        forms = [term, term + "s"]
        if any(f.casefold() in taken for f in forms):
            continue
        entry: dict[str, Any] = {"term": term, "also": [term + "s"], "definition": writer.sentence(7, 12)}
        if " " in term and rng.random() < 0.3:
            abbr = "".join(w[0] for w in term.split()).upper() + rng.choice("BCDFGHJKLMNPRSTVWXZ")
            if abbr.casefold() not in taken and (abbr + "s").casefold() not in taken:
                entry["abbreviation"] = abbr
                taken.update({abbr.casefold(), (abbr + "s").casefold()})
        taken.update(f.casefold() for f in forms)
        entries.append(entry)
    entries.sort(key=lambda e: e["term"])
    return entries


def _review(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.4:
        return {"status": "reviewed", "reviewer": f"Dr {rng.choice(FIRST_NAMES)} Example", "last_reviewed": REVIEW_DATE, "next_review": NEXT_REVIEW}
    return {"status": "draft"}


def _sources(rng: random.Random, node_id: str) -> list[dict[str, Any]]:
    if rng.random() < 0.5:
        return []
    return _source(node_id)


def _source(node_id: str) -> list[dict[str, Any]]:
    return [{"title": f"Synthetic source for {node_id}", "url": f"https://example.org/sources/{node_id}", "publisher": "Example Press", "year": 2024}]


GET_HELP_IF = [{"text": "A fever, or new weakness or numbness, in the days after", "urgency": "urgent"}]
"""Safety-netting for every synthetic treatment: fixed text, so the random stream (and every other node) stays as it was."""


DECISION_AIDS = {"benefit": {"words": "It often eases the pain for a while."}, "if_you_wait": "The pain may stay as it is.", "alternatives": []}
"""What a reviewed synthetic treatment says to help a reader decide (AUTHORING.md, 'Decision aids'): fixed text, as
`GET_HELP_IF` is."""


def _safety_netted(treatment: dict[str, Any]) -> dict[str, Any]:
    """What the safety rules ask of a treatment: a get-help list, and a source and its decision aids once it is reviewed."""
    treatment["get_help_if"] = GET_HELP_IF
    if treatment["review"]["status"] == "reviewed":
        if not treatment["sources"]:
            treatment["sources"] = _source(treatment["id"])
        treatment.update(DECISION_AIDS)
    return treatment


@dataclass
class Pathway:
    index: int
    pathway: dict[str, Any]
    stages: list[dict[str, Any]]
    treatments: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    indicators: list[dict[str, Any]]


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def synthesize(nodes: int, seed: int = 1) -> dict[str, Any]:
    """The knowledge base as YAML-ready data: `{"pathways": [Pathway...], "shared": [...], "glossary": [...]}`."""
    n_pathways = max(1, round(nodes / NODES_PER_PATHWAY))
    n_shared = max(1, nodes // SHARED_SHARE)
    local_total = nodes - n_shared - n_pathways * (1 + STAGES_PER_PATHWAY)
    if local_total < n_pathways * 4:
        raise ValueError(f"{nodes} nodes is too few: at least {n_pathways * 9 + n_shared} are needed")
    rng = random.Random(seed)
    names = Names()
    codes = Codes()
    glossary = _glossary(rng, 40 + nodes // 40)
    terms = [e["term"] for e in glossary]
    abbreviations = [e["abbreviation"] for e in glossary if "abbreviation" in e]
    w = Writer(rng, terms, abbreviations)

    shared = []
    for k in range(n_shared):
        title = w.title()
        node_id = names.take(f"{_slug(title)}-shared")
        ttype = TREATMENT_TYPES[k % len(TREATMENT_TYPES)]
        shared.append(
            {
                "id": node_id,
                "title": title,
                "type": ttype,
                "summary": w.summary(),
                "body": w.body(None),
                "how_it_helps": w.paragraph(3) + "\n",
                "what_to_expect": w.paragraph(3) + "\n",
                "risks": w.lines(2),
                "questions": w.lines(3),
                "codes": [{"system": "rxnorm", "code": codes.rxnorm()} if ttype == "medication" else {"system": "snomedct", "code": codes.snomedct()}],
                "sources": _sources(rng, node_id),
                "review": _review(rng),
            }
        )
        _safety_netted(shared[-1])

    pathways: list[Pathway] = []
    for pi, local in enumerate(_split(local_total, n_pathways)):
        n_ind = max(2, round(local * 0.2))
        n_cond = max(1, round(local * 0.2))
        n_treat = local - n_ind - n_cond
        ptitle = w.title()
        pid = names.take(f"{_slug(ptitle)}-{pi:04d}")
        stage_ids = [names.take(f"{pid}-step-{s + 1}") for s in range(STAGES_PER_PATHWAY)]
        treat_ids = [names.take(f"{pid}-t{j:02d}") for j in range(n_treat)]
        cond_ids = [names.take(f"{pid}-c{j:02d}") for j in range(n_cond)]
        ind_ids = [names.take(f"{pid}-i{j:02d}") for j in range(n_ind)]
        stage_of_treat = [j % STAGES_PER_PATHWAY for j in range(n_treat)]

        treatments = []
        for j, tid in enumerate(treat_ids):
            st = stage_of_treat[j]
            ttype = TREATMENT_TYPES[(j + pi) % len(TREATMENT_TYPES)]
            t: dict[str, Any] = {
                "id": tid,
                "title": w.title(),
                "type": ttype,
                "summary": w.summary(),
                "body": w.body(("the step this belongs to", stage_ids[st])),
                "how_it_helps": w.paragraph(2) + "\n",
                "what_to_expect": w.paragraph(2) + "\n",
                "risks": w.lines(rng.randint(1, 3)),
                "relief_duration": w.sentence() + "\n",
                "questions": w.lines(rng.randint(2, 4)),
                "codes": [{"system": "rxnorm", "code": codes.rxnorm()} if ttype == "medication" else {"system": "snomedct", "code": codes.snomedct()}],
                "sources": _sources(rng, tid),
                "review": _review(rng),
            }
            # Every edge points 'forward' (to a later treatment or stage), so no cycle can form.
            if j > 0 and rng.random() < 0.3:
                t["requires"] = [treat_ids[rng.randrange(j)]]
            if rng.random() < 0.4:
                if st + 1 < STAGES_PER_PATHWAY and (j + 1 >= n_treat or rng.random() < 0.5):
                    t["escalates_to"] = [stage_ids[st + 1]]
                elif j + 1 < n_treat:
                    t["escalates_to"] = [treat_ids[rng.randrange(j + 1, n_treat)]]
            if rng.random() < 0.3:
                t["returns_to"] = [stage_ids[st]]
            t["relevant_to"] = sorted(set(rng.sample(cond_ids, min(len(cond_ids), rng.randint(1, 2)))), key=cond_ids.index)
            t = _safety_netted(t)
            if "alternatives" in t and j > 0:  # no random draw: every other node stays as it was
                t["alternatives"] = [treat_ids[j - 1]]
            treatments.append(t)

        conditions = []
        for j, cid in enumerate(cond_ids):
            related = sorted(set(rng.sample(treat_ids, min(len(treat_ids), rng.randint(1, 3)))), key=treat_ids.index)
            conditions.append(
                {
                    "id": cid,
                    "title": w.title(),
                    "summary": w.summary(),
                    "body": w.body(("a related treatment", related[0])) + "\n" + w.paragraph(3) + "\n",
                    "codes": [{"system": "snomedct", "code": codes.snomedct()}, {"system": "icd10cm", "code": codes.icd10cm()}],
                    "sources": _sources(rng, cid),
                    "relevant_to": related,
                    "review": _review(rng),
                }
            )

        referrals = [treat_ids[j] for j in range(n_treat) if TREATMENT_TYPES[(j + pi) % len(TREATMENT_TYPES)] == "referral"]
        indicators = []
        for j, iid in enumerate(ind_ids):
            urgency = URGENCIES[0] if j < 2 else URGENCIES[1 + (j - 2) % (len(URGENCIES) - 1)]
            ind: dict[str, Any] = {
                "id": iid,
                "title": w.title(),
                "urgency": urgency,
                "action": w.plain(w.sentence(5, 8)),
                "summary": w.summary(),
                "body": w.body(("what this may point to", cond_ids[j % n_cond])) + "\n" + w.paragraph(3) + "\n",
                "refers_to": [rng.choice(referrals)] if referrals and rng.random() < 0.6 else [stage_ids[-1]],
                "relevant_to": [cond_ids[j % n_cond]],
                "review": _review(rng),
            }
            if rng.random() < 0.4:
                ind["codes"] = [{"system": "loinc", "code": codes.loinc()}]
            indicators.append(ind)

        stages = []
        for s, sid in enumerate(stage_ids):
            options = [treat_ids[j] for j in range(n_treat) if stage_of_treat[j] == s]
            options += [cond_ids[j] for j in range(n_cond) if j % STAGES_PER_PATHWAY == s]
            flags = [ind_ids[j] for j in range(2, n_ind) if j % STAGES_PER_PATHWAY == s]
            stage: dict[str, Any] = {
                "id": sid,
                "title": w.title(),
                "summary": w.summary(),
                "body": w.body(("the whole pathway", pid)) + "\n" + w.paragraph(3) + "\n",
                "when_to_move_on": w.paragraph(2) + "\n",
                "signs_not_working": w.lines(3),
                "options": options,
                "red_flags": [ind_ids[0]] + flags,
                "review": _review(rng),
            }
            if s + 1 < STAGES_PER_PATHWAY:
                stage["escalates_to"] = [stage_ids[s + 1]]
            stages.append(stage)

        pathway = {
            "id": pid,
            "title": ptitle,
            "summary": w.summary(),
            "body": w.body(("the first step", stage_ids[0])) + "\n" + w.paragraph(4) + "\n",
            "stages": stage_ids,
            "red_flags": ind_ids[:2],
            "codes": [{"system": "snomedct", "code": codes.snomedct()}],
            "review": _review(rng),
        }
        pathways.append(Pathway(pi, pathway, stages, treatments, conditions, indicators))

    # Shared treatments: each offered by one stage for certain, then by a few stages of other pathways.
    for k, t in enumerate(shared):
        homes = {(k % n_pathways, k % STAGES_PER_PATHWAY)}
        for _ in range(rng.randint(0, 3)):
            homes.add((rng.randrange(n_pathways), rng.randrange(STAGES_PER_PATHWAY)))
        for pi, s in sorted(homes):
            pathways[pi].stages[s]["options"].append(t["id"])

    return {"pathways": pathways, "shared": shared, "glossary": glossary}


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
HEADER = "# Synthetic benchmark data (benchmarks/synth.py); not clinical content.\n"


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)
    path.write_text(HEADER + text, encoding="utf-8")


def _mkdocs_yml(nodes: int, diagrams: bool = True) -> str:
    """The repository's mkdocs.yml with the site name changed; tags such as `!ENV` are kept as written."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if not diagrams:
        text, found = re.subn(r"(?m)^(\s+)pathway_dir: pathway\s*$", r"\1pathway_dir: pathway\n\1diagrams: false", text, count=1)
        if not found:
            raise ValueError("mkdocs.yml has no 'pathway_dir: pathway' under the carepath plugin to add 'diagrams: false' to")
    text = re.sub(r"(?m)^site_name:.*$", f"site_name: Carepath benchmark ({nodes:,} nodes)", text, count=1)
    text = re.sub(r"(?m)^docs_dir:.*$", "docs_dir: content", text, count=1)
    text = re.sub(r"(?m)^site_dir:.*$", "site_dir: site", text, count=1)
    return text


def write_project(out: Path, nodes: int, seed: int = 1, diagrams: bool = True) -> dict[str, int]:
    """Write the project folder; returns counts per kind. `out` is emptied first."""
    kb = synthesize(nodes, seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "content").mkdir(parents=True)
    (out / "mkdocs.yml").write_text(_mkdocs_yml(nodes, diagrams), encoding="utf-8")
    overrides = REPO / "site_overrides"
    if overrides.is_dir():
        shutil.copytree(overrides, out / "site_overrides")
    else:
        (out / "site_overrides").mkdir()
    counts = {"pathway": 0, "stage": 0, "treatment": 0, "condition": 0, "indicator": 0, "glossary": len(kb["glossary"])}
    for p in kb["pathways"]:
        folder = out / "pathway" / p.pathway["id"]
        _dump(folder / "pathway.yml", {"pathways": [p.pathway], "stages": p.stages})
        _dump(folder / "nodes.yml", {"treatments": p.treatments, "conditions": p.conditions, "indicators": p.indicators})
        counts["pathway"] += 1
        counts["stage"] += len(p.stages)
        counts["treatment"] += len(p.treatments)
        counts["condition"] += len(p.conditions)
        counts["indicator"] += len(p.indicators)
    _dump(out / "pathway" / "shared" / "treatments.yml", {"treatments": kb["shared"]})
    counts["treatment"] += len(kb["shared"])
    _dump(out / "pathway" / "glossary.yml", {"glossary": kb["glossary"]})
    lines = [
        f"# Carepath benchmark: {nodes:,} nodes",
        "",
        "Synthetic pages for measuring the generator. Nothing here is medical advice.",
        "",
        "## Pathways",
        "",
    ]
    for p in sorted(kb["pathways"], key=lambda p: p.pathway["id"]):
        lines.append(f"- [{p.pathway['title']}](node:{p.pathway['id']})")
    lines += ["", "## Find a topic", "", "- [A to Z of topics](a-z.md)", "- [Glossary of medical words](glossary.md)", ""]
    (out / "content" / "index.md").write_text("\n".join(lines), encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, required=True, help="how many nodes (pathways, stages, treatments, conditions, indicators)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="project folder to write (emptied first)")
    parser.add_argument("--no-diagrams", action="store_true", help="turn the plugin's diagrams off in mkdocs.yml")
    args = parser.parse_args(argv)
    counts = write_project(Path(args.out), args.nodes, args.seed, diagrams=not args.no_diagrams)
    print(f"wrote {args.out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
