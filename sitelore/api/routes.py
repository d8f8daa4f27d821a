"""The routes of API.md: extract (sync, async, stream), jobs, cancel, events, health."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Security
from fastapi.security import APIKeyHeader
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from sitelore.api import schemas
from sitelore.api.caches import TimedCache
from sitelore.api.docs import EVENTS, KEYED, errors, event_stream
from sitelore.api.errors import StatusError, json_response
from sitelore.api.limits import RateLimiter, StreamCount
from sitelore.api.schemas import ExtractBody
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.sources.browser import Renderer
from sitelore.jobs.hub import EventHub, wait_for
from sitelore.jobs.models import ApiKey, Job, JobStatus
from sitelore.jobs.store import JobStore
from sitelore.models import ExtractRequest
from sitelore.runtime.desk import IdempotencyConflict, JobAlreadyFinished, JobDesk, JobNotFound
from sitelore.settings import Settings

TERMINAL_EVENTS = frozenset({"complete", "error"})
FINISHED_GRACE = 1.0
MAX_IDEMPOTENCY_KEY = 200
MAX_EVENT_ID_DIGITS = 15
KEY_CACHE_SECONDS = 5.0  # a revoked key stops working within this time


@dataclass
class Services:
    """What the routes work with; built by the app factory, kept on ``app.state``."""

    settings: Settings
    store: JobStore
    hub: EventHub
    limiter: RateLimiter
    policy: NetworkPolicy
    streams: StreamCount
    renderer: Renderer | None = None  # the process's browser (screenshots), when it has one
    wake_deliveries: asyncio.Event | None = None  # the process's webhook sender, to wake
    keys: TimedCache[ApiKey] = field(default_factory=lambda: TimedCache(10_000))
    finished: TimedCache[tuple[str, bytes]] = field(default_factory=lambda: TimedCache(5_000))

    @property
    def desk(self) -> JobDesk:
        return JobDesk(self.store, self.hub, self.wake_deliveries)

    def delivery_added(self) -> None:
        """Wake this process's webhook sender: a delivery is due now (without it, a sender
        looks every second)."""
        if self.wake_deliveries is not None:
            self.wake_deliveries.set()


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
# The key as an OpenAPI security scheme; missing keys get our own 401 (auto_error off).
API_KEY = APIKeyHeader(
    name="x-api-key",
    scheme_name="ApiKey",
    description="An API key: `sitelore keys create --name NAME` prints one",
    auto_error=False,
)
JobId = Annotated[
    str,
    Path(
        alias="jobId",
        title="jobId",
        description="the id `POST /v1/extract/async` answered (`job_…`)",
        examples=["job_abc123def456"],
    ),
]


async def authenticated(
    context: ServicesDep, x_api_key: Annotated[str | None, Security(API_KEY)]
) -> ApiKey:
    if not x_api_key:
        raise StatusError(401, "x-api-key header is missing")
    key = context.keys.get(x_api_key)
    if key is None:
        key = await context.store.authenticate(x_api_key)
        if key is None:
            raise StatusError(401, "x-api-key is not a valid API key")
        if key.revoked_at is not None:
            raise StatusError(401, "this API key was revoked")
        context.keys.put(x_api_key, key, KEY_CACHE_SECONDS)
    wait = context.limiter.check(key.id)
    if wait is not None:
        raise StatusError(429, "rate limit exceeded for this API key", {"Retry-After": str(wait)})
    return key


KeyDep = Annotated[ApiKey, Depends(authenticated)]
router = APIRouter()


# -- extraction ---------------------------------------------------------------------------


ASYNC_ONLY = (
    "callbackUrl is for POST /v1/extract/async only: this route answers with the result "
    "itself. Drop callbackUrl, or submit the job to /v1/extract/async"
)


async def _submit(
    context: Services,
    key: ApiKey,
    body: ExtractBody,
    idempotency: str | None,
    *,
    answers_result: bool,
) -> Job:
    if answers_result and body.callbackUrl is not None:
        # Silently ignoring it would leave the caller waiting for a webhook never sent.
        raise StatusError(400, ASYNC_ONLY)
    request = body.to_request(context.settings.max_pages_cap, context.policy)
    return await enqueue(context, key, request, idempotency)


async def enqueue(
    context: Services, key: ApiKey, request: ExtractRequest, idempotency: str | None = None
) -> Job:
    """A new job of ``key`` for the (validated) ``request``, queued for the workers."""
    if idempotency is not None and len(idempotency) > MAX_IDEMPOTENCY_KEY:
        raise StatusError(400, f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters")
    try:
        return await context.desk.submit(key.id, request, idempotency)
    except IdempotencyConflict as conflict:
        # IETF Idempotency-Key draft: 422.
        raise StatusError(
            422,
            f"Idempotency-Key {idempotency!r} was used for another request "
            f"(job {conflict.job.id}): send the same request to get that job again, or a new "
            "key for a new job",
        ) from None


LOCATION = {"Location": {"description": "`/v1/jobs/{jobId}`", "schema": {"type": "string"}}}


@router.post(
    "/v1/extract/async",
    status_code=202,
    tags=["extract"],
    response_model=schemas.JobAccepted,
    response_description="The job is created; its URL is in `Location`",
    responses={202: {"headers": LOCATION}, **errors(*KEYED, 400, 413, 422)},
)
async def extract_async(
    body: ExtractBody,
    context: ServicesDep,
    key: KeyDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="retrying with the same key (at most 200 characters) answers the "
            "same job instead of starting another"
        ),
    ] = None,
) -> Response:
    """Start an extraction in the background; poll `GET /v1/jobs/{jobId}` for the result,
    follow `GET /v1/jobs/{jobId}/events`, or give a `callbackUrl`."""
    job = await _submit(context, key, body, idempotency_key, answers_result=False)
    return json_response(
        {"jobId": job.id, "status": job.status.value}, 202, {"Location": f"/v1/jobs/{job.id}"}
    )


@router.post(
    "/v1/extract",
    tags=["extract"],
    response_model=schemas.ExtractResult,
    response_description="The extraction's result",
    responses=errors(*KEYED, 400, 413, 502, 504),
)
async def extract_sync(body: ExtractBody, context: ServicesDep, key: KeyDep) -> Response:
    """Extract and answer with the result once the crawl is done. Past the server's sync
    timeout the answer is a 504 naming the job, which goes on: poll `GET /v1/jobs/{jobId}`."""
    job = await _submit(context, key, body, None, answers_result=True)
    finished = await wait_finished(context, job.id, context.settings.sync_timeout)
    if finished is None:
        raise StatusError(
            504,
            f"extraction still running after {context.settings.sync_timeout:g}s: "
            f"poll /v1/jobs/{job.id}",
        )
    if finished.status is JobStatus.FAILED:
        raise StatusError(502, finished.error or "extraction failed")
    return json_response(finished.result)


async def wait_finished(context: Services, job_id: str, timeout: float) -> Job | None:
    return await context.desk.wait_finished(job_id, timeout)


@router.post(
    "/v1/extract/stream",
    tags=["extract"],
    response_class=Response,  # documents no JSON body: the answer is the event stream
    responses={
        **event_stream("The job's events, as Server-Sent Events"),
        **errors(*KEYED, 400, 413),
    },
    description="Start an extraction and stream its events as Server-Sent Events.\n" + EVENTS,
)
async def extract_stream(body: ExtractBody, context: ServicesDep, key: KeyDep) -> Response:
    release = _stream_slot(context, key)
    try:
        job = await _submit(context, key, body, None, answers_result=True)
    except BaseException:
        release()
        raise
    return _sse(context, job.id, 0, release)


# -- jobs ---------------------------------------------------------------------------------


async def _owned_job(context: Services, key: ApiKey, job_id: str) -> Job:
    try:
        return await context.desk.owned(key.id, job_id)
    except JobNotFound as missing:
        raise StatusError(404, str(missing)) from None


@router.get(
    "/v1/jobs/{jobId}",
    tags=["jobs"],
    response_model=schemas.Job,
    response_description="The job",
    responses=errors(*KEYED, 404),
)
async def get_job(job_id: JobId, context: ServicesDep, key: KeyDep) -> Response:
    """The job: its status, progress, result or error, and times."""
    cached = context.finished.get(job_id)
    if cached is not None and cached[0] == key.id:
        return Response(cached[1], media_type="application/json")
    job = await _owned_job(context, key, job_id)
    body = orjson.dumps(job.to_dict())
    if job.status.finished and job.finished_at is not None:
        # A finished job never changes again: serve it from memory until it expires.
        left = job.finished_at + context.settings.retention_seconds - time.time()
        context.finished.put(job_id, (key.id, body), left)
    return Response(body, media_type="application/json")


@router.get(
    "/v1/jobs",
    tags=["jobs"],
    response_model=schemas.JobList,
    response_description="A page of jobs",
    responses=errors(*KEYED, 400),
)
async def list_jobs(
    context: ServicesDep,
    key: KeyDep,
    status: Annotated[JobStatus | None, Query(description="only jobs in this state")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="jobs per page")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=500, description="the `nextCursor` of the page before")
    ] = None,
) -> Response:
    """This key's jobs, newest first, each with its `url` and without its result (read one
    job for its result)."""
    try:
        jobs, next_cursor = await context.store.list_jobs(key.id, status, limit, cursor)
    except ValueError as error:
        raise StatusError(400, f"cursor: {error}") from None
    body = {"jobs": [job.list_entry() for job in jobs], "nextCursor": next_cursor}
    return json_response(body)


@router.post(
    "/v1/jobs/{jobId}/cancel",
    status_code=202,
    tags=["jobs"],
    response_model=schemas.Job,
    response_description="The job, as the cancel left it",
    responses=errors(*KEYED, 404, 409),
)
async def cancel_job(job_id: JobId, context: ServicesDep, key: KeyDep) -> Response:
    """Stop a pending or processing job: it ends `failed` with `Job cancelled` within a
    second or two. A finished job answers 409."""
    try:
        job = await context.desk.cancel(key.id, job_id)
    except JobNotFound as missing:
        raise StatusError(404, str(missing)) from None
    except JobAlreadyFinished as finished:
        raise StatusError(409, str(finished)) from None
    return json_response(job.to_dict(), 202)


@router.get(
    "/v1/jobs/{jobId}/events",
    tags=["jobs"],
    response_class=Response,  # documents no JSON body: the answer is the event stream
    responses={
        **event_stream("The job's events, as Server-Sent Events"),
        **errors(*KEYED, 400, 404),
    },
    description="The job's events as Server-Sent Events, replayed from the start or from "
    "after `Last-Event-ID`; the stream closes after `complete` or `error`.\n" + EVENTS,
)
async def job_events(
    job_id: JobId,
    context: ServicesDep,
    key: KeyDep,
    last_event_id: Annotated[
        str | None, Header(description="the `id:` of the last event received: resume after it")
    ] = None,
) -> Response:
    await _owned_job(context, key, job_id)
    after = _event_id(last_event_id)
    return _sse(context, job_id, after, _stream_slot(context, key))


def _event_id(header: str | None) -> int:
    if header is None or not header.strip():
        return 0
    value = header.strip()
    if not value.isascii() or not value.isdigit() or len(value) > MAX_EVENT_ID_DIGITS:
        raise StatusError(400, "Last-Event-ID must be the id of an event of this job (a number)")
    return int(value)


def _stream_slot(context: Services, key: ApiKey) -> Callable[[], None]:
    """Count a stream of ``key`` (429 past the cap); call the result when it ends."""
    if not context.streams.take(key.id):
        limit = context.streams.per_key
        raise StatusError(
            429,
            f"this key has {limit} event streams open on this server, the most it may; "
            "close one, or poll GET /v1/jobs/{jobId}",
            {"Retry-After": "5"},
        )
    return lambda: context.streams.give_back(key.id)


class _CountedStream(StreamingResponse):
    """A stream that gives its slot back however it ends (done, dropped, cancelled)."""

    def __init__(self, frames: AsyncIterator[bytes], release: Callable[[], None]) -> None:
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        super().__init__(frames, media_type="text/event-stream", headers=headers)
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.release()


def _sse(
    context: Services, job_id: str, after: int, release: Callable[[], None]
) -> StreamingResponse:
    return _CountedStream(_frames(context, job_id, after), release)


async def _frames(context: Services, job_id: str, after: int) -> AsyncIterator[bytes]:
    """Replay, then follow; a ``: ping`` comment while idle; stop after the last event."""
    seq = after
    with context.hub.subscribe(job_id) as woken:
        while True:
            events = await context.store.events_after(job_id, seq)
            for event in events:
                seq = event.seq
                yield event.sse().encode()
                if event.name in TERMINAL_EVENTS:
                    return
            if events:
                continue
            job = await context.store.get_job(job_id)
            if job is None:
                return  # expired
            if job.status.finished:
                # Its last event is at or before the client's Last-Event-ID (or is being
                # written right now): give it a moment, then close rather than ping forever.
                if not await wait_for(woken, FINISHED_GRACE):
                    return
                continue
            if not await wait_for(woken, context.settings.ping_interval):
                yield b": ping\n\n"


# -- health -------------------------------------------------------------------------------


@router.get(
    "/healthz",
    tags=["health"],
    response_model=schemas.Health,
    response_description="Up",
    responses=errors(500, 503),
)
async def healthz() -> Response:
    """The process is up (no key needed)."""
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    tags=["health"],
    response_model=schemas.Ready,
    response_description="Ready",
    responses=errors(500, 503),
)
async def readyz(context: ServicesDep) -> Response:
    """The database answers (no key needed); 503 otherwise."""
    await context.store.ping()
    return json_response({"status": "ready"})
