"""The worker: runs claimed jobs through the extraction and records every step.

:class:`Worker` runs one job (:meth:`Worker.run_job`); what feeds it is the queue of the
backend: :class:`PullLoop` on the embedded store (``concurrency`` slots polling it), a
procrastinate worker on PostgreSQL (:mod:`sitelore.jobs.pgqueue`). While a job runs, a
heartbeat tells the store the worker is alive and brings back a cancel request; a job
whose heartbeat stops (its worker died) is retried or failed by :meth:`Worker.recover`;
a job interrupted by the worker's own shutdown is handed back to the queue.
``PullLoop.run(burst=True)`` drains the queue and returns, which makes tests
deterministic (as in arq).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from sitelore.classifying import classify_site
from sitelore.core.classification import Classification
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.means import CrawlMeans
from sitelore.crawl.pagework import InlinePageWork, PageWork
from sitelore.crawl.sources import PageRenderer
from sitelore.crawl.transport import Resolver
from sitelore.errors import SiteloreError
from sitelore.jobs.hub import QUEUE, EventHub, wait_for
from sitelore.jobs.knowledge import replaced_pages
from sitelore.jobs.metrics import JobMetrics, unrecorded
from sitelore.jobs.models import CANCELLED, Ending, Job, webhook_body
from sitelore.jobs.store import JobStore, PullQueue, StoreUnavailable
from sitelore.mapping import SiteMap, map_site
from sitelore.models import (
    CrawlOptions,
    Event,
    ExtractResult,
    JobTask,
    PageScraped,
    PageStatus,
    Progress,
)
from sitelore.pipeline import extract_site
from sitelore.scraping import ScrapedPage, scrape_page

log = logging.getLogger("sitelore.worker")
Answer = ExtractResult | SiteMap | ScrapedPage | Classification  # what a job's task gives
SLOT_RETRY = 1.0


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 4
    per_key_limit: int = 20
    heartbeat_interval: float = 1.0
    stale_after: float = 30.0
    max_attempts: int = 3
    poll_interval: float = 1.0
    max_pages_cap: int = 50
    job_timeout: float = 1800.0
    crawl: CrawlOptions = field(default_factory=CrawlOptions)
    # The network guard of every crawl: closed by default, since jobs come from API callers;
    # None connects anywhere (trusted callers only).
    policy: NetworkPolicy | None = field(default_factory=NetworkPolicy)


class Worker:
    """Runs jobs from ``store``; signals events through ``hub``."""

    def __init__(
        self,
        store: JobStore,
        hub: EventHub,
        settings: WorkerSettings | None = None,
        *,
        resolver: Resolver | None = None,
        worker_id: str | None = None,
        wake_deliveries: asyncio.Event | None = None,
        work: PageWork | None = None,
        renderer: PageRenderer | None = None,
        metrics: JobMetrics | None = None,
    ) -> None:
        self.store = store
        self.work = work  # where pages are parsed (None: on the event loop)
        self.renderer = renderer  # the process's browser for script shells (None: none)
        self.hub = hub
        self.settings = settings or WorkerSettings()
        self.resolver = resolver
        self.worker_id = worker_id or "w_" + secrets.token_hex(6)
        self.wake_deliveries = wake_deliveries
        self.metrics = metrics or unrecorded()
        # Jobs this worker stopped running but could not hand back (the store was away):
        # they are still marked as its own, so nobody else recovers them; it retries.
        self.unreleased: set[str] = set()

    async def recover(self, stale_after: float | None = None) -> int:
        """Retry or fail jobs whose worker stopped sending heartbeats; never this worker's
        own, which are alive as long as it is (a busy event loop may delay a heartbeat)."""
        after = self.settings.stale_after if stale_after is None else stale_after
        for job_id in list(self.unreleased):
            await self.store.release(job_id, self.worker_id)
            self.unreleased.discard(job_id)
            self.hub.notify(QUEUE)
        jobs = await self.store.recover_stalled(
            after, self.settings.max_attempts, alive=self.worker_id
        )
        for job in jobs:
            # The store wrote a failed job's last event and deliveries with its new status.
            self.hub.notify(job.id)
            self.hub.notify(QUEUE)
        if any(job.status.finished for job in jobs):
            self._wake_deliveries()
        return len(jobs)

    async def run_job(self, job: Job) -> None:
        """Run a job this worker has claimed, to its end (or until the worker stops)."""
        self.metrics.job_claimed(job)
        recorder = _Recorder(self, job)
        await recorder.started()
        task = asyncio.create_task(
            asyncio.wait_for(self._work(job, recorder), self.settings.job_timeout)
        )
        beating = asyncio.create_task(self._heartbeat(recorder, task))
        try:
            await self._outcome(job, recorder, task)
        except StoreUnavailable:
            # The database went away mid-job or as it ended: the job is not at fault. Hand
            # it back (if the database is back already) or leave it to the recovery of
            # silent jobs.
            log.warning("job %s lost the database; handing it back", job.id)
            await self._hand_back(job)
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    def _work(self, job: Job, recorder: _Recorder) -> Awaitable[Answer]:
        """What the job's task runs: an extraction, a site map, one page's scrape or the
        business's classification from its key pages."""
        request, crawl, policy = job.request, self.settings.crawl, self.settings.policy
        work = self.work or InlinePageWork()
        means = CrawlMeans(crawl, self.resolver, policy, work, self.renderer)
        if request.task is JobTask.SITEMAP:
            return map_site(request, limit=request.limit, means=means)
        if request.task is JobTask.SCRAPE:
            return scrape_page(request, means)
        if request.task is JobTask.CLASSIFY:
            return classify_site(request, means)
        return extract_site(
            request, recorder.on_event, options=crawl, resolver=self.resolver,
            max_pages_cap=self.settings.max_pages_cap, policy=policy, work=self.work,
            renderer=self.renderer, observer=self.metrics,
        )  # fmt: skip

    async def _outcome(self, job: Job, recorder: _Recorder, task: asyncio.Task[Any]) -> None:
        """Await the extraction and record how it ended."""
        try:
            result = await task
        except asyncio.CancelledError:
            if recorder.abandoned:
                log.warning("job %s lost the database for too long; leaving it", job.id)
                await self._hand_back(job)
            elif not recorder.cancelled:
                await self._hand_back(job)
                raise
            else:
                await recorder.failed(CANCELLED)
        except StoreUnavailable:
            raise
        except TimeoutError:
            limit = self.settings.job_timeout
            await recorder.failed(f"Job stopped: it ran longer than the {limit:g}s job time limit")
        except SiteloreError as error:
            await recorder.failed(str(error))
        except Exception as error:  # a bug must fail the job, never leave it processing
            log.exception("job %s failed unexpectedly", job.id)
            await recorder.failed(f"Internal error: {type(error).__name__}")
        else:
            if isinstance(result, ExtractResult):
                await self._keep_knowledge(job, result, recorder.done_pages)
            await recorder.completed(result.to_dict())

    async def _keep_knowledge(self, job: Job, result: ExtractResult, done: set[str]) -> None:
        """A completed job's profile and items go to its key's knowledge, where they outlive
        the job. A partial job (one page, listed pages, patterns) replaces only the items of
        the pages it scraped."""
        pages = replaced_pages(job.request, result, done)
        await self.store.knowledge().save_knowledge(
            job.key_id, result, scraped_pages=pages, job_id=job.id
        )

    async def _hand_back(self, job: Job) -> None:
        """The worker is stopping or lost the store: the job goes back to the queue."""
        try:
            await asyncio.shield(self.store.release(job.id, self.worker_id))
        except StoreUnavailable:  # the store is away: recover() hands it back later
            log.warning("job %s: the database is away; it is handed back when it returns", job.id)
            self.unreleased.add(job.id)
        except Exception:
            log.exception("could not hand job %s back; it will be retried", job.id)
            self.unreleased.add(job.id)
        self.hub.notify(QUEUE)

    async def _heartbeat(self, recorder: _Recorder, task: asyncio.Task[Any]) -> None:
        """Beat until the job ends; stop it when the store says it was cancelled."""
        job_id = recorder.job.id
        with self.hub.subscribe(cancel_topic(job_id)) as cancel:
            while not task.done():
                if await self._beat(recorder):
                    task.cancel()
                    return
                await wait_for(cancel, self.settings.heartbeat_interval)

    async def _beat(self, recorder: _Recorder) -> bool:
        """One heartbeat; True when the job must stop (cancelled, or no longer ours)."""
        loop = asyncio.get_running_loop()
        try:
            stop = await self.store.heartbeat(recorder.job.id, self.worker_id)
        except StoreUnavailable:
            # Others will take this job for dead once its heartbeat is stale: stop it
            # before then rather than run it twice.
            silent = loop.time() - recorder.last_beat
            recorder.abandoned = silent > self.settings.stale_after / 2
            return recorder.abandoned
        recorder.last_beat = loop.time()
        recorder.cancelled = stop
        return stop

    async def _publish(
        self, job_id: str, name: str, data: dict[str, Any], *, progress: bool = False
    ) -> None:
        await self.store.add_event(job_id, name, data, progress=progress)
        self.hub.notify(job_id)

    async def _webhook(self, job: Job, event: str, payload: dict[str, Any] | None = None) -> None:
        """Owe ``event`` to the job's callbackUrl and its key's webhooks that want it: one
        store call, which adds nothing when nobody listens."""
        body = webhook_body(event, payload if payload is not None else job.to_dict())
        if await self.store.add_event_deliveries(job, event, body):
            self._wake_deliveries()

    def _wake_deliveries(self) -> None:
        if self.wake_deliveries is not None:
            self.wake_deliveries.set()


