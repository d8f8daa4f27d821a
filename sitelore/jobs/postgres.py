"""The scale-out store: jobs, events, keys and deliveries in PostgreSQL, beside the queue.

A job row and its procrastinate queue entry are written in one transaction (no dual
write), and so are every hand-back and retry. Times come from the database clock, so
heartbeats compare correctly across machines. Writes that others wait for send a
``NOTIFY`` with the job id at commit: on :data:`EVENTS_CHANNEL` for a new event or state
(API processes listen: streams and waiting requests), on :data:`CANCEL_CHANNEL` for a
cancel request (workers listen). :class:`~sitelore.jobs.pgqueue.Listener` turns them into
wake-ups in each process.

A pending job reaches a worker through procrastinate (:mod:`sitelore.jobs.pgqueue`),
whose task claims it with :meth:`PostgresStore.claim`. A key's jobs are spread over
``per_key_limit`` procrastinate locks, so no more than that many run at once.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import psycopg_pool
from psycopg.rows import DictRow, dict_row

from sitelore.jobs import hookstore
from sitelore.jobs.conditions import ConditionLog
from sitelore.jobs.hookstore import Webhook, new_webhook, webhook_from_row
from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.models import (
    CANCELLED,
    ApiKey,
    Delivery,
    Ending,
    Job,
    JobEvent,
    JobStatus,
    request_to_json,
)
from sitelore.jobs.pgschema import missing_migrations
from sitelore.jobs.pgsql import (
    CANCEL_CHANNEL,
    DEFER,
    EVENTS_CHANNEL,
    NOW,
    QUEUE_NAME,
    TASK_NAME,
    Connection,
    append_event,
    insert_delivery,
    qualified,
)
from sitelore.jobs.rows import (
    JOB_COLUMNS,
    decode_cursor,
    delivery_from_row,
    encode_cursor,
    job_from_row,
    key_from_row,
    status_counts,
)
from sitelore.jobs.store import (
    KEY_PREFIX,
    StoreUnavailable,
    delivery_status,
    hash_secret,
    new_job_id,
    new_key,
    secrets_match,
    split_key,
)
from sitelore.models import ExtractRequest

log = logging.getLogger("sitelore.store")


class SchemaOutdated(StoreUnavailable):
    """The database lacks migrations: run ``sitelore db upgrade`` (then start again)."""


class PostgresStore:
    """:class:`~sitelore.jobs.store.JobStore` on PostgreSQL; call :meth:`open` first."""

    def __init__(
        self,
        conninfo: str,
        *,
        per_key_limit: int = 20,
        pool_size: int = 10,
        timeout: float = 5.0,
    ) -> None:
        self.conninfo = conninfo
        self.per_key_limit = max(per_key_limit, 1)
        self.pool = psycopg_pool.AsyncConnectionPool[Connection](
            conninfo,
            connection_class=psycopg.AsyncConnection[DictRow],
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=timeout,
            kwargs={"row_factory": dict_row},
            check=psycopg_pool.AsyncConnectionPool.check_connection,
        )
        self._queue = {"queue": QUEUE_NAME, "task": TASK_NAME}
        self._condition = ConditionLog(log, "database")

    # -- plumbing ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, and refuse a database whose schema is not up to date."""
        try:
            await self.pool.open(wait=True, timeout=self.pool.timeout)
        except psycopg_pool.PoolTimeout as error:
            raise StoreUnavailable(f"cannot connect to PostgreSQL: {error}") from error
        try:
            async with self._connection() as connection:
                missing = await missing_migrations(connection)
        except BaseException:
            await self.pool.close()
            raise
        if missing:
            await self.pool.close()
            raise SchemaOutdated(
                f"the database schema is not up to date ({len(missing)} migrations missing): "
                "run `sitelore db upgrade`"
            )

    def knowledge(self) -> KnowledgeStore:
        """The knowledge store on this database (it borrows this store's pool)."""
        from sitelore.jobs.knowledge_postgres import KnowledgePostgres

        return KnowledgePostgres(self)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an error."""
        try:
            async with self.pool.connection() as connection:
                yield connection
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
            unavailable = StoreUnavailable(f"database unavailable: {error}")
            self._condition.failing(unavailable)  # said once; the loops that retry are quiet
            raise unavailable from error
        self._condition.working()

    async def _one(self, sql: str, args: dict[str, Any] | None = None) -> DictRow | None:
        async with self._connection() as connection:
            cursor = await connection.execute(sql, args)
            return await cursor.fetchone()

    async def _all(self, sql: str, args: dict[str, Any] | None = None) -> list[DictRow]:
        async with self._connection() as connection:
            cursor = await connection.execute(sql, args)
            return await cursor.fetchall()

    async def _exec(self, sql: str, args: dict[str, Any]) -> None:
        async with self._connection() as connection:
            await connection.execute(sql, args)

    async def _job(self, sql: str, args: dict[str, Any]) -> Job | None:
        row = await self._one(sql, args)
        return None if row is None else job_from_row(row)

    async def ping(self) -> None:
        await self._one("SELECT 1")

    async def close(self) -> None:
        await self.pool.close()

    # -- jobs -------------------------------------------------------------------------------

    async def create_job(
        self, key_id: str, request: ExtractRequest, *, idempotency_key: str | None = None
    ) -> Job:
        if idempotency_key is not None:
            found = await self._job(
                f"SELECT {JOB_COLUMNS} FROM sitelore_jobs WHERE key_id = %(key)s "
                f"AND idempotency_key = %(idem)s",
                {"key": key_id, "idem": idempotency_key},
            )
            if found is not None:
                return found
        args = {
            **self._queue,
            "id": new_job_id(),
            "key": key_id,
            "request": request_to_json(request),
            "idem": idempotency_key,
            "slots": self.per_key_limit,
        }
        try:
            return await self._insert_job(args)
        except psycopg.errors.UniqueViolation:
            # The same Idempotency-Key raced in from another request: answer with its job.
            return await self.create_job(key_id, request, idempotency_key=idempotency_key)

    async def _insert_job(self, args: dict[str, Any]) -> Job:
        row = await self._one(
            "WITH counted AS (UPDATE sitelore_api_keys SET jobs_created = jobs_created + 1 "
            "  WHERE id = %(key)s RETURNING jobs_created AS n), "
            "slot AS (SELECT %(key)s || '/' || "
            "  COALESCE((SELECT n %% %(slots)s FROM counted), 0)::text AS lock) "
            "INSERT INTO sitelore_jobs (id, key_id, status, request, created_at, "
            "idempotency_key, queue_lock, queue_job_id) "
            f"SELECT %(id)s, %(key)s, 'pending', %(request)s, {NOW}, %(idem)s, slot.lock, "
            + DEFER.format(lock="slot.lock", job_id="%(id)s::text")
            + f" FROM slot RETURNING {JOB_COLUMNS}",
            args,
        )
        assert row is not None  # an INSERT ... SELECT of one row returns it
        return job_from_row(row)

    async def get_job(self, job_id: str, key_id: str | None = None) -> Job | None:
        job = await self._job(
            f"SELECT {JOB_COLUMNS} FROM sitelore_jobs WHERE id = %(id)s", {"id": job_id}
        )
        if job is None or (key_id is not None and job.key_id != key_id):
            return None
        return job

    async def count_jobs(self) -> dict[JobStatus, int]:
        query = "SELECT status, count(*) AS count FROM sitelore_jobs GROUP BY status"
        return status_counts(await self._all(query))

    async def list_jobs(
        self, key_id: str, status: JobStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        after = decode_cursor(cursor) if cursor else None
        query = f"SELECT {JOB_COLUMNS} FROM sitelore_jobs WHERE key_id = %(key)s"
        args: dict[str, Any] = {"key": key_id, "limit": limit + 1}
        if status is not None:
            query += " AND status = %(status)s"
            args["status"] = status.value
        if after is not None:
            query += " AND (created_at, id) < (%(created)s, %(after_id)s)"
            args.update(created=after[0], after_id=after[1])
        rows = await self._all(query + " ORDER BY created_at DESC, id DESC LIMIT %(limit)s", args)
        jobs = [job_from_row(row) for row in rows[:limit]]
        more = len(rows) > limit
        return jobs, encode_cursor(jobs[-1]) if more and jobs else None

    async def claim(self, job_id: str, worker_id: str) -> Job | None:
        """Take a pending job for ``worker_id``; None when it is not pending (any more)."""
        return await self._job(
            f"UPDATE sitelore_jobs SET status = 'processing', worker = %(worker)s, "
            f"heartbeat_at = {NOW}, started_at = COALESCE(started_at, {NOW}), "
            f"attempts = attempts + 1 WHERE id = %(id)s AND status = 'pending' "
            f"RETURNING {JOB_COLUMNS}",
            {"id": job_id, "worker": worker_id},
        )

    async def heartbeat(self, job_id: str, worker_id: str) -> bool:
        row = await self._one(
            f"UPDATE sitelore_jobs SET heartbeat_at = {NOW} WHERE id = %(id)s "
            f"AND worker = %(worker)s AND status = 'processing' RETURNING cancel_requested",
            {"id": job_id, "worker": worker_id},
        )
        return row is None or bool(row["cancel_requested"])

    async def set_progress(self, job_id: str, progress: dict[str, Any]) -> None:
        await self._exec(
            "UPDATE sitelore_jobs SET progress = %(progress)s "
            "WHERE id = %(id)s AND status = 'processing'",
            {"id": job_id, "progress": json.dumps(progress)},
        )

    async def finish_job(
        self,
        job_id: str,
        worker_id: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        progress: dict[str, Any] | None = None,
        ending: Ending | None = None,
    ) -> Job | None:
        status = JobStatus.FAILED if error is not None else JobStatus.COMPLETED
        async with self._connection() as connection:
            cursor = await connection.execute(
                f"UPDATE sitelore_jobs SET status = %(status)s, result = %(result)s, "
                f"error = %(error)s, finished_at = {NOW}, "
                f"progress = COALESCE(%(progress)s, progress), worker = NULL "
                f"WHERE id = %(id)s AND worker = %(worker)s AND status = 'processing' "
                f"RETURNING {JOB_COLUMNS}, pg_notify('{EVENTS_CHANNEL}', id)",
                {
                    "status": status.value,
                    "result": None if result is None else json.dumps(result),
                    "error": error,
                    "progress": None if progress is None else json.dumps(progress),
                    "id": job_id,
                    "worker": worker_id,
                },
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            job = job_from_row(row)
            if ending is not None:
                await _write_ending(connection, job, ending)
        return job

    async def request_cancel(self, job_id: str, key_id: str) -> Job | None:
        args = {"id": job_id, "key": key_id, "error": CANCELLED}
        async with self._connection() as connection:
            # A pending job fails at once (and leaves the queue), with its last event and
            # webhook: no worker will ever see it. A processing one is flagged for its
            # worker, which the NOTIFY wakes wherever it runs.
            cursor = await connection.execute(
                f"UPDATE sitelore_jobs SET status = 'failed', error = %(error)s, "
                f"finished_at = {NOW}, started_at = COALESCE(started_at, {NOW}) "
                f"WHERE id = %(id)s AND key_id = %(key)s AND status = 'pending' "
                f"RETURNING {JOB_COLUMNS}, "
                f"procrastinate_cancel_job_v1(queue_job_id, false, true) AS dequeued",
                args,
            )
            cancelled = await cursor.fetchone()
            if cancelled is not None:
                await _write_ending(connection, job_from_row(cancelled), Ending.failed(CANCELLED))
            await connection.execute(
                "UPDATE sitelore_jobs SET cancel_requested = true WHERE id = %(id)s "
                "AND key_id = %(key)s AND status = 'processing'",
                args,
            )
            cursor = await connection.execute(
                f"SELECT {JOB_COLUMNS}, pg_notify('{CANCEL_CHANNEL}', id), "
                f"pg_notify('{EVENTS_CHANNEL}', id) FROM sitelore_jobs "
                f"WHERE id = %(id)s AND key_id = %(key)s",
                args,
            )
            row = await cursor.fetchone()
        return None if row is None else job_from_row(row)

    async def release(self, job_id: str, worker_id: str) -> Job | None:
        return await self._job(
            "UPDATE sitelore_jobs SET status = 'pending', worker = NULL, progress = NULL, "
            "attempts = GREATEST(attempts - 1, 0), queue_job_id = "
            + DEFER.format(lock="queue_lock", job_id="id")
            + f" WHERE id = %(id)s AND worker = %(worker)s AND status = 'processing' "
            f"RETURNING {JOB_COLUMNS}",
            {**self._queue, "id": job_id, "worker": worker_id},
        )

    async def recover_stalled(
        self, stale_after: float, max_attempts: int, *, alive: str | None = None
    ) -> list[Job]:
        await self._requeue_orphans(stale_after)
        give_up = "attempts >= %(max)s"
        sql = (
            f"WITH stale AS (SELECT id, queue_job_id FROM sitelore_jobs "
            f"  WHERE status = 'processing' AND heartbeat_at < {NOW} - %(stale)s "
            f"  AND worker IS DISTINCT FROM %(alive)s FOR UPDATE SKIP LOCKED), "
            # Nobody will finish the dead worker's queue entry; it would hold the lock slot.
            f"orphans AS (DELETE FROM procrastinate_jobs WHERE status = 'doing' "
            f"  AND id IN (SELECT queue_job_id FROM stale)) "
            f"UPDATE sitelore_jobs AS job SET worker = NULL, "
            f"status = CASE WHEN {give_up} THEN 'failed' ELSE 'pending' END, "
            f"finished_at = CASE WHEN {give_up} THEN {NOW} ELSE NULL END, "
            f"error = CASE WHEN {give_up} THEN "
            f"  'Worker stopped responding; gave up after ' || attempts || ' attempts' END, "
            f"progress = CASE WHEN {give_up} THEN progress END, "
            f"queue_job_id = CASE WHEN {give_up} THEN NULL ELSE "
            + DEFER.format(lock="job.queue_lock", job_id="job.id")
            + f" END FROM stale WHERE job.id = stale.id RETURNING {qualified('job')}"
        )
        async with self._connection() as connection:
            cursor = await connection.execute(
                sql, {**self._queue, "stale": stale_after, "max": max_attempts, "alive": alive}
            )
            jobs = [job_from_row(row) for row in await cursor.fetchall()]
            for job in jobs:
                if job.status is JobStatus.FAILED:
                    await _write_ending(connection, job, Ending.failed(job.error or ""))
        return jobs

    async def _requeue_orphans(self, stale_after: float) -> None:
        """Mend the queue where a process died between its steps (no job is run twice:
        the task only runs a job it claims, and only a pending job can be claimed)."""
        async with self._connection() as connection:
            # A queue entry taken ('doing') whose job no worker holds: its worker died
            # before the claim, or before procrastinate recorded the end. Left alone it
            # would block its lock slot for good; back to 'todo' it runs or ends at once.
            await connection.execute(
                "SELECT procrastinate_retry_job_v1(queue.id, now(), NULL, NULL, NULL) "
                "FROM procrastinate_jobs AS queue WHERE queue.status = 'doing' "
                "AND queue.queue_name = %(queue)s AND NOT EXISTS (SELECT 1 FROM sitelore_jobs "
                "  WHERE queue_job_id = queue.id AND status = 'processing') "
                "AND (SELECT max(at) FROM procrastinate_events WHERE job_id = queue.id) "
                "  < now() - make_interval(secs => %(stale)s)",
                {"queue": QUEUE_NAME, "stale": stale_after},
            )
            # A pending job whose queue entry ended without claiming it (the claim lost
            # the database): queue it again.
            await connection.execute(
                "UPDATE sitelore_jobs AS job SET queue_job_id = "
                + DEFER.format(lock="job.queue_lock", job_id="job.id")
                + " WHERE job.status = 'pending' AND NOT EXISTS (SELECT 1 FROM "
                "procrastinate_jobs WHERE id = job.queue_job_id AND status IN ('todo', 'doing'))",
                self._queue,
            )

    async def housekeeping_due(self, task: str, every: float) -> bool:
        row = await self._one(
            f"INSERT INTO sitelore_housekeeping (task, last_run) VALUES (%(task)s, {NOW}) "
            f"ON CONFLICT (task) DO UPDATE SET last_run = EXCLUDED.last_run "
            f"WHERE sitelore_housekeeping.last_run <= EXCLUDED.last_run - %(every)s "
            f"RETURNING task",
            {"task": task, "every": every},
        )
        return row is not None

    async def add_event(
        self, job_id: str, name: str, data: dict[str, Any], *, progress: bool = False
    ) -> JobEvent:
        async with self._connection() as connection:
            return await append_event(connection, job_id, name, data, progress=progress)

    async def events_after(self, job_id: str, seq: int, limit: int = 500) -> list[JobEvent]:
        rows = await self._all(
            "SELECT seq, name, data FROM sitelore_job_events WHERE job_id = %(id)s "
            "AND seq > %(seq)s ORDER BY seq LIMIT %(limit)s",
            {"id": job_id, "seq": seq, "limit": limit},
        )
        return [JobEvent(job_id, r["seq"], r["name"], json.loads(r["data"])) for r in rows]

    async def purge_finished(self, older_than: float) -> int:
        row = await self._one(
            "WITH gone AS (DELETE FROM sitelore_jobs WHERE status IN ('completed', 'failed') "
            "  AND finished_at < %(before)s RETURNING id), "
            "events AS (DELETE FROM sitelore_job_events WHERE job_id IN (SELECT id FROM gone)), "
            # deliveries too: they carry the job's result
            "hooks AS (DELETE FROM sitelore_deliveries WHERE job_id IN (SELECT id FROM gone)) "
            "SELECT count(*) AS n FROM gone",
            {"before": older_than},
        )
        return 0 if row is None else int(row["n"])

    # -- keys -------------------------------------------------------------------------------

    async def create_key(self, name: str, prefix: str = KEY_PREFIX) -> tuple[str, ApiKey]:
        key_id, secret, shown = new_key(prefix)
        row = await self._one(
            f"INSERT INTO sitelore_api_keys (id, name, secret_hash, webhook_secret, created_at) "
            f"VALUES (%(id)s, %(name)s, %(hash)s, %(webhook)s, {NOW}) RETURNING *",
            {
                "id": key_id,
                "name": name,
                "hash": hash_secret(secret),
                "webhook": "whsec_" + secrets.token_urlsafe(24),
            },
        )
        assert row is not None
        return shown, key_from_row(row)

    async def authenticate(self, presented: str) -> ApiKey | None:
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        row = await self._one(
            "SELECT * FROM sitelore_api_keys WHERE id = %(id)s",
            {"id": key_id},
        )
        if row is None or not secrets_match(secret, row["secret_hash"]):
            return None
        return key_from_row(row)

    async def get_key(self, key_id: str) -> ApiKey | None:
        row = await self._one("SELECT * FROM sitelore_api_keys WHERE id = %(id)s", {"id": key_id})
        return None if row is None else key_from_row(row)

    async def list_keys(self) -> list[ApiKey]:
        rows = await self._all("SELECT * FROM sitelore_api_keys ORDER BY created_at")
        return [key_from_row(row) for row in rows]

    async def revoke_key(self, key_id: str) -> bool:
        row = await self._one(
            f"UPDATE sitelore_api_keys SET revoked_at = {NOW} WHERE id = %(id)s "
            f"AND revoked_at IS NULL RETURNING id",
            {"id": key_id},
        )
        return row is not None

    # -- webhook deliveries -----------------------------------------------------------------

    # -- account webhooks (sitelore/jobs/hookstore.py) ----------------------------------------

    async def create_webhook(
        self, key_id: str, url: str, events: tuple[str, ...], display_name: str | None
    ) -> Webhook:
        hook = new_webhook(key_id, url, events, display_name, time.time())
        await self._exec(hookstore.PG_INSERT, hookstore.webhook_params(hook))
        return hook

    async def list_webhooks(self, key_id: str) -> list[Webhook]:
        return [
            webhook_from_row(row) for row in await self._all(hookstore.PG_LIST, {"key": key_id})
        ]

    async def delete_webhook(self, webhook_id: str, key_id: str) -> bool:
        return await self._one(hookstore.PG_DELETE, {"id": webhook_id, "key": key_id}) is not None

    async def add_delivery(
        self, job_id: str, key_id: str, url: str, event: str, body: str
    ) -> Delivery:
        async with self._connection() as connection:
            return await insert_delivery(connection, job_id, key_id, url, body, event)

    async def due_deliveries(self, now: float, limit: int, lease: float = 60.0) -> list[Delivery]:
        rows = await self._all(
            "WITH due AS (SELECT * FROM sitelore_deliveries WHERE status = 'pending' "
            "  AND next_at <= %(now)s ORDER BY next_at, created_at LIMIT %(limit)s "
            "  FOR UPDATE SKIP LOCKED), "
            "leased AS (UPDATE sitelore_deliveries SET next_at = %(now)s + %(lease)s "
            "  WHERE id IN (SELECT id FROM due)) "
            "SELECT * FROM due ORDER BY next_at, created_at",
            {"now": now, "lease": lease, "limit": limit},
        )
        return [delivery_from_row(row) for row in rows]

    async def record_delivery(
        self, delivery_id: str, *, delivered: bool, error: str | None, next_at: float | None
    ) -> None:
        status = delivery_status(delivered, next_at)
        await self._exec(
            "UPDATE sitelore_deliveries SET status = %(status)s, attempts = attempts + 1, "
            "last_error = %(error)s, next_at = COALESCE(%(next)s, next_at) WHERE id = %(id)s",
            {"status": status, "error": error, "next": next_at, "id": delivery_id},
        )


async def _write_ending(connection: Connection, job: Job, ending: Ending) -> None:
    """The last event of a job that has just ended, and the webhook it owes: written in the
    transaction that ended it, so that no crash can leave one without the other."""
    await append_event(connection, job.id, ending.event, ending.data)
    webhook = ending.webhook(job)
    if webhook is not None:
        await insert_delivery(connection, job.id, job.key_id, *webhook, ending.hook)
