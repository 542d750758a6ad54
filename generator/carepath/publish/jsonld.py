"""schema.org JSON-LD for a node page: a `MedicalWebPage` about the node, with its codes and review.

Only what the data says: no review date or reviewer unless the node has them, no `url` without a
canonical address. The caller serializes it; the theme escapes it for `<script>`.
"""

from __future__ import annotations

from typing import Any

from carepath.model.graph import CODE_SYSTEMS, KnowledgeBase, Node, Owner
from carepath.validate.ownership import contact_kind


def about_type(kb: KnowledgeBase, node: Node) -> str:
    """The schema.org type of what a node's page is about: its kind's (`kinds.py`), or its vocabulary type's."""
    typed = kb.treatment_kind(node.id)
    if typed:
        return typed.schema_org
    kind = kb.kind_of(node.id)
    assert kind.schema_org is not None  # the table of kinds gives one to every kind without a vocabulary type
    return kind.schema_org


def page_jsonld(kb: KnowledgeBase, node_id: str, canonical_url: str | None) -> dict[str, Any]:
    """The JSON-LD object for one node page."""
    node = kb.nodes[node_id]
    about: dict[str, Any] = {"@type": about_type(kb, node), "name": node.title}
    if node.codes:
        about["code"] = [
            {
                "@type": "MedicalCode",
                "codeValue": c.code,
                "codingSystem": CODE_SYSTEMS[c.system],
                **({"name": c.display} if c.display else {}),
            }
            for c in node.codes
        ]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": node.title,
        "description": node.summary,
    }
    if canonical_url:
        data["url"] = canonical_url
    data["about"] = about
    data["medicalAudience"] = {"@type": "MedicalAudience", "audienceType": "Patient"}
    review = node.review
    if review.last_reviewed:
        data["lastReviewed"] = review.last_reviewed.isoformat()
    if review.status == "reviewed" and review.reviewer:
        data["reviewedBy"] = {"@type": "Person", "name": review.reviewer}
    owner = kb.owner_of(kb.scope(node_id))
    if owner is not None:
        data["publisher"] = publisher_jsonld(owner)
    return data


CONTACT_PROPERTIES = {"email": "email", "https": "url", "phone": "telephone"}
"""A contact's kind (`ownership.contact_kind`) -> the schema.org property of an Organization that holds it."""


def publisher_jsonld(owner: Owner) -> dict[str, Any]:
    """The `publisher` of a page of a pathway with an `owner:`. (The site's `publisher` option is left out: it may
    be `site_author`, a person or an organisation, and schema.org needs to know which.)"""
    data: dict[str, Any] = {"@type": "Organization", "name": owner.publisher}
    kind = contact_kind(owner.contact) if owner.contact else None
    if owner.contact and kind:
        data[CONTACT_PROPERTIES[kind]] = owner.contact
    return data
