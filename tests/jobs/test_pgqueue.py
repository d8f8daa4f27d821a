"""The PostgreSQL queue in one process: procrastinate workers running sitelore jobs (burst
mode), and the listener that turns notifications into wake-ups."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable

import psycopg
from psycopg.rows import dict_row

from sitelore.jobs.hub import EventHub
from sitelore.jobs.models import CANCELLED, JobStatus
from sitelore.jobs.pgqueue import Listener, QueueSettings, run_queue_worker
from sitelore.jobs.postgres import PostgresStore
from sitelore.jobs.worker import Worker, WorkerSettings, cancel_topic
from sitelore.models import ExtractRequest
from tests.jobs.conftest import open_postgres
from tests.sitekit import ACME_HOME, serve_acme
from tests.webserver import WebServer

WAKE_TIMEOUT = 10.0


def run_with_store(conninfo: str, body: Callable[[PostgresStore], Awaitable[None]]) -> None:
    async def scenario() -> None:
        async with open_postgres(conninfo) as store:
            await body(store)

    asyncio.run(scenario())


def worker_for(store: PostgresStore, web: WebServer) -> Worker:
    settings = WorkerSettings(concurrency=2, heartbeat_interval=0.2, policy=None)
    return Worker(store, EventHub(), settings, resolver=web.resolver())


async def queue_rows(conninfo: str) -> list[dict[str, object]]:
    async with await psycopg.AsyncConnection.connect(conninfo, row_factory=dict_row) as db:
        cursor = await db.execute("SELECT status, args FROM procrastinate_jobs ORDER BY id")
        return list(await cursor.fetchall())


def test_a_queue_worker_runs_the_queued_jobs_in_burst_mode(
    pg_conninfo: str, web: WebServer
) -> None:
    serve_acme(web)
    home = ACME_HOME

    async def body(store: PostgresStore) -> None:
        _, key = await store.create_key("k")
        jobs = [await store.create_job(key.id, ExtractRequest(url=home, max_pages=3)) for _ in "ab"]
        await run_queue_worker(store, worker_for(store, web), QueueSettings(), burst=True)
        for job in jobs:
            done = await store.get_job(job.id)
            assert done is not None and done.status is JobStatus.COMPLETED, done
            assert done.result is not None and done.result["pagesScraped"] == 3
            names = [event.name for event in await store.events_after(job.id, 0)]
            assert names.count("page_scraped") == 3 and names[-1] == "complete", names
        assert await queue_rows(store.conninfo) == [], "succeeded queue entries are deleted"

    run_with_store(pg_conninfo, body)


def test_a_job_cancelled_while_queued_never_runs(pg_conninfo: str, web: WebServer) -> None:
    serve_acme(web)
    home = ACME_HOME

    async def body(store: PostgresStore) -> None:
        _, key = await store.create_key("k")
        kept = await store.create_job(key.id, ExtractRequest(url=home, single_page=True))
        dropped = await store.create_job(key.id, ExtractRequest(url=home, max_pages=3))
        await store.request_cancel(dropped.id, key.id)
        await run_queue_worker(store, worker_for(store, web), QueueSettings(), burst=True)
        cancelled = await store.get_job(dropped.id)
        assert cancelled is not None and cancelled.error == CANCELLED
        assert cancelled.attempts == 0, "no worker ever claimed it"
        events = await store.events_after(dropped.id, 0)
        assert [(e.name, e.data) for e in events] == [("error", {"message": CANCELLED})]
        finished = await store.get_job(kept.id)
        assert finished is not None and finished.status is JobStatus.COMPLETED
        assert len(web.paths("acme.test")) >= 1

    run_with_store(pg_conninfo, body)


def test_the_listener_wakes_streams_and_cancels(pg_conninfo: str) -> None:
    async def body(store: PostgresStore) -> None:
        hub = EventHub()
        listener = Listener(store.conninfo, hub)
        task = asyncio.create_task(listener.run())
        try:
            await asyncio.wait_for(listener.connected.wait(), WAKE_TIMEOUT)
            job = await store.create_job("k", ExtractRequest(url="https://a.example"))
            await store.claim(job.id, "w")
            with hub.subscribe(job.id) as news, hub.subscribe(cancel_topic(job.id)) as cancel:
                await store.request_cancel(job.id, "k")
                await asyncio.wait_for(cancel.wait(), WAKE_TIMEOUT)
                await asyncio.wait_for(news.wait(), WAKE_TIMEOUT)
        finally:
            task.cancel()

    run_with_store(pg_conninfo, body)


def test_the_listener_reconnects_and_wakes_every_waiter(pg_conninfo: str) -> None:
    name = "sl_listen_" + secrets.token_hex(4)
    conninfo = f"{pg_conninfo}&application_name={name}"

    async def body(store: PostgresStore) -> None:
        hub = EventHub()
        listener = Listener(conninfo, hub, max_backoff=0.5)
        task = asyncio.create_task(listener.run())
        try:
            await asyncio.wait_for(listener.connected.wait(), WAKE_TIMEOUT)
            with hub.subscribe("job_waiting") as waiting:
                await _terminate(pg_conninfo, name)
                # Whatever was sent while it was away is lost: every waiter re-reads.
                await asyncio.wait_for(waiting.wait(), WAKE_TIMEOUT)
            await asyncio.wait_for(listener.connected.wait(), WAKE_TIMEOUT)
            job = await store.create_job("k", ExtractRequest(url="https://a.example"))
            with hub.subscribe(job.id) as news:
                await store.add_event(job.id, "progress", {})
                await asyncio.wait_for(news.wait(), WAKE_TIMEOUT)
        finally:
            task.cancel()

    run_with_store(pg_conninfo, body)


async def _terminate(conninfo: str, application_name: str) -> None:
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as db:
        cursor = await db.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (application_name,),
        )
        row = await cursor.fetchone()
        assert row is not None and row[0] == 1, "the listener's connection was found"
