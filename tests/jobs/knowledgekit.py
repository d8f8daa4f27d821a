"""Extraction results to save in the knowledge-store tests, and the store beside a job store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sitelore.jobs.knowledge import KnowledgeStore
from sitelore.jobs.knowledge_backends import knowledge_store
from sitelore.jobs.store import JobStore
from sitelore.models import BusinessProfile, ExtractResult, ItemCategory, KnowledgeItem
from tests.jobs.conftest import Backend

OWNER, OTHER_OWNER = "key-a", "key-b"
HOME = "https://acme.test/"
PRICING = "https://acme.test/pricing"
FAQ = "https://acme.test/faq"
MOMENT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def item(
    title: str,
    content: str,
    category: ItemCategory = ItemCategory.FEATURE,
    source: str = HOME,
) -> KnowledgeItem:
    return KnowledgeItem(title, content[:80], content, category, source)


def result(*items: KnowledgeItem, domain: str = "acme.test", name: str = "Acme") -> ExtractResult:
    profile = BusinessProfile(name, domain, "Technology", f"{name} makes things.", None)
    pages = len({entry.source for entry in items})
    return ExtractResult(profile, tuple(items), pages, pages, MOMENT, MOMENT)


def run_knowledge(
    backend: Backend, body: Callable[[KnowledgeStore, JobStore], Awaitable[None]]
) -> None:
    """Open a store on ``backend`` and await ``body`` with its knowledge store and itself."""

    async def scenario(store: JobStore) -> None:
        await body(knowledge_store(store), store)

    backend.run(scenario)
