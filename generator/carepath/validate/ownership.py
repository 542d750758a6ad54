"""What a pathway's `owner:` may say: plain text, and a contact a reader can use (an email address, an https://
address or a phone number). Pure: returns problems at the file and line of each value, never reads files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from carepath.load import Entry
from carepath.model.graph import KnowledgeBase, Owner, Pathway
from carepath.problems import Problem, quote

EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
HTTPS = re.compile(r"^https://[^\s<>\"'`\\]+\.[^\s<>\"'`\\]+$")
PHONE = re.compile(r"^\+?\(?[0-9][0-9 ().-]*[0-9]$")
"""Digits, spaces, dots, hyphens and brackets, maybe a leading `+`: '+44 20 7946 0000', '(555) 010-0199'."""
PHONE_DIGITS = (5, 15)
"""A phone number has 5 (a short service number) to 15 digits (the international maximum, E.164)."""

MARKUP = re.compile(r"[<>]")


def contact_kind(contact: str) -> str | None:
    """'email', 'https' or 'phone' for a contact readers can use; None for anything else."""
    if EMAIL.match(contact):
        return "email"
    if HTTPS.match(contact):
        return "https"
    digits = sum(c.isdigit() for c in contact)
    if PHONE.match(contact) and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return "phone"
    return None


def contact_href(contact: str) -> str:
    """Where a contact links: `mailto:`, the address itself, or `tel:` with its digits (and a leading `+`).
    Brackets are percent-encoded, the same address to a browser, so the href fits in a Markdown link."""
    kind = contact_kind(contact)
    if kind == "email":
        href = f"mailto:{contact}"
    elif kind == "phone":
        href = "tel:" + ("+" if contact.startswith("+") else "") + "".join(c for c in contact if c.isdigit())
    else:
        href = contact
    return href.replace("(", "%28").replace(")", "%29")


def check_owners(kb: KnowledgeBase, entry_of: Mapping[str, Entry]) -> list[Problem]:
    """Each pathway's `owner`: no HTML in its text, and a contact that is an email address, an https:// address
    or a phone number."""
    problems = []
    for pathway in kb.pathways:
        if pathway.owner is not None:
            problems += _owner_problems(pathway, pathway.owner, entry_of[pathway.id])
    return problems


def _owner_problems(pathway: Pathway, owner: Owner, entry: Entry) -> list[Problem]:
    problems = []
    who = f"pathway '{pathway.id}'"
    for name in ("publisher", "contact", "reviewer"):
        text = getattr(owner, name)
        markup = MARKUP.search(text) if text else None
        if markup:
            problems.append(
                Problem(entry.locate("owner", name), f"{who}: 'owner.{name}' holds {quote(markup.group())}; write plain text, with no HTML")
            )
    if owner.contact and not MARKUP.search(owner.contact) and contact_kind(owner.contact) is None:
        problems.append(
            Problem(
                entry.locate("owner", "contact"),
                f"{who}: 'owner.contact' is {quote(owner.contact)}; write an email address (team@example.org), "
                "an https:// address or a phone number (+1 555 010 0199)",
            )
        )
    return problems
