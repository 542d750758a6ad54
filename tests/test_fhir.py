"""The FHIR export: each pathway as an R4B or R5 Bundle of CPG PlanDefinitions and ActivityDefinitions.

`fhir.resources` checks structure only (it takes status "bogus" and a dangling target), so these tests check the
rest: references resolve inside the Bundle, codes come from their value sets, the CPG's required elements are
there, and a round trip keeps what FHIR.md's table says is kept and invents nothing.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from carepath import load_knowledge_base
from carepath.model.graph import Condition, EdgeKind, Indicator, KnowledgeBase, Pathway, Stage, Treatment
from carepath.problems import PathwayError
from carepath.publish.export import dumps
from carepath.publish.fhir import (
    CODE_SYSTEM_URIS,
    KNOWLEDGE_CAPABILITY,
    KNOWLEDGE_LEVEL,
    PART_OF,
    PLACEHOLDER_BASE,
    PRIORITY,
    FhirOptions,
    export_fhir,
    fhir_id,
    plan_id,
)
from carepath.settings import build_date
from carepath.words import DEFAULT_EDITION, words
from helpers_pathway import REPO, SHIPPED, run_cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fhir" / "pathway"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = "https://care.test/"
VERSIONS = ("R4B", "R5")
TODAY = build_date()

# Value sets, from the FHIR R4B and R5 specifications and the CPG IG (STU2).
PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}
PLAN_DEFINITION_TYPE = {"order-set", "clinical-protocol", "eca-rule", "workflow-definition"}
ACTION_RELATIONSHIP = {"before-start", "before", "before-end", "concurrent-with-start", "concurrent", "concurrent-with-end", "after-start", "after", "after-end"}
RELATED_ARTIFACT_TYPE = {"documentation", "justification", "citation", "predecessor", "successor", "derived-from", "depends-on", "composed-of"}
USAGE_CONTEXT_TYPE = {"gender", "age", "focus", "user", "workflow", "task", "venue", "species", "program"}
KNOWLEDGE_CAPABILITY_CODES = {"shareable", "computable", "publishable", "executable"}
KNOWLEDGE_LEVEL_CODES = {"narrative", "semi-structured", "structured", "executable"}
CONTACT_POINT_SYSTEM = {"phone", "fax", "email", "pager", "url", "sms", "other"}
REQUEST_RESOURCE_TYPES = {"MedicationRequest", "ServiceRequest", "DeviceRequest", "CommunicationRequest", "Task"}
COMMON_PROCESS = {"triage", "guideline-based-care"}
SYSTEMS = {
    "http://terminology.hl7.org/CodeSystem/plan-definition-type",
    "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-common-process-cs",
    "http://terminology.hl7.org/CodeSystem/usage-context-type",
    *CODE_SYSTEM_URIS.values(),
}
ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def knowledge_base(folder: Path) -> KnowledgeBase:
    kb, _ = load_knowledge_base(folder, TODAY)
    return kb


@pytest.fixture(scope="module")
def fixture_kb() -> KnowledgeBase:
    return knowledge_base(FIXTURE)


@pytest.fixture(scope="module")
def shipped_kb() -> KnowledgeBase:
    return knowledge_base(SHIPPED)


def bundle(kb: KnowledgeBase, pathway_id: str, version: str, **options: Any) -> dict[str, Any]:
    pathway = kb.nodes[pathway_id]
    assert isinstance(pathway, Pathway)
    return json.loads(dumps(export_fhir(kb, pathway, FhirOptions(base=BASE, version=version, **options))))


def every_bundle(kb: KnowledgeBase) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for version in VERSIONS:
        for pathway in kb.pathways:
            yield version, pathway.id, bundle(kb, pathway.id, version, content_version="1.2")


def resources(b: dict[str, Any], resource_type: str | None = None) -> list[dict[str, Any]]:
    return [e["resource"] for e in b["entry"] if resource_type in (None, e["resource"]["resourceType"])]


def actions(actions_: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every action, nested ones too."""
    for a in actions_:
        yield a
        yield from actions(a.get("action", []))


def codes(concepts: Any) -> list[dict[str, Any]]:
    """The codings of a concept or of a list of them, however deep (R4B `action.code` is a list, R5's one concept)."""
    if isinstance(concepts, list):
        return [c for concept in concepts for c in codes(concept)]
    return list(concepts.get("coding", []))


