"""Deliveries to account webhooks, beyond the contract: data from before they were sent gets
its link table (SQLite when the file is opened, PostgreSQL through migration 6), and on
PostgreSQL a webhook deleted while a job's event fans out to it gets nothing pending."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from sitelore.jobs.deliveries_postgres import insert_event_deliveries
from sitelore.jobs.deliveries_sqlite import LINKS_SCHEMA
from sitelore.jobs.models import webhook_body
from sitelore.jobs.pgschema import MIGRATIONS, upgrade
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.sqlitefile import SCHEMA
from tests.jobs.conftest import KEY, REQUEST, delivery_rows, open_postgres, running

HOOK_URL = "https://hooks.example/in"
BODY = webhook_body("PAGE_SCRAPED", {"jobId": "job_1"})


def test_an_sqlite_file_from_before_gets_the_link_table(tmp_path: Path) -> None:
    path = tmp_path / "sitelore.db"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA.replace(LINKS_SCHEMA, ""))  # the file as it was
        db.execute(
            "INSERT INTO webhooks (id, key_id, url, events, display_name, status, token, "
            "created_at) VALUES ('weh_old', ?, ?, '[\"PAGE_SCRAPED\"]', NULL, 'active', "
            "'whsec_old', 1.0)",
            (KEY, HOOK_URL),
        )
        db.commit()
        assert "webhook_deliveries" not in {
            row[0] for row in db.execute("SELECT name FROM sqlite_master")
        }

    async def scenario() -> None:
        store = SQLiteStore(path)
        await store.open()
        try:
            job = await running(store)
            assert await store.add_event_deliveries(job, "PAGE_SCRAPED", BODY) == 1
            [due] = await store.due_deliveries(time.time() + 60, 10)
            assert (due.webhook_id, due.token) == ("weh_old", "whsec_old")
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_postgres_database_at_migration_5_upgrades_to_the_link_table(pg_conninfo: str) -> None:
    with psycopg.connect(pg_conninfo) as connection:  # back to how migration 5 left it
        connection.execute(
            "DROP TABLE sitelore_webhook_deliveries; "
            "DELETE FROM sitelore_schema_migrations WHERE version = 6"
        )
    assert [m.version for m in upgrade(pg_conninfo)] == [6]
    assert MIGRATIONS[5].version == 6  # the link table's

    async def scenario() -> None:
        async with open_postgres(pg_conninfo) as store:
            hook = await store.create_webhook(KEY, HOOK_URL, ("PAGE_SCRAPED",), None)
            job = await running(store)
            assert await store.add_event_deliveries(job, "PAGE_SCRAPED", BODY) == 1
            [due] = await store.due_deliveries(time.time() + 60, 10)
            assert (due.webhook_id, due.token) == (hook.id, hook.token)

    asyncio.run(scenario())


def test_a_deletion_waits_for_a_fan_out_in_flight_and_fails_what_it_added(
    pg_conninfo: str,
) -> None:
    """Without the fan-out's lock the deletion would not see the delivery being added, and
    it would stay pending: sent later to a webhook deleted before it."""

    async def scenario() -> None:
        async with open_postgres(pg_conninfo) as store:
            hook = await store.create_webhook(KEY, HOOK_URL, ("PAGE_SCRAPED",), None)
            job = await running(store, request=REQUEST)
            async with await psycopg.AsyncConnection.connect(
                pg_conninfo, row_factory=dict_row
            ) as fanning:
                assert await insert_event_deliveries(fanning, job, "PAGE_SCRAPED", BODY) == 1
                deleting = asyncio.create_task(store.delete_webhook(hook.id, KEY))
                await asyncio.sleep(0.5)
                assert not deleting.done(), "the deletion waits for the fan-out to commit"
                await fanning.commit()
            assert await deleting is True
            rows = await delivery_rows(store)
            assert [(r["webhook_id"], r["status"], r["last_error"]) for r in rows] == [
                (hook.id, "failed", "webhook deleted")
            ]

    asyncio.run(scenario())
