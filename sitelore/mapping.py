"""map_site: the URLs a crawl of a site would consider, ranked, without extracting them.

It fetches what the crawl fetches before its first plan (robots.txt, the sitemaps, the
start page and its links) and answers with the candidates in the order the crawl would
take them, each with its purpose (``pricing``, ``faq`` ... as in ``pages_planned``). The
hosted anchor's ``POST /v1/sitemap`` answers ``{url, urls, count}``; ``pages`` is ours.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sitelore.core.request import validate_request
from sitelore.crawl.means import CrawlMeans
from sitelore.models import ExtractRequest, PlannedPage

DEFAULT_LIMIT = 100
MAX_LIMIT = 5_000


@dataclass(frozen=True)
class SiteMap:
    url: str
    pages: tuple[PlannedPage, ...]  # the start page first, then the rest in rank order

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(page.url for page in self.pages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "urls": list(self.urls),
            "count": len(self.pages),
            "pages": [{"url": page.url, "purpose": page.purpose} for page in self.pages],
        }


async def map_site(
    request: ExtractRequest,
    *,
    limit: int = DEFAULT_LIMIT,
    means: CrawlMeans | None = None,
) -> SiteMap:
    """Up to ``limit`` URLs of the site of ``request.url`` that its include and exclude
    patterns admit. Raises what :func:`~sitelore.pipeline.extract_site` raises for a bad
    request or a start page that cannot be read."""
    limit = max(1, min(limit, MAX_LIMIT))
    start = replace(request, max_pages=1, single_page=False, urls=None, explain=False)
    means = means or CrawlMeans()
    start = validate_request(start, 1, means.policy)
    async with means.crawler(start) as crawler:
        outcome = await crawler.run()
    first = PlannedPage(outcome.pages[0].document.url, "home")
    ranked = crawler.frontier.ranked(limit - 1)
    return SiteMap(start.url, (first, *(PlannedPage(c.url, c.purpose) for c in ranked)))
