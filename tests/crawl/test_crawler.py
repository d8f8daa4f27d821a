"""The crawl end to end against the local web server: robots, sitemaps, redirects, failures,
size and time limits, same-site rules and URL normalisation (what to crawl, traps and the
budget: test_crawler_scope.py).

Every test runs the real pipeline (``extract_site``) or the real ``Crawler`` over the real
fetcher; the server's request log says what was and was not fetched.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from sitelore.core.request import validate_request
from sitelore.crawl.crawler import Crawler, CrawlOutcome
from sitelore.crawl.fetcher import Fetcher
from sitelore.errors import ExtractionFailed, RobotsDisallowed
from sitelore.models import ExtractRequest, PagesPlanned
from tests.sitekit import (
    ACME,
    ACME_HOME,
    ACME_PAGES,
    BISTRO,
    BISTRO_HOME,
    NIMBUS,
    NIMBUS_HOME,
    OPTIONS,
    OTHER,
    SITES,
    extract,
    links_page,
    page_html,
    page_paths,
    prose,
    route_site,
    serve_acme,
    serve_bistro,
    serve_nimbus,
)
from tests.webserver import Pause, Response, StaticResolver, WebServer, html, redirect

QUICK = replace(OPTIONS, timeout=1)


# --- robots.txt -----------------------------------------------------------------------------


@pytest.mark.parametrize(("obey", "roadmap_requests"), [(True, 0), (False, 1)])
def test_robots_disallow_is_obeyed_unless_switched_off(
    web: WebServer, resolver: StaticResolver, obey: bool, roadmap_requests: int
) -> None:
    serve_acme(web)
    options = replace(OPTIONS, obey_robots=obey)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=20), options)
    assert web.count("/private/roadmap/", ACME) == roadmap_requests
    assert web.count("/robots.txt", ACME) == (1 if obey else 0)
    assert ("http://acme.test/private/roadmap/" in run.sources()) is not obey
    assert run.failed() == {}  # a disallowed page is skipped, not a failure
    expected = ACME_PAGES if obey else ACME_PAGES | {"/private/roadmap/"}
    assert set(page_paths(web, ACME)) == expected


@pytest.mark.parametrize(
    ("robots", "start"),
    [
        ("User-agent: *\nDisallow: /\n", ACME_HOME),
        ("User-agent: sitelore\nDisallow: /\n\nUser-agent: *\nAllow: /\n", ACME_HOME),
        ("User-agent: *\nDisallow: /private/\n", "http://acme.test/private/roadmap/"),
    ],
    ids=["everyone", "our-agent", "start-below-disallowed-path"],
)
def test_robots_forbidding_the_start_page_fails_the_job(
    web: WebServer, resolver: StaticResolver, robots: str, start: str
) -> None:
    route_site(web, ACME, {"/": links_page("/about/"), "/private/roadmap/": links_page()}, robots)
    with pytest.raises(RobotsDisallowed) as caught:
        extract(resolver, ExtractRequest(start))
    assert str(caught.value) == f"robots.txt disallows {start}"
    assert web.paths() == ["/robots.txt"]


@pytest.mark.parametrize(
    ("robots", "obey"),
    [
        ("User-agent: otherbot\nDisallow: /\n", True),
        ("User-agent: *\nDisallow: /\n", False),
    ],
    ids=["rule-for-another-agent", "robots-switched-off"],
)
def test_robots_that_does_not_apply_lets_the_crawl_run(
    web: WebServer, resolver: StaticResolver, robots: str, obey: bool
) -> None:
    route_site(web, ACME, {"/": links_page("/about/"), "/about/": prose("About us")}, robots)
    run = extract(resolver, ExtractRequest(ACME_HOME), replace(OPTIONS, obey_robots=obey))
    assert run.result.pages_scraped == 2
    assert web.count("/about/") == 1


@pytest.mark.parametrize(
    ("rules", "max_crawl_delay", "expected"),
    [
        ("Crawl-delay: 0.2", 10.0, 0.2),
        ("Crawl-delay: 30", 0.15, 0.15),
        ("Request-rate: 1/20s", 0.1, 0.1),
        ("", 10.0, 0.0),
    ],
    ids=["crawl-delay", "capped", "request-rate", "none"],
)
def test_crawl_delay_sets_the_gap_between_requests_to_the_host(
    web: WebServer, resolver: StaticResolver, rules: str, max_crawl_delay: float, expected: float
) -> None:
    robots = f"User-agent: *\n{rules}\nDisallow: /private/\n"
    pages = {"/": links_page("/a/", "/b/"), "/a/": prose("Alpha"), "/b/": prose("Beta")}
    route_site(web, ACME, pages, robots)
    options = replace(OPTIONS, max_crawl_delay=max_crawl_delay)
    request = validate_request(ExtractRequest(ACME_HOME, max_pages=5))

    async def crawl() -> tuple[float, CrawlOutcome]:
        async with Fetcher(options, resolver=resolver) as fetcher:
            crawler = Crawler(request, options, fetcher)
            outcome = await crawler.run()
            return crawler.limiter.delay(ACME), outcome

    delay, outcome = asyncio.run(crawl())
    assert delay == pytest.approx(expected)
    assert len(outcome.pages) == 3
    # robots.txt is read before any page, so the delay is in force from the first page on.
    assert web.paths()[0] == "/robots.txt"


# --- sitemaps and discovery -----------------------------------------------------------------


def test_sitemap_index_and_gzipped_sitemap_are_read(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve_nimbus(web)
    run = extract(resolver, ExtractRequest(NIMBUS_HOME, max_pages=10))
    for sitemap in ("/sitemap_index.xml", "/sitemaps/pages.xml.gz", "/sitemaps/posts.xml"):
        assert web.count(sitemap, NIMBUS) == 1, sitemap
    # /pricing/ is linked from no page: only the gzipped child sitemap lists it.
    assert web.count("/pricing/", NIMBUS) == 1
    pricing = [i for i in run.result.knowledge_items if i.source == "http://nimbus.test/pricing/"]
    assert pricing and "£4 per month" in pricing[0].content
    assert web.paths("partner.other.test") == []  # off-site sitemap entries are ignored


@pytest.mark.parametrize(
    ("serve", "start", "discovered"),
    [
        (serve_nimbus, NIMBUS_HOME,
         {"/", "/features/", "/about/", "/blog/", "/blog/hello-nimbus/", "/pricing/"}),
        (serve_acme, ACME_HOME,
         # every page, the disallowed roadmap and the brochure PDF; not the off-site links
         ACME_PAGES | {"/private/roadmap/", "/static/acme-brochure.pdf"}),
        (serve_bistro, BISTRO_HOME, {"/", "/menu/", "/visit/", "/about/"}),
    ],
    ids=["nimbus", "acme", "bistro"],
)  # fmt: skip
def test_urls_discovered_counts_distinct_same_site_urls(
    web: WebServer,
    resolver: StaticResolver,
    serve: Callable[[WebServer], None],
    start: str,
    discovered: set[str],
) -> None:
    serve(web)
    run = extract(resolver, ExtractRequest(start, max_pages=20))
    assert run.result.urls_discovered == len(discovered)
    planned = run.of(PagesPlanned)
    assert planned and planned[-1].urls_discovered <= run.result.urls_discovered


# --- redirects ------------------------------------------------------------------------------


def test_redirect_is_followed_and_the_page_is_credited_to_its_final_url(
    web: WebServer, resolver: StaticResolver
) -> None:
    pages: dict[str, str | Response] = {
        "/": links_page("/old-pricing", "/about/"),
        "/old-pricing": redirect("/pricing/"),
        "/pricing/": page_html("Pricing", prose("Pricing") + "<p>Plans start at $29/month.</p>"),
        "/about/": page_html("About", prose("About us")),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME))
    assert web.count("/old-pricing") == 1
    assert web.count("/pricing/") == 1
    assert run.result.pages_scraped == 3
    assert "http://acme.test/pricing/" in run.sources()
    assert not any("old-pricing" in source for source in run.sources())
    assert run.failed() == {}


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({"/bad": redirect("/bad-2"), "/bad-2": redirect("/bad")}, "Redirect loop"),
        ({"/bad": redirect("/bad")}, "Redirect loop"),
        ({"/bad": redirect(f"http://{OTHER}/welcome")}, "leaves the site"),
        ({"/bad": redirect("/r/0"), **{f"/r/{i}": redirect(f"/r/{i + 1}") for i in range(12)}},
         "More than 10 redirects"),
    ],
    ids=["loop", "self-loop", "off-site", "too-long"],
)  # fmt: skip
def test_broken_redirects_fail_only_their_page(
    web: WebServer, resolver: StaticResolver, routes: dict[str, Response], message: str
) -> None:
    route_site(web, OTHER, {"/welcome": prose("Elsewhere")})
    pages: dict[str, str | Response] = {
        "/": links_page("/bad", "/about/"),
        "/about/": page_html("About", prose("About us")),
    }
    route_site(web, ACME, {**pages, **routes})
    run = extract(resolver, ExtractRequest(ACME_HOME))
    assert list(run.failed()) == ["http://acme.test/bad"]
    assert message in run.failed()["http://acme.test/bad"]
    assert run.result.pages_scraped == 2
    assert web.paths(OTHER) == []
    assert len(web.paths(ACME)) <= 20


# --- failing pages --------------------------------------------------------------------------


def test_error_statuses_fail_their_pages_and_the_job_goes_on(
    web: WebServer, resolver: StaticResolver
) -> None:
    pages: dict[str, str | Response] = {
        "/": links_page("/missing/", "/broken/", "/gone/", "/busy/", "/about/", "/features/"),
        "/broken/": html(page_html("Error", "<h1>Something broke</h1>"), 500),
        "/gone/": html(page_html("Gone", "<h1>Gone</h1>"), 410),
        "/busy/": Response(503, {"Retry-After": "0", "Content-Type": "text/html"}, b"busy"),
        "/about/": page_html("About", prose("About us")),
        "/features/": page_html("Features", prose("Features")),
    }
    route_site(web, ACME, pages)  # /missing/ falls through to the site's 404 page
    run = extract(resolver, ExtractRequest(ACME_HOME))
    assert run.failed() == {
        f"http://acme.test/{name}/": f"HTTP {status} for http://acme.test/{name}/"
        for name, status in (("missing", 404), ("broken", 500), ("gone", 410), ("busy", 503))
    }
    assert run.result.pages_scraped == 3
    assert run.sources() <= {ACME_HOME, "http://acme.test/about/", "http://acme.test/features/"}
    assert web.count("/busy/") == OPTIONS.max_retries + 1  # 503 is retried, then given up
    assert web.count("/broken/") == 1  # 500 is not


def test_a_page_that_never_answers_times_out_alone(
    web: WebServer, resolver: StaticResolver
) -> None:
    pages: dict[str, str | Response] = {
        "/": links_page("/slow/", "/about/"),
        "/slow/": Response(delay=30),
        "/about/": page_html("About", prose("About us")),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME), QUICK)
    assert run.failed() == {"http://acme.test/slow/": "Connection timeout after 1s"}
    assert run.result.pages_scraped == 2


def test_slow_drip_page_times_out_too(web: WebServer, resolver: StaticResolver) -> None:
    def drip() -> Iterator[bytes | Pause]:
        yield b"<!doctype html><title>Drip</title><p>"
        for _ in range(40):
            yield Pause(0.1)
            yield b"word "

    pages: dict[str, str | Response] = {
        "/": links_page("/drip/"),
        "/drip/": Response(200, {"Content-Type": "text/html"}, drip()),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME), QUICK)
    assert run.failed() == {"http://acme.test/drip/": "Connection timeout after 1s"}


def test_start_page_timing_out_alone_fails_the_job(
    web: WebServer, resolver: StaticResolver
) -> None:
    route_site(web, ACME, {"/": Response(delay=30)}, robots=None)
    with pytest.raises(ExtractionFailed, match=r"Connection timeout after 1s") as caught:
        extract(resolver, ExtractRequest(ACME_HOME), QUICK)
    assert str(caught.value) == "Failed to scrape URL: Connection timeout after 1s"
    assert web.count("/") == 1


def test_non_html_links_never_become_pages(web: WebServer, resolver: StaticResolver) -> None:
    # The body of /download only starts after 5 s: reading it would time out, not say NotHTML.
    late_pdf: list[bytes | Pause] = [Pause(5), b"%PDF-1.7 ..."]
    pages: dict[str, str | Response] = {
        "/": links_page("/brochure.pdf", "/download", "/logo.png", "/about/"),
        "/brochure.pdf": Response(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7"),
        "/logo.png": Response(200, {"Content-Type": "image/png"}, b"\x89PNG"),
        "/download": Response(200, {"Content-Type": "application/pdf"}, late_pdf),
        "/about/": page_html("About", prose("About us")),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME), QUICK)
    assert web.count("/brochure.pdf") == web.count("/logo.png") == 0  # known by extension
    assert run.failed() == {}  # the server answered well: a PDF is skipped, not a failure
    skipped = {e.url: e.error for e in run.scraped if e.status == "skipped"}
    assert list(skipped) == ["http://acme.test/download"]
    assert "Not an HTML page (application/pdf)" in (skipped["http://acme.test/download"] or "")
    assert run.result.pages_scraped == 2
    assert run.sources() <= {ACME_HOME, "http://acme.test/about/"}


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_page_fails_alone(
    web: WebServer, resolver: StaticResolver, declare_length: bool
) -> None:
    big = page_html("Big", prose("Big") + "<p>filler text goes here</p>" * 2_000).encode()
    headers = {"Content-Type": "text/html; charset=utf-8"}
    body: bytes | list[bytes | Pause] = big if declare_length else [big[:10_000], big[10_000:]]
    pages: dict[str, str | Response] = {
        "/": links_page("/big/", "/about/"),
        "/big/": Response(200, headers, body),
        "/about/": page_html("About", prose("About us")),
    }
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME), replace(OPTIONS, max_page_bytes=20_000))
    assert list(run.failed()) == ["http://acme.test/big/"]
    assert "20000-byte cap" in run.failed()["http://acme.test/big/"]
    assert run.result.pages_scraped == 2


# --- character sets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        (None, None),  # the committed file as it is: <meta charset="windows-1252">
        ("text/html; charset=iso-8859-1", "iso-8859-1"),
        ("text/html; charset=windows-1252", "cp1252"),
        ("text/html", "cp1252"),  # nothing declared and not UTF-8: windows-1252
    ],
    ids=["meta-windows-1252", "header-latin-1", "header-windows-1252", "undeclared"],
)
def test_non_utf8_page_text_comes_out_right(
    web: WebServer, resolver: StaticResolver, content_type: str | None, encoding: str | None
) -> None:
    serve_bistro(web)
    if content_type is not None and encoding is not None:
        # The same page without its <meta charset>: only the header (or nothing) says.
        text = (SITES / "bistro" / "about" / "index.html").read_bytes().decode("cp1252")
        body = text.replace('<meta charset="windows-1252">\n', "").encode(encoding)
        assert b"charset" not in body
        web.add_route(BISTRO, "/about/", Response(200, {"Content-Type": content_type}, body))
    run = extract(resolver, ExtractRequest(BISTRO_HOME))
    [about] = [i for i in run.result.knowledge_items if i.source == "http://littlefig.test/about/"]
    for phrase in ("Chef Amélie Durand", "crème brûlée", "café au lait", "pâté"):
        assert phrase in about.content
    for item in run.result.knowledge_items:
        assert "\ufffd" not in item.content and "Ã" not in item.content


# --- one site, many spellings ---------------------------------------------------------------


def test_www_and_bare_host_are_one_site(web: WebServer, resolver: StaticResolver) -> None:
    serve_acme(web)
    run = extract(resolver, ExtractRequest("http://www.acme.test/", max_pages=20))
    fetched = Counter(r.path for r in web.requests if r.host.endswith(ACME)
                      and r.path != "/robots.txt" and "sitemap" not in r.path)  # fmt: skip
    assert set(fetched) == ACME_PAGES
    assert set(fetched.values()) == {1}, fetched
    assert run.failed() == {}  # no https:// spelling was fetched (the test server is http only)
    assert run.result.pages_scraped == len(ACME_PAGES)
    assert run.result.business.domain == "acme.test"
    assert web.paths(OTHER) == []
    assert {host for host, _ in resolver.lookups} <= {"www.acme.test", "acme.test"}


def test_spellings_of_the_same_site_are_fetched_once(
    web: WebServer, resolver: StaticResolver
) -> None:
    home = links_page(
        "/features/", "http://acme.test/features/", "https://www.acme.test/features/",
        "HTTP://WWW.ACME.TEST/features/#top", "//acme.test/features/",
        "http://acme.test/pricing/",  # only the bare spelling: still the same site
        "https://acme.test/pricing/", "http://www.acme.test:80/pricing/",
        f"http://{OTHER}/", f"https://{OTHER}/partners/", "http://acme.test.other.test/",
    )  # fmt: skip
    pages = {
        "/": home,
        "/features/": page_html("Features", prose("Features")),
        "/pricing/": page_html("Pricing", prose("Pricing") + "<p>From $29/month.</p>"),
    }
    route_site(web, "www.acme.test", pages)
    web.add_alias(ACME, "www.acme.test")
    route_site(web, OTHER, {"/": prose("Other")})
    web.add_host("acme.test.other.test")
    run = extract(resolver, ExtractRequest("http://www.acme.test/"))
    assert page_paths(web, "www.acme.test") == ["/", "/features/"]
    assert page_paths(web, ACME) == ["/pricing/"]  # the only spelling of it is the bare host
    assert web.paths(OTHER) == [] and web.paths("acme.test.other.test") == []
    assert run.failed() == {}
    assert run.result.pages_scraped == 3


@pytest.mark.parametrize(
    "first",
    ["/pricing/", "/pricing", "/pricing/?utm_source=newsletter&utm_medium=email",
     "/pricing/#plans", "/pricing/index.html", "/pricing/?fbclid=abc123",
     "http://acme.test:80/pricing/", "/blog/../pricing/", "/./pricing/"],
)  # fmt: skip
def test_url_variants_are_fetched_once(
    web: WebServer, resolver: StaticResolver, first: str
) -> None:
    variants = [
        "/pricing/", "/pricing", "/pricing/?utm_source=x", "/pricing/?utm_campaign=y&gclid=z",
        "/pricing/#faq", "/pricing/index.html", "/pricing/index.html?utm_source=x#top",
    ]  # fmt: skip
    pricing = page_html("Pricing", prose("Pricing") + "<p>From $29/month.</p>")
    pages = {"/": links_page(first, *variants), "/pricing/": pricing, "/pricing": pricing}
    route_site(web, ACME, pages)
    run = extract(resolver, ExtractRequest(ACME_HOME))
    fetched = [path for path in page_paths(web) if path != "/"]
    assert len(fetched) == 1 and fetched[0] in ("/pricing/", "/pricing"), fetched
    assert run.result.pages_scraped == 2
