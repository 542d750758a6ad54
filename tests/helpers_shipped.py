"""Properties every pathway of a built site must have, read against its YAML at test time: no list of node ids,
titles or previous/next pairs is copied here, so an author who adds a treatment, a red flag or a step edits no
test. `test_pathway_carpal_tunnel.py` checks them on the shipped pathways, `test_new.py` on a copy that
`carepath new` has added to."""

from __future__ import annotations

import json
import re

from carepath import KnowledgeBase
from carepath.model.graph import Indicator, Pathway, Stage
from carepath.words import words as edition_words
from helpers_site import Build, article, article_links, elements, node_url, resolve_href, shipped_edition, text_of


def words(html: str) -> str:
    return text_of(article(html))


def pathway_of(kb: KnowledgeBase, pathway_id: str) -> Pathway:
    pathway = kb.nodes[pathway_id]
    assert isinstance(pathway, Pathway)
    return pathway


def own_nodes(kb: KnowledgeBase, folder: str) -> set[str]:
    """Ids of the nodes written in `pathway/<folder>/`."""
    return {i for i, pos in kb.positions.items() if pos.path.split("/")[-2] == folder}


def red_flags(kb: KnowledgeBase, pathway_id: str) -> dict[str, tuple[str, str, str]]:
    """The pathway's red flags as the YAML has them: id -> (urgency as the reader sees it, title, what to do: the
    shipped edition's route for its urgency, then its own action if any)."""
    edition = edition_words(shipped_edition())
    flags = {}
    for flag_id in pathway_of(kb, pathway_id).red_flags:
        flag = kb.nodes[flag_id]
        assert isinstance(flag, Indicator)
        flags[flag_id] = (kb.vocabulary_of(pathway_id).urgency_label(flag.urgency), flag.title, edition.action(flag.urgency.value, flag.action))
    return flags


