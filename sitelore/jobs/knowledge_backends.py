"""The knowledge store that goes with a job store: the same database, the same connection."""

from __future__ import annotations

from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.knowledge_postgres import KnowledgePostgres
from sitelore.jobs.knowledge_sqlite import KnowledgeSQLite
from sitelore.jobs.postgres import PostgresStore
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.store import JobStore


def knowledge_store(store: JobStore) -> KnowledgeStore:
    """The knowledge store on ``store``'s database (open ``store`` first; closing it closes
    this too: they share its connection)."""
    if isinstance(store, SQLiteStore):
        return KnowledgeSQLite(store.file, store._clock)
    if isinstance(store, PostgresStore):
        return KnowledgePostgres(store)
    raise TypeError(f"no knowledge store for a {type(store).__name__}")