class PullLoop:
    """Feeds a :class:`Worker` from a :class:`PullQueue`: ``concurrency`` slots, each
    claiming the next pending job and running it."""

    def __init__(self, worker: Worker, queue: PullQueue) -> None:
        self.worker = worker
        self.queue = queue

    async def run(self, *, burst: bool = False) -> None:
        """Work until cancelled; with ``burst``, until the queue is empty and nothing runs."""
        slots = [self._slot(burst) for _ in range(self.worker.settings.concurrency)]
        await asyncio.gather(*slots)

    async def _slot(self, burst: bool) -> None:
        settings = self.worker.settings
        with self.worker.hub.subscribe(QUEUE) as queued:
            while True:
                try:
                    job = await self.queue.claim_job(self.worker.worker_id, settings.per_key_limit)
                    if job is not None:
                        await self.worker.run_job(job)
                        continue
                except StoreUnavailable:  # the store says so, once: no line per slot per second
                    await asyncio.sleep(SLOT_RETRY)
                    continue
                except Exception:
                    if _stopping():
                        # The cancel that stops this slot met a closed store on its way
                        # out (recording the job's end failed): stop, never retry.
                        raise asyncio.CancelledError from None
                    # The store went away or a bug hit between jobs: keep the slot alive; a
                    # job it held is recovered by its missing heartbeat.
                    log.exception("worker slot error; retrying in %.1fs", SLOT_RETRY)
                    await asyncio.sleep(SLOT_RETRY)
                    continue
                if burst:
                    return
                await wait_for(queued, settings.poll_interval)


