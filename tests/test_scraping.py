"""scrape_page: one page as Markdown with its title, description and links."""

from __future__ import annotations

import asyncio

import pytest

from sitelore.crawl.means import CrawlMeans
from sitelore.errors import ExtractionFailed
from sitelore.models import ExtractRequest
from sitelore.scraping import scrape_page
from tests.sitekit import OPTIONS, page_paths, serve_acme
from tests.webserver import StaticResolver, WebServer


def test_one_page_as_markdown(web: WebServer, resolver: StaticResolver) -> None:
    serve_acme(web)
    request = ExtractRequest("http://acme.test/pricing/")
    page = asyncio.run(scrape_page(request, CrawlMeans(OPTIONS, resolver)))
    assert page.url == "http://acme.test/pricing/"
    assert page.title
    assert page.markdown.count("\n\n") >= 2
    assert "\n# " in page.markdown and "\n### " in page.markdown  # headings as Markdown
    assert "http://acme.test/features/" in page.links
    assert len(page.links) == len(set(page.links))
    assert set(page.to_dict()) == {"url", "markdown", "title", "description", "links"}
    assert page_paths(web, "acme.test") == ["/pricing/"]  # one page, no crawl


def test_a_page_that_cannot_be_fetched_says_why(web: WebServer, resolver: StaticResolver) -> None:
    serve_acme(web)
    with pytest.raises(ExtractionFailed, match="404"):
        page = ExtractRequest("http://acme.test/nope/")
        asyncio.run(scrape_page(page, CrawlMeans(OPTIONS, resolver)))