def parse(b: dict[str, Any], version: str) -> Any:
    if version == "R4B":
        from fhir.resources.R4B.bundle import Bundle
    else:
        from fhir.resources.bundle import Bundle
    return Bundle.model_validate_json(json.dumps(b))


# --- structure: both shipped pathways and the fixture, R4B and R5 ---


@pytest.mark.parametrize("version", VERSIONS)
def test_both_shipped_pathways_export_and_parse(shipped_kb: KnowledgeBase, version: str) -> None:
    assert {p.id for p in shipped_kb.pathways} == {"when-pt-does-not-help", "carpal-tunnel-care"}
    for pathway in shipped_kb.pathways:
        b = bundle(shipped_kb, pathway.id, version)
        parsed = parse(b, version)
        assert parsed.type == "collection"
        assert len(parsed.entry) == len(b["entry"]) > 10


@pytest.mark.parametrize("version", VERSIONS)
def test_fixture_parses_as_its_release(fixture_kb: KnowledgeBase, version: str) -> None:
    b = bundle(fixture_kb, "knee-care", version)
    parse(b, version)
    related = [r for pd in resources(b, "PlanDefinition") for a in actions(pd.get("action", [])) for r in a.get("relatedAction", [])]
    assert related and all(("targetId" if version == "R5" else "actionId") in r for r in related)
    urls = [a for r in resources(b) for a in r.get("relatedArtifact", []) if a["type"] == "citation" and a.get("display", "").startswith("Knee pain")]
    assert urls and all((a["document"]["url"] if version == "R5" else a["url"]) == "https://guidance.test/knee" for a in urls)


def test_the_other_release_does_not_parse_it(fixture_kb: KnowledgeBase) -> None:
    """The tests above would prove nothing if either model took the other release's shape."""
    with pytest.raises(ValueError):
        parse(bundle(fixture_kb, "knee-care", "R4B"), "R5")
    with pytest.raises(ValueError):
        parse(bundle(fixture_kb, "knee-care", "R5"), "R4B")


# --- references, ids, value sets, CPG elements: on the shipped pathways and the fixture ---


@pytest.fixture(scope="module", params=["shipped", "fixture"])
def bundles(request: pytest.FixtureRequest, shipped_kb: KnowledgeBase, fixture_kb: KnowledgeBase) -> list[tuple[str, str, dict[str, Any]]]:
    return list(every_bundle(shipped_kb if request.param == "shipped" else fixture_kb))


def test_every_reference_and_target_id_resolves_inside_the_bundle(bundles: list[tuple[str, str, dict[str, Any]]]) -> None:
    for version, pathway_id, b in bundles:
        urls = {e["fullUrl"] for e in b["entry"]}
        assert all(e["fullUrl"] == e["resource"]["url"] for e in b["entry"])
        canonicals = [x["valueCanonical"] for r in resources(b) for x in r["extension"] if "valueCanonical" in x]
        for pd in resources(b, "PlanDefinition"):
            every = list(actions(pd.get("action", [])))
            ids = [a["id"] for a in every if "id" in a]
            assert len(ids) == len(set(ids)), pd["id"]
            canonicals += [a["definitionCanonical"] for a in every if "definitionCanonical" in a]
            targets = [r["targetId" if version == "R5" else "actionId"] for a in every for r in a.get("relatedAction", [])]
            assert set(targets) <= set(ids), (pathway_id, pd["id"], targets)
        assert canonicals and set(canonicals) <= urls, (version, pathway_id, set(canonicals) - urls)


def test_ids_are_legal_unique_and_stable(bundles: list[tuple[str, str, dict[str, Any]]]) -> None:
    for _, _, b in bundles:
        assert ID.fullmatch(b["id"])
        keys = [(r["resourceType"], r["id"]) for r in resources(b)]
        assert len(keys) == len(set(keys))
        assert all(ID.fullmatch(i) for _, i in keys), keys


def test_no_element_is_null_or_empty(bundles: list[tuple[str, str, dict[str, Any]]]) -> None:
    """FHIR JSON has no null and no empty string, list or object: an element without a value is left out (a red
    flag's optional `action` included: its words of what to do are the edition's route, then the action)."""

    def empty(value: Any, where: str) -> Iterator[str]:
        if value is None or value == "" or value == [] or value == {}:
            yield where
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from empty(item, f"{where}.{key}")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                yield from empty(item, f"{where}[{n}]")

    for pathway_id, version, b in bundles:
        assert list(empty(b, f"{pathway_id}:{version}")) == []
    flags = [a for _, _, b in bundles for pd in resources(b, "PlanDefinition") for a in pd.get("action", []) if a.get("priority") == "stat"]
    assert flags and all(a["description"].strip() for a in flags)


