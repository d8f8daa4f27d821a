"""What the MCP tools ask of sitelore, and its answer on the job store and workers.

:class:`ToolService` is the seam: the tools (:mod:`sitelore.mcp.tools`) call it with the
caller's owner (a key's id, or :data:`~sitelore.jobs.knowledge.LOCAL_OWNER` for ``sitelore
mcp``) and know nothing of stores or queues. :class:`StoreService` runs every crawl as a
job on the workers through the same :class:`~sitelore.runtime.desk.JobDesk` as the HTTP
API, validated with the same page cap and network guard, so a tool call and an API call of
one key see the same jobs and the same knowledge. Errors are sitelore's own
(``InvalidRequest``, ``RefusedByGuard``, ``JobNotFound`` ...); the tools word them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.request import validate_request
from sitelore.jobs.hub import EventHub
from sitelore.jobs.knowledge import DomainSummary, SearchResult, StoredKnowledge
from sitelore.jobs.models import Job, JobStatus
from sitelore.jobs.store import JobStore
from sitelore.models import ExtractRequest, ItemCategory, JobTask
from sitelore.runtime.desk import EventListener, JobDesk
from sitelore.settings import Settings


class ToolService(Protocol):
    """sitelore as the tools see it; every call is on behalf of ``owner``.

    The crawling calls start a job and wait for it up to ``wait`` seconds: the job they
    answer may still be running (then :meth:`get_job` waits on). ``on_event`` hears the
    job's events while it is awaited (for progress)."""

    async def extract(
        self, owner: str, request: ExtractRequest, wait: float, on_event: EventListener | None
    ) -> Job: ...

    async def sitemap(
        self, owner: str, url: str, limit: int, include: list[str], exclude: list[str], wait: float
    ) -> Job: ...

    async def scrape(self, owner: str, url: str, wait: float) -> Job: ...

    async def classify(self, owner: str, url: str, wait: float) -> Job: ...

    async def get_job(
        self, owner: str, job_id: str, wait: float = 0.0, on_event: EventListener | None = None
    ) -> Job:
        """The owner's job (waited for up to ``wait`` seconds); ``JobNotFound`` if none."""
        ...

    async def list_jobs(
        self, owner: str, status: JobStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        """Newest first; ``ValueError`` for a cursor the store did not give."""
        ...

    async def cancel(self, owner: str, job_id: str) -> Job: ...

    async def search(
        self,
        owner: str,
        query: str,
        domain: str | None,
        category: ItemCategory | None,
        limit: int,
    ) -> SearchResult: ...

    async def knowledge(self, owner: str, domain: str) -> StoredKnowledge | None: ...

    async def domains(
        self, owner: str, limit: int, cursor: str | None
    ) -> tuple[list[DomainSummary], str | None]:
        """The sites the owner has knowledge of; ``ValueError`` for a foreign cursor."""
        ...


@dataclass(frozen=True)
class StoreService:
    """:class:`ToolService` on a job store whose workers run in this or another process."""

    settings: Settings
    store: JobStore
    hub: EventHub
    policy: NetworkPolicy
    wake_deliveries: asyncio.Event | None = None  # the process's webhook sender

    @property
    def desk(self) -> JobDesk:
        return JobDesk(self.store, self.hub, self.wake_deliveries)

    async def extract(
        self, owner: str, request: ExtractRequest, wait: float, on_event: EventListener | None
    ) -> Job:
        return await self._run(owner, request, wait, on_event)

    async def sitemap(
        self, owner: str, url: str, limit: int, include: list[str], exclude: list[str], wait: float
    ) -> Job:
        request = ExtractRequest(
            url,
            include_patterns=tuple(include),
            exclude_patterns=tuple(exclude),
            task=JobTask.SITEMAP,
            limit=limit,
        )
        return await self._run(owner, request, wait, None)

    async def scrape(self, owner: str, url: str, wait: float) -> Job:
        request = ExtractRequest(url, single_page=True, task=JobTask.SCRAPE)
        return await self._run(owner, request, wait, None)

    async def classify(self, owner: str, url: str, wait: float) -> Job:
        # One page to plan (the home page): a server's cap of pages never refuses it.
        request = ExtractRequest(url, max_pages=1, task=JobTask.CLASSIFY)
        return await self._run(owner, request, wait, None)

    async def _run(
        self, owner: str, request: ExtractRequest, wait: float, on_event: EventListener | None
    ) -> Job:
        checked = validate_request(request, self.settings.max_pages_cap, self.policy)
        job = await self.desk.submit(owner, checked)
        return await self.get_job(owner, job.id, wait, on_event)

    async def get_job(
        self, owner: str, job_id: str, wait: float = 0.0, on_event: EventListener | None = None
    ) -> Job:
        job = await self.desk.owned(owner, job_id)
        if wait > 0 and not job.status.finished:
            await self.desk.wait_finished(job_id, wait, on_event)
            job = await self.desk.owned(owner, job_id)  # its state now, finished or not
        return job

    async def list_jobs(
        self, owner: str, status: JobStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        return await self.store.list_jobs(owner, status, limit, cursor)

    async def cancel(self, owner: str, job_id: str) -> Job:
        return await self.desk.cancel(owner, job_id)

    async def search(
        self,
        owner: str,
        query: str,
        domain: str | None,
        category: ItemCategory | None,
        limit: int,
    ) -> SearchResult:
        return await self.store.knowledge().search(
            owner, query, domain=domain, category=category, limit=limit
        )

    async def knowledge(self, owner: str, domain: str) -> StoredKnowledge | None:
        return await self.store.knowledge().get_knowledge(owner, domain.strip().lower())

    async def domains(
        self, owner: str, limit: int, cursor: str | None
    ) -> tuple[list[DomainSummary], str | None]:
        return await self.store.knowledge().list_domains(owner, limit, cursor)
