"""classify_site: the home page and the best few about pages the planner finds, read over
real HTTP, and nothing else; an about page that fails is left out, a home page that fails
fails the classification."""

from __future__ import annotations

import asyncio

import pytest

from sitelore.classifying import MAX_KEY_PAGES, classify_site
from sitelore.core.classification import Classification
from sitelore.crawl.means import CrawlMeans
from sitelore.errors import ExtractionFailed
from sitelore.models import ExtractRequest
from tests.sitekit import OPTIONS, page_html, page_paths, prose, route_site
from tests.webserver import StaticResolver, WebServer

HOST = "quill.test"
HOME = f"http://{HOST}/"
ABOUT_PAGES = ("/about/", "/about/history/", "/about/values/", "/about/press/")
OTHER_PAGES = ("/pricing/", "/blog/", "/contact/", "/de/about/")


def serve(web: WebServer, missing: tuple[str, ...] = ()) -> None:
    """The site, but for the ``missing`` paths (404s)."""
    pages = {
        "/": page_html("Home", prose("Quill home"), [*ABOUT_PAGES, *OTHER_PAGES]),
        **{path: page_html("About", prose(f"About Quill {path}")) for path in ABOUT_PAGES},
        **{path: page_html("Other", prose(f"Other page {path}")) for path in OTHER_PAGES},
    }
    route_site(web, HOST, {path: html for path, html in pages.items() if path not in missing})


def classified(resolver: StaticResolver) -> Classification:
    request = ExtractRequest(HOME, max_pages=50)  # its budget is not the classification's
    return asyncio.run(classify_site(request, CrawlMeans(OPTIONS, resolver)))


def test_the_home_page_and_at_most_three_about_pages_are_read(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve(web)
    answer = classified(resolver)
    read = page_paths(web, HOST)
    assert read[0] == "/" and len(read) == 1 + MAX_KEY_PAGES == 4
    assert set(read[1:]) < set(ABOUT_PAGES)  # the best three; no other kind, no translation
    # The about pages are fetched at once: the server may log them in any order.
    assert answer.pages[0] == HOME and len(answer.pages) == len(read)
    assert set(answer.pages[1:]) == {f"http://{HOST}{path}" for path in read[1:]}
    assert answer.url == HOME and answer.domain == HOST


def test_an_about_page_that_fails_is_left_out(web: WebServer, resolver: StaticResolver) -> None:
    serve(web, missing=ABOUT_PAGES)
    answer = classified(resolver)
    assert answer.pages == (HOME,)
    assert answer.business_name == "Acme"  # the template's brand, from the home page alone


def test_a_home_page_that_fails_fails_the_classification(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve(web, missing=("/",))
    with pytest.raises(ExtractionFailed, match="404"):
        classified(resolver)


def test_an_about_page_in_another_language_is_not_read(
    web: WebServer, resolver: StaticResolver
) -> None:
    pages = {
        "/": page_html("Home", prose("Quill home"), ["/de/about/", "/pricing/"]),
        "/de/about/": page_html("Über uns", prose("Über Quill")),
        "/pricing/": page_html("Pricing", prose("Quill pricing")),
    }
    route_site(web, HOST, pages)
    assert classified(resolver).pages == (HOME,)
    assert page_paths(web, HOST) == ["/"]
