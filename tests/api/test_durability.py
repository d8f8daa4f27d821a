"""Durability and scale: many jobs at once, the per-key cap, a killed server, dead workers."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest

from sitelore.jobs.sqlite import SQLiteStore
from sitelore.models import ExtractRequest
from tests.api.conftest import StartApi, serve_slow
from tests.apikit import (
    JOB_ID,
    ServeProcess,
    create_key,
    eventually,
    get_job,
    iter_jobs,
    run_store,
    submit,
    wait_job,
)
from tests.sitekit import SITES
from tests.webserver import WebServer

TINY = "http://tiny.test/"


def test_fifty_jobs_submitted_at_once_all_complete(start_api: StartApi, web: WebServer) -> None:
    web.add_site("tiny.test", SITES / "tiny")
    api = start_api()

    async def submit_all() -> list[httpx.Response]:
        headers = {"x-api-key": api.key.key}
        async with httpx.AsyncClient(
            base_url=api.url, headers=headers, trust_env=False, timeout=30
        ) as client:
            body = {"url": TINY, "maxPages": 2}
            return await asyncio.gather(
                *(client.post("/v1/extract/async", json=body) for _ in range(50))
            )

    responses = asyncio.run(submit_all())
    assert [r.status_code for r in responses] == [202] * 50
    ids = {r.json()["jobId"] for r in responses}
    assert len(ids) == 50 and all(JOB_ID.match(job_id) for job_id in ids)
    client = api.client()

    def all_finished() -> bool:
        return not any(job["status"] in ("pending", "processing") for job in iter_jobs(client))

    eventually(all_finished, timeout=60, interval=0.2)
    listed = {job["id"]: job for job in iter_jobs(client, limit=100)}
    assert set(listed) == ids
    assert {job["status"] for job in listed.values()} == {"completed"}
    for job_id in ids:
        job = get_job(client, job_id)
        assert job["result"]["business"]["domain"] == "tiny.test"
        assert 1 <= job["result"]["pagesScraped"] <= 2


def test_per_key_cap_makes_the_second_job_wait_pending(start_api: StartApi, web: WebServer) -> None:
    home = serve_slow(web, delay=1.5)
    api = start_api(workers=2, max_concurrent_jobs_per_key=1)
    client, other = api.client(), api.client(api.other.key)
    first = submit(client, {"url": home, "maxPages": 3})
    wait_job(client, first, until=lambda job: job["status"] == "processing", timeout=5)
    second = submit(client, {"url": home, "maxPages": 3})
    third = submit(other, {"url": home, "maxPages": 3})
    # The other key's job takes the free worker; ours waits for the key's running job.
    wait_job(other, third, until=lambda job: job["status"] == "processing", timeout=5)
    assert get_job(client, first)["status"] == "processing"
    waiting = get_job(client, second)
    assert waiting["status"] == "pending"
    assert waiting["progress"] is None and waiting["startedAt"] is None
    done_first = wait_job(client, first)
    done_second = wait_job(client, second)
    assert done_first["status"] == done_second["status"] == "completed"
    assert done_second["startedAt"] >= done_first["finishedAt"]
    assert wait_job(other, third)["status"] == "completed"


# -- a server that dies ---------------------------------------------------------------------


def test_sigkill_mid_job_then_restart_retries_it_and_runs_pending_jobs(
    tmp_path: Path, web: WebServer, hanging_site: dict[str, bool]
) -> None:
    site = f"http://127.0.0.1:{web.port}/"
    data = tmp_path / "data"
    first = ServeProcess(data, tmp_path / "serve1.log", workers=1)
    second: ServeProcess | None = None
    try:
        first.wait_ready()
        key = first.first_key()
        assert key.startswith("sl_")
        headers = {"x-api-key": key}
        with httpx.Client(base_url=first.url, headers=headers, trust_env=False) as client:
            running = submit(client, {"url": site, "maxPages": 3})
            waiting = submit(client, {"url": site, "singlePage": True})
            eventually(lambda: "/slow/" in web.paths("127.0.0.1"), timeout=15)
            assert get_job(client, running)["status"] == "processing"
            assert get_job(client, waiting)["status"] == "pending"
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        hanging_site["hang"] = False

        second = ServeProcess(data, tmp_path / "serve2.log", workers=1).wait_ready()
        assert "created API key" not in second.stderr(), "the restart keeps the keys"
        with httpx.Client(base_url=second.url, headers=headers, trust_env=False) as client:
            retried = wait_job(client, running, timeout=30)
            ran = wait_job(client, waiting, timeout=30)
            if retried["status"] == "failed":
                assert retried["error"], retried
            else:
                assert retried["status"] == "completed", retried
                assert retried["result"]["pagesScraped"] == 3
            assert ran["status"] == "completed", ran
            statuses = {job["status"] for job in iter_jobs(client)}
            assert "processing" not in statuses and "pending" not in statuses
    finally:
        first.stop()
        if second is not None:
            second.stop()


@pytest.mark.parametrize(
    ("max_attempts", "status"), [(3, "completed"), (1, "failed")], ids=["retried", "given-up"]
)
def test_a_job_left_processing_by_a_dead_worker_is_recovered_at_start(
    start_api: StartApi, acme: str, tmp_path: Path, max_attempts: int, status: str
) -> None:
    """The database of a server that died: a job claimed by a worker that is gone."""
    data = tmp_path / "dead"
    key = create_key(data, "main")

    async def leave_processing(store: SQLiteStore) -> str:
        job = await store.create_job(key.id, ExtractRequest(url=acme, single_page=True))
        claimed = await store.claim_job("w_dead", 20)
        assert claimed is not None and claimed.id == job.id
        return job.id

    job_id = run_store(data / "sitelore.db", leave_processing)
    api = start_api(data_dir=data, max_attempts=max_attempts)
    client = api.client(key.key)
    job = wait_job(client, job_id, timeout=15)
    assert job["status"] == status, job
    if status == "failed":
        assert "gave up" in job["error"], job
        assert job["progress"] is None or job["progress"]["currentStep"] != "Starting"
    else:
        assert job["result"]["pagesScraped"] == 1


def test_a_job_running_when_the_server_stops_runs_again_after_restart(
    start_api: StartApi, web: WebServer
) -> None:
    home = serve_slow(web, delay=1.5)
    first = start_api(workers=1)
    client = first.client()
    job_id = submit(client, {"url": home, "maxPages": 3})
    eventually(lambda: "/about/" in web.paths("slow.test"), timeout=5)
    assert get_job(client, job_id)["status"] == "processing"
    first.close()
    first.server.stop()  # graceful: the worker is cancelled mid-job

    second = start_api(data_dir=first.data_dir, workers=1)
    job = wait_job(second.client(), job_id, timeout=15)
    assert job["status"] == "completed", job
    assert job["result"]["pagesScraped"] == 3
