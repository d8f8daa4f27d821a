"""The HTTP page source: the page's HTML as the server sends it."""

from __future__ import annotations

from sitelore.crawl.fetcher import FetchedPage, Fetcher
from sitelore.crawl.sources import Allow


class HttpPageSource:
    """Pages fetched by ``fetcher`` (its limits, retries and network guard)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.warnings: tuple[str, ...] = ()

    async def page(self, url: str, *, allow: Allow) -> FetchedPage:
        return await self.fetcher.fetch_page(url, allow=allow)
