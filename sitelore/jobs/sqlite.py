"""The embedded store: the statements of the store contract on one SQLite file.

The file, its thread and its errors are :mod:`sitelore.jobs.sqlitefile`'s: every call is
one transaction there. State changes are single statements (or one transaction), which
is what makes a claim atomic and a restart safe.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sitelore.jobs import deliveries_sqlite, hookstore
from sitelore.jobs.hookstore import Webhook, new_webhook
from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.knowledge_sqlite import KnowledgeSQLite
from sitelore.jobs.models import (
    CANCELLED,
    ApiKey,
    Delivery,
    Ending,
    Job,
    JobEvent,
    JobStatus,
    compact_json,
    request_to_json,
)
from sitelore.jobs.rows import (
    JOB_COLUMNS,
    decode_cursor,
    encode_cursor,
    job_from_row,
    key_from_row,
    status_counts,
)
from sitelore.jobs.sqlitefile import SQLiteFile
from sitelore.jobs.store import (
    KEY_PREFIX,
    hash_secret,
    new_job_id,
    new_key,
    secrets_match,
    split_key,
)
from sitelore.models import ExtractRequest

T = TypeVar("T")


class SQLiteStore:
    """:class:`~sitelore.jobs.store.JobStore` on one SQLite file."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self._clock = clock
        self.file = SQLiteFile(self.path)

    # -- the file ---------------------------------------------------------------------------

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self.file.run(work)

    async def open(self) -> None:
        await self.file.open()

    async def ping(self) -> None:
        await self.file.ping()

    async def close(self) -> None:
        await self.file.close()

    def knowledge(self) -> KnowledgeStore:
        """The knowledge store on this file (closed with it)."""
        return KnowledgeSQLite(self.file, self._clock)

    # -- jobs -------------------------------------------------------------------------------

    async def create_job(
        self, key_id: str, request: ExtractRequest, *, idempotency_key: str | None = None
    ) -> Job:
        now = self._clock()

        def insert(db: sqlite3.Connection) -> Job:
            if idempotency_key is not None:
                row = db.execute(
                    f"SELECT {JOB_COLUMNS} FROM jobs WHERE key_id = ? AND idempotency_key = ?",
                    (key_id, idempotency_key),
                ).fetchone()
                if row is not None:
                    return job_from_row(row)
            job_id = new_job_id()
            db.execute(
                "INSERT INTO jobs (id, key_id, status, request, created_at, idempotency_key) "
                "VALUES (?, ?, 'pending', ?, ?, ?)",
                (job_id, key_id, request_to_json(request), now, idempotency_key),
            )
            return Job(job_id, key_id, JobStatus.PENDING, request, now)

        return await self._run(insert)

    async def get_job(self, job_id: str, key_id: str | None = None) -> Job | None:
        def read(db: sqlite3.Connection) -> Job | None:
            row = db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or (key_id is not None and row["key_id"] != key_id):
                return None
            return job_from_row(row)

        return await self._run(read)

    async def count_jobs(self) -> dict[JobStatus, int]:
        def count(db: sqlite3.Connection) -> dict[JobStatus, int]:
            query = "SELECT status, COUNT(*) AS count FROM jobs GROUP BY status"
            return status_counts(db.execute(query).fetchall())

        return await self._run(count)

    async def list_jobs(
        self, key_id: str, status: JobStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        after = decode_cursor(cursor) if cursor else None

        def read(db: sqlite3.Connection) -> tuple[list[Job], str | None]:
            query = f"SELECT {JOB_COLUMNS} FROM jobs WHERE key_id = ?"
            args: list[Any] = [key_id]
            if status is not None:
                query += " AND status = ?"
                args.append(status.value)
            if after is not None:
                query += " AND (created_at, id) < (?, ?)"
                args.extend(after)
            query += " ORDER BY created_at DESC, id DESC LIMIT ?"
            rows = db.execute(query, [*args, limit + 1]).fetchall()
            jobs = [job_from_row(row) for row in rows[:limit]]
            more = len(rows) > limit
            return jobs, encode_cursor(jobs[-1]) if more and jobs else None

        return await self._run(read)

    async def claim_job(self, worker_id: str, per_key_limit: int) -> Job | None:
        now = self._clock()

        def claim(db: sqlite3.Connection) -> Job | None:
            row = db.execute(
                f"UPDATE jobs SET status = 'processing', worker = ?, heartbeat_at = ?, "
                f"started_at = COALESCE(started_at, ?), attempts = attempts + 1 "
                f"WHERE id = (SELECT j.id FROM jobs j WHERE j.status = 'pending' AND "
                f"(SELECT COUNT(*) FROM jobs p WHERE p.key_id = j.key_id "
                f"AND p.status = 'processing') < ? ORDER BY j.created_at, j.id LIMIT 1) "
                f"RETURNING {JOB_COLUMNS}",
                (worker_id, now, now, per_key_limit),
            ).fetchone()
            return None if row is None else job_from_row(row)

        return await self._run(claim)

    async def heartbeat(self, job_id: str, worker_id: str) -> bool:
        now = self._clock()

        def beat(db: sqlite3.Connection) -> bool:
            row = db.execute(
                "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND worker = ? "
                "AND status = 'processing' RETURNING cancel_requested",
                (now, job_id, worker_id),
            ).fetchone()
            return row is None or bool(row["cancel_requested"])

        return await self._run(beat)

    async def set_progress(self, job_id: str, progress: dict[str, Any]) -> None:
        text = json.dumps(progress)
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET progress = ? WHERE id = ? AND status = 'processing'",
                (text, job_id),
            )
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
        now = self._clock()
        values = (
            status.value,
            None if result is None else json.dumps(result),
            error,
            now,
            None if progress is None else json.dumps(progress),
            job_id,
            worker_id,
        )

        def finish(db: sqlite3.Connection) -> Job | None:
            row = db.execute(
                f"UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, "
                f"progress = COALESCE(?, progress), worker = NULL "
                f"WHERE id = ? AND worker = ? AND status = 'processing' RETURNING {JOB_COLUMNS}",
                values,
            ).fetchone()
            if row is None:
                return None
            job = job_from_row(row)
            if ending is not None:
                _write_ending(db, job, ending, now)
            return job

        return await self._run(finish)

    async def request_cancel(self, job_id: str, key_id: str) -> Job | None:
        now = self._clock()

        def cancel(db: sqlite3.Connection) -> Job | None:
            # A pending job fails at once, with its last event and webhook (no worker will
            # ever see it); a processing one is flagged for its worker.
            cancelled = db.execute(
                f"UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, "
                f"started_at = COALESCE(started_at, ?) "
                f"WHERE id = ? AND key_id = ? AND status = 'pending' RETURNING {JOB_COLUMNS}",
                (CANCELLED, now, now, job_id, key_id),
            ).fetchone()
            if cancelled is not None:
                _write_ending(db, job_from_row(cancelled), Ending.failed(CANCELLED), now)
            db.execute(
                "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND key_id = ? "
                "AND status = 'processing'",
                (job_id, key_id),
            )
            row = db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ? AND key_id = ?", (job_id, key_id)
            ).fetchone()
            return None if row is None else job_from_row(row)

        return await self._run(cancel)

    async def recover_stalled(
        self, stale_after: float, max_attempts: int, *, alive: str | None = None
    ) -> list[Job]:
        now = self._clock()
        cutoff = now - stale_after
        stalled = "status = 'processing' AND heartbeat_at < ? AND worker IS NOT ?"

        def recover(db: sqlite3.Connection) -> list[Job]:
            failed = db.execute(
                f"UPDATE jobs SET status = 'failed', worker = NULL, finished_at = ?, "
                f"error = 'Worker stopped responding; gave up after ' || attempts || ' attempts' "
                f"WHERE {stalled} AND attempts >= ? RETURNING {JOB_COLUMNS}",
                (now, cutoff, alive, max_attempts),
            ).fetchall()
            retried = db.execute(
                f"UPDATE jobs SET status = 'pending', worker = NULL, progress = NULL "
                f"WHERE {stalled} RETURNING {JOB_COLUMNS}",
                (cutoff, alive),
            ).fetchall()
            jobs = [job_from_row(row) for row in [*failed, *retried]]
            for job in jobs[: len(failed)]:
                _write_ending(db, job, Ending.failed(job.error or ""), now)
            return jobs

        return await self._run(recover)

    async def release(self, job_id: str, worker_id: str) -> Job | None:
        def hand_back(db: sqlite3.Connection) -> Job | None:
            row = db.execute(
                f"UPDATE jobs SET status = 'pending', worker = NULL, progress = NULL, "
                f"attempts = MAX(attempts - 1, 0) "
                f"WHERE id = ? AND worker = ? AND status = 'processing' RETURNING {JOB_COLUMNS}",
                (job_id, worker_id),
            ).fetchone()
            return None if row is None else job_from_row(row)

        return await self._run(hand_back)

    async def housekeeping_due(self, task: str, every: float) -> bool:
        now = self._clock()

        def take_turn(db: sqlite3.Connection) -> bool:
            db.execute(
                "INSERT OR IGNORE INTO housekeeping (task, last_run) VALUES (?, ?)",
                (task, now - every),
            )
            cursor = db.execute(
                "UPDATE housekeeping SET last_run = ? WHERE task = ? AND last_run <= ?",
                (now, task, now - every),
            )
            return cursor.rowcount == 1

        return await self._run(take_turn)

    async def add_event(
        self, job_id: str, name: str, data: dict[str, Any], *, progress: bool = False
    ) -> JobEvent:
        return await self._run(lambda db: _append_event(db, job_id, name, data, progress=progress))

    async def events_after(self, job_id: str, seq: int, limit: int = 500) -> list[JobEvent]:
        def read(db: sqlite3.Connection) -> list[JobEvent]:
            rows = db.execute(
                "SELECT seq, name, data FROM job_events WHERE job_id = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (job_id, seq, limit),
            ).fetchall()
            return [JobEvent(job_id, r["seq"], r["name"], json.loads(r["data"])) for r in rows]

        return await self._run(read)

    async def purge_finished(self, older_than: float) -> int:
        def purge(db: sqlite3.Connection) -> int:
            ids = [
                row["id"]
                for row in db.execute(
                    "SELECT id FROM jobs WHERE status IN ('completed', 'failed') "
                    "AND finished_at < ?",
                    (older_than,),
                )
            ]
            for job_id in ids:
                db.execute("DELETE FROM job_events WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            deliveries_sqlite.purge(db, ids, older_than)  # they carry the jobs' results
            return len(ids)

        return await self._run(purge)

    # -- keys -------------------------------------------------------------------------------

    async def create_key(self, name: str, prefix: str = KEY_PREFIX) -> tuple[str, ApiKey]:
        key_id, secret, shown = new_key(prefix)
        record = ApiKey(key_id, name, "whsec_" + secrets.token_urlsafe(24), self._clock())
        await self._run(
            lambda db: db.execute(
                "INSERT INTO api_keys (id, name, secret_hash, webhook_secret, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (key_id, name, hash_secret(secret), record.webhook_secret, record.created_at),
            )
        )
        return shown, record

    async def authenticate(self, presented: str) -> ApiKey | None:
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts

        def read(db: sqlite3.Connection) -> ApiKey | None:
            row = db.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
            if row is None or not secrets_match(secret, row["secret_hash"]):
                return None
            return key_from_row(row)

        return await self._run(read)

    async def get_key(self, key_id: str) -> ApiKey | None:
        def read(db: sqlite3.Connection) -> ApiKey | None:
            row = db.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
            return None if row is None else key_from_row(row)

        return await self._run(read)

    async def list_keys(self) -> list[ApiKey]:
        def read(db: sqlite3.Connection) -> list[ApiKey]:
            return [
                key_from_row(r) for r in db.execute("SELECT * FROM api_keys ORDER BY created_at")
            ]

        return await self._run(read)

    async def revoke_key(self, key_id: str) -> bool:
        now = self._clock()

        def revoke(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now, key_id),
            )
            return cursor.rowcount == 1

        return await self._run(revoke)

    # -- account webhooks (sitelore/jobs/hookstore.py) ----------------------------------------

    async def create_webhook(
        self, key_id: str, url: str, events: tuple[str, ...], display_name: str | None
    ) -> Webhook:
        hook = new_webhook(key_id, url, events, display_name, self._clock())
        return await self._run(lambda db: hookstore.sqlite_insert(db, hook))

    async def list_webhooks(self, key_id: str) -> list[Webhook]:
        return await self._run(lambda db: hookstore.sqlite_list(db, key_id))

    async def delete_webhook(self, webhook_id: str, key_id: str) -> bool:
        return await self._run(lambda db: deliveries_sqlite.delete_webhook(db, webhook_id, key_id))

    async def queue_webhook_test(self, webhook_id: str, key_id: str) -> Delivery | None:
        now = self._clock()
        return await self._run(
            lambda db: deliveries_sqlite.insert_test_delivery(db, webhook_id, key_id, now)
        )

    # -- webhook deliveries (sitelore/jobs/deliveries_sqlite.py) -----------------------------

    async def add_delivery(
        self, job_id: str, key_id: str, url: str, event: str, body: str
    ) -> Delivery:
        now = self._clock()
        owner = (job_id, key_id)
        return await self._run(
            lambda db: deliveries_sqlite.insert_delivery(db, owner, url, event, body, now)
        )

    async def add_event_deliveries(self, job: Job, event: str, body: str) -> int:
        now = self._clock()
        return await self._run(
            lambda db: deliveries_sqlite.insert_event_deliveries(db, job, event, body, now)
        )

    async def due_deliveries(self, now: float, limit: int, lease: float = 60.0) -> list[Delivery]:
        return await self._run(lambda db: deliveries_sqlite.take_due(db, now, limit, lease))

    async def record_delivery(
        self, delivery_id: str, *, delivered: bool, error: str | None, next_at: float | None
    ) -> None:
        await self._run(
            lambda db: deliveries_sqlite.record(
                db, delivery_id, delivered=delivered, error=error, next_at=next_at
            )
        )


def _append_event(
    db: sqlite3.Connection,
    job_id: str,
    name: str,
    data: dict[str, Any],
    *,
    progress: bool = False,
) -> JobEvent:
    """The next event of a job's log (seq 0 and nothing stored when the job is gone); with
    ``progress``, ``data`` is also the progress of the job if it is processing."""
    text = compact_json(data)
    if progress:
        db.execute(
            "UPDATE jobs SET progress = ? WHERE id = ? AND status = 'processing'", (text, job_id)
        )
    row = db.execute(
        "INSERT INTO job_events (job_id, seq, name, data) SELECT ?, "
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?), ?, ? "
        "WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ?) RETURNING seq",
        (job_id, job_id, name, text, job_id),
    ).fetchone()
    return JobEvent(job_id, 0 if row is None else int(row["seq"]), name, data)


def _write_ending(db: sqlite3.Connection, job: Job, ending: Ending, now: float) -> None:
    """The last event of a job that has just ended, and the deliveries it owes: written in
    the transaction that ended it, so that no crash can leave one without the other."""
    _append_event(db, job.id, ending.event, ending.data)
    deliveries_sqlite.insert_event_deliveries(db, job, ending.hook, ending.body(job), now)
