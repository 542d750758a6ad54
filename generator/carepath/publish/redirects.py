"""A redirect page at each former id's URL (`aliases:`), sending the reader to the node's page by relative URL.
Pure: bytes out, no I/O. (An alias on a URL the site itself uses is an error in validation.)"""

from __future__ import annotations

import html

from carepath import urls as links
from carepath.model.graph import KnowledgeBase
from carepath.words import Words
from carepath.words import words as catalogue

REDIRECT_PAGE = """\
<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<title>{moved}</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="{href}">
<meta http-equiv="refresh" content="0; url={href}">
</head>
<body>
<p>{moved_to}</p>
</body>
</html>
"""


def redirect_pages(kb: KnowledgeBase, urls: links.Urls = links.DIRECTORY_URLS, words: Words | None = None) -> dict[str, bytes]:
    """A static page at each alias's URL sending the reader to the node's page, by relative URL."""
    words = words or catalogue()
    out: dict[str, bytes] = {}
    for node_id in sorted(kb.nodes):
        node = kb.nodes[node_id]
        for alias in node.aliases:
            href = urls.url_link(links.node_uri(alias), links.node_uri(node_id))
            title, href = html.escape(node.title), html.escape(href, quote=True)
            page = REDIRECT_PAGE.format(
                language=words.language,
                moved=words.get("redirect.title", title=title),
                moved_to=words.get("redirect.body", link=f'<a href="{href}">{title}</a>'),
                href=href,
            )
            out[urls.redirect_uri(alias)] = page.encode("utf-8")
    return out
