"""``/mcp`` of a real API server on 127.0.0.1, through the SDK's streamable HTTP client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.apikit import Api, error_body
from tests.mcp.toolkit import (
    Session,
    acceptance,
    call,
    check_acceptance,
    check_not_found,
    over_http,
)
from tests.sitekit import ACME_HOME, serve_acme
from tests.webserver import WebServer

SMALL = 3_000
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
MCP_HEADERS = {"accept": "application/json, text/event-stream"}


def test_the_acceptance_over_http(start_api: Callable[..., Api], web: WebServer) -> None:
    serve_acme(web)
    api = start_api(mcp_max_chars=SMALL)

    async def work() -> Session:
        async with over_http(api.url, {"x-api-key": api.key.key}) as client:
            return await acceptance(client, ACME_HOME, SMALL)

    session = asyncio.run(work())
    check_acceptance(session, "acme.test")
    # The tool's job is the key's, as the HTTP API shows it.
    job = api.client().get(f"/v1/jobs/{session.extracted['jobId']}").json()
    assert job["status"] == "completed"
    assert len(job["result"]["knowledgeItems"]) == session.extracted["itemCount"]


def test_another_keys_job_is_not_found(start_api: Callable[..., Api], web: WebServer) -> None:
    serve_acme(web)
    api = start_api()
    assert api.client().post("/v1/scrape", json={"url": ACME_HOME}).status_code == 200
    mine = api.client().get("/v1/jobs").json()["jobs"][0]["id"]

    async def work() -> dict[str, Any]:
        async with over_http(api.url, {"authorization": f"Bearer {api.other.key}"}) as theirs:
            await check_not_found(theirs, mine)
        async with over_http(api.url, {"x-api-key": api.key.key}) as client:
            return await call(client, "get_job", {"jobId": mine})

    assert asyncio.run(work())["status"] == "completed"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "x-api-key header is missing"),
        ({"x-api-key": "sl_nope_nope"}, "x-api-key is not a valid API key"),
        ({"authorization": "Basic abc"}, "x-api-key header is missing"),
    ],
)
def test_mcp_needs_a_key(
    start_api: Callable[..., Api], headers: dict[str, str], message: str
) -> None:
    api = start_api()
    with httpx.Client(base_url=api.url, trust_env=False, timeout=10) as client:
        response = client.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **headers})
    assert message in error_body(response, 401)
