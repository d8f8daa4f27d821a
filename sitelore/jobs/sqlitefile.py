"""The embedded store's file: one SQLite connection in WAL mode, used from one thread.

Every call runs on a single-thread executor, so statements never interleave and the event
loop never waits on the disk; each call is one transaction. Errors come out as the
store's: :class:`~sitelore.jobs.store.StoreFull` when the disk is full (reads go on, and
while it lasts the write-ahead log is checkpointed to give its space back),
:class:`~sitelore.jobs.store.StoreUnavailable` otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from sitelore.jobs.conditions import ConditionLog
from sitelore.jobs.datafile import check_data_file
from sitelore.jobs.deliveries_sqlite import LINKS_SCHEMA
from sitelore.jobs.knowledge_sqlschema import KNOWLEDGE_SCHEMA
from sitelore.jobs.store import StoreFull, StoreUnavailable

T = TypeVar("T")
log = logging.getLogger("sitelore.store")
WAL_SIZE_LIMIT = 4 << 20

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL,
    webhook_secret TEXT NOT NULL, created_at REAL NOT NULL, revoked_at REAL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, key_id TEXT NOT NULL, status TEXT NOT NULL, request TEXT NOT NULL,
    progress TEXT, result TEXT, error TEXT, created_at REAL NOT NULL, started_at REAL,
    finished_at REAL, attempts INTEGER NOT NULL DEFAULT 0, worker TEXT, heartbeat_at REAL,
    cancel_requested INTEGER NOT NULL DEFAULT 0, idempotency_key TEXT
);
CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (status, created_at);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (key_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs (key_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS job_events (
    job_id TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY, job_id TEXT NOT NULL, key_id TEXT NOT NULL, url TEXT NOT NULL,
    event TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, status TEXT NOT NULL, last_error TEXT, created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_at);
CREATE INDEX IF NOT EXISTS deliveries_by_job ON deliveries (job_id);
CREATE TABLE IF NOT EXISTS housekeeping (task TEXT PRIMARY KEY, last_run REAL NOT NULL);
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY, key_id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
    display_name TEXT, status TEXT NOT NULL, token TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_by_key ON webhooks (key_id, created_at);
"""
    + LINKS_SCHEMA
    + KNOWLEDGE_SCHEMA
)


class SQLiteFile:
    """The connection to ``path`` and the thread it lives on."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitelore-db")
        self._db: sqlite3.Connection | None = None
        self._full = False
        self._last_checkpoint = 0.0
        self._condition = ConditionLog(log, "database")

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in one transaction, on the database's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, work)

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            db = self._connection()
            if self._full:
                self._give_back_log_space(db)
            changes = db.total_changes
            with db:  # one transaction per call
                result = work(db)
        except sqlite3.OperationalError as error:
            raise self._unavailable(error) from error
        if self._full and db.total_changes > changes:
            self._full = False  # a write went through
        if not self._full:
            self._condition.working()
        return result

    def _give_back_log_space(self, db: sqlite3.Connection) -> None:
        """While the disk is full, try (once a second) to move the write-ahead log into the
        database and truncate it, so that the space it grew into is free again."""
        now = time.monotonic()
        if now - self._last_checkpoint < 1.0:
            return
        self._last_checkpoint = now
        with contextlib.suppress(sqlite3.OperationalError):  # still no room: reads go on
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _unavailable(self, error: sqlite3.OperationalError) -> StoreUnavailable:
        if error.sqlite_errorname == "SQLITE_FULL":
            self._full = True
            unavailable: StoreUnavailable = StoreFull(
                f"the disk holding the database {self.path} is full"
            )
        else:
            unavailable = StoreUnavailable(f"database {self.path} unavailable: {error}")
        self._condition.failing(unavailable)  # said here once; the loops that retry are quiet
        return unavailable

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # After a checkpoint the log shrinks back to this, whatever it grew to.
            db.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    async def open(self) -> None:
        """Refuse a data file that exists but cannot be trusted (see
        :func:`~sitelore.jobs.datafile.check_data_file`), then open it."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, check_data_file, Path(self.path))
        await self.run(lambda db: None)

    async def ping(self) -> None:
        await self.run(lambda db: db.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        def shut(db: sqlite3.Connection) -> None:
            db.close()
            self._db = None

        if self._db is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, lambda: shut(self._connection()))
        self._executor.shutdown(wait=True)
