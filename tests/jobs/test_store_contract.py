"""The storage contract (:class:`~sitelore.jobs.store.JobStore`), the same on every backend.

Each test runs once on SQLite and once on PostgreSQL (``backend`` fixture). Jobs reach a
worker differently (SQLite: ``claim_job`` pulls the oldest pending job; PostgreSQL:
``claim(job_id)`` takes the one its queue entry names), so the tests claim through
:func:`claim`, always the oldest pending job. Times on PostgreSQL come from the database
clock: the tests only compare times the store itself returned.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from sitelore.jobs.models import CANCELLED, Job, JobStatus
from sitelore.jobs.store import JobStore
from sitelore.models import ExtractRequest
from tests.jobs.conftest import (
    KEY,
    OTHER_KEY,
    OTHER_WORKER,
    REQUEST,
    WORKER,
    Backend,
    claim,
    current,
    open_sqlite,
    running,
    take,
)

FULL_REQUEST = ExtractRequest(
    "https://acme.test/",
    max_pages=25,
    single_page=False,
    include_patterns=("/pricing*", "/features/**"),
    exclude_patterns=("/blog/**",),
    urls=("https://acme.test/pricing", "https://acme.test/faq"),
    callback_url="https://hooks.test/sitelore",
    explain=True,
)

# -- creating and reading jobs ----------------------------------------------------------------


@pytest.mark.parametrize("request_", [REQUEST, FULL_REQUEST], ids=["minimal", "full"])
def test_create_job_is_pending_and_reads_back(backend: Backend, request_: ExtractRequest) -> None:
    async def body(store: JobStore) -> None:
        job = await store.create_job(KEY, request_)
        assert job.id.startswith("job_")
        assert (job.key_id, job.status, job.request, job.attempts) == (
            KEY,
            JobStatus.PENDING,
            request_,
            0,
        )
        assert (job.progress, job.result, job.error, job.started_at, job.finished_at) == (
            (None,) * 5
        )
        assert not job.cancel_requested
        assert await store.get_job(job.id) == job
        assert await store.get_job(job.id, KEY) == job
        assert await store.get_job(job.id, OTHER_KEY) is None
        assert await store.get_job("job_missing") is None

    backend.run(body)


@pytest.mark.parametrize(
    ("second_key", "first_idem", "second_idem", "same"),
    [
        pytest.param(KEY, "retry-1", "retry-1", True, id="same-key-same-idempotency-key"),
        pytest.param(KEY, "retry-1", "retry-2", False, id="other-idempotency-key"),
        pytest.param(OTHER_KEY, "retry-1", "retry-1", False, id="other-api-key"),
        pytest.param(KEY, None, None, False, id="no-idempotency-key"),
    ],
)
def test_idempotency_key(
    backend: Backend, second_key: str, first_idem: str | None, second_idem: str | None, same: bool
) -> None:
    async def body(store: JobStore) -> None:
        first = await store.create_job(KEY, REQUEST, idempotency_key=first_idem)
        second = await store.create_job(second_key, FULL_REQUEST, idempotency_key=second_idem)
        assert (second.id == first.id) is same
        if same:
            assert second == first  # the first job, its request unchanged
        expected = {first.id, second.id} if second_key == KEY else {first.id}
        assert {job.id for job in (await store.list_jobs(KEY, None, 10, None))[0]} == expected

    backend.run(body)


def test_list_jobs_is_newest_first_and_per_key(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        mine = [await store.create_job(KEY, REQUEST) for _ in range(3)]
        await store.create_job(OTHER_KEY, REQUEST)
        jobs, cursor = await store.list_jobs(KEY, None, 10, None)
        assert [job.id for job in jobs] == [job.id for job in reversed(mine)]
        assert cursor is None
        assert (await store.list_jobs("key-none", None, 10, None)) == ([], None)

    backend.run(body)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, ["pending", "processing", "completed"]),
        (JobStatus.PENDING, ["pending"]),
        (JobStatus.PROCESSING, ["processing"]),
        (JobStatus.COMPLETED, ["completed"]),
        (JobStatus.FAILED, []),
    ],
)
def test_list_jobs_filters_by_status(
    backend: Backend, status: JobStatus | None, expected: list[str]
) -> None:
    async def body(store: JobStore) -> None:
        completed = await running(store)
        await store.finish_job(completed.id, WORKER, result={"ok": True})
        processing = await running(store)
        pending = await store.create_job(KEY, REQUEST)
        names = {completed.id: "completed", processing.id: "processing", pending.id: "pending"}
        jobs, _ = await store.list_jobs(KEY, status, 10, None)
        assert [names[job.id] for job in jobs] == expected
        assert all(job.status.value == names[job.id] for job in jobs)

    backend.run(body)


@pytest.mark.parametrize(("count", "limit"), [(5, 2), (4, 2), (3, 5), (1, 1), (0, 3)])
def test_list_jobs_cursor_walks_every_page(backend: Backend, count: int, limit: int) -> None:
    async def body(store: JobStore) -> None:
        created = [await store.create_job(KEY, REQUEST) for _ in range(count)]
        pages: list[list[str]] = []
        cursor: str | None = None
        while True:
            jobs, cursor = await store.list_jobs(KEY, None, limit, cursor)
            pages.append([job.id for job in jobs])
            if cursor is None:
                break
            assert len(pages) <= count, "the cursor never ends"
        assert [job_id for page in pages for job_id in page] == [j.id for j in reversed(created)]
        assert all(len(page) == limit for page in pages[:-1])
        assert len(pages) == max(1, -(-count // limit))

    backend.run(body)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        base64.urlsafe_b64encode(b"yesterday|job_x").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd|job_x").decode(),
        base64.urlsafe_b64encode(b"1.5").decode(),
        base64.urlsafe_b64encode(b"-inf|").decode(),
        base64.urlsafe_b64encode(b"nan|job_x").decode(),
        base64.urlsafe_b64encode(b"inf|job_x").decode(),
    ],
    ids=["garbage", "punctuation", "not-a-time", "not-utf8", "no-bar", "no-id", "nan", "inf"],
)
def test_list_jobs_refuses_a_foreign_cursor(backend: Backend, cursor: str) -> None:
    async def body(store: JobStore) -> None:
        await store.create_job(KEY, REQUEST)
        with pytest.raises(ValueError):
            await store.list_jobs(KEY, None, 10, cursor)

    backend.run(body)


# -- a held job: heartbeats, progress, finishing -----------------------------------------------

Prepare = Callable[[JobStore, Job], Awaitable[str]]


async def _held(store: JobStore, job: Job) -> str:
    await claim(store, job)
    return WORKER


async def _cancel_requested(store: JobStore, job: Job) -> str:
    await claim(store, job)
    await store.request_cancel(job.id, KEY)
    return WORKER


async def _other_worker(store: JobStore, job: Job) -> str:
    await claim(store, job)
    return OTHER_WORKER


async def _still_pending(store: JobStore, job: Job) -> str:
    return WORKER


async def _finished(store: JobStore, job: Job) -> str:
    await claim(store, job)
    await store.finish_job(job.id, WORKER, result={})
    return WORKER


@pytest.mark.parametrize(
    ("prepare", "stop"),
    [
        pytest.param(_held, False, id="held"),
        pytest.param(_cancel_requested, True, id="cancel-requested"),
        pytest.param(_other_worker, True, id="held-by-another-worker"),
        pytest.param(_still_pending, True, id="not-claimed"),
        pytest.param(_finished, True, id="finished"),
    ],
)
def test_heartbeat_tells_the_worker_when_to_stop(
    backend: Backend, prepare: Prepare, stop: bool
) -> None:
    async def body(store: JobStore) -> None:
        job = await store.create_job(KEY, REQUEST)
        worker = await prepare(store, job)
        assert await store.heartbeat(job.id, worker) is stop

    backend.run(body)


def test_claim_starts_the_job(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        assert (job.status, job.attempts) == (JobStatus.PROCESSING, 1)
        assert job.started_at is not None and job.started_at >= job.created_at
        assert await current(store, job) == job

    backend.run(body)


def test_set_progress_only_on_a_processing_job(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        await store.set_progress(job.id, {"pagesScraped": 1})
        await store.set_progress(job.id, {"pagesScraped": 2, "stage": "crawl"})
        assert (await current(store, job)).progress == {"pagesScraped": 2, "stage": "crawl"}
        pending = await store.create_job(KEY, REQUEST)
        await store.set_progress(pending.id, {"pagesScraped": 9})
        assert (await current(store, pending)).progress is None

    backend.run(body)


Outcome = tuple[dict[str, Any] | None, str | None]  # (result, error) of finish_job
DONE: Outcome = ({"business": {"name": "Acme"}}, None)
FAILED: Outcome = (None, "Connection timeout after 30s")


async def finish(store: JobStore, job: Job, outcome: Outcome, **progress: Any) -> Job | None:
    result, error = outcome
    return await store.finish_job(job.id, WORKER, result=result, error=error, **progress)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        pytest.param(DONE, JobStatus.COMPLETED, id="completed"),
        pytest.param(FAILED, JobStatus.FAILED, id="failed"),
    ],
)
def test_finish_job(backend: Backend, outcome: Outcome, status: JobStatus) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        await store.set_progress(job.id, {"pagesScraped": 1})
        finished = await finish(store, job, outcome, progress={"pagesScraped": 3})
        assert finished is not None
        assert finished.status is status
        assert (finished.result, finished.error) == outcome
        assert finished.progress == {"pagesScraped": 3}
        assert finished.started_at is not None and finished.finished_at is not None
        assert finished.finished_at >= finished.started_at
        assert await current(store, job) == finished

    backend.run(body)


def test_finish_without_progress_keeps_the_last_progress(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        await store.set_progress(job.id, {"pagesScraped": 4})
        finished = await store.finish_job(job.id, WORKER, result={})
        assert finished is not None and finished.progress == {"pagesScraped": 4}

    backend.run(body)


def test_only_the_holding_worker_finishes(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        assert await store.finish_job(job.id, OTHER_WORKER, result={"stolen": True}) is None
        assert (await current(store, job)).status is JobStatus.PROCESSING
        assert await store.finish_job(job.id, WORKER, result={"mine": True}) is not None
        assert (await current(store, job)).result == {"mine": True}

    backend.run(body)


@pytest.mark.parametrize(
    ("first", "second"),
    [(DONE, DONE), (DONE, FAILED), (FAILED, DONE), (FAILED, FAILED)],
    ids=[
        "completed-then-completed",
        "completed-then-failed",
        "failed-then-completed",
        "failed-then-failed",
    ],
)
def test_a_finished_job_cannot_be_finished_again(
    backend: Backend, first: Outcome, second: Outcome
) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        done = await finish(store, job, first)
        assert done is not None
        assert await finish(store, job, second) is None
        assert await current(store, job) == done

    backend.run(body)


# -- cancelling, releasing, recovering -----------------------------------------------------------


def test_cancel_a_pending_job_fails_it(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await store.create_job(KEY, REQUEST)
        cancelled = await store.request_cancel(job.id, KEY)
        assert cancelled is not None
        assert (cancelled.status, cancelled.error) == (JobStatus.FAILED, CANCELLED)
        assert cancelled.finished_at is not None
        assert cancelled.to_dict()["error"] == "Job cancelled"
        assert await current(store, job) == cancelled
        assert await take(store, job) is None  # never runs

    backend.run(body)


def test_cancel_a_processing_job_flags_it_for_its_worker(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        flagged = await store.request_cancel(job.id, KEY)
        assert flagged is not None
        assert (flagged.status, flagged.cancel_requested) == (JobStatus.PROCESSING, True)
        assert await store.heartbeat(job.id, WORKER) is True
        done = await store.finish_job(job.id, WORKER, error=CANCELLED)
        assert done is not None and (done.status, done.error) == (JobStatus.FAILED, CANCELLED)

    backend.run(body)


@pytest.mark.parametrize("claimed", [False, True], ids=["pending", "processing"])
def test_cancel_of_another_keys_job_is_none(backend: Backend, claimed: bool) -> None:
    async def body(store: JobStore) -> None:
        job = await store.create_job(KEY, REQUEST)
        if claimed:
            job = await claim(store, job)
        assert await store.request_cancel(job.id, OTHER_KEY) is None
        assert await store.request_cancel("job_missing", KEY) is None
        assert await current(store, job) == job

    backend.run(body)


def test_cancel_of_a_finished_job_changes_nothing(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        done = await store.finish_job(job.id, WORKER, result={"n": 1})
        assert await store.request_cancel(job.id, KEY) == done

    backend.run(body)


def test_release_hands_the_job_back_without_using_an_attempt(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        await store.set_progress(job.id, {"pagesScraped": 2})
        assert await store.release(job.id, OTHER_WORKER) is None
        assert (await current(store, job)).status is JobStatus.PROCESSING
        released = await store.release(job.id, WORKER)
        assert released is not None
        assert (released.status, released.attempts) == (JobStatus.PENDING, 0)
        assert released.progress is None
        assert await store.release(job.id, WORKER) is None  # not held any more
        again = await claim(store, job, OTHER_WORKER)
        assert again.attempts == 1
        assert await store.heartbeat(job.id, WORKER) is True  # the old worker lost it

    backend.run(body)


@pytest.mark.parametrize(
    ("max_attempts", "status"),
    [(1, JobStatus.FAILED), (2, JobStatus.PENDING), (5, JobStatus.PENDING)],
)
def test_recover_stalled(backend: Backend, max_attempts: int, status: JobStatus) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        recovered = await store.recover_stalled(stale_after=0.0, max_attempts=max_attempts)
        assert [(r.id, r.status) for r in recovered] == [(job.id, status)]
        now = await current(store, job)
        assert now == recovered[0]
        assert now.attempts == 1
        if status is JobStatus.FAILED:
            assert now.error is not None and "gave up after" in now.error
            assert now.finished_at is not None
        else:
            assert (now.error, now.finished_at) == (None, None)
            assert (await claim(store, job, OTHER_WORKER)).attempts == 2
        assert await store.heartbeat(job.id, WORKER) is True  # the stalled worker lost it

    backend.run(body)


def test_recover_stalled_gives_up_once_attempts_run_out(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        job = await running(store)
        assert [r.status for r in await store.recover_stalled(0.0, 2)] == [JobStatus.PENDING]
        assert (await claim(store, job)).attempts == 2
        assert [r.status for r in await store.recover_stalled(0.0, 2)] == [JobStatus.FAILED]
        assert "gave up after 2 attempts" in ((await current(store, job)).error or "")

    backend.run(body)


def test_recover_stalled_never_takes_the_callers_own_jobs(backend: Backend) -> None:
    """A process whose heartbeats were late (a busy event loop) is still running its jobs:
    its own housekeeping must not take them for dead; another process's may."""

    async def body(store: JobStore) -> None:
        job = await running(store)  # held by WORKER, heartbeat as old as it gets below
        assert await store.recover_stalled(0.0, 3, alive=WORKER) == []
        assert (await current(store, job)).status is JobStatus.PROCESSING
        recovered = await store.recover_stalled(0.0, 3, alive=OTHER_WORKER)
        assert [r.id for r in recovered] == [job.id]

    backend.run(body)


