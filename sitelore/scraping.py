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
from sitelore.core.request import validate_request
from sitelore.crawl.means import CrawlMeans
from sitelore.models import ExtractRequest


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
    means: CrawlMeans | None = None,
) -> ScrapedPage:
    """The page ``request.url`` (its other fields but ``render`` are ignored). Raises what
    :func:`~sitelore.pipeline.extract_site` raises when the page cannot be read."""
    page = replace(request, max_pages=1, single_page=True, urls=None, explain=False)
    means = means or CrawlMeans()
    page = validate_request(page, 1, means.policy)
    async with means.crawler(page) as crawler:
        outcome = await crawler.run()
    return scraped(outcome.pages[0].document)
