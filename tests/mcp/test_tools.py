"""The tools through the SDK's in-memory client, on a real store with real workers."""

from __future__ import annotations

from typing import Any

from tests.mcp.conftest import RunTools, Tools
from tests.mcp.toolkit import (
    TOOL_NAMES,
    Session,
    acceptance,
    call,
    check_acceptance,
    check_not_found,
)
from tests.sitekit import ACME_HOME, serve_acme
from tests.webserver import WebServer

SMALL = 3_000  # a budget the acme site's items do not fit in


def test_the_tools_are_listed_with_their_schemas(run_tools: RunTools) -> None:
    async def work(tools: Tools) -> Any:
        async with tools.client() as client:
            return (await client.list_tools()).tools

    listed = run_tools(work)
    assert {tool.name for tool in listed} == TOOL_NAMES
    for tool in listed:
        assert tool.description and len(tool.description) > 80, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None and tool.annotations.read_only_hint is not None


def test_extract_with_progress_search_and_paging(run_tools: RunTools, web: WebServer) -> None:
    serve_acme(web)

    async def work(tools: Tools) -> Session:
        async with tools.client() as client:
            return await acceptance(client, ACME_HOME, SMALL)

    check_acceptance(run_tools(work, mcp_max_chars=SMALL), "acme.test")


def test_another_owners_job_is_not_found(run_tools: RunTools, web: WebServer) -> None:
    serve_acme(web)

    async def work(tools: Tools) -> dict[str, Any]:
        async with tools.client("owner-a") as mine, tools.client("owner-b") as theirs:
            job = await call(mine, "scrape_page", {"url": ACME_HOME})
            await check_not_found(theirs, job["jobId"])
            listed = await call(theirs, "list_jobs", {})
            assert listed["jobs"] == []
            return await call(mine, "get_job", {"jobId": job["jobId"]})

    assert run_tools(work)["status"] == "completed"


def test_classify_business_reads_the_key_pages_only(run_tools: RunTools, web: WebServer) -> None:
    serve_acme(web)

    async def work(tools: Tools) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with tools.client() as client:
            classified = await call(client, "classify_business", {"url": ACME_HOME})
            job = await call(client, "get_job", {"jobId": classified["jobId"]})
            # The job's hint names the cursor that reads its result again.
            cursor = job["hint"].split("cursor='")[1].split("'")[0]
            again = await call(client, "classify_business", {"url": "", "cursor": cursor})
            return classified, job, again

    classified, job, again = run_tools(work)
    assert again == classified
    assert classified["businessName"] == "Acme" and classified["domain"] == "acme.test"
    assert classified["pages"][0] == ACME_HOME and len(classified["pages"]) <= 4
    assert classified["nextCursor"] is None
    assert job["task"] == "classify" and "classify_business(url, cursor=" in job["hint"]
