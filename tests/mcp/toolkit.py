"""Helpers of the MCP tests: calling tools, reading their answers, following cursors.

The same helpers serve every transport (in memory, stdio, HTTP): they take a connected
``mcp.Client``. Answers are checked on the way: a result that is not an error carries
structured content and, as its text, the same JSON, compact.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

TOOL_NAMES = {
    "extract_knowledge",
    "classify_business",
    "get_sitemap",
    "scrape_page",
    "search_knowledge",
    "get_knowledge",
    "get_job",
    "list_jobs",
    "cancel_job",
}


@asynccontextmanager
async def over_http(base_url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    """A client of ``/mcp`` at ``base_url`` that sends ``headers`` (the key)."""
    async with httpx2.AsyncClient(headers=headers, trust_env=False, timeout=30) as http:
        transport = streamable_http_client(base_url + "/mcp", http_client=http)
        async with Client(transport) as client:
            yield client


@dataclass
class Progress:
    """The progress notifications one call received."""

    seen: list[tuple[float, float | None, str | None]] = field(default_factory=list)

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.seen.append((progress, total, message))


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1, result.content
    block = result.content[0]
    assert isinstance(block, TextContent), block
    return block.text


def answer(result: CallToolResult, max_chars: int | None = None) -> dict[str, Any]:
    """The structured answer of a successful call (its text is the same JSON, within
    ``max_chars`` when given)."""
    assert not result.is_error, text_of(result)
    text = text_of(result)
    assert result.structured_content is not None
    assert json.loads(text) == result.structured_content
    if max_chars is not None:
        assert len(text) <= max_chars, (len(text), max_chars)
    data: dict[str, Any] = result.structured_content
    return data


def error(result: CallToolResult) -> str:
    """The message of a call that answered an error."""
    assert result.is_error, result.structured_content
    return text_of(result)


async def call(
    client: Client,
    tool: str,
    arguments: dict[str, Any],
    progress: Progress | None = None,
    max_chars: int | None = None,
) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments, progress_callback=progress)
    return answer(result, max_chars)


async def every_page(
    client: Client,
    tool: str,
    arguments: dict[str, Any],
    max_chars: int,
    collect: Callable[[dict[str, Any]], list[Any]],
) -> tuple[list[Any], int]:
    """What ``collect`` takes from each page of ``tool``, following ``nextCursor`` to the
    end; and how many pages there were. Every page stays within ``max_chars``."""
    collected: list[Any] = []
    pages = 0
    cursor: str | None = None
    while True:
        page = await call(
            client, tool, {**arguments, **({"cursor": cursor} if cursor else {})}, None, max_chars
        )
        pages += 1
        collected.extend(collect(page))
        cursor = page.get("nextCursor")
        if cursor is None:
            return collected, pages
        assert pages < 500, "the cursor does not move on"


# -- what every transport must do ------------------------------------------------------------

QUERY = '"Team" technicians'  # words of one of the acme site's pricing items


@dataclass
class Session:
    """What :func:`acceptance` saw."""

    tools: set[str]
    extracted: dict[str, Any]
    progress: Progress
    found: dict[str, Any]
    items: list[dict[str, Any]]
    pages: int


async def acceptance(client: Client, home: str, max_chars: int) -> Session:
    """List the tools, extract ``home`` with progress, search one of its items, and read
    all of its items a page at a time (the answers kept within ``max_chars``)."""
    tools = {tool.name for tool in (await client.list_tools()).tools}
    progress = Progress()
    arguments = {"url": home, "maxPages": 6}
    extracted = await call(client, "extract_knowledge", arguments, progress, max_chars)
    found = await call(client, "search_knowledge", {"query": QUERY}, None, max_chars)
    items, pages = await every_page(
        client, "get_knowledge", {"jobId": extracted["jobId"]}, max_chars, lambda p: p["items"]
    )
    return Session(tools, extracted, progress, found, items, pages)


def check_acceptance(session: Session, domain: str) -> None:
    assert session.tools == TOOL_NAMES
    extracted = session.extracted
    assert extracted["status"] == "completed", extracted
    assert extracted["business"]["name"] == "Acme"
    # progress: pages scraped out of pages planned, rising with every notification
    done = [seen[0] for seen in session.progress.seen]
    assert len(done) >= 2 and done == sorted(set(done)), session.progress.seen
    assert all(total is not None and total >= done for done, total, _ in session.progress.seen)
    # the items did not fit one answer: the extraction's answer and get_knowledge page them
    assert extracted["nextCursor"] is not None and 0 < len(extracted["items"]) < len(session.items)
    assert session.pages > 1 and len(session.items) == extracted["itemCount"]
    assert sum(extracted["counts"].values()) == extracted["itemCount"]
    hit = session.found["hits"][0]
    assert hit["domain"] == domain and "**team**" in hit["snippet"].lower(), session.found
    assert (hit["title"], hit["source"]) in {(i["title"], i["source"]) for i in session.items}


async def check_not_found(client: Client, job_id: str) -> None:
    """Every tool that takes a job id answers an error for ``job_id``: not found."""
    for tool, arguments in (
        ("get_job", {"jobId": job_id}),
        ("get_knowledge", {"jobId": job_id}),
        ("cancel_job", {"jobId": job_id}),
    ):
        said = error(await client.call_tool(tool, arguments))
        assert f"job {job_id} not found" in said, (tool, said)
