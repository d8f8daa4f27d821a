"""What a front end does with an owner's jobs: submit one, wait for its end, cancel it.

The HTTP routes (:mod:`sitelore.api`) and the MCP tools (:mod:`sitelore.mcp`) both work
through a :class:`JobDesk`, so a job is queued, awaited and cancelled the same way whichever
door it came in by. The owner is a key's id (:data:`~sitelore.jobs.knowledge.LOCAL_OWNER`
without a server); a job of another owner is never found. Errors are the desk's own; each
front end says them in its own words (an HTTP status, a tool error).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sitelore.errors import SiteloreError
from sitelore.jobs.hub import QUEUE, EventHub, wait_for
from sitelore.jobs.models import Job, JobEvent
from sitelore.jobs.store import JobStore
from sitelore.jobs.worker import cancel_topic
from sitelore.models import ExtractRequest

EventListener = Callable[[JobEvent], Awaitable[None]]
WAKE_AT_LEAST_EVERY = 1.0  # a lost wake-up costs this much, never the job's end


class IdempotencyConflict(SiteloreError):
    """The idempotency key was used for another request; ``job`` is the job it made then."""

    def __init__(self, key: str, job: Job) -> None:
        super().__init__(f"idempotency key {key!r} was used for another request (job {job.id})")
        self.key = key
        self.job = job


class JobNotFound(SiteloreError):
    """No such job for this owner (another owner's, expired, or never made)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} not found")
        self.job_id = job_id


class JobAlreadyFinished(SiteloreError):
    """A cancel came after the job's end."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"job {job.id} is already {job.status.value}")
        self.job = job


@dataclass(frozen=True)
class JobDesk:
    """The store and the process's event hub, as a front end uses them; and the process's
    webhook sender, woken when a call adds a delivery (without it, a sender looks every
    second)."""

    store: JobStore
    hub: EventHub
    wake_deliveries: asyncio.Event | None = None

    async def submit(
        self, owner: str, request: ExtractRequest, idempotency: str | None = None
    ) -> Job:
        """A new job of ``owner`` for the (validated) ``request``, queued for the workers;
        with ``idempotency`` used before for the same request, the job made then."""
        job = await self.store.create_job(owner, request, idempotency_key=idempotency)
        if idempotency is not None and job.request != request:
            # Compared validated, so key order, spacing and spelled-out defaults do not
            # count: answering with this job would pass it off as the new request's.
            raise IdempotencyConflict(idempotency, job)
        if not await self.store.events_after(job.id, 0, limit=1):
            await self.store.add_event(job.id, "connected", {"jobId": job.id})
        self.hub.notify(QUEUE)
        return job

    async def owned(self, owner: str, job_id: str) -> Job:
        """The job, if it is ``owner``'s; else :class:`JobNotFound`."""
        job = await self.store.get_job(job_id, owner)
        if job is None:
            raise JobNotFound(job_id)
        return job

    async def wait_finished(
        self, job_id: str, timeout: float, on_event: EventListener | None = None
    ) -> Job | None:
        """The job once it has ended (None: still running after ``timeout`` seconds; the
        job itself is None when it is gone). ``on_event`` hears each of its events, from
        the first, as they are stored."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        with self.hub.subscribe(job_id) as woken:
            while True:
                if on_event is not None:
                    seen = await self._replay(job_id, seen, on_event)
                job = await self.store.get_job(job_id)
                if job is None or job.status.finished:
                    if job is not None and on_event is not None:
                        await self._replay(job_id, seen, on_event)  # its last events
                    return job
                left = deadline - loop.time()
                if left <= 0:
                    return None
                await wait_for(woken, min(left, WAKE_AT_LEAST_EVERY))

    async def _replay(self, job_id: str, after: int, on_event: EventListener) -> int:
        while True:
            events = await self.store.events_after(job_id, after)
            if not events:
                return after
            for event in events:
                await on_event(event)
            after = events[-1].seq

    async def cancel(self, owner: str, job_id: str) -> Job:
        """Stop a pending or processing job of ``owner``: a pending one ends now, a
        processing one is stopped by its worker within a second or two."""
        job = await self.owned(owner, job_id)
        if job.status.finished:
            raise JobAlreadyFinished(job)
        # A pending job ends here, its last event and deliveries written with it by the
        # store; a processing one is stopped by its worker.
        job = await self.store.request_cancel(job_id, owner) or job
        self.hub.notify(cancel_topic(job_id))
        self.hub.notify(job_id)
        if job.status.finished and self.wake_deliveries is not None:
            self.wake_deliveries.set()
        return job
