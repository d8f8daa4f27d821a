"""The app factory: FastAPI routes + the embedded store, workers and webhook sender.

``create_app(settings)`` is everything ``sitelore serve`` runs. Tests and embedders can
pass their own store, hub or resolver; nothing is read from the environment here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from sitelore.api.errors import install_error_handlers
from sitelore.api.limits import BodyLimit, RateLimiter
from sitelore.api.routes import Services, router
from sitelore.api.settings import Settings
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.transport import Resolver, build_client
from sitelore.jobs.deliveries import DeliverySender
from sitelore.jobs.hub import EventHub
from sitelore.jobs.sqlite import SQLiteStore
from sitelore.jobs.store import JobStore
from sitelore.jobs.worker import PullLoop, Worker, WorkerSettings

log = logging.getLogger("sitelore.server")


def create_app(
    settings: Settings,
    *,
    store: JobStore | None = None,
    hub: EventHub | None = None,
    resolver: Resolver | None = None,
) -> FastAPI:
    """The HTTP API of API.md, with ``settings.workers`` in-process workers.

    The network guard of ``settings`` covers submissions, every crawl and every webhook;
    a bad guard setting raises ``ValueError`` here, before the server starts.
    """
    event_hub = hub or EventHub()
    policy = settings.network_policy()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        job_store = store or _open_store(settings)
        limiter = RateLimiter(settings.rate_limit_per_minute)
        app.state.services = Services(settings, job_store, event_hub, limiter, policy)
        client = build_client(settings.crawl, resolver, policy=policy)  # for webhooks
        background = await _start_background(
            settings, job_store, event_hub, client, resolver, policy
        )
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await client.aclose()
            if store is None:
                await job_store.close()

    app = FastAPI(
        title="sitelore",
        summary="Turn a company's website into a business profile and knowledge items.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(router)
    _document_errors(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


ERROR_SCHEMA = {
    "type": "object",
    "required": ["statusCode", "error", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "error": {"type": "string"},
        "message": {"type": "string"},
    },
}


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI document says what the server does: invalid input is a 400 with the error
    body of API.md (FastAPI would advertise its own 422)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.get("responses", {})
                    if responses.pop("422", None) is not None:
                        responses["400"] = {
                            "description": "Bad Request: the message names the field and why",
                            "content": {"application/json": {"schema": ERROR_SCHEMA}},
                        }
            schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
            schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _open_store(settings: Settings) -> SQLiteStore:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(settings.database_path)


async def _start_background(
    settings: Settings,
    store: JobStore,
    hub: EventHub,
    client: httpx.AsyncClient,
    resolver: Resolver | None,
    policy: NetworkPolicy,
) -> list[asyncio.Task[None]]:
    sender = DeliverySender(store, client, first_retry=settings.webhook_first_retry, policy=policy)
    worker = Worker(
        store,
        hub,
        _worker_settings(settings, policy),
        resolver=resolver,
        wake_deliveries=sender.wakeup,
    )
    # One server process owns the SQLite file: whatever was processing died with the
    # previous process, so it is retried (or failed) now rather than after a timeout.
    await worker.recover(stale_after=0.0)
    tasks = [
        asyncio.create_task(sender.run(), name="webhooks"),
        asyncio.create_task(_housekeeping(settings, store, worker), name="housekeeping"),
    ]
    if settings.workers > 0:
        tasks.append(asyncio.create_task(PullLoop(worker, store).run(), name="worker"))
    return tasks


def _worker_settings(settings: Settings, policy: NetworkPolicy) -> WorkerSettings:
    return WorkerSettings(
        concurrency=max(settings.workers, 1),
        job_timeout=settings.job_timeout,
        per_key_limit=settings.max_concurrent_jobs_per_key,
        heartbeat_interval=settings.heartbeat_interval,
        stale_after=settings.stale_after,
        max_attempts=settings.max_attempts,
        max_pages_cap=settings.max_pages_cap,
        crawl=settings.crawl,
        policy=policy,
    )


async def _housekeeping(settings: Settings, store: JobStore, worker: Worker) -> None:
    """Stalled jobs back to the queue, expired jobs deleted; forever."""
    while True:
        try:
            await worker.recover()
            await store.purge_finished(time.time() - settings.retention_seconds)
        except Exception:  # one bad pass must not stop the next
            log.exception("housekeeping failed")
        await asyncio.sleep(min(settings.housekeeping_interval, settings.stale_after / 2))
