"""What each node page carries besides its body: JSON-LD and search data in its front matter, and the print
handout (the page's address and QR code, publisher, version, date; the running header and footer every printed
page carries; a box for the clinician's notes). Pure: no MkDocs, no I/O."""

from __future__ import annotations

import re
from typing import Any

from carepath import urls as links
from carepath.model.graph import KnowledgeBase
from carepath.publish.jsonld import page_jsonld
from carepath.publish.qr import qr_svg
from carepath.publish.search import node_search
from carepath.render.pages import Renderer, RenderOptions
from carepath.text.escape import css_string
from carepath.words import Words
from carepath.words import words as catalogue


def page_extras(renderer: Renderer, node_id: str, src_uri: str) -> dict[str, Any]:
    """Front matter (`jsonld`, search `tags` and boost) and the print-only handout: a block with the page's address
    and QR code, its publisher, version and date (print.css sets it at the top of page 1); the page's title, that
    source line and "Page n of m" for the margins of every printed page; a box for the clinician's notes. The
    warning signs print with the page itself, at its top (the "Get help now" box), so the handout does not repeat them.
    The publisher of a page of a pathway with an `owner:` is that owner, never the site's publisher: page 1 and
    every page's margin name who answers for the page (its footer names the owner again, with the contact).

    No `<link rel="alternate">` to `pathway.json`: Material fetches a `sitemap.xml` beside every
    alternate link (for language versions), which 404s. The code index links the data files instead.
    """
    kb, options = renderer.kb, renderer.options
    url = options.urls.canonical_url(options.site_url, src_uri)
    front_matter: dict[str, Any] = {"jsonld": page_jsonld(kb, node_id, url)}
    front_matter.update(node_search(kb, node_id, renderer.words))
    w = renderer.words
    owner = kb.owner_of(kb.scope(node_id))
    publisher = owner.publisher if owner is not None else options.publisher
    date = options.today.isoformat()
    version = options.content_version
    source = " ".join(
        ([w.get("handout.published_by", publisher=publisher)] if publisher else [])
        + [w.get("handout.version_dated", version=version, date=date) if version else w.get("handout.dated", date=date)]
    )
    handout = (
        renderer.env.get_template("_handout.md.j2")
        .render(
            url=url or "",
            qr=(options.qr or qr_svg)(*qr_job(url, w)) if url else "",
            source=source,
            running={"title": css_string(kb.nodes[node_id].title), "source": css_string(source), "page": page_counter(w)},
        )
        .strip("\n")
    )
    return {"front_matter": front_matter, "handout": handout}


_PAGE, _PAGES = "\x00", "\x01"


def page_counter(words: Words) -> str:
    """The printed page number in words ("Page 2 of 3") as CSS `content`: the catalogue's text around the
    page counters, which only the page's margin boxes can show."""
    counters = {_PAGE: "counter(page)", _PAGES: "counter(pages)"}
    text = words.get("handout.page_of", page=_PAGE, pages=_PAGES)
    return " ".join(counters.get(part) or css_string(part) for part in re.split(f"({_PAGE}|{_PAGES})", text) if part)


def qr_job(url: str, words: Words) -> tuple[str, str]:
    """What a handout's QR code is made from: `(text, accessible label)`."""
    return url, words.get("handout.qr_label", url=url)


def qr_jobs(kb: KnowledgeBase, options: RenderOptions) -> list[tuple[str, str]]:
    """The QR codes the handouts of `kb` will ask for, so they can be made ahead, side by side."""
    addresses = (options.urls.canonical_url(options.site_url, links.node_uri(n)) for n in sorted(kb.nodes))
    return [qr_job(url, catalogue(options.language)) for url in addresses if url]