def test_long_ids_are_cut_with_a_hash_no_node_id_can_have() -> None:
    long = "a-pathway-whose-id-is-long-enough-to-push-its-nodes-past-sixty-four/a-stage-whose-own-id-is-long-too"
    cut = fhir_id(long)
    assert len(cut) == 64 and re.fullmatch(r"[a-z0-9\-.]{55}-[0-9A-F]{8}", cut)
    assert fhir_id(long) == cut and fhir_id(long + "x") != cut
    assert fhir_id("knee-care/home-care") == "knee-care.home-care" and fhir_id("nsaids") == "nsaids"


def test_codes_and_statuses_come_from_their_value_sets(bundles: list[tuple[str, str, dict[str, Any]]]) -> None:
    for _, _, b in bundles:
        assert b["type"] == "collection"
        for r in resources(b):
            assert r["status"] in PUBLICATION_STATUS
            for x in r["extension"]:
                if x["url"] == KNOWLEDGE_CAPABILITY:
                    assert x["valueCode"] in KNOWLEDGE_CAPABILITY_CODES
                if x["url"] == KNOWLEDGE_LEVEL:
                    assert x["valueCode"] in KNOWLEDGE_LEVEL_CODES
            for a in r.get("relatedArtifact", []):
                assert a["type"] in RELATED_ARTIFACT_TYPE
            for c in r.get("useContext", []):
                assert c["code"]["code"] in USAGE_CONTEXT_TYPE
            for contact in r.get("contact", []):
                assert all(t["system"] in CONTACT_POINT_SYSTEM for t in contact["telecom"])
            concepts = [r.get("type", {}), r.get("code", {}), *(c["valueCodeableConcept"] for c in r.get("useContext", []))]
            for a in actions(r.get("action", [])):
                assert a.get("priority", "routine") in REQUEST_PRIORITY
                assert all(x["relationship"] in ACTION_RELATIONSHIP for x in a.get("relatedAction", []))
                concepts += [a.get("code", {}), *a.get("reason", [])]
            for coding in codes(concepts):
                assert coding["system"] in SYSTEMS, coding
            if r["resourceType"] == "PlanDefinition":
                assert codes(r["type"])[0]["code"] in PLAN_DEFINITION_TYPE
            else:
                assert r["kind"] in REQUEST_RESOURCE_TYPES
            assert {c["code"] for c in codes([a.get("code", {}) for a in r.get("action", [])])} <= COMMON_PROCESS


def test_cpg_required_elements_are_present(bundles: list[tuple[str, str, dict[str, Any]]]) -> None:
    """CPG computable PlanDefinition: `type` and at least one action; its pathway and strategy actions: title,
    description, code; every artifact says its knowledge capability; each part names its pathway (`cpg-partOf`)."""
    for _, pathway_id, b in bundles:
        pathway_url = f"{BASE}PlanDefinition/{fhir_id(pathway_id)}"
        for r in resources(b):
            capabilities = [x["valueCode"] for x in r["extension"] if x["url"] == KNOWLEDGE_CAPABILITY]
            assert capabilities == ["computable"], r["id"]
            if r["resourceType"] != "PlanDefinition":
                assert r["kind"]
                continue
            assert codes(r["type"]) and r["action"], r["id"]
            kind = codes(r["type"])[0]["code"]
            if kind in ("clinical-protocol", "workflow-definition"):
                assert all(a["title"] and a["description"] and a["code"] for a in r["action"]), r["id"]
            part_of = [x["valueCanonical"] for x in r["extension"] if x["url"] == PART_OF]
            assert part_of == ([] if r["url"] == pathway_url else [pathway_url])
        assert codes(resources(b)[0]["type"])[0]["code"] == "clinical-protocol"


# --- the same input gives the same bytes ---


def test_the_same_input_gives_a_byte_identical_bundle(tmp_path: Path) -> None:
    copy = shutil.copytree(FIXTURE, tmp_path / "pathway")
    one, two = knowledge_base(FIXTURE), knowledge_base(copy)
    for version in VERSIONS:
        for pathway in one.pathways:
            options = FhirOptions(base=BASE, version=version)
            first = dumps(export_fhir(one, pathway, options))
            assert first == dumps(export_fhir(one, pathway, options))
            assert first == dumps(export_fhir(two, two.nodes[pathway.id], options))  # type: ignore[arg-type]


