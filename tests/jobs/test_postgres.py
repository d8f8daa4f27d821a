"""PostgreSQL-only behaviour: migrations, opening, the procrastinate queue written beside each
job, several processes on one database, and the NOTIFY that wakes them.

The queue is read straight from ``procrastinate_jobs`` through a connection of the test's
own (on the test's schema): the entry a job's ``queue_job_id`` names is what a
procrastinate worker will run.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from psycopg.rows import DictRow, dict_row

from sitelore.jobs.models import Job, JobStatus
from sitelore.jobs.pgschema import MIGRATIONS, Migration, upgrade
from sitelore.jobs.pgsql import CANCEL_CHANNEL, EVENTS_CHANNEL, QUEUE_NAME, TASK_NAME
from sitelore.jobs.postgres import PostgresStore, SchemaOutdated
from sitelore.jobs.store import StoreUnavailable
from sitelore.models import ExtractRequest
from tests.jobs.conftest import fresh_pg_schema, open_postgres

Db = psycopg.AsyncConnection[DictRow]
REQUEST = ExtractRequest("https://example.com/")
WORKER = "worker-1"
NOTIFY_TIMEOUT = 10.0


def run_pg(
    conninfo: str, body: Callable[[PostgresStore, Db], Awaitable[None]], per_key_limit: int = 20
) -> None:
    """Await ``body(store, db)``: an opened store and a plain connection on the same schema."""

    async def scenario() -> None:
        async with (
            open_postgres(conninfo, per_key_limit=per_key_limit) as store,
            await psycopg.AsyncConnection.connect(
                conninfo, autocommit=True, row_factory=dict_row
            ) as db,
        ):
            await body(store, db)

    asyncio.run(scenario())


async def entries(db: Db, job_id: str) -> list[DictRow]:
    """The procrastinate jobs that would run sitelore job ``job_id``, oldest first."""
    cursor = await db.execute(
        "SELECT id, queue_name, task_name, lock, args, status::text AS status "
        "FROM procrastinate_jobs WHERE args->>'job_id' = %s ORDER BY id",
        (job_id,),
    )
    return await cursor.fetchall()


async def queue_job_id(db: Db, job_id: str) -> int | None:
    cursor = await db.execute("SELECT queue_job_id FROM sitelore_jobs WHERE id = %s", (job_id,))
    row = await cursor.fetchone()
    assert row is not None
    value: int | None = row["queue_job_id"]
    return value


async def mark_doing(db: Db, job_id: str) -> int:
    """What a procrastinate worker does when it starts the job's entry; returns its id."""
    entry = await queue_job_id(db, job_id)
    assert entry is not None
    await db.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = %s", (entry,))
    return entry


async def running(store: PostgresStore, key_id: str = "key-a") -> Job:
    job = await store.create_job(key_id, REQUEST)
    claimed = await store.claim(job.id, WORKER)
    assert claimed is not None
    return claimed


# -- migrations and opening ---------------------------------------------------------------------


def _versions(applied: list[Migration]) -> list[int]:
    return [migration.version for migration in applied]


def _recorded(conninfo: str) -> list[int]:
    with psycopg.connect(conninfo) as connection:
        rows = connection.execute("SELECT version FROM sitelore_schema_migrations ORDER BY 1")
        return [row[0] for row in rows]


def test_upgrade_twice_applies_nothing_the_second_time() -> None:
    with fresh_pg_schema(upgraded=False) as conninfo:
        assert _versions(upgrade(conninfo)) == [m.version for m in MIGRATIONS]
        assert upgrade(conninfo) == []
        assert _recorded(conninfo) == [m.version for m in MIGRATIONS]


def test_concurrent_upgrades_apply_each_migration_once() -> None:
    with fresh_pg_schema(upgraded=False) as conninfo:
        start = threading.Barrier(4)

        def one_upgrade() -> list[int]:
            start.wait(timeout=30)
            return _versions(upgrade(conninfo))

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda _: one_upgrade(), range(4)))
        assert sorted(v for applied in results for v in applied) == [m.version for m in MIGRATIONS]
        assert _recorded(conninfo) == [m.version for m in MIGRATIONS]


def _forget_last_migration(conninfo: str) -> None:
    upgrade(conninfo)
    with psycopg.connect(conninfo) as connection:
        connection.execute(
            "DELETE FROM sitelore_schema_migrations WHERE version = %s", (MIGRATIONS[-1].version,)
        )


@pytest.mark.parametrize(
    ("prepare", "missing"),
    [
        pytest.param(lambda conninfo: None, len(MIGRATIONS), id="never-upgraded"),
        pytest.param(_forget_last_migration, 1, id="one-migration-behind"),
    ],
)
def test_open_refuses_an_outdated_schema(prepare: Callable[[str], None], missing: int) -> None:
    with fresh_pg_schema(upgraded=False) as conninfo:
        prepare(conninfo)
        store = PostgresStore(conninfo)
        with pytest.raises(SchemaOutdated) as raised:
            asyncio.run(store.open())
        assert "sitelore db upgrade" in str(raised.value)
        assert f"({missing} migrations missing)" in str(raised.value)
        assert store.pool.closed


