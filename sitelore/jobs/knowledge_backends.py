"""The knowledge store that goes with a job store: the same database, the same connection."""

from __future__ import annotations

from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.store import JobStore


def knowledge_store(store: JobStore) -> KnowledgeStore:
    """The knowledge store on ``store``'s database (open ``store`` first; closing it closes
    this too: they share its connection)."""
    return store.knowledge()
