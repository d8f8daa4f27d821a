"""A hostile page must cost its own job at most: the server (a real ``sitelore serve``)
answers everyone meanwhile, a cancel stops the work at once, and a page over the time
limit fails alone while its job goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.apikit import (
    Frame,
    Key,
    ServeProcess,
    create_key,
    eventually,
    read_sse,
    submit,
    wait_job,
)
from tests.sitekit import links_page, nested, page_html, prose
from tests.webserver import WebServer, html

# Over a minute of parsing in C once the depth cap is lifted (and refused in ~0.2 s with it).
HOSTILE = nested(150_000)
NO_CAPS = {"SITELORE_PAGE_MAX_DEPTH": "1000000000", "SITELORE_PAGE_MAX_ELEMENTS": "1000000000"}
QUICK = 5.0  # generous: the server answers in milliseconds when its event loop is free


@pytest.fixture
def hostile_site(web: WebServer) -> str:
    """A home page linking to the hostile page and to a plain one."""
    host = "127.0.0.1"
    web.add_route(host, "/", html(links_page("/deep", "/about")))
    web.add_route(host, "/deep", html(HOSTILE))
    web.add_route(host, "/about", html(page_html("About", prose("About the team"))))
    return f"http://{host}:{web.port}/"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Key, Key]:
    data = tmp_path / "data"
    return create_key(data, "main"), create_key(data, "other")


def start(tmp_path: Path, started: list[ServeProcess], **env: str) -> ServeProcess:
    server = ServeProcess(tmp_path / "data", tmp_path / "serve.log", workers=2, **env)
    started.append(server)
    return server.wait_ready()


def test_everyone_is_answered_and_a_cancel_sticks_while_a_hostile_page_is_parsed(
    tmp_path: Path,
    web: WebServer,
    hostile_site: str,
    keys: tuple[Key, Key],
    serve: list[ServeProcess],
) -> None:
    server = start(tmp_path, serve, SITELORE_PAGE_TIMEOUT="600", **NO_CAPS)
    main, other = keys
    with (
        httpx.Client(base_url=server.url, headers={"x-api-key": main.key}, timeout=QUICK) as mine,
        httpx.Client(
            base_url=server.url, headers={"x-api-key": other.key}, timeout=QUICK
        ) as theirs,
    ):
        theirs_done = submit(theirs, {"url": hostile_site, "singlePage": True})
        wait_job(theirs, theirs_done, timeout=30)
        hostile = submit(mine, {"url": hostile_site, "maxPages": 3})
        eventually(lambda: "/deep" in web.paths("127.0.0.1"), timeout=30)
        for _ in range(10):  # the page is being parsed meanwhile
            assert server_answers(mine, "/healthz")
            assert server_answers(theirs, f"/v1/jobs/{theirs_done}")
        cancel = mine.post(f"/v1/jobs/{hostile}/cancel")
        assert cancel.status_code == 202, cancel.text
        ended = wait_job(mine, hostile, timeout=15)
    assert ended["status"] == "failed"
    assert ended["error"] == "Job cancelled"


def crawl(server: ServeProcess, key: Key, site: str) -> tuple[dict[str, Any], list[Frame]]:
    """The finished job of three pages of ``site``, and its ``page_scraped`` events."""
    headers = {"x-api-key": key.key}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        job_id = submit(client, {"url": site, "maxPages": 3})
        job = wait_job(client, job_id, timeout=60)
        with client.stream("GET", f"/v1/jobs/{job_id}/events") as response:
            return job, read_sse(response).of("page_scraped")


def server_answers(client: httpx.Client, path: str) -> bool:
    return client.get(path).status_code == 200  # a timeout (QUICK) raises instead


def test_a_page_over_the_time_limit_fails_alone_and_its_job_completes(
    tmp_path: Path, hostile_site: str, keys: tuple[Key, Key], serve: list[ServeProcess]
) -> None:
    server = start(tmp_path, serve, SITELORE_PAGE_TIMEOUT="1", **NO_CAPS)
    job, pages = crawl(server, keys[0], hostile_site)
    assert job["status"] == "completed", job
    assert job["result"]["pagesScraped"] == 2
    status = {frame.data["url"].rsplit("/", 1)[1]: frame.data for frame in pages}
    assert status["about"]["status"] == "done"
    assert status["deep"]["status"] == "failed"
    assert "longer than the 1s page time limit" in status["deep"]["error"]


def test_the_hostile_page_is_refused_by_the_tree_caps_by_default(
    tmp_path: Path, hostile_site: str, keys: tuple[Key, Key], serve: list[ServeProcess]
) -> None:
    server = start(tmp_path, serve)
    job, pages = crawl(server, keys[0], hostile_site)
    assert job["status"] == "completed", job
    deep = next(frame.data for frame in pages if frame.data["url"].endswith("/deep"))
    assert deep["status"] == "failed"
    assert "nests elements more than 5,000 deep" in deep["error"]
