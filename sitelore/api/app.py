"""The app factory: FastAPI routes + the store, workers and webhook sender.

``create_app(settings)`` is everything ``sitelore serve`` runs (the store of the settings,
and :mod:`sitelore.api.background` beside the routes). Tests and embedders can pass their
own store, hub or resolver; nothing is read from the environment here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from sitelore.api import metrics
from sitelore.api.background import background, open_store
from sitelore.api.errors import install_error_handlers
from sitelore.api.limits import BodyLimit, RateLimiter, StreamCount
from sitelore.api.routes import Services, router
from sitelore.api.settings import Settings
from sitelore.crawl.transport import Resolver
from sitelore.jobs.hub import EventHub
from sitelore.jobs.metrics import JobMetrics, process_registry
from sitelore.jobs.store import JobStore


def create_app(
    settings: Settings,
    *,
    store: JobStore | None = None,
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
        job_store = store or await open_store(settings)
        limiter = RateLimiter(settings.rate_limit_per_minute)
        app.state.services = Services(settings, job_store, event_hub, limiter, policy, streams)
        running = background(settings, job_store, event_hub, resolver=resolver, metrics=job_metrics)
        try:
            async with running:
                yield
        finally:
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
    app.state.metrics = metrics.ApiMetrics(registry, streams)
    if settings.metrics:
        app.include_router(metrics.router)
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
