"""What the build says about `site_url`, which handouts and canonical links are made from: a note when it is
not set (a local build), a warning when it names an example host. Checks the setting only; makes no URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from carepath.model.graph import KnowledgeBase, Position
from carepath.problems import Problem
from carepath.render.pages import RenderOptions

NO_SITE_URL = "site_url is not set: handouts print without a QR code and pages without a canonical link"
PLACEHOLDER_HOSTS = ("example", "example.com", "example.net", "example.org")
"""Names reserved for examples (RFC 2606): a `site_url` under one of them is a placeholder, not an address."""


def is_placeholder(site_url: str) -> bool:
    """Whether `site_url` names an example host (`example.org`, `carepath.example.com`, `x.example`)."""
    host = (urlsplit(site_url).hostname or "").rstrip(".").lower()
    return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)


def placeholder_message(site_url: str) -> str:
    return (
        f"site_url '{site_url}' is a placeholder: handouts would print QR codes and addresses that lead nowhere; "
        "set site_url (or the SITE_URL environment variable) to the address the site is published at"
    )


def warnings(kb: KnowledgeBase, options: RenderOptions) -> list[Problem]:
    """No `site_url` is a note (a local build: no QR codes, no canonical links); a placeholder one is a warning.

    (An alias on a URL the site itself uses is an error in validation.)
    """
    if not options.site_url:
        return [Problem(Position("mkdocs.yml", 1, 1), NO_SITE_URL, "note")]
    if is_placeholder(options.site_url):
        return [Problem(Position("mkdocs.yml", 1, 1), placeholder_message(options.site_url), "warning")]
    return []
