"""``/mcp`` is stateless: on PostgreSQL, two API processes (no workers) and a worker
process, a call to either API process goes on from where a call to the other left off."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jobs.conftest import fresh_pg_schema
from tests.mcp.toolkit import (
    QUERY,
    Session,
    acceptance,
    call,
    check_acceptance,
    check_not_found,
    over_http,
)
from tests.pgkit import Fleet, pg_env, store_create_key
from tests.webserver import WebServer

SMALL = 3_000


@pytest.fixture
def pg() -> Iterator[str]:
    """The conninfo of a fresh, migrated schema (skips without a test database)."""
    with fresh_pg_schema() as conninfo:
        yield conninfo


def test_calls_spread_over_two_api_processes(
    pg: str, web: WebServer, sites: Path, tmp_path: Path
) -> None:
    web.add_site("127.0.0.1", sites / "acme")
    home = f"http://127.0.0.1:{web.port}/"
    key, other = store_create_key(pg), store_create_key(pg)
    env = pg_env(pg, tmp_path / "data", SITELORE_MCP_MAX_CHARS=str(SMALL))
    with Fleet(tmp_path, env) as fleet:
        a, b = fleet.serve(), fleet.serve()
        fleet.worker(concurrency=2)
        a.wait_ready()
        b.wait_ready()

        async def work() -> tuple[Session, dict[str, Any], dict[str, Any]]:
            async with over_http(a.url, {"x-api-key": key}) as on_a:
                session = await acceptance(on_a, home, SMALL)
            job_id, cursor = session.extracted["jobId"], session.extracted["nextCursor"]
            async with over_http(b.url, {"x-api-key": key}) as on_b:
                job = await call(on_b, "get_job", {"jobId": job_id})
                page = await call(on_b, "get_knowledge", {"cursor": cursor}, None, SMALL)
                assert (await call(on_b, "search_knowledge", {"query": QUERY}))["total"] >= 1
            async with over_http(b.url, {"x-api-key": other}) as theirs:
                await check_not_found(theirs, job_id)
            return session, job, page

        session, job, page = asyncio.run(work())
    check_acceptance(session, "127.0.0.1")
    assert job["status"] == "completed" and job["itemCount"] == len(session.items)
    # The cursor A gave reads on B the page that follows A's first one.
    first = len(session.extracted["items"])
    assert page["items"] == session.items[first : first + len(page["items"])]
