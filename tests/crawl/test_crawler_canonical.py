"""Canonical links are hints, not orders, and no fetched URL is lost without a word (issue 11).

A CMS that points every page's ``<link rel=canonical>`` at the home page must not collapse
the site into one page: pages are merged only when their text is the same. Every URL that
is fetched but not kept (a duplicate, a redirect onto a page we have, an empty page, a bare
meta refresh, not HTML) is reported as ``skipped`` with its reason; fetches stay within
twice the page budget.

The fixture site is invented: Harbour Kayaks, a kayak rental on ``acme.test``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from sitelore.core.request import validate_request
from sitelore.crawl.crawler import Crawler, CrawlOutcome
from sitelore.crawl.fetcher import Fetcher
from sitelore.errors import ExtractionFailed
from sitelore.models import CrawlOptions, Event, ExtractRequest, PageScraped, Progress
from tests.sitekit import (
    ACME,
    ACME_HOME,
    OPTIONS,
    extract,
    page_html,
    page_paths,
    prose,
    route_site,
)
from tests.webserver import Response, StaticResolver, WebServer, redirect

TOPICS = {
    "/services/": "Guided tours of the harbour",
    "/pricing/": "Kayak rental prices",
    "/about/": "Our boathouse and crew",
    "/contact/": "Finding the dock",
    "/blog/": "Paddling notes",
}


def canonical(path: str) -> str:
    return f'<link rel="canonical" href="http://acme.test{path}">'


def url(path: str) -> str:
    return f"http://acme.test{path}"


def crawl(
    resolver: StaticResolver, request: ExtractRequest, options: CrawlOptions = OPTIONS
) -> tuple[CrawlOutcome, list[Event]]:
    """The real crawler over the real fetcher: its outcome and its events."""
    events: list[Event] = []

    async def go() -> CrawlOutcome:
        async with Fetcher(options, resolver=resolver) as fetcher:
            crawler = Crawler(validate_request(request), options, fetcher, events.append)
            return await crawler.run()

    return asyncio.run(go()), events


def by_status(events: list[Event], status: str) -> dict[str, str | None]:
    """URL → error of the ``page_scraped`` events with ``status``."""
    scraped = [event for event in events if isinstance(event, PageScraped)]
    return {event.url: event.error for event in scraped if event.status == status}


# --- canonical links --------------------------------------------------------------------------


def test_pages_whose_canonical_is_the_home_page_are_all_extracted(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = page_html("Home", prose("Harbour Kayaks"), list(TOPICS), head=canonical("/"))
    pages = {path: page_html(t, prose(t), head=canonical("/")) for path, t in TOPICS.items()}
    route_site(web, ACME, {"/": home, **pages})
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=10))
    assert set(by_status(run.events, "done")) == {ACME_HOME} | {url(p) for p in TOPICS}
    assert {event.status for event in run.scraped} == {"done"}
    assert run.result.pages_scraped == 1 + len(TOPICS)
    assert sorted(page_paths(web)) == sorted(["/", *TOPICS])  # each page fetched once


def test_a_page_named_as_canonical_is_still_fetched_when_linked(
    web: WebServer, resolver: StaticResolver
) -> None:
    # One page at a time, /pricing/ before /blog/ (it ranks higher): its canonical naming
    # /blog/ must not keep /blog/, a page with words of its own, from being fetched.
    home = page_html("Home", prose("Harbour Kayaks"), ["/pricing/", "/blog/"])
    pages = {
        "/": home,
        "/pricing/": page_html("Prices", prose("Kayak rental prices"), head=canonical("/blog/")),
        "/blog/": page_html("Blog", prose("Paddling notes")),
    }
    route_site(web, ACME, pages)
    one_by_one = replace(OPTIONS, concurrency=1)
    outcome, events = crawl(resolver, ExtractRequest(ACME_HOME, max_pages=10), one_by_one)
    assert page_paths(web) == ["/", "/pricing/", "/blog/"]
    assert {page.document.url for page in outcome.pages} == {url(p) for p in pages}
    assert by_status(events, "skipped") == {}


def test_a_true_duplicate_is_skipped_with_its_reason(
    web: WebServer, resolver: StaticResolver
) -> None:
    prices = prose("Kayak rental prices") + "<p>A single kayak is $25 for two hours.</p>"
    pages = {
        # The copy is linked from the home page only; /about/ only from /pricing/, so it
        # comes after the copy: the copy must not have used up a page of the budget.
        "/": page_html("Home", prose("Harbour Kayaks"), ["/pricing/", "/p/1047/"]),
        "/pricing/": page_html("Prices", prices, ["/about/"], head=canonical("/")),
        "/p/1047/": page_html("Prices", prices, ["/about/"], head=canonical("/pricing/")),
        "/about/": page_html("About", prose("Our boathouse and crew")),
    }
    route_site(web, ACME, pages)
    outcome, events = crawl(resolver, ExtractRequest(ACME_HOME, max_pages=3))
    reason = f"same content as {url('/pricing/')} (canonical {url('/pricing/')})"
    assert by_status(events, "skipped") == {url("/p/1047/"): reason}
    assert outcome.skipped == [(url("/p/1047/"), reason)]
    assert outcome.failures == []
    assert [page.document.url for page in outcome.pages] == [
        ACME_HOME,
        url("/pricing/"),
        url("/about/"),
    ]


def test_a_redirect_onto_a_page_already_scraped_is_skipped(
    web: WebServer, resolver: StaticResolver
) -> None:
    pages: dict[str, str | Response] = {
        "/": page_html("Home", prose("Harbour Kayaks"), ["/pricing/", "/go/rates"]),
        "/pricing/": page_html("Prices", prose("Kayak rental prices")),
        "/go/rates": redirect("/pricing/"),
    }
    route_site(web, ACME, pages)
    outcome, events = crawl(resolver, ExtractRequest(ACME_HOME, max_pages=10))
    reason = f"redirects to a page already scraped: {url('/pricing/')}"
    assert by_status(events, "skipped") == {url("/go/rates"): reason}
    assert outcome.skipped == [(url("/go/rates"), reason)]
    assert [page.document.url for page in outcome.pages] == [ACME_HOME, url("/pricing/")]


# --- pages with nothing to extract ------------------------------------------------------------


def test_empty_refresh_only_and_non_html_pages_are_skipped_and_errors_still_fail(
    web: WebServer, resolver: StaticResolver
) -> None:
    links = ["/brochure", "/coming-soon/", "/moved/", "/missing/", "/about/"]
    bare_refresh = '<html><head><meta http-equiv="refresh" content="0; url=/about/"></head></html>'
    pages: dict[str, str | Response] = {
        "/": page_html("Home", prose("Harbour Kayaks"), links),
        "/brochure": Response(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7"),
        "/coming-soon/": "<html><head><title>Soon</title></head><body></body></html>",
        "/moved/": bare_refresh,
        "/about/": page_html("About", prose("Our boathouse and crew")),
    }
    route_site(web, ACME, pages)  # /missing/ falls through to the site's 404
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=10))
    assert by_status(run.events, "skipped") == {
        url("/brochure"): f"Not an HTML page (application/pdf): {url('/brochure')}",
        url("/coming-soon/"): f"No text content at {url('/coming-soon/')}",
        url("/moved/"): f"only a meta refresh to {url('/about/')}",
    }
    assert run.failed() == {url("/missing/"): f"HTTP 404 for {url('/missing/')}"}
    assert set(by_status(run.events, "done")) == {ACME_HOME, url("/about/")}
    assert run.result.pages_scraped == 2
    assert web.count("/about/") == 1


def test_skipped_pages_take_no_slot_and_are_not_counted_as_scraped(
    web: WebServer, resolver: StaticResolver
) -> None:
    copies = [f"/copy-{i}/" for i in range(3)]
    same = page_html("Prices", prose("Kayak rental prices"), head=canonical("/"))
    pages = {"/": page_html("Home", prose("Harbour Kayaks"), copies), **dict.fromkeys(copies, same)}
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=10))
    assert len(by_status(run.events, "skipped")) == 2
    kept = 0
    for position, event in enumerate(run.events):
        if isinstance(event, PageScraped):
            kept += event.status == "done"
            assert 0 <= event.index < event.total <= 10, event
            assert event.index == (kept - 1 if event.status == "done" else kept), event
            after = run.events[position + 1]
            assert isinstance(after, Progress) and after.pages_scraped == kept
    assert kept == run.result.pages_scraped == 2


# --- the bound on fetches ---------------------------------------------------------------------


def test_duplicates_are_replaced_within_twice_max_pages_fetches(
    web: WebServer, resolver: StaticResolver
) -> None:
    copies = [f"/copy-{i}/" for i in range(20)]
    same = page_html("Prices", prose("Kayak rental prices"), head=canonical("/"))
    pages = {"/": page_html("Home", prose("Harbour Kayaks"), copies), **dict.fromkeys(copies, same)}
    route_site(web, ACME, pages)
    outcome, events = crawl(resolver, ExtractRequest(ACME_HOME, max_pages=3))
    fetched = page_paths(web)
    assert len(fetched) <= 6, fetched  # 2 × maxPages, the start page included
    assert len(outcome.pages) == 2  # the home page and one copy: the rest are the same
    kept = {page.document.url for page in outcome.pages}
    assert {u for u, _ in outcome.skipped} == {url(path) for path in fetched} - kept
    assert set(by_status(events, "skipped")) == {u for u, _ in outcome.skipped}


@pytest.mark.parametrize("start_works", [True, False], ids=["start-page", "start-fails"])
def test_a_one_page_crawl_makes_at_most_two_fetches(
    web: WebServer, resolver: StaticResolver, start_works: bool
) -> None:
    broken = [f"/broken-{i}/" for i in range(10)]
    entries = "".join(f"<url><loc>{url(path)}</loc></url>" for path in broken)
    sitemap = f'<?xml version="1.0"?><urlset>{entries}</urlset>'.encode()
    home = page_html("Home", prose("Harbour Kayaks"), broken)
    pages: dict[str, str | Response] = {
        "/": home if start_works else Response(500, {"Content-Type": "text/html"}, b"down"),
        "/sitemap.xml": Response(200, {"Content-Type": "application/xml"}, sitemap),
    }
    route_site(web, ACME, pages)  # every /broken-N/ is a 404
    request = ExtractRequest(ACME_HOME, max_pages=1)
    if start_works:
        assert extract(resolver, request).result.pages_scraped == 1
        assert page_paths(web) == ["/"]
    else:
        with pytest.raises(ExtractionFailed, match="HTTP 500"):
            extract(resolver, request)
        assert len(page_paths(web)) == 2, page_paths(web)  # the start page counts
