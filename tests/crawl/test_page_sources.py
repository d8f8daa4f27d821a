"""The crawler reads its pages from its page source (the seam a browser renderer plugs
into): here a source that stands for a renderer, serving the built page of a script shell,
while robots.txt and the sitemap still come over HTTP."""

from __future__ import annotations

import asyncio

from sitelore.crawl.fetcher import FetchedPage, Fetcher
from sitelore.crawl.sources import Allow
from sitelore.crawl.sources.http import HttpPageSource
from sitelore.models import ExtractRequest
from sitelore.pipeline import extract_site
from tests.sitekit import OPTIONS, page_html, prose
from tests.webserver import StaticResolver, WebServer, html

SHELL = '<html><body><div id="root"></div><script src="/app.js"></script></body></html>'
BUILT = page_html("Acme Rota", prose("Acme Rota plans the shifts of repair crews"))


class BuiltPages:
    """Over HTTP, then the page as its script would build it (as a renderer would)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.http = HttpPageSource(fetcher)
        self.asked: list[str] = []
        self.warnings: tuple[str, ...] = ()

    async def page(self, url: str, *, allow: Allow) -> FetchedPage:
        self.asked.append(url)
        fetched = await self.http.page(url, allow=allow)
        built = fetched.text.replace('<div id="root"></div>', BUILT)
        return FetchedPage(
            fetched.url, fetched.final_url, fetched.status, fetched.content_type, built,
            fetched.encoding, fetched.redirects,
        )  # fmt: skip


def test_the_crawl_takes_its_pages_from_its_source(
    web: WebServer, resolver: StaticResolver
) -> None:
    web.add_route("acme.test", "/", html(SHELL))
    sources: list[BuiltPages] = []

    def source(fetcher: Fetcher) -> BuiltPages:
        sources.append(BuiltPages(fetcher))
        return sources[0]

    request = ExtractRequest("http://acme.test/", max_pages=3)
    result = asyncio.run(extract_site(request, options=OPTIONS, resolver=resolver, source=source))
    assert sources[0].asked == ["http://acme.test/"]
    assert any("shifts of repair crews" in item.content for item in result.knowledge_items)
    assert "/robots.txt" in web.paths("acme.test")  # resources still over HTTP
