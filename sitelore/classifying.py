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
from sitelore.core.request import validate_request
from sitelore.core.urls import url_key
from sitelore.crawl.crawler import Crawler
from sitelore.crawl.means import CrawlMeans
from sitelore.errors import ExtractionFailed
from sitelore.models import ExtractRequest

KEY_PURPOSES = frozenset({"about"})  # the pages a business says who it is on
MAX_KEY_PAGES = 3  # besides the home page: four pages read at most


async def classify_site(
    request: ExtractRequest,
    means: CrawlMeans | None = None,
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
    means = means or CrawlMeans()
    start = validate_request(start, 1, means.policy)
    async with means.crawler(start) as crawler:
        outcome = await crawler.run()
        pages = list(outcome.pages)
        wanted = key_pages(crawler.frontier)
        if wanted:
            read = {url_key(page.document.url) for page in pages}
            more = await _read(start, wanted, crawler)
            # An about link that redirects home is the home page, read already.
            pages += [page for page in more if url_key(page.document.url) not in read]
    assembled = await means.work.assemble(pages)
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
) -> list[CrawledPage]:
    """The pages of ``urls`` that can be read, as a crawl of listed pages reads them."""
    listed = replace(start, urls=urls, max_pages=len(urls))
    crawler = Crawler(listed, first.options, first.fetcher, work=first.work, source=first.source)
    crawler.robots.update(first.robots)  # read once, by the first crawl
    try:
        outcome = await crawler.run()
    except ExtractionFailed:  # not one of them: the home page speaks alone
        return []
    return list(outcome.pages)
