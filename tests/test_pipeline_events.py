"""The event stream's promises where pages fail: totals never go down, and no page event
names a page that no plan listed before it (a failed start page included)."""

from __future__ import annotations

import asyncio

import pytest

from sitelore.errors import ExtractionFailed
from sitelore.models import (
    Event,
    ExtractRequest,
    PageScraped,
    PagesPlanned,
    PlannedPage,
    Progress,
)
from sitelore.pipeline import extract_site
from tests.sitekit import (
    ACME,
    ACME_HOME,
    OPTIONS,
    extract,
    links_page,
    page_html,
    prose,
    route_site,
)
from tests.webserver import Response, StaticResolver, WebServer, html

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://acme.test/a/</loc></url><url><loc>http://acme.test/b/</loc></url>
</urlset>
"""


def _totals(events: list[Event]) -> list[int]:
    """Every page total the events report, in order (page events and progress alike)."""
    totals = []
    for event in events:
        if isinstance(event, PageScraped):
            totals.append(event.total)
        elif isinstance(event, Progress):
            totals.append(event.total_pages)
    return totals


def _check_plans_come_first(events: list[Event]) -> None:
    listed: set[str] = set()
    for event in events:
        if isinstance(event, PagesPlanned):
            listed.update(page.url for page in event.pages)
        elif isinstance(event, PageScraped):
            assert event.url in listed, f"{event.url} reported before any plan listed it"


def _mostly_broken_site(web: WebServer) -> None:
    """A home page and eight links of which only one works: the plan shrinks wave by wave."""
    links = [f"/page-{n}/" for n in range(8)]
    route_site(web, ACME, {"/": links_page(*links), "/page-0/": page_html("P", prose("Topic"))})
    for link in links[1:]:
        web.add_route(ACME, link, html(page_html("Error", "<h1>Error</h1>"), 500))


def test_totals_never_go_down_when_pages_fail(web: WebServer, resolver: StaticResolver) -> None:
    _mostly_broken_site(web)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=10))
    totals = _totals(run.events)
    assert totals == sorted(totals), totals
    assert totals[-1] == 9 <= 10  # every page planned, the broken ones too
    last = run.events[-1]
    assert isinstance(last, Progress)
    assert (last.pages_scraped, last.current_step) == (2, "Complete")
    _check_plans_come_first(run.events)


def _run_failing(resolver: StaticResolver, request: ExtractRequest) -> list[Event]:
    events: list[Event] = []
    with pytest.raises(ExtractionFailed):
        asyncio.run(extract_site(request, events.append, options=OPTIONS, resolver=resolver))
    return events


def test_a_start_page_that_fails_is_planned_before_it_is_reported(
    web: WebServer, resolver: StaticResolver
) -> None:
    route_site(web, ACME, {"/": html(page_html("Error", "<h1>Error</h1>"), 500)})
    events = _run_failing(resolver, ExtractRequest(ACME_HOME, max_pages=5))
    error = f"HTTP 500 for {ACME_HOME}"
    assert events == [
        PagesPlanned((PlannedPage(ACME_HOME, "home"),), 1),
        PageScraped(ACME_HOME, 0, 1, "failed", error),
        Progress(0, 1, f"Scraping {ACME_HOME}"),
    ]


def test_a_failed_start_page_is_planned_beside_the_sitemap_pages(
    web: WebServer, resolver: StaticResolver
) -> None:
    sitemap = Response(200, {"Content-Type": "application/xml"}, SITEMAP.encode())
    pages: dict[str, str | Response] = {
        "/": html(page_html("Error", "<h1>Error</h1>"), 500),
        "/sitemap.xml": sitemap,
        "/a/": page_html("A", prose("Topic A")),
        "/b/": page_html("B", prose("Topic B")),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=5))
    first = run.of(PagesPlanned)[0]
    assert [page.url for page in first.pages] == [ACME_HOME, ACME_HOME + "a/", ACME_HOME + "b/"]
    assert run.result.pages_scraped == 2
    _check_plans_come_first(run.events)
    totals = _totals(run.events)
    assert totals == sorted(totals) and totals[-1] == 3


def test_each_page_event_says_how_long_its_page_took(
    web: WebServer, resolver: StaticResolver
) -> None:
    slow = html(page_html("Slow", prose("A slow page")))
    pages: dict[str, str | Response] = {
        "/": links_page("/slow/", "/quick/"),
        "/slow/": Response(slow.status, slow.headers, slow.body, delay=0.3),
        "/quick/": page_html("Quick", prose("A quick page")),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=3))
    took = {event.url: event.duration_ms for event in run.of(PageScraped)}
    assert set(took) == {ACME_HOME, ACME_HOME + "slow/", ACME_HOME + "quick/"}
    assert all(isinstance(ms, int) and ms >= 0 for ms in took.values()), took
    assert (took[ACME_HOME + "slow/"] or 0) >= 300, took  # the server held it back 0.3 s
    assert run.of(PageScraped)[0].data()["durationMs"] == took[ACME_HOME]