def test_a_shared_artifact_is_the_same_in_every_bundle_or_scoped_to_its_pathway(fixture_kb: KnowledgeBase) -> None:
    """Two pathways' Bundles never give one canonical URL two contents."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    shared = 0
    for version, _, b in every_bundle(fixture_kb):
        for r in resources(b):
            key = (version, r["url"])
            if key in seen:
                shared += 1
                assert seen[key] == r, r["url"]
            seen[key] = r
    assert shared == 2, "the shared pain pills' ActivityDefinition, in each release"
    assert plan_id(fixture_kb, "knee-care", "pain-pills") == "knee-care--pain-pills"


# --- a round trip keeps what FHIR.md says is kept ---


def test_round_trip_keeps_every_node_edge_and_field(fixture_kb: KnowledgeBase, shipped_kb: KnowledgeBase) -> None:
    for kb in (fixture_kb, shipped_kb):
        for version, pathway_id, b in every_bundle(kb):
            plans = {r["id"]: r for r in resources(b, "PlanDefinition")}
            activities = {r["id"]: r for r in resources(b, "ActivityDefinition")}
            members = kb.members(pathway_id)
            for node_id in members:
                node = kb.nodes[node_id]
                if isinstance(node, Condition):
                    continue
                plan = plans.pop(plan_id(kb, pathway_id, node_id))
                assert plan["title"] == node.title and plan["description"].startswith(node.summary)
                assert plan["status"] == {"draft": "draft", "reviewed": "active"}[node.review.status]
                assert plan["version"] == "1.2"
                assert [t["text"] for t in plan.get("topic", [])] == node.synonyms
                cited = [a["label"] for a in plan.get("relatedArtifact", []) if a["type"] == "citation"]
                context = node.contexts.get(pathway_id)
                own = [s for s in [*node.sources, *(context.sources if context else [])] if isinstance(s, str)]
                assert cited == list(dict.fromkeys(own))
                if isinstance(node, Indicator):
                    main = plan["action"][0]
                    to_do = words(DEFAULT_EDITION).action(node.urgency.value, node.action)  # the route, then its own action
                    assert (main["description"], main["priority"]) == (to_do, PRIORITY[node.urgency])
                if isinstance(node, Stage):
                    assert [a["display"] for a in plan.get("relatedArtifact", []) if a["label"] == "signs_not_working"] == node.signs_not_working
                if isinstance(node, Treatment):
                    activity = activities.pop(fhir_id(node_id))
                    assert activity["title"] == node.title and activity["description"].startswith(node.summary)
                    assert [(c["system"], c["code"]) for c in codes(activity.get("code", {}))] == [(CODE_SYSTEM_URIS[c.system], c.code) for c in node.codes]
                    main = plan["action"][0]
                    assert main["definitionCanonical"] == activity["url"]
                    notes = [(d["label"], d["display"]) for d in main.get("documentation", [])]
                    assert [t for label, t in notes if label == "risks"] == node.risks
                    assert [t for label, t in notes if label == "questions"] == node.questions
                    assert [t for label, t in notes if label.startswith("guidance.")] == [g.statement for g in node.guidance]
                    signs = [(a["title"], a.get("priority")) for a in main.get("action", [])]
                    assert signs == [(i.text, PRIORITY[i.urgency] if i.urgency else None) for i in node.get_help_if]
            assert plans == {} and activities == {}, "nothing in the Bundle that is not a member of the pathway"
            _edges_kept(kb, pathway_id, b)


def _edges_kept(kb: KnowledgeBase, pathway_id: str, b: dict[str, Any]) -> None:
    """Every edge between two members that holds in the pathway: an action named for its kind and target, or (to or
    from a condition) a `focus` use context with the condition's title."""
    members = set(kb.members(pathway_id))
    plans = {r["id"]: r for r in resources(b, "PlanDefinition")}
    for e in kb.edges:
        if e.source not in members or e.target not in members or not e.holds_in(pathway_id):
            continue
        source, target = kb.nodes[e.source], kb.nodes[e.target]
        if isinstance(source, Condition) or isinstance(target, Condition):
            holder, condition = (e.target, source) if isinstance(source, Condition) else (e.source, target)
            focus = [c["valueCodeableConcept"]["text"] for c in plans[plan_id(kb, pathway_id, holder)].get("useContext", [])]
            assert condition.title in focus, (e.kind, e.source, e.target)
            continue
        ids = [a["id"] for a in plans[plan_id(kb, pathway_id, e.source)].get("action", [])]
        assert f"{e.kind.value}.{plan_id(kb, pathway_id, e.target)}" in ids, (e.kind, e.source, e.target)


