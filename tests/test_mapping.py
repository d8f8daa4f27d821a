"""map_site: the URLs a crawl would consider, ranked, with their purposes, after fetching
only the start page, robots.txt and the sitemaps."""

from __future__ import annotations

import asyncio

import pytest

from sitelore.crawl.means import CrawlMeans
from sitelore.mapping import map_site
from sitelore.models import ExtractRequest
from tests.sitekit import ACME_HOME, ACME_PAGES, OPTIONS, page_paths, serve_acme
from tests.webserver import StaticResolver, WebServer


def mapped(resolver: StaticResolver, request: ExtractRequest, limit: int = 100) -> dict[str, str]:
    site = asyncio.run(map_site(request, limit=limit, means=CrawlMeans(OPTIONS, resolver)))
    assert site.to_dict()["count"] == len(site.pages) == len(site.urls)
    return {"/" + page.url.split("/", 3)[3]: page.purpose for page in site.pages}


def test_the_map_ranks_the_sites_pages_after_fetching_one(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve_acme(web)
    pages = mapped(resolver, ExtractRequest(ACME_HOME))
    assert next(iter(pages)) == "/"
    assert set(pages) <= ACME_PAGES
    assert {"/pricing/", "/features/", "/faq/"} <= set(pages)
    assert pages["/pricing/"] == "pricing"
    order = list(pages)
    assert order.index("/pricing/") < order.index("/blog/2021/03/winter-scheduling-tips/")
    assert page_paths(web, "acme.test") == ["/"]  # no page but the start page was fetched


@pytest.mark.parametrize(
    ("include", "exclude", "limit", "expected"),
    [
        ((), ("/blog/**",), 100, lambda paths: not any(p.startswith("/blog/") for p in paths)),
        (("/pricing*", "/faq"), (), 100, lambda paths: set(paths) == {"/", "/pricing/", "/faq/"}),
        ((), (), 3, lambda paths: len(paths) == 3),
    ],
    ids=["exclude", "include", "limit"],
)
def test_patterns_and_the_limit_bound_the_map(
    web: WebServer,
    resolver: StaticResolver,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    limit: int,
    expected: object,
) -> None:
    serve_acme(web)
    request = ExtractRequest(ACME_HOME, include_patterns=include, exclude_patterns=exclude)
    paths = list(mapped(resolver, request, limit))
    assert callable(expected) and expected(paths), paths
