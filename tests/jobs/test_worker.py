"""The worker's pull loop against a real SQLite store: stopping it always stops it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sitelore.jobs.hub import EventHub
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