def test_open_an_unreachable_database_is_store_unavailable() -> None:
    store = PostgresStore("postgresql://postgres@127.0.0.1:1/test", timeout=1)
    with pytest.raises(StoreUnavailable) as raised:
        asyncio.run(store.open())
    assert not isinstance(raised.value, SchemaOutdated)
    assert store.pool.closed


# -- the queue entry written beside each job ----------------------------------------------------


def test_create_job_defers_one_queue_entry(pg_conninfo: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        _, key = await store.create_key("ci")
        job = await store.create_job(key.id, REQUEST)
        [entry] = await entries(db, job.id)
        assert (entry["status"], entry["task_name"], entry["queue_name"]) == (
            "todo",
            TASK_NAME,
            QUEUE_NAME,
        )
        assert entry["args"] == {"job_id": job.id}
        assert re.fullmatch(rf"{key.id}/\d+", entry["lock"])
        assert await queue_job_id(db, job.id) == entry["id"]

    run_pg(pg_conninfo, body)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_a_keys_jobs_spread_over_per_key_limit_locks(pg_conninfo: str, limit: int) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        _, key = await store.create_key("mine")
        _, other = await store.create_key("theirs")
        locks: list[str] = []
        for _ in range(2 * limit):
            job = await store.create_job(key.id, REQUEST)
            locks.extend(entry["lock"] for entry in await entries(db, job.id))
        assert len(locks) == 2 * limit
        assert len(set(locks)) == limit
        assert locks[:limit] == locks[limit:]  # round robin over the slots
        assert all(lock.startswith(f"{key.id}/") for lock in locks)
        theirs = await store.create_job(other.id, REQUEST)
        [entry] = await entries(db, theirs.id)
        assert entry["lock"] not in locks

    run_pg(pg_conninfo, body, per_key_limit=limit)


def test_cancel_of_a_pending_job_removes_its_queue_entry(pg_conninfo: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        pending = await store.create_job("key-a", REQUEST)
        processing = await running(store)
        await store.request_cancel(pending.id, "key-a")
        await store.request_cancel(processing.id, "key-a")
        assert await entries(db, pending.id) == []
        assert len(await entries(db, processing.id)) == 1  # its worker stops it
        assert await store.claim(pending.id, WORKER) is None

    run_pg(pg_conninfo, body)


@pytest.mark.parametrize(
    ("max_attempts", "status"), [(3, JobStatus.PENDING), (1, JobStatus.FAILED)]
)
def test_recover_stalled_replaces_the_dead_workers_queue_entry(
    pg_conninfo: str, max_attempts: int, status: JobStatus
) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await running(store)
        [before] = await entries(db, job.id)
        assert await mark_doing(db, job.id) == before["id"]
        recovered = await store.recover_stalled(stale_after=0.0, max_attempts=max_attempts)
        assert [(r.id, r.status) for r in recovered] == [(job.id, status)]
        after = await entries(db, job.id)
        assert before["id"] not in [entry["id"] for entry in after]  # the lock slot is free
        if status is JobStatus.FAILED:
            assert after == []
            assert await queue_job_id(db, job.id) is None
        else:
            [entry] = after
            assert (entry["status"], entry["lock"]) == ("todo", before["lock"])
            assert await queue_job_id(db, job.id) == entry["id"]
            assert await store.claim(job.id, "worker-2") is not None

    run_pg(pg_conninfo, body)


def test_release_defers_a_new_queue_entry(pg_conninfo: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await running(store)
        doing = await mark_doing(db, job.id)
        released = await store.release(job.id, WORKER)
        assert released is not None and released.status is JobStatus.PENDING
        statuses = {entry["id"]: entry["status"] for entry in await entries(db, job.id)}
        new = await queue_job_id(db, job.id)
        assert new is not None and new != doing
        assert statuses == {doing: "doing", new: "todo"}
        locks = {entry["lock"] for entry in await entries(db, job.id)}
        assert len(locks) == 1

    run_pg(pg_conninfo, body)


def test_claim_takes_a_pending_job_once(pg_conninfo: str) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await store.create_job("key-a", REQUEST)
        first = await store.claim(job.id, WORKER)
        assert first is not None and first.status is JobStatus.PROCESSING
        assert await store.claim(job.id, "worker-2") is None
        assert await store.claim(job.id, WORKER) is None
        cancelled = await store.create_job("key-a", REQUEST)
        await store.request_cancel(cancelled.id, "key-a")
        assert await store.claim(cancelled.id, WORKER) is None
        assert await store.claim("job_missing", WORKER) is None
        assert (await store.get_job(job.id)) == first

    run_pg(pg_conninfo, body)


# -- several processes on one database ----------------------------------------------------------


def run_two(
    pg_conninfo: str, body: Callable[[PostgresStore, PostgresStore], Awaitable[None]]
) -> None:
    """Two stores with pools of their own on one schema, as two processes would have."""

    async def scenario() -> None:
        async with open_postgres(pg_conninfo) as one, open_postgres(pg_conninfo) as two:
            await body(one, two)

    asyncio.run(scenario())


def test_two_stores_see_each_others_jobs(pg_conninfo: str) -> None:
    async def body(one: PostgresStore, two: PostgresStore) -> None:
        job = await one.create_job("key-a", REQUEST)
        assert await two.get_job(job.id) == job
        claimed = await two.claim(job.id, "worker-of-two")
        assert claimed is not None
        assert await one.get_job(job.id) == claimed
        assert await one.heartbeat(job.id, "worker-of-two") is False

    run_two(pg_conninfo, body)


def test_concurrent_claims_have_one_winner(pg_conninfo: str) -> None:
    async def body(one: PostgresStore, two: PostgresStore) -> None:
        for _ in range(10):
            job = await one.create_job("key-a", REQUEST)
            won = await asyncio.gather(one.claim(job.id, "w1"), two.claim(job.id, "w2"))
            winners = [claimed for claimed in won if claimed is not None]
            assert len(winners) == 1
            assert winners[0].attempts == 1
            assert await one.get_job(job.id) == winners[0]

    run_two(pg_conninfo, body)


def test_concurrent_events_get_distinct_numbers(pg_conninfo: str) -> None:
    async def body(one: PostgresStore, two: PostgresStore) -> None:
        job = await one.create_job("key-a", REQUEST)
        added = await asyncio.gather(
            *(
                store.add_event(job.id, "progress", {"n": n})
                for n in range(10)
                for store in (one, two)
            )
        )
        assert sorted(event.seq for event in added) == list(range(1, 21))
        assert [event.seq for event in await two.events_after(job.id, 0)] == list(range(1, 21))

    run_two(pg_conninfo, body)


def test_housekeeping_and_deliveries_go_to_one_process(pg_conninfo: str) -> None:
    async def body(one: PostgresStore, two: PostgresStore) -> None:
        turns = await asyncio.gather(*(s.housekeeping_due("retention", 60) for s in (one, two) * 3))
        assert sorted(turns) == [False] * 5 + [True]
        added = [
            await one.add_delivery("job_1", "key-a", "https://h.test/", "e", "{}") for _ in "abcd"
        ]
        now = max(delivery.next_at for delivery in added)
        first, second = await asyncio.gather(
            one.due_deliveries(now, limit=10), two.due_deliveries(now, limit=10)
        )
        ids = [delivery.id for delivery in first + second]
        assert sorted(ids) == sorted(delivery.id for delivery in added)  # each one sent once

    run_two(pg_conninfo, body)


# -- NOTIFY wakes every process ----------------------------------------------------------------


async def _add_event(store: PostgresStore, job: Job) -> None:
    await store.add_event(job.id, "progress", {"n": 1})


async def _cancel(store: PostgresStore, job: Job) -> None:
    await store.request_cancel(job.id, job.key_id)


async def _finish(store: PostgresStore, job: Job) -> None:
    await store.finish_job(job.id, WORKER, result={})


@pytest.mark.parametrize(
    ("action", "payloads"),
    [
        pytest.param(_add_event, [(EVENTS_CHANNEL, "{id}")], id="add_event"),
        pytest.param(
            _cancel, [(CANCEL_CHANNEL, "{id}"), (EVENTS_CHANNEL, "{id}")], id="request_cancel"
        ),
        pytest.param(_finish, [(EVENTS_CHANNEL, "{id}")], id="finish_job"),
    ],
)
def test_writes_notify_listeners(
    pg_conninfo: str,
    action: Callable[[PostgresStore, Job], Awaitable[None]],
    payloads: list[tuple[str, str]],
) -> None:
    async def body(store: PostgresStore, db: Db) -> None:
        job = await running(store)
        await db.execute(f"LISTEN {EVENTS_CHANNEL}")
        await db.execute(f"LISTEN {CANCEL_CHANNEL}")
        await action(store, job)
        wanted = {(channel, payload.format(id=job.id)) for channel, payload in payloads}
        assert await asyncio.wait_for(_heard(db, wanted), NOTIFY_TIMEOUT) == wanted

    run_pg(pg_conninfo, body)


async def _heard(db: Db, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``wanted`` notifications once all arrived (other tests' ones are ignored)."""
    heard: set[tuple[str, str]] = set()
    async for notify in db.notifies(timeout=NOTIFY_TIMEOUT):
        if (notify.channel, notify.payload) in wanted:
            heard.add((notify.channel, notify.payload))
        if heard == wanted:
            break
    return heard
