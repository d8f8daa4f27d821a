"""CrawlMeans: what a crawl runs with, in one value for the tasks that crawl.

A site map, a page scrape and a classification each run one short crawl with the same means
as an extraction: the crawl's options, the resolver and the network guard (``policy``), the
page work (where pages are parsed) and the renderer (the browser, when one is set up). The
worker builds one from its settings; tests build one with a test resolver.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.crawler import Crawler
from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.pagework import InlinePageWork, PageWork
from sitelore.crawl.sources import PageRenderer
from sitelore.crawl.sources.http import HttpPageSource
from sitelore.crawl.sources.rendering import RenderingPageSource
from sitelore.crawl.transport import Resolver
from sitelore.models import CrawlOptions, ExtractRequest


@dataclass(frozen=True)
class CrawlMeans:
    options: CrawlOptions = field(default_factory=CrawlOptions)
    resolver: Resolver | None = None
    # None connects anywhere: the callers that take URLs from others pass their guard.
    policy: NetworkPolicy | None = None
    work: PageWork = field(default_factory=InlinePageWork)
    renderer: PageRenderer | None = None

    @contextlib.asynccontextmanager
    async def crawler(self, request: ExtractRequest) -> AsyncIterator[Crawler]:
        """A crawler of ``request`` over a fetcher of its own, closed after."""
        async with Fetcher(self.options, resolver=self.resolver, policy=self.policy) as fetcher:
            pages = HttpPageSource(fetcher)
            source = RenderingPageSource(pages, self.renderer, request.render, self.work)
            yield Crawler(request, self.options, fetcher, work=self.work, source=source)