def test_recover_stalled_leaves_live_pending_and_finished_jobs(backend: Backend) -> None:
    async def body(store: JobStore) -> None:
        done = await running(store)
        await store.finish_job(done.id, WORKER, result={})
        live = await running(store)
        assert await store.heartbeat(live.id, WORKER) is False
        pending = await store.create_job(KEY, REQUEST)
        assert await store.recover_stalled(stale_after=3600.0, max_attempts=3) == []
        assert (await current(store, live)).status is JobStatus.PROCESSING
        await store.finish_job(live.id, WORKER, result={})
        assert await store.recover_stalled(stale_after=0.0, max_attempts=3) == []
        assert (await current(store, pending)).status is JobStatus.PENDING

    backend.run(body)


# -- SQLite only: the pull queue's per-key limit ------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2])
def test_sqlite_claim_job_respects_the_per_key_limit(tmp_path: Path, limit: int) -> None:
    async def body() -> None:
        async with open_sqlite(tmp_path / "sitelore.db") as store:
            mine = [await store.create_job(KEY, REQUEST) for _ in range(limit + 1)]
            theirs = await store.create_job(OTHER_KEY, REQUEST)
            taken = [await store.claim_job(f"w{n}", per_key_limit=limit) for n in range(limit + 2)]
            assert [job and job.id for job in taken] == [
                *(job.id for job in mine[:limit]),
                theirs.id,
                None,
            ]
            await store.finish_job(mine[0].id, "w0", result={})
            last = await store.claim_job("w9", per_key_limit=limit)
            assert last is not None and last.id == mine[limit].id

    asyncio.run(body())
