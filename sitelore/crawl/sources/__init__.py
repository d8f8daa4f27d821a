"""Where the crawler's pages come from: one interface, :class:`PageSource`.

The crawler asks a source for "the document of this URL" and does not care how it was
made. :class:`~sitelore.crawl.sources.http.HttpPageSource` fetches the HTML over HTTP
(the default, and the only source today); a browser renderer for script-built pages is
the next one, behind the same interface and the same network guard. Robots.txt and
sitemaps are resources, not pages: they are always fetched over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sitelore.crawl.fetcher import FetchedPage

Allow = Callable[[str], bool]


class PageSource(Protocol):
    async def page(self, url: str, *, allow: Allow) -> FetchedPage:
        """The HTML of ``url`` as a browser would be given it (after redirects, each judged
        by ``allow``); raises a :class:`~sitelore.errors.FetchError` when there is none."""
        ...
