"""The app factory: FastAPI routes + the store, workers and webhook sender.

``create_app(settings)`` is everything ``sitelore serve`` runs (the backend of the
settings, and :mod:`sitelore.runtime.background` beside the routes). Tests and embedders
can pass their own backend, hub or resolver; nothing is read from the environment here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry

from sitelore.api import knowledge, mcphttp, metrics, screenshots, sitetools, ui, webhooks
from sitelore.api.docs import answer_400_not_422
from sitelore.api.errors import install_error_handlers
from sitelore.api.limits import BodyLimit, RateLimiter, StreamCount
from sitelore.api.routes import Services, router
from sitelore.crawl.transport import Resolver
from sitelore.jobs.hub import EventHub
from sitelore.jobs.metrics import JobMetrics, process_registry
from sitelore.runtime.backends import Backend, open_backend
from sitelore.runtime.background import background
from sitelore.settings import Settings

DESCRIPTION = """
Every `/v1/*` route needs an API key in the `x-api-key` header (`sitelore keys create` makes
one). A job belongs to the key that created it: another key gets 404 for it.

Every answer other than 2xx has the body `{"statusCode": 404, "error": "Not Found",
"message": "..."}`; the message says what is wrong and what to do.
"""


def create_app(
    settings: Settings,
    *,
    backend: Backend | None = None,
    hub: EventHub | None = None,
    resolver: Resolver | None = None,
    registry: CollectorRegistry | None = None,
) -> FastAPI:
    """The HTTP API of API.md, with ``settings.workers`` in-process workers.

    The network guard of ``settings`` covers submissions, every crawl and every webhook;
    a bad guard setting raises ``ValueError`` here, before the server starts. ``/metrics``
    serves ``registry`` (by default one of this app's own).
    """
    event_hub = hub or EventHub()
    policy = settings.network_policy()
    registry = registry or process_registry()
    job_metrics = JobMetrics(registry)
    streams = StreamCount(settings.max_streams_per_key)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs = backend or await open_backend(settings)
        limiter = RateLimiter(settings.rate_limit_per_minute)
        services = Services(settings, jobs.store, event_hub, limiter, policy, streams)
        app.state.services = services
        running = background(settings, jobs, event_hub, resolver=resolver, metrics=job_metrics)
        try:
            async with running as started, mcphttp.running(app):
                services.renderer = started.renderer
                services.wake_deliveries = started.wake_deliveries
                yield
        finally:
            if backend is None:
                await jobs.close()

    # /docs and /redoc load their scripts and styles from the server (the fastapi-offline
    # package ships them): they work with no network, and tell no CDN who reads them.
    app = FastAPIOffline(
        title="sitelore",
        summary="Turn a company's website into a business profile and knowledge items.",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},  # never send the document elsewhere
    )
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(screenshots.router)
    app.include_router(knowledge.router)
    app.include_router(sitetools.router)
    app.include_router(webhooks.router)
    mcphttp.mount(app, settings)  # /mcp, where the mcp package is installed
    app.state.metrics = metrics.ApiMetrics(registry, streams)
    if settings.metrics:
        app.include_router(metrics.router)
    if settings.ui:
        app.include_router(ui.ui_router(ui.load_assets()))
    answer_400_not_422(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
