"""What a process runs besides HTTP: job workers, the webhook sender, housekeeping and,
on PostgreSQL, the notification listener.

``sitelore serve`` runs it beside the API (``--workers 0``: no job workers), ``sitelore
worker`` runs it alone, with no HTTP. What depends on the store (how jobs reach the
workers, what happens at start, who follows other processes' events) is asked of the
:mod:`~sitelore.runtime.backends` object; every process may run the sender and the
housekeeping, which the store keeps from doing the same work twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.treecaps import TreeLimits
from sitelore.crawl.pagework import PageProcesses
from sitelore.crawl.sources.browser import Renderer
from sitelore.crawl.sources.rendering import browser_for
from sitelore.crawl.transport import Resolver, build_client
from sitelore.jobs.deliveries import DeliverySender
from sitelore.jobs.hub import EventHub
from sitelore.jobs.metrics import JobMetrics
from sitelore.jobs.store import JobStore, StoreUnavailable
from sitelore.jobs.worker import Worker, WorkerSettings
from sitelore.runtime.backends import Backend
from sitelore.settings import Settings

log = logging.getLogger("sitelore.background")
PURGE = "purge-expired-jobs"


@dataclass
class Background:
    """The running tasks; ``jobs`` is the job workers' task (None with no workers);
    ``renderer`` the process's browser (None: no Chromium installed); ``wake_deliveries``
    wakes the webhook sender at once (a delivery was added)."""

    tasks: list[asyncio.Task[None]]
    jobs: asyncio.Task[None] | None
    renderer: Renderer | None = None
    wake_deliveries: asyncio.Event | None = None


@asynccontextmanager
async def background(
    settings: Settings,
    backend: Backend,
    hub: EventHub,
    *,
    resolver: Resolver | None = None,
    workers: int | None = None,
    handle_signals: bool = False,
    burst: bool = False,
    serves_api: bool = True,
    metrics: JobMetrics | None = None,
) -> AsyncIterator[Background]:
    """Start everything; on exit stop it (running jobs finish or are handed back).

    ``serves_api`` says whether this process answers HTTP (then, on PostgreSQL, it follows
    every job's events); a process that only runs jobs hears of cancel requests through
    its heartbeats. ``metrics`` records pages, job times and webhook deliveries."""
    store = backend.store
    policy = settings.network_policy()
    client = build_client(settings.crawl, resolver, policy=policy)  # for webhooks
    sender = DeliverySender(
        store,
        client,
        first_retry=settings.webhook_first_retry,
        policy=policy,
        metrics=metrics,
    )
    count = settings.workers if workers is None else workers
    limits = TreeLimits(settings.page_max_elements, settings.page_max_depth)
    work = PageProcesses(settings.page_processes, settings.page_timeout, limits)
    browser = browser_for(
        settings.chromium or None, settings.crawl, resolver, policy,
        tabs=settings.render_tabs, page_timeout=settings.render_timeout,
        restart_after=settings.render_restart_after,
    )  # fmt: skip
    stack = contextlib.AsyncExitStack()
    renderer = await stack.enter_async_context(browser)
    worker = Worker(
        store,
        hub,
        worker_settings(settings, policy, count),
        resolver=resolver,
        wake_deliveries=sender.wakeup,
        work=work,
        metrics=metrics,
        renderer=renderer,
    )
    tasks = [
        asyncio.create_task(sender.run(), name="webhooks"),
        asyncio.create_task(housekeeping(settings, store, worker), name="housekeeping"),
    ]
    await backend.at_start(worker)
    listener = backend.listener(hub) if serves_api else None
    if listener is not None:
        tasks.append(listener)
    jobs = None
    if count > 0:
        running = backend.run_jobs(worker, handle_signals=handle_signals, burst=burst)
        jobs = asyncio.create_task(running, name="jobs")
    try:
        yield Background(tasks, jobs, renderer, sender.wakeup)
    finally:
        await _stop([*([jobs] if jobs else []), *tasks])
        await work.close()
        await stack.aclose()
        await client.aclose()


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def worker_settings(settings: Settings, policy: NetworkPolicy, concurrency: int) -> WorkerSettings:
    return WorkerSettings(
        concurrency=max(concurrency, 1),
        job_timeout=settings.job_timeout,
        per_key_limit=settings.max_concurrent_jobs_per_key,
        heartbeat_interval=settings.heartbeat_interval,
        stale_after=settings.stale_after,
        max_attempts=settings.max_attempts,
        max_pages_cap=settings.max_pages_cap,
        crawl=settings.crawl,
        policy=policy,
    )


async def housekeeping(settings: Settings, store: JobStore, worker: Worker) -> None:
    """Stalled jobs back to the queue, expired jobs deleted (by one process per period)."""
    every = min(settings.housekeeping_interval, settings.stale_after / 2)
    while True:
        try:
            await worker.recover()
            if await store.housekeeping_due(PURGE, every):
                await store.purge_finished(time.time() - settings.retention_seconds)
        except StoreUnavailable:  # the store says so, once: no line at every pass
            pass
        except Exception:  # one bad pass must not stop the next
            log.exception("housekeeping failed")
        await asyncio.sleep(every)
