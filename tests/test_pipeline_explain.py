"""``extract_site`` with ``explain``: a reason for every page and item, and nothing else changed.

The crawls run against the local web server (``tests/sitekit.py``); the assertions are about
the ``explain`` object of the result (issue 11, "Explainable").
"""

from __future__ import annotations

import json
from typing import Any

from sitelore.models import ExtractRequest, PageStatus
from tests.sitekit import (
    ACME,
    ACME_HOME,
    extract,
    links_page,
    page_html,
    prose,
    route_site,
    serve_acme,
)
from tests.webserver import StaticResolver, WebServer, html

STATUSES = {"done", "skipped", "failed", "unvisited"}


def explain_of(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    explain = data["explain"]
    assert set(explain) == {"pages", "items"}
    return explain["pages"], explain["items"]


def test_every_page_and_item_has_a_reason_and_the_items_are_the_same(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve_acme(web)
    plain = extract(resolver, ExtractRequest(ACME_HOME, max_pages=6)).result
    explained = extract(resolver, ExtractRequest(ACME_HOME, max_pages=6, explain=True)).result
    assert explained.knowledge_items == plain.knowledge_items
    assert "explain" not in plain.to_dict()
    data = explained.to_dict()
    json.dumps(data)  # plain JSON types only
    pages, items = explain_of(data)
    for page in pages:
        assert set(page) == {"url", "kind", "status", "reason"}
        assert page["status"] in STATUSES and page["kind"] and page["reason"], page
    done = [page["url"] for page in pages if page["status"] == "done"]
    assert len(done) == data["pagesScraped"] == 6
    assert {item["source"] for item in data["knowledgeItems"]} <= set(done)
    # The items' explanations follow knowledgeItems one to one.
    assert [(i["title"], i["source"], i["category"]) for i in items] == [
        (i["title"], i["source"], i["category"]) for i in data["knowledgeItems"]
    ]
    for item in items:
        assert set(item) == {"title", "source", "category", "categoryReason", "titleReason"}
        assert item["categoryReason"] and item["categoryReason"] != "not recorded", item
        assert item["titleReason"] and item["titleReason"] != "not recorded", item


def test_pages_say_how_they_were_found_and_the_budget_says_what_it_left(
    web: WebServer, resolver: StaticResolver
) -> None:
    serve_acme(web)
    data = extract(resolver, ExtractRequest(ACME_HOME, max_pages=3, explain=True)).result
    pages, _ = explain_of(data.to_dict())
    home, *rest = pages
    assert home["status"] == "done" and home["kind"] == "home"
    assert home["reason"].startswith("the start page")
    pricing = next(page for page in pages if page["url"] == "http://acme.test/pricing/")
    assert pricing["kind"] == "pricing" and pricing["status"] == "done"
    assert "navigation as 'Pricing'" in pricing["reason"]
    assert "kind pricing from its URL" in pricing["reason"]
    assert "score " in pricing["reason"]
    unvisited = [page for page in rest if page["status"] == "unvisited"]
    assert unvisited, "acme has more pages than a budget of 3"
    assert all(
        page["reason"].startswith("not fetched: the budget of 3 pages") for page in unvisited
    )


def _site_with_misses(web: WebServer) -> None:
    home = links_page("/broken/", "/copy/", "/about/")
    pages = {"/": home, "/copy/": home, "/about/": page_html("About", prose("About Acme"))}
    route_site(web, ACME, pages)
    web.add_route(ACME, "/broken/", html(page_html("Error", "<h1>Error</h1>"), 500))


def test_skipped_and_failed_pages_give_their_cause_then_why_they_were_taken(
    web: WebServer, resolver: StaticResolver
) -> None:
    _site_with_misses(web)
    run = extract(resolver, ExtractRequest(ACME_HOME, max_pages=5, explain=True))
    pages, _ = explain_of(run.result.to_dict())
    by_url = {page["url"]: page for page in pages}
    for event in run.scraped:
        page = by_url[event.url] if event.status != "done" else None
        if page is not None:
            # The cause is the one the page_scraped event gave, then the plan follows.
            assert page["status"] == event.status
            assert page["reason"].startswith(f"{event.error}; linked from the start page")
    statuses = {page["status"] for page in pages}
    assert {PageStatus.FAILED.value, PageStatus.SKIPPED.value} <= statuses


def test_listed_urls_are_explained_as_listed(web: WebServer, resolver: StaticResolver) -> None:
    serve_acme(web)
    urls = ("http://acme.test/pricing/", "http://acme.test/faq/")
    request = ExtractRequest(ACME_HOME, max_pages=2, urls=urls, explain=True)
    pages, _ = explain_of(extract(resolver, request).result.to_dict())
    assert [(p["url"], p["kind"], p["status"]) for p in pages] == [
        (urls[0], "pricing", "done"),
        (urls[1], "faq", "done"),
    ]
    assert all(p["reason"].startswith("listed in the request's urls") for p in pages)
