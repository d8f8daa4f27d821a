"""The knowledge store: what extractions found, kept by site and owner, and searched.

A completed job's business profile and items are saved under the site's registrable domain
and the key that ran it (:data:`LOCAL_OWNER` without a server). A full crawl replaces the
domain's items; a partial job (one page, a list of URLs, patterns) replaces only the items
of the pages it scraped. The item set a save replaces is kept, one generation, for telling
later what changed. Knowledge is not a job's: job retention never touches it.

Search means what :mod:`sitelore.core.query` says, on every backend: all words required,
quoted phrases, accents and case folded, no operators; scores are in 0..1 within a query
(the best hit is 1), and ``total`` is exact up to :data:`MAX_TOTAL`.

Both backends share the job store's connection: :class:`~sitelore.jobs.knowledge_sqlite.
KnowledgeSQLite` its SQLite file (and thread), :class:`~sitelore.jobs.knowledge_postgres.
KnowledgePostgres` its pool; :func:`sitelore.jobs.knowledge_backends.knowledge_store` gives
the one that goes with a job store.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sitelore.core.urls import registrable_domain
from sitelore.errors import InvalidRequest
from sitelore.models import (
    BusinessProfile,
    ExtractRequest,
    ExtractResult,
    ItemCategory,
    KnowledgeItem,
)

LOCAL_OWNER = "local"  # the owner of knowledge saved without a server (no key)
MAX_TOTAL = 10_000  # ``total`` counts up to this many hits, then says this many


@dataclass(frozen=True)
class StoredItem:
    """A knowledge item as stored: its id is stable (the same item saved again keeps it)."""

    id: str
    title: str
    description: str
    content: str
    category: ItemCategory
    source: str
    job_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "content": self.content,
            "category": self.category.value,
            "source": self.source,
            "jobId": self.job_id,
        }


@dataclass(frozen=True)
class StoredKnowledge:
    """A domain's knowledge: its profile and items, as of the job that saved them last."""

    domain: str
    profile: BusinessProfile
    items: tuple[StoredItem, ...]
    job_id: str
    updated_at: float


@dataclass(frozen=True)
class PreviousItems:
    """The item set a domain had before its last save (the generation before)."""

    domain: str
    job_id: str
    items: tuple[StoredItem, ...]
    replaced_at: float


@dataclass(frozen=True)
class DomainSummary:
    domain: str
    name: str
    item_count: int
    job_id: str
    updated_at: float


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    content: str
    category: ItemCategory
    source: str
    score: float  # 0..1 within the query: the best hit is 1
    domain: str
    snippet: str  # the content around the matches, matched words between ** and **

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "content": self.content,
            "category": self.category.value,
            "source": self.source,
            "score": self.score,
            "domain": self.domain,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int  # every match, exact up to MAX_TOTAL
    query: str


class KnowledgeStore(Protocol):
    async def save_knowledge(
        self,
        owner: str,
        result: ExtractResult,
        *,
        scraped_pages: Sequence[str] | None,
        job_id: str,
    ) -> None:
        """Save ``result`` under its site's domain for ``owner``: with ``scraped_pages``
        None (a full crawl) its items replace the domain's; else they replace only the items
        whose source is one of ``scraped_pages``. The replaced set becomes the previous."""
        ...

    async def list_domains(
        self, owner: str, limit: int, cursor: str | None
    ) -> tuple[list[DomainSummary], str | None]:
        """The owner's domains in name order, ``limit`` at a time; raises ``ValueError``
        for a cursor this store did not make."""
        ...

    async def get_knowledge(self, owner: str, domain: str) -> StoredKnowledge | None: ...

    async def previous_items(self, owner: str, domain: str) -> PreviousItems | None:
        """The domain's item set before its last save (None after its first save)."""
        ...

    async def delete_knowledge(self, owner: str, domain: str) -> bool:
        """Remove the domain's knowledge, previous generation included; False if none."""
        ...

    async def search(
        self,
        owner: str,
        query: str,
        *,
        domain: str | None = None,
        category: ItemCategory | None = None,
        limit: int = 10,
    ) -> SearchResult:
        """The owner's items matching ``query``, best first. Raises
        :class:`~sitelore.core.query.EmptyQuery` (an ``InvalidRequest``) when the query has
        no word to search for."""
        ...


