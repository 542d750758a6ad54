"""What each node page carries besides its body: JSON-LD and search data in its front matter, and the print
handout (the page's address and QR code, publisher, version, date). Pure: no MkDocs, no I/O."""

from __future__ import annotations

from typing import Any

from carepath import urls as links
from carepath.model.graph import KnowledgeBase
from carepath.publish.jsonld import page_jsonld
from carepath.publish.qr import qr_svg
from carepath.publish.search import node_search
from carepath.render.pages import Renderer, RenderOptions
from carepath.words import Words
from carepath.words import words as catalogue


def page_extras(renderer: Renderer, node_id: str, src_uri: str) -> dict[str, Any]:
    """Front matter (`jsonld`, search `tags` and boost) and the print-only handout block: the page's address
    and QR code, its publisher, version and date. The warning signs print with the page itself, at its top
    (the "Get help now" box), so the handout block does not repeat them; nor does it repeat the owner that the
    footer of a page of a pathway with an `owner:` names, so only the other pages print the site's publisher.

    No `<link rel="alternate">` to `pathway.json`: Material fetches a `sitemap.xml` beside every
    alternate link (for language versions), which 404s. The code index links the data files instead.
    """
    kb, options = renderer.kb, renderer.options
    url = options.urls.canonical_url(options.site_url, src_uri)
    front_matter: dict[str, Any] = {"jsonld": page_jsonld(kb, node_id, url)}
    front_matter.update(node_search(kb, node_id, renderer.words))
    owned = kb.owner_of(kb.scope(node_id)) is not None
    handout = (
        renderer.env.get_template("_handout.md.j2")
        .render(
            url=url or "",
            qr=(options.qr or qr_svg)(*qr_job(url, renderer.words)) if url else "",
            publisher="" if owned else options.publisher or "",
            version=options.content_version or "",
            date=options.today.isoformat(),
        )
        .strip("\n")
    )
    return {"front_matter": front_matter, "handout": handout}


def qr_job(url: str, words: Words) -> tuple[str, str]:
    """What a handout's QR code is made from: `(text, accessible label)`."""
    return url, words.get("handout.qr_label", url=url)


def qr_jobs(kb: KnowledgeBase, options: RenderOptions) -> list[tuple[str, str]]:
    """The QR codes the handouts of `kb` will ask for, so they can be made ahead, side by side."""
    addresses = (options.urls.canonical_url(options.site_url, links.node_uri(n)) for n in sorted(kb.nodes))
    return [qr_job(url, catalogue(options.language)) for url in addresses if url]