def _stopping() -> bool:
    """This task has been asked to stop (its cancel may have been swallowed on the way)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class _Recorder:
    """Turns one job's pipeline events into stored events, progress and webhooks."""

    def __init__(self, worker: Worker, job: Job) -> None:
        self.worker = worker
        self.job = job
        self.progress: dict[str, Any] = {"pagesScraped": 0, "totalPages": 0, "currentStep": ""}
        self.cancelled = False
        self.abandoned = False  # the store was unreachable for too long: others will run it
        self.done_pages: set[str] = set()  # the URLs of the pages extracted
        self.last_beat = asyncio.get_running_loop().time()

    async def started(self) -> None:
        # What is planned before the crawl starts: the start page, or the listed pages. The
        # crawl's totals only grow from there; starting at maxPages would make totalPages
        # drop as soon as a small site's plan is made.
        urls = self.job.request.urls
        self.progress["totalPages"] = len(urls) if urls else 1
        self.progress["currentStep"] = "Starting"
        await self.worker.store.set_progress(self.job.id, dict(self.progress))
        current = await self.worker.store.get_job(self.job.id)
        await self.worker._webhook(current or self.job, "EXTRACTION_STARTED")

    async def on_event(self, event: Event) -> None:
        data = event.data()
        is_progress = isinstance(event, Progress)
        if is_progress:
            self.progress = data
        await self.worker._publish(self.job.id, event.event, data, progress=is_progress)
        if isinstance(event, PageScraped) and event.status == PageStatus.DONE:
            self.done_pages.add(event.url)
        if event.event == "page_scraped":
            await self.worker._webhook(self.job, "PAGE_SCRAPED", {"jobId": self.job.id, **data})

    async def completed(self, result: dict[str, Any]) -> None:
        progress = {**self.progress, "currentStep": "Complete"}
        ending = Ending("complete", {"result": result}, "EXTRACTION_COMPLETED")
        finished = await self.worker.store.finish_job(
            self.job.id, self.worker.worker_id, result=result, progress=progress, ending=ending
        )
        self._close(finished)

    async def failed(self, message: str) -> None:
        progress = {**self.progress, "currentStep": "Failed"}
        ending = Ending.failed(message)
        finished = await self.worker.store.finish_job(
            self.job.id, self.worker.worker_id, error=message, progress=progress, ending=ending
        )
        self._close(finished)

    def _close(self, job: Job | None) -> None:
        """Wake who waits: the last event and the deliveries were stored with the job's end
        (the sender is woken whether or not there were any: one look, once per job)."""
        if job is None:
            return  # no longer ours (recovered elsewhere, or cancelled while pending)
        self.worker.metrics.job_finished(job)
        self.worker.hub.notify(job.id)
        self.worker._wake_deliveries()
        self.worker.hub.notify(QUEUE)


def cancel_topic(job_id: str) -> str:
    """The hub topic that wakes a job's heartbeat at once when the job is cancelled."""
    return "cancel:" + job_id
