"""Fixtures of the job-store tests: one contract, run against SQLite and PostgreSQL.

A psycopg pool belongs to the event loop it was opened on, so a store is opened and closed
inside the test's own loop: a test hands an ``async def body(store)`` to
:meth:`Backend.run`, which opens a store, awaits the body and closes the store, all within
one ``asyncio.run``. PostgreSQL tests get a schema of their own (dropped afterwards), so
they never see each other's rows. They use ``SITELORE_TEST_DATABASE_URL`` or, when it is not
set, a local server at :data:`LOCAL_DATABASE` if one answers; they are skipped, with a
reason, when there is neither.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    asynccontextmanager,
    closing,
    contextmanager,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from sitelore.jobs.models import Job
from sitelore.jobs.pgschema import upgrade
from sitelore.jobs.postgres import PostgresStore
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.store import JobStore
from sitelore.models import ExtractRequest

T = TypeVar("T")

DATABASE_URL = "SITELORE_TEST_DATABASE_URL"
LOCAL_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"
NO_DATABASE = (
    f"{DATABASE_URL} is not set and no PostgreSQL answers at {LOCAL_DATABASE}: "
    "PostgreSQL tests need a database"
)

REQUEST = ExtractRequest("https://example.com/")
KEY, OTHER_KEY = "key-a", "key-b"
WORKER, OTHER_WORKER = "worker-1", "worker-2"


# Jobs reach a worker differently: SQLite's ``claim_job`` pulls the oldest pending job,
# PostgreSQL's ``claim(job_id)`` takes the job its queue entry names. The tests claim
# through :func:`claim`, always the oldest pending job, so both backends take the same.


async def take(store: JobStore, job: Job, worker: str = WORKER) -> Job | None:
    """Let ``worker`` take ``job`` the way the backend hands jobs out; None when it cannot."""
    if isinstance(store, PostgresStore):
        return await store.claim(job.id, worker)
    assert isinstance(store, SQLiteStore), f"no claim for {type(store).__name__}"
    taken = await store.claim_job(worker, per_key_limit=1000)
    assert taken is None or taken.id == job.id, "tests claim the oldest pending job only"
    return taken


async def claim(store: JobStore, job: Job, worker: str = WORKER) -> Job:
    taken = await take(store, job, worker)
    assert taken is not None, f"{job.id} could not be claimed"
    return taken


async def running(store: JobStore, key: str = KEY, request: ExtractRequest = REQUEST) -> Job:
    """A new job, processing for :data:`WORKER` (claim it before creating any other)."""
    return await claim(store, await store.create_job(key, request))


async def current(store: JobStore, job: Job) -> Job:
    found = await store.get_job(job.id)
    assert found is not None, f"{job.id} is gone"
    return found


async def delivery_statuses(store: JobStore) -> dict[str, list[str]]:
    """Every stored delivery's status, by job id, read beside the store (whatever their
    status: the store's own reads show only the pending ones)."""
    if isinstance(store, PostgresStore):
        async with await psycopg.AsyncConnection.connect(store.conninfo) as connection:
            cursor = await connection.execute(
                "SELECT job_id, status FROM sitelore_deliveries ORDER BY created_at, id"
            )
            rows = await cursor.fetchall()
    else:
        assert isinstance(store, SQLiteStore), f"no deliveries for {type(store).__name__}"
        with closing(sqlite3.connect(store.path)) as db:
            rows = db.execute("SELECT job_id, status FROM deliveries ORDER BY rowid").fetchall()
    found: dict[str, list[str]] = {}
    for job_id, status in rows:
        found.setdefault(job_id, []).append(status)
    return found