def shared_offered(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Shared node -> the stages (of any pathway) that offer it, for the shared nodes more than one pathway offers."""
    shared = own_nodes(kb, "shared")
    offered: dict[str, list[str]] = {}
    for stage_id, stage in sorted(kb.nodes.items()):
        if isinstance(stage, Stage):
            for option in stage.options:
                if option in shared:
                    offered.setdefault(option, []).append(stage_id)
    return {n: s for n, s in offered.items() if len({kb.scope(x) for x in s}) > 1}


def assert_the_pathway_is_well_formed(kb: KnowledgeBase, pathway_id: str) -> None:
    """An emergency red flag of its own, every own node in its folder, every step a stage of this pathway."""
    pathway = pathway_of(kb, pathway_id)
    assert any(kb.nodes[i].urgency.value == "emergency" for i in red_flags(kb, pathway_id)), pathway_id  # type: ignore[union-attr]
    assert all(isinstance(kb.nodes[s], Stage) and kb.scope(s) == pathway_id for s in pathway.stages), pathway.stages


def assert_every_page_has_its_title(build: Build, kb: KnowledgeBase, pathway_id: str) -> None:
    for node_id in sorted(own_nodes(kb, pathway_id)):
        h1 = [e.text for e in elements(article(build.html(node_url(node_id)))) if e.tag == "h1"]
        assert [" ".join(t.split()) for t in h1] == [" ".join(kb.nodes[node_id].title.split())], node_id


def assert_the_home_lists_its_steps_in_order(build: Build, kb: KnowledgeBase, pathway_id: str) -> None:
    stages = pathway_of(kb, pathway_id).stages
    text = words(build.html(node_url(pathway_id)))
    found = [text.find(f"Step {n} of {len(stages)}: {kb.nodes[s].title}") for n, s in enumerate(stages, start=1)]
    assert -1 not in found and found == sorted(found), found
    assert {node_url(s) for s in stages} <= article_links(build, node_url(pathway_id))


def assert_every_emergency_and_urgent_sign_is_on_the_step(build: Build, kb: KnowledgeBase, pathway_id: str, stage_id: str) -> None:
    """Every emergency and urgent red flag of the pathway is on the step, linked to its page, with its urgency and
    what to do: in the box when it fits, else under "More warning signs"."""
    url = node_url(stage_id)
    text, targets = " ".join(words(build.html(url)).split()), article_links(build, url)
    for flag_id, (label, title, action) in red_flags(kb, pathway_id).items():
        flag = kb.nodes[flag_id]
        assert isinstance(flag, Indicator)
        if flag.urgency.value not in ("emergency", "urgent"):
            continue
        assert node_url(flag_id) in targets, (stage_id, flag_id)
        in_box = re.search(rf"{label}: ((?:(?!Emergency:|Urgent:).){{0,300}}?){re.escape(title)}", text)
        listed = re.search(rf"{label}\s*:\s*{re.escape(title)}\s*\.\s*{re.escape(' '.join(action.split()))}", text)
        assert listed or (in_box and " ".join(action.split()) in in_box.group(1)), (stage_id, flag_id)


def assert_each_red_flag_page_says_how_urgent_and_what_to_do(build: Build, kb: KnowledgeBase, pathway_id: str) -> None:
    for flag_id, (label, _, action) in red_flags(kb, pathway_id).items():
        text = words(build.html(node_url(flag_id)))
        assert label in text and " ".join(action.split()) in " ".join(text.split()), flag_id


def assert_shared_pages_are_reached_from_every_pathway(build: Build, kb: KnowledgeBase) -> None:
    """A shared node several pathways offer: each stage that offers it links to its one page, which names each of
    those pathways."""
    for node_id, stages in shared_offered(kb).items():
        for stage_id in stages:
            assert node_url(node_id) in article_links(build, node_url(stage_id)), (stage_id, node_id)
        text = words(build.html(node_url(node_id)))
        for pathway_id in {kb.scope(s) for s in stages}:
            assert pathway_id and pathway_of(kb, pathway_id).title in text, (node_id, pathway_id)


def prev_next_rows(build: Build, url: str) -> dict[str, tuple[str | None, str | None]]:
    """A page's previous/next rows: the URL of the pathway a row is for ('' for the one unlabelled row) ->
    (previous URL, next URL)."""
    rows: list[list[str | None]] = []
    labelled = False
    for el in elements(article(build.html(url))):
        if el.tag == "nav" and "cp-prevnext" in el.classes:
            rows.append(["", None, None])
        elif "cp-prevnext-pathway" in el.classes:
            labelled = True
        elif el.tag == "a" and rows and labelled:
            rows[-1][0], labelled = resolve_href(url, el.attrs["href"]), False
        elif el.tag == "a" and rows and el.classes & {"cp-prev", "cp-next"}:
            rows[-1][1 if "cp-prev" in el.classes else 2] = resolve_href(url, el.attrs["href"])
    return {str(r[0]): (r[1], r[2]) for r in rows}


def prev_next(build: Build, url: str, pathway_id: str) -> tuple[str | None, str | None]:
    rows = prev_next_rows(build, url)
    return rows.get(node_url(pathway_id)) or rows.get("") or (None, None)


def assert_previous_and_next_follow_the_yaml(build: Build, kb: KnowledgeBase, pathway_id: str) -> None:
    """Next leads from the pathway's page through its steps in the YAML's order; from each step, its options
    follow one another, each option's previous the page before it, and the last leads to the next step. Every
    option a step lists is on that chain (or on an earlier step's, which offered it first)."""
    stages = pathway_of(kb, pathway_id).stages
    pages = [pathway_id, *stages]
    for i, page in enumerate(pages):
        prev, nxt = prev_next(build, node_url(page), pathway_id)
        assert prev == (node_url(pages[i - 1]) if i > 0 else None), (page, prev)
        assert nxt == (node_url(pages[i + 1]) if i + 1 < len(pages) else None), (page, nxt)
    on_chains: set[str] = set()
    stage_urls = {node_url(s): s for s in stages}
    for i, stage_id in enumerate(stages):
        first = [n for n in kb.nodes if n not in stages and prev_next(build, node_url(n), pathway_id)[0] == node_url(stage_id)]
        assert len(first) <= 1, (stage_id, first)
        here, chain = (first[0] if first else None), []
        while here is not None:
            assert here not in chain, (stage_id, chain)
            chain.append(here)
            prev, nxt = prev_next(build, node_url(here), pathway_id)
            assert prev == node_url(chain[-2] if len(chain) > 1 else stage_id), (here, prev)
            if nxt is None or nxt in stage_urls:
                assert nxt == (node_url(stages[i + 1]) if i + 1 < len(stages) else None), (here, nxt)
                break
            here = nxt.strip("/")
        on_chains |= set(chain)
        stage = kb.nodes[stage_id]
        assert isinstance(stage, Stage)
        assert set(stage.options) <= on_chains, (stage_id, set(stage.options) - on_chains)


def assert_no_page_shows_another_pathways_own_nodes(build: Build, kb: KnowledgeBase, pathway_id: str) -> None:
    """The pathway's page, overview and steps link to no other pathway's own node and show none of its red flags."""
    shared = own_nodes(kb, "shared")
    theirs = {n for p in kb.pathways if p.id != pathway_id for n in own_nodes(kb, p.id)} - shared
    their_flags = [n.title for n in (kb.nodes[i] for i in theirs) if isinstance(n, Indicator)]
    ours = {n.title for n in (kb.nodes[i] for i in own_nodes(kb, pathway_id) | shared)}
    for url in [node_url(pathway_id), f"{pathway_id}/overview/", *(node_url(s) for s in pathway_of(kb, pathway_id).stages)]:
        leaked = {t for t in article_links(build, url) if t.removesuffix("/") in theirs}
        assert leaked == set(), url
        text = words(build.html(url))
        assert [t for t in their_flags if t in text and t not in ours] == [], url


def assert_the_pathway_json_holds_only_its_own_and_shared_nodes(build: Build, kb: KnowledgeBase, pathway_id: str) -> None:
    data = json.loads((build.site / pathway_id / "pathway.json").read_text(encoding="utf-8"))
    assert data["pathway"] == pathway_id
    ids = {n["id"] for n in data["nodes"]}
    own, shared = own_nodes(kb, pathway_id), own_nodes(kb, "shared")
    assert own <= ids, own - ids
    assert ids - own <= shared, ids - own - shared
    assert set(shared_offered(kb)) & {o for s in pathway_of(kb, pathway_id).stages for o in kb.nodes[s].options} <= ids  # type: ignore[union-attr]


def assert_every_property(build: Build, kb: KnowledgeBase) -> None:
    """Every property above, for every pathway of the site."""
    for pathway in kb.pathways:
        assert_the_pathway_is_well_formed(kb, pathway.id)
        assert_every_page_has_its_title(build, kb, pathway.id)
        assert_the_home_lists_its_steps_in_order(build, kb, pathway.id)
        for stage_id in pathway.stages:
            assert_every_emergency_and_urgent_sign_is_on_the_step(build, kb, pathway.id, stage_id)
        assert_each_red_flag_page_says_how_urgent_and_what_to_do(build, kb, pathway.id)
        assert_previous_and_next_follow_the_yaml(build, kb, pathway.id)
        assert_no_page_shows_another_pathways_own_nodes(build, kb, pathway.id)
        assert_the_pathway_json_holds_only_its_own_and_shared_nodes(build, kb, pathway.id)
    assert_shared_pages_are_reached_from_every_pathway(build, kb)
