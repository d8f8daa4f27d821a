"""A crawl that outlasts its wait: the answer says so, get_job waits on (with progress),
cancel_job stops it."""

from __future__ import annotations

from typing import Any

from tests.mcp.conftest import RunTools, Tools
from tests.mcp.toolkit import Progress, call, error
from tests.sitekit import page_html, prose, route_site
from tests.webserver import Response, WebServer, html

SLOW = "slow.test"
SLOW_HOME = f"http://{SLOW}/"


def serve_slow(web: WebServer, delay: float) -> None:
    """Three pages: the two inner ones take ``delay`` seconds each."""

    def slow(text: str) -> Response:
        page = html(text)
        return Response(page.status, page.headers, page.body, delay=delay)

    route_site(
        web,
        SLOW,
        {
            "/": page_html("Home", prose("Slow Company home"), ["/about/", "/pricing/"]),
            "/about/": slow(page_html("About", prose("About Slow Company"))),
            "/pricing/": slow(page_html("Pricing", prose("Pricing of Slow Company"))),
        },
    )


def test_a_crawl_that_outlasts_its_wait_is_awaited_with_get_job(
    run_tools: RunTools, web: WebServer
) -> None:
    serve_slow(web, 0.5)

    async def work(tools: Tools) -> tuple[dict[str, Any], dict[str, Any], Progress, str]:
        progress = Progress()
        async with tools.client() as client:
            started = await call(client, "extract_knowledge", {"url": SLOW_HOME, "waitSeconds": 0})
            early = error(await client.call_tool("get_knowledge", {"jobId": started["jobId"]}))
            arguments = {"jobId": started["jobId"], "waitSeconds": 30}
            done = await call(client, "get_job", arguments, progress)
        return started, done, progress, early

    started, done, progress, early = run_tools(work)
    assert started["status"] in ("pending", "processing") and "get_job" in started["hint"]
    assert started["items"] == [] and started["business"] is None
    assert "waits for it" in early, early
    assert done["status"] == "completed" and done["itemCount"] >= 1, done
    assert done["business"]["name"] and "get_knowledge" in done["hint"]
    assert progress.seen and progress.seen[-1][0] == 3, progress.seen


def test_cancel_job_stops_a_running_crawl(run_tools: RunTools, web: WebServer) -> None:
    serve_slow(web, 10)

    async def work(tools: Tools) -> tuple[dict[str, Any], dict[str, Any], str]:
        async with tools.client() as client:
            started = await call(client, "extract_knowledge", {"url": SLOW_HOME, "waitSeconds": 0})
            await call(client, "cancel_job", {"jobId": started["jobId"]})
            arguments = {"jobId": started["jobId"], "waitSeconds": 20}
            ended = await call(client, "get_job", arguments)
            again = error(await client.call_tool("cancel_job", {"jobId": started["jobId"]}))
        return started, ended, again

    started, ended, again = run_tools(work)
    assert ended["status"] == "failed" and ended["error"] == "Job cancelled", ended
    assert f"job {started['jobId']} is already failed" in again


def test_a_scrape_that_outlasts_its_wait_goes_on_with_its_cursor(
    run_tools: RunTools, web: WebServer
) -> None:
    serve_slow(web, 0.5)

    async def work(tools: Tools) -> tuple[dict[str, Any], dict[str, Any]]:
        async with tools.client() as client:
            arguments = {"url": SLOW_HOME + "about/", "waitSeconds": 0}
            started = await call(client, "scrape_page", arguments)
            arguments = {"url": "", "cursor": started["nextCursor"], "waitSeconds": 30}
            return started, await call(client, "scrape_page", arguments)

    started, done = run_tools(work)
    assert started["status"] in ("pending", "processing") and started["markdown"] == ""
    assert done["status"] == "completed" and "About Slow Company" in done["markdown"]
    assert done["jobId"] == started["jobId"] and done["nextCursor"] is None
