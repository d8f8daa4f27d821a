"""Data written before the knowledge store existed gets its tables: SQLite when the file is
opened, PostgreSQL through migration 4 of ``sitelore db upgrade``."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg

from sitelore.jobs.knowledge_backends import knowledge_store
from sitelore.jobs.knowledge_sqlschema import KNOWLEDGE_SCHEMA
from sitelore.jobs.pgschema import MIGRATIONS, upgrade
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.sqlitefile import SCHEMA
from tests.jobs.conftest import open_postgres
from tests.jobs.knowledgekit import OWNER, item, result

SAVED = result(item("Refunds", "Refunds within 30 days."))


def test_an_sqlite_file_from_before_the_knowledge_store_gets_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "sitelore.db"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(SCHEMA.replace(KNOWLEDGE_SCHEMA, ""))  # the file as it was
        db.execute(
            "INSERT INTO api_keys (id, name, secret_hash, webhook_secret, created_at) "
            "VALUES ('k_old', 'old', 'h', 'w', 1.0)"
        )
        db.commit()

    async def scenario() -> None:
        store = SQLiteStore(path)
        await store.open()
        try:
            knowledge = knowledge_store(store)
            await knowledge.save_knowledge(OWNER, SAVED, scraped_pages=None, job_id="job_1")
            assert (await knowledge.search(OWNER, "refunds")).total == 1
            assert await store.get_key("k_old") is not None
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_postgres_database_at_migration_3_upgrades_to_the_knowledge_store(
    pg_conninfo: str,
) -> None:
    with psycopg.connect(pg_conninfo) as connection:  # back to how migration 3 left it
        connection.execute(
            "DROP TABLE sitelore_knowledge_sites, sitelore_knowledge_items, "
            "sitelore_knowledge_previous; DROP TEXT SEARCH CONFIGURATION sitelore_fold; "
            "DELETE FROM sitelore_schema_migrations WHERE version = 4"
        )
    assert [m.version for m in upgrade(pg_conninfo)] == [4]
    assert MIGRATIONS[3].version == 4  # the knowledge store's

    async def scenario() -> None:
        async with open_postgres(pg_conninfo) as store:
            knowledge = knowledge_store(store)
            await knowledge.save_knowledge(OWNER, SAVED, scraped_pages=None, job_id="job_1")
            assert (await knowledge.search(OWNER, "refunds")).total == 1

    asyncio.run(scenario())
