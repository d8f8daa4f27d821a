"""What the crawl takes, end to end against the local web server: include and exclude
patterns, single pages and URL lists, crawler traps held to the budget, knowledge pages
first, and the same pages whether or not anybody listens to the crawl's events.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from sitelore.crawl.crawler import MAX_FETCHES_PER_PAGE
from sitelore.models import ExtractRequest, PagesPlanned, Progress
from sitelore.pipeline import extract_site
from tests.sitekit import (
    ACME,
    ACME_BLOG,
    ACME_HOME,
    ACME_PAGES,
    OPTIONS,
    extract,
    links_page,
    page_html,
    page_paths,
    prose,
    route_site,
    serve_acme,
)
from tests.webserver import Request, Response, StaticResolver, WebServer, html

# --- what to crawl --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("include", "exclude", "fetched", "home_items"),
    [
        (("/blog/**",), (), {"/"} | ACME_BLOG, False),
        (("/blog/**",), ("/blog/2021/**",),
         {"/"} | ACME_BLOG - {"/blog/2021/03/winter-scheduling-tips/"}, False),
        ((), ("/blog/**", "/legal/**", "/plans/*"),
         ACME_PAGES - ACME_BLOG - {"/legal/privacy/", "/plans/compare/"}, True),
        (("/pricing*", "/faq"), (), {"/", "/pricing/", "/faq/"}, False),
        (("/", "/about"), ("/",), {"/", "/about/"}, False),  # exclude wins over include
        (("/", "/about"), (), {"/", "/about/"}, True),
    ],
    ids=["include", "include-exclude", "exclude", "globs", "exclude-wins", "home-included"],
)  # fmt: skip
def test_include_and_exclude_patterns(
    web: WebServer,
    resolver: StaticResolver,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    fetched: set[str],
    home_items: bool,
) -> None:
    serve_acme(web)
    request = ExtractRequest(ACME_HOME, max_pages=20, include_patterns=include,
                             exclude_patterns=exclude)  # fmt: skip
    run = extract(resolver, request)
    assert set(page_paths(web, ACME)) == fetched
    assert len(page_paths(web, ACME)) == len(fetched)
    sources = {source.removeprefix("http://acme.test") for source in run.sources()}
    assert sources <= fetched - ({"/"} if not home_items else set())
    assert ("/" in sources) is home_items
    assert run.result.pages_scraped == len(fetched)


@pytest.mark.parametrize("start", ["/", "/pricing/"])
def test_single_page_fetches_only_that_page(
    web: WebServer, resolver: StaticResolver, start: str
) -> None:
    serve_acme(web)
    run = extract(resolver, ExtractRequest(f"http://acme.test{start}", single_page=True))
    assert web.paths() == ["/robots.txt", start]
    assert run.result.pages_scraped == 1
    assert run.sources() == {f"http://acme.test{start}"}
    [plan] = run.of(PagesPlanned)
    assert [page.url for page in plan.pages] == [f"http://acme.test{start}"]


@pytest.mark.parametrize(
    "request_",
    [
        ExtractRequest(ACME_HOME, max_pages=5,
                       urls=("http://acme.test/pricing/", "http://acme.test/faq/")),
        ExtractRequest(ACME_HOME, max_pages=5, single_page=True, include_patterns=("/blog/**",),
                       urls=("http://acme.test/pricing/", "http://www.acme.test/contact/")),
        ExtractRequest(ACME_HOME, max_pages=5, exclude_patterns=("/**",),
                       urls=("http://acme.test/about/",)),
    ],
    ids=["plain", "single-page-and-include-ignored", "exclude-ignored"],
)  # fmt: skip
def test_url_list_fetches_exactly_those_pages(
    web: WebServer, resolver: StaticResolver, request_: ExtractRequest
) -> None:
    serve_acme(web)
    urls = request_.urls or ()
    run = extract(resolver, request_)
    wanted = sorted(_path(url) for url in urls)
    assert sorted(page_paths(web)) == wanted  # not the home page, not a sitemap
    assert not any("sitemap" in path for path in web.paths())
    assert run.result.pages_scraped == len(urls)
    assert {_path(source) for source in run.sources()} <= set(wanted)
    [plan] = run.of(PagesPlanned)
    assert [page.url for page in plan.pages] == list(urls)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- traps ----------------------------------------------------------------------------------


def _calendar(request: Request) -> Response:
    """``/calendar?month=N`` links to the months around it, forever."""
    if request.path == "/":
        return html(links_page("/calendar?month=1"))
    month = int(request.target.partition("month=")[2].split("&")[0] or 0)
    links = [f"/calendar?month={month + 1}", f"/calendar?month={month - 1}",
             f"/calendar?month={month + 12}&view=week"]  # fmt: skip
    return html(page_html(f"Calendar {month}", prose(f"Events in month {month}"), links))


def _page_chain(request: Request) -> Response:
    """``/page/N/`` links to the next pages and an archive page of its own, forever."""
    if request.path == "/":
        return html(links_page("/page/1/"))
    number = int(request.path.strip("/").rsplit("/", 1)[1])
    links = [f"/page/{number + 1}/", f"/page/{number + 2}/", f"/archive/{number}/"]
    return html(page_html(f"Page {number}", prose(f"Listing page {number}"), links))


def _fan_out(request: Request) -> Response:
    """Every page links to six pages never seen before."""
    base = request.path.rstrip("/")
    children = [f"{base}/{i}/" for i in range(6)]
    return html(page_html(request.path, prose(f"Topic {request.path}"), children))


def _duplicates(request: Request) -> Response:
    """Every page says the same thing, under a new URL each time."""
    base = request.path.rstrip("/")
    children = [f"{base}/copy-{i}/" for i in range(4)]
    return html(page_html("Same", prose("The same words"), children))


def _all_fail(request: Request) -> Response:
    """The home page links to sixty pages that all answer 500."""
    if request.path == "/":
        return html(links_page(*(f"/x/{i}/" for i in range(60))))
    return html(page_html("Broken", "<h1>Broken</h1>"), 500)


MAX_PAGES = 5
# Failed and skipped pages are replaced, but fetches stop at MAX_FETCHES_PER_PAGE per
# budgeted page in all, the start page included, whatever the site does.
FETCH_BOUND = MAX_FETCHES_PER_PAGE * MAX_PAGES
TRAPS = {
    "calendar": _calendar,
    "page-chain": _page_chain,
    "fan-out": _fan_out,
    "duplicates": _duplicates,
    "all-fail": _all_fail,
}


@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_crawler_traps_are_held_to_the_budget(
    web: WebServer, resolver: StaticResolver, trap: str
) -> None:
    route_site(web, ACME, {})
    web.add_route(ACME, "*", TRAPS[trap])
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=MAX_PAGES))
    requested = page_paths(web)
    assert len(requested) <= FETCH_BOUND, requested
    assert len(set(requested)) == len(requested)  # nothing fetched twice either
    assert 1 <= run.result.pages_scraped <= MAX_PAGES
    assert all(p.total_pages <= MAX_PAGES for p in run.of(Progress))


def test_budget_is_spent_on_knowledge_pages_first(web: WebServer, resolver: StaticResolver) -> None:
    serve_acme(web)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=6))
    fetched = set(page_paths(web, ACME))
    assert len(fetched) == run.result.pages_scraped == 6
    assert {"/", "/pricing/", "/features/", "/about/", "/faq/", "/contact/"} == fetched
    assert not fetched & ACME_BLOG


def test_a_crawl_nobody_listens_to_takes_the_same_pages(
    web: WebServer, resolver: StaticResolver
) -> None:
    # With no event sink the crawler skips its progress plans; nothing else may change.
    serve_acme(web)
    request = ExtractRequest(ACME_HOME, max_pages=8)
    heard = extract(resolver, request).result
    unheard = asyncio.run(extract_site(request, None, options=OPTIONS, resolver=resolver))
    assert unheard.knowledge_items == heard.knowledge_items
    assert unheard.business == heard.business
    assert (unheard.pages_scraped, unheard.urls_discovered) == (
        heard.pages_scraped,
        heard.urls_discovered,
    )