def test_the_fixture_carries_what_the_throwaway_mapping_lost(fixture_kb: KnowledgeBase) -> None:
    b = bundle(fixture_kb, "knee-care", "R4B", content_version="1.2", publisher="The site")
    plans = {r["id"]: r for r in resources(b, "PlanDefinition")}
    shot = plans["knee-care.knee-shot"]["action"]
    main = shot[0]
    notes = {d["label"]: d for d in main["documentation"]}
    assert notes["benefit.number"]["citation"] == "A knee trial (a fixture, not a real source)"
    assert notes["frequency.rare"]["display"] == "fewer than 1 in 1,000 people"
    assert notes["if_you_wait"]["display"] == "The pain may come and go."
    assert notes["guidance.consider"]["citation"] == "Worn knee joint; Knee pain guideline (a fixture, not a real source), Fixture Publisher, 2024"
    assert main["action"][1]["code"] == [{"text": "route: crisis"}]
    assert [a["id"] for a in shot[1:]] == ["requires.knee-care.knee-check", "alternative-to.knee-care.exercises"]
    assert shot[1]["relatedAction"] == [{"actionId": "main", "relationship": "before-start"}]
    flag = plans["knee-care.hot-swollen-knee"]
    assert [a["id"] for a in flag["action"]] == ["main", "refers-to.knee-care.knee-check", "refers-to.knee-care.clinic-care"]
    focus = [c["valueCodeableConcept"] for c in flag["useContext"]]
    assert focus == [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.9", "display": "Osteoarthritis of knee, unspecified"}], "text": "Worn knee joint"}]
    chest = plans["knee-care--chest-pain"]["action"][0]
    assert chest["reason"][0]["coding"][0]["code"] == "29857009" and chest["priority"] == "stat"
    shared = plans["knee-care--pain-pills"]
    assert "For knee pain, take them with food. See [the check](https://care.test/knee-care/knee-check/)." in shared["description"]
    assert [a["label"] for a in shared["relatedArtifact"]] == ["knee-guide"]
    assert [c["valueCodeableConcept"]["text"] for c in shared["useContext"]] == ["Worn knee joint"]
    home = plans["knee-care.home-care"]
    assert "[the clinic](https://care.test/knee-care/clinic-care/)" in home["description"]
    assert home["usage"] == "After six weeks with little change."
    pathway = plans["knee-care"]
    assert pathway["publisher"] == "Knee Service, Fixture Hospital"
    assert pathway["contact"] == [{"name": "Knee Service, Fixture Hospital", "telecom": [{"system": "email", "value": "knee-team@hospital.test"}]}]
    assert pathway["reviewer"] == [{"name": "Dr A. Fixture"}, {"name": "Knee Team"}]
    assert (pathway["status"], pathway["date"], pathway["lastReviewDate"]) == ("active", "2026-01-01", "2026-01-10")
    assert pathway["effectivePeriod"] == {"start": "2026-01-10", "end": "2027-01-10"}
    activities = {r["id"]: r for r in resources(b, "ActivityDefinition")}
    assert activities["pain-pills"]["publisher"] == "The site" and activities["pain-pills"]["kind"] == "MedicationRequest"
    assert activities["knee-care.exercises"]["publisher"] == "Knee Service, Fixture Hospital"
    assert (activities["knee-care.exercises"]["purpose"], activities["knee-care.exercises"]["usage"]) == (
        "Strong muscles take load off the joint.",
        "A few minutes a day, for weeks.",
    )


def test_nothing_is_invented(fixture_kb: KnowledgeBase) -> None:
    """No version without `content_version`, no publisher without an owner or a site publisher, no dates the review
    does not give, no priority for a line its author has not graded."""
    b = bundle(fixture_kb, "a-pathway-whose-id-is-long-enough-to-push-its-nodes-past-sixty-four", "R5")
    for r in resources(b):
        for name in ("version", "publisher", "contact", "date", "lastReviewDate", "effectivePeriod", "reviewer", "experimental", "name"):
            assert name not in r, (r["id"], name)
    knee = bundle(fixture_kb, "knee-care", "R5")
    ungraded = [a for r in resources(knee, "PlanDefinition") for a in actions(r.get("action", [])) if a.get("title") == "You get a fever"]
    assert ungraded == [{"title": "You get a fever"}]


# --- the command and the site ---


def test_export_fhir_needs_a_site_address(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "export", str(FIXTURE), "--format", "fhir", "--pathway", "knee-care")
    assert run.code == 1 and run.out == ""
    assert run.err.splitlines()[-1].startswith("export --format fhir: no site address for the canonical URLs")


def test_export_fhir_writes_one_bundle_per_pathway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "export", str(FIXTURE), "--format", "fhir", "--pathway", "knee-care", "--site-url", BASE, "--fhir-version", "R5")
    assert run.code == 0
    assert json.loads(run.out)["entry"][0]["fullUrl"] == f"{BASE}PlanDefinition/knee-care"
    run = run_cli(capsys, "export", str(FIXTURE), "--format", "fhir", "--site-url", BASE)
    assert run.code == 1 and "--pathway" in run.err
    out = tmp_path / "bundles"
    run = run_cli(capsys, "export", str(FIXTURE), "--format", "fhir", "--site-url", BASE, "--out", str(out))
    assert run.code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.id}.fhir-r4b.json" for p in knowledge_base(FIXTURE).pathways)
    run = run_cli(capsys, "export", str(FIXTURE), "--format", "fhir", "--pathway", "knee-care", "--site-url", "ftp://care.test/")
    assert run.code == 1 and run.err.splitlines()[-1].startswith("--site-url: ")
    run = run_cli(capsys, "export", str(FIXTURE), "--fhir-version", "R5")
    assert run.code == 1 and run.err.splitlines()[-1] == "--fhir-version and --site-url go with --format fhir"