def site_domain(result: ExtractResult) -> str:
    """The key knowledge is saved under: the registrable domain of the business's site."""
    return registrable_domain(result.business.domain)


def item_id(owner: str, domain: str, item: KnowledgeItem) -> str:
    """Stable: the same item of the same site saved again by the same owner has the same id."""
    parts = (owner, domain, item.source, item.category.value, item.title, item.content)
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return "kn_" + digest[:24]


def stored_items(
    owner: str, domain: str, items: Sequence[KnowledgeItem], job_id: str
) -> list[StoredItem]:
    """``items`` with their ids, without repeats (the same item twice is stored once)."""
    unique: dict[str, StoredItem] = {}
    for item in items:
        key = item_id(owner, domain, item)
        unique.setdefault(
            key,
            StoredItem(
                key, item.title, item.description, item.content, item.category, item.source, job_id
            ),
        )
    return list(unique.values())


def item_row(owner: str, domain: str, item: StoredItem) -> tuple[str, ...]:
    """The values of an item's row: id, owner, domain, job_id, category, title,
    description, content, source."""
    return (
        item.id,
        owner,
        domain,
        item.job_id,
        item.category.value,
        item.title,
        item.description,
        item.content,
        item.source,
    )


def scores(ranks: Sequence[float]) -> list[float]:
    """Backend ranks (higher is better, best first) as scores in 0..1: the best is 1."""
    best = max(ranks, default=0.0)
    if best <= 0:
        return [1.0 for _ in ranks]
    return [round(min(max(rank / best, 0.0), 1.0), 6) for rank in ranks]


def check_limit(limit: int) -> None:
    if not 1 <= limit <= 100:
        raise InvalidRequest(f"limit must be between 1 and 100, not {limit}", field="limit")


def encode_domain_cursor(domain: str) -> str:
    return base64.urlsafe_b64encode(domain.encode()).decode()


def decode_domain_cursor(cursor: str) -> str:
    """Raises ``ValueError`` for a cursor this store did not make."""
    try:
        domain = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("cursor is not one this server returned") from error
    if not domain:
        raise ValueError("cursor is not one this server returned")
    return domain


def profile_to_json(profile: BusinessProfile) -> dict[str, Any]:
    return profile.to_dict()


def profile_from_json(data: dict[str, Any]) -> BusinessProfile:
    return BusinessProfile(
        data["name"], data["domain"], data["category"], data["description"], data["logo"]
    )


def items_to_json(items: Sequence[StoredItem]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items]


def items_from_json(data: Sequence[dict[str, Any]]) -> tuple[StoredItem, ...]:
    return tuple(stored_item(entry, entry["jobId"]) for entry in data)


def stored_item(fields: Mapping[str, Any], job_id: str) -> StoredItem:
    """An item from a row (or its JSON): ``id``, ``title``, ``description``, ``content``,
    ``category``, ``source``; the job's id is named differently in each."""
    return StoredItem(
        fields["id"],
        fields["title"],
        fields["description"],
        fields["content"],
        ItemCategory(fields["category"]),
        fields["source"],
        job_id,
    )


def replaced_pages(
    request: ExtractRequest, result: ExtractResult, done: Iterable[str]
) -> list[str] | None:
    """The pages whose items a save replaces: None (all of the site's) for a full crawl; for
    a partial one (one page, listed pages, patterns) the pages it extracted, ``done``, and
    those its items come from."""
    partial = bool(
        request.single_page
        or request.urls is not None
        or request.include_patterns
        or request.exclude_patterns
    )
    if not partial:
        return None
    return sorted({*done, *(item.source for item in result.knowledge_items)})
