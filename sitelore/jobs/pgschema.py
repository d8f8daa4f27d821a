"""The PostgreSQL schema: numbered migrations, applied by ``sitelore db upgrade``.

``upgrade`` is idempotent and safe to run from several machines at once: it takes a
transaction-scoped advisory lock, applies what ``sitelore_schema_migrations`` does not
list yet, and records it, all in one transaction. Servers and workers never change the
schema; they check it (:func:`missing_migrations`) and refuse to start on an old one.

Migration 1 installs procrastinate's schema at the version this package pins (its queue
tables and functions); a later procrastinate release that changes its schema comes with
a new migration here, copied from procrastinate's own migration files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from procrastinate.schema import SchemaManager
from psycopg.rows import tuple_row

from sitelore.jobs import hookstore
from sitelore.jobs.knowledge_pgschema import KNOWLEDGE_TABLES

UPGRADE_LOCK = 0x5173_6C6F_7265  # any constant: serialises concurrent upgrades


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    source: Callable[[], str] = field(repr=False)  # read when applied, not at import

    @property
    def sql(self) -> str:
        return self.source()


SITELORE_TABLES = """
CREATE TABLE sitelore_api_keys (
    id text PRIMARY KEY, name text NOT NULL, secret_hash text NOT NULL,
    webhook_secret text NOT NULL, created_at double precision NOT NULL,
    revoked_at double precision, jobs_created bigint NOT NULL DEFAULT 0
);
CREATE TABLE sitelore_jobs (
    id text PRIMARY KEY, key_id text NOT NULL, status text NOT NULL, request text NOT NULL,
    progress text, result text, error text, created_at double precision NOT NULL,
    started_at double precision, finished_at double precision,
    attempts integer NOT NULL DEFAULT 0, worker text, heartbeat_at double precision,
    cancel_requested boolean NOT NULL DEFAULT false, idempotency_key text,
    queue_lock text, queue_job_id bigint, last_seq integer NOT NULL DEFAULT 0
);
CREATE INDEX sitelore_jobs_by_key ON sitelore_jobs (key_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX sitelore_jobs_idempotency ON sitelore_jobs (key_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX sitelore_jobs_running ON sitelore_jobs (heartbeat_at)
    WHERE status = 'processing';
CREATE INDEX sitelore_jobs_pending ON sitelore_jobs (created_at) WHERE status = 'pending';
CREATE INDEX sitelore_jobs_finished ON sitelore_jobs (finished_at)
    WHERE status IN ('completed', 'failed');
CREATE TABLE sitelore_job_events (
    job_id text NOT NULL, seq integer NOT NULL, name text NOT NULL, data text NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE sitelore_deliveries (
    id text PRIMARY KEY, job_id text NOT NULL, key_id text NOT NULL, url text NOT NULL,
    event text NOT NULL, body text NOT NULL, attempts integer NOT NULL DEFAULT 0,
    next_at double precision NOT NULL, status text NOT NULL, last_error text,
    created_at double precision NOT NULL
);
CREATE INDEX sitelore_deliveries_due ON sitelore_deliveries (next_at)
    WHERE status = 'pending';
CREATE TABLE sitelore_housekeeping (task text PRIMARY KEY, last_run double precision NOT NULL);
"""

DELIVERIES_BY_JOB = """
CREATE INDEX IF NOT EXISTS sitelore_deliveries_by_job ON sitelore_deliveries (job_id);
"""


MIGRATIONS = (
    Migration(1, "procrastinate queue schema", SchemaManager.get_schema),
    Migration(2, "sitelore jobs, events, keys, deliveries", lambda: SITELORE_TABLES),
    Migration(3, "deliveries by job, for retention", lambda: DELIVERIES_BY_JOB),
    Migration(4, "knowledge store and its search index", lambda: KNOWLEDGE_TABLES),
    Migration(5, "account webhooks", lambda: hookstore.PG_TABLES),
    Migration(6, "deliveries to account webhooks", lambda: hookstore.PG_LINKS),
)


def upgrade(conninfo: str) -> list[Migration]:
    """Apply the migrations the database lacks; returns what was applied (maybe nothing)."""
    with psycopg.connect(conninfo) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
        connection.execute(
            "CREATE TABLE IF NOT EXISTS sitelore_schema_migrations ("
            "version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {
            row[0] for row in connection.execute("SELECT version FROM sitelore_schema_migrations")
        }
        applied = []
        for migration in MIGRATIONS:
            if migration.version in done:
                continue
            if migration.version != 1 or not _has_procrastinate(connection):
                connection.execute(migration.sql.encode())
            connection.execute(
                "INSERT INTO sitelore_schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied.append(migration)
        return applied


def _has_procrastinate(connection: psycopg.Connection[Any]) -> bool:
    """A database shared with another procrastinate user keeps its queue schema."""
    row = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
    return row is not None and row[0] is not None


async def missing_migrations(connection: psycopg.AsyncConnection[Any]) -> list[Migration]:
    """The migrations a database lacks (all of them when it was never upgraded)."""
    cursor = connection.cursor(row_factory=tuple_row)
    await cursor.execute("SELECT to_regclass('sitelore_schema_migrations')")
    found = await cursor.fetchone()
    if found is None or found[0] is None:
        return list(MIGRATIONS)
    await cursor.execute("SELECT version FROM sitelore_schema_migrations")
    done = {row[0] for row in await cursor.fetchall()}
    return [migration for migration in MIGRATIONS if migration.version not in done]