async def delivery_rows(store: JobStore) -> list[dict[str, Any]]:
    """Every stored delivery, oldest first, with the webhook it is linked to (``webhook_id``,
    None for a callbackUrl's): read beside the store, whatever their status."""
    query = (
        "SELECT d.id, d.job_id, d.event, d.url, d.status, d.last_error, l.webhook_id "
        "FROM {deliveries} AS d LEFT JOIN {links} AS l ON l.delivery_id = d.id "
        "ORDER BY d.created_at, d.id"
    )
    if isinstance(store, PostgresStore):
        names = {"deliveries": "sitelore_deliveries", "links": "sitelore_webhook_deliveries"}
        async with await psycopg.AsyncConnection.connect(
            store.conninfo, row_factory=dict_row
        ) as connection:
            cursor = await connection.execute(query.format(**names).encode())
            return list(await cursor.fetchall())
    assert isinstance(store, SQLiteStore), f"no deliveries for {type(store).__name__}"
    with closing(sqlite3.connect(store.path)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(query.format(deliveries="deliveries", links="webhook_deliveries"))
        return [dict(row) for row in rows]


async def link_count(store: JobStore) -> int:
    """How many deliveries are linked to an account webhook, read beside the store."""
    if isinstance(store, PostgresStore):
        async with await psycopg.AsyncConnection.connect(store.conninfo) as connection:
            cursor = await connection.execute("SELECT count(*) FROM sitelore_webhook_deliveries")
            found = await cursor.fetchone()
            return 0 if found is None else int(found[0])
    assert isinstance(store, SQLiteStore), f"no deliveries for {type(store).__name__}"
    with closing(sqlite3.connect(store.path)) as db:
        return int(db.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0])


def database_url() -> str:
    """The test database's URL; skips the test when there is none."""
    url = os.environ.get(DATABASE_URL, "").strip() or _local_database()
    if not url:
        pytest.skip(NO_DATABASE)
    return url


@functools.cache
def _local_database() -> str:
    """:data:`LOCAL_DATABASE` when a server answers there (as on the CI machine), else ''."""
    try:
        psycopg.connect(LOCAL_DATABASE, connect_timeout=2).close()
    except psycopg.Error:
        return ""
    return LOCAL_DATABASE


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose sessions see only ``schema`` (tables are created there, too)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_pg_schema(*, upgraded: bool = True) -> Iterator[str]:
    """A new, empty schema (migrated when ``upgraded``); yields a conninfo that uses it."""
    url = database_url()
    schema = "t_" + secrets.token_hex(8)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    conninfo = with_search_path(url, schema)
    try:
        if upgraded:
            upgrade(conninfo)
        yield conninfo
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@asynccontextmanager
async def open_postgres(conninfo: str, *, per_key_limit: int = 20) -> AsyncIterator[PostgresStore]:
    """An opened :class:`PostgresStore`, closed when the block ends (same event loop)."""
    store = PostgresStore(conninfo, per_key_limit=per_key_limit)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def open_sqlite(path: Path) -> AsyncIterator[SQLiteStore]:
    store = SQLiteStore(path)
    try:
        yield store
    finally:
        await store.close()


@dataclass(frozen=True)
class Backend:
    """One store backend: opens stores on one database (file or schema) of its own."""

    name: str
    opener: Callable[[], AbstractAsyncContextManager[JobStore]]

    def open(self) -> AbstractAsyncContextManager[JobStore]:
        """A new store instance on this backend's database (several may be open at once)."""
        return self.opener()

    def run(self, body: Callable[[JobStore], Awaitable[T]]) -> T:
        """Open a store, await ``body(store)``, close the store: all on one event loop."""

        async def scenario() -> T:
            async with self.open() as store:
                return await body(store)

        return asyncio.run(scenario())


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn: SQLite on a file in ``tmp_path``, PostgreSQL on a fresh schema."""
    if request.param == "sqlite":
        yield Backend("sqlite", lambda: open_sqlite(tmp_path / "sitelore.db"))
        return
    with fresh_pg_schema() as conninfo:
        yield Backend("postgres", lambda: open_postgres(conninfo))


@pytest.fixture
def pg_conninfo() -> Iterator[str]:
    """A conninfo on a fresh, migrated PostgreSQL schema (dropped after the test)."""
    with fresh_pg_schema() as conninfo:
        yield conninfo