def test_the_site_publishes_both_releases_beside_pathway_json(shipped_kb: KnowledgeBase) -> None:
    from carepath.build.plan import plan_site
    from carepath.publish.files import extra_assets
    from carepath.render.pages import RenderOptions
    from carepath.settings import Settings

    plan = plan_site(shipped_kb, Settings(pathway_dir=SHIPPED))
    files = extra_assets(shipped_kb, RenderOptions(content_version="2.1"))
    for pathway in shipped_kb.pathways:
        for name in ("pathway.json", "fhir-r4b.json", "fhir-r5.json"):
            assert f"{pathway.id}/{name}" in plan.exports and f"{pathway.id}/{name}" in files
        local = json.loads(files[f"{pathway.id}/fhir-r5.json"])
        assert local["entry"][0]["fullUrl"] == f"{PLACEHOLDER_BASE}PlanDefinition/{pathway.id}", "a local build: the documented placeholder"
        assert local["entry"][0]["resource"]["version"] == "2.1"
    published = json.loads(extra_assets(shipped_kb, RenderOptions(site_url="https://care.test/care/"))["carpal-tunnel-care/fhir-r4b.json"])
    assert published["entry"][0]["fullUrl"] == "https://care.test/care/PlanDefinition/carpal-tunnel-care"
    assert "/carpal-tunnel-care/fhir-r4b.json" in (REPO / "published-urls.txt").read_text(encoding="utf-8")


# --- check and export agree: whatever check accepts, export takes ---


def _accepted_folders() -> list[Path]:
    """Every pathway folder among the test fixtures that loads without an error (warnings allowed)."""
    found = []
    folders = {parent for p in FIXTURES.rglob("*.yml") for parent in p.parents if parent.name == "pathway" and FIXTURES in parent.parents}
    for folder in sorted(folders):
        try:
            kb, problems = load_knowledge_base(folder, TODAY)
        except PathwayError:  # a fixture of bad input: check rejects it, so export need not take it
            continue
        if kb.pathways and not any(p.severity == "error" for p in problems):
            found.append(folder)
    return found


@pytest.mark.parametrize("folder", [SHIPPED, *_accepted_folders()], ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_pathway_check_accepts_exports_and_parses(folder: Path) -> None:
    kb = knowledge_base(folder)
    for version in VERSIONS:
        for pathway in kb.pathways:
            b = export_fhir(kb, pathway, FhirOptions(base=BASE, version=version, content_version="1"))
            parse(json.loads(dumps(b)), version)
            assert b["entry"][0]["resource"]["id"] == fhir_id(pathway.id)
    assert kb.pathways and all(isinstance(kb.nodes[p.id], Pathway) for p in kb.pathways)
    assert EdgeKind.includes in {e.kind for e in kb.edges}
