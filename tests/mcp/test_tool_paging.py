"""Answers larger than the budget come in pages, and following ``nextCursor`` gives all of
what one large answer holds: a page's text, a site's URLs, search hits, jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.mcp.conftest import RunTools, Tools
from tests.mcp.toolkit import call, error, every_page
from tests.sitekit import ACME_HOME, page_html, route_site, serve_acme
from tests.webserver import WebServer

TINY = 2_000  # the least budget there is
LARGE = 1_000_000
LONG = "long.test"
LONG_HOME = f"http://{LONG}/"


def serve_long(web: WebServer) -> None:
    """A home page with 40 sections of text and links to 90 pages."""
    sections = "\n".join(
        f"<h2>Topic {n}</h2><p>{'Topic {n} is explained here in a sentence. ' * 6}</p>"
        for n in range(40)
    )
    links = [f"/pages/{n}/" for n in range(90)]
    route_site(web, LONG, {"/": page_html("Home", sections, links)})


def whole_and_pieces(
    run_tools: RunTools,
    tool: str,
    arguments: dict[str, Any],
    collect: Callable[[dict[str, Any]], list[Any]],
    prepare: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[Any], int]:
    """``tool``'s answer with a budget it fits in, and what its pages hold under the least
    budget, followed to the end (and their count)."""

    async def work(tools: Tools) -> tuple[dict[str, Any], list[Any], int]:
        async with tools.client(max_chars=LARGE) as large, tools.client(max_chars=TINY) as tiny:
            if prepare is not None:
                await call(large, "extract_knowledge", prepare)
            whole = await call(large, tool, arguments)
            assert whole.get("nextCursor") is None, whole
            pieces, pages = await every_page(tiny, tool, arguments, TINY, collect)
            return whole, pieces, pages

    return run_tools(work)  # type: ignore[no-any-return]


def test_a_long_page_comes_in_pieces(run_tools: RunTools, web: WebServer) -> None:
    serve_long(web)
    whole, pieces, pages = whole_and_pieces(
        run_tools, "scrape_page", {"url": LONG_HOME}, lambda page: [page]
    )
    assert pages > 3 and len(whole["markdown"]) > 5 * TINY
    assert "".join(piece["markdown"] for piece in pieces) == whole["markdown"]
    assert [piece["offset"] for piece in pieces][:2] == [0, len(pieces[0]["markdown"])]
    assert all(piece["totalChars"] == len(whole["markdown"]) for piece in pieces)
    assert pieces[0]["links"] and pieces[0]["linkCount"] == whole["linkCount"] == 91
    assert not any(piece["links"] for piece in pieces[1:])


def test_a_long_sitemap_comes_in_pages(run_tools: RunTools, web: WebServer) -> None:
    serve_long(web)
    arguments = {"url": LONG_HOME, "limit": 80}
    whole, pieces, pages = whole_and_pieces(
        run_tools, "get_sitemap", arguments, lambda page: page["pages"]
    )
    assert pages > 1 and whole["count"] == 80 and pieces == whole["pages"]


def test_many_hits_come_in_pages(run_tools: RunTools, web: WebServer) -> None:
    serve_acme(web)
    arguments = {"query": "acme", "limit": 50}
    whole, hits, pages = whole_and_pieces(
        run_tools, "search_knowledge", arguments, lambda page: page["hits"],
        prepare={"url": ACME_HOME, "maxPages": 12},
    )  # fmt: skip
    assert pages > 1 and len(whole["hits"]) == min(whole["total"], 50) > 5
    assert [hit["id"] for hit in hits] == [hit["id"] for hit in whole["hits"]]


def test_many_jobs_come_in_pages(run_tools: RunTools, web: WebServer) -> None:
    serve_acme(web)

    async def work(tools: Tools) -> tuple[list[str], list[Any], int]:
        async with tools.client(max_chars=TINY) as client:
            made = [
                (await call(client, "scrape_page", {"url": f"{ACME_HOME}{path}"}))["jobId"]
                for path in ("", "pricing/", "faq/", "about/", "contact/", "features/")
            ]
            listed, pages = await every_page(
                client, "list_jobs", {"limit": 100}, TINY, lambda page: page["jobs"]
            )
            return made, listed, pages

    made, listed, pages = run_tools(work)
    assert pages > 1 and [job["jobId"] for job in listed] == made[::-1]


def test_the_sites_known_and_their_items_by_category(run_tools: RunTools, web: WebServer) -> None:
    serve_acme(web)

    async def work(tools: Tools) -> tuple[dict[str, Any], list[Any], int]:
        async with tools.client(max_chars=TINY) as client:
            await call(client, "extract_knowledge", {"url": ACME_HOME, "maxPages": 6})
            known = await call(client, "get_knowledge", {})
            arguments = {"domain": "acme.test", "category": "PRICING", "limit": 1}
            items, pages = await every_page(
                client, "get_knowledge", arguments, TINY, lambda page: page["items"]
            )
            return known, items, pages

    known, items, pages = run_tools(work)
    assert [entry["domain"] for entry in known["domains"]] == ["acme.test"]
    assert pages == len(items) == 4 and {item["category"] for item in items} == {"PRICING"}
    assert all(item["id"].startswith("kn_") for item in items)


@pytest.mark.parametrize(
    ("tool", "arguments", "said"),
    [
        ("get_knowledge", {"cursor": "not a cursor"}, "cursor is not one get_knowledge gave"),
        ("scrape_page", {"url": ACME_HOME, "cursor": "e30"}, "cursor is not one scrape_page gave"),
        ("list_jobs", {"cursor": "nope"}, "cursor"),
        ("get_knowledge", {"jobId": "job_x", "domain": "acme.test"}, "not both"),
        ("get_knowledge", {"domain": "nowhere.test"}, "no knowledge of nowhere.test"),
        ("search_knowledge", {"query": "  "}, "no word"),
        ("extract_knowledge", {"url": "ftp://acme.test/"}, "must start with http"),
        ("extract_knowledge", {"url": ACME_HOME, "maxPages": 51}, "maxPages must be between"),
        ("get_job", {"jobId": "job_unknown"}, "job job_unknown not found"),
    ],
)
def test_bad_calls_are_one_sentence(
    run_tools: RunTools, tool: str, arguments: dict[str, Any], said: str
) -> None:
    async def work(tools: Tools) -> str:
        async with tools.client() as client:
            return error(await client.call_tool(tool, arguments))

    message = run_tools(work)
    assert said in message and "Traceback" not in message and "\n" not in message, message
