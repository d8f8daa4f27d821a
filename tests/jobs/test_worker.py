"""The worker's pull loop against a real SQLite store: stopping it always stops it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sitelore.jobs.hub import EventHub
from sitelore.jobs.models import JobStatus
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.worker import PullLoop, Worker, WorkerSettings
from sitelore.models import ExtractRequest
from tests.webserver import Pause, Response, WebServer


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "running-a-job"])
def test_a_pull_loop_whose_store_is_gone_still_stops_when_cancelled(
    tmp_path: Path, web: WebServer, busy: bool
) -> None:
    """A stopping server may close its store while the slots still run: every call then
    fails ("cannot schedule new futures after shutdown"). A slot must not retry that after
    its cancel, or the server never stops."""
    web.add_route("slow.test", "/", lambda _: Response(body=[Pause(30), b"<p>Hi</p>"]))

    async def scenario() -> bool:
        store = SQLiteStore(tmp_path / "sitelore.db")
        if busy:
            await store.create_job("key_1", ExtractRequest("http://slow.test/", max_pages=1))
        settings = WorkerSettings(concurrency=2, policy=None, poll_interval=0.05)
        worker = Worker(store, EventHub(), settings, resolver=web.resolver())
        running = asyncio.create_task(PullLoop(worker, store).run())
        await asyncio.sleep(0.5)  # the job, if any, is claimed and fetching its slow page
        await store.close()  # the store goes first, as in a hurried shutdown
        running.cancel()
        done, _ = await asyncio.wait({running}, timeout=10)
        return running in done

    assert asyncio.run(scenario()), "the pull loop did not stop within 10 s of its cancel"


def test_a_worker_never_takes_its_own_running_job_for_dead(tmp_path: Path, web: WebServer) -> None:
    """Late heartbeats (a busy process) are not death: the worker's own housekeeping leaves
    its running job alone, and the job completes once, on its first attempt."""
    body = (
        b"<main><h1>Hi</h1><p>" + b"A page that arrives slowly but arrives. " * 5 + b"</p></main>"
    )
    headers = {"Content-Type": "text/html; charset=utf-8"}
    web.add_route("slow.test", "/", lambda _: Response(headers=headers, body=[Pause(1.5), body]))

    async def scenario() -> tuple[int, JobStatus, int]:
        store = SQLiteStore(tmp_path / "sitelore.db")
        job = await store.create_job("key_1", ExtractRequest("http://slow.test/", max_pages=1))
        settings = WorkerSettings(
            concurrency=1, policy=None, poll_interval=0.05, heartbeat_interval=3600, stale_after=0
        )
        worker = Worker(store, EventHub(), settings, resolver=web.resolver())
        pulling = asyncio.create_task(PullLoop(worker, store).run(burst=True))
        while (await store.get_job(job.id) or job).status is not JobStatus.PROCESSING:
            await asyncio.sleep(0.05)
        recovered = await worker.recover()  # its heartbeat is as stale as stale_after says
        await pulling
        final = await store.get_job(job.id)
        await store.close()
        assert final is not None
        return recovered, final.status, final.attempts

    assert asyncio.run(scenario()) == (0, JobStatus.COMPLETED, 1)
