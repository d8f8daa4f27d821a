"""The scale-out store: jobs, events and keys in PostgreSQL, beside the queue.

Its parts: the pool and its transactions (:mod:`sitelore.jobs.pgbase`), account webhooks
and webhook deliveries (:mod:`sitelore.jobs.deliveries_postgres`), the statements several
operations share (:mod:`sitelore.jobs.pgsql`), and here jobs and keys.

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
import secrets
from typing import Any

import psycopg

from sitelore.jobs.deliveries_postgres import PURGE, PostgresDeliveries, insert_event_deliveries
from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.models import (
    CANCELLED,
    NO_JOB,
    ApiKey,
    Ending,
    Job,
    JobEvent,
    JobStatus,
    request_to_json,
)
from sitelore.jobs.pgbase import SchemaOutdated
from sitelore.jobs.pgsql import (
    CANCEL_CHANNEL,
    DEFER,
    EVENTS_CHANNEL,
    NOW,
    QUEUE_NAME,
    TASK_NAME,
    Connection,
    append_event,
    qualified,
)
from sitelore.jobs.rows import (
    JOB_COLUMNS,
    decode_cursor,
    encode_cursor,
    job_from_row,
    key_from_row,
    status_counts,
)
from sitelore.jobs.store import (
    KEY_PREFIX,
    hash_secret,
    new_job_id,
    new_key,
    secrets_match,
    split_key,
)
from sitelore.models import ExtractRequest

__all__ = ["PostgresStore", "SchemaOutdated"]


class PostgresStore(PostgresDeliveries):
    """:class:`~sitelore.jobs.store.JobStore` on PostgreSQL; call :meth:`open` first.

    Jobs, events and keys here; the pool and its transactions are
    :class:`~sitelore.jobs.pgbase.PostgresBase`'s, account webhooks and deliveries
    :class:`~sitelore.jobs.deliveries_postgres.PostgresDeliveries`'."""

    def __init__(
        self,
        conninfo: str,
        *,
        per_key_limit: int = 20,
        pool_size: int = 10,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(conninfo, pool_size=pool_size, timeout=timeout)
        self.per_key_limit = max(per_key_limit, 1)
        self._queue = {"queue": QUEUE_NAME, "task": TASK_NAME}

    def knowledge(self) -> KnowledgeStore:
        """The knowledge store on this database (it borrows this store's pool)."""
        from sitelore.jobs.knowledge_postgres import KnowledgePostgres

        return KnowledgePostgres(self)

    async def _job(self, sql: str, args: dict[str, Any]) -> Job | None:
        row = await self._one(sql, args)
        return None if row is None else job_from_row(row)

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
            + PURGE
            + "SELECT count(*) AS n FROM gone",
            {"before": older_than, "no_job": NO_JOB},
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


async def _write_ending(connection: Connection, job: Job, ending: Ending) -> None:
    """The last event of a job that has just ended, and the deliveries it owes: written in
    the transaction that ended it, so that no crash can leave one without the other."""
    await append_event(connection, job.id, ending.event, ending.data)
    await insert_event_deliveries(connection, job, ending.hook, ending.body(job))
