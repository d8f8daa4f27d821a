"""scrape_page: one page as Markdown, with its title, description and links; no crawl.

The page is fetched as the crawl fetches pages (the network guard, robots.txt, the bot
challenge refusal, a browser for a script shell as ``render`` says) and read by the same
parser; its Markdown is the page's main text (not the site's header, navigation, footer,
banners and dialogs). The hosted anchor's ``POST /v1/scrape`` answers
``{url, markdown, title, description, links}``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sitelore.core.assemble import CONTENT_ZONES
from sitelore.core.document import Document
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import validate_request
from sitelore.crawl.crawler import Crawler
from sitelore.crawl.fetcher import Fetcher
from sitelore.crawl.pagework import PageWork
from sitelore.crawl.sources import PageRenderer
from sitelore.crawl.sources.http import HttpPageSource
from sitelore.crawl.sources.rendering import RenderingPageSource
from sitelore.crawl.transport import Resolver
from sitelore.models import CrawlOptions, ExtractRequest


@dataclass(frozen=True)
class ScrapedPage:
    url: str
    markdown: str
    title: str
    description: str
    links: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "markdown": self.markdown,
            "title": self.title,
            "description": self.description,
            "links": list(self.links),
        }


def scraped(document: Document) -> ScrapedPage:
    """What a scrape answers about a parsed page (pure)."""
    # The main text; the asides (banners, dialogs, sidebars) only when there is none.
    content = [block.markdown for block in document.blocks if block.zone == "main"]
    if not content:
        content = [block.markdown for block in document.blocks if block.zone in CONTENT_ZONES]
    links = tuple(dict.fromkeys(link.url for link in document.links))
    return ScrapedPage(
        document.url,
        "\n\n".join(content),
        document.title,
        document.metadata.description,
        links,
    )


async def scrape_page(
    request: ExtractRequest,
    *,
    options: CrawlOptions | None = None,
    resolver: Resolver | None = None,
    policy: NetworkPolicy | None = None,
    work: PageWork | None = None,
    renderer: PageRenderer | None = None,
) -> ScrapedPage:
    """The page ``request.url`` (its other fields but ``render`` are ignored). Raises what
    :func:`~sitelore.pipeline.extract_site` raises when the page cannot be read."""
    page = replace(request, max_pages=1, single_page=True, urls=None, explain=False)
    page = validate_request(page, 1, policy)
    options = options or CrawlOptions()
    async with Fetcher(options, resolver=resolver, policy=policy) as fetcher:
        source = RenderingPageSource(HttpPageSource(fetcher), renderer, page.render, work)
        outcome = await Crawler(page, options, fetcher, work=work, source=source).run()
    return scraped(outcome.pages[0].document)
