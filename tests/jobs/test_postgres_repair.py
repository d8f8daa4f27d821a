"""The PostgreSQL store mends its queue where a process died between two steps: a queue
entry taken but never claimed, an entry left 'doing' after its job ended, a pending job
whose entry is gone. Each would otherwise leave a job (or a key's lock slot) stuck."""

from __future__ import annotations

import pytest

from sitelore.jobs.models import JobStatus
from sitelore.jobs.postgres import PostgresStore
from tests.jobs.test_postgres import (
    REQUEST,
    WORKER,
    Db,
    entries,
    mark_doing,
    queue_job_id,
    run_pg,
    running,
)


@pytest.mark.parametrize(("stale_after", "requeued"), [(0.0, True), (60.0, False)])
def test_an_entry_taken_by_a_worker_that_died_before_its_claim_runs_again(
    pg_conninfo: str, stale_after: float, requeued: bool
) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await store.create_job("key-a", REQUEST)
        taken = await mark_doing(db, job.id)
        await store.recover_stalled(stale_after=stale_after, max_attempts=3)
        [entry] = await entries(db, job.id)
        assert entry["id"] == taken
        assert entry["status"] == ("todo" if requeued else "doing")
        assert await store.claim(job.id, WORKER) is not None, "still pending: claimable"

    run_pg(pg_conninfo, body)


def test_an_entry_left_doing_after_its_job_ended_frees_its_lock(pg_conninfo: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await running(store)
        taken = await mark_doing(db, job.id)
        assert await store.finish_job(job.id, WORKER, result={}) is not None
        await store.recover_stalled(stale_after=0.0, max_attempts=3)
        [entry] = await entries(db, job.id)
        assert (entry["id"], entry["status"]) == (taken, "todo")
        assert await store.claim(job.id, "worker-2") is None, "it will not run twice"
        finished = await store.get_job(job.id)
        assert finished is not None and finished.status is JobStatus.COMPLETED

    run_pg(pg_conninfo, body)


@pytest.mark.parametrize("ended", ["succeeded", "failed", "deleted"])
def test_a_pending_job_whose_entry_ended_is_queued_again(pg_conninfo: str, ended: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await store.create_job("key-a", REQUEST)
        [old] = await entries(db, job.id)
        if ended == "deleted":
            await db.execute("DELETE FROM procrastinate_jobs WHERE id = %s", (old["id"],))
        else:
            await mark_doing(db, job.id)
            await db.execute(
                "UPDATE procrastinate_jobs SET status = %s WHERE id = %s", (ended, old["id"])
            )
        await store.recover_stalled(stale_after=60.0, max_attempts=3)
        live = [entry for entry in await entries(db, job.id) if entry["status"] == "todo"]
        assert len(live) == 1 and live[0]["id"] != old["id"]
        assert live[0]["lock"] == old["lock"]
        assert await queue_job_id(db, job.id) == live[0]["id"]

    run_pg(pg_conninfo, body)


def test_a_healthy_queue_is_left_alone(pg_conninfo: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        waiting = await store.create_job("key-a", REQUEST)
        held = await running(store, "key-b")
        await mark_doing(db, held.id)
        before = {job: await entries(db, job) for job in (waiting.id, held.id)}
        assert await store.recover_stalled(stale_after=60.0, max_attempts=3) == []
        assert {job: await entries(db, job) for job in before} == before

    run_pg(pg_conninfo, body)
