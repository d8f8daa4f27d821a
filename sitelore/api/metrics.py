"""``GET /metrics``: this process's metrics in the Prometheus text format; no key needed.

The registry is the app's own (``create_app`` makes it and passes it down; there is no
global one), so every process exposes what it did itself, and two apps in one process
never mix their counts. Beside what the job runtime records (:mod:`sitelore.jobs.metrics`),
the API adds what it reads at scrape time: the jobs in the store by state and its own
open event streams. ``SITELORE_METRICS=off`` leaves the route out (404).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.exposition import choose_encoder
from starlette.responses import Response

from sitelore.api.docs import errors
from sitelore.api.limits import StreamCount
from sitelore.api.routes import ServicesDep
from sitelore.jobs.store import JobStore, StoreUnavailable

# A scrape must answer within the scraper's timeout (Prometheus: 10 s) whatever the
# database does: the job counts wait this long at most.
COUNT_TIMEOUT = 2.0


class ApiMetrics:
    """The API's gauges on ``registry``, and the exposition of everything on it."""

    def __init__(self, registry: CollectorRegistry, streams: StreamCount) -> None:
        self.registry = registry
        self.jobs = Gauge(
            "sitelore_jobs",
            "Jobs in the store by state, read at scrape time (the whole store: every process "
            "on one PostgreSQL reports the same numbers)",
            ["state"],
            registry=registry,
        )
        open_streams = Gauge(
            "sitelore_event_streams_open", "Event streams open on this process", registry=registry
        )
        open_streams.set_function(streams.total)

    async def exposition(self, store: JobStore, accept: str) -> tuple[bytes, str]:
        """The metrics encoded as the scraper asked (``Accept``), and their content type."""
        try:
            counts = await asyncio.wait_for(store.count_jobs(), COUNT_TIMEOUT)
        except (StoreUnavailable, TimeoutError):
            # No job numbers rather than stale ones; this process's own metrics still
            # tell what it does while the database is away (or slow).
            self.jobs.clear()
        else:
            for status, count in counts.items():
                self.jobs.labels(status.value).set(count)
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


router = APIRouter()


@router.get(
    "/metrics",
    tags=["health"],
    response_class=Response,
    responses={
        200: {"description": "Prometheus text format", "content": {"text/plain": {}}},
        **errors(500),
    },
)
async def metrics(request: Request, context: ServicesDep) -> Response:
    """This process's metrics for Prometheus (no key needed; `SITELORE_METRICS=off`
    turns the route off)."""
    found: ApiMetrics = request.app.state.metrics
    body, content_type = await found.exposition(context.store, request.headers.get("accept", ""))
    return Response(body, headers={"Content-Type": content_type})
