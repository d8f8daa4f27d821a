"""classify_site: a business classified from its site's key pages, without a full extraction.

It reads the home page (robots.txt and the sitemaps too, as a crawl's first step does), then
the best few pages that the crawl's planner takes for about pages (purpose ``about``, in the
site's language), and builds the business profile from those alone, as an extraction would
(:func:`~sitelore.crawl.pagework.PageWork.assemble`). The answer's mapping from the profile
and the pages is pure: :mod:`sitelore.core.classification`. The hosted anchor's
``POST /v1/classify`` answers its fields; ``url``, ``domain``, ``logo`` and ``pages`` are
ours.
"""

from __future__ import annotations

from dataclasses import replace

from sitelore.core.assemble import CrawledPage
from sitelore.core.classification import Classification, classify
from sitelore.core.frontier import Frontier
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import validate_request
from sitelore.core.urls import url_key
from sitelore.crawl.crawler import Crawler
from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.pagework import InlinePageWork, PageWork
from sitelore.crawl.sources import PageRenderer, PageSource
from sitelore.crawl.sources.http import HttpPageSource
from sitelore.crawl.sources.rendering import RenderingPageSource
from sitelore.crawl.transport import Resolver
from sitelore.errors import ExtractionFailed
from sitelore.models import CrawlOptions, ExtractRequest

KEY_PURPOSES = frozenset({"about"})  # the pages a business says who it is on
MAX_KEY_PAGES = 3  # besides the home page: four pages read at most


async def classify_site(
    request: ExtractRequest,
    *,
    options: CrawlOptions | None = None,
    resolver: Resolver | None = None,
    policy: NetworkPolicy | None = None,
    work: PageWork | None = None,
    renderer: PageRenderer | None = None,
) -> Classification:
    """The classification of the site of ``request.url`` (its other fields but ``render``
    are ignored). Raises what :func:`~sitelore.pipeline.extract_site` raises for a bad
    request or a home page that cannot be read; an about page that fails is left out."""
    start = replace(
        request,
        max_pages=1,
        single_page=False,
        urls=None,
        include_patterns=(),
        exclude_patterns=(),
        explain=False,
    )
    start = validate_request(start, 1, policy)
    options = options or CrawlOptions()
    work = work or InlinePageWork()
    async with Fetcher(options, resolver=resolver, policy=policy) as fetcher:
        source = RenderingPageSource(HttpPageSource(fetcher), renderer, start.render, work)
        crawler = Crawler(start, options, fetcher, work=work, source=source)
        outcome = await crawler.run()
        pages = list(outcome.pages)
        wanted = key_pages(crawler.frontier)
        if wanted:
            read = {url_key(page.document.url) for page in pages}
            more = await _read(start, wanted, crawler, source, options)
            # An about link that redirects home is the home page, read already.
            pages += [page for page in more if url_key(page.document.url) not in read]
    assembled = await work.assemble(pages)
    return classify(start.url, pages, assembled.business)


def key_pages(frontier: Frontier) -> tuple[str, ...]:
    """The URLs of the best about pages the home page and the sitemaps led to, in the
    crawl's order; none in another language than the home page's."""
    ranked = frontier.ranked(MAX_KEY_PAGES * 3, KEY_PURPOSES)
    same = [c.url for c in ranked if c.language in (None, frontier.language)]
    return tuple(same[:MAX_KEY_PAGES])


async def _read(
    start: ExtractRequest,
    urls: tuple[str, ...],
    first: Crawler,
    source: PageSource,
    options: CrawlOptions,
) -> list[CrawledPage]:
    """The pages of ``urls`` that can be read, as a crawl of listed pages reads them."""
    listed = replace(start, urls=urls, max_pages=len(urls))
    crawler = Crawler(listed, options, first.fetcher, work=first.work, source=source)
    crawler.robots.update(first.robots)  # read once, by the first crawl
    try:
        outcome = await crawler.run()
    except ExtractionFailed:  # not one of them: the home page speaks alone
        return []
    return list(outcome.pages)
